//! `weft::process`: spawning, pipes read line by line, exit statuses, kill,
//! `kill_on_drop`, and many children waited for at once.

use std::future::poll_fn;
use std::os::unix::process::ExitStatusExt;
use std::pin::Pin;
use std::process::Stdio;
use std::time::Duration;
use weft::io::{AsyncRead, AsyncWrite, ReadBuf};
use weft::process::{ChildStdout, Command};
use weft::runtime::{Builder, Runtime};
use weft_tests::poll_until;
use weft_tests::procfs::children;

fn runtimes() -> Vec<Runtime> {
    vec![
        Builder::new_current_thread().build().unwrap(),
        Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap(),
    ]
}

/// Reads lines from a pipe, one at a time.
struct Lines {
    pipe: ChildStdout,
    pending: Vec<u8>,
}

impl Lines {
    async fn next_line(&mut self) -> Option<String> {
        loop {
            if let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=end).collect();
                return Some(String::from_utf8(line[..end].to_vec()).unwrap());
            }
            let mut chunk = [0u8; 64];
            let mut buf = ReadBuf::new(&mut chunk);
            poll_fn(|cx| Pin::new(&mut self.pipe).poll_read(cx, &mut buf))
                .await
                .unwrap();
            if buf.filled().is_empty() {
                assert!(self.pending.is_empty(), "unterminated last line");
                return None;
            }
            self.pending.extend_from_slice(buf.filled());
        }
    }
}

async fn write_all(stdin: &mut weft::process::ChildStdin, mut data: &[u8]) {
    while !data.is_empty() {
        let n = poll_fn(|cx| Pin::new(&mut *stdin).poll_write(cx, data))
            .await
            .unwrap();
        data = &data[n..];
    }
}

#[test]
fn stdout_is_read_line_by_line() {
    for rt in runtimes() {
        rt.block_on(async {
            let mut child = Command::new("sh")
                .args(["-c", "for i in 1 2 3 4 5; do echo line $i; done"])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut lines = Lines {
                pipe: child.stdout.take().unwrap(),
                pending: Vec::new(),
            };
            for i in 1..=5 {
                assert_eq!(lines.next_line().await.unwrap(), format!("line {i}"));
            }
            assert_eq!(lines.next_line().await, None);
            assert!(child.wait().await.unwrap().success());
        });
    }
}

#[test]
fn a_conversation_over_stdin_and_stdout() {
    for rt in runtimes() {
        rt.block_on(async {
            let mut child = Command::new("sh")
                .args(["-c", "while read x; do echo \"got $x\"; done; echo bye"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            let mut lines = Lines {
                pipe: child.stdout.take().unwrap(),
                pending: Vec::new(),
            };
            // Each answer arrives before the next question is asked: the pipes are
            // live, not collected at exit.
            for word in ["alpha", "beta", "gamma"] {
                write_all(&mut stdin, format!("{word}\n").as_bytes()).await;
                assert_eq!(lines.next_line().await.unwrap(), format!("got {word}"));
            }
            poll_fn(|cx| Pin::new(&mut stdin).poll_shutdown(cx))
                .await
                .unwrap();
            assert_eq!(lines.next_line().await.unwrap(), "bye");
            assert!(child.wait().await.unwrap().success());
            let err = poll_fn(|cx| Pin::new(&mut stdin).poll_write(cx, b"late"))
                .await
                .unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
        });
    }
}

#[test]
fn output_status_env_and_directory() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let out = Command::new("sh")
            .args(["-c", "echo \"$WEFT_X\"; pwd; echo oops >&2; exit 7"])
            .env("WEFT_X", "from-env")
            .current_dir("/")
            .output()
            .await
            .unwrap();
        assert_eq!(out.status.code(), Some(7));
        assert_eq!(out.stdout, b"from-env\n/\n");
        assert_eq!(out.stderr, b"oops\n");

        // Large output on both pipes at once cannot deadlock.
        let out = Command::new("sh")
            .args([
                "-c",
                "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2",
            ])
            .output()
            .await
            .unwrap();
        assert!(out.status.success());
        assert_eq!((out.stdout.len(), out.stderr.len()), (300_000, 300_000));

        assert!(Command::new("true").status().await.unwrap().success());
        assert_eq!(
            Command::new("sh")
                .args(["-c", "exit 4"])
                .status()
                .await
                .unwrap()
                .code(),
            Some(4)
        );
        let err = Command::new("/no/such/program").output().await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    });
}

#[test]
fn kill_try_wait_and_id() {
    for rt in runtimes() {
        rt.block_on(async {
            let mut child = Command::new("sleep").arg("100").spawn().unwrap();
            let pid = child.id().unwrap();
            assert!(children().contains(&pid));
            assert!(child.try_wait().unwrap().is_none());
            child.kill().await.unwrap();
            assert_eq!(
                child.try_wait().unwrap().unwrap().signal(),
                Some(libc::SIGKILL)
            );
            assert_eq!(child.id(), None);
            // Killing a reaped child is a no-op.
            child.start_kill().unwrap();
            assert!(!children().contains(&pid));
        });
    }
}

#[test]
fn kill_on_drop_kills_and_the_child_is_reaped() {
    for rt in runtimes() {
        let pid = rt.block_on(async {
            let child = Command::new("sleep")
                .arg("1000")
                .kill_on_drop(true)
                .spawn()
                .unwrap();
            let pid = child.id().unwrap();
            drop(child);
            // The reaper task on this runtime collects it once it has died.
            let (tx, rx) = weft::sync::oneshot::channel();
            std::thread::spawn(move || {
                let gone = poll_until(Duration::from_secs(20), || !children().contains(&pid));
                tx.send(gone).unwrap();
            });
            assert!(rx.await.unwrap(), "killed child {pid} was not reaped");
            pid
        });
        assert!(!children().contains(&pid));
    }
}

#[test]
fn a_dropped_child_is_reaped_without_being_killed() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("weft-proc-drop-{}", std::process::id()));
        let marker = dir.with_extension("done");
        let _ = std::fs::remove_file(&marker);
        // Not killed: it finishes its work after we dropped it.
        let child = Command::new("sh")
            .args(["-c", "read x; touch \"$1\"", "sh"])
            .arg(&marker)
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id().unwrap();
        let mut child = child;
        let mut stdin = child.stdin.take().unwrap();
        drop(child);
        write_all(&mut stdin, b"go\n").await;
        drop(stdin);
        let (tx, rx) = weft::sync::oneshot::channel();
        std::thread::spawn(move || {
            let gone = poll_until(Duration::from_secs(20), || !children().contains(&pid));
            tx.send(gone).unwrap();
        });
        assert!(rx.await.unwrap(), "dropped child {pid} was not reaped");
        assert!(marker.exists(), "the dropped child was killed");
        std::fs::remove_file(&marker).unwrap();
    });
}

#[test]
fn many_children_waited_for_at_once() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let n = if cfg!(miri) { 2 } else { 20 };
    rt.block_on(async {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                weft::spawn(async move {
                    let status = Command::new("sh")
                        .args(["-c", &format!("exit {i}")])
                        .status()
                        .await
                        .unwrap();
                    status.code()
                })
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            assert_eq!(h.await.unwrap(), Some(i as i32));
        }
    });
}
