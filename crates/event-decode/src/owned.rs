//! Decoding into an [`OwnedEvent`], for callers that keep events past an
//! arena's life.

use bumpalo::Bump;
use event_model::OwnedEvent;

use crate::{DecodeConfig, DecodeError, Format, from_slice_with};

/// Decodes one event into an [`OwnedEvent`] (`String`s and `Vec`s), under
/// the default [`DecodeConfig`]: the same decoder, limits and validation as
/// [`from_slice`](crate::from_slice), then a copy out of a scratch arena.
///
/// ```
/// use event_decode::{Format, from_slice_owned};
///
/// let json = br#"{"id":"e1","seq":1,"ts":5,"kind":"heartbeat","player_id":"p","region":"eu"}"#;
/// let event = from_slice_owned(Format::Json, json).unwrap();
/// assert_eq!(event.id, "e1");
/// ```
pub fn from_slice_owned(format: Format, bytes: &[u8]) -> Result<OwnedEvent, DecodeError> {
    from_slice_owned_with(format, bytes, &DecodeConfig::new())
}

/// [`from_slice_owned`] under `config`.
pub fn from_slice_owned_with(
    format: Format,
    bytes: &[u8],
    config: &DecodeConfig,
) -> Result<OwnedEvent, DecodeError> {
    let arena = Bump::new();
    Ok(from_slice_with(format, bytes, &arena, config)?.to_owned())
}
