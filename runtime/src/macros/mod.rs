//! The declarative macros `join!`, `try_join!` and `select!` (exported at the crate
//! root), and the `support` items their expansions call.
//!
//! They are `macro_rules!`, not procedural macros: each keeps one local variable per
//! branch by recursing once per branch, so that every recursion's identifiers are
//! distinct by hygiene — no numbered names or generated enums are needed.

mod join;
mod select;
#[doc(hidden)]
pub mod support;
