//! The request bodies of a load run, encoded before the clock starts.
//!
//! Events come from the project's deterministic corpus
//! ([`event_model::corpus::Generator`]), recast as the traffic of a live
//! game: `--players` players (`plr_000123`), eight to a match (`m_000015`),
//! mostly heartbeats and movement. Bodies are encoded with the same encoders
//! as `veltrix gen` and `veltrix convert` into one buffer, up to
//! [`MAX_POOL_EVENTS`] events and [`MAX_POOL_BYTES`]; a run that needs more
//! requests cycles through them.
//!
//! Every event id must be unique over the run (the service answers a repeat
//! with `duplicate` and routes nothing), so ids have a fixed width,
//! `PREFIX-NNNNNNNNNNNN`, and the pool remembers where each id's digits sit
//! in its body: sending request `i` copies its body and writes event number
//! `i * batch + j` into the digits of its `j`-th event. The bytes around the
//! digits never change, so no re-encoding is needed (in protobuf the length
//! prefixes stay right because the id's length does not change).

use anyhow::{Context as _, bail};
use event_decode::Bump;
use event_model::corpus::{Generator, SplitMix64};
use event_model::{Kind, OwnedEvent, OwnedPayload, Vec3};

use crate::args::WireFormat;

/// The most bytes of request bodies encoded ahead of a run; past it, bodies
/// are reused (with fresh ids).
pub const MAX_POOL_BYTES: usize = 192 << 20;

/// The most events encoded ahead of a run: 2^18, about six per player at
/// the default 45,000 players, encoded in a second or two.
pub const MAX_POOL_EVENTS: u64 = 1 << 18;

/// Digits of the event number in every id.
pub const ID_DIGITS: usize = 12;

// Regions of the simulated game (a match plays in one): the corpus's.
use event_model::corpus::REGIONS;

/// The kind mix of a live game, per mille: heartbeats, then movement, then
/// the rare game events.
const KIND_MIX: &[(u64, Kind)] = &[
    (600, Kind::Heartbeat),
    (250, Kind::PlayerMoved),
    (50, Kind::ClueFound),
    (40, Kind::MatchRequested),
    (30, Kind::TreasureClaimed),
    (10, Kind::PlayerJoined),
    (10, Kind::PlayerLeft),
    (5, Kind::MatchStarted),
    (5, Kind::MatchEnded),
];

/// Players per match.
pub const MATCH_SIZE: u32 = 8;

/// Checks an id prefix: 1..=40 bytes of letters, digits, `_`, `.`, `-`, so
/// that every format carries it verbatim (no quoting, no escapes).
pub fn check_id_prefix(prefix: &str) -> anyhow::Result<()> {
    let ok_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    if prefix.is_empty() || prefix.len() > 40 || !prefix.bytes().all(ok_byte) {
        bail!(
            "--id-prefix {:?}: use 1 to 40 letters, digits, '_', '.' or '-'",
            prefix
        );
    }
    Ok(())
}

/// Turns the corpus into a live game's traffic.
pub(crate) struct EventSource {
    generator: Generator,
    rng: SplitMix64,
    players: u32,
    prefix: String,
}

impl EventSource {
    pub(crate) fn new(seed: u64, players: u32, prefix: &str) -> Self {
        EventSource {
            generator: Generator::new(seed),
            rng: SplitMix64::new(seed ^ 0x5EED_10AD_0000_0001),
            players: players.max(1),
            prefix: prefix.to_owned(),
        }
    }

    /// The id of event number `n`.
    pub(crate) fn id(&self, n: u64) -> String {
        format!("{}-{n:0width$}", self.prefix, width = ID_DIGITS)
    }

    fn pick_kind(&mut self) -> Kind {
        let mut roll = self.rng.below(1000);
        for &(share, kind) in KIND_MIX {
            if roll < share {
                return kind;
            }
            roll -= share;
        }
        Kind::Heartbeat
    }

    /// A corpus payload of `kind` (the generator makes every kind at least
    /// one time in twenty), or a heartbeat should it not come.
    fn corpus_payload(&mut self, kind: Kind) -> OwnedPayload {
        (0..1000)
            .map(|_| self.generator.next_event().payload)
            .find(|p| p.kind() == kind)
            .unwrap_or(OwnedPayload::Heartbeat)
    }

    /// Event number `n`.
    pub(crate) fn event(&mut self, n: u64) -> OwnedEvent {
        let mut event = self.generator.next_event();
        let player = self.rng.below(u64::from(self.players));
        let game = player / u64::from(MATCH_SIZE);
        let first = game * u64::from(MATCH_SIZE);
        let last = (first + u64::from(MATCH_SIZE)).min(u64::from(self.players));
        let mates: Vec<String> = (first..last).map(|p| format!("plr_{p:06}")).collect();
        let kind = self.pick_kind();
        event.payload = match kind {
            Kind::Heartbeat => OwnedPayload::Heartbeat,
            Kind::PlayerMoved => OwnedPayload::PlayerMoved {
                position: Vec3 {
                    x: self.rng.coord(4096),
                    y: self.rng.coord(4096),
                    z: self.rng.coord(128),
                },
                heading: self.rng.coord(360),
                speed: self.rng.coord(12),
            },
            other => self.corpus_payload(other),
        };
        let me = format!("plr_{player:06}");
        let others = || mates.iter().filter(|m| **m != me).cloned();
        match &mut event.payload {
            OwnedPayload::PlayerJoined { party, .. }
            | OwnedPayload::MatchRequested { party, .. } => {
                let n = party.len();
                *party = others().take(n).collect();
            }
            OwnedPayload::MatchStarted { players, .. } => *players = mates.clone(),
            OwnedPayload::MatchEnded { winner, scores } => {
                for (i, (player, _)) in scores.iter_mut().enumerate() {
                    player.clone_from(&mates[i % mates.len()]);
                }
                if let (Some(w), Some((first, _))) = (winner.as_mut(), scores.first()) {
                    w.clone_from(first);
                }
            }
            _ => {}
        }
        event.id = self.id(n);
        event.player_id = me;
        // A player asking for a match is not in one yet.
        event.match_id = (kind != Kind::MatchRequested).then(|| format!("m_{game:06}"));
        event.region = REGIONS[(game % REGIONS.len() as u64) as usize].to_owned();
        event
    }
}

/// Request bodies encoded ahead of the run, with the place of every id.
pub(crate) struct BodyPool {
    data: Vec<u8>,
    spans: Vec<(usize, usize)>,
    /// Per body, `batch` offsets (relative to the body) of the id digits.
    id_digits: Vec<usize>,
    batch: usize,
}

impl BodyPool {
    /// Encodes up to `requests` bodies of `batch` events (fewer when they
    /// pass [`MAX_POOL_EVENTS`] events or `max_bytes`).
    pub(crate) fn build(
        source: &mut EventSource,
        format: WireFormat,
        batch: u32,
        requests: u64,
        max_bytes: usize,
    ) -> anyhow::Result<BodyPool> {
        let batch = batch.max(1) as usize;
        let mut pool = BodyPool {
            data: Vec::new(),
            spans: Vec::new(),
            id_digits: Vec::new(),
            batch,
        };
        let mut arena = Bump::new();
        let mut text = String::new();
        let mut n = 0u64;
        let bodies = requests.min((MAX_POOL_EVENTS / batch as u64).max(1));
        while (pool.spans.len() as u64) < bodies && pool.data.len() < max_bytes {
            let start = pool.data.len();
            for _ in 0..batch {
                arena.reset();
                let event = source.event(n);
                let view = event.as_view(&arena);
                let at = pool.data.len();
                match (format, batch) {
                    (WireFormat::Yaml, _) => {
                        text.clear();
                        event_decode::yaml::encode(&view, &mut text);
                        pool.data.extend_from_slice(text.as_bytes());
                    }
                    (WireFormat::Json, _) => event_decode::json::encode(&view, &mut pool.data),
                    (WireFormat::Proto, 1) => event_decode::protobuf::encode(&view, &mut pool.data),
                    (WireFormat::Proto, _) => {
                        event_decode::protobuf::encode_length_delimited(&view, &mut pool.data)
                    }
                }
                let id = source.id(n);
                let found = memchr::memmem::find(&pool.data[at..], id.as_bytes())
                    .with_context(|| format!("the encoded event {n} does not carry its id {id}"))?;
                pool.id_digits
                    .push(at - start + found + id.len() - ID_DIGITS);
                n += 1;
            }
            pool.spans.push((start, pool.data.len()));
        }
        Ok(pool)
    }

    /// Bodies in the pool.
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Bytes in the pool.
    pub(crate) fn bytes(&self) -> usize {
        self.data.len()
    }

    /// The body of request `request`: a pooled body whose `j`-th event has
    /// the id of event number `request * batch + j`.
    #[cfg(test)]
    pub(crate) fn body(&self, request: u64) -> bytes::Bytes {
        let mut body = Vec::new();
        self.write_body(request, &mut body);
        bytes::Bytes::from(body)
    }

    /// Appends request `request` to `out`: `head_prefix` (a request head
    /// up to the `Content-Length` value), the body's length and the blank
    /// line, then the body of [`BodyPool::body`].
    pub(crate) fn write_request(&self, request: u64, head_prefix: &[u8], out: &mut Vec<u8>) {
        let len = self.spans.get(self.slot(request)).map_or(0, |(s, e)| e - s);
        out.extend_from_slice(head_prefix);
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut n = len;
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        out.extend_from_slice(&digits[at..]);
        out.extend_from_slice(b"\r\n\r\n");
        self.write_body(request, out);
    }

    fn slot(&self, request: u64) -> usize {
        (request % self.spans.len().max(1) as u64) as usize
    }

    /// Appends the body of request `request` to `out`.
    fn write_body(&self, request: u64, out: &mut Vec<u8>) {
        if self.spans.is_empty() {
            return;
        }
        let k = self.slot(request);
        let (start, end) = self.spans[k];
        let at_body = out.len();
        out.extend_from_slice(&self.data[start..end]);
        let body = &mut out[at_body..];
        let first = request * self.batch as u64;
        for (j, &at) in self.id_digits[k * self.batch..(k + 1) * self.batch]
            .iter()
            .enumerate()
        {
            if let Some(digits) = body.get_mut(at..at + ID_DIGITS) {
                write_digits(digits, first + j as u64);
            }
        }
    }
}

/// Writes `n` as zero-padded decimal into all of `digits` (the low digits
/// when `n` is wider).
fn write_digits(digits: &mut [u8], mut n: u64) {
    for d in digits.iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, HashSet};

    fn decode_all(format: WireFormat, body: &[u8], batch: u32) -> Vec<OwnedEvent> {
        let arena = Bump::new();
        if format == WireFormat::Proto && batch == 1 {
            let e = event_decode::from_slice(format.format(), body, &arena).unwrap();
            return vec![e.to_owned()];
        }
        let cfg = event_decode::DecodeConfig::new();
        let mut frames = format.format().frames(body, &cfg);
        let mut events = Vec::new();
        while let Some(frame) = frames.next_frame().unwrap() {
            let e = event_decode::from_slice(format.format(), frame.bytes, &arena).unwrap();
            events.push(e.to_owned());
        }
        events
    }

    #[test]
    fn kind_mix_is_a_live_game_and_players_share_matches() {
        let mut source = EventSource::new(7, 45_000, "t");
        let mut kinds = BTreeMap::new();
        for n in 0..5000 {
            let e = source.event(n);
            e.validate().unwrap();
            *kinds.entry(e.kind()).or_insert(0u32) += 1;
            let p: u64 = e.player_id["plr_".len()..].parse().unwrap();
            assert!(p < 45_000);
            if let Some(m) = &e.match_id {
                assert_eq!(m, &format!("m_{:06}", p / 8));
            } else {
                assert_eq!(e.kind(), Kind::MatchRequested);
            }
            if let OwnedPayload::MatchStarted { players, .. } = &e.payload {
                assert_eq!(players.len(), 8);
                assert!(players.contains(&e.player_id));
            }
        }
        let share = |k| f64::from(kinds.get(&k).copied().unwrap_or(0)) / 5000.0;
        assert!((0.55..0.65).contains(&share(Kind::Heartbeat)), "{kinds:?}");
        assert!(
            (0.21..0.29).contains(&share(Kind::PlayerMoved)),
            "{kinds:?}"
        );
        assert_eq!(kinds.len(), 9, "every kind appears: {kinds:?}");
    }

    #[test]
    fn pooled_bodies_decode_and_get_fresh_ids_each_cycle() {
        for format in [WireFormat::Yaml, WireFormat::Json, WireFormat::Proto] {
            for batch in [1u32, 3] {
                let mut source = EventSource::new(1, 100, "ld-test");
                // Room for about two bodies: the pool stops early and cycles.
                let pool = BodyPool::build(&mut source, format, batch, 50, 1).unwrap();
                assert_eq!(pool.len(), 1, "{format:?}");
                let mut ids = HashSet::new();
                for request in 0..4u64 {
                    let events = decode_all(format, &pool.body(request), batch);
                    assert_eq!(events.len(), batch as usize, "{format:?} batch {batch}");
                    for (j, e) in events.iter().enumerate() {
                        let n = request * u64::from(batch) + j as u64;
                        assert_eq!(e.id, format!("ld-test-{n:012}"));
                        assert!(ids.insert(e.id.clone()));
                    }
                }
            }
        }
    }

    #[test]
    fn requests_carry_the_body_and_its_length() {
        let mut source = EventSource::new(3, 100, "ld-req");
        let pool = BodyPool::build(&mut source, WireFormat::Json, 2, 10, MAX_POOL_BYTES).unwrap();
        let mut out = b"leftover".to_vec();
        pool.write_request(7, b"POST /v1/events HTTP/1.1\r\ncontent-length: ", &mut out);
        let body = pool.body(7);
        let head = format!(
            "leftoverPOST /v1/events HTTP/1.1\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        assert!(body.len() > 100);
        assert_eq!(&out[..head.len()], head.as_bytes());
        assert_eq!(&out[head.len()..], &body[..]);
        let ids: Vec<OwnedEvent> = decode_all(WireFormat::Json, &out[head.len()..], 2);
        assert_eq!(ids[1].id, "ld-req-000000000015");
    }

    #[test]
    fn id_prefixes_are_checked() {
        assert!(check_id_prefix("ld1f2e3d4c").is_ok());
        assert!(check_id_prefix("").is_err());
        let e = check_id_prefix("a\"b\n").unwrap_err().to_string();
        assert!(e.contains("\\\"b\\n"), "escaped: {e}");
        assert!(check_id_prefix(&"x".repeat(41)).is_err());
    }

    #[test]
    fn digits_are_zero_padded() {
        let mut d = *b"xxxxxx";
        write_digits(&mut d, 4201);
        assert_eq!(&d, b"004201");
    }
}
