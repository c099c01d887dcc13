#[weft::main]
async unsafe fn main() {}
