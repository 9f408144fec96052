//! A whole stream through the pipeline: events read one at a time by an
//! [`EventReader`] into the pipeline's arena and routed, bad frames
//! rejected with their positions, until the stream ends, is cut short, a
//! rejection stops it, or the caller does.

use event_decode::frames::Frame;
use event_decode::{DecodeError, EventReader, Item};
use event_router::{Explanation, Outcome};

use crate::{OnReject, Pipeline, RejectCause};

/// One event or bad frame of a stream, as the router handled it.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// What the router did with it: outcome, routes, handlers, partition.
    pub explanation: &'a Explanation<'a>,
    /// Where it was in the stream; `None` for a frame the stream could not
    /// deliver (over the size limit, say), whose `error` says where it was.
    pub frame: Option<&'a Frame<'a>>,
    /// Why a bad frame was rejected, positioned in the stream (event number,
    /// line and column or byte offset).
    pub error: Option<&'a DecodeError>,
}

/// Watches a stream go through [`Pipeline::route_stream`].
pub trait StreamObserver {
    /// Called once per event or bad frame, after the router handled it.
    fn delivered(&mut self, delivery: &Delivery<'_>);

    /// Asked before each read and before a bad frame is counted: `true`
    /// ends the run there (a signal, a closed output). Events already read
    /// are routed first.
    fn should_stop(&mut self) -> bool {
        false
    }
}

impl<F: FnMut(&Delivery<'_>)> StreamObserver for F {
    fn delivered(&mut self, delivery: &Delivery<'_>) {
        self(delivery)
    }
}

/// How a stream run ended.
#[derive(Debug, Default)]
pub struct StreamEnd {
    /// The rejection that stopped the run under [`OnReject::Stop`], with the
    /// frame's 1-based number in the stream.
    pub rejected: Option<(u64, RejectCause)>,
    /// Why the stream could not be read any further, if it was cut short:
    /// nothing after this point was read.
    pub cut_short: Option<DecodeError>,
    /// The observer asked to stop ([`StreamObserver::should_stop`]).
    pub stopped: bool,
}

impl Pipeline {
    /// Routes every event of `reader`, one at a time, each decoded into the
    /// pipeline's arena (reset between events, replaced after a spike past
    /// the cap), so memory stays bounded by the largest event however long
    /// the stream. A bad frame is rejected (the dead-letter sink gets its
    /// bytes and positioned error); under [`OnReject::Stop`] the first
    /// rejection ends the run.
    pub fn route_stream<O: StreamObserver + ?Sized>(
        &mut self,
        reader: &mut EventReader<'_>,
        observer: &mut O,
    ) -> StreamEnd {
        let mut end = StreamEnd::default();
        loop {
            self.end_batch();
            if observer.should_stop() {
                end.stopped = true;
                return end;
            }
            let Pipeline {
                router,
                arena,
                on_reject,
                ..
            } = self;
            let Some(item) = reader.read_event_into(arena) else {
                return end;
            };
            // A bad frame or the end of a cut stream is not counted once the
            // observer wants to stop (a read failing because of a signal).
            if !matches!(item, Item::Event { .. }) && observer.should_stop() {
                end.stopped = true;
                return end;
            }
            match item {
                Item::Event { event, frame } => {
                    let outcome = router.route_frame(frame.bytes, &event, |x| {
                        observer.delivered(&Delivery {
                            explanation: x,
                            frame: Some(&frame),
                            error: None,
                        })
                    });
                    router.take_handler_failures();
                    if outcome == Outcome::Rejected && *on_reject == OnReject::Stop {
                        let cause = RejectCause::Unmatched {
                            kind: event.kind(),
                            id: event.id.to_owned(),
                        };
                        end.rejected = Some((frame.number, cause));
                        return end;
                    }
                }
                Item::Bad {
                    error,
                    frame,
                    resumes,
                } => {
                    let raw = frame.map_or(&[][..], |f| f.bytes);
                    router.reject_frame(raw, &error, |x| {
                        observer.delivered(&Delivery {
                            explanation: x,
                            frame: frame.as_ref(),
                            error: Some(&error),
                        })
                    });
                    if !resumes {
                        end.cut_short = Some(error.clone());
                    }
                    if *on_reject == OnReject::Stop {
                        let number = error
                            .event_number()
                            .or(frame.map(|f| f.number))
                            .unwrap_or(0);
                        end.rejected = Some((number, RejectCause::Bad(error)));
                        return end;
                    }
                    if !resumes {
                        return end;
                    }
                }
                Item::CutShort { error } => {
                    end.cut_short = Some(error);
                    return end;
                }
            }
        }
    }
}
