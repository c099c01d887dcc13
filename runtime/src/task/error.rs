//! `JoinError`: why a task produced no output (it was cancelled, or it panicked).

use super::id::Id;
use std::any::Any;
use std::fmt;

/// The error a [`JoinHandle`](super::JoinHandle) returns when its task did not
/// finish normally.
///
/// ```
/// # weft::run(async {
/// let err = weft::spawn(async { panic!("boom") }).await.unwrap_err();
/// assert!(err.is_panic());
/// assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
///
/// let handle = weft::spawn(std::future::pending::<()>());
/// handle.abort();
/// assert!(handle.await.unwrap_err().is_cancelled());
/// # });
/// ```
pub struct JoinError {
    id: Id,
    /// Boxed so that a task's stage, which holds `Result<T, JoinError>`, stays two
    /// words plus `T`: errors are rare, tasks are many.
    inner: Box<Inner>,
}

struct Inner {
    repr: Repr,
    name: Option<Box<str>>,
}

enum Repr {
    Cancelled,
    Panic(SyncPayload),
}

/// A panic payload made `Sync` by never handing out a shared reference to it.
struct SyncPayload(Box<dyn Any + Send + 'static>);

// SAFETY: the payload is only reachable through `JoinError::into_panic` /
// `try_into_panic`, which take the error by value, so no `&` to it is ever shared
// between threads.
unsafe impl Sync for SyncPayload {}

impl JoinError {
    pub(crate) fn cancelled(id: Id, name: Option<&str>) -> JoinError {
        JoinError {
            id,
            inner: Box::new(Inner {
                repr: Repr::Cancelled,
                name: name.map(Into::into),
            }),
        }
    }

    pub(crate) fn panic(id: Id, name: Option<&str>, payload: Box<dyn Any + Send>) -> JoinError {
        JoinError {
            id,
            inner: Box::new(Inner {
                repr: Repr::Panic(SyncPayload(payload)),
                name: name.map(Into::into),
            }),
        }
    }

    /// Whether the task was cancelled (aborted, or its runtime shut down).
    ///
    /// ```
    /// # weft::run(async {
    /// let handle = weft::spawn(std::future::pending::<()>());
    /// handle.abort();
    /// assert!(handle.await.unwrap_err().is_cancelled());
    /// # });
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self.inner.repr, Repr::Cancelled)
    }

    /// Whether the task panicked.
    ///
    /// ```
    /// # weft::run(async {
    /// assert!(weft::spawn(async { panic!() }).await.unwrap_err().is_panic());
    /// # });
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self.inner.repr, Repr::Panic(_))
    }

    /// The panic payload, to resume it with `std::panic::resume_unwind`.
    ///
    /// # Panics
    ///
    /// If the task was cancelled rather than panicked.
    ///
    /// ```
    /// # weft::run(async {
    /// let err = weft::spawn(async { panic!("boom") }).await.unwrap_err();
    /// let payload = err.into_panic();
    /// assert_eq!(*payload.downcast_ref::<&str>().unwrap(), "boom");
    /// # });
    /// ```
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .expect("`JoinError::into_panic` on a cancelled task: check `is_panic()` first")
    }

    /// The panic payload, or the error back if the task was cancelled.
    ///
    /// ```
    /// # weft::run(async {
    /// let handle = weft::spawn(std::future::pending::<()>());
    /// handle.abort();
    /// assert!(handle.await.unwrap_err().try_into_panic().is_err());
    /// # });
    /// ```
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.inner.repr {
            Repr::Panic(payload) => Ok(payload.0),
            Repr::Cancelled => Err(JoinError {
                id: self.id,
                inner: Box::new(Inner {
                    repr: Repr::Cancelled,
                    name: self.inner.name,
                }),
            }),
        }
    }

    /// The id of the task that failed.
    ///
    /// ```
    /// # weft::run(async {
    /// let handle = weft::spawn(async { panic!() });
    /// let id = handle.id();
    /// assert_eq!(handle.await.unwrap_err().id(), id);
    /// # });
    /// ```
    pub fn id(&self) -> Id {
        self.id
    }

    fn describe_task(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.name {
            Some(name) => write!(f, "task {} ({name:?})", self.id),
            None => write!(f, "task {}", self.id),
        }
    }
}

/// The message of a panic payload, if it is a string.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

impl JoinError {
    pub(crate) fn panic_message(&self) -> Option<&str> {
        match &self.inner.repr {
            Repr::Panic(p) => panic_message(&*p.0),
            Repr::Cancelled => None,
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe_task(f)?;
        match (&self.inner.repr, self.panic_message()) {
            (Repr::Cancelled, _) => write!(f, " was cancelled"),
            (Repr::Panic(_), Some(msg)) => write!(f, " panicked with message {msg:?}"),
            (Repr::Panic(_), None) => write!(f, " panicked"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JoinError::")?;
        match self.inner.repr {
            Repr::Cancelled => write!(f, "Cancelled(")?,
            Repr::Panic(_) => write!(f, "Panic(")?,
        }
        fmt::Display::fmt(self, f)?;
        write!(f, ")")
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for std::io::Error {
    fn from(err: JoinError) -> std::io::Error {
        std::io::Error::other(err.to_string())
    }
}

// A task's stage holds `Result<T, JoinError>`: keep the error two words.
const _: () = assert!(std::mem::size_of::<JoinError>() == 16);
