//! asyncio-style queues: [`Queue`] (FIFO), [`PriorityQueue`] (smallest first) and
//! [`LifoQueue`] (stack), with `task_done`/`join` and `close`.
//!
//! All three are one core ([`GenericQueue`], in `core`) over three storage
//! disciplines (`storage`); a bounded FIFO queue keeps its items in a lock-free ring
//! (`ring`). Handles are cloneable and shared by any number of producers and
//! consumers, tasks and plain threads alike.
//!
//! ```
//! # fn block_on<F: std::future::Future>(f: F) -> F::Output {
//! #     weft::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
//! # }
//! use weft::queue::Queue;
//!
//! let q = Queue::bounded(2);
//! block_on(async {
//!     q.put("a").await.unwrap();
//!     q.put("b").await.unwrap();
//!     assert!(q.is_full());
//!     assert_eq!(q.get().await, Ok("a"));
//!     q.task_done().unwrap();
//! });
//! ```

mod core;
mod error;
mod ring;
mod storage;

pub use self::core::{GenericQueue, Get, Join, Put};
pub use error::{GetError, PutError, TaskDoneError, TryGetError, TryPutError};
pub use storage::{Fifo, Lifo, Priority, Storage};

/// A first-in first-out queue (asyncio.Queue).
///
/// ```
/// let q = weft::queue::Queue::new();
/// q.try_put(1).unwrap();
/// q.try_put(2).unwrap();
/// assert_eq!(q.try_get(), Ok(1));
/// ```
pub type Queue<T> = GenericQueue<T, Fifo<T>>;

/// A queue that hands out the smallest item first (asyncio.PriorityQueue).
///
/// ```
/// let q = weft::queue::PriorityQueue::new();
/// q.try_put(5).unwrap();
/// q.try_put(2).unwrap();
/// assert_eq!(q.try_get(), Ok(2));
/// ```
pub type PriorityQueue<T> = GenericQueue<T, Priority<T>>;

/// A last-in first-out queue (asyncio.LifoQueue).
///
/// ```
/// let q = weft::queue::LifoQueue::new();
/// q.try_put(1).unwrap();
/// q.try_put(2).unwrap();
/// assert_eq!(q.try_get(), Ok(2));
/// ```
pub type LifoQueue<T> = GenericQueue<T, Lifo<T>>;

/// Compile-time proof that queues and their futures cross threads.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    const fn send<T: Send>() {}
    send_sync::<Queue<u8>>();
    send_sync::<PriorityQueue<u8>>();
    send_sync::<LifoQueue<u8>>();
    send::<Put<'static, u8, Fifo<u8>>>();
    send::<Get<'static, u8, Fifo<u8>>>();
    send::<Join<'static, u8, Fifo<u8>>>();
};
