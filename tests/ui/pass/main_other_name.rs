//! `#[weft::main]` on a function not called `main` gives a blocking function that
//! returns the body's output, like tokio's.

#[weft::main(flavor = "current_thread")]
async fn compute(/* no arguments */) -> u32 {
    async { 3 }.await
}

fn main() {
    assert_eq!(compute(), 3);
    assert_eq!(compute(), 3, "each call builds a fresh runtime");
}
