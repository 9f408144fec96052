//! Splitting a multi-document YAML stream into documents without parsing it.
//!
//! A document boundary is a line that starts with `---` or `...` at column 0,
//! followed by a space, a tab, a line break or the end of the input. YAML 1.2
//! forbids such lines inside any scalar, so the split is exact. Line breaks
//! are LF, CRLF or a lone CR (YAML 1.2 accepts all three). `%` directives
//! belong to the document that follows them, a leading byte-order mark is
//! skipped, and comment-only stretches between documents are not documents.
//! Each document then gets its own parser, which also scopes its anchors to
//! it.
//!
//! [`lines`] classifies lines and holds the framing rule; [`memory`] applies
//! it to a stream in memory ([`documents`]), [`stream`] to a reader
//! ([`YamlFrames`]).

mod lines;
mod memory;
mod stream;

pub use memory::{Documents, documents};
pub use stream::YamlFrames;
