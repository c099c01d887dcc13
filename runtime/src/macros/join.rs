//! `join!` and `try_join!`: await a fixed list of futures concurrently in the
//! caller's task and return their outputs as a tuple.
//!
//! Expansion: one recursion per future collects `[future-slot output-slot (expr)]`
//! records; the last step pins every future (as an `Option`, so a finished one is
//! dropped in place at once), polls the unfinished ones until all are done (or, for
//! `try_join!`, one fails), and builds the tuple.

/// Awaits every future concurrently, in the current task, and returns a tuple of
/// their outputs in argument order.
///
/// Nothing is spawned: the futures may borrow and need not be `Send`. Each finished
/// future is dropped as soon as it completes. For a list whose length is only known
/// at run time, use [`gather`](crate::future::gather).
///
/// ```
/// # weft::run(async {
/// let mut log = Vec::new();
/// let (a, b) = weft::join!(async { 1 }, async { "two" });
/// log.push((a, b));
/// assert_eq!(log, [(1, "two")]);
/// assert_eq!(weft::join!(), ());
/// # });
/// ```
#[macro_export]
macro_rules! join {
    (@acc [$($rec:tt)*]) => {
        $crate::__join_emit!(plain $($rec)*)
    };
    (@acc [$($rec:tt)*] $f:expr, $($rest:tt)*) => {
        $crate::join!(@acc [$($rec)* [__weft_fut __weft_out ($f)]] $($rest)*)
    };
    (@acc [$($rec:tt)*] $f:expr) => {
        $crate::join!(@acc [$($rec)* [__weft_fut __weft_out ($f)]])
    };
    () => { () };
    ($($t:tt)+) => { $crate::join!(@acc [] $($t)+) };
}

/// Awaits every fallible future concurrently, in the current task, and returns
/// `Ok` with a tuple of their values, or the first `Err` to occur — in which case
/// the other futures are dropped before it returns. All futures must have the same
/// error type.
///
/// ```
/// # weft::run(async {
/// let ok: Result<(u8, char), String> =
///     weft::try_join!(async { Ok(1) }, async { Ok('c') });
/// assert_eq!(ok, Ok((1, 'c')));
///
/// let err: Result<(u8, u8), &str> =
///     weft::try_join!(async { Ok(1) }, async { Err("nope") });
/// assert_eq!(err, Err("nope"));
/// # });
/// ```
#[macro_export]
macro_rules! try_join {
    (@acc [$($rec:tt)*]) => {
        $crate::__join_emit!(try $($rec)*)
    };
    (@acc [$($rec:tt)*] $f:expr, $($rest:tt)*) => {
        $crate::try_join!(@acc [$($rec)* [__weft_fut __weft_out ($f)]] $($rest)*)
    };
    (@acc [$($rec:tt)*] $f:expr) => {
        $crate::try_join!(@acc [$($rec)* [__weft_fut __weft_out ($f)]])
    };
    () => { ::core::result::Result::<(), ::core::convert::Infallible>::Ok(()) };
    ($($t:tt)+) => { $crate::try_join!(@acc [] $($t)+) };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __join_emit {
    ($mode:ident $([$fut:ident $out:ident $f:tt])*) => {{
        $(
            let mut $fut = ::core::pin::pin!(::core::option::Option::Some(
                ::core::future::IntoFuture::into_future $f
            ));
            let mut $out = ::core::option::Option::None;
        )*
        let __weft_res = $crate::macros::support::poll_fn(|__weft_cx| {
            let mut __weft_done = true;
            $(
                if let ::core::option::Option::Some(__weft_f) = $fut.as_mut().as_pin_mut() {
                    match ::core::future::Future::poll(__weft_f, __weft_cx) {
                        ::core::task::Poll::Ready(__weft_v) => {
                            $fut.set(::core::option::Option::None);
                            $out = ::core::option::Option::Some(
                                $crate::__join_ok!($mode __weft_v)
                            );
                        }
                        ::core::task::Poll::Pending => __weft_done = false,
                    }
                }
            )*
            if __weft_done {
                ::core::task::Poll::Ready(::core::result::Result::Ok(()))
            } else {
                ::core::task::Poll::Pending
            }
        })
        .await;
        $crate::__join_finish!($mode __weft_res ($($out.unwrap(),)*))
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __join_ok {
    (plain $v:ident) => {
        $v
    };
    (try $v:ident) => {
        match $v {
            ::core::result::Result::Ok(__weft_ok) => __weft_ok,
            ::core::result::Result::Err(__weft_err) => {
                return ::core::task::Poll::Ready(::core::result::Result::Err(__weft_err));
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __join_finish {
    (plain $res:ident $tuple:tt) => {{
        let ::core::result::Result::<(), ::core::convert::Infallible>::Ok(()) = $res;
        $tuple
    }};
    (try $res:ident $tuple:tt) => {
        match $res {
            ::core::result::Result::Ok(()) => ::core::result::Result::Ok($tuple),
            ::core::result::Result::Err(__weft_err) => ::core::result::Result::Err(__weft_err),
        }
    };
}
