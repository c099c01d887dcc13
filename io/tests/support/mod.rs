//! The one small executor the `weft-io` integration tests share (the runtime lives
//! in another crate): `block_on` parks a reactor while its future is pending,
//! `join2`/`join_all` run futures concurrently inside it, `DriverThread` runs a
//! reactor on its own thread, and a few read/write helpers stand in for the `…Ext`
//! traits.
#![allow(dead_code)] // each test binary uses a different subset

use std::future::{Future, poll_fn};
use std::io;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;

use weft_io::io::{AsyncRead, AsyncWrite, ReadBuf};
use weft_io::reactor::{Driver, Handle};

/// Wakes whichever way the executor sleeps: unparks a reactor or a thread.
struct Signal {
    woken: AtomicBool,
    driver: Option<Handle>,
    thread: thread::Thread,
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        match &self.driver {
            Some(handle) => handle.unpark(),
            None => self.thread.unpark(),
        }
    }
}

/// Runs `fut` to completion on a fresh reactor entered on this thread, parking the
/// reactor whenever the future is pending.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut driver = Driver::new().expect("create reactor");
    let handle = driver.handle();
    let _enter = handle.enter();
    run(fut, Some(handle), |()| {
        driver.park(None).expect("park reactor");
    })
}

/// Runs `fut` on this thread, sleeping in `thread::park` while it is pending; the
/// reactor must be driven elsewhere (see [`DriverThread`]).
pub fn block_on_parked<F: Future>(fut: F) -> F::Output {
    run(fut, None, |()| thread::park())
}

fn run<F: Future>(fut: F, driver: Option<Handle>, mut sleep: impl FnMut(())) -> F::Output {
    let signal = Arc::new(Signal {
        woken: AtomicBool::new(true),
        driver,
        thread: thread::current(),
    });
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if signal.woken.swap(false, Ordering::AcqRel) {
            if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
                return out;
            }
        } else {
            sleep(());
        }
    }
}

/// A reactor parked in a loop on its own thread until this is dropped.
pub struct DriverThread {
    handle: Handle,
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl DriverThread {
    pub fn spawn() -> DriverThread {
        let mut driver = Driver::new().expect("create reactor");
        let handle = driver.handle();
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = stop.clone();
            thread::spawn(move || {
                while !stop.load(Ordering::Acquire) {
                    driver.park(None).expect("park reactor");
                }
            })
        };
        DriverThread {
            handle,
            stop,
            thread: Some(thread),
        }
    }

    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }
}

impl Drop for DriverThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        self.handle.unpark();
        if let Some(thread) = self.thread.take() {
            thread.join().expect("reactor thread panicked");
        }
    }
}

/// Runs two futures concurrently; returns both outputs.
pub async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut out_a, mut out_b) = (None, None);
    poll_fn(|cx| {
        if out_a.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                out_a = Some(v);
            }
        }
        if out_b.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                out_b = Some(v);
            }
        }
        if out_a.is_some() && out_b.is_some() {
            Poll::Ready((out_a.take().unwrap(), out_b.take().unwrap()))
        } else {
            Poll::Pending
        }
    })
    .await
}

/// Runs every future concurrently; returns the outputs in input order.
pub async fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    let mut left = futures.len();
    poll_fn(|cx| {
        for (fut, out) in futures.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                if let Poll::Ready(v) = fut.as_mut().poll(cx) {
                    *out = Some(v);
                    left -= 1;
                }
            }
        }
        if left == 0 {
            Poll::Ready(outputs.iter_mut().map(|o| o.take().unwrap()).collect())
        } else {
            Poll::Pending
        }
    })
    .await
}

/// Reads once; `Ok(0)` is end of stream.
pub async fn read<R: AsyncRead + Unpin>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    poll_fn(|cx| {
        let mut rb = ReadBuf::new(buf);
        match Pin::new(&mut *reader).poll_read(cx, &mut rb) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(rb.filled().len())),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// Reads exactly `buf.len()` bytes, failing with `UnexpectedEof` if the stream ends.
pub async fn read_exact<R: AsyncRead + Unpin>(reader: &mut R, buf: &mut [u8]) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        match read(reader, &mut buf[done..]).await? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => done += n,
        }
    }
    Ok(())
}

/// Reads until end of stream.
pub async fn read_to_end<R: AsyncRead + Unpin>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut chunk = vec![0; 64 * 1024];
    loop {
        match read(reader, &mut chunk).await? {
            0 => return Ok(out),
            n => out.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Writes all of `buf`.
pub async fn write_all<W: AsyncWrite + Unpin>(writer: &mut W, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        let n = poll_fn(|cx| Pin::new(&mut *writer).poll_write(cx, buf)).await?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        buf = &buf[n..];
    }
    Ok(())
}

/// Shuts the write direction down.
pub async fn shutdown<W: AsyncWrite + Unpin>(writer: &mut W) -> io::Result<()> {
    poll_fn(|cx| Pin::new(&mut *writer).poll_shutdown(cx)).await
}

/// How many descriptors this process has open.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("read /proc/self/fd")
        .count()
}

/// Deterministic test data.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}
