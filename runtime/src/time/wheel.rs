//! The hierarchical timing wheel: six levels of 64 slots, one tick per millisecond.
//!
//! Level `L` slot `s` holds the entries whose deadline shares every base-64 digit
//! above `L` with `elapsed` (the tick the wheel has been advanced to) and whose digit
//! `L` is `s`. So level 0 covers the next 64 ms one tick per slot, level 1 the next
//! 4 s in 64 ms slots, and so on up to level 5 with 2.2-year reach; deadlines further
//! out are parked in the top level and re-filed each time they come round. Insert and
//! remove are O(1) (push to or unlink from a doubly linked slot list, flip a bit in
//! the level's `occupied` mask); finding the next deadline looks at one mask word per
//! level. When time reaches a slot's start, its entries are either due (moved to the
//! `pending` list, from which the driver fires them in batches) or re-filed one
//! level lower.
//!
//! # Invariants
//!
//! 1. Every linked entry's `location` names the list it is in; `occupied[L]` has bit
//!    `s` set exactly when `slots[L][s]` is non-empty.
//! 2. Outside `advance`, an entry at level `L` slot `s` has `s` different from the
//!    level-`L` digit of `elapsed` and its slot starts after `elapsed`, so the
//!    lowest occupied level holds the earliest deadline (only the top level can hold
//!    entries a full turn ahead; they are found last).
//! 3. `live` counts linked entries (slots and pending).
//!
//! # Safety
//!
//! The wheel stores raw pointers to entries owned by pinned `Sleep`s. It is only ever
//! reached through its lock (holding `&mut Wheel` proves it), and every owner unlinks
//! its entry under that lock before the entry's memory goes away (entry protocol E),
//! so every pointer the wheel holds is valid. The `unsafe fn`s here ask their caller
//! for exactly that about the entry passed in.

use super::entry::{Entry, Location, PENDING};
use std::ptr::NonNull;

/// Number of levels.
pub(crate) const LEVELS: usize = 6;
const SLOT_BITS: usize = 6;
const SLOTS: usize = 1 << SLOT_BITS;
/// The farthest ahead of `elapsed` an entry is filed precisely (64^6 - 1 ms).
pub(crate) const MAX_SPAN: u64 = (1 << (SLOT_BITS * LEVELS)) - 1;

type Link = Option<NonNull<Entry>>;

pub(crate) struct Wheel {
    elapsed: u64,
    occupied: [u64; LEVELS],
    slots: [[Link; SLOTS]; LEVELS],
    pending: Link,
    live: usize,
}

// SAFETY: the wheel's pointers are only followed under its lock, and the entries
// they name are `Send + Sync` (see the module's `# Safety`).
unsafe impl Send for Wheel {}

/// The next slot to process: where it is and the tick at which it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Expiration {
    level: usize,
    slot: usize,
    deadline: u64,
}

impl Wheel {
    pub(crate) fn new() -> Wheel {
        Wheel {
            elapsed: 0,
            occupied: [0; LEVELS],
            slots: [[None; SLOTS]; LEVELS],
            pending: None,
            live: 0,
        }
    }

    /// The tick the wheel has been advanced to.
    pub(crate) fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// How many entries are linked (invariant 3).
    pub(crate) fn live(&self) -> usize {
        self.live
    }

    /// Links `entry` to fire at tick `when`, which must be after `elapsed`.
    ///
    /// # Safety
    ///
    /// `entry` is valid, pinned, not linked anywhere, and stays valid until it is
    /// unlinked by `remove` or returned by `pop_pending` (module `# Safety`).
    pub(crate) unsafe fn insert(&mut self, entry: NonNull<Entry>, when: u64) {
        debug_assert!(
            when > self.elapsed,
            "inserting an entry that is already due"
        );
        // SAFETY: caller's contract: valid, and ours under the lock.
        unsafe { entry.as_ref().with_node(|node| node.when = when) };
        // SAFETY: as above.
        unsafe { self.file(entry, when) };
        self.live += 1;
    }

    /// Files an entry (whose `when` is set) into its slot.
    ///
    /// # Safety
    ///
    /// As for `insert`.
    unsafe fn file(&mut self, entry: NonNull<Entry>, when: u64) {
        // Deadlines beyond the wheel's reach are filed at its far edge and re-filed
        // when that slot comes round (their `when` is kept exact).
        let when = when.min(self.elapsed + MAX_SPAN);
        let level = level_for(self.elapsed, when);
        let slot = ((when >> (level * SLOT_BITS)) as usize) & (SLOTS - 1);
        let location = (level * SLOTS + slot) as Location;
        // SAFETY: caller's contract.
        unsafe { push_front(&mut self.slots[level][slot], entry, location) };
        self.occupied[level] |= 1 << slot;
    }

    /// Unlinks `entry` from wherever it is.
    ///
    /// # Safety
    ///
    /// `entry` is valid and linked in this wheel.
    pub(crate) unsafe fn remove(&mut self, entry: NonNull<Entry>) {
        // SAFETY: caller's contract: valid and linked here, so its node is ours.
        let location = unsafe { entry.as_ref().with_node(|node| node.location) };
        if location == PENDING {
            // SAFETY: invariant 1: it is in the pending list.
            unsafe { unlink(&mut self.pending, entry) };
        } else {
            let (level, slot) = (location as usize / SLOTS, location as usize % SLOTS);
            let head = &mut self.slots[level][slot];
            // SAFETY: invariant 1: it is in this slot's list.
            unsafe { unlink(head, entry) };
            if head.is_none() {
                self.occupied[level] &= !(1 << slot);
            }
        }
        self.live -= 1;
    }

    /// The tick at which `advance` next has work: the start of the earliest occupied
    /// slot, or `elapsed` if entries are already pending.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        if self.pending.is_some() {
            return Some(self.elapsed);
        }
        self.next_expiration().map(|e| e.deadline)
    }

    fn next_expiration(&self) -> Option<Expiration> {
        // Invariant 2: the lowest occupied level holds the earliest slot.
        (0..LEVELS).find_map(|level| self.next_in_level(level))
    }

    fn next_in_level(&self, level: usize) -> Option<Expiration> {
        let occupied = self.occupied[level];
        if occupied == 0 {
            return None;
        }
        let slot_range = 1u64 << (level * SLOT_BITS);
        let level_range = slot_range << SLOT_BITS;
        let now_slot = ((self.elapsed / slot_range) as usize) % SLOTS;
        // Search from the slot after the current one, so that a top-level entry a
        // full turn ahead (in the current slot, invariant 2) is found last.
        let start = (now_slot + 1) % SLOTS;
        let zeros = occupied.rotate_right(start as u32).trailing_zeros() as usize;
        let slot = (start + zeros) % SLOTS;
        let level_start = self.elapsed & !(level_range - 1);
        let mut deadline = level_start + slot as u64 * slot_range;
        if deadline <= self.elapsed {
            // Only the top level wraps: the entry belongs to the next turn.
            debug_assert_eq!(level, LEVELS - 1);
            deadline += level_range;
        }
        Some(Expiration {
            level,
            slot,
            deadline,
        })
    }

    /// Advances the wheel to tick `now`: every entry due by then moves to the pending
    /// list; the others of the slots passed are re-filed lower.
    pub(crate) fn advance(&mut self, now: u64) {
        while let Some(exp) = self.next_expiration() {
            if exp.deadline > now {
                break;
            }
            self.elapsed = exp.deadline;
            let mut cursor = self.slots[exp.level][exp.slot].take();
            self.occupied[exp.level] &= !(1 << exp.slot);
            while let Some(entry) = cursor {
                // SAFETY: module `# Safety`: a linked entry is valid; we hold the lock.
                let (next, when) = unsafe { entry.as_ref().with_node(|n| (n.next, n.when)) };
                cursor = next;
                if when <= self.elapsed {
                    // SAFETY: valid (as above) and, having been taken out with its
                    // slot, linked nowhere.
                    unsafe { push_front(&mut self.pending, entry, PENDING) };
                } else {
                    // SAFETY: as above; `when > elapsed`, and `live` already counts it.
                    unsafe { self.file(entry, when) };
                }
            }
        }
        self.elapsed = self.elapsed.max(now);
    }

    /// Unlinks and returns one due entry.
    pub(crate) fn pop_pending(&mut self) -> Option<NonNull<Entry>> {
        let entry = self.pending?;
        // SAFETY: a linked entry is valid (module `# Safety`), and it is in `pending`.
        unsafe { unlink(&mut self.pending, entry) };
        self.live -= 1;
        Some(entry)
    }

    /// Moves every linked entry to the pending list (the runtime is shutting down).
    pub(crate) fn take_all(&mut self) {
        for level in 0..LEVELS {
            for slot in 0..SLOTS {
                let mut cursor = self.slots[level][slot].take();
                while let Some(entry) = cursor {
                    // SAFETY: linked entries are valid; we hold the lock.
                    cursor = unsafe { entry.as_ref().with_node(|n| n.next) };
                    // SAFETY: taken out with its slot, so linked nowhere.
                    unsafe { push_front(&mut self.pending, entry, PENDING) };
                }
            }
            self.occupied[level] = 0;
        }
    }
}

/// The level an entry due at `when` is filed at, seen from `elapsed`: the position of
/// the highest base-64 digit in which they differ.
fn level_for(elapsed: u64, when: u64) -> usize {
    // OR-ing in the low digit makes level 0 the answer when only it differs.
    let masked = (elapsed ^ when) | (SLOTS as u64 - 1);
    // Past the top level (a deadline in the next turn of the wheel): the top level.
    let masked = masked.min(MAX_SPAN);
    let significant = 63 - masked.leading_zeros() as usize;
    significant / SLOT_BITS
}

/// Pushes `entry` at the front of the list at `head`.
///
/// # Safety
///
/// `entry` and every entry in the list are valid, and `entry` is in no list.
unsafe fn push_front(head: &mut Link, entry: NonNull<Entry>, location: Location) {
    let old = *head;
    // SAFETY: caller's contract.
    unsafe {
        entry.as_ref().with_node(|n| {
            n.prev = None;
            n.next = old;
            n.location = location;
        });
    }
    if let Some(old) = old {
        // SAFETY: caller's contract: list members are valid; `old` is not `entry`.
        unsafe { old.as_ref().with_node(|n| n.prev = Some(entry)) };
    }
    *head = Some(entry);
}

/// Unlinks `entry` from the list at `head`.
///
/// # Safety
///
/// `entry` and every entry in the list are valid, and `entry` is in this list.
unsafe fn unlink(head: &mut Link, entry: NonNull<Entry>) {
    // SAFETY: caller's contract.
    let (prev, next) = unsafe {
        entry.as_ref().with_node(|n| {
            let links = (n.prev, n.next);
            n.prev = None;
            n.next = None;
            links
        })
    };
    match prev {
        // SAFETY: a neighbour in the same list: valid, and not `entry`.
        Some(prev) => unsafe { prev.as_ref().with_node(|n| n.next = next) },
        None => *head = next,
    }
    if let Some(next) = next {
        // SAFETY: as above.
        unsafe { next.as_ref().with_node(|n| n.prev = prev) };
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::pin::Pin;

    /// A tiny LCG so the tests need no `rand`.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }
    }

    fn ptr(e: &Pin<Box<Entry>>) -> NonNull<Entry> {
        NonNull::from(&**e)
    }

    fn when(e: &Pin<Box<Entry>>) -> u64 {
        // SAFETY: the test owns the entry and holds the wheel (single thread).
        unsafe { e.with_node(|n| n.when) }
    }

    /// Advances to `now` and returns the `when` of every entry that came due.
    fn fire(wheel: &mut Wheel, now: u64) -> Vec<u64> {
        wheel.advance(now);
        let mut out = Vec::new();
        while let Some(e) = wheel.pop_pending() {
            // SAFETY: entries outlive the wheel's use of them in these tests.
            out.push(unsafe { e.as_ref().with_node(|n| n.when) });
        }
        out
    }

    #[test]
    fn level_for_each_digit() {
        assert_eq!(level_for(0, 1), 0);
        assert_eq!(level_for(0, 63), 0);
        assert_eq!(level_for(0, 64), 1);
        assert_eq!(level_for(0, 4095), 1);
        assert_eq!(level_for(0, 4096), 2);
        assert_eq!(level_for(0, MAX_SPAN), LEVELS - 1);
        assert_eq!(level_for(MAX_SPAN, MAX_SPAN + 5), LEVELS - 1);
        assert_eq!(level_for(100, 101), 0);
    }

    #[test]
    fn fires_each_entry_at_its_tick_across_levels() {
        let mut wheel = Wheel::new();
        let ticks = [1, 2, 63, 64, 65, 200, 4095, 4096, 5000, 300_000, 20_000_000];
        let entries: Vec<_> = ticks.iter().map(|_| Box::pin(Entry::new())).collect();
        for (e, &t) in entries.iter().zip(&ticks) {
            // SAFETY: the boxed entries outlive the wheel's use of them.
            unsafe { wheel.insert(ptr(e), t) };
        }
        assert_eq!(wheel.live(), ticks.len());
        let mut fired = Vec::new();
        // Step the wheel from deadline to deadline, as the driver does.
        while let Some(next) = wheel.next_deadline() {
            assert!(next > wheel.elapsed() || !fired.is_empty());
            for w in fire(&mut wheel, next) {
                assert_eq!(w, next, "an entry fired at a tick other than its own");
                fired.push(w);
            }
        }
        assert_eq!(fired, ticks);
        assert_eq!(wheel.live(), 0);
    }

    #[test]
    fn big_jumps_fire_everything_due_and_nothing_else() {
        let mut wheel = Wheel::new();
        let mut rng = Lcg(7);
        let n = if cfg!(miri) { 200 } else { 2000 };
        let entries: Vec<_> = (0..n).map(|_| Box::pin(Entry::new())).collect();
        for e in &entries {
            let t = 1 + rng.next() % 10_000_000;
            // SAFETY: the boxed entries outlive the wheel's use of them.
            unsafe { wheel.insert(ptr(e), t) };
        }
        let mut now = 0;
        let mut total = 0;
        while wheel.live() > 0 {
            now += 1 + rng.next() % 500_000;
            let fired = fire(&mut wheel, now);
            assert!(fired.iter().all(|&w| w <= now));
            total += fired.len();
            // Everything left is due after `now`.
            assert_eq!(
                wheel.live(),
                entries.iter().filter(|e| when(e) > now).count()
            );
        }
        assert_eq!(total, entries.len());
    }

    #[test]
    fn next_deadline_is_never_after_the_earliest_entry() {
        let mut wheel = Wheel::new();
        let mut rng = Lcg(11);
        let n = if cfg!(miri) { 100 } else { 500 };
        let entries: Vec<_> = (0..n).map(|_| Box::pin(Entry::new())).collect();
        for e in &entries {
            let t = 1 + rng.next() % 100_000;
            // SAFETY: the boxed entries outlive the wheel's use of them.
            unsafe { wheel.insert(ptr(e), t) };
        }
        let mut fired = 0;
        while wheel.live() > 0 {
            let next = wheel.next_deadline().unwrap();
            let earliest = entries
                .iter()
                .map(when)
                .filter(|&w| w > wheel.elapsed())
                .min()
                .unwrap();
            assert!(next <= earliest);
            let out = fire(&mut wheel, next);
            assert!(out.iter().all(|&w| w == earliest));
            fired += out.len();
        }
        assert_eq!(fired, entries.len());
    }

    #[test]
    fn remove_from_slot_and_pending_keeps_the_rest() {
        let mut wheel = Wheel::new();
        let entries: Vec<_> = (0..6).map(|_| Box::pin(Entry::new())).collect();
        for (i, e) in entries.iter().enumerate() {
            // Three in one level-0 slot, three in one level-2 slot.
            let t = if i < 3 { 10 } else { 10_000 };
            // SAFETY: the boxed entries outlive the wheel's use of them.
            unsafe { wheel.insert(ptr(e), t) };
        }
        // Middle, head and tail of a slot list.
        for i in [1, 0, 5] {
            // SAFETY: each is linked here.
            unsafe { wheel.remove(ptr(&entries[i])) };
        }
        assert_eq!(wheel.live(), 3);
        wheel.advance(10);
        // Now entry 2 is pending: remove it from there.
        // SAFETY: it is linked (in pending).
        unsafe { wheel.remove(ptr(&entries[2])) };
        assert!(wheel.pop_pending().is_none());
        assert_eq!(fire(&mut wheel, 20_000), vec![10_000, 10_000]);
        assert_eq!(wheel.live(), 0);
        assert_eq!(wheel.next_deadline(), None);
    }

    #[test]
    fn deadlines_beyond_reach_are_refiled_and_fire_on_time() {
        let mut wheel = Wheel::new();
        let far = MAX_SPAN * 3 + 12_345;
        let e = Box::pin(Entry::new());
        let near = Box::pin(Entry::new());
        // SAFETY: the boxed entries outlive the wheel's use of them.
        unsafe { wheel.insert(ptr(&e), far) };
        // SAFETY: as above.
        unsafe { wheel.insert(ptr(&near), 5) };
        assert_eq!(fire(&mut wheel, 5), vec![5]);
        let mut steps = 0;
        let mut fired = Vec::new();
        while fired.is_empty() {
            let next = wheel.next_deadline().unwrap();
            assert!(next <= far);
            fired = fire(&mut wheel, next);
            steps += 1;
            assert!(steps < 1000, "the far entry never came due");
        }
        assert_eq!(fired, vec![far]);
        assert_eq!(wheel.elapsed(), far);
    }

    #[test]
    fn take_all_moves_everything_to_pending() {
        let mut wheel = Wheel::new();
        let entries: Vec<_> = (0..10).map(|_| Box::pin(Entry::new())).collect();
        for (i, e) in entries.iter().enumerate() {
            // SAFETY: the boxed entries outlive the wheel's use of them.
            unsafe { wheel.insert(ptr(e), 1 + (i as u64) * 7919) };
        }
        wheel.take_all();
        assert_eq!(wheel.next_deadline(), Some(0));
        let mut n = 0;
        while wheel.pop_pending().is_some() {
            n += 1;
        }
        assert_eq!(n, 10);
        assert_eq!(wheel.live(), 0);
        assert_eq!(wheel.next_deadline(), None);
    }
}
