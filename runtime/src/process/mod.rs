//! Child processes (asyncio's `create_subprocess_exec`): [`Command`] starts one,
//! [`Child`] waits for it and kills it, its pipes are `AsyncRead`/`AsyncWrite`.
//!
//! Exit statuses are collected on `SIGCHLD` (see `child.rs` for why not a pidfd),
//! never by blocking a thread in `waitpid`, and a child dropped unreaped is reaped
//! in the background (`reaper.rs`), so weft leaves no zombies.
//!
//! ```
//! use weft::process::Command;
//! # weft::run(async {
//! let out = Command::new("echo").arg("hello").output().await?;
//! assert_eq!(out.stdout, b"hello\n");
//! # Ok::<(), std::io::Error>(())
//! # }).unwrap();
//! ```

mod child;
mod command;
mod pipes;
mod reaper;

pub use self::child::Child;
pub use self::command::Command;
pub use self::pipes::{ChildStderr, ChildStdin, ChildStdout};
pub use std::process::{ExitStatus, Output, Stdio};
