//! The library half of the weft examples: each server and client lives here, so the
//! example binaries (`src/bin/`) are thin command-line wrappers and the `demo` binary
//! can run them all in one process.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, unreachable_pub, missing_docs)]

pub mod chat;
pub mod cli;
pub mod echo;
pub mod http;
pub mod hyper_rt;
pub mod hyper_server;
pub mod load;
pub mod portscan;
pub mod proxy;
pub mod stop;
pub mod tour;
pub mod udp_echo;
