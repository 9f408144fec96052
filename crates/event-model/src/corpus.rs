//! A deterministic, varied corpus of valid events for tests, benchmarks and
//! `veltrix gen`.
//!
//! The random source is a hand-written SplitMix64 rather than a crate's RNG:
//! the same seed must give the same bytes on every machine and with every
//! future dependency version, and SplitMix64 is fixed by its definition.

use crate::{Kind, OwnedEvent, OwnedPayload, Timestamp, Vec3};

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and defined bit for bit.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        // Multiply-shift: unbiased enough for a corpus and exactly reproducible.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// One element of `items`.
    pub fn pick<'s>(&mut self, items: &[&'s str]) -> &'s str {
        items[self.below(items.len() as u64) as usize]
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A coordinate on a 1/8 grid (exact in `f32`, short in text).
    pub fn coord(&mut self, max: u64) -> f32 {
        (self.below(max * 8) as f32) / 8.0
    }
}

/// The regions of the corpus (and of the load generator's simulated game).
pub const REGIONS: &[&str] = &[
    "us-east-1",
    "us-west-2",
    "eu-west",
    "eu-central",
    "ap-south",
    "ap-northeast",
    "sa-east",
];
const PLATFORMS: &[&str] = &["ios", "android", "pc", "switch", "ps5", "xbox"];
const CLIENTS: &[&str] = &[
    "ios-5.2.1",
    "android-5.2.0",
    "pc-5.1.9",
    "switch-5.0.3",
    "web-5.2.1",
];
const ZONES: &[&str] = &[
    "cliffside",
    "harbor",
    "old-town",
    "lighthouse",
    "caves",
    "market",
    "forest",
];
const TAGS: &[&str] = &[
    "coastal", "riddle", "night", "bonus", "hidden", "timed", "team", "rare",
];
const REASONS: &[&str] = &[
    "quit",
    "timeout",
    "kicked",
    "crash",
    "match_over",
    "network_lost",
];
const MAPS: &[&str] = &[
    "harbor-bay",
    "sunken-city",
    "jungle-ruins",
    "ice-caves",
    "desert-oasis",
];
const MODES: &[&str] = &["solo", "duo", "squad", "ranked", "casual", "timed-hunt"];
const ITEMS: &[&str] = &[
    "gold_coin",
    "ruby",
    "old_map",
    "compass",
    "silver_key",
    "pearl",
    "spyglass",
];
const NOTES: &[&str] = &[
    "found under the fourth plank of the old pier at low tide.",
    "behind the waterfall, left of the mossy stone.",
    "needed the lantern: too dark without it.",
    "the riddle said \"where gulls sleep\" -- the lighthouse roof!",
    "team split up; I took the east stairs.",
];
/// Words for string fields that have no value of their own in the corpus.
const WORDS: &[&str] = &[
    "lantern",
    "anchor",
    "gull",
    "reef",
    "tide",
    "beacon",
    "driftwood",
];

/// Generates a deterministic stream of valid events of every kind, sized like
/// real traffic (about 300–700 bytes each in YAML).
#[derive(Debug, Clone)]
pub struct Generator {
    rng: SplitMix64,
    seq: u64,
    ts: i64,
}

impl Generator {
    /// A generator for `seed`: the same seed always yields the same events.
    pub fn new(seed: u64) -> Self {
        let mut rng = SplitMix64::new(seed);
        let ts = 1_715_954_400_000 + rng.below(86_400_000) as i64;
        Generator { rng, seq: 1000, ts }
    }

    fn uuid(&mut self) -> String {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 48) & 0x3fff | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    fn player(&mut self) -> String {
        format!("plr_{}", self.rng.range(1_000_000, 9_999_999))
    }

    fn players(&mut self, lo: u64, hi: u64) -> Vec<String> {
        (0..self.rng.range(lo, hi)).map(|_| self.player()).collect()
    }

    fn pick_many(&mut self, items: &[&str], lo: u64, hi: u64) -> Vec<String> {
        (0..self.rng.range(lo, hi))
            .map(|_| self.rng.pick(items).to_owned())
            .collect()
    }

    fn position(&mut self) -> Vec3 {
        Vec3 {
            x: self.rng.coord(4096),
            y: self.rng.coord(4096),
            z: self.rng.coord(128),
        }
    }

    /// The next event.
    pub fn next_event(&mut self) -> OwnedEvent {
        self.seq += 1;
        self.ts += self.rng.range(1, 250) as i64;
        let r = &mut self.rng;
        // Kind mix of a live match: mostly movement and clues.
        let roll = r.below(100);
        let region = r.pick(REGIONS).to_owned();
        let match_id = if r.chance(85) {
            Some(format!(
                "m-202405{:02}-{:04}",
                r.range(1, 31),
                r.below(10_000)
            ))
        } else {
            None
        };
        let mut attrs = vec![
            ("client".to_owned(), r.pick(CLIENTS).to_owned()),
            ("build".to_owned(), r.range(4000, 4999).to_string()),
        ];
        if r.chance(40) {
            attrs.push(("session".to_owned(), format!("s{:x}", r.next_u64() >> 20)));
        }
        if r.chance(25) {
            attrs.push((
                "tier".to_owned(),
                r.pick(&["gold", "silver", "bronze"]).to_owned(),
            ));
        }
        let payload = self.payload(kind_of_roll(roll));
        OwnedEvent {
            id: self.uuid(),
            seq: self.seq,
            ts: Timestamp(self.ts),
            player_id: self.player(),
            match_id,
            region,
            attrs,
            payload,
        }
    }
}

/// The kind mix of a live match, by a roll in `0..100`: mostly movement and clues.
fn kind_of_roll(roll: u64) -> Kind {
    match roll {
        0..=29 => Kind::PlayerMoved,
        30..=49 => Kind::ClueFound,
        50..=59 => Kind::TreasureClaimed,
        60..=67 => Kind::MatchRequested,
        68..=73 => Kind::PlayerJoined,
        74..=79 => Kind::PlayerLeft,
        80..=84 => Kind::MatchStarted,
        85..=89 => Kind::MatchEnded,
        _ => Kind::Heartbeat,
    }
}

/// Generates [`Generator::payload`] from the schema: each field, in the
/// schema's order, from its type's [`CorpusField`], so a new field needs no
/// change here.
macro_rules! corpus_payload {
    ($( $(#[doc = $kdoc:literal])* kind $Kind:ident $(<$lt:lifetime>)? $kind:ident = $ktag:literal {
        $( $(#[doc = $fdoc:literal])* $f:ident : $vt:ty => $ot:ty = $tag:literal, $req:ident; )*
    } )* unit $(#[doc = $udoc:literal])* $Unit:ident $unit:ident = $utag:literal;) => {
        impl Generator {
            /// A payload of `kind`, then its fields derived from others.
            fn payload(&mut self, kind: Kind) -> OwnedPayload {
                let mut payload = match kind {
                    $(Kind::$Kind => OwnedPayload::$Kind {
                        $($f: <$ot as CorpusField>::corpus_value(self, stringify!($f)),)*
                    },)*
                    Kind::$Unit => OwnedPayload::$Unit,
                };
                self.derive_fields(&mut payload);
                payload
            }
        }
    };
}

crate::with_payload_schema!(corpus_payload);

impl Generator {
    /// Fills the fields that must agree with others, after the rest of the
    /// payload is drawn (their [`CorpusField`] override leaves them default
    /// without drawing): the winner of a match is one of its scorers.
    fn derive_fields(&mut self, payload: &mut OwnedPayload) {
        if let OwnedPayload::MatchEnded { winner, scores, .. } = payload {
            *winner = match scores.first() {
                Some((player, _)) if self.rng.chance(80) => Some(player.clone()),
                _ => None,
            };
        }
    }
}

/// A corpus value for each payload field *type*, like
/// [`FieldStrategy`](crate::strategies::FieldStrategy) for proptest: every
/// field of the schema gets its value from its type, so a new field needs no
/// change here. Each type's generator sets non-default values often (the
/// drift test of `event-decode` requires the corpus to set every field), and
/// a match on the field's name keeps the values of the existing fields
/// realistic (ids, zones, platforms): add an arm there to make a new field
/// look like the game.
trait CorpusField: Sized {
    /// The value of field `name` of the next event.
    fn corpus_value(g: &mut Generator, name: &str) -> Self;
}

impl CorpusField for u32 {
    fn corpus_value(g: &mut Generator, name: &str) -> Self {
        let r = &mut g.rng;
        (match name {
            "skill" => r.range(800, 3200),
            "points" => r.range(1, 60) * 10,
            "max_latency_ms" => r.range(40, 200),
            _ => r.range(1, 1000),
        }) as u32
    }
}

impl CorpusField for u64 {
    fn corpus_value(g: &mut Generator, name: &str) -> Self {
        match name {
            "value" => g.rng.range(100, 100_000),
            _ => g.rng.range(1, 100_000),
        }
    }
}

impl CorpusField for i64 {
    fn corpus_value(g: &mut Generator, _: &str) -> Self {
        g.rng.range(0, 5000) as i64 - 500
    }
}

impl CorpusField for bool {
    fn corpus_value(g: &mut Generator, name: &str) -> Self {
        match name {
            "hint_used" => g.rng.chance(30),
            _ => g.rng.chance(50),
        }
    }
}

impl CorpusField for f32 {
    fn corpus_value(g: &mut Generator, name: &str) -> Self {
        match name {
            "heading" => g.rng.coord(360),
            "speed" => g.rng.coord(12),
            _ => g.rng.coord(1000),
        }
    }
}

impl CorpusField for Vec3 {
    fn corpus_value(g: &mut Generator, _: &str) -> Self {
        g.position()
    }
}

impl CorpusField for String {
    fn corpus_value(g: &mut Generator, name: &str) -> Self {
        let r = &mut g.rng;
        match name {
            "clue_id" => format!("clue-{}-{}", r.pick(ZONES), r.range(1, 99)),
            "treasure_id" => format!("tr-{:06}", r.below(1_000_000)),
            "zone" => r.pick(ZONES).to_owned(),
            "platform" => r.pick(PLATFORMS).to_owned(),
            "reason" => r.pick(REASONS).to_owned(),
            "map" => r.pick(MAPS).to_owned(),
            "mode" => r.pick(MODES).to_owned(),
            _ => format!("{}-{}", r.pick(WORDS), r.range(1, 999)),
        }
    }
}

impl CorpusField for Option<String> {
    fn corpus_value(g: &mut Generator, name: &str) -> Self {
        match name {
            "note" => g.rng.chance(60).then(|| g.rng.pick(NOTES).to_owned()),
            // Derived from the scores (`derive_fields`).
            "winner" => None,
            _ => g.rng.chance(60).then(|| String::corpus_value(g, name)),
        }
    }
}

impl CorpusField for Vec<String> {
    fn corpus_value(g: &mut Generator, name: &str) -> Self {
        match name {
            "tags" => g.pick_many(TAGS, 0, 5),
            "party" => g.players(0, 3),
            "modes" => g.pick_many(MODES, 1, 3),
            "players" => g.players(2, 8),
            _ => (0..g.rng.range(0, 4))
                .map(|_| String::corpus_value(g, name))
                .collect(),
        }
    }
}

impl CorpusField for Vec<(String, u32)> {
    fn corpus_value(g: &mut Generator, _: &str) -> Self {
        (0..g.rng.range(1, 5))
            .map(|_| (g.rng.pick(ITEMS).to_owned(), g.rng.range(1, 50) as u32))
            .collect()
    }
}

impl CorpusField for Vec<(String, i64)> {
    fn corpus_value(g: &mut Generator, _: &str) -> Self {
        (0..g.rng.range(2, 6))
            .map(|_| (g.player(), i64::corpus_value(g, "score")))
            .collect()
    }
}

impl Iterator for Generator {
    type Item = OwnedEvent;

    fn next(&mut self) -> Option<OwnedEvent> {
        Some(self.next_event())
    }
}

/// `count` events from `seed`.
pub fn corpus(seed: u64, count: usize) -> Vec<OwnedEvent> {
    Generator::new(seed).take(count).collect()
}

/// The headline fixture: the 512-byte reference event in YAML.
pub const REFERENCE_EVENT_YAML: &str = include_str!("../testdata/reference-event.yaml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_events_and_every_kind_appears() {
        let a = corpus(7, 500);
        assert_eq!(a, corpus(7, 500));
        assert_ne!(a, corpus(8, 500));
        for kind in crate::Kind::ALL {
            assert!(a.iter().any(|e| e.kind() == kind), "{kind} missing");
        }
        for e in &a {
            e.validate().unwrap();
        }
    }

    /// Draws `n` values of a field no override names, as a new field's.
    fn unnamed<T: CorpusField>(n: usize) -> Vec<T> {
        let mut g = Generator::new(3);
        (0..n)
            .map(|_| T::corpus_value(&mut g, "new_field"))
            .collect()
    }

    #[test]
    fn a_new_field_gets_non_default_values_from_its_type() {
        // The drift test needs every field set somewhere in the corpus: a
        // field with no override must still get non-default values.
        assert!(unnamed::<u32>(50).iter().all(|v| *v != 0));
        assert!(unnamed::<u64>(50).iter().all(|v| *v != 0));
        assert!(unnamed::<i64>(50).iter().any(|v| *v != 0));
        assert!(unnamed::<bool>(50).contains(&true));
        assert!(unnamed::<f32>(50).iter().any(|v| *v != 0.0));
        assert!(unnamed::<Vec3>(50).iter().any(|v| *v != Vec3::default()));
        assert!(unnamed::<String>(50).iter().all(|s| !s.is_empty()));
        assert!(unnamed::<Option<String>>(50).iter().any(Option::is_some));
        assert!(unnamed::<Vec<String>>(50).iter().any(|v| !v.is_empty()));
        assert!(
            unnamed::<Vec<(String, u32)>>(50)
                .iter()
                .any(|v| !v.is_empty())
        );
        assert!(
            unnamed::<Vec<(String, i64)>>(50)
                .iter()
                .any(|v| !v.is_empty())
        );
    }

    #[test]
    fn the_winner_is_a_scorer() {
        let mut winners = 0;
        for e in corpus(11, 2000) {
            if let OwnedPayload::MatchEnded {
                winner: Some(w),
                scores,
                ..
            } = &e.payload
            {
                assert_eq!(Some(w), scores.first().map(|(p, _)| p));
                winners += 1;
            }
        }
        assert!(winners > 0);
    }

    #[test]
    fn splitmix_is_the_published_sequence() {
        // First outputs of SplitMix64 seeded with 0, as published with the algorithm.
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn reference_fixture_is_512_bytes() {
        assert_eq!(REFERENCE_EVENT_YAML.len(), 512);
    }
}
