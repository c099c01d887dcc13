//! [`ReadBuf`]: a caller-owned buffer that may start uninitialised, filled by reads.
//!
//! # Invariant
//!
//! `filled <= initialized <= buf.len()`: bytes `..filled` hold data read so far,
//! bytes `..initialized` have been written at least once (so they may be handed out
//! as `&mut [u8]`), and the rest may be uninitialised. Every `unsafe` block here
//! relies on this invariant, and every method keeps it.

use std::fmt;
use std::mem::MaybeUninit;

/// A buffer a read fills, tracking how much is filled and how much is initialised.
///
/// ```
/// use weft_io::io::ReadBuf;
///
/// let mut storage = [0u8; 8];
/// let mut buf = ReadBuf::new(&mut storage);
/// buf.put_slice(b"abc");
/// assert_eq!(buf.filled(), b"abc");
/// assert_eq!(buf.remaining(), 5);
/// ```
pub struct ReadBuf<'a> {
    buf: &'a mut [MaybeUninit<u8>],
    filled: usize,
    initialized: usize,
}

impl<'a> ReadBuf<'a> {
    /// Wraps a fully initialised buffer; nothing is filled yet.
    ///
    /// ```
    /// let mut storage = [0u8; 4];
    /// assert_eq!(weft_io::io::ReadBuf::new(&mut storage).capacity(), 4);
    /// ```
    pub fn new(buf: &'a mut [u8]) -> ReadBuf<'a> {
        let initialized = buf.len();
        // SAFETY: `MaybeUninit<u8>` has the layout of `u8`, and the slice is only
        // ever written with initialised bytes, so the caller's `[u8]` stays valid.
        let buf = unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) };
        ReadBuf {
            buf,
            filled: 0,
            initialized,
        }
    }

    /// Wraps a possibly uninitialised buffer; nothing is filled or initialised yet.
    ///
    /// ```
    /// use std::mem::MaybeUninit;
    /// let mut storage = [MaybeUninit::<u8>::uninit(); 4];
    /// let mut buf = weft_io::io::ReadBuf::uninit(&mut storage);
    /// buf.put_slice(b"ok");
    /// assert_eq!(buf.filled(), b"ok");
    /// ```
    pub fn uninit(buf: &'a mut [MaybeUninit<u8>]) -> ReadBuf<'a> {
        ReadBuf {
            buf,
            filled: 0,
            initialized: 0,
        }
    }

    /// The whole buffer's length.
    ///
    /// ```
    /// let mut s = [0u8; 3];
    /// assert_eq!(weft_io::io::ReadBuf::new(&mut s).capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// The bytes filled so far.
    ///
    /// ```
    /// let mut s = [0u8; 3];
    /// let mut b = weft_io::io::ReadBuf::new(&mut s);
    /// b.put_slice(b"x");
    /// assert_eq!(b.filled(), b"x");
    /// ```
    pub fn filled(&self) -> &[u8] {
        // SAFETY: `..filled` is initialised (type invariant).
        unsafe { slice_assume_init(&self.buf[..self.filled]) }
    }

    /// The bytes filled so far, mutably.
    ///
    /// ```
    /// let mut s = [0u8; 3];
    /// let mut b = weft_io::io::ReadBuf::new(&mut s);
    /// b.put_slice(b"x");
    /// b.filled_mut()[0] = b'y';
    /// assert_eq!(b.filled(), b"y");
    /// ```
    pub fn filled_mut(&mut self) -> &mut [u8] {
        // SAFETY: `..filled` is initialised (type invariant).
        unsafe { slice_assume_init_mut(&mut self.buf[..self.filled]) }
    }

    /// How many bytes can still be filled.
    ///
    /// ```
    /// let mut s = [0u8; 3];
    /// assert_eq!(weft_io::io::ReadBuf::new(&mut s).remaining(), 3);
    /// ```
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.filled
    }

    /// Forgets what was filled (initialisation is kept).
    ///
    /// ```
    /// let mut s = [0u8; 3];
    /// let mut b = weft_io::io::ReadBuf::new(&mut s);
    /// b.put_slice(b"ab");
    /// b.clear();
    /// assert!(b.filled().is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.filled = 0;
    }

    /// Appends `data` to the filled part.
    ///
    /// # Panics
    ///
    /// If `data` is longer than [`ReadBuf::remaining`].
    ///
    /// ```
    /// let mut s = [0u8; 3];
    /// let mut b = weft_io::io::ReadBuf::new(&mut s);
    /// b.put_slice(b"abc");
    /// assert_eq!(b.remaining(), 0);
    /// ```
    pub fn put_slice(&mut self, data: &[u8]) {
        assert!(
            data.len() <= self.remaining(),
            "ReadBuf::put_slice: {} bytes do not fit in the {} remaining",
            data.len(),
            self.remaining()
        );
        let end = self.filled + data.len();
        for (dst, src) in self.buf[self.filled..end].iter_mut().zip(data) {
            dst.write(*src);
        }
        self.filled = end;
        self.initialized = self.initialized.max(end);
    }

    /// Marks `n` more bytes as filled; they must already be initialised.
    ///
    /// # Panics
    ///
    /// If that would fill past the initialised part.
    ///
    /// ```
    /// let mut s = [7u8; 3];
    /// let mut b = weft_io::io::ReadBuf::new(&mut s);
    /// b.advance(2);
    /// assert_eq!(b.filled(), &[7, 7]);
    /// ```
    pub fn advance(&mut self, n: usize) {
        let end = self
            .filled
            .checked_add(n)
            .expect("ReadBuf::advance overflow");
        self.set_filled(end);
    }

    /// Sets the filled length; it must not exceed the initialised part.
    ///
    /// # Panics
    ///
    /// If `n` is past the initialised part.
    ///
    /// ```
    /// let mut s = [1u8; 3];
    /// let mut b = weft_io::io::ReadBuf::new(&mut s);
    /// b.set_filled(3);
    /// b.set_filled(1);
    /// assert_eq!(b.filled(), &[1]);
    /// ```
    pub fn set_filled(&mut self, n: usize) {
        assert!(
            n <= self.initialized,
            "ReadBuf: cannot fill {n} bytes when only {} are initialised",
            self.initialized
        );
        self.filled = n;
    }

    /// Records that `n` bytes past the filled part are initialised.
    ///
    /// # Safety
    ///
    /// The caller must have written bytes `filled..filled + n` of this buffer.
    ///
    /// ```
    /// use std::mem::MaybeUninit;
    /// let mut s = [MaybeUninit::<u8>::uninit(); 2];
    /// let mut b = weft_io::io::ReadBuf::uninit(&mut s);
    /// // SAFETY: both bytes are written just before.
    /// unsafe {
    ///     b.unfilled_mut()[0].write(1);
    ///     b.unfilled_mut()[1].write(2);
    ///     b.assume_init(2);
    /// }
    /// b.advance(2);
    /// assert_eq!(b.filled(), &[1, 2]);
    /// ```
    pub unsafe fn assume_init(&mut self, n: usize) {
        self.initialized = self.initialized.max(self.filled + n);
    }

    /// The unfilled part, possibly uninitialised.
    ///
    /// # Safety
    ///
    /// The caller must not write uninitialised bytes into it (de-initialising bytes
    /// that [`ReadBuf::assume_init`] or the constructor recorded as initialised).
    ///
    /// ```
    /// let mut s = [0u8; 2];
    /// let mut b = weft_io::io::ReadBuf::new(&mut s);
    /// // SAFETY: nothing is written.
    /// assert_eq!(unsafe { b.unfilled_mut() }.len(), 2);
    /// ```
    pub unsafe fn unfilled_mut(&mut self) -> &mut [MaybeUninit<u8>] {
        &mut self.buf[self.filled..]
    }

    /// Zeroes the uninitialised tail and returns the whole unfilled part.
    ///
    /// ```
    /// use std::mem::MaybeUninit;
    /// let mut s = [MaybeUninit::<u8>::uninit(); 2];
    /// let mut b = weft_io::io::ReadBuf::uninit(&mut s);
    /// let unfilled = b.initialize_unfilled();
    /// unfilled[0] = 9;
    /// b.advance(1);
    /// assert_eq!(b.filled(), &[9]);
    /// ```
    pub fn initialize_unfilled(&mut self) -> &mut [u8] {
        for byte in &mut self.buf[self.initialized..] {
            byte.write(0);
        }
        self.initialized = self.buf.len();
        // SAFETY: every byte up to `buf.len()` was just initialised or already was.
        unsafe { slice_assume_init_mut(&mut self.buf[self.filled..]) }
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

/// # Safety
///
/// Every byte of `s` must be initialised.
unsafe fn slice_assume_init(s: &[MaybeUninit<u8>]) -> &[u8] {
    // SAFETY: same layout; the caller promises every byte is initialised.
    unsafe { &*(s as *const [MaybeUninit<u8>] as *const [u8]) }
}

/// # Safety
///
/// Every byte of `s` must be initialised.
unsafe fn slice_assume_init_mut(s: &mut [MaybeUninit<u8>]) -> &mut [u8] {
    // SAFETY: same layout; the caller promises every byte is initialised, and only
    // initialised bytes can be written through a `&mut [u8]`.
    unsafe { &mut *(s as *mut [MaybeUninit<u8>] as *mut [u8]) }
}
