//! The compiled routing table: validated once, then matched per event with
//! no allocation (kinds as a bit set, handler sets as small vectors of ids).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use event_model::{Event, Kind, Limits};
use smallvec::SmallVec;

use crate::ConfigError;
use crate::config::{KeyField, RouteConfig, Unmatched};

/// The most partitions a table may have (SPEC section 4).
pub const MAX_PARTITIONS: u64 = 4096;
/// The most handlers one route may name (SPEC section 4).
pub const MAX_ROUTE_HANDLERS: usize = 16;
/// The most routes a table may have: every [`RouteId`] but the largest.
pub const MAX_ROUTES: usize = RouteId::MAX as usize;
/// The most distinct handlers a table may name: one per [`HandlerId`].
pub const MAX_HANDLERS: usize = HandlerId::MAX as usize + 1;
/// The largest routing-table file read: 16 MiB, room for the most routes a
/// table may have, each with several conditions.
pub const MAX_TABLE_BYTES: usize = 16 << 20;

/// The limits a routing table is parsed under: the event decoder's
/// defaults (depth, string length, alias expansion in events and in bytes),
/// with room for [`MAX_TABLE_BYTES`] of text and [`MAX_ROUTES`] items in one
/// list, so that what a table file makes the process hold stays a small
/// multiple of its size.
pub const TABLE_LIMITS: Limits = Limits {
    max_event_bytes: MAX_TABLE_BYTES,
    max_items: MAX_HANDLERS,
    ..Limits::DEFAULT
};

/// A route's position in its table (`0..table.routes().len()`).
pub type RouteId = u16;
/// A handler's position in [`RouteTable::handler_names`].
pub type HandlerId = u16;

/// FNV-1a, 64-bit, over `bytes`: the partition hash of SPEC section 4
/// (offset basis `0xcbf29ce484222325`, prime `0x100000001b3`).
///
/// Hand-written because the specification fixes the exact function so that
/// producers in other languages compute the same partition.
pub const fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    hash
}

/// One compiled route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    name: Box<str>,
    /// Bit `k.index()` set for every accepted kind; all bits when unrestricted.
    kinds: u16,
    regions: Box<[Box<str>]>,
    attrs: Box<[(Box<str>, Box<str>)]>,
    has_match: Option<bool>,
    exclusive: bool,
    handlers: SmallVec<[HandlerId; 4]>,
}

const ALL_KINDS: u16 = (1 << Kind::ALL.len()) - 1;

impl Route {
    /// The route's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The ids of the handlers of its `to` list, in written order.
    pub fn handlers(&self) -> &[HandlerId] {
        &self.handlers
    }

    /// Whether a match stops the evaluation of later routes.
    pub fn is_exclusive(&self) -> bool {
        self.exclusive
    }

    /// Whether `event` satisfies every condition of the route.
    #[inline]
    pub fn matches(&self, event: &Event<'_>) -> bool {
        self.kinds & (1 << event.kind().index()) != 0
            && self
                .has_match
                .is_none_or(|want| want == event.match_id.is_some())
            && (self.regions.is_empty() || self.regions.iter().any(|r| **r == *event.region))
            && self
                .attrs
                .iter()
                .all(|(k, v)| event.attr(k).is_some_and(|have| have == &**v))
    }
}

/// A validated, compiled routing table (SPEC section 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTable {
    key: KeyField,
    partitions: u32,
    unmatched: Unmatched,
    routes: Box<[Route]>,
    handler_names: Box<[Box<str>]>,
    // Hashed, so that loading and looking up tens of thousands of names stays
    // linear.
    route_ids: HashMap<Box<str>, RouteId>,
    handler_ids: HashMap<Box<str>, HandlerId>,
}

impl RouteTable {
    /// Validates and compiles a table: route names unique and non-empty,
    /// kinds known, condition lists non-empty, `1..=16` distinct handlers per
    /// route, `partitions` in `1..=4096`.
    pub fn new(config: RouteConfig) -> Result<RouteTable, ConfigError> {
        if !(1..=MAX_PARTITIONS).contains(&config.partitions) {
            return Err(ConfigError::Partitions {
                value: config.partitions,
            });
        }
        if config.routes.len() > MAX_ROUTES {
            return Err(ConfigError::TooManyRoutes {
                count: config.routes.len(),
            });
        }
        let mut routes: Vec<Route> = Vec::with_capacity(config.routes.len());
        let mut handler_names: Vec<Box<str>> = Vec::new();
        let mut route_ids: HashMap<Box<str>, RouteId> = HashMap::with_capacity(routes.capacity());
        let mut handler_ids: HashMap<Box<str>, HandlerId> = HashMap::new();
        for (index, spec) in config.routes.into_iter().enumerate() {
            if spec.name.is_empty() {
                return Err(ConfigError::EmptyRouteName { index });
            }
            match route_ids.entry(spec.name.as_str().into()) {
                Entry::Occupied(seen) => {
                    return Err(ConfigError::DuplicateRoute {
                        route: spec.name,
                        index,
                        first: usize::from(*seen.get()),
                    });
                }
                // At most MAX_ROUTES routes, checked above: the index fits.
                Entry::Vacant(slot) => {
                    slot.insert(index as RouteId);
                }
            }
            let route = spec.name;
            let when = spec.when.unwrap_or_default();
            let mut kinds = ALL_KINDS;
            if let Some(names) = when.kind {
                if names.is_empty() {
                    return Err(ConfigError::EmptyCondition {
                        route,
                        field: "kind",
                    });
                }
                kinds = 0;
                for name in names {
                    match Kind::from_name(&name) {
                        Some(k) => kinds |= 1 << k.index(),
                        None => return Err(ConfigError::UnknownKind { route, kind: name }),
                    }
                }
            }
            let regions = match when.region {
                Some(list) if list.is_empty() => {
                    return Err(ConfigError::EmptyCondition {
                        route,
                        field: "region",
                    });
                }
                Some(list) => list.into_iter().map(String::into_boxed_str).collect(),
                None => Box::default(),
            };
            let attrs = match when.attrs {
                Some(list) if list.is_empty() => {
                    return Err(ConfigError::EmptyCondition {
                        route,
                        field: "attrs",
                    });
                }
                Some(list) => list
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
                None => Box::default(),
            };
            if spec.to.is_empty() || spec.to.len() > MAX_ROUTE_HANDLERS {
                return Err(ConfigError::HandlerCount {
                    route,
                    count: spec.to.len(),
                });
            }
            let mut handlers: SmallVec<[HandlerId; 4]> = SmallVec::new();
            for handler in spec.to {
                if handler.is_empty() {
                    return Err(ConfigError::EmptyHandlerName { route });
                }
                let id = match handler_ids.get(handler.as_str()) {
                    Some(&id) => id,
                    None => {
                        // At most 16 handlers per route and 65535 routes: more
                        // distinct names than ids are possible, so check.
                        let id = HandlerId::try_from(handler_names.len()).map_err(|_| {
                            ConfigError::TooManyHandlers {
                                count: handler_names.len() + 1,
                            }
                        })?;
                        handler_names.push(handler.as_str().into());
                        handler_ids.insert(handler.as_str().into(), id);
                        id
                    }
                };
                if handlers.contains(&id) {
                    return Err(ConfigError::DuplicateHandler { route, handler });
                }
                handlers.push(id);
            }
            routes.push(Route {
                name: route.into_boxed_str(),
                kinds,
                regions,
                attrs,
                has_match: when.has_match,
                exclusive: spec.exclusive,
                handlers,
            });
        }
        Ok(RouteTable {
            key: config.key,
            // In 1..=4096, checked above.
            partitions: config.partitions as u32,
            unmatched: config.unmatched,
            routes: routes.into_boxed_slice(),
            handler_names: handler_names.into_boxed_slice(),
            route_ids,
            handler_ids,
        })
    }

    /// The partition key.
    pub fn key(&self) -> KeyField {
        self.key
    }

    /// The number of partitions.
    pub fn partitions(&self) -> u32 {
        self.partitions
    }

    /// The policy for events no route matches.
    pub fn unmatched(&self) -> Unmatched {
        self.unmatched
    }

    /// The compiled routes, in evaluation order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The route names, in evaluation order.
    pub fn route_names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.routes.iter().map(|r| r.name())
    }

    /// The union of every route's `to` list, in order of first mention;
    /// a handler's position here is its [`HandlerId`].
    pub fn handler_names(&self) -> &[Box<str>] {
        &self.handler_names
    }

    /// The id of handler `name`, if the table names it.
    pub fn handler_id(&self, name: &str) -> Option<HandlerId> {
        self.handler_ids.get(name).copied()
    }

    /// The id of route `name`, if any.
    pub fn route_id(&self, name: &str) -> Option<RouteId> {
        self.route_ids.get(name).copied()
    }

    /// The bytes hashed for `event`'s partition: its `match_id` (or
    /// `player_id` when absent) for `key: match_id`, its `player_id` otherwise.
    pub fn key_of<'e>(&self, event: &Event<'e>) -> &'e str {
        match self.key {
            KeyField::MatchId => event.match_or_player_id(),
            KeyField::PlayerId => event.player_id,
        }
    }

    /// `event`'s partition: FNV-1a 64 of its key modulo [`Self::partitions`].
    #[inline]
    pub fn partition_of(&self, event: &Event<'_>) -> u32 {
        // The remainder is below `partitions` (at most 4096), so it fits.
        (fnv1a64(self.key_of(event).as_bytes()) % u64::from(self.partitions)) as u32
    }
}
