//! Streams: [`futures_core::Stream`] is the trait; [`StreamExt`] adds `next` and a
//! few adapters so `while let Some(x) = stream.next().await` works with no other
//! crate.
//!
//! ```
//! use weft::stream::StreamExt;
//!
//! # weft::run(async {
//! let mut s = weft::future::as_completed([async { 1 }]).map(|(_, x)| x * 10);
//! while let Some(x) = s.next().await {
//!     assert_eq!(x, 10);
//! }
//! # });
//! ```

mod adapters;
mod collect;
mod next;

pub use self::adapters::{Filter, Map, Take};
pub use self::collect::Collect;
pub use self::next::Next;
pub use futures_core::Stream;

/// Helpers for every [`Stream`]: `next`, `map`, `filter`, `take` and `collect`.
///
/// ```
/// use weft::stream::StreamExt;
///
/// # weft::run(async {
/// let evens: Vec<usize> = weft::future::as_completed((0..6).map(|i| async move { i }))
///     .map(|(_, i)| i)
///     .filter(|i| i % 2 == 0)
///     .take(2)
///     .collect()
///     .await;
/// assert_eq!(evens.len(), 2);
/// # });
/// ```
pub trait StreamExt: Stream {
    /// The next item, or `None` once the stream has ended. Cancel safe: dropping the
    /// future loses no item.
    ///
    /// ```
    /// use weft::stream::StreamExt;
    ///
    /// # weft::run(async {
    /// let mut s = weft::future::as_completed([async { "only" }]);
    /// assert_eq!(s.next().await, Some((0, "only")));
    /// assert_eq!(s.next().await, None);
    /// # });
    /// ```
    fn next(&mut self) -> Next<'_, Self>
    where
        Self: Unpin,
    {
        Next::new(self)
    }

    /// Maps each item with `f`.
    ///
    /// ```
    /// use weft::stream::StreamExt;
    ///
    /// # weft::run(async {
    /// let mut s = weft::future::as_completed([async { 2 }]).map(|(_, x)| x + 1);
    /// assert_eq!(s.next().await, Some(3));
    /// # });
    /// ```
    fn map<T, F>(self, f: F) -> Map<Self, F>
    where
        F: FnMut(Self::Item) -> T,
        Self: Sized,
    {
        Map::new(self, f)
    }

    /// Keeps only the items for which `predicate` returns true.
    ///
    /// ```
    /// use weft::stream::StreamExt;
    ///
    /// # weft::run(async {
    /// let odd: Vec<_> = weft::future::as_completed((0..4).map(|i| async move { i }))
    ///     .filter(|(_, i)| i % 2 == 1)
    ///     .collect()
    ///     .await;
    /// assert_eq!(odd.len(), 2);
    /// # });
    /// ```
    fn filter<F>(self, predicate: F) -> Filter<Self, F>
    where
        F: FnMut(&Self::Item) -> bool,
        Self: Sized,
    {
        Filter::new(self, predicate)
    }

    /// Ends the stream after at most `n` items.
    ///
    /// ```
    /// use weft::stream::StreamExt;
    ///
    /// # weft::run(async {
    /// let two: Vec<_> = weft::future::as_completed((0..5).map(|i| async move { i }))
    ///     .take(2)
    ///     .collect()
    ///     .await;
    /// assert_eq!(two.len(), 2);
    /// # });
    /// ```
    fn take(self, n: usize) -> Take<Self>
    where
        Self: Sized,
    {
        Take::new(self, n)
    }

    /// Collects every item into a collection, such as a `Vec`.
    ///
    /// ```
    /// use weft::stream::StreamExt;
    ///
    /// # weft::run(async {
    /// let all: Vec<(usize, char)> = weft::future::as_completed([async { 'x' }]).collect().await;
    /// assert_eq!(all, [(0, 'x')]);
    /// # });
    /// ```
    fn collect<C>(self) -> Collect<Self, C>
    where
        C: Default + Extend<Self::Item>,
        Self: Sized,
    {
        Collect::new(self)
    }
}

impl<S: Stream + ?Sized> StreamExt for S {}
