#[weft::main]
fn main() {
    let _ = async { 1 }.await;
}
