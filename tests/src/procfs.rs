//! Reading this process's threads and children from `/proc` (Linux), so tests can
//! check thread caps, idle exits and reaped children by looking rather than guessing.

use std::fs;

/// How many threads of this process are named `name` (Linux: reads
/// `/proc/self/task/*/comm`). The kernel keeps at most 15 bytes of a thread name,
/// so a longer `name` is compared by its first 15 bytes.
///
/// Two windows to keep in mind: a new thread names itself when it starts, so count
/// only after it signalled that it runs; and a thread that was just joined may stay
/// listed for a moment while the kernel reaps it, so to see threads go away, use
/// [`wait_until`](crate::wait_until) (to prove a thread was *joined*, use an
/// `on_thread_stop` hook). Without a readable `/proc/self/task` it counts 0.
///
/// ```
/// let (started_tx, started) = std::sync::mpsc::channel();
/// let (stop_tx, stop) = std::sync::mpsc::channel::<()>();
/// let t = std::thread::Builder::new()
///     .name("doc-counted".into())
///     .spawn(move || {
///         started_tx.send(()).unwrap();
///         let _ = stop.recv();
///     })
///     .unwrap();
/// started.recv().unwrap();
/// assert_eq!(weft_tests::procfs::threads_named("doc-counted"), 1);
/// drop(stop_tx);
/// t.join().unwrap();
/// weft_tests::wait_until("the thread is reaped", || {
///     weft_tests::procfs::threads_named("doc-counted") == 0
/// });
/// ```
pub fn threads_named(name: &str) -> usize {
    let short = &name.as_bytes()[..name.len().min(15)];
    let Ok(tasks) = fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(Result::ok)
        .filter_map(|t| fs::read(t.path().join("comm")).ok())
        .filter(|comm| comm.strip_suffix(b"\n").unwrap_or(comm) == short)
        .count()
}

/// The pids of this process's children that are zombies (state `Z`).
pub fn zombie_children() -> Vec<u32> {
    children_where(|state| state == 'Z')
}

/// The pids of this process's children, in any state.
pub fn children() -> Vec<u32> {
    children_where(|_| true)
}

fn children_where(keep: impl Fn(char) -> bool) -> Vec<u32> {
    let me = std::process::id();
    let Ok(procs) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    procs
        .filter_map(Result::ok)
        .filter_map(|p| p.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| {
            let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses,
            // so parse from the last ')'.
            let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
                return false;
            };
            let mut fields = rest.split_whitespace();
            let state = fields.next().and_then(|s| s.chars().next());
            let ppid = fields.next().and_then(|p| p.parse::<u32>().ok());
            ppid == Some(me) && state.is_some_and(&keep)
        })
        .collect()
}
