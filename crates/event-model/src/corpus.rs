//! A deterministic, varied corpus of valid events for tests, benchmarks and
//! `veltrix gen`.
//!
//! The random source is a hand-written SplitMix64 rather than a crate's RNG:
//! the same seed must give the same bytes on every machine and with every
//! future dependency version, and SplitMix64 is fixed by its definition.

use crate::{OwnedEvent, OwnedPayload, Timestamp, Vec3};

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
        let payload = match roll {
            0..=29 => OwnedPayload::PlayerMoved {
                position: self.position(),
                heading: self.rng.coord(360),
                speed: self.rng.coord(12),
            },
            30..=49 => OwnedPayload::ClueFound {
                clue_id: format!("clue-{}-{}", self.rng.pick(ZONES), self.rng.range(1, 99)),
                zone: self.rng.pick(ZONES).to_owned(),
                position: self.position(),
                tags: self.pick_many(TAGS, 0, 5),
                points: self.rng.range(1, 60) as u32 * 10,
                hint_used: self.rng.chance(30),
                note: if self.rng.chance(60) {
                    Some(self.rng.pick(NOTES).to_owned())
                } else {
                    None
                },
            },
            50..=59 => OwnedPayload::TreasureClaimed {
                treasure_id: format!("tr-{:06}", self.rng.below(1_000_000)),
                value: self.rng.range(100, 100_000),
                position: self.position(),
                inventory: (0..self.rng.range(1, 5))
                    .map(|_| {
                        (
                            self.rng.pick(ITEMS).to_owned(),
                            self.rng.range(1, 50) as u32,
                        )
                    })
                    .collect(),
            },
            60..=67 => OwnedPayload::MatchRequested {
                skill: self.rng.range(800, 3200) as u32,
                party: self.players(0, 3),
                modes: self.pick_many(MODES, 1, 3),
                max_latency_ms: self.rng.range(40, 200) as u32,
            },
            68..=73 => OwnedPayload::PlayerJoined {
                skill: self.rng.range(800, 3200) as u32,
                platform: self.rng.pick(PLATFORMS).to_owned(),
                party: self.players(0, 3),
            },
            74..=79 => OwnedPayload::PlayerLeft {
                reason: self.rng.pick(REASONS).to_owned(),
            },
            80..=84 => OwnedPayload::MatchStarted {
                map: self.rng.pick(MAPS).to_owned(),
                mode: self.rng.pick(MODES).to_owned(),
                players: self.players(2, 8),
            },
            85..=89 => {
                let scores: Vec<(String, i64)> = (0..self.rng.range(2, 6))
                    .map(|_| (self.player(), self.rng.range(0, 5000) as i64 - 500))
                    .collect();
                OwnedPayload::MatchEnded {
                    winner: if self.rng.chance(80) {
                        Some(scores[0].0.clone())
                    } else {
                        None
                    },
                    scores,
                }
            }
            _ => OwnedPayload::Heartbeat,
        };
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
