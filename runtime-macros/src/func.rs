//! The annotated function, split into the pieces the expansion needs.
//!
//! The parser only understands a function's outline: outer attributes, visibility,
//! qualifiers (`async`, `const`, `unsafe`, `extern "…"`), `fn`, name, generics,
//! parameters, return type, `where` clause and body. It never looks inside types or
//! the body; those are kept as the user's own tokens so their spans survive.
//! Invariant: a [`Func`] keeps every token it was given, with its span, except the
//! ones the expansion replaces (`async`, rejected qualifiers, a duplicate `#[test]`);
//! the body's inner attributes are kept twice, inside `body` and as outer attributes
//! in `inner_attrs`, so the expansion can use whichever form fits where it puts them.

use proc_macro::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};

use crate::error::Error;
use crate::options::Kind;
use crate::tokens::{is_ident, is_punct};

/// One outer attribute, `#[…]`.
pub(crate) struct Attribute {
    /// The `#` and the bracketed group.
    pub(crate) tokens: [TokenTree; 2],
}

impl Attribute {
    /// Whether this is a bare `#[test]`, which `#[weft::test]` already adds.
    fn is_test(&self) -> bool {
        let TokenTree::Group(group) = &self.tokens[1] else {
            return false;
        };
        let inner: Vec<TokenTree> = group.stream().into_iter().collect();
        matches!(inner.as_slice(), [only] if is_ident(only, "test"))
    }
}

/// A function's outline.
pub(crate) struct Func {
    /// Outer attributes other than a duplicate `#[test]`.
    pub(crate) attrs: Vec<Attribute>,
    /// `pub`, `pub(crate)`… or nothing.
    pub(crate) vis: Vec<TokenTree>,
    /// The `async` keyword, if present.
    pub(crate) asyncness: Option<Ident>,
    /// The `fn` keyword.
    pub(crate) fn_token: Ident,
    /// The function's name.
    pub(crate) name: Ident,
    /// `<…>` including the angle brackets, or empty.
    pub(crate) generics: Vec<TokenTree>,
    /// The parenthesised parameter list.
    pub(crate) params: Group,
    /// `-> Type` including the arrow, or empty.
    pub(crate) output: Vec<TokenTree>,
    /// `where …`, or empty.
    pub(crate) where_clause: Vec<TokenTree>,
    /// The body, a brace-delimited group.
    pub(crate) body: Group,
    /// The body's inner attributes (`#![…]`), rewritten as outer ones (`#[…]`):
    /// an `async` block cannot carry them, so the expansion puts them on the function.
    pub(crate) inner_attrs: Vec<Attribute>,
    /// The body without its inner attributes.
    pub(crate) body_stmts: TokenStream,
}

impl Func {
    /// Whether the function declares any parameter.
    pub(crate) fn has_params(&self) -> bool {
        !self.params.stream().is_empty()
    }
}

/// Splits `item` into a [`Func`], or returns `None` if it is not a function with a
/// body (the caller then reports that and re-emits `item` untouched). Mistakes that
/// still leave a usable outline (a rejected qualifier, a duplicate `#[test]`) are
/// pushed onto `errors`.
pub(crate) fn parse(item: TokenStream, kind: Kind, errors: &mut Vec<Error>) -> Option<Func> {
    // Collected aside and handed over only once the item is known to be a function:
    // on `const X: () = ();`, "`const` is not supported" would be a wrong diagnosis.
    let mut found = Vec::new();
    let func = parse_outline(item, kind, &mut found)?;
    errors.append(&mut found);
    Some(func)
}

fn parse_outline(item: TokenStream, kind: Kind, errors: &mut Vec<Error>) -> Option<Func> {
    let tokens: Vec<TokenTree> = item.into_iter().collect();
    let mut i = 0;

    let mut attrs = Vec::new();
    while let [hash, TokenTree::Group(group), ..] = &tokens[i..]
        && is_punct(hash, '#')
        && group.delimiter() == Delimiter::Bracket
    {
        let attr = Attribute {
            tokens: [hash.clone(), TokenTree::Group(group.clone())],
        };
        if kind == Kind::Test && attr.is_test() {
            errors.push(Error::spanning(
                hash.span(),
                group.span(),
                "`#[weft::test]` already marks the function as a test: remove this `#[test]`",
            ));
        } else {
            attrs.push(attr);
        }
        i += 2;
    }

    let mut vis = Vec::new();
    if tokens.get(i).is_some_and(|t| is_ident(t, "pub")) {
        vis.push(tokens[i].clone());
        i += 1;
        if let Some(TokenTree::Group(group)) = tokens.get(i)
            && group.delimiter() == Delimiter::Parenthesis
        {
            vis.push(tokens[i].clone());
            i += 1;
        }
    }

    let mut asyncness = None;
    let fn_token = loop {
        let TokenTree::Ident(ident) = tokens.get(i)? else {
            return None;
        };
        i += 1;
        match ident.to_string().as_str() {
            "fn" => break ident.clone(),
            "async" => asyncness = Some(ident.clone()),
            qualifier @ ("const" | "unsafe" | "extern" | "safe") => {
                let mut end = ident.span();
                // `extern "C"`: the ABI string belongs to the qualifier.
                if qualifier == "extern"
                    && let Some(TokenTree::Literal(abi)) = tokens.get(i)
                {
                    end = abi.span();
                    i += 1;
                }
                errors.push(Error::spanning(
                    ident.span(),
                    end,
                    format!(
                        "`{}` does not support `{qualifier}` functions: remove `{qualifier}`",
                        kind.attribute()
                    ),
                ));
            }
            _ => return None,
        }
    };

    let Some(TokenTree::Ident(name)) = tokens.get(i) else {
        return None;
    };
    let name = name.clone();
    i += 1;

    let mut generics = Vec::new();
    if tokens.get(i).is_some_and(|t| is_punct(t, '<')) {
        let mut depth = 0usize;
        loop {
            let token = tokens.get(i)?;
            if is_punct(token, '-') && tokens.get(i + 1).is_some_and(|t| is_punct(t, '>')) {
                // `->` in `F: Fn() -> T` is an arrow, not a closing bracket.
                generics.extend_from_slice(&tokens[i..i + 2]);
                i += 2;
                continue;
            }
            if is_punct(token, '<') {
                depth += 1;
            } else if is_punct(token, '>') {
                depth -= 1;
            }
            generics.push(token.clone());
            i += 1;
            if depth == 0 {
                break;
            }
        }
    }

    let Some(TokenTree::Group(params)) = tokens.get(i) else {
        return None;
    };
    if params.delimiter() != Delimiter::Parenthesis {
        return None;
    }
    let params = params.clone();
    i += 1;

    // The body is the last token; everything between the parameters and it is the
    // return type and the `where` clause, which starts at the keyword `where` (a
    // keyword cannot appear inside a type).
    let (TokenTree::Group(body), rest) = tokens[i..].split_last()? else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace {
        return None;
    }
    let split = rest
        .iter()
        .position(|t| is_ident(t, "where"))
        .unwrap_or(rest.len());
    let (output, where_clause) = rest.split_at(split);
    let arrow = output.len() > 2 && is_punct(&output[0], '-') && is_punct(&output[1], '>');
    if !(output.is_empty() || arrow) {
        return None;
    }

    let (inner_attrs, body_stmts) = split_inner_attributes(body);
    Some(Func {
        inner_attrs,
        body_stmts,
        attrs,
        vis,
        asyncness,
        fn_token,
        name,
        generics,
        params,
        output: output.to_vec(),
        where_clause: where_clause.to_vec(),
        body: body.clone(),
    })
}

/// Splits the leading `#![…]` attributes off a body, turning each into `#[…]`.
fn split_inner_attributes(body: &Group) -> (Vec<Attribute>, TokenStream) {
    let tokens: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut attrs = Vec::new();
    let mut i = 0;
    while let [hash, bang, TokenTree::Group(group), ..] = &tokens[i..]
        && is_punct(hash, '#')
        && is_punct(bang, '!')
        && group.delimiter() == Delimiter::Bracket
    {
        attrs.push(Attribute {
            tokens: [hash.clone(), TokenTree::Group(group.clone())],
        });
        i += 3;
    }
    (attrs, tokens[i..].iter().cloned().collect())
}

/// The span of the first and last tokens of `tokens` (which must not be empty).
pub(crate) fn span_range(tokens: &[TokenTree]) -> (Span, Span) {
    (tokens[0].span(), tokens[tokens.len() - 1].span())
}
