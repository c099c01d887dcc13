//! `select!`: wait on several futures, run the handler of the first that completes
//! with a value matching its pattern, and drop the rest.
//!
//! Expansion, in three macros:
//!
//! 1. `__select_parse` walks the branches one at a time. A branch's pattern is
//!    collected token by token up to its `=`, so it can be cleaned later; the future,
//!    guard and handler are parsed as expressions. Each branch becomes a record
//!    `[(index) fut disabled out [pattern] (future) (guard) {handler}]`, where `fut`,
//!    `disabled` and `out` are identifiers made fresh by that recursion's hygiene.
//! 2. `__select_emit` evaluates every guard, then every future (in branch order,
//!    as tokio does), in a block of their own so they are dropped before the
//!    handler runs, and polls the enabled futures from a random start branch (or
//!    from the first, with `biased;`). A future that completes disables its branch;
//!    if its output does not match the branch's pattern, polling goes on with the
//!    others. When every branch is disabled, the `else` handler runs.
//! 3. To test a pattern without moving the output, the output is matched by
//!    reference against the pattern with `mut` and `ref` removed (`__select_clean`);
//!    the handler then matches the owned output against the real pattern, outside
//!    any closure or loop, so `return`, `break`, `continue`, `?` and `.await` in a
//!    handler act on the caller's code.

/// Waits on several futures at once and runs the handler of the first one to
/// complete; the other futures are dropped.
///
/// ```text
/// weft::select! {
///     biased;                                   // optional: poll in order
///     pattern = future, if condition => handler,
///     pattern = future => { handler }
///     else => handler,                          // optional
/// }
/// ```
///
/// 1. Every `if` condition is evaluated; a branch whose condition is false is
///    disabled. Then every future expression is evaluated (in order, disabled ones
///    too) and pinned on the stack.
/// 2. The enabled futures are polled, starting from a **random** branch each time so
///    that no branch starves (write `biased;` first to poll in the written order).
/// 3. When a future completes, its branch is disabled. If the output matches the
///    branch's pattern, every future is dropped and that branch's handler runs with
///    the pattern's bindings; the `select!` evaluates to the handler's value.
///    Otherwise the other branches keep going.
/// 4. If every branch is disabled, the `else` handler runs; without `else`, the
///    `select!` panics.
///
/// Handlers run in the caller's code: `return`, `?`, `break` and `continue` there
/// act on the enclosing function or loop. Every handler must have the same type.
/// Patterns are tested by reference first, so a pattern may not contain a `&`
/// pattern inside a constructor (`Some(&x)`); bind the reference and dereference it
/// in the handler instead.
///
/// ```
/// # weft::run(async {
/// let (tx, rx) = std::sync::mpsc::channel::<u8>();
/// let pending = std::future::pending::<u8>();
/// let out = weft::select! {
///     v = pending => v,
///     Some(v) = async { Some(7) } => v * 2,
/// };
/// assert_eq!(out, 14);
///
/// // A branch whose output does not match its pattern is disabled, so `else` runs.
/// let out = weft::select! {
///     Some(v) = async { None::<u8> } => v,
///     _ = std::future::ready(()), if false => 0,
///     else => 99,
/// };
/// assert_eq!(out, 99);
/// # drop((tx, rx));
/// # });
/// ```
///
/// A branch must be `pattern = future => handler`, and there is at most one `else`:
///
/// ```compile_fail
/// # async fn f() {
/// weft::select! {
///     _ = async {} => (),
///     else => (),
///     else => (),
/// }
/// # }
/// ```
#[macro_export]
macro_rules! select {
    (biased; $($t:tt)*) => {
        $crate::__select_parse!(@branches (true) () () () $($t)*)
    };
    ($($t:tt)*) => {
        $crate::__select_parse!(@branches (false) () () () $($t)*)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_parse {
    // All branches read.
    (@branches $b:tt $c:tt $r:tt $e:tt) => {
        $crate::__select_emit!($b $c $r $e)
    };
    // `else` (at most one).
    (@branches $b:tt $c:tt $r:tt () else => $h:block, $($rest:tt)*) => {
        $crate::__select_parse!(@branches $b $c $r ($h) $($rest)*)
    };
    (@branches $b:tt $c:tt $r:tt () else => $h:block $($rest:tt)*) => {
        $crate::__select_parse!(@branches $b $c $r ($h) $($rest)*)
    };
    (@branches $b:tt $c:tt $r:tt () else => $h:expr, $($rest:tt)*) => {
        $crate::__select_parse!(@branches $b $c $r ({ $h }) $($rest)*)
    };
    (@branches $b:tt $c:tt $r:tt () else => $h:expr) => {
        $crate::__select_parse!(@branches $b $c $r ({ $h }))
    };
    (@branches $b:tt $c:tt $r:tt ($($e:tt)+) else $($rest:tt)*) => {
        ::core::compile_error!("`select!` takes at most one `else` branch")
    };
    // A branch: collect its pattern up to the `=`.
    (@branches $b:tt $c:tt $r:tt $e:tt $($rest:tt)+) => {
        $crate::__select_parse!(@pat $b $c $r $e [] $($rest)+)
    };
    (@pat $b:tt $c:tt $r:tt $e:tt [$($p:tt)*] = $($rest:tt)*) => {
        $crate::__select_parse!(@fut $b $c $r $e [$($p)*] $($rest)*)
    };
    (@pat $b:tt $c:tt $r:tt $e:tt [$($p:tt)*] $t:tt $($rest:tt)*) => {
        $crate::__select_parse!(@pat $b $c $r $e [$($p)* $t] $($rest)*)
    };
    (@pat $b:tt $c:tt $r:tt $e:tt [$($p:tt)*]) => {
        ::core::compile_error!(
            "a `select!` branch is `pattern = future => handler` (or `else => handler`)"
        )
    };
    // The future, the optional guard and the handler.
    (@fut $b:tt $c:tt $r:tt $e:tt $p:tt $f:expr, if $g:expr => $h:block, $($rest:tt)*) => {
        $crate::__select_parse!(@push $b $c $r $e $p ($f) ($g) $h $($rest)*)
    };
    (@fut $b:tt $c:tt $r:tt $e:tt $p:tt $f:expr, if $g:expr => $h:block $($rest:tt)*) => {
        $crate::__select_parse!(@push $b $c $r $e $p ($f) ($g) $h $($rest)*)
    };
    (@fut $b:tt $c:tt $r:tt $e:tt $p:tt $f:expr, if $g:expr => $h:expr, $($rest:tt)*) => {
        $crate::__select_parse!(@push $b $c $r $e $p ($f) ($g) { $h } $($rest)*)
    };
    (@fut $b:tt $c:tt $r:tt $e:tt $p:tt $f:expr, if $g:expr => $h:expr) => {
        $crate::__select_parse!(@push $b $c $r $e $p ($f) ($g) { $h })
    };
    (@fut $b:tt $c:tt $r:tt $e:tt $p:tt $f:expr => $h:block, $($rest:tt)*) => {
        $crate::__select_parse!(@push $b $c $r $e $p ($f) (true) $h $($rest)*)
    };
    (@fut $b:tt $c:tt $r:tt $e:tt $p:tt $f:expr => $h:block $($rest:tt)*) => {
        $crate::__select_parse!(@push $b $c $r $e $p ($f) (true) $h $($rest)*)
    };
    (@fut $b:tt $c:tt $r:tt $e:tt $p:tt $f:expr => $h:expr, $($rest:tt)*) => {
        $crate::__select_parse!(@push $b $c $r $e $p ($f) (true) { $h } $($rest)*)
    };
    (@fut $b:tt $c:tt $r:tt $e:tt $p:tt $f:expr => $h:expr) => {
        $crate::__select_parse!(@push $b $c $r $e $p ($f) (true) { $h })
    };
    // Record the branch with identifiers fresh to this expansion.
    (@push $b:tt ($($c:tt)*) ($($r:tt)*) $e:tt $p:tt $f:tt $g:tt $h:tt $($rest:tt)*) => {
        $crate::__select_parse!(
            @branches $b ($($c)* + 1)
            ($($r)* [(0 $($c)*) __weft_fut __weft_dis __weft_out $p $f $g $h])
            $e $($rest)*
        )
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_emit {
    (
        ($biased:tt) ($($count:tt)*)
        ($([$idx:tt $fut:ident $dis:ident $out:ident [$($pat:tt)*] $f:tt $g:tt $h:tt])*)
        ($($else:tt)*)
    ) => {{
        const __WEFT_BRANCHES: usize = 0 $($count)*;
        $( let mut $out = ::core::option::Option::None; )*
        // The futures live in this block only, so they are dropped (and whatever
        // they borrowed is free again) before the handler runs.
        let __weft_won: ::core::option::Option<usize> = {
            $( let mut $dis: bool = !$g; )*
            $(
                let mut $fut = ::core::pin::pin!(::core::future::IntoFuture::into_future $f);
            )*
            let __weft_start: usize = if $biased || __WEFT_BRANCHES == 0 {
                0
            } else {
                $crate::macros::support::random_below(__WEFT_BRANCHES)
            };
            $crate::macros::support::poll_fn(|__weft_cx| {
                let mut __weft_pending = false;
                for __weft_i in 0..__WEFT_BRANCHES {
                    // `start + i` wraps around once at most; no `%`, which lints
                        // flag when there is a single branch.
                        let mut __weft_b = __weft_start + __weft_i;
                        if __weft_b >= __WEFT_BRANCHES {
                            __weft_b -= __WEFT_BRANCHES;
                        }
                    $(
                        if __weft_b == $idx && !$dis {
                            match ::core::future::Future::poll($fut.as_mut(), __weft_cx) {
                                ::core::task::Poll::Ready(__weft_v) => {
                                    $dis = true;
                                    #[allow(unused_variables, unreachable_patterns)]
                                    let __weft_matches = match &__weft_v {
                                        $crate::__select_clean!([] [] $($pat)*) => true,
                                        _ => false,
                                    };
                                    if __weft_matches {
                                        $out = ::core::option::Option::Some(__weft_v);
                                        return ::core::task::Poll::Ready(
                                            ::core::option::Option::Some($idx),
                                        );
                                    }
                                }
                                ::core::task::Poll::Pending => __weft_pending = true,
                            }
                        }
                    )*
                }
                if __weft_pending {
                    ::core::task::Poll::Pending
                } else {
                    ::core::task::Poll::Ready(::core::option::Option::None)
                }
            })
            .await
        };
        match __weft_won {
            $(
                ::core::option::Option::Some(__weft_k) if __weft_k == $idx => {
                    match $out.take().unwrap() {
                        $($pat)* => $h,
                        #[allow(unreachable_patterns)]
                        _ => ::core::unreachable!("the output matched this pattern when polled"),
                    }
                }
            )*
            ::core::option::Option::Some(_) => ::core::unreachable!(),
            ::core::option::Option::None => $crate::__select_else!($($else)*),
        }
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __select_else {
    () => {
        ::core::panic!(
            "all branches of `select!` are disabled and there is no `else` branch: \
             add `else => ...` to handle that case"
        )
    };
    ($e:tt) => {
        $e
    };
}

/// Removes `mut` and `ref` from a pattern (keeping `&mut`), so that it can be matched
/// against a reference to the value without moving it. Continuation-passing style:
/// `[output so far] [stack of enclosing groups] input…`.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_clean {
    ([$($out:tt)*] []) => { $($out)* };
    ([$($in:tt)*] [(paren [$($out:tt)*] [$($rest:tt)*]) $($stack:tt)*]) => {
        $crate::__select_clean!([$($out)* ($($in)*)] [$($stack)*] $($rest)*)
    };
    ([$($in:tt)*] [(bracket [$($out:tt)*] [$($rest:tt)*]) $($stack:tt)*]) => {
        $crate::__select_clean!([$($out)* [$($in)*]] [$($stack)*] $($rest)*)
    };
    ([$($in:tt)*] [(brace [$($out:tt)*] [$($rest:tt)*]) $($stack:tt)*]) => {
        $crate::__select_clean!([$($out)* {$($in)*}] [$($stack)*] $($rest)*)
    };
    ([$($out:tt)*] $s:tt & mut $($rest:tt)*) => {
        $crate::__select_clean!([$($out)* &mut] $s $($rest)*)
    };
    ([$($out:tt)*] $s:tt mut $($rest:tt)*) => {
        $crate::__select_clean!([$($out)*] $s $($rest)*)
    };
    ([$($out:tt)*] $s:tt ref $($rest:tt)*) => {
        $crate::__select_clean!([$($out)*] $s $($rest)*)
    };
    ([$($out:tt)*] [$($stack:tt)*] ($($in:tt)*) $($rest:tt)*) => {
        $crate::__select_clean!([] [(paren [$($out)*] [$($rest)*]) $($stack)*] $($in)*)
    };
    ([$($out:tt)*] [$($stack:tt)*] [$($in:tt)*] $($rest:tt)*) => {
        $crate::__select_clean!([] [(bracket [$($out)*] [$($rest)*]) $($stack)*] $($in)*)
    };
    ([$($out:tt)*] [$($stack:tt)*] {$($in:tt)*} $($rest:tt)*) => {
        $crate::__select_clean!([] [(brace [$($out)*] [$($rest)*]) $($stack)*] $($in)*)
    };
    ([$($out:tt)*] $s:tt $t:tt $($rest:tt)*) => {
        $crate::__select_clean!([$($out)* $t] $s $($rest)*)
    };
}
