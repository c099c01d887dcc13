//! The `#[weft::main]` and `#[weft::test]` attributes.
//!
//! Use them through the `weft` crate (`#[weft::main]`, `#[weft::test]`); this crate is
//! an implementation detail and its expansion names the runtime as `::weft` unless
//! told otherwise with `crate = "…"`.
//!
//! The parser is written by hand on [`proc_macro::TokenStream`] rather than with
//! `syn`/`quote`: it only needs a function's outline and `key = value` pairs, and
//! skipping those crates keeps a clean build of every weft user fast.
//!
//! Map: `options` parses the arguments, `func` the function's outline, `expand`
//! writes the output, `error` turns mistakes into spanned `compile_error!`s, and
//! `tokens` is the token builder they share.
//!
//! The examples below are not run here, because `weft` is not a dependency of this
//! crate; the runnable versions live on the re-exports `weft::main` and `weft::test`.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, unreachable_pub, missing_docs)]

mod error;
mod expand;
mod func;
mod options;
mod tokens;

use proc_macro::TokenStream;

use crate::options::Kind;

/// Runs an `async fn main` on a weft runtime.
///
/// The body becomes a future that a freshly built runtime blocks on; the function
/// keeps its name, return type (so `-> Result<(), E>` works), visibility and other
/// attributes. By default the runtime is multi-threaded with one worker per core.
///
/// ```ignore
/// #[weft::main]
/// async fn main() {
///     let answer = weft::spawn(async { 6 * 7 }).await.unwrap();
///     println!("{answer}");
/// }
/// ```
///
/// is roughly
///
/// ```ignore
/// fn main() {
///     let body = async move {
///         let answer = weft::spawn(async { 6 * 7 }).await.unwrap();
///         println!("{answer}");
///     };
///     let runtime = weft::runtime::Builder::new_multi_thread().build().expect("…");
///     runtime.block_on(body)
/// }
/// ```
///
/// # Options
///
/// Each option is a call on `weft::runtime::Builder`:
///
/// | option | value | effect |
/// |---|---|---|
/// | `flavor` | `"multi_thread"` (default) or `"current_thread"` | `Builder::new_multi_thread()` / `new_current_thread()` |
/// | `worker_threads` | integer ≥ 1 | `.worker_threads(n)`; only with `"multi_thread"` |
/// | `max_blocking_threads` | integer ≥ 1 | `.max_blocking_threads(n)` |
/// | `thread_name` | string | `.thread_name(name)` |
/// | `thread_stack_size` | integer ≥ 1 | `.thread_stack_size(bytes)` |
/// | `global_queue_interval` | integer ≥ 1 | `.global_queue_interval(ticks)` |
/// | `event_interval` | integer ≥ 1 | `.event_interval(ticks)` |
/// | `unhandled_panic` | `"ignore"` or `"shutdown_runtime"` | `.unhandled_panic(UnhandledPanic::…)` |
/// | `start_paused` | `true` or `false` | `.start_paused(b)`: start with the test clock paused |
/// | `crate` | a path in a string | where the runtime lives, instead of `::weft` |
///
/// ```ignore
/// #[weft::main(flavor = "multi_thread", worker_threads = 2, thread_name = "app")]
/// async fn main() -> Result<(), std::io::Error> {
///     weft::spawn(async { println!("on a worker") }).await.unwrap();
///     Ok(())
/// }
/// ```
///
/// `crate = "…"` helps when `weft` is renamed in `Cargo.toml` or re-exported by
/// another crate:
///
/// ```ignore
/// #[weft::main(crate = "my_framework::weft")]
/// async fn main() {}
/// ```
///
/// # Errors at compile time
///
/// A function that is not `async`, takes arguments or is generic, an unknown or
/// repeated option, a value of the wrong type, and `worker_threads` with the
/// `"current_thread"` flavour are compile errors pointing at the culprit.
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Main, args, item)
}

/// Runs an `async fn` test on its own weft runtime.
///
/// Like [`macro@main`], and the function is also marked `#[test]` (do not add one
/// yourself). Each test gets a fresh runtime, by default a current-thread one, so a
/// test sees the same scheduling every run; ask for `flavor = "multi_thread"` to test
/// with several workers. `#[should_panic]`, `#[ignore]` and a `Result` return type
/// work as with plain tests. The options are the same as for [`macro@main`].
///
/// ```ignore
/// #[weft::test]
/// async fn spawned_task_returns_its_output() {
///     let handle = weft::spawn(async { 1 + 1 });
///     assert_eq!(handle.await.unwrap(), 2);
/// }
///
/// #[weft::test(flavor = "multi_thread", worker_threads = 2)]
/// async fn runs_on_two_workers() -> Result<(), weft::task::JoinError> {
///     let sum = weft::spawn(async { 40 }).await? + weft::spawn(async { 2 }).await?;
///     assert_eq!(sum, 42);
///     Ok(())
/// }
///
/// #[weft::test(start_paused = true)]
/// async fn with_the_clock_paused() {
///     // weft::time::sleep returns as soon as the runtime is idle.
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(Kind::Test, args, item)
}
