#[weft::main(flavour = "current_thread")]
async fn main() {}

#[weft::main(workers = 2)]
async fn other() {}
