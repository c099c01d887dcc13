//! Command-line options of the comparison bench.
//!
//! Invariant: every argument is either understood or rejected with a message that
//! says what is accepted; `cargo bench` passes `--bench`, which is accepted and
//! ignored. The hidden `__child` form is how the bench re-executes itself to measure
//! memory in a fresh process; users never type it.

use std::fmt;

/// What one run of the bench should do, parsed from its arguments.
///
/// # Examples
///
/// ```
/// use weft_benches::Options;
///
/// let args = ["--bench", "--quick", "spawn"].map(String::from);
/// let opts = Options::parse(args).unwrap();
/// assert!(opts.quick && opts.bench);
/// assert!(opts.selects("spawn_many_local"));
/// assert!(!opts.selects("yield_many"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Few samples and smaller memory probes, for a CI smoke run.
    pub quick: bool,
    /// Whether `cargo bench` started us (it passes `--bench`). Without it we were
    /// started by `cargo test --benches`/`--all-targets`: run every workload once as
    /// a check, and leave the Markdown report alone.
    pub bench: bool,
    /// Substrings of workload names to run; empty means all.
    pub filters: Vec<String>,
    /// Set when this process is a child started to run one memory probe.
    pub child: Option<ChildRequest>,
}

/// The hidden subcommand `__child <probe> <runtime> <tasks>`: run one memory probe
/// in this (fresh) process and print its result on stdout.
///
/// # Examples
///
/// ```
/// use weft_benches::Options;
///
/// let args = ["__child", "idle_task_memory", "tokio", "1000"].map(String::from);
/// let child = Options::parse(args).unwrap().child.unwrap();
/// assert_eq!(child.runtime, "tokio");
/// assert_eq!(child.tasks, 1000);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildRequest {
    /// Which probe to run (a workload name).
    pub probe: String,
    /// Which runtime to probe: `weft`, `tokio` or `smol`.
    pub runtime: String,
    /// How many tasks to park.
    pub tasks: usize,
}

/// Why the arguments could not be understood.
///
/// # Examples
///
/// ```
/// use weft_benches::{ArgError, Options};
///
/// let err = Options::parse(["--fast".to_string()]).unwrap_err();
/// assert_eq!(err, ArgError::UnknownFlag("--fast".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgError {
    /// A `--flag` this bench does not know.
    UnknownFlag(String),
    /// A malformed `__child` invocation.
    BadChild(String),
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgError::UnknownFlag(flag) => write!(
                f,
                "unknown option `{flag}`: use `cargo bench -p weft-benches -- [--quick] [FILTER...]`"
            ),
            ArgError::BadChild(why) => write!(
                f,
                "bad `__child` invocation ({why}): it is internal, expected `__child PROBE RUNTIME TASKS`"
            ),
        }
    }
}

impl std::error::Error for ArgError {}

impl Options {
    /// Parses the arguments after the program name.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_benches::Options;
    ///
    /// let opts = Options::parse(Vec::<String>::new()).unwrap();
    /// assert!(!opts.quick && opts.filters.is_empty() && opts.child.is_none());
    /// ```
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Options, ArgError> {
        let mut args = args.into_iter().peekable();
        if args.peek().map(String::as_str) == Some("__child") {
            args.next();
            return Ok(Options {
                child: Some(ChildRequest::parse(args)?),
                ..Options::default()
            });
        }
        let mut opts = Options::default();
        for arg in args {
            match arg.as_str() {
                "--quick" => opts.quick = true,
                // `cargo bench` always passes this to `harness = false` targets.
                "--bench" => opts.bench = true,
                flag if flag.starts_with('-') => return Err(ArgError::UnknownFlag(arg)),
                _ => opts.filters.push(arg),
            }
        }
        Ok(opts)
    }

    /// Whether the workload called `name` passes the filters.
    ///
    /// # Examples
    ///
    /// ```
    /// use weft_benches::Options;
    ///
    /// let opts = Options::parse(["ping".to_string(), "mutex".to_string()]).unwrap();
    /// assert!(opts.selects("ping_pong") && opts.selects("mutex_contention"));
    /// assert!(!opts.selects("yield_many"));
    /// ```
    pub fn selects(&self, name: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| name.contains(f.as_str()))
    }
}

impl ChildRequest {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<ChildRequest, ArgError> {
        let mut next = |what: &str| {
            args.next()
                .ok_or_else(|| ArgError::BadChild(format!("missing {what}")))
        };
        let probe = next("probe")?;
        let runtime = next("runtime")?;
        let tasks = next("task count")?;
        let tasks = tasks
            .parse()
            .map_err(|_| ArgError::BadChild(format!("task count `{tasks}` is not a number")))?;
        Ok(ChildRequest {
            probe,
            runtime,
            tasks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, ArgError> {
        Options::parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn filters_and_flags_mix_in_any_order() {
        let opts = parse(&["spawn", "--bench", "--quick", "yield"]).unwrap();
        assert!(opts.quick && opts.bench);
        assert!(!parse(&["spawn"]).unwrap().bench);
        assert_eq!(opts.filters, ["spawn", "yield"]);
    }

    #[test]
    fn malformed_child_is_rejected() {
        assert!(matches!(
            parse(&["__child", "idle_task_memory", "smol"]),
            Err(ArgError::BadChild(_))
        ));
        assert!(matches!(
            parse(&["__child", "idle_task_memory", "smol", "lots"]),
            Err(ArgError::BadChild(_))
        ));
    }

    #[test]
    fn errors_say_what_to_do() {
        let msg = parse(&["-x"]).unwrap_err().to_string();
        assert!(msg.contains("--quick"), "{msg}");
    }
}
