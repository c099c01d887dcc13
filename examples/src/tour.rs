//! The tour: the patterns of Python's asyncio, threading and concurrent.futures
//! tutorials, each run in weft and reported with timings, so a reader can see that
//! concurrent waits overlap, limits hold, and CPU-bound work uses every core.
//!
//! Invariant: every section checks its own result (an `assert!` on what the pattern
//! guarantees, never on a timing), so the tour doubles as a smoke test; the timings
//! it prints are for the reader.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use weft::future::{ReturnWhen, as_completed, gather, shield, wait};
use weft::queue::Queue;
use weft::stream::StreamExt;
use weft::sync::{Barrier, Event, Mutex, Semaphore};
use weft::time::{Instant, sleep, timeout};

/// How much CPU work the last-but-one section does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// About a second of work on one core in a release build.
    Full,
    /// A few milliseconds (for tests and debug builds).
    Quick,
}

/// What the tour measured.
#[derive(Debug, Clone)]
pub struct TourSummary {
    /// Sections run (each checked its own result).
    pub sections: usize,
    /// Worker threads the CPU-bound section spread its work over.
    pub workers: usize,
    /// Time of the CPU-bound work on one core divided by its time spread over the
    /// workers.
    pub speedup: f64,
}

/// Milliseconds since `start`, for the printed lines.
fn at(start: Instant) -> String {
    format!("{:>5} ms", start.elapsed().as_millis())
}

fn section(n: usize, title: &str) -> Instant {
    println!("\n{n:>2}. {title}");
    Instant::now()
}

/// Runs every section on the current runtime, printing what happens, and returns
/// the measurements.
///
/// ```
/// use weft_examples::tour::{Effort, run};
///
/// weft::run(async {
///     let summary = run(Effort::Quick).await;
///     assert_eq!(summary.sections, 12);
///     assert!(summary.speedup > 0.0);
/// });
/// ```
pub async fn run(effort: Effort) -> TourSummary {
    tasks_and_gather().await;
    wait_modes().await;
    completion_order().await;
    wait_for().await;
    shielding().await;
    semaphore_workers().await;
    producer_consumer().await;
    threads_and_tasks_share_a_queue().await;
    mutex_event_barrier().await;
    to_thread().await;
    let (workers, speedup) = cpu_bound(effort).await;
    local_http_fetch().await;
    TourSummary {
        sections: 12,
        workers,
        speedup,
    }
}

/// asyncio.create_task + asyncio.gather: three waits overlap.
async fn tasks_and_gather() {
    let start = section(1, "tasks and gather (asyncio.create_task, asyncio.gather)");
    let tasks = [300u64, 100, 200].map(|ms| {
        weft::spawn(async move {
            sleep(Duration::from_millis(ms)).await;
            ms
        })
    });
    let results: Vec<u64> = gather(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(results, [300, 100, 200]);
    println!(
        "    3 tasks sleeping 300/100/200 ms, gathered in input order {results:?} at {}",
        at(start)
    );
    println!("    (about 300 ms, not 600: they waited at the same time)");
}

/// asyncio.wait with each return_when.
async fn wait_modes() {
    let start = section(
        2,
        "wait with FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED",
    );
    let sleeper = |ms: u64, fail: bool| {
        weft::spawn(async move {
            sleep(Duration::from_millis(ms)).await;
            if fail {
                Err(format!("task of {ms} ms failed"))
            } else {
                Ok(ms)
            }
        })
    };
    let (done, pending) = wait(
        [sleeper(150, false), sleeper(50, false), sleeper(100, false)],
        ReturnWhen::FirstCompleted,
        None,
    )
    .await;
    assert_eq!(done[0].0, 1);
    println!(
        "    FirstCompleted: task #{} done at {}, {} still pending",
        done[0].0,
        at(start),
        pending.len()
    );
    let (rest, _) = wait(
        pending.into_iter().map(|(_, t)| t),
        ReturnWhen::AllCompleted,
        None,
    )
    .await;
    assert_eq!(rest.len(), 2);
    println!(
        "    AllCompleted:   the other {} done at {}",
        rest.len(),
        at(start)
    );

    // Plain futures this time (run inside this task), so a failure is the future's
    // own `Err` and the ones still pending are cancelled simply by dropping them.
    let start = Instant::now();
    let attempt = |ms: u64, fail: bool| async move {
        sleep(Duration::from_millis(ms)).await;
        if fail {
            Err(format!("attempt of {ms} ms failed"))
        } else {
            Ok(ms)
        }
    };
    let (done, pending) = wait(
        [attempt(300, false), attempt(50, true), attempt(20, false)],
        ReturnWhen::FirstError,
        None,
    )
    .await;
    let failed = done.iter().find(|(_, r)| r.is_err()).expect("one failed");
    assert_eq!((failed.0, pending.len()), (1, 1));
    println!(
        "    FirstError:     {} finished, the first failure (#{}) at {}; {} pending, dropped (cancelled)",
        done.len(),
        failed.0,
        at(start),
        pending.len()
    );
}

/// asyncio.as_completed: results in the order they finish.
async fn completion_order() {
    let start = section(3, "as_completed");
    let mut stream = as_completed([300u64, 100, 200].map(|ms| async move {
        sleep(Duration::from_millis(ms)).await;
        ms
    }));
    let mut order = Vec::new();
    while let Some((index, ms)) = stream.next().await {
        println!("    input #{index} ({ms} ms) finished at {}", at(start));
        order.push(ms);
    }
    assert_eq!(order, [100, 200, 300]);
}

/// asyncio.wait_for: a deadline on one await.
async fn wait_for() {
    let start = section(4, "wait_for / timeout");
    let fast = timeout(Duration::from_millis(200), sleep(Duration::from_millis(20))).await;
    assert!(fast.is_ok());
    println!(
        "    a 20 ms wait under a 200 ms timeout: finished at {}",
        at(start)
    );
    let start = Instant::now();
    let slow = timeout(Duration::from_millis(50), sleep(Duration::from_secs(10))).await;
    assert!(slow.is_err());
    println!(
        "    a 10 s wait under a 50 ms timeout: gave up at {} ({})",
        at(start),
        slow.unwrap_err()
    );
}

/// asyncio.shield: a timeout that does not cancel the work.
async fn shielding() {
    let start = section(5, "shield");
    let mut saved = shield(async {
        sleep(Duration::from_millis(150)).await;
        "the shielded write"
    });
    let outcome = timeout(Duration::from_millis(50), &mut saved).await;
    assert!(outcome.is_err());
    println!("    the caller stopped waiting at {}", at(start));
    let finished = saved.await;
    println!("    ...and {finished} still completed at {}", at(start));
}

/// A Semaphore bounding how many workers run at once.
async fn semaphore_workers() {
    let start = section(6, "Semaphore-limited workers (asyncio.Semaphore)");
    let limit = Arc::new(Semaphore::new(3));
    let (running, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let jobs = (0..10).map(|_| {
        let (limit, running, peak) = (limit.clone(), running.clone(), peak.clone());
        weft::spawn(async move {
            let _permit = limit.acquire().await.unwrap();
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            sleep(Duration::from_millis(50)).await;
            running.fetch_sub(1, Ordering::SeqCst);
        })
    });
    gather(jobs).await;
    let peak = peak.load(Ordering::SeqCst);
    assert!(peak <= 3);
    println!(
        "    10 jobs of 50 ms, at most 3 at once (peak seen: {peak}): done at {}",
        at(start)
    );
    println!("    (about 200 ms: four waves)");
}

/// asyncio.Queue: producers, consumers, task_done and join.
async fn producer_consumer() {
    let start = section(7, "producer/consumer over Queue with task_done and join");
    let queue: Queue<u32> = Queue::bounded(4);
    let consumed = Arc::new(AtomicUsize::new(0));
    let consumers: Vec<_> = (0..2)
        .map(|_| {
            let (queue, consumed) = (queue.clone(), consumed.clone());
            weft::spawn(async move {
                while let Ok(item) = queue.get().await {
                    sleep(Duration::from_millis(u64::from(item % 3))).await;
                    consumed.fetch_add(1, Ordering::SeqCst);
                    queue.task_done().unwrap();
                }
            })
        })
        .collect();
    let producers = (0..3u32).map(|p| {
        let queue = queue.clone();
        weft::spawn(async move {
            for i in 0..20 {
                queue.put(p * 100 + i).await.unwrap();
            }
        })
    });
    gather(producers).await;
    queue.join().await;
    assert_eq!(consumed.load(Ordering::SeqCst), 60);
    println!(
        "    3 producers put 60 items through a queue of 4; join() returned at {}",
        at(start)
    );
    queue.close();
    gather(consumers).await;
    println!(
        "    closed the queue: both consumers finished at {}",
        at(start)
    );
}

/// threading + asyncio: plain threads and tasks sharing one Queue.
async fn threads_and_tasks_share_a_queue() {
    let start = section(8, "threads and tasks sharing a Queue");
    let queue: Queue<String> = Queue::bounded(8);
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let queue = queue.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    queue.put_blocking(format!("thread {t} item {i}")).unwrap();
                }
            })
        })
        .collect();
    let got = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let (queue, got) = (queue.clone(), got.clone());
            weft::spawn(async move {
                while let Ok(_item) = queue.get().await {
                    got.fetch_add(1, Ordering::SeqCst);
                    queue.task_done().unwrap();
                }
            })
        })
        .collect();
    queue.join().await;
    // The threads put everything before join could see the queue drained for good.
    weft::spawn_blocking(move || threads.into_iter().for_each(|t| t.join().unwrap()))
        .await
        .unwrap();
    queue.join().await;
    queue.close();
    gather(tasks).await;
    assert_eq!(got.load(Ordering::SeqCst), 50);
    println!(
        "    2 OS threads put_blocking 50 items, 3 tasks got them all by {}",
        at(start)
    );
}

/// threading.Lock / Event / Barrier, async.
async fn mutex_event_barrier() {
    let start = section(9, "Mutex, Event, Barrier");
    let counter = Arc::new(Mutex::new(0u32));
    let adders = (0..50).map(|_| {
        let counter = counter.clone();
        weft::spawn(async move {
            for _ in 0..100 {
                let mut n = counter.lock().await;
                let seen = *n;
                weft::task::yield_now().await; // hold the lock across a suspension
                *n = seen + 1;
            }
        })
    });
    gather(adders).await;
    assert_eq!(*counter.lock().await, 5000);
    println!(
        "    50 tasks × 100 increments under a Mutex held across awaits: {} at {}",
        5000,
        at(start)
    );

    let start = Instant::now();
    let event = Arc::new(Event::new());
    let waiters: Vec<_> = (0..3)
        .map(|_| {
            let event = event.clone();
            weft::spawn(async move {
                event.wait().await;
                Instant::now()
            })
        })
        .collect();
    sleep(Duration::from_millis(50)).await;
    event.set();
    gather(waiters).await;
    println!(
        "    3 tasks waited on an Event set after 50 ms: all released at {}",
        at(start)
    );

    let start = Instant::now();
    let barrier = Arc::new(Barrier::new(4));
    let arrivals = (1..=4u64).map(|i| {
        let barrier = barrier.clone();
        weft::spawn(async move {
            sleep(Duration::from_millis(20 * i)).await;
            barrier.wait().await.is_leader()
        })
    });
    let leaders = gather(arrivals)
        .await
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    assert_eq!(leaders, 1);
    println!(
        "    4 tasks arriving at 20..80 ms passed a Barrier together at {} (one leader)",
        at(start)
    );
}

/// asyncio.to_thread / run_in_executor: blocking calls on the blocking pool.
async fn to_thread() {
    let start = section(10, "to_thread (spawn_blocking)");
    let blocking = (0..4).map(|i| {
        weft::spawn_blocking(move || {
            std::thread::sleep(Duration::from_millis(100)); // a blocking call, e.g. a C library
            i
        })
    });
    let ticks = weft::spawn(async {
        let mut n = 0;
        for _ in 0..5 {
            sleep(Duration::from_millis(15)).await;
            n += 1;
        }
        n
    });
    let done: Vec<i32> = gather(blocking)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(done, [0, 1, 2, 3]);
    let ticks = ticks.await.unwrap();
    println!(
        "    4 blocking calls of 100 ms on pool threads: done at {}; meanwhile a task ticked {ticks} times",
        at(start)
    );
}

/// A little CPU work: the total Collatz path length of `n..n + span`.
fn collatz(n: u64, span: u64) -> u64 {
    (n..n + span)
        .map(|mut x| {
            let mut steps = 0;
            while x > 1 {
                x = if x % 2 == 0 { x / 2 } else { 3 * x + 1 };
                steps += 1;
            }
            steps
        })
        .sum()
}

/// concurrent.futures.ProcessPoolExecutor's job, without processes: CPU-bound work
/// spread over the worker threads (no GIL), compared with one core.
async fn cpu_bound(effort: Effort) -> (usize, f64) {
    section(
        11,
        "CPU-bound work across cores (ProcessPoolExecutor without processes)",
    );
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (chunks, span) = match effort {
        Effort::Full => (64u64, 40_000u64),
        Effort::Quick => (16, 2_000),
    };
    // One core: every chunk in turn on one blocking-pool thread.
    let t = Instant::now();
    let one: u64 =
        weft::spawn_blocking(move || (0..chunks).map(|c| collatz(c * span + 1, span)).sum())
            .await
            .unwrap();
    let one_core = t.elapsed();
    // Every core: one task per chunk; idle workers steal them.
    let t = Instant::now();
    let parts = (0..chunks).map(|c| weft::spawn(async move { collatz(c * span + 1, span) }));
    let all: u64 = gather(parts).await.into_iter().map(|r| r.unwrap()).sum();
    let spread = t.elapsed();
    assert_eq!(one, all);
    let speedup = one_core.as_secs_f64() / spread.as_secs_f64().max(1e-9);
    println!("    {chunks} chunks, checksum {all}");
    println!("    one core:              {one_core:>10.1?}");
    println!("    spread over {workers} cores:  {spread:>10.1?}   speed-up ×{speedup:.2}");
    if workers > 1 && speedup < 1.2 {
        println!("    (little speed-up: the other cores were busy with other programs)");
    }
    (workers, speedup)
}

/// aiohttp's hello world: a local HTTP server and concurrent fetches.
async fn local_http_fetch() {
    use crate::http::{client, server};
    let start = section(12, "a local HTTP fetch (aiohttp's example, on loopback)");
    let listener = weft::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().unwrap();
    let stop = Arc::new(Event::new());
    let running = weft::spawn(server::serve(
        listener,
        server::HttpConfig::default(),
        stop.clone(),
    ));
    let urls = ["/", "/sleep?ms=100", "/sleep?ms=200"].map(|p| format!("http://{addr}{p}"));
    let pages = gather(urls.iter().map(|u| client::get(u, Duration::from_secs(5)))).await;
    for (url, page) in urls.iter().zip(&pages) {
        let page = page.as_ref().expect("the local server answers");
        assert_eq!(page.status, 200);
        println!("    {} {:>3} bytes  {url}", page.status, page.body.len());
    }
    println!(
        "    3 fetches, the slowest 200 ms, all done at {}",
        at(start)
    );
    stop.set();
    let summary = running.await.unwrap().unwrap();
    assert_eq!(summary.requests, 3);
}
