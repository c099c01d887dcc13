//! What the macro expansions call; not a public API (hidden from the docs).
//!
//! `random_below` draws `select!`'s start branch from a per-thread xorshift64*
//! generator, seeded once per thread from std's randomly keyed hasher, so no two
//! threads (or runs) share a sequence and no dependency is needed.

use std::cell::Cell;
use std::hash::{BuildHasher, Hasher};

pub use std::future::poll_fn;

thread_local! {
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x9E37_79B9_7F4A_7C15);
    // Xorshift's state must not be zero.
    h.finish() | 1
}

/// A pseudo-random number in `0..n` (`n > 0`), for `select!`'s start branch.
///
/// ```
/// let r = weft::macros::support::random_below(3);
/// assert!(r < 3);
/// ```
pub fn random_below(n: usize) -> usize {
    let x = STATE
        .try_with(|s| {
            let mut x = s.get();
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            s.set(x);
            x.wrapping_mul(0x2545_F491_4F6C_DD1D)
        })
        .unwrap_or(0);
    // Multiply-shift maps the high bits onto 0..n without a division.
    (((x >> 32) * n as u64) >> 32) as usize
}
