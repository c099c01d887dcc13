//! The multi-thread, work-stealing scheduler.
//!
//! Each worker thread owns a `Core`: a LIFO slot, a bounded local run queue
//! (`queue.rs`) and its parker. Tasks woken or spawned on a worker go to its LIFO slot
//! (the previous occupant moves to the back of the local queue), so a task that wakes
//! another runs it next while its data is still in cache; at most
//! `MAX_LIFO_POLLS` LIFO tasks run in a row so two tasks ping-ponging cannot starve
//! the queue. Tasks scheduled from outside go to the shared injection queue
//! (`../inject.rs`), which workers check every `global_queue_interval` ticks and
//! whenever their own queue is empty. A worker with nothing to do becomes a
//! *searcher* (at most half the workers at once, `idle.rs`) and steals half of a
//! random victim's queue; failing that it parks (`park.rs`): one parked worker
//! sleeps in the driver, the others on a condvar. Busy workers poll the driver
//! without blocking every `event_interval` ticks.
//!
//! Shutdown closes the injection queue and unparks every worker; each worker cancels
//! the tasks of the owner list, hands its core back, and the last core back drains
//! the queues.

mod idle;
#[cfg(test)]
mod loom_queue;
mod park;
pub(crate) mod queue;
mod worker;

pub(crate) use self::park::SharedDriver;
pub(crate) use self::worker::{Context, Handle, block_in_place, create};
