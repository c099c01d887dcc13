//! The chat server behind the `chat` example: every line a client sends goes to every
//! other client, through one `broadcast` channel and a bounded write queue per client.
//!
//! Invariant: a slow client never stalls the others. Each client has a forwarder task
//! that moves messages from the broadcast channel into that client's bounded queue
//! with `try_send`, never waiting; a writer task drains the queue into the socket. If
//! the client stops reading, its socket buffers fill, its writer blocks, its queue
//! fills, and the next `try_send` fails: the client is dropped (both its tasks
//! aborted, so the socket closes) while everyone else carries on.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use weft::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use weft::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use weft::net::{TcpListener, TcpStream};
use weft::sync::Event;
use weft::sync::broadcast::{self, error::RecvError};
use weft::sync::mpsc::{self, error::TrySendError};

use crate::stop::unless_stopped;

/// Limits of a chat server.
#[derive(Debug, Clone, Copy)]
pub struct ChatConfig {
    /// Messages waiting to be written to one client before it counts as too slow.
    pub queue: usize,
    /// Longest accepted line in bytes; a client sending a longer one is disconnected.
    pub max_line: usize,
}

impl Default for ChatConfig {
    /// A 64-message queue per client and 8 KiB lines.
    ///
    /// ```
    /// let c = weft_examples::chat::ChatConfig::default();
    /// assert_eq!((c.queue, c.max_line), (64, 8192));
    /// ```
    fn default() -> Self {
        ChatConfig {
            queue: 64,
            max_line: 8192,
        }
    }
}

/// Something that happened to a client, reported to the server's event callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatEvent {
    /// A client connected and now receives messages.
    Joined(SocketAddr),
    /// A client disconnected.
    Left(SocketAddr),
    /// A client did not read fast enough and was disconnected.
    DroppedSlow(SocketAddr),
    /// A client sent a line over the limit and was disconnected.
    LineTooLong(SocketAddr),
}

impl fmt::Display for ChatEvent {
    /// ```
    /// use weft_examples::chat::ChatEvent;
    /// let addr = "127.0.0.1:5000".parse().unwrap();
    /// assert_eq!(ChatEvent::DroppedSlow(addr).to_string(), "dropped slow client 127.0.0.1:5000");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChatEvent::Joined(a) => write!(f, "joined {a}"),
            ChatEvent::Left(a) => write!(f, "left {a}"),
            ChatEvent::DroppedSlow(a) => write!(f, "dropped slow client {a}"),
            ChatEvent::LineTooLong(a) => write!(f, "dropped {a}: line too long"),
        }
    }
}

/// A message on the hub. `leave` marks the reader's last word, which tells that
/// client's own forwarder to finish.
#[derive(Debug, Clone)]
struct Message {
    from: u64,
    text: Arc<str>,
    leave: bool,
}

/// Messages the hub holds for forwarders that are momentarily behind.
const HUB_CAPACITY: usize = 1024;

type OnEvent = Arc<dyn Fn(ChatEvent) + Send + Sync>;

/// Runs a chat server on `listener` until `stop` is set, calling `on_event` for each
/// client that joins, leaves or is dropped.
///
/// ```
/// use std::sync::Arc;
/// use weft::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
/// use weft_examples::chat::{ChatConfig, ChatEvent, serve};
///
/// weft::run(async {
///     let listener = weft::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let addr = listener.local_addr().unwrap();
///     let stop = Arc::new(weft::sync::Event::new());
///     let (tx, mut events) = weft::sync::mpsc::unbounded_channel();
///     let server = weft::spawn(serve(listener, ChatConfig::default(), stop.clone(), move |e| {
///         let _ = tx.send(e);
///     }));
///
///     let mut alice = weft::net::TcpStream::connect(addr).await.unwrap();
///     let bob = weft::net::TcpStream::connect(addr).await.unwrap();
///     let bob_addr = bob.local_addr().unwrap();
///     // Wait until both have joined, so both receive what is said next.
///     while events.recv().await != Some(ChatEvent::Joined(bob_addr)) {}
///
///     alice.write_all(b"hi all\n").await.unwrap();
///     let mut bob = BufReader::new(bob);
///     // Bob may first hear the server announce Alice ("* ... joined"), depending on
///     // which of the two sessions subscribed to the hub first.
///     let mut line = String::new();
///     while line.is_empty() || line.starts_with("* ") {
///         line.clear();
///         bob.read_line(&mut line).await.unwrap();
///     }
///     assert!(line.ends_with(": hi all\n"), "{line}");
///     stop.set();
///     server.await.unwrap().unwrap();
/// });
/// ```
pub async fn serve(
    listener: TcpListener,
    config: ChatConfig,
    stop: Arc<Event>,
    on_event: impl Fn(ChatEvent) + Send + Sync + 'static,
) -> io::Result<()> {
    let on_event: OnEvent = Arc::new(on_event);
    let (hub, _) = broadcast::channel::<Message>(HUB_CAPACITY);
    let mut next_id = 0;
    while let Some(accepted) = unless_stopped(listener.accept(), &stop).await {
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => continue,
            Err(e) => return Err(e),
        };
        next_id += 1;
        weft::spawn(client(
            next_id,
            stream,
            peer,
            hub.clone(),
            config,
            on_event.clone(),
        ));
    }
    Ok(())
}

/// How a client's session ended.
enum Ending {
    Left,
    Slow,
}

/// One client's session: starts its reader and writer, then forwards hub messages
/// into its queue until it leaves or falls behind.
async fn client(
    id: u64,
    stream: TcpStream,
    peer: SocketAddr,
    hub: broadcast::Sender<Message>,
    config: ChatConfig,
    on_event: OnEvent,
) {
    let (rd, wr) = stream.into_split();
    // Subscribe before anything is announced, so this client misses nothing said
    // after it is reported as joined.
    let mut inbox = hub.subscribe();
    let (queue, queued) = mpsc::channel::<Arc<str>>(config.queue.max(1));
    let writer = weft::spawn(write_loop(wr, queued));
    let reader = weft::spawn(read_loop(
        id,
        rd,
        peer,
        hub.clone(),
        config.max_line,
        on_event.clone(),
    ));
    on_event(ChatEvent::Joined(peer));
    let _ = hub.send(notice(id, format!("* {peer} joined\n"), false));

    let ending = loop {
        match inbox.recv().await {
            Ok(msg) if msg.from == id => {
                if msg.leave {
                    break Ending::Left;
                }
            }
            Ok(msg) => match queue.try_send(msg.text) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => break Ending::Slow,
                // The writer failed: the client is gone.
                Err(TrySendError::Closed(_)) => break Ending::Left,
            },
            // Messages this client will never see: as bad as a full queue.
            Err(RecvError::Lagged(_)) => break Ending::Slow,
            Err(RecvError::Closed) => break Ending::Left,
        }
    };
    match ending {
        Ending::Left => {
            // Let the writer flush what is queued, then it ends with the queue.
            drop(queue);
            let _ = writer.await;
            reader.abort();
        }
        Ending::Slow => {
            // Aborting both halves' tasks drops both halves, which closes the socket.
            reader.abort();
            writer.abort();
            on_event(ChatEvent::DroppedSlow(peer));
            let _ = hub.send(notice(
                id,
                format!("* {peer} was too slow and was dropped\n"),
                false,
            ));
        }
    }
}

fn notice(from: u64, text: String, leave: bool) -> Message {
    Message {
        from,
        text: text.into(),
        leave,
    }
}

/// Reads the client's lines and broadcasts them, until it leaves.
async fn read_loop(
    id: u64,
    rd: OwnedReadHalf,
    peer: SocketAddr,
    hub: broadcast::Sender<Message>,
    max_line: usize,
    on_event: OnEvent,
) {
    let mut rd = BufReader::new(rd);
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        line.clear();
        // One byte over the limit tells "too long" from "exactly the limit".
        match (&mut rd)
            .take(max_line as u64 + 1)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(0) | Err(_) => break,
            Ok(_) if line.len() > max_line => {
                too_long = true;
                break;
            }
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if !text.is_empty() {
            let _ = hub.send(notice(id, format!("{peer}: {text}\n"), false));
        }
    }
    on_event(if too_long {
        ChatEvent::LineTooLong(peer)
    } else {
        ChatEvent::Left(peer)
    });
    let _ = hub.send(notice(id, format!("* {peer} left\n"), true));
}

/// Writes queued messages to the client until the queue closes or the socket fails.
async fn write_loop(mut wr: OwnedWriteHalf, mut queued: mpsc::Receiver<Arc<str>>) {
    while let Some(text) = queued.recv().await {
        if wr.write_all(text.as_bytes()).await.is_err() {
            return;
        }
    }
}
