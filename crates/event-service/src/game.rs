//! The game handlers the service runs, and their state as JSON.
//!
//! The routing table names handlers; the service binds `matchmaking` to a
//! [`MatchmakingQueue`] and `scoring` (or `scoreboard`) to a [`Scoreboard`],
//! and every other name to a handler that only counts (its deliveries show
//! in `/v1/stats` and `/metrics`).

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use event_model::{Event, Payload};
use event_router::{Context, Handler, HandlerError, Router, RouterBuilder, infallible};
use game_handlers::{
    FormedMatch, MatchmakingConfig, MatchmakingQueue, SERVED_REGIONS, Scoreboard, key,
};
use serde_json::{Value, json};

/// Formed matches kept for `/v1/matchmaking` (the newest; older ones are
/// counted only).
const RECENT_MATCHES: usize = 256;

/// Player ids remembered to name players in the handlers' state, which keeps
/// only their 64-bit keys. Past this many the map starts over (players are
/// named again by their next event), so it stays bounded whatever the
/// traffic: about 64 bytes an entry.
const NAMES: usize = 1 << 17;

/// Player ids by key, bounded.
#[derive(Debug, Default)]
pub(crate) struct Names {
    by_key: HashMap<u64, Box<str>>,
}

impl Names {
    fn note(&mut self, id: &str) {
        let k = key(id);
        if self.by_key.contains_key(&k) {
            return;
        }
        if self.by_key.len() >= NAMES {
            self.by_key.clear();
        }
        self.by_key.insert(k, id.into());
    }

    /// The id of `k`, or `#` and its key in hex when it is not remembered.
    fn name(&self, k: u64) -> Value {
        match self.by_key.get(&k) {
            Some(id) => Value::from(&**id),
            None => Value::from(format!("#{k:016x}")),
        }
    }
}

/// The matchmaking queue, noting its players' ids and keeping the newest
/// formed matches.
pub(crate) struct Matchmaking {
    queue: MatchmakingQueue,
    names: Rc<RefCell<Names>>,
    recent: VecDeque<FormedMatch>,
}

impl Handler for Matchmaking {
    fn handle(&mut self, event: &Event<'_>, ctx: &Context<'_>) -> Result<(), HandlerError> {
        if let Payload::MatchRequested(r) = &event.payload {
            let mut names = self.names.borrow_mut();
            names.note(event.player_id);
            for p in r.party {
                names.note(p);
            }
        }
        let result = self.queue.handle(event, ctx);
        for m in self.queue.take_matches() {
            if self.recent.len() == RECENT_MATCHES {
                self.recent.pop_front();
            }
            self.recent.push_back(m);
        }
        result
    }
}

/// The scoreboard, noting its players' ids.
pub(crate) struct Scoring {
    board: Scoreboard,
    names: Rc<RefCell<Names>>,
}

impl Handler for Scoring {
    fn handle(&mut self, event: &Event<'_>, ctx: &Context<'_>) -> Result<(), HandlerError> {
        if matches!(
            event.payload,
            Payload::ClueFound(_) | Payload::TreasureClaimed(_)
        ) {
            self.names.borrow_mut().note(event.player_id);
        }
        let result = self.board.handle(event, ctx);
        // Finished matches are counted in the board's stats; their
        // standings are not kept (memory stays bounded by live matches).
        drop(self.board.take_finished());
        result
    }
}

/// The service's game state.
pub(crate) struct Game {
    names: Rc<RefCell<Names>>,
    matchmaking: Option<String>,
    scoring: Option<String>,
}

impl Game {
    pub(crate) fn new(names: Rc<RefCell<Names>>) -> Game {
        Game {
            names,
            matchmaking: None,
            scoring: None,
        }
    }

    /// Binds the handler `name` of the table.
    pub(crate) fn bind(&mut self, builder: RouterBuilder, name: String) -> RouterBuilder {
        match name.as_str() {
            "matchmaking" if self.matchmaking.is_none() => {
                self.matchmaking = Some(name.clone());
                let queue = MatchmakingQueue::new(MatchmakingConfig {
                    match_size: 8,
                    skill_band: 200,
                    regions: SERVED_REGIONS
                        .iter()
                        .map(|(r, ms)| ((*r).to_owned(), *ms))
                        .collect(),
                });
                builder.handler(
                    name,
                    Matchmaking {
                        queue,
                        names: self.names.clone(),
                        recent: VecDeque::new(),
                    },
                )
            }
            "scoring" | "scoreboard" if self.scoring.is_none() => {
                self.scoring = Some(name.clone());
                builder.handler(
                    name,
                    Scoring {
                        board: Scoreboard::new(),
                        names: self.names.clone(),
                    },
                )
            }
            _ => builder.handler(name, infallible(|_, _| {})),
        }
    }

    /// `/v1/matchmaking`: the waiting players per queue and the newest
    /// formed matches.
    pub(crate) fn matchmaking_json(&self, router: &Router) -> Value {
        let Some(m) = self
            .matchmaking
            .as_deref()
            .and_then(|n| router.handler::<Matchmaking>(n))
        else {
            return json!({"enabled": false, "queues": [], "matches": []});
        };
        let names = self.names.borrow();
        let q = &m.queue;
        let region = |i: usize| q.region_name(i).unwrap_or("?").to_owned();
        let queues: Vec<Value> = q
            .waiting()
            .into_iter()
            .map(|w| {
                let lo = w.band * q.config().skill_band;
                json!({
                    "region": region(w.region),
                    "skill_band": [lo, lo + q.config().skill_band - 1],
                    "players": w.players.iter().map(|&p| names.name(p)).collect::<Vec<_>>(),
                })
            })
            .collect();
        let matches: Vec<Value> = m
            .recent
            .iter()
            .rev()
            .map(|f| {
                json!({
                    "region": region(f.region),
                    "skill_band": [f.band * q.config().skill_band, (f.band + 1) * q.config().skill_band - 1],
                    "formed_at": f.formed_at.to_string(),
                    "players": f.players.iter().map(|&p| names.name(p)).collect::<Vec<_>>(),
                })
            })
            .collect();
        let s = q.stats();
        json!({
            "enabled": true,
            "match_size": q.config().match_size,
            "waiting_players": q.queued_players(),
            "queues": queues,
            "matches_formed": s.matches,
            "matches": matches,
            "stats": {
                "requests": s.requests,
                "refused_region": s.refused_region,
                "refused_latency": s.refused_latency,
                "duplicates": s.duplicates,
                "left": s.left,
            },
        })
    }

    /// `/v1/scoreboard/{match_id}`: the live match's standings, `None` when
    /// the match is unknown (or already ended).
    pub(crate) fn scoreboard_json(&self, router: &Router, match_id: &str) -> Option<Value> {
        let s = router.handler::<Scoring>(self.scoring.as_deref()?)?;
        let standings = s.board.standings(match_id)?;
        let names = self.names.borrow();
        Some(json!({
            "match_id": match_id,
            "standings": standings
                .iter()
                .map(|&(p, points)| json!({"player": names.name(p), "points": points}))
                .collect::<Vec<_>>(),
        }))
    }
}
