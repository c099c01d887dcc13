//! [`ReadBuf`]: a borrowed byte buffer that a reader fills, possibly starting
//! uninitialised.
//!
//! # Invariant
//!
//! A `ReadBuf` borrows a slice of `MaybeUninit<u8>` and splits it into three regions:
//!
//! ```text
//! [ filled | initialised but unfilled | uninitialised ]
//! 0        filled                     initialized       capacity
//! ```
//!
//! 1. `filled <= initialized <= buf.len()` at all times.
//! 2. Every byte in `buf[..initialized]` has been written (is initialised memory).
//! 3. `initialized` never goes down while the `ReadBuf` lives, so bytes once
//!    initialised stay readable as `u8`. [`ReadBuf::clear`] and
//!    [`ReadBuf::set_filled`] move only `filled`.
//!
//! Every `unsafe` block below cites these rules by number. The only ways to break
//! rule 2 from outside are the two `unsafe fn`s, [`ReadBuf::unfilled_mut`] (the caller
//! could write `MaybeUninit::uninit()` over initialised bytes) and
//! [`ReadBuf::assume_init`] (the caller could claim bytes it never wrote); their
//! contracts forbid exactly that.

use std::fmt;
use std::mem::MaybeUninit;

/// A byte buffer being filled by a read, which may start out uninitialised.
///
/// Readers append to the *unfilled* part with [`put_slice`](ReadBuf::put_slice), or
/// by writing into [`initialize_unfilled`](ReadBuf::initialize_unfilled) and calling
/// [`advance`](ReadBuf::advance). The caller then sees what arrived through
/// [`filled`](ReadBuf::filled). Starting from uninitialised memory
/// ([`ReadBuf::uninit`]) spares the caller from zeroing a buffer the reader is about
/// to overwrite anyway.
///
/// ```
/// use weft_io::io::ReadBuf;
///
/// let mut storage = [0u8; 8];
/// let mut buf = ReadBuf::new(&mut storage);
/// buf.put_slice(b"hi");
/// assert_eq!(buf.filled(), b"hi");
/// assert_eq!(buf.remaining(), 6);
/// ```
pub struct ReadBuf<'a> {
    /// # Invariant
    /// Bytes `..initialized` are initialised (rule 2 of the module doc).
    buf: &'a mut [MaybeUninit<u8>],
    /// # Invariant
    /// `filled <= initialized` (rule 1).
    filled: usize,
    /// # Invariant
    /// `initialized <= buf.len()` and never decreases (rules 1 and 3).
    initialized: usize,
}

impl<'a> ReadBuf<'a> {
    /// Wraps a fully initialised buffer; nothing is filled yet.
    ///
    /// ```
    /// use weft_io::io::ReadBuf;
    ///
    /// let mut storage = [0u8; 4];
    /// let buf = ReadBuf::new(&mut storage);
    /// assert_eq!(buf.capacity(), 4);
    /// assert!(buf.filled().is_empty());
    /// assert_eq!(buf.initialized().len(), 4);
    /// ```
    pub fn new(buf: &'a mut [u8]) -> ReadBuf<'a> {
        let initialized = buf.len();
        // SAFETY: `MaybeUninit<u8>` has the same layout as `u8`, and viewing
        // initialised bytes as possibly-uninitialised is always sound. Writing
        // `MaybeUninit::uninit()` back through this view is what could hurt the
        // caller's `&mut [u8]`; the `ReadBuf` only ever writes initialised bytes into
        // `..initialized` (rule 2), and `unfilled_mut`'s contract forbids its caller
        // from de-initialising them.
        let buf = unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) };
        ReadBuf {
            buf,
            filled: 0,
            initialized,
        }
    }

    /// Wraps a buffer that may be uninitialised; nothing is filled or initialised.
    ///
    /// ```
    /// use std::mem::MaybeUninit;
    /// use weft_io::io::ReadBuf;
    ///
    /// let mut storage = [MaybeUninit::<u8>::uninit(); 16];
    /// let mut buf = ReadBuf::uninit(&mut storage);
    /// assert!(buf.initialized().is_empty());
    /// buf.put_slice(b"abc");
    /// assert_eq!(buf.filled(), b"abc");
    /// ```
    pub fn uninit(buf: &'a mut [MaybeUninit<u8>]) -> ReadBuf<'a> {
        ReadBuf {
            buf,
            filled: 0,
            initialized: 0,
        }
    }

    /// The total size of the buffer: filled, initialised and uninitialised parts.
    ///
    /// ```
    /// let mut storage = [0u8; 10];
    /// assert_eq!(weft_io::io::ReadBuf::new(&mut storage).capacity(), 10);
    /// ```
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// The bytes filled so far.
    ///
    /// ```
    /// let mut storage = [0u8; 10];
    /// let mut buf = weft_io::io::ReadBuf::new(&mut storage);
    /// buf.put_slice(b"xy");
    /// assert_eq!(buf.filled(), b"xy");
    /// ```
    pub fn filled(&self) -> &[u8] {
        let slice = &self.buf[..self.filled];
        // SAFETY: `filled <= initialized` (rule 1) and `..initialized` holds
        // initialised bytes (rule 2), so the slice is initialised `u8`s with the
        // layout of `MaybeUninit<u8>`.
        unsafe { &*(slice as *const [MaybeUninit<u8>] as *const [u8]) }
    }

    /// The bytes filled so far, mutably.
    ///
    /// ```
    /// let mut storage = [0u8; 10];
    /// let mut buf = weft_io::io::ReadBuf::new(&mut storage);
    /// buf.put_slice(b"xy");
    /// buf.filled_mut()[0] = b'X';
    /// assert_eq!(buf.filled(), b"Xy");
    /// ```
    pub fn filled_mut(&mut self) -> &mut [u8] {
        let slice = &mut self.buf[..self.filled];
        // SAFETY: as in `filled` (rules 1 and 2); a `&mut [u8]` can only store
        // initialised bytes, so rule 2 keeps holding.
        unsafe { &mut *(slice as *mut [MaybeUninit<u8>] as *mut [u8]) }
    }

    /// The initialised part of the buffer: filled bytes followed by initialised but
    /// unfilled ones.
    ///
    /// ```
    /// let mut storage = [7u8; 3];
    /// let buf = weft_io::io::ReadBuf::new(&mut storage);
    /// assert_eq!(buf.initialized(), &[7, 7, 7]);
    /// ```
    pub fn initialized(&self) -> &[u8] {
        let slice = &self.buf[..self.initialized];
        // SAFETY: `..initialized` holds initialised bytes (rule 2).
        unsafe { &*(slice as *const [MaybeUninit<u8>] as *const [u8]) }
    }

    /// A new `ReadBuf` over at most `n` bytes of this one's unfilled part.
    ///
    /// What the new buffer fills is *not* counted as filled here; add it with
    /// [`advance`](ReadBuf::advance) (after
    /// [`assume_init`](ReadBuf::assume_init) if the bytes were uninitialised) when
    /// you want to keep it. This is how a reader caps how much one call may read.
    ///
    /// ```
    /// let mut storage = [0u8; 10];
    /// let mut buf = weft_io::io::ReadBuf::new(&mut storage);
    /// let n = {
    ///     let mut part = buf.take(3);
    ///     part.put_slice(b"abc");
    ///     part.filled().len()
    /// };
    /// buf.advance(n);
    /// assert_eq!(buf.filled(), b"abc");
    /// ```
    pub fn take(&mut self, n: usize) -> ReadBuf<'_> {
        let max = n.min(self.remaining());
        let initialized = self.initialized - self.filled;
        let part = &mut self.buf[self.filled..self.filled + max];
        ReadBuf {
            buf: part,
            filled: 0,
            // Bytes already initialised here are initialised there too (rule 2 of
            // the parent covers the same memory), capped at the new length.
            initialized: initialized.min(max),
        }
    }

    /// Initialises the whole unfilled part (zeroing whatever is not yet initialised)
    /// and returns it.
    ///
    /// ```
    /// use std::mem::MaybeUninit;
    ///
    /// let mut storage = [MaybeUninit::<u8>::uninit(); 4];
    /// let mut buf = weft_io::io::ReadBuf::uninit(&mut storage);
    /// let space = buf.initialize_unfilled();
    /// space[..2].copy_from_slice(b"ok");
    /// buf.advance(2);
    /// assert_eq!(buf.filled(), b"ok");
    /// ```
    pub fn initialize_unfilled(&mut self) -> &mut [u8] {
        self.initialize_unfilled_to(self.remaining())
    }

    /// Initialises the first `n` bytes of the unfilled part and returns them.
    ///
    /// # Panics
    ///
    /// If `n` is more than [`remaining`](ReadBuf::remaining).
    ///
    /// ```
    /// let mut storage = [0u8; 8];
    /// let mut buf = weft_io::io::ReadBuf::new(&mut storage);
    /// assert_eq!(buf.initialize_unfilled_to(3).len(), 3);
    /// ```
    pub fn initialize_unfilled_to(&mut self, n: usize) -> &mut [u8] {
        assert!(
            n <= self.remaining(),
            "ReadBuf::initialize_unfilled_to({n}) asks for more than the {} bytes remaining",
            self.remaining()
        );
        let end = self.filled + n;
        if self.initialized < end {
            for byte in &mut self.buf[self.initialized..end] {
                byte.write(0);
            }
            // Bytes `..end` are now written: rule 2 holds for the larger count, and
            // rule 3 holds because `end > initialized`.
            self.initialized = end;
        }
        let slice = &mut self.buf[self.filled..end];
        // SAFETY: `end <= initialized` now, so the slice is initialised (rule 2).
        unsafe { &mut *(slice as *mut [MaybeUninit<u8>] as *mut [u8]) }
    }

    /// The unfilled part, possibly uninitialised.
    ///
    /// # Safety
    ///
    /// The caller must not de-initialise any byte of the returned slice that is
    /// already initialised (for instance by writing `MaybeUninit::uninit()` into it):
    /// the `ReadBuf` keeps treating those bytes as initialised, and the memory may
    /// belong to a `&mut [u8]` that must stay initialised.
    ///
    /// ```
    /// use std::mem::MaybeUninit;
    ///
    /// let mut storage = [MaybeUninit::<u8>::uninit(); 4];
    /// let mut buf = weft_io::io::ReadBuf::uninit(&mut storage);
    /// // SAFETY: we only write initialised bytes into the slice.
    /// unsafe {
    ///     let space = buf.unfilled_mut();
    ///     space[0].write(b'z');
    ///     buf.assume_init(1);
    /// }
    /// buf.advance(1);
    /// assert_eq!(buf.filled(), b"z");
    /// ```
    pub unsafe fn unfilled_mut(&mut self) -> &mut [MaybeUninit<u8>] {
        &mut self.buf[self.filled..]
    }

    /// How many more bytes can be filled.
    ///
    /// ```
    /// let mut storage = [0u8; 5];
    /// let mut buf = weft_io::io::ReadBuf::new(&mut storage);
    /// buf.put_slice(b"ab");
    /// assert_eq!(buf.remaining(), 3);
    /// ```
    pub fn remaining(&self) -> usize {
        self.capacity() - self.filled
    }

    /// Forgets what was filled (the bytes stay initialised).
    ///
    /// ```
    /// let mut storage = [0u8; 5];
    /// let mut buf = weft_io::io::ReadBuf::new(&mut storage);
    /// buf.put_slice(b"ab");
    /// buf.clear();
    /// assert!(buf.filled().is_empty());
    /// assert_eq!(buf.remaining(), 5);
    /// ```
    pub fn clear(&mut self) {
        self.filled = 0;
    }

    /// Counts `n` more bytes as filled, after the reader wrote them into the
    /// initialised unfilled part.
    ///
    /// # Panics
    ///
    /// If the filled part would then extend past the initialised part.
    ///
    /// ```
    /// let mut storage = [0u8; 5];
    /// let mut buf = weft_io::io::ReadBuf::new(&mut storage);
    /// buf.initialize_unfilled()[..3].copy_from_slice(b"abc");
    /// buf.advance(3);
    /// assert_eq!(buf.filled(), b"abc");
    /// ```
    pub fn advance(&mut self, n: usize) {
        let new = self
            .filled
            .checked_add(n)
            .expect("ReadBuf::advance overflowed usize");
        self.set_filled(new);
    }

    /// Sets how many bytes are filled. It can shrink the filled part as well as grow
    /// it.
    ///
    /// # Panics
    ///
    /// If `n` is more than the initialised length: only initialised bytes can count as
    /// filled. Call [`assume_init`](ReadBuf::assume_init) first after writing through
    /// [`unfilled_mut`](ReadBuf::unfilled_mut).
    ///
    /// ```
    /// let mut storage = [0u8; 5];
    /// let mut buf = weft_io::io::ReadBuf::new(&mut storage);
    /// buf.put_slice(b"abcd");
    /// buf.set_filled(2);
    /// assert_eq!(buf.filled(), b"ab");
    /// ```
    pub fn set_filled(&mut self, n: usize) {
        assert!(
            n <= self.initialized,
            "ReadBuf::set_filled({n}) is past the {} initialised bytes; call assume_init first",
            self.initialized
        );
        // Rule 1 holds: `n <= initialized`.
        self.filled = n;
    }

    /// Declares that the first `n` bytes of the unfilled part are initialised.
    ///
    /// It never lowers the initialised count (rule 3), so a smaller `n` than what is
    /// already initialised does nothing.
    ///
    /// # Safety
    ///
    /// The caller must have written the first `n` bytes after the filled part
    /// (through [`unfilled_mut`](ReadBuf::unfilled_mut), or because they already were
    /// initialised), and `n` must not exceed [`remaining`](ReadBuf::remaining).
    ///
    /// ```
    /// use std::mem::MaybeUninit;
    ///
    /// let mut storage = [MaybeUninit::<u8>::uninit(); 4];
    /// let mut buf = weft_io::io::ReadBuf::uninit(&mut storage);
    /// // SAFETY: both bytes are written before `assume_init(2)`.
    /// unsafe {
    ///     let space = buf.unfilled_mut();
    ///     space[0].write(1);
    ///     space[1].write(2);
    ///     buf.assume_init(2);
    /// }
    /// assert_eq!(buf.initialized(), &[1, 2]);
    /// ```
    pub unsafe fn assume_init(&mut self, n: usize) {
        let new = self.filled + n;
        if new > self.initialized {
            // The caller promised bytes `filled..filled + n` are written, and
            // `..filled` already were (rules 1 and 2), so `..new` is initialised.
            self.initialized = new;
        }
    }

    /// Copies `src` into the unfilled part and counts it as filled.
    ///
    /// # Panics
    ///
    /// If `src` is longer than [`remaining`](ReadBuf::remaining).
    ///
    /// ```
    /// let mut storage = [0u8; 4];
    /// let mut buf = weft_io::io::ReadBuf::new(&mut storage);
    /// buf.put_slice(b"ab");
    /// buf.put_slice(b"cd");
    /// assert_eq!(buf.filled(), b"abcd");
    /// ```
    pub fn put_slice(&mut self, src: &[u8]) {
        assert!(
            src.len() <= self.remaining(),
            "ReadBuf::put_slice of {} bytes into a buffer with {} remaining",
            src.len(),
            self.remaining()
        );
        let end = self.filled + src.len();
        for (dst, &byte) in self.buf[self.filled..end].iter_mut().zip(src) {
            dst.write(byte);
        }
        // Bytes `filled..end` were just written and `..filled` already were
        // (rule 2); `initialized` only grows (rule 3).
        if self.initialized < end {
            self.initialized = end;
        }
        self.filled = end;
    }
}

impl fmt::Debug for ReadBuf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadBuf")
            .field("filled", &self.filled)
            .field("initialized", &self.initialized)
            .field("capacity", &self.capacity())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_move_as_documented() {
        let mut storage = [MaybeUninit::<u8>::uninit(); 8];
        let mut buf = ReadBuf::uninit(&mut storage);
        assert_eq!((buf.filled().len(), buf.initialized().len()), (0, 0));
        buf.put_slice(b"ab");
        assert_eq!((buf.filled().len(), buf.initialized().len()), (2, 2));
        buf.initialize_unfilled_to(3);
        assert_eq!((buf.filled().len(), buf.initialized().len()), (2, 5));
        buf.clear();
        // Clearing keeps what was initialised (rule 3).
        assert_eq!((buf.filled().len(), buf.initialized().len()), (0, 5));
        buf.set_filled(5);
        assert_eq!(buf.filled(), &[b'a', b'b', 0, 0, 0]);
    }

    #[test]
    fn take_carries_initialised_bytes_and_caps_length() {
        let mut storage = [9u8; 6];
        let mut buf = ReadBuf::new(&mut storage);
        buf.put_slice(b"x");
        let part = buf.take(100);
        assert_eq!(part.capacity(), 5);
        assert_eq!(part.initialized(), &[9; 5]);
    }

    #[test]
    fn filled_mut_writes_through() {
        let mut storage = [0u8; 3];
        {
            let mut buf = ReadBuf::new(&mut storage);
            buf.put_slice(b"abc");
            buf.filled_mut().copy_from_slice(b"xyz");
        }
        assert_eq!(&storage, b"xyz");
    }

    #[test]
    fn assume_init_never_lowers() {
        let mut storage = [1u8; 4];
        let mut buf = ReadBuf::new(&mut storage);
        // SAFETY: every byte of a `ReadBuf::new` buffer is initialised.
        unsafe { buf.assume_init(1) };
        assert_eq!(buf.initialized().len(), 4);
    }

    #[test]
    #[should_panic(expected = "assume_init first")]
    fn set_filled_past_initialised_panics() {
        let mut storage = [MaybeUninit::<u8>::uninit(); 4];
        ReadBuf::uninit(&mut storage).set_filled(1);
    }

    #[test]
    #[should_panic(expected = "remaining")]
    fn put_slice_overflow_panics() {
        let mut storage = [0u8; 1];
        ReadBuf::new(&mut storage).put_slice(b"ab");
    }
}
