//! `Origin`: where a task was spawned and what it is called, in one word.
//!
//! Every task keeps its spawn location (for the report of a detached panic); few have
//! a name. Storing both as fields would cost every task two words, so an `Origin` is a
//! single tagged pointer:
//!
//! ```text
//! low bit 0:  &'static Location<'static>             an unnamed task
//! low bit 1:  Box<Named { location, name }> | 1      a named task (one allocation)
//! ```
//!
//! # Invariant
//!
//! The tag bit says which of the two the address points to, and it is set only on a
//! pointer that came from `Box::leak` in [`Origin::new`] and is freed exactly once,
//! in `Drop`. Both pointees are at least 2-aligned, so the low bit of their address is
//! always free for the tag.

use std::fmt;
use std::panic::Location;
use std::ptr::NonNull;

/// The spawn location and optional name of a task, one word wide.
pub(crate) struct Origin {
    ptr: NonNull<()>,
}

/// What a named task's `Origin` points to.
struct Named {
    location: &'static Location<'static>,
    name: Box<str>,
}

/// The tag bit: set when `ptr` points to a boxed `Named`.
const NAMED: usize = 1;

const _: () = assert!(align_of::<Location<'static>>() > NAMED);
const _: () = assert!(align_of::<Named>() > NAMED);

// SAFETY: an `Origin` owns either a shared `'static` location (which is `Sync`) or a
// boxed `Named` (which is `Send` and `Sync`), and never hands out mutable access.
unsafe impl Send for Origin {}
// SAFETY: as for `Send`: every access through `&Origin` is a read.
unsafe impl Sync for Origin {}

impl Origin {
    /// Packs `location` and `name`; allocates only for a named task.
    pub(crate) fn new(location: &'static Location<'static>, name: Option<Box<str>>) -> Origin {
        let ptr = match name {
            None => NonNull::from(location).cast::<()>(),
            Some(name) => {
                let named = NonNull::from(Box::leak(Box::new(Named { location, name })));
                named.cast::<()>().map_addr(|a| a | NAMED)
            }
        };
        Origin { ptr }
    }

    /// The untagged pointer to the boxed `Named`, if the tag bit is set.
    fn named_ptr(&self) -> Option<NonNull<Named>> {
        if self.ptr.addr().get() & NAMED == 0 {
            return None;
        }
        let untagged = self.ptr.map_addr(|a| {
            std::num::NonZero::new(a.get() & !NAMED).expect("a boxed Named is never at 0")
        });
        Some(untagged.cast())
    }

    fn named(&self) -> Option<&Named> {
        // SAFETY: the tag bit is set, so (invariant) the untagged pointer came from
        // `Box::leak` of a `Named` that lives until `self` is dropped.
        self.named_ptr().map(|p| unsafe { p.as_ref() })
    }

    /// Where the task was spawned.
    pub(crate) fn location(&self) -> &'static Location<'static> {
        match self.named() {
            Some(named) => named.location,
            // SAFETY: the tag bit is clear, so (invariant) the pointer is a
            // `&'static Location<'static>`.
            None => unsafe { self.ptr.cast::<Location<'static>>().as_ref() },
        }
    }

    /// The name given with `task::Builder::name`, if any.
    pub(crate) fn name(&self) -> Option<&str> {
        self.named().map(|named| &*named.name)
    }
}

impl Drop for Origin {
    fn drop(&mut self) {
        if let Some(named) = self.named_ptr() {
            // SAFETY: (invariant) a tagged pointer owns a box made by `Origin::new`,
            // and this is the only place that frees it, once.
            drop(unsafe { Box::from_raw(named.as_ptr()) });
        }
    }
}

impl fmt::Debug for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Origin")
            .field("location", &self.location())
            .field("name", &self.name())
            .finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn unnamed_keeps_the_location_in_one_word() {
        assert_eq!(size_of::<Origin>(), size_of::<usize>());
        let here = Location::caller();
        let origin = Origin::new(here, None);
        assert_eq!(origin.location(), here);
        assert_eq!(origin.name(), None);
    }

    #[test]
    fn named_keeps_both() {
        let here = Location::caller();
        let origin = Origin::new(here, Some("worker-7".into()));
        assert_eq!(origin.location(), here);
        assert_eq!(origin.name(), Some("worker-7"));
        let shown = format!("{origin:?}");
        assert!(shown.contains("worker-7"), "{shown}");
    }
}
