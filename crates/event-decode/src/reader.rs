//! The downstream API: [`from_slice`] for one event, [`EventReader`] for a
//! stream of them.

use std::io::BufRead;

use bumpalo::Bump;
use event_model::Event;

use crate::frames::{Frame, FrameReader, Resync, Verdict};
use crate::json::JsonDecoder;
use crate::protobuf::ZeroCopyDecoder;
use crate::yaml::YamlDecoder;
use crate::{DecodeConfig, DecodeError, Decoder, Format};

/// Decodes one event of `format` from `bytes` (one YAML document, one JSON
/// object, or one protobuf message without a length prefix) under the
/// default [`DecodeConfig`].
///
/// Strings of the event borrow from `bytes` where the format holds them
/// verbatim, and from `arena` otherwise. The event is validated; an error
/// says what is wrong and where (line and column, or byte offset, and the
/// field path).
///
/// ```
/// use event_decode::{Bump, Format, from_slice};
///
/// let line = br#"{"id":"e1","seq":7,"ts":"2024-05-17T14:00:00.406Z","kind":"player_left",
///                 "player_id":"plr_1","region":"eu-west","payload":{"reason":"quit"}}"#;
/// let arena = Bump::new();
/// let event = from_slice(Format::Json, line, &arena).unwrap();
/// assert_eq!(event.seq, 7);
///
/// let e = from_slice(Format::Yaml, b"id: e1\nseq: -1\n", &arena).unwrap_err();
/// assert_eq!(e.line(), Some(2));
/// ```
pub fn from_slice<'a>(
    format: Format,
    bytes: &'a [u8],
    arena: &'a Bump,
) -> Result<Event<'a>, DecodeError> {
    from_slice_with(format, bytes, arena, &DecodeConfig::new())
}

/// [`from_slice`] under `config`.
pub fn from_slice_with<'a>(
    format: Format,
    bytes: &'a [u8],
    arena: &'a Bump,
    config: &DecodeConfig,
) -> Result<Event<'a>, DecodeError> {
    match format {
        Format::Yaml => YamlDecoder::with_config(config).decode(bytes, arena),
        Format::Json => JsonDecoder::with_config(config).decode(bytes, arena),
        Format::Protobuf => ZeroCopyDecoder::with_config(config).decode(bytes, arena),
    }
}

/// What [`EventReader::read_event_into`] read: a good event, a bad frame, or
/// the point where the stream was cut short.
#[derive(Debug)]
pub enum Item<'a> {
    /// A decoded, valid event.
    Event {
        /// The event; its strings live in `frame.bytes` or the arena.
        event: Event<'a>,
        /// The frame it was decoded from, its bytes copied into the arena.
        frame: Frame<'a>,
    },
    /// A frame that is not a valid event: one bad event of the stream.
    Bad {
        /// What is wrong, positioned in the stream (event number, and line
        /// and column or byte offset from the start of the stream).
        error: DecodeError,
        /// The frame, its bytes copied into the arena (for a dead-letter
        /// sink); `None` when the frame itself could not be read (over the
        /// size limit, for instance), in which case `error` says where it
        /// was.
        frame: Option<Frame<'a>>,
        /// Whether reading goes on after this frame. When `false`, the next
        /// call returns [`Item::CutShort`] with the same error.
        resumes: bool,
    },
    /// The stream cannot be read any further (a truncated frame, a broken
    /// protobuf length prefix, a failed read, or a reader failing twice the
    /// same way): nothing after this point was read. `error` says why; the
    /// next call returns `None`.
    CutShort {
        /// Why the stream stopped, positioned in the stream.
        error: DecodeError,
    },
}

/// Reads a stream of events one at a time into a caller's arena, with each
/// event's position: the frames of [`Format::frames`], decoded by
/// [`Format::decoder`], and the resynchronisation rules of
/// [`Resync`](crate::frames::Resync) after a bad frame.
///
/// The caller owns the arena and decides when to reset it, as with
/// quick-xml's `read_event_into`: resetting it between events keeps memory
/// bounded by the largest event, however long the stream.
///
/// ```
/// use event_decode::{Bump, DecodeConfig, EventReader, Format, Item};
///
/// let stream: &[u8] = b"id: e1\nseq: 1\nts: 2024-05-17T14:00:00Z\nkind: player_left\n\
///     player_id: plr_1\nregion: eu-west\npayload: {reason: quit}\n\
///     ---\nid: e2\nseq: oops\n";
/// let mut reader = EventReader::new(Format::Yaml, stream, &DecodeConfig::new());
/// let mut arena = Bump::new();
/// let mut seen = Vec::new();
/// loop {
///     arena.reset();
///     match reader.read_event_into(&arena) {
///         Some(Item::Event { event, frame }) => seen.push((frame.number, event.id.to_string())),
///         Some(Item::Bad { error, frame, resumes }) => {
///             assert_eq!(error.event_number(), Some(2));
///             assert_eq!(error.line(), Some(10));
///             assert_eq!(frame.unwrap().bytes, b"---\nid: e2\nseq: oops\n");
///             assert!(resumes);
///         }
///         Some(Item::CutShort { error }) => panic!("cut short: {error}"),
///         None => break,
///     }
/// }
/// assert_eq!(seen, [(1, "e1".to_string())]);
/// ```
pub struct EventReader<'r> {
    format: Format,
    frames: Box<dyn FrameReader + 'r>,
    decoder: Box<dyn Decoder>,
    resync: Resync,
    /// The error to report as [`Item::CutShort`] on the next call.
    cut: Option<DecodeError>,
    /// The stream ended, cleanly or cut short.
    done: bool,
}

impl std::fmt::Debug for EventReader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventReader")
            .field("format", &self.format)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<'r> EventReader<'r> {
    /// A reader of the `format` stream in `reader` under `config` (its
    /// `max_event_bytes` bounds each frame as well as each event).
    pub fn new(format: Format, reader: impl BufRead + 'r, config: &DecodeConfig) -> Self {
        EventReader {
            format,
            frames: format.frames(reader, config),
            decoder: format.decoder(config),
            resync: Resync::default(),
            cut: None,
            done: false,
        }
    }

    /// The format of the stream.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Reads the next frame, decodes it into `arena`, and says what came
    /// out; `None` at the end of the stream (after an [`Item::CutShort`],
    /// too).
    ///
    /// The frame's bytes are copied into `arena` first, so the event and
    /// the bytes live as long as the arena, independently of the reader. A
    /// frame that does not fit under the arena's allocation limit is an
    /// [`Item::Bad`] with a [`Category::OutOfMemory`](crate::Category) error.
    pub fn read_event_into<'a>(&mut self, arena: &'a Bump) -> Option<Item<'a>> {
        if let Some(error) = self.cut.take() {
            self.done = true;
            return Some(Item::CutShort { error });
        }
        if self.done {
            return None;
        }
        let error = match self.frames.next_frame() {
            Ok(None) => {
                self.done = true;
                return None;
            }
            Ok(Some(frame)) => {
                let Ok(bytes) = arena.try_alloc_slice_copy(frame.bytes) else {
                    return Some(Item::Bad {
                        error: frame.locate(DecodeError::out_of_memory()),
                        frame: None,
                        resumes: true,
                    });
                };
                let frame = Frame {
                    bytes: &*bytes,
                    number: frame.number,
                    offset: frame.offset,
                    line: frame.line,
                };
                return Some(match self.decoder.decode(frame.bytes, arena) {
                    Ok(event) => Item::Event { event, frame },
                    Err(e) => Item::Bad {
                        error: frame.locate(e),
                        frame: Some(frame),
                        resumes: true,
                    },
                });
            }
            Err(error) => error,
        };
        match self.resync.after(self.format, &error) {
            Verdict::Reject => Some(Item::Bad {
                error,
                frame: None,
                resumes: true,
            }),
            Verdict::RejectAndStop => {
                self.cut = Some(error.clone());
                Some(Item::Bad {
                    error,
                    frame: None,
                    resumes: false,
                })
            }
            Verdict::Stop => {
                self.done = true;
                Some(Item::CutShort { error })
            }
        }
    }
}
