//! The `#[weft::main]` and `#[weft::test]` attributes.
