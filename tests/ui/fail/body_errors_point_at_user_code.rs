#[weft::main]
async fn main() {
    let count: u32 = "not a number";
    let _ = count;
}

#[weft::main]
async fn wrong_output() -> Result<(), String> {
    42
}
