//! The attribute arguments: `#[weft::main(key = value, …)]`.
//!
//! This file owns the table of options, their value types, and the checks that need
//! no knowledge of the function (unknown keys, duplicates, bad values, options that
//! contradict each other). Invariant: parsing never stops at the first mistake; every
//! bad option becomes an [`Error`] spanned on the culprit and is left out of
//! [`Options`], so the expansion still compiles with the options that were valid.

use proc_macro::{Ident, Literal, Span, TokenStream, TokenTree};

use crate::error::Error;
use crate::tokens::{is_punct, unwrap_invisible};

/// Which attribute is being expanded; decides defaults and wording.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#[weft::main]`.
    Main,
    /// `#[weft::test]`.
    Test,
}

impl Kind {
    /// The attribute as users write it, for messages.
    pub(crate) fn attribute(self) -> &'static str {
        match self {
            Kind::Main => "#[weft::main]",
            Kind::Test => "#[weft::test]",
        }
    }

    /// The attribute's path, for messages that show it with arguments.
    fn path(self) -> &'static str {
        match self {
            Kind::Main => "weft::main",
            Kind::Test => "weft::test",
        }
    }
}

/// The scheduler the runtime is built with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `Builder::new_multi_thread()`.
    MultiThread,
    /// `Builder::new_current_thread()`.
    CurrentThread,
}

/// A validated option value, ready to be passed to a `Builder` method.
pub(crate) enum Value {
    /// An integer literal, re-emitted as the user wrote it (keeps its span).
    Int(Literal),
    /// A string literal, re-emitted as the user wrote it.
    Str(Literal),
    /// `true` or `false`, re-emitted as the user wrote it.
    Bool(Ident),
    /// A variant of `runtime::UnhandledPanic`, spanned on the user's value.
    UnhandledPanic(&'static str, Span),
}

/// One `Builder` method call the expansion makes, in the order the user wrote them.
pub(crate) struct Setting {
    /// The `Builder` method, which is also the option's name.
    pub(crate) method: &'static str,
    /// The span of the option's key, given to the method call.
    pub(crate) span: Span,
    /// The argument.
    pub(crate) value: Value,
}

/// Everything the attribute arguments asked for.
pub(crate) struct Options {
    /// The runtime flavour (defaulted from [`Kind`] when not given).
    pub(crate) flavor: Flavor,
    /// The path of the runtime crate, `::weft` unless `crate = "…"` says otherwise.
    pub(crate) crate_path: Option<TokenStream>,
    /// `Builder` calls besides the constructor, in source order.
    pub(crate) settings: Vec<Setting>,
}

/// What type of value an option takes.
#[derive(Clone, Copy)]
enum Expect {
    Flavor,
    /// A positive integer of the named Rust type, at most `max`. Zero is rejected for
    /// every integer option: a runtime with no workers, no blocking threads, no stack
    /// or a zero polling interval cannot work, and the builder would panic at run time.
    Int {
        ty: &'static str,
        max: u128,
    },
    Str,
    Bool,
    UnhandledPanic,
    CratePath,
}

const USIZE: Expect = Expect::Int {
    ty: "usize",
    // The target's `usize` may be narrower than the host's; rustc checks the literal
    // against the real type, this bound only catches nonsense early.
    max: u64::MAX as u128,
};
const U32: Expect = Expect::Int {
    ty: "u32",
    max: u32::MAX as u128,
};

/// Every option, in the order the "valid options are" message lists them.
const TABLE: &[(&str, Expect)] = &[
    ("flavor", Expect::Flavor),
    ("worker_threads", USIZE),
    ("max_blocking_threads", USIZE),
    ("thread_name", Expect::Str),
    ("thread_stack_size", USIZE),
    ("global_queue_interval", U32),
    ("event_interval", U32),
    ("unhandled_panic", Expect::UnhandledPanic),
    ("start_paused", Expect::Bool),
    ("crate", Expect::CratePath),
];

/// Parses the attribute arguments, pushing one [`Error`] per mistake onto `errors`.
pub(crate) fn parse(args: TokenStream, kind: Kind, errors: &mut Vec<Error>) -> Options {
    let mut options = Options {
        flavor: match kind {
            Kind::Main => Flavor::MultiThread,
            Kind::Test => Flavor::CurrentThread,
        },
        crate_path: None,
        settings: Vec::new(),
    };
    let mut seen: Vec<&'static str> = Vec::new();
    let mut flavor_given = None;
    let mut worker_threads_key = None;

    let tokens: Vec<TokenTree> = args.into_iter().map(unwrap_invisible).collect();
    for entry in tokens.split(|t| is_punct(t, ',')) {
        let Some(first) = entry.first() else {
            // An empty entry: `()` or a trailing comma. Two commas in a row are
            // harmless enough not to reject.
            continue;
        };
        let TokenTree::Ident(key) = first else {
            errors.push(Error::new(
                first.span(),
                format!(
                    "expected an option name here, as in `#[{}(flavor = \"current_thread\")]`",
                    kind.path()
                ),
            ));
            continue;
        };
        let key_name = key.to_string();
        let Some(&(name, expect)) = TABLE.iter().find(|(name, _)| *name == key_name) else {
            errors.push(unknown_option(key, kind));
            continue;
        };
        let value = match entry.get(1) {
            Some(eq) if is_punct(eq, '=') && entry.len() > 2 => &entry[2..],
            _ => {
                errors.push(Error::new(
                    key.span(),
                    format!("expected `{name} = <value>`: the option `{name}` needs a value"),
                ));
                continue;
            }
        };
        // `a = 1 b = 2`: point at the missing comma rather than at a two-token value.
        if let [_, next @ TokenTree::Ident(_), eq, ..] = value
            && is_punct(eq, '=')
        {
            errors.push(Error::new(
                next.span(),
                format!("expected `,` before `{next}`: separate options with commas"),
            ));
            continue;
        }
        if seen.contains(&name) {
            errors.push(Error::new(
                key.span(),
                format!("the option `{name}` is given twice: keep one of them"),
            ));
            continue;
        }
        seen.push(name);

        let parsed = match parse_value(name, expect, value) {
            Ok(parsed) => parsed,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        match parsed {
            Parsed::Flavor(flavor) => {
                options.flavor = flavor;
                flavor_given = Some(flavor);
            }
            Parsed::CratePath(path) => options.crate_path = Some(path),
            Parsed::Value(value) => {
                if name == "worker_threads" {
                    worker_threads_key = Some(key.span());
                }
                options.settings.push(Setting {
                    method: name,
                    span: key.span(),
                    value,
                });
            }
        }
    }

    if let Some(span) = worker_threads_key
        && options.flavor == Flavor::CurrentThread
    {
        let why = if flavor_given.is_some() {
            "`flavor = \"current_thread\"` runs everything on the calling thread"
        } else {
            "`#[weft::test]` uses `flavor = \"current_thread\"` unless told otherwise"
        };
        errors.push(Error::new(
            span,
            format!(
                "`worker_threads` needs `flavor = \"multi_thread\"`: {why}; \
                 add `flavor = \"multi_thread\"` or remove `worker_threads`"
            ),
        ));
        // Leave the call out so the recovered expansion does not depend on a
        // builder method the current-thread flavour may not honour.
        options.settings.retain(|s| s.method != "worker_threads");
    }
    options
}

/// What one option's value turned into.
enum Parsed {
    Flavor(Flavor),
    CratePath(TokenStream),
    Value(Value),
}

fn parse_value(name: &str, expect: Expect, value: &[TokenTree]) -> Result<Parsed, Error> {
    let hint = match expect {
        Expect::Flavor => "`\"multi_thread\"` or `\"current_thread\"`".to_owned(),
        Expect::Int { ty, .. } => {
            format!("a positive integer literal (`{ty}`), as in `{name} = 4`")
        }
        Expect::Str => format!("a string literal, as in `{name} = \"my-worker\"`"),
        Expect::Bool => "`true` or `false`".to_owned(),
        Expect::UnhandledPanic => "`\"ignore\"` or `\"shutdown_runtime\"`".to_owned(),
        Expect::CratePath => "a path in a string literal, as in `crate = \"weft\"`".to_owned(),
    };
    let bad = || {
        let start = value[0].span();
        let end = value[value.len() - 1].span();
        Error::spanning(start, end, format!("`{name}` expects {hint}"))
    };
    let [token] = value else {
        return Err(bad());
    };
    match (expect, token) {
        (Expect::Int { ty, max }, TokenTree::Literal(literal)) => {
            match parse_int(&literal.to_string(), ty) {
                Some(0) => Err(Error::new(
                    literal.span(),
                    format!("`{name}` must be at least 1"),
                )),
                Some(n) if n <= max => Ok(Parsed::Value(Value::Int(literal.clone()))),
                Some(_) => Err(Error::new(
                    literal.span(),
                    format!("`{name}` does not fit in a `{ty}`"),
                )),
                None => Err(bad()),
            }
        }
        (Expect::Bool, TokenTree::Ident(ident))
            if matches!(ident.to_string().as_str(), "true" | "false") =>
        {
            Ok(Parsed::Value(Value::Bool(ident.clone())))
        }
        (Expect::Str, TokenTree::Literal(literal)) if is_string(literal) => {
            Ok(Parsed::Value(Value::Str(literal.clone())))
        }
        (Expect::Flavor, TokenTree::Literal(literal)) => match string_content(literal).as_deref() {
            Some("multi_thread") => Ok(Parsed::Flavor(Flavor::MultiThread)),
            Some("current_thread") => Ok(Parsed::Flavor(Flavor::CurrentThread)),
            _ => Err(bad()),
        },
        (Expect::UnhandledPanic, TokenTree::Literal(literal)) => {
            let variant = match string_content(literal).as_deref() {
                Some("ignore") => "Ignore",
                Some("shutdown_runtime") => "ShutdownRuntime",
                _ => return Err(bad()),
            };
            Ok(Parsed::Value(Value::UnhandledPanic(
                variant,
                literal.span(),
            )))
        }
        (Expect::CratePath, TokenTree::Literal(literal)) => string_content(literal)
            .and_then(|path| parse_path(&path, literal.span()))
            .map(Parsed::CratePath)
            .ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// The value of an integer literal's source text, if it is one whose suffix (if any)
/// is `ty`.
fn parse_int(text: &str, ty: &str) -> Option<u128> {
    let (radix, digits) = match text.get(..2) {
        Some("0x") => (16, &text[2..]),
        Some("0o") => (8, &text[2..]),
        Some("0b") => (2, &text[2..]),
        _ => (10, text),
    };
    let end = digits
        .find(|c: char| !(c.is_digit(radix) || c == '_'))
        .unwrap_or(digits.len());
    let (digits, suffix) = digits.split_at(end);
    if !(suffix.is_empty() || suffix == ty) {
        return None;
    }
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    u128::from_str_radix(&digits, radix).ok()
}

/// Whether `literal` is a plain or raw string literal (escapes allowed: it is passed
/// on to rustc as written).
fn is_string(literal: &Literal) -> bool {
    let text = literal.to_string();
    let raw = text.strip_prefix('r').unwrap_or(&text);
    raw.trim_start_matches('#').starts_with('"')
}

/// The text inside a plain or raw string literal with no escapes, or `None` for any
/// other literal. Values with escapes are never valid option strings, so they need
/// no unescaping: they fall through to the "expects" error.
fn string_content(literal: &Literal) -> Option<String> {
    let text = literal.to_string();
    let raw = text.strip_prefix('r').unwrap_or(&text);
    let hashes = raw.len() - raw.trim_start_matches('#').len();
    let body = raw[hashes..]
        .strip_prefix('"')?
        .strip_suffix(&raw[raw.len() - hashes..])?
        .strip_suffix('"')?;
    if raw.len() == text.len() && body.contains('\\') {
        return None;
    }
    Some(body.to_owned())
}

/// Parses `crate = "…"`'s string as a simple path (`weft`, `::weft`, `crate::rt`),
/// giving every token `span` so errors about the path point at the string.
fn parse_path(path: &str, span: Span) -> Option<TokenStream> {
    let tokens: Vec<TokenTree> = path.parse::<TokenStream>().ok()?.into_iter().collect();
    // Shape check: an optional leading `::`, then identifiers separated by `::`.
    let mut i = 0;
    let mut want_ident = true;
    if tokens.len() >= 2 && is_punct(&tokens[0], ':') && is_punct(&tokens[1], ':') {
        i = 2;
    }
    while i < tokens.len() {
        if want_ident {
            if !matches!(tokens[i], TokenTree::Ident(_)) {
                return None;
            }
            i += 1;
        } else {
            if !(i + 1 < tokens.len() && is_punct(&tokens[i], ':') && is_punct(&tokens[i + 1], ':'))
            {
                return None;
            }
            i += 2;
        }
        want_ident = !want_ident;
    }
    if want_ident {
        // Empty, or ends in `::`.
        return None;
    }
    Some(
        tokens
            .into_iter()
            .map(|mut token| {
                token.set_span(span);
                token
            })
            .collect(),
    )
}

fn unknown_option(key: &Ident, kind: Kind) -> Error {
    let name = key.to_string();
    let valid: Vec<String> = TABLE.iter().map(|(name, _)| format!("`{name}`")).collect();
    let suggestion = TABLE
        .iter()
        .map(|(candidate, _)| (edit_distance(&name, candidate), candidate))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| format!(" (did you mean `{candidate}`?)"))
        .unwrap_or_default();
    Error::new(
        key.span(),
        format!(
            "unknown option `{name}` for `{}`{suggestion}; valid options are {}",
            kind.attribute(),
            valid.join(", ")
        ),
    )
}

/// Levenshtein distance, for "did you mean" on misspelt option names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    // Only the helpers that work on plain strings: `proc_macro` types cannot be made
    // outside a macro expansion, so everything else is tested through trybuild in
    // `tests/ui`.
    use super::{edit_distance, parse_int};

    #[test]
    fn integers_in_every_radix_with_underscores() {
        assert_eq!(parse_int("4", "usize"), Some(4));
        assert_eq!(parse_int("1_000", "usize"), Some(1000));
        assert_eq!(parse_int("0x20_0000", "usize"), Some(0x20_0000));
        assert_eq!(parse_int("0o17", "u32"), Some(0o17));
        assert_eq!(parse_int("0b101", "u32"), Some(5));
    }

    #[test]
    fn integer_suffix_must_match_the_option_type() {
        assert_eq!(parse_int("31u32", "u32"), Some(31));
        assert_eq!(parse_int("0x1fu32", "u32"), Some(31));
        assert_eq!(parse_int("8usize", "u32"), None);
        assert_eq!(parse_int("1e3", "usize"), None);
        assert_eq!(parse_int("1.5", "usize"), None);
    }

    #[test]
    fn integers_too_large_for_u128_are_rejected() {
        assert_eq!(parse_int(&"9".repeat(40), "usize"), None);
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("flavor", "flavor"), 0);
        assert_eq!(edit_distance("flavour", "flavor"), 1);
        assert_eq!(edit_distance("worker_thread", "worker_threads"), 1);
        assert_eq!(edit_distance("flavro", "flavor"), 2);
        assert_eq!(edit_distance("", "crate"), 5);
        assert_eq!(edit_distance("workers", "worker_threads"), 7);
    }
}
