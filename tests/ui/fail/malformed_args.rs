#[weft::main(flavor)]
async fn a() {}

#[weft::main("multi_thread")]
async fn b() {}

#[weft::main(flavor = "current_thread" start_paused = true)]
async fn c() {}

fn main() {
    a();
    b();
    c();
}
