//! Misuse of `Queue` is reported, not absorbed: `task_done` called more often than
//! items were put is an error, and the blocking methods panic with a message that
//! says what to do when called on a thread that runs weft tasks — while they work on
//! the blocking pool.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use weft::queue::Queue;
use weft_tests::sync_support::{Flavour, on_every_flavour};

#[test]
fn task_done_more_often_than_items_put_is_an_error() {
    on_every_flavour(|flavour| async move {
        let q = Queue::new();
        let err = q.task_done().expect_err("nothing was put");
        assert!(err.to_string().contains("task_done"), "{err}");
        q.put('a').await.unwrap();
        q.put('b').await.unwrap();
        assert_eq!(q.get().await, Ok('a'));
        assert_eq!(q.get().await, Ok('b'));
        q.task_done().unwrap();
        q.task_done().unwrap();
        assert!(
            q.task_done().is_err(),
            "{flavour:?}: a third task_done for two items"
        );
        // The error changed nothing: the queue still counts and joins correctly.
        q.join().await;
        q.put('c').await.unwrap();
        assert_eq!(q.try_get(), Ok('c'));
        q.task_done().unwrap();
        q.join().await;
    });
}

/// The panic message of a payload, whatever string type it is.
fn message(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .unwrap_or_else(|| "<not a string>".to_owned()),
    }
}

fn assert_blocking_message(msg: &str, method: &str) {
    assert!(
        msg.contains(&format!("`{method}` blocks the thread"))
            && msg.contains("running weft tasks")
            && msg.contains("spawn_blocking"),
        "unexpected panic message: {msg}"
    );
}

#[test]
fn blocking_methods_panic_inside_a_runtime_task() {
    on_every_flavour(|flavour| async move {
        // An item is there, so the call would not even block: it must panic anyway.
        let q = Queue::bounded(4);
        q.try_put(1).unwrap();
        let q2 = q.clone();
        let err = weft::spawn(async move { q2.get_blocking() })
            .await
            .unwrap_err();
        assert!(err.is_panic(), "{flavour:?}");
        assert_blocking_message(&message(err.into_panic()), "Queue::get_blocking");
        let q2 = q.clone();
        let err = weft::spawn(async move { q2.put_blocking(2) })
            .await
            .unwrap_err();
        assert!(err.is_panic(), "{flavour:?}");
        assert_blocking_message(&message(err.into_panic()), "Queue::put_blocking");
        // Nothing was taken or put by the refused calls.
        assert_eq!(q.len(), 1, "{flavour:?}");
        // On the blocking pool they are fine.
        let q2 = q.clone();
        let got = weft::spawn_blocking(move || {
            q2.put_blocking(2).unwrap();
            q2.get_blocking()
        })
        .await
        .unwrap();
        assert_eq!(got, Ok(1), "{flavour:?}");
    });
}

#[test]
fn blocking_methods_panic_in_the_block_on_future() {
    for flavour in Flavour::ALL {
        let rt = flavour.runtime();
        let q = Queue::<u8>::new();
        q.try_put(1).unwrap();
        let payload = catch_unwind(AssertUnwindSafe(|| rt.block_on(async { q.get_blocking() })))
            .expect_err("get_blocking in block_on must panic");
        assert_blocking_message(&message(payload), "Queue::get_blocking");
        // The runtime is still usable after the refused call.
        assert_eq!(rt.block_on(async { q.get().await }), Ok(1), "{flavour:?}");
    }
}
