//! The window of recently accepted event ids.

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, RandomState};

/// Remembers the ids of the last `capacity` accepted events.
///
/// Each id is kept as a 128-bit keyed hash (two SipHash keys drawn at
/// start), not as a string: the window costs a fixed 32 bytes or so per id
/// whatever the ids' lengths, inserting allocates nothing once the window is
/// full, and a false "duplicate" needs a 128-bit collision (about 2^-128 per
/// pair, 2^-94 over a 100,000-id window), which is far below the chance of
/// a hardware fault.
#[derive(Debug)]
pub(crate) struct Window {
    capacity: usize,
    order: VecDeque<u128>,
    seen: HashSet<u128, Identity>,
    keys: (RandomState, RandomState),
}

impl Window {
    pub(crate) fn new(capacity: usize) -> Window {
        // Preallocated up to a bound, so a large window is not all paid for
        // at start; it grows to its capacity once.
        let pre = capacity.min(1 << 16);
        Window {
            capacity,
            order: VecDeque::with_capacity(pre),
            seen: HashSet::with_capacity_and_hasher(pre, Identity),
            keys: (RandomState::new(), RandomState::new()),
        }
    }

    /// The window's key of `id`.
    pub(crate) fn hash(&self, id: &str) -> u128 {
        let a = self.keys.0.hash_one(id);
        let b = self.keys.1.hash_one(id);
        (u128::from(a) << 64) | u128::from(b)
    }

    /// Whether `id` was accepted within the window.
    #[cfg(test)]
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.contains_hash(self.hash(id))
    }

    /// Whether the id of key `h` ([`Window::hash`]) is in the window.
    pub(crate) fn contains_hash(&self, h: u128) -> bool {
        self.capacity > 0 && self.seen.contains(&h)
    }

    /// Remembers `id`, forgetting the oldest id once the window is full.
    #[cfg(test)]
    pub(crate) fn insert(&mut self, id: &str) {
        self.insert_hash(self.hash(id));
    }

    /// Remembers the id of key `h`.
    pub(crate) fn insert_hash(&mut self, h: u128) {
        if self.capacity == 0 {
            return;
        }
        if !self.seen.insert(h) {
            return;
        }
        if self.order.len() == self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        self.order.push_back(h);
    }

    /// Ids held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }
}

/// The window's keys are already keyed hashes: hashing them again is waste.
#[derive(Debug, Clone, Copy, Default)]
struct Identity;

impl BuildHasher for Identity {
    type Hasher = IdentityHasher;
    fn build_hasher(&self) -> IdentityHasher {
        IdentityHasher(0)
    }
}

#[derive(Debug, Default)]
struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u128 keys are hashed (through write_u128); fold anything else.
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(b);
        }
    }
    fn write_u128(&mut self, n: u128) {
        self.0 = (n as u64) ^ ((n >> 64) as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_last_ids_only() {
        let mut w = Window::new(3);
        for id in ["a", "b", "c"] {
            assert!(!w.contains(id));
            w.insert(id);
        }
        assert!(w.contains("a") && w.contains("c"));
        w.insert("d");
        assert!(!w.contains("a"), "the oldest id leaves the window");
        assert!(w.contains("b") && w.contains("d"));
        w.insert("d");
        assert_eq!(w.len(), 3, "a repeat does not take a second slot");
    }

    #[test]
    fn zero_turns_it_off() {
        let mut w = Window::new(0);
        w.insert("a");
        assert!(!w.contains("a"));
    }
}
