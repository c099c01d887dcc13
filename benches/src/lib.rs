//! The runtime-agnostic half of weft's comparison benchmarks: argument parsing,
//! the sampling plan, the report, RSS probes, and two small synchronisation helpers
//! (a parking [`Gate`] and a blocking [`Counter`]) that the workloads share so that
//! every runtime is measured with the same scaffolding.
//!
//! The runtime-specific half (peers, workloads, the `main` of the bench) lives in
//! `benches/compare/`; it is built by `cargo bench -p weft-benches`.
//!
//! Architecture Invariant: nothing here knows tokio, smol or weft. Anything that would
//! cost a runtime time or memory inside a measurement is identical for all of them.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, unreachable_pub, missing_docs)]

mod args;
mod counter;
mod gate;
mod memory;
mod report;
mod stats;

pub use args::{ArgError, ChildRequest, Options};
pub use counter::Counter;
pub use gate::{Gate, Wait};
pub use memory::resident_bytes;
pub use report::{Report, Row, Unit, Verdict};
pub use stats::{Plan, Summary, measure};
