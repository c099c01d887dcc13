//! The current-thread scheduler interleaves the `block_on` future with its tasks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[weft::test]
async fn yield_in_block_on_lets_spawned_tasks_run_first() {
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let handle = weft::spawn(async move { r.store(true, Ordering::SeqCst) });
    weft::task::yield_now().await;
    assert!(ran.load(Ordering::SeqCst), "the spawned task ran during the yield");
    handle.await.unwrap();
}

#[test]
fn second_block_on_thread_waits_for_the_core_and_then_drives_tasks() {
    let rt = Arc::new(weft::runtime::Builder::new_current_thread().build().unwrap());
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let rt2 = rt.clone();
    // The other thread holds the core until we release it through the channel.
    let holder = std::thread::spawn(move || {
        rt2.block_on(async move {
            weft::task::spawn_blocking(move || rx.recv().unwrap()).await.unwrap();
        })
    });
    // This task can only run on whichever thread drives the core.
    let task = rt.spawn(async { 5 });
    tx.send(()).unwrap();
    assert_eq!(rt.block_on(task).unwrap(), 5);
    holder.join().unwrap();
}
