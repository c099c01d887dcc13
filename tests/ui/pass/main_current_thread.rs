//! The current-thread flavour on `main`; `main` spawns and awaits a task.

#[weft::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let handle = weft::spawn(async { String::from("done") });
    assert_eq!(handle.await.unwrap(), "done");
}
