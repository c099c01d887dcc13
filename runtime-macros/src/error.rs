//! Compile errors with a span on the culprit.
//!
//! A proc macro reports an error by emitting `::core::compile_error!{"…"}`; rustc
//! underlines the span of that macro call. Stable Rust cannot join two spans, so to
//! cover a range of tokens (`start` to `end`) the call's first tokens carry `start`
//! and its braces carry `end`, and rustc underlines from one to the other.
//! Invariant: every error message names the attribute and says what to write instead.

use proc_macro::{Delimiter, Span};

use crate::tokens::Out;

/// One compile error: a message and the source range it points at.
pub(crate) struct Error {
    start: Span,
    end: Span,
    message: String,
}

impl Error {
    /// An error pointing at a single token.
    pub(crate) fn new(span: Span, message: impl Into<String>) -> Error {
        Error::spanning(span, span, message)
    }

    /// An error pointing from `start` to `end` (in the same file, `start` first).
    pub(crate) fn spanning(start: Span, end: Span, message: impl Into<String>) -> Error {
        Error {
            start,
            end,
            message: message.into(),
        }
    }

    /// Writes `::core::compile_error! { "message" }` spanned over this error's range.
    pub(crate) fn write(&self, out: &mut Out) {
        out.path("::core::compile_error", self.start)
            .punct('!', self.start)
            .group(Delimiter::Brace, self.end, |inner| {
                inner.string(&self.message, self.start);
            });
    }
}
