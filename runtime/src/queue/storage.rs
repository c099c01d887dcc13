//! The storage disciplines a queue can use: first in first out, last in first out,
//! smallest first. The queue core is generic over them, so there is one core, not three.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt;

mod sealed {
    /// Keeps [`Storage`](super::Storage) closed to this crate's three disciplines.
    #[allow(unreachable_pub)] // the sealed-trait pattern: public, but unnameable outside
    pub trait Sealed {}
}

/// How a queue orders its items: [`Fifo`], [`Lifo`] or [`Priority`]. Sealed.
///
/// ```
/// fn takes_any_queue<T, S: weft::queue::Storage<T>>(q: &weft::queue::GenericQueue<T, S>) -> usize {
///     q.len()
/// }
/// assert_eq!(takes_any_queue(&weft::queue::LifoQueue::<u8>::new()), 0);
/// ```
pub trait Storage<T>: sealed::Sealed + Default + Send + 'static {
    /// Whether this is first in, first out (a bounded FIFO queue uses a lock-free ring).
    #[doc(hidden)]
    const FIFO: bool = false;
    /// Adds an item.
    #[doc(hidden)]
    fn push(&mut self, item: T);
    /// Removes the next item in this discipline's order.
    #[doc(hidden)]
    fn pop(&mut self) -> Option<T>;
    /// Puts back an item that was just taken out (a cancelled getter's), so that it is
    /// the next one out again.
    #[doc(hidden)]
    fn unpop(&mut self, item: T);
    /// How many items are stored.
    #[doc(hidden)]
    fn len(&self) -> usize;
    /// Whether nothing is stored.
    #[doc(hidden)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// First in, first out: the discipline of [`Queue`](super::Queue).
///
/// ```
/// let _q: weft::queue::GenericQueue<u8, weft::queue::Fifo<u8>> = weft::queue::Queue::new();
/// ```
pub struct Fifo<T>(VecDeque<T>);

/// Last in, first out: the discipline of [`LifoQueue`](super::LifoQueue).
///
/// ```
/// let _q: weft::queue::GenericQueue<u8, weft::queue::Lifo<u8>> = weft::queue::LifoQueue::new();
/// ```
pub struct Lifo<T>(Vec<T>);

/// Smallest first (a min-heap): the discipline of [`PriorityQueue`](super::PriorityQueue).
///
/// ```
/// let _q: weft::queue::GenericQueue<u8, weft::queue::Priority<u8>> =
///     weft::queue::PriorityQueue::new();
/// ```
pub struct Priority<T>(BinaryHeap<Reverse<T>>);

impl<T> sealed::Sealed for Fifo<T> {}
impl<T> sealed::Sealed for Lifo<T> {}
impl<T> sealed::Sealed for Priority<T> {}

impl<T> Default for Fifo<T> {
    fn default() -> Self {
        Self(VecDeque::new())
    }
}

impl<T> Default for Lifo<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: Ord> Default for Priority<T> {
    fn default() -> Self {
        Self(BinaryHeap::new())
    }
}

impl<T: Send + 'static> Storage<T> for Fifo<T> {
    const FIFO: bool = true;

    fn push(&mut self, item: T) {
        self.0.push_back(item);
    }

    fn pop(&mut self) -> Option<T> {
        self.0.pop_front()
    }

    fn unpop(&mut self, item: T) {
        self.0.push_front(item);
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T: Send + 'static> Storage<T> for Lifo<T> {
    fn push(&mut self, item: T) {
        self.0.push(item);
    }

    fn pop(&mut self) -> Option<T> {
        self.0.pop()
    }

    fn unpop(&mut self, item: T) {
        self.0.push(item);
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T: Ord + Send + 'static> Storage<T> for Priority<T> {
    fn push(&mut self, item: T) {
        self.0.push(Reverse(item));
    }

    fn pop(&mut self) -> Option<T> {
        self.0.pop().map(|Reverse(item)| item)
    }

    fn unpop(&mut self, item: T) {
        // It was the smallest when taken; the heap puts it back in its place.
        self.0.push(Reverse(item));
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

impl<T> fmt::Debug for Fifo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fifo").field("len", &self.0.len()).finish()
    }
}

impl<T> fmt::Debug for Lifo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lifo").field("len", &self.0.len()).finish()
    }
}

impl<T> fmt::Debug for Priority<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Priority")
            .field("len", &self.0.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain<S: Storage<u32>>(mut s: S, items: &[u32]) -> Vec<u32> {
        for &i in items {
            s.push(i);
        }
        let first = s.pop().unwrap();
        s.unpop(first);
        std::iter::from_fn(|| s.pop()).collect()
    }

    #[test]
    fn each_discipline_orders_its_way() {
        let items = [3, 1, 2];
        assert_eq!(drain(Fifo::default(), &items), [3, 1, 2]);
        assert_eq!(drain(Lifo::default(), &items), [2, 1, 3]);
        assert_eq!(drain(Priority::default(), &items), [1, 2, 3]);
    }
}
