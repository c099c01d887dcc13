//! Reading this process's threads and children from `/proc` (Linux), so tests can
//! check thread caps, idle exits and reaped children by looking rather than guessing.

use std::fs;
use std::time::{Duration, Instant};

/// How many threads of this process are named `name` (as `/proc` shows it: the
/// first 15 bytes).
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

/// Polls `cond` until it holds or `deadline` passes; returns whether it held.
/// For waiting on something only `/proc` can show (a thread or process going away):
/// the deadline is generous and the condition is the event waited for.
pub fn wait_until(deadline: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + deadline;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::yield_now();
        std::thread::sleep(Duration::from_millis(2));
    }
}
