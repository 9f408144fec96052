//! Field paths (`payload.inventory[2].qty`) and the trail a decoder keeps of
//! where it is, so that an error can say where it happened.

use std::cell::Cell;
use std::fmt;

use event_model::{Kind, Limit};

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
    /// The caller's arena refused an allocation (its allocation limit was
    /// reached).
    OutOfMemory,
}

/// Where a decode failed: the path segments of the failure, kept without
/// allocating, plus the classification of the fault.
///
/// The path is built on the error path only (as prost does): nothing is
/// written while decoding succeeds. When an error leaves a field or list
/// item, the decoder [records](Trail::record) that segment, so segments
/// arrive innermost first as the error travels outwards; [`Trail::path`]
/// renders them outermost first. Interior mutability lets serde seeds share
/// it by `&`.
#[derive(Debug)]
pub struct Trail<'a> {
    segments: [Cell<Segment<'a>>; MAX_TRAIL],
    len: Cell<usize>,
    fault: Cell<Option<Fault>>,
    deferred: Cell<Option<Kind>>,
}

impl Default for Trail<'_> {
    fn default() -> Self {
        Trail {
            segments: std::array::from_fn(|_| Cell::new(Segment::Index(0))),
            len: Cell::new(0),
            fault: Cell::new(None),
            deferred: Cell::new(None),
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
        self.deferred.set(None);
    }

    /// Records `segment` as the parent of every segment recorded so far:
    /// called as an error leaves a field or list item, innermost first.
    /// Past [`MAX_TRAIL`] segments the outermost ones are kept (the
    /// innermost are overwritten).
    #[cold]
    pub fn record(&self, segment: Segment<'a>) {
        let len = self.len.get();
        self.segments[len % MAX_TRAIL].set(segment);
        self.len.set(len + 1);
    }

    /// How many segments were recorded.
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

    /// Records that the event's `payload` came before its `kind` and was
    /// skipped; the decode must be run again knowing `kind` (see
    /// [`EventSeed::payload_kind`](super::seed::EventSeed::payload_kind)).
    pub fn set_deferred(&self, kind: Kind) {
        self.deferred.set(Some(kind));
    }

    /// The kind of an event whose early `payload` was skipped, when the
    /// decode failed for that reason only.
    pub fn deferred(&self) -> Option<Kind> {
        self.deferred.get()
    }

    /// The path as text (`payload.inventory[2].qty`); empty at the top level.
    pub fn path(&self) -> String {
        let mut out = String::new();
        let len = self.len.get();
        for k in 1..=len.min(MAX_TRAIL) {
            push_segment(&mut out, self.segments[(len - k) % MAX_TRAIL].get());
        }
        out
    }
}

/// Appends one segment to a textual path. Control characters and line
/// separators in a field name (which may come from the input) are escaped
/// (`\u{1b}`, `\n`), so a path is always one printable line.
pub fn push_segment(out: &mut String, segment: Segment<'_>) {
    match segment {
        Segment::Field(name) => {
            if !out.is_empty() {
                out.push('.');
            }
            push_escaped(out, name);
        }
        Segment::Index(i) => {
            use fmt::Write;
            let _ = write!(out, "[{i}]");
        }
    }
}

/// Appends `text` with every control character (C0, DEL, C1) and Unicode
/// line or paragraph separator escaped as Rust's `escape_debug` does, the
/// rest as it is: input echoed in a message can never start a new line or
/// drive a terminal.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        if needs_escape(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
}

/// Whether [`push_escaped`] escapes `c`.
pub fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_renders_paths_and_survives_overflow() {
        let t = Trail::new();
        assert_eq!(t.path(), "");
        t.record(Segment::Field("qty"));
        t.record(Segment::Index(2));
        t.record(Segment::Field("inventory"));
        t.record(Segment::Field("payload"));
        assert_eq!(t.path(), "payload.inventory[2].qty");
        assert_eq!(t.depth(), 4);
        // Deeper than MAX_TRAIL: the outermost segments are kept.
        let t = Trail::new();
        for i in (0..20).rev() {
            t.record(Segment::Index(i));
        }
        t.record(Segment::Field("payload"));
        assert_eq!(t.depth(), 21);
        assert_eq!(t.path(), "payload[0][1][2][3][4][5][6]");
        t.set_fault(Fault::Data);
        t.clear();
        assert_eq!(t.path(), "");
        assert_eq!(t.fault(), None);
    }

    #[test]
    fn paths_escape_control_characters() {
        let mut out = String::new();
        push_segment(&mut out, Segment::Field("attrs"));
        push_segment(&mut out, Segment::Field("\u{1b}[2J\nerror: event 99"));
        assert_eq!(out, "attrs.\\u{1b}[2J\\nerror: event 99");
        assert!(!out.chars().any(needs_escape));
    }
}
