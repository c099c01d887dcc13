//! Command-line handling shared by every example: `--help`, argument errors and fatal
//! errors all look the same and exit with the conventional codes (0 for help, 2 for a
//! bad command line, 1 for a failure at run time).

use std::fmt::Display;

/// Parses the process's arguments with `parse`, after answering `-h`/`--help` by
/// printing `usage` and exiting 0. A parse error prints `error: …` and the usage on
/// stderr and exits 2, so every example reports a bad flag the same way.
///
/// ```
/// // A doctest runs with no arguments, so the defaults come back.
/// use lexopt::prelude::*;
///
/// let port: u16 = weft_examples::cli::parse_args("usage: demo [--port N]", |args| {
///     let mut port = 8080;
///     while let Some(arg) = args.next()? {
///         match arg {
///             lexopt::Arg::Long("port") => port = args.value()?.parse()?,
///             other => return Err(other.unexpected()),
///         }
///     }
///     Ok(port)
/// });
/// assert_eq!(port, 8080);
/// ```
pub fn parse_args<T>(
    usage: &str,
    parse: impl FnOnce(&mut lexopt::Parser) -> Result<T, lexopt::Error>,
) -> T {
    // `--help` wins wherever it appears (before a `--`), as users expect.
    let wants_help = std::env::args()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "-h" || a == "--help");
    if wants_help {
        println!("{}", usage.trim_end());
        std::process::exit(0);
    }
    let mut parser = lexopt::Parser::from_env();
    match parse(&mut parser) {
        Ok(value) => value,
        Err(e) => {
            eprintln!("error: {e}\n\n{}", usage.trim_end());
            std::process::exit(2);
        }
    }
}

/// Prints `error: {what}` on stderr and exits with status 1: the one way an example
/// reports a failure it cannot recover from.
///
/// ```no_run
/// let bound: Result<(), std::io::Error> = Err(std::io::ErrorKind::AddrInUse.into());
/// if let Err(e) = bound {
///     weft_examples::cli::fail(format_args!("cannot listen on 127.0.0.1:7000: {e}"));
/// }
/// ```
pub fn fail(what: impl Display) -> ! {
    eprintln!("error: {what}");
    std::process::exit(1);
}

/// The line every example server prints first, `listening on ADDR`, which the tests
/// and the demo wait for to learn the port it bound.
///
/// ```
/// let addr: std::net::SocketAddr = "127.0.0.1:7000".parse().unwrap();
/// assert_eq!(weft_examples::cli::listening_line(addr), "listening on 127.0.0.1:7000");
/// ```
pub fn listening_line(addr: std::net::SocketAddr) -> String {
    format!("listening on {addr}")
}
