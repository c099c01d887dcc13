//! Turns a parsed function and its options into the code that runs it on a runtime.
//!
//! The normal expansion of `#[weft::main(opts)] async fn main() -> R { body }` is
//!
//! ```text
//! fn main() -> R {
//!     let body = async move { body };
//!     let runtime = ::weft::runtime::Builder::new_multi_thread()
//!         .opt(value)…
//!         .build()
//!         .expect("…");
//!     runtime.block_on(body)
//! }
//! ```
//!
//! and `#[weft::test]` also adds `#[::core::prelude::v1::test]`. The body's inner
//! attributes (`#![allow(…)]`) move onto the function, since an `async` block cannot
//! carry them. The locals `body` and `runtime` use mixed-site hygiene, so the user's
//! code can neither see nor shadow them.
//!
//! Invariant: whatever went wrong, every error is reported and the user's item is
//! still emitted (for a function: a function with the user's name), so one mistake
//! gives one error and not a cascade ("`main` function not found", "unused
//! attribute"…). Mistakes in the options or a missing `async`
//! only drop the offending part; a signature the runtime cannot call (parameters,
//! generics) is kept intact as an inner `async fn` that nothing calls, so the body is
//! still type-checked against it.

use proc_macro::{Delimiter, Span, TokenStream};

use crate::error::Error;
use crate::func::{self, Func};
use crate::options::{self, Flavor, Kind, Options, Value};
use crate::tokens::Out;

/// Expands `#[weft::main]` or `#[weft::test]` with arguments `args` on `item`.
pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let options = options::parse(args, kind, &mut errors);
    let Some(func) = func::parse(item.clone(), kind, &mut errors) else {
        let mut out = Out::new();
        for error in &errors {
            error.write(&mut out);
        }
        Error::new(
            Span::call_site(),
            format!(
                "`{}` goes on an `async fn` with a body, as in `{} async fn {}() {{ … }}`",
                kind.attribute(),
                kind.attribute(),
                match kind {
                    Kind::Main => "main",
                    Kind::Test => "it_works",
                }
            ),
        )
        .write(&mut out);
        out.extend(item);
        return out.finish();
    };

    if func.asyncness.is_none() {
        errors.push(Error::new(
            func.fn_token.span(),
            format!(
                "`{}` needs an `async fn`: write `async fn {}`",
                kind.attribute(),
                func.name
            ),
        ));
    }
    let mut callable = true;
    if func.has_params() {
        callable = false;
        let advice = match kind {
            Kind::Main => {
                "remove them (read command-line arguments with `std::env::args()` instead)"
            }
            Kind::Test => "remove them",
        };
        errors.push(Error::new(
            func.params.span(),
            format!(
                "a `{}` function takes no arguments: {advice}",
                kind.attribute()
            ),
        ));
    }
    if !func.generics.is_empty() {
        callable = false;
        let (start, end) = func::span_range(&func.generics);
        errors.push(Error::spanning(
            start,
            end,
            format!(
                "a `{}` function cannot be generic: nothing could choose the type \
                 parameters; remove `<…>`",
                kind.attribute()
            ),
        ));
    }

    let mut out = Out::new();
    for error in &errors {
        error.write(&mut out);
    }
    if callable {
        write_runtime_fn(&mut out, kind, &options, &func);
    } else {
        write_uncallable_fn(&mut out, kind, &func);
    }
    out.finish()
}

/// Writes the function that builds a runtime and blocks on the body.
fn write_runtime_fn(out: &mut Out, kind: Kind, options: &Options, func: &Func) {
    let call_site = Span::call_site();
    let hygienic = Span::mixed_site();
    // Code after the body points at the body's closing brace, so a type mismatch
    // between what the body returns and the declared return type shows in user code.
    let tail = hygienic.located_at(func.body.span_close());
    let async_span = func.asyncness.as_ref().map_or(call_site, |a| a.span());

    write_head(out, kind, func, true);
    out.push(func.params.clone());
    out.extend(func.output.iter().cloned());
    out.extend(func.where_clause.iter().cloned());
    out.group(Delimiter::Brace, func.body.span(), |out| {
        // let body = async move { … };
        out.ident("let", hygienic)
            .ident("body", hygienic)
            .punct('=', hygienic);
        out.ident("async", async_span).ident("move", async_span);
        out.group(Delimiter::Brace, func.body.span(), |out| {
            out.extend(func.body_stmts.clone());
        });
        out.punct(';', tail);

        // #[allow(clippy::expect_used)] let runtime = <builder>.build().expect("…");
        out.attribute(call_site, |out| {
            out.ident("allow", call_site)
                .group(Delimiter::Parenthesis, call_site, |out| {
                    out.path("clippy::expect_used", call_site);
                });
        });
        out.ident("let", hygienic)
            .ident("runtime", hygienic)
            .punct('=', hygienic);
        write_builder(out, options);
        out.punct('.', call_site).ident("build", call_site);
        out.group(Delimiter::Parenthesis, call_site, |_| {});
        out.punct('.', call_site).ident("expect", call_site);
        out.group(Delimiter::Parenthesis, call_site, |out| {
            out.string(&build_failure_message(kind), call_site);
        });
        out.punct(';', call_site);

        // runtime.block_on(body)
        out.ident("runtime", tail)
            .punct('.', tail)
            .ident("block_on", tail)
            .group(Delimiter::Parenthesis, tail, |out| {
                out.ident("body", tail);
            });
    });
}

/// Writes `<crate>::runtime::Builder::new_<flavor>()` and one call per option.
fn write_builder(out: &mut Out, options: &Options) {
    let call_site = Span::call_site();
    write_crate_path(out, options);
    out.path_sep(call_site).path("runtime::Builder", call_site);
    out.path_sep(call_site).ident(
        match options.flavor {
            Flavor::MultiThread => "new_multi_thread",
            Flavor::CurrentThread => "new_current_thread",
        },
        call_site,
    );
    out.group(Delimiter::Parenthesis, call_site, |_| {});
    for setting in &options.settings {
        // The call carries the span of the user's key: if the runtime refused the
        // value, the error would point at the option that asked for it.
        let span = call_site.located_at(setting.span);
        out.punct('.', span).ident(setting.method, span);
        out.group(Delimiter::Parenthesis, span, |out| match &setting.value {
            Value::Int(literal) | Value::Str(literal) => {
                out.push(literal.clone());
            }
            Value::Bool(ident) => {
                out.push(ident.clone());
            }
            Value::UnhandledPanic(variant, span) => {
                let span = call_site.located_at(*span);
                write_crate_path(out, options);
                out.path_sep(span)
                    .path("runtime::UnhandledPanic", span)
                    .path_sep(span)
                    .ident(variant, span);
            }
        });
    }
}

fn write_crate_path(out: &mut Out, options: &Options) {
    match &options.crate_path {
        Some(path) => {
            out.extend(path.clone());
        }
        None => {
            out.path("::weft", Span::call_site());
        }
    }
}

/// Writes a plain function with the user's name whose body holds the user's function,
/// made `async`, as an inner item nothing calls. Used when the signature cannot be run
/// (parameters, generics): the error about it is already emitted, and this keeps the
/// body type-checked without adding errors of its own.
fn write_uncallable_fn(out: &mut Out, kind: Kind, func: &Func) {
    let call_site = Span::call_site();
    let allow_dead_code = |out: &mut Out| {
        out.attribute(call_site, |out| {
            out.ident("allow", call_site)
                .group(Delimiter::Parenthesis, call_site, |out| {
                    out.ident("dead_code", call_site);
                });
        });
    };
    if kind == Kind::Main {
        // A function other than `main` may carry `#[weft::main]`, and then nothing
        // calls the stand-in either.
        allow_dead_code(out);
    }
    write_head(out, kind, func, false);
    out.group(Delimiter::Parenthesis, func.params.span(), |_| {});
    out.group(Delimiter::Brace, func.body.span(), |out| {
        allow_dead_code(out);
        out.ident(
            "async",
            func.asyncness.as_ref().map_or(call_site, |a| a.span()),
        );
        out.push(func.fn_token.clone())
            .push(func.name.clone())
            .extend(func.generics.iter().cloned())
            .push(func.params.clone())
            .extend(func.output.iter().cloned())
            .extend(func.where_clause.iter().cloned())
            .push(func.body.clone());
    });
}

/// Writes the attributes, visibility, `fn` and the name; with `lift_inner_attrs`, the
/// body's inner attributes too (the body then goes into an `async` block, which
/// cannot carry them).
fn write_head(out: &mut Out, kind: Kind, func: &Func, lift_inner_attrs: bool) {
    if kind == Kind::Test {
        let call_site = Span::call_site();
        out.attribute(call_site, |out| {
            out.path("::core::prelude::v1::test", call_site);
        });
    }
    for attr in &func.attrs {
        out.extend(attr.tokens.iter().cloned());
    }
    if lift_inner_attrs {
        for attr in &func.inner_attrs {
            out.extend(attr.tokens.iter().cloned());
        }
    }
    out.extend(func.vis.iter().cloned());
    out.push(func.fn_token.clone()).push(func.name.clone());
}

/// The panic message when the runtime cannot be built; it says what to check.
fn build_failure_message(kind: Kind) -> String {
    format!(
        "`{}` could not build its weft runtime: the OS refused a thread or an I/O \
         resource; check the process limits (`ulimit -u`, `ulimit -n`) and the \
         `worker_threads` / `thread_stack_size` options",
        kind.attribute()
    )
}
