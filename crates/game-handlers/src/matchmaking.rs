//! A matchmaking queue fed by `match_requested` events.

use std::collections::{HashMap, VecDeque};

use event_model::{Event, Payload, Timestamp};
use smallvec::SmallVec;

use super::key;
use event_router::{Context, Handler, HandlerError};

/// How the queue forms matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchmakingConfig {
    /// Players per match, `2..=1000`.
    pub match_size: usize,
    /// Width of a skill band: parties whose skill falls in the same
    /// `skill / skill_band` bucket play together. At least 1.
    pub skill_band: u32,
    /// The served regions, each with the round-trip time (ms) its players
    /// typically see to its game servers.
    pub regions: Vec<(String, u32)>,
}

/// A match the queue formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormedMatch {
    /// Index of the region in [`MatchmakingConfig::regions`].
    pub region: usize,
    /// The skill band (`skill / skill_band`).
    pub band: u32,
    /// The players' keys ([`super::key`] of their ids), in queue order.
    pub players: Vec<u64>,
    /// Timestamp of the request that completed the match.
    pub formed_at: Timestamp,
}

/// One queue of waiting players: a region and a skill band.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingQueue {
    /// Index of the region in [`MatchmakingConfig::regions`].
    pub region: usize,
    /// The skill band (`skill / skill_band`).
    pub band: u32,
    /// The waiting players' keys ([`super::key`] of their ids), parties
    /// together, oldest ticket first.
    pub players: Vec<u64>,
}

/// What the queue has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MatchmakingStats {
    /// `match_requested` events seen.
    pub requests: u64,
    /// Requests from a region the queue does not serve.
    pub refused_region: u64,
    /// Requests whose `max_latency_ms` is below their region's latency.
    pub refused_latency: u64,
    /// Requests from a player already queued (ignored).
    pub duplicates: u64,
    /// Queued parties that left before being matched (`player_left`).
    pub left: u64,
    /// Matches formed.
    pub matches: u64,
}

/// One queued party.
#[derive(Debug, Clone)]
struct Ticket {
    /// The requester first, then the rest of the party.
    players: SmallVec<[u64; 3]>,
    requested_at: Timestamp,
}

type BucketKey = (u16, u32);

/// Buckets `match_requested` events by region and skill band and forms
/// matches of [`MatchmakingConfig::match_size`] players.
///
/// **Latency model.** Each served region has one latency figure: the round
/// trip its own players see to its servers. A request is queued in its own
/// region's bucket only when its `max_latency_ms` is at least that figure;
/// otherwise (or when the region is not served) it is refused and counted.
/// Cross-region play is not attempted: a region's players only meet each
/// other, which is what keeps the latency promise simple to keep.
///
/// **Parties.** A request queues the requester (`player_id`) with its `party`
/// (duplicates removed). Matches are filled first-fit in queue order: the
/// oldest tickets that fit exactly `match_size` players form a match. A
/// party bigger than a match is a handler error. A `player_left` event
/// removes the player's whole party from the queue; a repeated request from
/// a queued player is ignored.
///
/// **Memory.** 69 heap bytes per queued solo player (a 40-byte ticket in its
/// bucket's queue plus a 16-byte index entry, with the collections' growth
/// slack), measured by the test `matchmaking_memory_per_player` with a
/// counting allocator: heap bytes held after queueing 10,000 solo players in
/// 20 skill bands, divided by 10,000. No per-event `String` is allocated.
#[derive(Debug, Clone)]
pub struct MatchmakingQueue {
    config: MatchmakingConfig,
    buckets: HashMap<BucketKey, Bucket>,
    /// Where each queued player waits.
    queued: HashMap<u64, BucketKey>,
    formed: Vec<FormedMatch>,
    stats: MatchmakingStats,
}

#[derive(Debug, Clone, Default)]
struct Bucket {
    tickets: VecDeque<Ticket>,
    players: usize,
}

impl MatchmakingQueue {
    /// An empty queue. `match_size` is clamped to `2..=1000` and `skill_band`
    /// to at least 1.
    pub fn new(mut config: MatchmakingConfig) -> Self {
        config.match_size = config.match_size.clamp(2, 1000);
        config.skill_band = config.skill_band.max(1);
        MatchmakingQueue {
            config,
            buckets: HashMap::new(),
            queued: HashMap::new(),
            formed: Vec::new(),
            stats: MatchmakingStats::default(),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &MatchmakingConfig {
        &self.config
    }

    /// Counts so far.
    pub fn stats(&self) -> MatchmakingStats {
        self.stats
    }

    /// Players waiting.
    pub fn queued_players(&self) -> usize {
        self.queued.len()
    }

    /// Whether the player with id `player_id` is waiting.
    pub fn is_queued(&self, player_id: &str) -> bool {
        self.queued.contains_key(&key(player_id))
    }

    /// The matches formed since the last call.
    pub fn take_matches(&mut self) -> Vec<FormedMatch> {
        std::mem::take(&mut self.formed)
    }

    /// Every non-empty queue, by region then skill band.
    pub fn waiting(&self) -> Vec<WaitingQueue> {
        let mut queues: Vec<WaitingQueue> = self
            .buckets
            .iter()
            .map(|(&(region, band), bucket)| WaitingQueue {
                region: usize::from(region),
                band,
                players: bucket
                    .tickets
                    .iter()
                    .flat_map(|t| t.players.iter().copied())
                    .collect(),
            })
            .collect();
        queues.sort_unstable_by_key(|q| (q.region, q.band));
        queues
    }

    /// The name of region `index` of the configuration.
    pub fn region_name(&self, index: usize) -> Option<&str> {
        self.config
            .regions
            .get(index)
            .map(|(name, _)| name.as_str())
    }

    fn request(
        &mut self,
        event: &Event<'_>,
        skill: u32,
        party: &[&str],
        max_latency_ms: u32,
    ) -> Result<(), HandlerError> {
        self.stats.requests += 1;
        let Some(region) = self
            .config
            .regions
            .iter()
            .position(|(r, _)| r == event.region)
        else {
            self.stats.refused_region += 1;
            return Ok(());
        };
        if max_latency_ms < self.config.regions[region].1 {
            self.stats.refused_latency += 1;
            return Ok(());
        }
        let mut players: SmallVec<[u64; 3]> = SmallVec::new();
        for id in std::iter::once(&event.player_id).chain(party) {
            let k = key(id);
            if !players.contains(&k) {
                players.push(k);
            }
        }
        if players.len() > self.config.match_size {
            return Err(HandlerError::new(format!(
                "party of {} players is bigger than a match ({})",
                players.len(),
                self.config.match_size
            )));
        }
        if players.iter().any(|p| self.queued.contains_key(p)) {
            self.stats.duplicates += 1;
            return Ok(());
        }
        // Regions are few (a configured list), so their index fits in u16.
        let bucket_key = (
            region.min(usize::from(u16::MAX)) as u16,
            skill / self.config.skill_band,
        );
        for &p in &players {
            self.queued.insert(p, bucket_key);
        }
        let bucket = self.buckets.entry(bucket_key).or_default();
        bucket.players += players.len();
        bucket.tickets.push_back(Ticket {
            players,
            requested_at: event.ts,
        });
        if bucket.players >= self.config.match_size {
            self.try_form(bucket_key, event.ts);
        }
        Ok(())
    }

    /// Forms one match from the oldest tickets that fit, if they fill it exactly.
    fn try_form(&mut self, bucket_key: BucketKey, now: Timestamp) {
        let size = self.config.match_size;
        let Some(bucket) = self.buckets.get_mut(&bucket_key) else {
            return;
        };
        let mut picked: SmallVec<[usize; 16]> = SmallVec::new();
        let mut total = 0;
        for (i, t) in bucket.tickets.iter().enumerate() {
            if total + t.players.len() <= size {
                total += t.players.len();
                picked.push(i);
                if total == size {
                    break;
                }
            }
        }
        if total != size {
            return;
        }
        let mut players = Vec::with_capacity(size);
        // Remove from the back so earlier indexes stay valid; restore order after.
        for &i in picked.iter().rev() {
            if let Some(t) = bucket.tickets.remove(i) {
                players.extend(t.players.iter().rev());
            }
        }
        players.reverse();
        bucket.players -= players.len();
        for p in &players {
            self.queued.remove(p);
        }
        if bucket.tickets.is_empty() {
            self.buckets.remove(&bucket_key);
        }
        self.stats.matches += 1;
        self.formed.push(FormedMatch {
            region: usize::from(bucket_key.0),
            band: bucket_key.1,
            players,
            formed_at: now,
        });
    }

    fn leave(&mut self, player_id: &str) {
        let k = key(player_id);
        let Some(bucket_key) = self.queued.get(&k).copied() else {
            return;
        };
        let Some(bucket) = self.buckets.get_mut(&bucket_key) else {
            return;
        };
        if let Some(i) = bucket.tickets.iter().position(|t| t.players.contains(&k)) {
            if let Some(t) = bucket.tickets.remove(i) {
                bucket.players -= t.players.len();
                for p in &t.players {
                    self.queued.remove(p);
                }
                self.stats.left += 1;
            }
        }
        if bucket.tickets.is_empty() {
            self.buckets.remove(&bucket_key);
        }
    }

    /// How long the oldest waiting ticket has waited at `now`, in ms.
    pub fn oldest_wait_ms(&self, now: Timestamp) -> Option<i64> {
        self.buckets
            .values()
            .filter_map(|b| b.tickets.front())
            .map(|t| now.0.saturating_sub(t.requested_at.0))
            .max()
    }
}

impl Handler for MatchmakingQueue {
    fn handle(&mut self, event: &Event<'_>, _: &Context<'_>) -> Result<(), HandlerError> {
        match &event.payload {
            Payload::MatchRequested(r) => self.request(event, r.skill, r.party, r.max_latency_ms),
            Payload::PlayerLeft(_) => {
                self.leave(event.player_id);
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
