//! Field paths (`payload.inventory[2].qty`) and the trail a decoder keeps of
//! where it is, so that an error can say where it happened.

use std::cell::Cell;
use std::fmt;

use crate::Limit;

/// One step of a field path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// A mapping key or message field name.
    Field(&'a str),
    /// A list index (0-based).
    Index(usize),
}

/// The deepest path a [`Trail`] records; the schema nests at most five deep.
pub const MAX_TRAIL: usize = 8;

/// Why a decode failed, as recorded by the layer that found out (the serde
/// error type itself carries only a message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The input was well-formed but not a valid event (wrong type, missing
    /// field, bad value).
    Data,
    /// The input exceeded a limit.
    Limit(Limit),
}

/// Where a decoder is inside an event: a fixed-size stack of path segments,
/// kept without allocating, plus the classification of the last fault.
///
/// Decoders push a segment when they enter a field and pop it when the field
/// was read; on an error they stop popping, so the trail holds the path of the
/// failure. Interior mutability lets serde seeds share it by `&`.
#[derive(Debug)]
pub struct Trail<'a> {
    segments: [Cell<Segment<'a>>; MAX_TRAIL],
    len: Cell<usize>,
    fault: Cell<Option<Fault>>,
}

impl Default for Trail<'_> {
    fn default() -> Self {
        Trail {
            segments: std::array::from_fn(|_| Cell::new(Segment::Index(0))),
            len: Cell::new(0),
            fault: Cell::new(None),
        }
    }
}

impl<'a> Trail<'a> {
    /// An empty trail.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets everything (call before each event).
    pub fn clear(&self) {
        self.len.set(0);
        self.fault.set(None);
    }

    /// Enters a field or list item. Segments past [`MAX_TRAIL`] are counted
    /// but not kept.
    #[inline]
    pub fn push(&self, segment: Segment<'a>) {
        let len = self.len.get();
        if let Some(slot) = self.segments.get(len) {
            slot.set(segment);
        }
        self.len.set(len + 1);
    }

    /// Leaves the innermost field or item.
    #[inline]
    pub fn pop(&self) {
        self.len.set(self.len.get().saturating_sub(1));
    }

    /// How many segments deep the trail is.
    pub fn depth(&self) -> usize {
        self.len.get()
    }

    /// Records the classification of a fault about to be returned.
    pub fn set_fault(&self, fault: Fault) {
        self.fault.set(Some(fault));
    }

    /// The fault recorded since the last [`Trail::clear`], if any.
    pub fn fault(&self) -> Option<Fault> {
        self.fault.get()
    }

    /// The path as text (`payload.inventory[2].qty`); empty at the top level.
    pub fn path(&self) -> String {
        let mut out = String::new();
        let len = self.len.get().min(MAX_TRAIL);
        for slot in &self.segments[..len] {
            push_segment(&mut out, slot.get());
        }
        out
    }
}

/// Appends one segment to a textual path.
pub fn push_segment(out: &mut String, segment: Segment<'_>) {
    match segment {
        Segment::Field(name) => {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(name);
        }
        Segment::Index(i) => {
            use fmt::Write;
            let _ = write!(out, "[{i}]");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_renders_paths_and_survives_overflow() {
        let t = Trail::new();
        t.push(Segment::Field("payload"));
        t.push(Segment::Field("inventory"));
        t.push(Segment::Index(2));
        t.push(Segment::Field("qty"));
        assert_eq!(t.path(), "payload.inventory[2].qty");
        t.pop();
        t.pop();
        assert_eq!(t.path(), "payload.inventory");
        for _ in 0..20 {
            t.push(Segment::Field("x"));
        }
        assert_eq!(t.depth(), 22);
        for _ in 0..20 {
            t.pop();
        }
        assert_eq!(t.path(), "payload.inventory");
        t.set_fault(Fault::Data);
        t.clear();
        assert_eq!(t.path(), "");
        assert_eq!(t.fault(), None);
    }
}
