#[weft::main(worker_threads = "4")]
async fn a() {}

#[weft::main(worker_threads = 0)]
async fn b() {}

#[weft::main(thread_stack_size = -1)]
async fn c() {}

#[weft::main(flavor = "single_thread")]
async fn d() {}

#[weft::main(flavor = current_thread)]
async fn e() {}

#[weft::main(start_paused = 1)]
async fn f() {}

#[weft::main(thread_name = main)]
async fn g() {}

#[weft::main(unhandled_panic = "abort")]
async fn h() {}

#[weft::main(event_interval = 4294967296)]
async fn i() {}

#[weft::main(global_queue_interval = 8usize)]
async fn j() {}

#[weft::main(crate = "not a path")]
async fn k() {}

fn main() {
    a();
    b();
    c();
    d();
    e();
    f();
    g();
    h();
    i();
    j();
    k();
}
