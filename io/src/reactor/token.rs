//! Generation-tagged mio tokens: which slab slot an event is for, and which tenant.
//!
//! A token packs a slab index (low [`INDEX_BITS`] bits) with the generation of the
//! registration that was given that slot. Slots are reused as soon as a resource is
//! dropped, while events for the old tenant may still sit in the driver's event buffer
//! (or in the kernel's ready list); comparing generations on dispatch makes those
//! stale events fall on the floor instead of waking the slot's new tenant.
//!
//! # Invariant
//!
//! No generated token equals [`WAKE_TOKEN`]: the top bit of a packed token is always
//! clear, and `WAKE_TOKEN` has it set.

use mio::Token;

/// Bits of a token that hold the slab index: 16 M live registrations per driver.
pub(crate) const INDEX_BITS: u32 = 24;
/// Mask selecting the slab index.
pub(crate) const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
/// Bits that hold the generation: the rest of the word less its top bit.
const GENERATION_BITS: u32 = usize::BITS - INDEX_BITS - 1;
/// Mask of a generation (before it is shifted into place).
pub(crate) const GENERATION_MASK: usize = (1 << GENERATION_BITS) - 1;

/// The token the driver's `mio::Waker` uses; no registration ever gets it.
pub(crate) const WAKE_TOKEN: Token = Token(usize::MAX);

/// Packs `index` and `generation` into a token.
pub(crate) fn pack(index: usize, generation: usize) -> Token {
    debug_assert!(index <= INDEX_MASK);
    Token(((generation & GENERATION_MASK) << INDEX_BITS) | index)
}

/// Splits a token into its slab index and generation.
pub(crate) fn unpack(token: Token) -> (usize, usize) {
    (
        token.0 & INDEX_MASK,
        (token.0 >> INDEX_BITS) & GENERATION_MASK,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_never_the_wake_token() {
        for (index, generation) in [(0, 0), (INDEX_MASK, GENERATION_MASK), (7, 12345)] {
            let token = pack(index, generation);
            assert_ne!(token, WAKE_TOKEN);
            assert_eq!(unpack(token), (index, generation));
        }
    }

    #[test]
    fn generation_wraps_inside_its_mask() {
        assert_eq!(unpack(pack(3, GENERATION_MASK + 2)), (3, 1));
    }
}
