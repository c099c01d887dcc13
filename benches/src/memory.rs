//! Resident set size of the current process, read from `/proc/self/statm`.
//!
//! Invariant: the figure is in bytes; the page size comes from the kernel's
//! auxiliary vector (`AT_PAGESZ`), so it is right on 16 KiB and 64 KiB page systems
//! too, without a libc dependency.

use std::io;

/// `AT_PAGESZ` in `<elf.h>`: the auxiliary-vector entry holding the page size.
const AT_PAGESZ: usize = 6;

/// Resident set size of this process in bytes (Linux only).
///
/// # Errors
///
/// Fails when `/proc/self/statm` cannot be read or parsed, e.g. off Linux or without
/// `/proc` mounted.
///
/// # Examples
///
/// ```
/// # if cfg!(target_os = "linux") {
/// let before = weft_benches::resident_bytes().unwrap();
/// let block = vec![1u8; 8 << 20];
/// let after = weft_benches::resident_bytes().unwrap();
/// assert!(after >= before + (4 << 20), "{before} -> {after}");
/// drop(block);
/// # }
/// ```
pub fn resident_bytes() -> io::Result<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm")?;
    // Fields: size resident shared text lib data dt, all in pages.
    let resident: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|f| f.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "unexpected /proc/self/statm"))?;
    Ok(resident * page_size())
}

/// The page size from the auxiliary vector, or 4096 if it cannot be read.
fn page_size() -> u64 {
    const WORD: usize = size_of::<usize>();
    let Ok(auxv) = std::fs::read("/proc/self/auxv") else {
        return 4096;
    };
    auxv.chunks_exact(2 * WORD)
        .map(|entry| {
            let word = |i: usize| {
                usize::from_ne_bytes(
                    entry[i * WORD..(i + 1) * WORD]
                        .try_into()
                        .expect("WORD bytes"),
                )
            };
            (word(0), word(1))
        })
        .find(|&(key, _)| key == AT_PAGESZ)
        .map_or(4096, |(_, value)| value as u64)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn page_size_is_a_power_of_two() {
        let p = page_size();
        assert!(p >= 4096 && p.is_power_of_two(), "{p}");
    }
}
