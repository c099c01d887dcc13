//! Models of the local run queue: owner push/pop racing a stealer, and overflow to
//! the injection queue racing a stealer. Every task pushed must come out exactly
//! once, through a pop, a steal or the overflow. Loom under `--cfg loom` (the
//! queue has 4 slots there), real threads otherwise (and Miri).

use super::queue::{self, TEST_CAPACITY};
use crate::loom::thread;
use crate::runtime::scheduler::inject::Inject;
use crate::task::test_util::{TestSched, model};
use crate::task::{Meta, Notified, new_task};
use std::sync::Arc;

type S = Arc<TestSched>;

fn notified(sched: &S) -> Notified<S> {
    let (task, notified, join) = new_task(async {}, sched.clone(), Meta::new(None));
    drop(join);
    sched.owned.bind(task, notified).expect("scheduler open")
}

fn drain_local(local: &mut queue::Local<S>) -> usize {
    let mut n = 0;
    while local.pop().is_some() {
        n += 1;
    }
    n
}

#[test]
fn push_pop_race_with_steal() {
    model(|| {
        let sched = TestSched::new();
        let inject = Arc::new(Inject::new());
        let (steal, mut local) = queue::local::<S>();
        let pushed = 3;
        for _ in 0..pushed {
            local.push_back_or_overflow(notified(&sched), &*inject);
        }
        let stealer = thread::spawn(move || {
            let (_, mut dst) = queue::local::<S>();
            let mut n = 0;
            if steal.steal_into(&mut dst).is_some() {
                n += 1;
            }
            n + drain_local(&mut dst)
        });
        let mut n = 0;
        if local.pop().is_some() {
            n += 1;
        }
        let stolen = stealer.join().unwrap();
        n += drain_local(&mut local);
        let mut overflowed = 0;
        while inject.pop().is_some() {
            overflowed += 1;
        }
        assert_eq!(n + stolen + overflowed, pushed);
        sched.shutdown();
        assert!(sched.owned.is_empty());
    });
}

#[test]
fn overflow_race_with_steal() {
    model(|| {
        let sched = TestSched::new();
        let inject = Arc::new(Inject::new());
        let (steal, mut local) = queue::local::<S>();
        let pushed = TEST_CAPACITY + 2;
        for _ in 0..TEST_CAPACITY {
            local.push_back_or_overflow(notified(&sched), &*inject);
        }
        let stealer = thread::spawn(move || {
            let (_, mut dst) = queue::local::<S>();
            let first = usize::from(steal.steal_into(&mut dst).is_some());
            first + drain_local(&mut dst)
        });
        for _ in TEST_CAPACITY..pushed {
            local.push_back_or_overflow(notified(&sched), &*inject);
        }
        let stolen = stealer.join().unwrap();
        let mut n = drain_local(&mut local);
        while inject.pop().is_some() {
            n += 1;
        }
        assert_eq!(n + stolen, pushed);
        sched.shutdown();
        assert!(sched.owned.is_empty());
    });
}

#[test]
fn two_stealers_never_take_the_same_task() {
    model(|| {
        let sched = TestSched::new();
        let inject = Inject::new();
        let (steal, mut local) = queue::local::<S>();
        let pushed = 4.min(TEST_CAPACITY);
        for _ in 0..pushed {
            local.push_back_or_overflow(notified(&sched), &inject);
        }
        let steal2 = steal.clone();
        let spawn_stealer = |steal: queue::Steal<S>| {
            thread::spawn(move || {
                let (_, mut dst) = queue::local::<S>();
                let first = usize::from(steal.steal_into(&mut dst).is_some());
                first + drain_local(&mut dst)
            })
        };
        let a = spawn_stealer(steal);
        let b = spawn_stealer(steal2);
        let stolen = a.join().unwrap() + b.join().unwrap();
        assert_eq!(stolen + drain_local(&mut local), pushed);
        sched.shutdown();
    });
}
