#[weft::test]
fn not_async() {}

#[weft::test]
async fn with_args(n: u32) {
    let _ = n;
}

#[weft::test]
async fn generic<T>() {}

#[weft::test]
#[test]
async fn twice() {}

fn main() {}
