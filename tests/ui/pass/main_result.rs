//! `main` keeps its `Result` return type; `?` works in the body.

#[derive(Debug)]
struct NotANumber;

fn parse(text: &str) -> Result<u32, NotANumber> {
    text.parse().map_err(|_| NotANumber)
}

#[weft::main]
async fn main() -> Result<(), NotANumber> {
    let n = parse("42")?;
    assert_eq!(n, 42);
    Ok(())
}
