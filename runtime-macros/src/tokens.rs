//! A small builder for output token streams.
//!
//! The crate writes its expansion by hand instead of with `quote`, so every token it
//! emits goes through [`Out`], which makes the span of each token explicit at the call
//! site. Invariant: `Out` never invents a span; the caller chooses one for every token,
//! which is how errors in generated code end up pointing at the user's code.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// Collects token trees in order and turns them into a [`TokenStream`].
#[derive(Default)]
pub(crate) struct Out {
    tokens: Vec<TokenTree>,
}

impl Out {
    /// An empty builder.
    pub(crate) fn new() -> Out {
        Out::default()
    }

    /// Appends the identifier (or keyword) `name`.
    pub(crate) fn ident(&mut self, name: &str, span: Span) -> &mut Out {
        self.push(Ident::new(name, span))
    }

    /// Appends a single punctuation character that does not join the next one.
    pub(crate) fn punct(&mut self, ch: char, span: Span) -> &mut Out {
        self.push_punct(ch, Spacing::Alone, span)
    }

    /// Appends `::`, the path separator.
    pub(crate) fn path_sep(&mut self, span: Span) -> &mut Out {
        self.push_punct(':', Spacing::Joint, span);
        self.push_punct(':', Spacing::Alone, span)
    }

    /// Appends a path written as `a::b::c` (a leading `::` is kept), every segment
    /// carrying `span`.
    pub(crate) fn path(&mut self, path: &str, span: Span) -> &mut Out {
        for (i, segment) in path.split("::").enumerate() {
            if i > 0 {
                self.path_sep(span);
            }
            if !segment.is_empty() {
                self.ident(segment, span);
            }
        }
        self
    }

    /// Appends a string literal holding `value`.
    pub(crate) fn string(&mut self, value: &str, span: Span) -> &mut Out {
        let mut literal = Literal::string(value);
        literal.set_span(span);
        self.push(literal)
    }

    /// Appends a group delimited by `delimiter` whose contents `fill` writes.
    pub(crate) fn group(
        &mut self,
        delimiter: Delimiter,
        span: Span,
        fill: impl FnOnce(&mut Out),
    ) -> &mut Out {
        let mut inner = Out::new();
        fill(&mut inner);
        let mut group = Group::new(delimiter, inner.finish());
        group.set_span(span);
        self.push(group)
    }

    /// Appends `#[name(args)]`-style outer attribute whose bracketed part `fill` writes.
    pub(crate) fn attribute(&mut self, span: Span, fill: impl FnOnce(&mut Out)) -> &mut Out {
        self.punct('#', span);
        self.group(Delimiter::Bracket, span, fill)
    }

    /// Appends one existing token tree unchanged.
    pub(crate) fn push(&mut self, token: impl Into<TokenTree>) -> &mut Out {
        self.tokens.push(token.into());
        self
    }

    /// Appends existing tokens unchanged.
    pub(crate) fn extend(&mut self, tokens: impl IntoIterator<Item = TokenTree>) -> &mut Out {
        self.tokens.extend(tokens);
        self
    }

    /// The collected tokens.
    pub(crate) fn finish(self) -> TokenStream {
        self.tokens.into_iter().collect()
    }

    fn push_punct(&mut self, ch: char, spacing: Spacing, span: Span) -> &mut Out {
        let mut punct = Punct::new(ch, spacing);
        punct.set_span(span);
        self.push(punct)
    }
}

/// Whether `token` is the punctuation character `ch`.
pub(crate) fn is_punct(token: &TokenTree, ch: char) -> bool {
    matches!(token, TokenTree::Punct(p) if p.as_char() == ch)
}

/// Whether `token` is the identifier or keyword `name`.
pub(crate) fn is_ident(token: &TokenTree, name: &str) -> bool {
    matches!(token, TokenTree::Ident(i) if i.to_string() == name)
}

/// Looks through the invisible groups that `macro_rules!` wraps around `$x:expr`-style
/// fragments, so `#[weft::test(worker_threads = $n)]` inside a macro still parses.
pub(crate) fn unwrap_invisible(token: TokenTree) -> TokenTree {
    match token {
        TokenTree::Group(group) if group.delimiter() == Delimiter::None => {
            let mut inner = group.stream().into_iter();
            match (inner.next(), inner.next()) {
                (Some(only), None) => unwrap_invisible(only),
                _ => TokenTree::Group(group),
            }
        }
        other => other,
    }
}
