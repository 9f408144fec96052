//! What the router delivers to: handlers (with their per-event context) and
//! the dead-letter sink.

use std::fmt;

use std::error::Error;

use event_model::Event;

use crate::HandlerError;
use crate::table::{RouteId, RouteTable};

/// Receives the events of the routes that name it.
///
/// Any `FnMut(&Event<'_>, &Context<'_>) -> Result<(), HandlerError>` is a
/// handler; [`handler_fn`] and [`infallible`] help closures infer their
/// signature. A handler that keeps data past its call must copy it out of
/// the event (whoever decoded it reuses its arena).
pub trait Handler {
    /// Processes one event. An error is reported with the handler's name and
    /// the event's index; other handlers still receive the event.
    fn handle(&mut self, event: &Event<'_>, ctx: &Context<'_>) -> Result<(), HandlerError>;
}

impl<F> Handler for F
where
    F: FnMut(&Event<'_>, &Context<'_>) -> Result<(), HandlerError>,
{
    fn handle(&mut self, event: &Event<'_>, ctx: &Context<'_>) -> Result<(), HandlerError> {
        self(event, ctx)
    }
}

/// Returns `f` as a handler; the bound lets a closure infer its argument
/// types without annotations.
pub fn handler_fn<F>(f: F) -> F
where
    F: FnMut(&Event<'_>, &Context<'_>) -> Result<(), HandlerError>,
{
    f
}

/// A handler from a closure that cannot fail.
pub fn infallible<F>(mut f: F) -> impl Handler
where
    F: FnMut(&Event<'_>, &Context<'_>),
{
    move |event: &Event<'_>, ctx: &Context<'_>| {
        f(event, ctx);
        Ok(())
    }
}

/// What a handler learns about the event besides its content.
#[derive(Clone, Copy)]
pub struct Context<'b> {
    pub(crate) index: u64,
    pub(crate) partition: u32,
    pub(crate) routes: &'b [RouteId],
    pub(crate) table: &'b RouteTable,
}

impl<'b> Context<'b> {
    /// The event's 0-based number since the router was built (frames
    /// rejected before it count too).
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The event's partition (`0..table.partitions()`).
    pub fn partition(&self) -> u32 {
        self.partition
    }

    /// The ids of the routes the event matched, in route order.
    pub fn route_ids(&self) -> &'b [RouteId] {
        self.routes
    }

    /// The names of the routes the event matched, in route order.
    pub fn route_names(&self) -> impl ExactSizeIterator<Item = &'b str> + 'b {
        let table = self.table;
        self.routes
            .iter()
            .map(move |&r| table.routes()[usize::from(r)].name())
    }

    /// The routing table.
    pub fn table(&self) -> &'b RouteTable {
        self.table
    }
}

impl fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("index", &self.index)
            .field("partition", &self.partition)
            .field("routes", &self.route_names().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Why a frame went to the dead-letter sink.
#[derive(Debug, Clone, Copy)]
pub enum DeadLetterReason<'b> {
    /// The frame did not decode, the event failed validation, or the stream
    /// could not deliver the frame (counted as rejected; the sink keeps its
    /// bytes and error). The error is the decoder's: downcast it to the
    /// decoder's type for its position.
    Bad(&'b (dyn Error + 'static)),
    /// The event decoded but no route matched (`unmatched: dead_letter`).
    Unmatched(&'b Event<'b>),
}

/// A frame that could not be routed, with its raw bytes.
#[derive(Debug, Clone, Copy)]
pub struct DeadLetter<'b> {
    /// The frame's 0-based number since the router was built.
    pub index: u64,
    /// The frame's bytes, exactly as given (empty when the router was given
    /// an event without them).
    pub raw: &'b [u8],
    /// Why.
    pub reason: DeadLetterReason<'b>,
}

/// Receives dead letters. Any `FnMut(&DeadLetter<'_>)` is a sink.
pub trait DeadLetterSink {
    /// Takes one dead letter; copy what must outlive the call.
    fn dead_letter(&mut self, letter: &DeadLetter<'_>);
}

impl<F> DeadLetterSink for F
where
    F: FnMut(&DeadLetter<'_>),
{
    fn dead_letter(&mut self, letter: &DeadLetter<'_>) {
        self(letter)
    }
}

/// The default sink: dead letters are counted (see
/// [`Counters`](crate::Counters)) and otherwise discarded.
#[derive(Debug, Clone, Copy, Default)]
pub struct DiscardDeadLetters;

impl DeadLetterSink for DiscardDeadLetters {
    fn dead_letter(&mut self, _: &DeadLetter<'_>) {}
}
