//! Decoding limits shared by every decoder.

use std::fmt;

/// The limits every decoder enforces. Skipped (unknown) content counts
/// against them too, so memory never grows with input that a limit rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest encoded event (one YAML document, JSON line or protobuf
    /// message), in bytes. Default 64 KiB.
    pub max_event_bytes: usize,
    /// Deepest nesting of collections (YAML/JSON) or messages and groups
    /// (protobuf), the event itself being depth 1. Default 32.
    pub max_depth: usize,
    /// Longest string (and mapping key), in bytes. Default 16 KiB.
    pub max_string_bytes: usize,
    /// Most items in one list or mapping. Default 1,024.
    pub max_items: usize,
    /// Most YAML events replayed by alias expansion in one document. Default 4,096.
    pub max_alias_events: usize,
    /// Most bytes of scalar text (keys included) that alias expansion may
    /// replay in one YAML document: each alias counts the length of every
    /// scalar it repeats. Default 64 KiB (65,536), so that expansion can
    /// never make a document decode to more text than the largest document
    /// holds.
    pub max_alias_bytes: usize,
}

impl Limits {
    /// The documented defaults.
    pub const DEFAULT: Limits = Limits {
        max_event_bytes: 64 * 1024,
        max_depth: 32,
        max_string_bytes: 16 * 1024,
        max_items: 1024,
        max_alias_events: 4096,
        max_alias_bytes: 64 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// Which limit an input exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// [`Limits::max_event_bytes`] (or a stream's maximum frame size).
    EventBytes,
    /// [`Limits::max_depth`].
    Depth,
    /// [`Limits::max_string_bytes`].
    StringBytes,
    /// [`Limits::max_items`].
    Items,
    /// [`Limits::max_alias_events`].
    AliasEvents,
    /// [`Limits::max_alias_bytes`].
    AliasBytes,
}

impl Limit {
    /// The limit's name, as errors print it.
    pub const fn name(self) -> &'static str {
        match self {
            Limit::EventBytes => "max_event_bytes",
            Limit::Depth => "max_depth",
            Limit::StringBytes => "max_string_bytes",
            Limit::Items => "max_items",
            Limit::AliasEvents => "max_alias_events",
            Limit::AliasBytes => "max_alias_bytes",
        }
    }

    /// This limit's value in `limits`.
    pub const fn value_in(self, limits: &Limits) -> usize {
        match self {
            Limit::EventBytes => limits.max_event_bytes,
            Limit::Depth => limits.max_depth,
            Limit::StringBytes => limits.max_string_bytes,
            Limit::Items => limits.max_items,
            Limit::AliasEvents => limits.max_alias_events,
            Limit::AliasBytes => limits.max_alias_bytes,
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A decoded value over one of the [`Limits`]: which, where and by how much.
/// Each decoder turns it into its own error; `proto::Event::check_limits`
/// returns it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {found} exceeds {limit} ({max})")]
pub struct LimitExceeded {
    /// The limit exceeded ([`Limit::StringBytes`] or [`Limit::Items`] for
    /// the checks of a decoded message).
    pub limit: Limit,
    /// The field over it (`payload.party[3]`, `attrs.key`).
    pub path: String,
    /// The string's length in bytes or the list's number of items.
    pub found: usize,
    /// The limit's value.
    pub max: usize,
}

impl LimitExceeded {
    #[cold]
    pub(crate) fn new(limit: Limit, path: impl Into<String>, found: usize, max: usize) -> Self {
        LimitExceeded {
            limit,
            path: path.into(),
            found,
            max,
        }
    }
}
