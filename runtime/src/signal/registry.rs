//! The process-wide half of signal handling: one `sigaction` handler per signal
//! number, a delivery counter per number, and the self-pipe the handler writes to.
//!
//! # Invariants
//!
//! 1. The handler does only async-signal-safe things: an atomic increment of the
//!    signal's generation, one non-blocking `write(2)` of one byte to the self-pipe,
//!    and saving/restoring `errno` around them. It never allocates or locks.
//! 2. A generation is incremented *before* the byte is written, so whoever reads the
//!    byte and then loads the generation sees the new value.
//! 3. `WRITE_FD` is set (and the pipe kept open for the life of the process) before
//!    any handler is installed, and never changes after: the handler may use it at
//!    any time.
//! 4. A handler, once installed for a number, stays installed for the life of the
//!    process (as in tokio): the default action (e.g. SIGINT terminating the
//!    process) no longer happens for that signal.

use std::io;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Signal numbers `1..SLOTS` can be listened for (Linux numbers go up to 64).
const SLOTS: usize = 65;

/// Deliveries per signal number, counted by the handler (invariants 1 and 2).
static GENERATIONS: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];

/// The self-pipe's write end, for the handler; -1 until the pipe exists (inv. 3).
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);

/// Both ends of the self-pipe, open for the life of the process.
struct SelfPipe {
    read: UnixStream,
    _write: UnixStream,
}

static PIPE: OnceLock<io::Result<SelfPipe>> = OnceLock::new();

/// Which numbers have a handler installed (bit `n`), under the lock that installs.
static INSTALLED: Mutex<u128> = Mutex::new(0);

/// Signals whose handling would hide a crash or cannot be caught at all.
const FORBIDDEN: [libc::c_int; 5] = [
    libc::SIGILL,
    libc::SIGFPE,
    libc::SIGKILL,
    libc::SIGSEGV,
    libc::SIGSTOP,
];

/// How many times `signum` has been delivered since the process started.
pub(crate) fn generation(signum: libc::c_int) -> usize {
    GENERATIONS[slot(signum)].load(Ordering::SeqCst)
}

fn slot(signum: libc::c_int) -> usize {
    usize::try_from(signum).expect("checked by `install`")
}

/// A new descriptor for the self-pipe's read end (non-blocking, close-on-exec).
pub(crate) fn reader() -> io::Result<UnixStream> {
    match PIPE.get_or_init(make_pipe) {
        Ok(pipe) => pipe.read.try_clone(),
        Err(err) => Err(io::Error::new(err.kind(), err.to_string())),
    }
}

fn make_pipe() -> io::Result<SelfPipe> {
    let (read, write) = UnixStream::pair()?;
    read.set_nonblocking(true)?;
    // A full pipe already holds a wake-up: the handler must never block on it.
    write.set_nonblocking(true)?;
    // Invariant 3: published before any handler can be installed.
    WRITE_FD.store(write.as_raw_fd(), Ordering::SeqCst);
    Ok(SelfPipe {
        read,
        _write: write,
    })
}

/// Makes sure `signum` has weft's handler (invariant 4: once per process).
pub(crate) fn install(signum: libc::c_int) -> io::Result<()> {
    if signum <= 0 || signum as usize >= SLOTS || FORBIDDEN.contains(&signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "weft cannot listen for signal {signum}: it is out of range or cannot be \
                 caught safely (SIGKILL, SIGSTOP, SIGILL, SIGFPE, SIGSEGV)"
            ),
        ));
    }
    // Invariant 3: the pipe exists before the handler does.
    reader().map(drop)?;
    let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    let bit = 1u128 << signum;
    if *installed & bit != 0 {
        return Ok(());
    }
    // SAFETY: `sigaction` is a plain C struct for which all-zero bytes are a valid
    // (empty) value.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // Interrupted system calls elsewhere in the process restart instead of failing.
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: `action.sa_mask` is a valid, writable `sigset_t`.
    unsafe { libc::sigemptyset(&mut action.sa_mask) };
    // SAFETY: `action` is fully initialised, its handler is async-signal-safe
    // (invariant 1), and a null old-action pointer is allowed.
    if unsafe { libc::sigaction(signum, &action, std::ptr::null_mut()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    *installed |= bit;
    Ok(())
}

/// The handler (invariant 1).
extern "C" fn on_signal(signum: libc::c_int) {
    let saved = errno::get();
    if let Some(generation) = usize::try_from(signum)
        .ok()
        .and_then(|i| GENERATIONS.get(i))
    {
        // Invariant 2: count first, then wake the reader.
        generation.fetch_add(1, Ordering::SeqCst);
    }
    let fd = WRITE_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: `fd` is the self-pipe's write end, open for the life of the process
        // (invariant 3); the buffer is one valid byte. A full pipe (EAGAIN) is fine:
        // a wake-up is already pending.
        let _ = unsafe { libc::write(fd, (&raw const byte).cast(), 1) };
    }
    errno::set(saved);
}

/// Saving and restoring `errno`, which the handler's `write` may clobber under the
/// feet of the code it interrupted.
mod errno {
    #[cfg(target_os = "linux")]
    fn location() -> *mut libc::c_int {
        // SAFETY: returns this thread's errno slot; always valid.
        unsafe { libc::__errno_location() }
    }

    #[cfg(target_os = "android")]
    fn location() -> *mut libc::c_int {
        // SAFETY: returns this thread's errno slot; always valid.
        unsafe { libc::__errno() }
    }

    #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
    fn location() -> *mut libc::c_int {
        // SAFETY: returns this thread's errno slot; always valid.
        unsafe { libc::__error() }
    }

    pub(super) fn get() -> libc::c_int {
        // SAFETY: `location` points to this thread's errno, valid for reads.
        unsafe { *location() }
    }

    pub(super) fn set(value: libc::c_int) {
        // SAFETY: `location` points to this thread's errno, valid for writes.
        unsafe { *location() = value }
    }
}
