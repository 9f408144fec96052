//! The one configuration every decoder and frame reader takes.

use event_model::Limits;

use crate::text::seed::DecodeOptions;

/// What a decoder does with a field (a mapping key, or a protobuf field
/// number) that the schema does not know.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UnknownFields {
    /// Skip it (its content still counts against the limits). The default,
    /// and the only reading protobuf has: proto3 readers skip unknown
    /// fields, so the protobuf decoders skip them under either policy.
    #[default]
    Skip,
    /// Refuse the event with a `Data` error naming the field (YAML and
    /// JSON).
    Deny,
}

/// How to decode: the [`Limits`] every decoder and frame reader enforces,
/// and the [`UnknownFields`] policy.
///
/// One value configures a whole pipeline: [`Format::decoder`](crate::Format::decoder),
/// [`Format::frames`](crate::Format::frames), [`EventReader`](crate::EventReader)
/// and each format's decoder and frame reader (`with_config`) take it. It is
/// `#[non_exhaustive]`: start from [`DecodeConfig::new`] (or `Default`) and
/// use the setters, or assign the public fields.
///
/// ```
/// use event_decode::{DecodeConfig, Limits, UnknownFields};
///
/// let cfg = DecodeConfig::new().max_event_bytes(1 << 20).deny_unknown_fields();
/// assert_eq!(cfg.limits.max_event_bytes, 1 << 20);
/// assert_eq!(cfg.limits.max_depth, Limits::DEFAULT.max_depth);
/// assert_eq!(cfg.unknown_fields, UnknownFields::Deny);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeConfig {
    /// The limits (default [`Limits::DEFAULT`]). `max_event_bytes` is also
    /// the largest frame a frame reader accepts.
    pub limits: Limits,
    /// What to do with unknown fields (default [`UnknownFields::Skip`]).
    pub unknown_fields: UnknownFields,
}

impl DecodeConfig {
    /// The defaults: [`Limits::DEFAULT`], unknown fields skipped.
    pub const fn new() -> Self {
        DecodeConfig {
            limits: Limits::DEFAULT,
            unknown_fields: UnknownFields::Skip,
        }
    }

    /// Replaces all limits.
    pub const fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets [`Limits::max_event_bytes`]: the size of one event (a YAML
    /// document, a JSON line, a protobuf message), and of one frame.
    pub const fn max_event_bytes(mut self, n: usize) -> Self {
        self.limits.max_event_bytes = n;
        self
    }

    /// Sets [`Limits::max_depth`]: nesting of collections, or of protobuf
    /// messages and groups, the event being depth 1 (at most
    /// 128 levels are followed, whatever this says).
    pub const fn max_depth(mut self, n: usize) -> Self {
        self.limits.max_depth = n;
        self
    }

    /// Sets [`Limits::max_string_bytes`] (every string read, keys included).
    pub const fn max_string_bytes(mut self, n: usize) -> Self {
        self.limits.max_string_bytes = n;
        self
    }

    /// Sets [`Limits::max_items`] (each list or mapping; protobuf repeated
    /// fields and `attrs` entries, duplicates included).
    pub const fn max_items(mut self, n: usize) -> Self {
        self.limits.max_items = n;
        self
    }

    /// Sets [`Limits::max_alias_events`]: how many events YAML alias
    /// expansion may replay in one document (other formats have no aliases).
    pub const fn max_alias_events(mut self, n: usize) -> Self {
        self.limits.max_alias_events = n;
        self
    }

    /// Sets [`Limits::max_alias_bytes`]: how many bytes of scalar text YAML
    /// alias expansion may replay in one document.
    pub const fn max_alias_bytes(mut self, n: usize) -> Self {
        self.limits.max_alias_bytes = n;
        self
    }

    /// Sets the [`UnknownFields`] policy.
    pub const fn unknown_fields(mut self, policy: UnknownFields) -> Self {
        self.unknown_fields = policy;
        self
    }

    /// Unknown fields are errors: [`UnknownFields::Deny`].
    pub const fn deny_unknown_fields(self) -> Self {
        self.unknown_fields(UnknownFields::Deny)
    }

    /// The serde seed's options for a text decoder.
    pub(crate) fn options(&self, text_from_any_scalar: bool) -> DecodeOptions {
        DecodeOptions {
            limits: self.limits,
            strict: self.unknown_fields == UnknownFields::Deny,
            text_from_any_scalar,
        }
    }
}
