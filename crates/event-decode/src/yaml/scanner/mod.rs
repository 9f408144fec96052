//! The project's own YAML 1.2 scanner: a zero-copy pull parser behind the
//! [`NodeSource`](super::NodeSource) seam.
//!
//! - `chars`: the input cursor (line, column, character index) and YAML's
//!   character classes; the check that refuses non-printable characters.
//! - `lexer` and `scalars`: tokens, as the YAML 1.2 reference scanners make
//!   them (indentation as explicit block tokens, simple keys resolved with
//!   one line of lookahead), every scalar style, anchors, tags, directives.
//! - `parser`: [`YamlParser`], the grammar as an explicit state machine,
//!   producing [`Token`]s with everything the YAML test suite shows.
//! - `nodes`: [`ScannerNodes`], one document's nodes for the serde
//!   layer, aliases replayed under the event and byte budgets.
//! - `suite`: the test suite's event notation.
//!
//! Scalars that stand verbatim in the input (one line, no escapes) are
//! slices of it; escaped, folded and block scalars are built once in a
//! reused scratch string and copied into the caller's arena. Nothing
//! recurses on the input's nesting, and lookahead is bounded, so memory
//! per document is a small multiple of its size.

mod chars;
mod lexer;
mod nodes;
mod parser;
mod scalars;
mod suite;

pub(super) use chars::is_c_indicator;
pub(in crate::yaml) use lexer::KEEP_BYTES;
pub use nodes::{ScannerBuffers, ScannerNodes};
pub use parser::{ParseBuffers, Tag, Token, YamlParser};
pub use suite::{suite_events, write_event};
