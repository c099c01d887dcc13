//! Running out of file descriptors: `accept` reports the exhaustion once, sheds the
//! connection it cannot serve, does not spin, and works again once descriptors are
//! free. Its own test binary, because it lowers `RLIMIT_NOFILE` for the process.

mod support;

use std::fs::File;
use std::future::Future;
use std::io;
use std::pin::pin;
use std::task::{Context, Waker};

use support::{block_on, read};
use weft_io::net::{DescriptorsExhausted, TcpListener, TcpStream};

/// The highest descriptor number open now.
fn highest_fd() -> u64 {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .max()
        .unwrap()
}

fn get_limit() -> libc::rlimit {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for getrlimit to fill.
    assert_eq!(
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
        0
    );
    limit
}

fn set_limit(limit: libc::rlimit) {
    // SAFETY: `limit` is a valid rlimit; lowering the soft limit needs no privilege.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
}

#[test]
fn accept_survives_descriptor_exhaustion() {
    block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();

        let original = get_limit();
        set_limit(libc::rlimit {
            rlim_cur: highest_fd() + 16,
            rlim_max: original.rlim_max,
        });

        // Use up every descriptor, then free exactly one for the client.
        let mut fillers = Vec::new();
        let exhausted = loop {
            match File::open("/dev/null") {
                Ok(file) => fillers.push(file),
                Err(e) => break e,
            }
        };
        assert_eq!(exhausted.raw_os_error(), Some(libc::EMFILE));
        fillers.pop();
        let mut client = TcpStream::connect(addr).await.unwrap();

        // The pending connection cannot be accepted: one error, connection shed.
        let err = listener.accept().await.unwrap_err();
        let info = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<DescriptorsExhausted>())
            .unwrap_or_else(|| panic!("unexpected error {err:?}"));
        assert_eq!(info.raw_os_error(), libc::EMFILE);
        assert_eq!(info.shed_connections(), 1);
        assert!(err.to_string().contains("out of file descriptors"));

        // The client sees its connection closed rather than hanging.
        let mut buf = [0; 1];
        match read(&mut client, &mut buf).await {
            Ok(0) => {}
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {}
            other => panic!("expected end of stream or reset, got {other:?}"),
        }

        // Nothing is pending any more, so accept waits instead of spinning.
        {
            let mut accept = pin!(listener.accept());
            let mut cx = Context::from_waker(Waker::noop());
            assert!(accept.as_mut().poll(&mut cx).is_pending());
        }

        // Once descriptors are free again the listener serves new connections.
        drop(fillers);
        drop(client);
        let client = TcpStream::connect(addr).await.unwrap();
        let (server, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        assert_eq!(server.peer_addr().unwrap(), client.local_addr().unwrap());

        set_limit(original);
    });
}
