//! No zombie left: after children that were waited for, collected with `output`,
//! killed, dropped with `kill_on_drop`, or dropped running, none of this process's
//! children is left in state Z. Alone in its binary so no other test's children
//! are in flight while it looks.

use std::process::Stdio;
use std::time::Duration;
use weft::process::Command;
use weft_tests::poll_until;
use weft_tests::procfs::{children, zombie_children};

#[test]
fn no_zombie_is_left_behind() {
    let rt = weft::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let rounds = if cfg!(miri) { 1 } else { 5 };
        for _ in 0..rounds {
            Command::new("true").status().await.unwrap();
            Command::new("echo").arg("x").output().await.unwrap();
            let mut sleeper = Command::new("sleep").arg("100").spawn().unwrap();
            sleeper.kill().await.unwrap();
            drop(
                Command::new("sleep")
                    .arg("100")
                    .kill_on_drop(true)
                    .spawn()
                    .unwrap(),
            );
            // Dropped while running, not killed: it exits on its own soon.
            drop(
                Command::new("sh")
                    .args(["-c", "exit 0"])
                    .stdout(Stdio::null())
                    .spawn()
                    .unwrap(),
            );
        }
        // The orphans are reaped by a task on this runtime: wait (off the runtime's
        // threads) for the last of them to go.
        let (tx, rx) = weft::sync::oneshot::channel();
        std::thread::spawn(move || {
            tx.send(poll_until(Duration::from_secs(30), || {
                children().is_empty()
            }))
            .unwrap();
        });
        assert!(rx.await.unwrap(), "children left: {:?}", children());
    });
    assert_eq!(zombie_children(), Vec::<u32>::new());
    assert_eq!(children(), Vec::<u32>::new());
}
