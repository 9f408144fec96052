//! One frame at a time, with a gate in front of the router: for callers that
//! decide per event whether it may be routed at all (a service refusing an id
//! it has already routed, say).

use event_decode::frames::Frame;
use event_decode::{DecodeError, Decoder};
use event_model::Event;
use event_router::{Explanation, Outcome};

use crate::Pipeline;

/// Watches one frame go through [`Pipeline::route_one`].
pub trait FrameObserver {
    /// Asked once the event decoded, before it is routed: `false` refuses
    /// it. A refused event is not routed and not counted by the router; the
    /// caller accounts for it.
    fn admit(&mut self, event: &Event<'_>) -> bool {
        let _ = event;
        true
    }

    /// Called once the router handled the frame (routed, dead-lettered,
    /// dropped or rejected). Not called for a refused event.
    fn delivered(&mut self, explanation: &Explanation<'_>);
}

/// What [`Pipeline::route_one`] did with a frame.
#[derive(Debug)]
pub enum Routed {
    /// The router handled the event.
    Event(Outcome),
    /// [`FrameObserver::admit`] refused the event: nothing was routed or
    /// counted.
    Refused,
    /// The frame did not decode or validate: rejected (the dead-letter sink
    /// got its bytes and this error, positioned in the stream).
    Bad(DecodeError),
}

impl Pipeline {
    /// Decodes `frame` with `decoder` into the pipeline's arena and, if the
    /// observer admits the event, routes it. A frame that does not decode is
    /// rejected with its error placed in the stream ([`Frame::locate`]).
    /// The arena is reset afterwards, so memory stays bounded by the largest
    /// event; handler errors are counted by the router
    /// ([`Explanation::handler_errors`]) and not kept.
    pub fn route_one<D, O>(
        &mut self,
        decoder: &mut D,
        frame: &Frame<'_>,
        observer: &mut O,
    ) -> Routed
    where
        D: Decoder + ?Sized,
        O: FrameObserver + ?Sized,
    {
        let routed = match decoder.decode(frame.bytes, &self.arena) {
            Ok(event) => {
                if observer.admit(&event) {
                    let outcome = self
                        .router
                        .route_frame(frame.bytes, &event, |x| observer.delivered(x));
                    self.router.take_handler_failures();
                    Routed::Event(outcome)
                } else {
                    Routed::Refused
                }
            }
            Err(error) => {
                let error = frame.locate(error);
                self.router
                    .reject_frame(frame.bytes, &error, |x| observer.delivered(x));
                Routed::Bad(error)
            }
        };
        self.end_batch();
        routed
    }

    /// Rejects a frame the stream could not deliver (`error` says where it
    /// was), without a report: the dead-letter sink gets `raw` (often
    /// empty) and the error.
    pub fn reject_one<O>(&mut self, raw: &[u8], error: &DecodeError, observer: &mut O)
    where
        O: FrameObserver + ?Sized,
    {
        self.router
            .reject_frame(raw, error, |x| observer.delivered(x));
    }
}
