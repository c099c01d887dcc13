//! Compile-time behaviour of `#[weft::main]` and `#[weft::test]`: the cases under
//! `ui/pass` compile and run, the cases under `ui/fail` fail with exactly the errors in
//! their `.stderr` snapshot (regenerate with `TRYBUILD=overwrite` and review the diff).

#[test]
#[cfg_attr(miri, ignore = "trybuild runs rustc, which Miri cannot")]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
