//! The cancel-safety claims in the docs: dropping a pending future loses exactly
//! what its `# Cancel safety` section says, and no more.

mod support_io;

use support_io::{block_on, poll_once};
use weft_io::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, duplex};

#[test]
fn read_is_cancel_safe() {
    block_on(async {
        let (mut a, mut b) = duplex(16);
        let mut buf = [0u8; 8];
        assert!(poll_once(&mut b.read(&mut buf)).is_pending());
        a.write_all(b"kept").await.unwrap();
        assert_eq!(b.read(&mut buf).await.unwrap(), 4);
        assert_eq!(&buf[..4], b"kept");
    });
}

#[test]
fn write_is_cancel_safe() {
    block_on(async {
        let (mut a, mut b) = duplex(4);
        a.write_all(b"full").await.unwrap();
        // Pending on a full pipe, then dropped: nothing of "lost" was written.
        assert!(poll_once(&mut a.write(b"lost")).is_pending());
        a.shutdown().await.unwrap();
        let mut got = Vec::new();
        b.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"full");
    });
}

#[test]
fn read_to_end_keeps_what_it_read_when_cancelled() {
    block_on(async {
        let (mut a, mut b) = duplex(16);
        let mut got = Vec::new();
        a.write_all(b"part one, ").await.unwrap();
        assert!(poll_once(&mut b.read_to_end(&mut got)).is_pending());
        assert_eq!(got, b"part one, ");
        a.write_all(b"part two").await.unwrap();
        drop(a);
        b.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"part one, part two");
    });
}

#[test]
fn read_to_string_keeps_a_valid_prefix_when_cancelled() {
    block_on(async {
        let (mut a, mut b) = duplex(16);
        let mut text = String::new();
        a.write_all("né".as_bytes()).await.unwrap();
        assert!(poll_once(&mut b.read_to_string(&mut text)).is_pending());
        assert_eq!(text, "né");
        // Cut inside 'é' (0xC3 0xA9): the partial bytes cannot go into a String.
        a.write_all(b"\xC3").await.unwrap();
        assert!(poll_once(&mut b.read_to_string(&mut text)).is_pending());
        assert_eq!(text, "né");
    });
}

#[test]
fn read_until_keeps_partial_segment_when_cancelled() {
    block_on(async {
        let (mut a, b) = duplex(16);
        let mut b = BufReader::new(b);
        let mut seg = Vec::new();
        a.write_all(b"key").await.unwrap();
        assert!(poll_once(&mut b.read_until(b'=', &mut seg)).is_pending());
        assert_eq!(seg, b"key");
        a.write_all(b"=value").await.unwrap();
        let n = b.read_until(b'=', &mut seg).await.unwrap();
        // The second call counts only its own bytes; `seg` holds the whole segment.
        assert_eq!(n, 1);
        assert_eq!(seg, b"key=");
    });
}

#[test]
fn read_line_keeps_a_valid_partial_line_when_cancelled() {
    block_on(async {
        let (mut a, b) = duplex(16);
        let mut b = BufReader::new(b);
        let mut line = String::new();
        a.write_all(b"hel").await.unwrap();
        assert!(poll_once(&mut b.read_line(&mut line)).is_pending());
        assert_eq!(line, "hel");
        a.write_all(b"lo\r\n").await.unwrap();
        b.read_line(&mut line).await.unwrap();
        assert_eq!(line, "hello\r\n");
    });
}

#[test]
fn read_line_cut_inside_a_character_leaves_the_buffer_as_it_was() {
    block_on(async {
        let (mut a, b) = duplex(16);
        let mut b = BufReader::new(b);
        let mut line = String::from("x");
        a.write_all(b"caf\xC3").await.unwrap();
        assert!(poll_once(&mut b.read_line(&mut line)).is_pending());
        // As documented: not valid alone, so the partial line is dropped.
        assert_eq!(line, "x");
    });
}

#[test]
fn next_line_is_cancel_safe() {
    block_on(async {
        let (mut a, b) = duplex(16);
        let mut lines = BufReader::new(b).lines();
        // Even a cut inside a multi-byte character loses nothing here.
        a.write_all(b"caf\xC3").await.unwrap();
        assert!(poll_once(&mut lines.next_line()).is_pending());
        a.write_all(b"\xA9\nnext").await.unwrap();
        drop(a);
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("café"));
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("next"));
        assert_eq!(lines.next_line().await.unwrap(), None);
    });
}

#[test]
fn next_segment_is_cancel_safe() {
    block_on(async {
        let (mut a, b) = duplex(16);
        let mut parts = AsyncBufReadExt::split(BufReader::new(b), b',');
        a.write_all(b"ab").await.unwrap();
        assert!(poll_once(&mut parts.next_segment()).is_pending());
        a.write_all(b"c,d").await.unwrap();
        drop(a);
        assert_eq!(parts.next_segment().await.unwrap().unwrap(), b"abc");
        assert_eq!(parts.next_segment().await.unwrap().unwrap(), b"d");
        assert!(parts.next_segment().await.unwrap().is_none());
    });
}
