//! Stopping servers: a server loop runs each await "unless stopped", so setting one
//! [`Event`] makes every loop that watches it return at its next await point.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

use weft::sync::Event;

/// Runs `fut` to completion unless `stop` is set first; `None` means it was stopped
/// (and `fut` was dropped, which is how the accept or read it was doing is cancelled).
///
/// ```
/// use weft::sync::Event;
/// use weft_examples::stop::unless_stopped;
///
/// weft::run(async {
///     let stop = Event::new();
///     assert_eq!(unless_stopped(async { 7 }, &stop).await, Some(7));
///     stop.set();
///     assert_eq!(unless_stopped(std::future::pending::<()>(), &stop).await, None);
/// });
/// ```
pub async fn unless_stopped<F: Future>(fut: F, stop: &Event) -> Option<F::Output> {
    let mut fut = pin!(fut);
    let mut stopped = pin!(stop.wait());
    poll_fn(|cx| {
        // The stop signal is checked first, so a set event wins over a ready future.
        if stopped.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        fut.as_mut().poll(cx).map(Some)
    })
    .await
}
