//! [`ToSocketAddrs`] and [`lookup_host`]: turning what a user typed into socket
//! addresses without blocking a worker.
//!
//! Literal addresses resolve on the spot. Anything naming a host is resolved with the
//! system resolver on a blocking job (see `reactor/blocking.rs`), never on the
//! calling thread.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use crate::reactor::blocking::run_blocking;

/// Anything that names one or more socket addresses: a [`SocketAddr`], an
/// `(ip, port)` or `(host, port)` pair, a `"host:port"` string, or a slice of
/// addresses. Sealed: `weft` decides how each form is resolved.
///
/// ```
/// use std::net::SocketAddr;
/// use weft_io::net::lookup_host;
///
/// weft_io::doc_support::block_on(async {
///     let from_str: Vec<SocketAddr> = lookup_host("127.0.0.1:80").await?.collect();
///     let from_pair: Vec<SocketAddr> = lookup_host(("127.0.0.1", 80)).await?.collect();
///     assert_eq!(from_str, from_pair);
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

pub(crate) mod sealed {
    use std::io;
    use std::net::SocketAddr;

    /// How an address resolves: now, or with a lookup of `"host:port"`.
    #[derive(Debug)]
    pub enum Resolve {
        /// Literal addresses: nothing to look up.
        Ready(io::Result<Vec<SocketAddr>>),
        /// A host name, as `"host:port"`, for the system resolver.
        Lookup(String),
    }

    /// The hidden half of [`super::ToSocketAddrs`].
    pub trait Sealed {
        /// How these addresses resolve.
        fn to_resolve(&self) -> Resolve;
    }
}

use sealed::{Resolve, Sealed};

macro_rules! literal {
    ($($ty:ty => |$v:ident| $body:expr;)*) => {$(
        impl ToSocketAddrs for $ty {}
        impl Sealed for $ty {
            fn to_resolve(&self) -> Resolve {
                let $v = self;
                Resolve::Ready(Ok(vec![$body]))
            }
        }
    )*};
}

literal! {
    SocketAddr => |a| *a;
    SocketAddrV4 => |a| SocketAddr::V4(*a);
    SocketAddrV6 => |a| SocketAddr::V6(*a);
    (IpAddr, u16) => |a| SocketAddr::new(a.0, a.1);
    (Ipv4Addr, u16) => |a| SocketAddr::new(IpAddr::V4(a.0), a.1);
    (Ipv6Addr, u16) => |a| SocketAddr::new(IpAddr::V6(a.0), a.1);
}

impl ToSocketAddrs for [SocketAddr] {}
impl Sealed for [SocketAddr] {
    fn to_resolve(&self) -> Resolve {
        Resolve::Ready(Ok(self.to_vec()))
    }
}

impl ToSocketAddrs for str {}
impl Sealed for str {
    fn to_resolve(&self) -> Resolve {
        match self.parse::<SocketAddr>() {
            Ok(addr) => Resolve::Ready(Ok(vec![addr])),
            Err(_) => Resolve::Lookup(self.to_owned()),
        }
    }
}

impl ToSocketAddrs for String {}
impl Sealed for String {
    fn to_resolve(&self) -> Resolve {
        self.as_str().to_resolve()
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl Sealed for (&str, u16) {
    fn to_resolve(&self) -> Resolve {
        let (host, port) = *self;
        match host.parse::<IpAddr>() {
            Ok(ip) => Resolve::Ready(Ok(vec![SocketAddr::new(ip, port)])),
            Err(_) => Resolve::Lookup(format!("{host}:{port}")),
        }
    }
}

impl ToSocketAddrs for (String, u16) {}
impl Sealed for (String, u16) {
    fn to_resolve(&self) -> Resolve {
        (self.0.as_str(), self.1).to_resolve()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: Sealed + ?Sized> Sealed for &T {
    fn to_resolve(&self) -> Resolve {
        (**self).to_resolve()
    }
}

/// Resolves `host` to socket addresses. Host names are looked up on a blocking job
/// (the runtime's blocking pool, or a fresh thread outside a runtime), so the
/// calling task's worker never blocks.
///
/// ```
/// weft_io::doc_support::block_on(async {
///     let addrs: Vec<_> = weft_io::net::lookup_host("localhost:8080").await?.collect();
///     assert!(addrs.iter().all(|a| a.port() == 8080 && a.ip().is_loopback()));
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn lookup_host(host: impl ToSocketAddrs) -> io::Result<std::vec::IntoIter<SocketAddr>> {
    resolve(&host).await.map(Vec::into_iter)
}

/// Resolves `addr` to a list of addresses (possibly empty only on error).
pub(crate) async fn resolve<A: ToSocketAddrs + ?Sized>(addr: &A) -> io::Result<Vec<SocketAddr>> {
    match addr.to_resolve() {
        Resolve::Ready(addrs) => addrs,
        Resolve::Lookup(host) => {
            run_blocking(move || {
                std::net::ToSocketAddrs::to_socket_addrs(&host).map(Iterator::collect)
            })
            .await
        }
    }
}

/// Runs `op` on each address of `addr` in turn; returns the first success or the
/// last error.
pub(crate) async fn each_addr<A, T, F, Fut>(addr: &A, mut op: F) -> io::Result<T>
where
    A: ToSocketAddrs + ?Sized,
    F: FnMut(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut last_err = None;
    for addr in resolve(addr).await? {
        match op(addr).await {
            Ok(value) => return Ok(value),
            Err(e) => last_err = Some(e),
        }
    }
    Err(last_err.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address resolved to nothing; check the host name and port",
        )
    }))
}
