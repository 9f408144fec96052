//! The per-outcome counts of `POST /v1/events` responses, summed over a run.

use serde::{Deserialize, Serialize};

/// The counts at the top of a `POST /v1/events` response
/// (`{"events":N,"routed":N,"dead_letter":N,"dropped":N,"rejected":N,"duplicate":N,"results":[…]}`),
/// or their sum over many responses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Outcomes {
    /// Events in the bodies.
    pub events: u64,
    /// Routed to their handlers.
    pub routed: u64,
    /// Kept as dead letters (no route matched).
    pub dead_letter: u64,
    /// Dropped (no route matched, table says `drop`).
    pub dropped: u64,
    /// Rejected (did not decode or validate).
    pub rejected: u64,
    /// Already routed before (same id inside the dedupe window).
    pub duplicate: u64,
}

/// A response body: `events` required, the other counts defaulting to 0.
/// (Plain fields, not a flattened [`Outcomes`]: flattening would buffer the
/// whole `results` array.)
#[derive(Deserialize)]
struct Wire {
    events: u64,
    #[serde(default)]
    routed: u64,
    #[serde(default)]
    dead_letter: u64,
    #[serde(default)]
    dropped: u64,
    #[serde(default)]
    rejected: u64,
    #[serde(default)]
    duplicate: u64,
}

impl Outcomes {
    /// The counts of one response body; `None` when it is not such a JSON
    /// object (one without `events`, such as an error body, included).
    pub fn from_body(body: &[u8]) -> Option<Outcomes> {
        // A struct also deserialises from a JSON array: insist on an object.
        let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
        if *first != b'{' {
            return None;
        }
        let wire = serde_json::from_slice::<Wire>(body).ok()?;
        Some(Outcomes {
            events: wire.events,
            routed: wire.routed,
            dead_letter: wire.dead_letter,
            dropped: wire.dropped,
            rejected: wire.rejected,
            duplicate: wire.duplicate,
        })
    }

    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &Outcomes) {
        self.events += other.events;
        self.routed += other.routed;
        self.dead_letter += other.dead_letter;
        self.dropped += other.dropped;
        self.rejected += other.rejected;
        self.duplicate += other.duplicate;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_counts_and_skips_the_results() {
        let body =
            br#"{"events":2,"routed":1,"dead_letter":0,"dropped":0,"rejected":1,"duplicate":0,
            "results":[{"index":0,"id":"e-1","outcome":"routed","partition":3,"handlers":["a"]},
                       {"index":1,"outcome":"rejected","error":"event 2, line 9"}]}"#;
        let mut sum = Outcomes::from_body(body).unwrap();
        assert_eq!((sum.events, sum.routed, sum.rejected), (2, 1, 1));
        sum.add(&Outcomes::from_body(br#"{"events":3,"duplicate":3}"#).unwrap());
        assert_eq!((sum.events, sum.duplicate), (5, 3));
        assert_eq!(Outcomes::from_body(b"not json"), None);
        assert_eq!(Outcomes::from_body(b"[1]"), None);
        assert_eq!(Outcomes::from_body(br#"{"error":"queue full"}"#), None);
    }
}
