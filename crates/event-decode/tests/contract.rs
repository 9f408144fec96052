//! The schema drift test: every field of the `.proto` contract
//! (`event_model::proto::PROTO_FILE`, compiled here by `protox`) must be set
//! by the generators, survive every encoder and decoder, and be checked by
//! validation and the decoders' limits.
//!
//! The field list is never written out here: it is read from the descriptor,
//! so a field added to the contract and missed anywhere fails a check below
//! with the field's path named.

use std::collections::{BTreeMap, BTreeSet};

use bench_harness::baselines::{DomDecoder, ProstDecoder};
use bumpalo::Bump;
use event_decode::internals::yaml::Engine;
use event_decode::json::JsonDecoder;
use event_decode::protobuf::ZeroCopyDecoder;
use event_decode::yaml::YamlDecoder;
use event_decode::{DecodeConfig, DecodeError, Decoder, Format, Limit, Limits};
use event_model::{MAX_ID_BYTES, MAX_REGION_BYTES, OwnedEvent, corpus, proto, strategies};
use prost::Message as _;
use protox::prost_reflect::{
    Cardinality, DescriptorPool, DynamicMessage, FieldDescriptor, Kind as FieldKind, MapKey,
    MessageDescriptor, Value as Dyn,
};
use serde_json::Value as Json;

/// The contract's file name, as the compiler sees it.
const PROTO_NAME: &str = "veltrix_events_v1.proto";
/// The message every encoding carries.
const EVENT_MESSAGE: &str = "veltrix.events.v1.Event";
/// The oneof whose members are the kinds (SPEC §2: "the oneof is called `payload`").
const PAYLOAD_ONEOF: &str = "payload";

// ----------------------------------------------------------------------------
// The contract, read from the descriptor
// ----------------------------------------------------------------------------

/// Serves the `.proto` text compiled into `event-model` to `protox`.
struct Contract;

impl protox::file::FileResolver for Contract {
    fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
        if name == PROTO_NAME {
            protox::file::File::from_source(PROTO_NAME, proto::PROTO_FILE)
        } else {
            Err(protox::Error::file_not_found(name))
        }
    }
}

fn event_descriptor() -> MessageDescriptor {
    let mut compiler = protox::Compiler::with_file_resolver(Contract);
    compiler
        .open_file(PROTO_NAME)
        .unwrap_or_else(|e| panic!("the contract does not compile: {e}"));
    let pool: DescriptorPool = compiler.descriptor_pool();
    pool.get_message_by_name(EVENT_MESSAGE)
        .unwrap_or_else(|| panic!("the contract has no message {EVENT_MESSAGE}"))
}

/// One field of the contract, reached from `Event` through `fields`.
/// A payload field's path starts with its kind (the oneof member), so
/// `clue_found.position.x`; list elements and map entries add no index.
#[derive(Clone)]
struct FieldPath {
    fields: Vec<FieldDescriptor>,
}

impl FieldPath {
    fn last(&self) -> &FieldDescriptor {
        self.fields.last().expect("a path has at least one field")
    }

    fn name(&self) -> String {
        let names: Vec<&str> = self.fields.iter().map(FieldDescriptor::name).collect();
        names.join(".")
    }

    fn is_payload(&self) -> bool {
        self.fields[0]
            .containing_oneof()
            .is_some_and(|o| o.name() == PAYLOAD_ONEOF)
    }

    /// Whether an element of a map (`attrs.key`, `attrs.value`).
    fn in_map(&self) -> bool {
        self.fields.len() >= 2 && self.fields[self.fields.len() - 2].is_map()
    }

    /// The path as validation errors and decoders print it, indices left
    /// out: the kind becomes `payload` (`payload.position.x`).
    fn error_path(&self) -> String {
        let mut names: Vec<&str> = self.fields.iter().map(FieldDescriptor::name).collect();
        if self.is_payload() {
            names[0] = "payload";
        }
        names.join(".")
    }
}

/// Every field path of the contract, depth first, in declaration order.
fn contract_paths(event: &MessageDescriptor) -> Vec<FieldPath> {
    fn walk(msg: &MessageDescriptor, prefix: &[FieldDescriptor], out: &mut Vec<FieldPath>) {
        for field in msg.fields() {
            let mut fields = prefix.to_vec();
            fields.push(field.clone());
            out.push(FieldPath {
                fields: fields.clone(),
            });
            if let FieldKind::Message(inner) = field.kind() {
                walk(&inner, &fields, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(event, &[], &mut out);
    assert!(
        out.iter().any(FieldPath::is_payload),
        "the contract's Event has no `{PAYLOAD_ONEOF}` oneof"
    );
    out
}

// ----------------------------------------------------------------------------
// Which contract fields an event sets: its canonical JSON, walked against the
// descriptor
// ----------------------------------------------------------------------------

fn to_json(ev: &OwnedEvent) -> Json {
    let arena = Bump::new();
    let mut out = Vec::new();
    event_decode::json::encode(&ev.as_view(&arena), &mut out);
    serde_json::from_slice(&out).expect("the JSON encoder writes JSON")
}

fn is_set(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(_) => true,
    }
}

/// Adds the contract paths that `ev` sets to a non-default value to `set`;
/// a JSON member that is no field of the contract is an error.
fn set_paths(
    event: &MessageDescriptor,
    ev: &Json,
    set: &mut BTreeSet<String>,
) -> Result<(), String> {
    let Json::Object(top) = ev else {
        return Err(format!("the JSON encoder wrote {ev} for an event"));
    };
    let kind = top.get("kind").and_then(Json::as_str).ok_or("no `kind`")?;
    for (key, value) in top {
        match key.as_str() {
            // The canonical JSON spells the oneof as `kind` + `payload`.
            "kind" => {}
            "payload" => {
                let member = event
                    .get_field_by_name(kind)
                    .filter(|f| {
                        f.containing_oneof()
                            .is_some_and(|o| o.name() == PAYLOAD_ONEOF)
                    })
                    .ok_or_else(|| format!("kind `{kind}` is no member of the payload oneof"))?;
                set.insert(member.name().to_owned());
                walk_value(&member, value, member.name(), set)?;
            }
            _ => {
                let field = event
                    .get_field_by_name(key)
                    .ok_or_else(|| format!("the JSON encoder wrote `{key}`, no field of Event"))?;
                walk_value(&field, value, key, set)?;
            }
        }
    }
    // A heartbeat has no payload member in JSON; its kind is still the member.
    if !top.contains_key("payload") {
        set.insert(kind.to_owned());
    }
    Ok(())
}

fn walk_value(
    field: &FieldDescriptor,
    value: &Json,
    path: &str,
    set: &mut BTreeSet<String>,
) -> Result<(), String> {
    if field.is_map() {
        let Json::Object(map) = value else {
            return Err(format!("{path}: a map written as {value}"));
        };
        let FieldKind::Message(entry) = field.kind() else {
            unreachable!("a map field is a message of entries")
        };
        if !map.is_empty() {
            set.insert(path.to_owned());
        }
        for (k, v) in map {
            let key = entry.map_entry_key_field();
            let val = entry.map_entry_value_field();
            if !k.is_empty() {
                set.insert(format!("{path}.{}", key.name()));
            }
            if is_set(v) {
                set.insert(format!("{path}.{}", val.name()));
            }
        }
        return Ok(());
    }
    if field.is_list() {
        let Json::Array(items) = value else {
            return Err(format!("{path}: a repeated field written as {value}"));
        };
        if !items.is_empty() {
            set.insert(path.to_owned());
        }
        for item in items {
            walk_single(field, item, path, set)?;
        }
        return Ok(());
    }
    if is_set(value) {
        set.insert(path.to_owned());
    }
    walk_single(field, value, path, set)
}

fn walk_single(
    field: &FieldDescriptor,
    value: &Json,
    path: &str,
    set: &mut BTreeSet<String>,
) -> Result<(), String> {
    let FieldKind::Message(msg) = field.kind() else {
        return Ok(());
    };
    let Json::Object(obj) = value else {
        return Err(format!("{path}: a message written as {value}"));
    };
    for (key, v) in obj {
        let inner = msg.get_field_by_name(key).ok_or_else(|| {
            format!(
                "the JSON encoder wrote `{path}.{key}`, no field of {}",
                msg.name()
            )
        })?;
        let inner_path = format!("{path}.{key}");
        if is_set(v) {
            set.insert(inner_path.clone());
        }
        walk_value(&inner, v, &inner_path, set)?;
    }
    Ok(())
}

/// For each contract path, the index of the first event that sets it.
fn coverage(event: &MessageDescriptor, events: &[OwnedEvent]) -> BTreeMap<String, usize> {
    let mut first = BTreeMap::new();
    for (i, ev) in events.iter().enumerate() {
        let mut set = BTreeSet::new();
        if let Err(e) = set_paths(event, &to_json(ev), &mut set) {
            panic!("event {i}: {e}\n{ev:?}");
        }
        for path in set {
            first.entry(path).or_insert(i);
        }
    }
    first
}

fn assert_generator_covers(name: &str, paths: &[FieldPath], covered: &BTreeMap<String, usize>) {
    let missed: Vec<String> = paths
        .iter()
        .map(FieldPath::name)
        .filter(|p| !covered.contains_key(p))
        .collect();
    assert!(
        missed.is_empty(),
        "{name} never sets these fields of the contract to a non-default value: {missed:?}"
    );
}

const CORPUS_SEED: u64 = 0x5eed_d71f;
const CORPUS_EVENTS: usize = 3000;
const STRATEGY_EVENTS: usize = 1000;

fn strategy_events() -> Vec<OwnedEvent> {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = strategies::event();
    (0..STRATEGY_EVENTS)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .expect("the event strategy generates")
                .current()
        })
        .collect()
}

#[test]
fn the_generators_set_every_field_of_the_contract() {
    let event = event_descriptor();
    let paths = contract_paths(&event);
    let corpus = corpus::corpus(CORPUS_SEED, CORPUS_EVENTS);
    assert_generator_covers(
        "event_model::corpus::corpus",
        &paths,
        &coverage(&event, &corpus),
    );
    assert_generator_covers(
        "event_model::strategies::event",
        &paths,
        &coverage(&event, &strategy_events()),
    );
}

// ----------------------------------------------------------------------------
// Every encoder, every decoder
// ----------------------------------------------------------------------------

/// Every decoder of `format` under `cfg`, by name.
fn decoders(format: Format, cfg: &DecodeConfig) -> Vec<(&'static str, Box<dyn Decoder>)> {
    match format {
        Format::Yaml => vec![
            (
                "YamlDecoder(Scanner)",
                Box::new(YamlDecoder::with_config(cfg).engine(Engine::Scanner)),
            ),
            (
                "YamlDecoder(YamlRust2, fast path)",
                Box::new(
                    YamlDecoder::with_config(cfg)
                        .engine(Engine::YamlRust2)
                        .fast_path(true),
                ),
            ),
            (
                "YamlDecoder(YamlRust2, no fast path)",
                Box::new(
                    YamlDecoder::with_config(cfg)
                        .engine(Engine::YamlRust2)
                        .fast_path(false),
                ),
            ),
            ("DomDecoder", Box::new(DomDecoder::with_config(cfg))),
        ],
        Format::Json => vec![("JsonDecoder", Box::new(JsonDecoder::with_config(cfg)))],
        Format::Protobuf => vec![
            (
                "ZeroCopyDecoder",
                Box::new(ZeroCopyDecoder::with_config(cfg)),
            ),
            ("ProstDecoder", Box::new(ProstDecoder::with_config(cfg))),
        ],
    }
}

const FORMATS: [Format; 3] = [Format::Yaml, Format::Json, Format::Protobuf];

fn encode(format: Format, ev: &event_model::Event<'_>) -> Vec<u8> {
    match format {
        Format::Yaml => {
            let mut out = String::new();
            event_decode::yaml::encode(ev, &mut out);
            out.into_bytes()
        }
        Format::Json => {
            let mut out = Vec::new();
            event_decode::json::encode(ev, &mut out);
            out
        }
        Format::Protobuf => {
            let mut out = Vec::new();
            event_decode::protobuf::encode(ev, &mut out);
            out
        }
    }
}

/// Every leaf of an event's canonical JSON by its concrete path.
fn leaves(v: &Json, path: &str, out: &mut BTreeMap<String, Json>) {
    match v {
        Json::Object(o) => {
            for (k, v) in o {
                leaves(v, &format!("{path}.{k}"), out);
            }
        }
        Json::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                leaves(v, &format!("{path}[{i}]"), out);
            }
        }
        _ => {
            out.insert(path.to_owned(), v.clone());
        }
    }
}

/// The fields where `got` differs from `want`.
fn diff(want: &OwnedEvent, got: &OwnedEvent) -> String {
    let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
    leaves(&to_json(want), "", &mut a);
    leaves(&to_json(got), "", &mut b);
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut out = Vec::new();
    for k in keys {
        if a.get(k) != b.get(k) {
            out.push(format!(
                "{}: want {}, got {}",
                k.trim_start_matches('.'),
                a.get(k).map_or("(absent)".into(), Json::to_string),
                b.get(k).map_or("(absent)".into(), Json::to_string)
            ));
        }
    }
    if out.is_empty() {
        format!("want {want:?}, got {got:?}")
    } else {
        out.join("; ")
    }
}

struct Failures(Vec<String>);

impl Failures {
    /// Records a failure unless `got` is `want`. A protobuf map has no order
    /// (`attrs` is `map<string, string>`), so `unordered` compares attrs sorted.
    fn check(
        &mut self,
        what: String,
        want: &OwnedEvent,
        got: Result<OwnedEvent, String>,
        unordered: bool,
    ) {
        let (want, got) = if unordered {
            (
                want.clone().with_sorted_attrs(),
                got.map(OwnedEvent::with_sorted_attrs),
            )
        } else {
            (want.clone(), got)
        };
        let want = &want;
        match got {
            Ok(got) if got == *want => {}
            Ok(got) => self.0.push(format!("{what}: {}", diff(want, &got))),
            Err(e) => self.0.push(format!("{what}: {e}")),
        }
    }

    fn assert_none(self, what: &str) {
        const SHOWN: usize = 12;
        assert!(
            self.0.is_empty(),
            "{what}: {} failures, the first ones:\n{}",
            self.0.len(),
            self.0[..self.0.len().min(SHOWN)].join("\n")
        );
    }
}

#[test]
fn every_encoder_and_decoder_round_trips_every_field() {
    let cfg = DecodeConfig::new();
    let events = corpus::corpus(CORPUS_SEED, CORPUS_EVENTS);
    let mut decoders: Vec<(Format, &str, Box<dyn Decoder>)> = FORMATS
        .iter()
        .flat_map(|&f| decoders(f, &cfg).into_iter().map(move |(n, d)| (f, n, d)))
        .collect();
    let mut failures = Failures(Vec::new());
    for (i, ev) in events.iter().enumerate() {
        let arena = Bump::new();
        let view = ev.as_view(&arena);
        let mut encoded = BTreeMap::new();
        for format in FORMATS {
            let bytes = encode(format, &view);
            let arena = Bump::new();
            failures.check(
                format!("event {i}: {} encoder -> from_slice", format.name()),
                ev,
                event_decode::from_slice(format, &bytes, &arena)
                    .map(|e| e.to_owned())
                    .map_err(|e| e.to_string()),
                format == Format::Protobuf,
            );
            encoded.insert(format.name(), bytes);
        }
        for (format, name, decoder) in &mut decoders {
            let arena = Bump::new();
            let got = decoder
                .decode(&encoded[format.name()], &arena)
                .map(|e| e.to_owned())
                .map_err(|e| e.to_string());
            failures.check(
                format!("event {i}: {} encoder -> {name}", format.name()),
                ev,
                got,
                *format == Format::Protobuf,
            );
            // The canonical JSON is YAML 1.2 too: the YAML decoders must read
            // the contract's names, not only their own encoder's.
            if *format == Format::Yaml {
                let arena = Bump::new();
                let got = decoder
                    .decode(&encoded[Format::Json.name()], &arena)
                    .map(|e| e.to_owned())
                    .map_err(|e| e.to_string());
                failures.check(format!("event {i}: json encoder -> {name}"), ev, got, false);
            }
        }
        // The prost-generated types: the conversion both ways, and each side
        // reading the other's bytes.
        let message = proto::Event::from(&view);
        let arena = Bump::new();
        failures.check(
            format!("event {i}: event_model::proto::Event::from -> view"),
            ev,
            message
                .view(&arena)
                .map(|e| e.to_owned())
                .map_err(|e| e.to_string()),
            true,
        );
        let prost_bytes = message.encode_to_vec();
        failures.check(
            format!("event {i}: prost encoding -> ZeroCopyDecoder"),
            ev,
            ZeroCopyDecoder::with_config(&cfg)
                .decode(&prost_bytes, &arena)
                .map(|e| e.to_owned())
                .map_err(|e| e.to_string()),
            true,
        );
        let ours = &encoded[Format::Protobuf.name()];
        let decoded = proto::Event::decode(ours.as_slice());
        failures.check(
            format!("event {i}: protobuf encoder -> prost-generated proto::Event"),
            ev,
            decoded.map_err(|e| e.to_string()).and_then(|m| {
                m.view(&arena)
                    .map(|e| e.to_owned())
                    .map_err(|e| e.to_string())
            }),
            true,
        );
    }
    failures.assert_none("round trips through the encoders and decoders");
}

// ----------------------------------------------------------------------------
// Validation and limits
// ----------------------------------------------------------------------------

/// Fields with a rule of their own rather than `max_string_bytes`
/// (SPEC §2, Envelope: `id`, `player_id`, `match_id` are 1..=64 bytes,
/// `region` 1..=32), checked by `Event::validate`. Envelope paths only.
fn own_rule(path: &FieldPath) -> Option<usize> {
    match path.name().as_str() {
        "id" | "player_id" | "match_id" => Some(MAX_ID_BYTES),
        "region" => Some(MAX_REGION_BYTES),
        _ => None,
    }
}

/// What to do to the field at the end of a path.
#[derive(Clone, Copy)]
enum Break {
    /// Make its text (or one element's, or a map entry's key or value) this long.
    Text(usize),
    /// Give the list or map this many entries.
    Items(usize),
    /// Make the float (or one coordinate) NaN.
    NaN,
}

fn long_text(n: usize) -> String {
    "w".repeat(n)
}

fn break_value(field: &FieldDescriptor, v: &mut Dyn, how: Break) {
    match (how, v) {
        (Break::Text(n), Dyn::String(s)) => *s = long_text(n),
        (Break::Text(n), Dyn::List(items)) if !items.is_empty() => {
            items[0] = Dyn::String(long_text(n));
        }
        (Break::Items(n), Dyn::List(items)) if !items.is_empty() => {
            let first = items[0].clone();
            items.resize(n, first);
        }
        (Break::NaN, Dyn::F32(f)) => *f = f32::NAN,
        (_, v) => panic!("cannot break {} holding {v:?}", field.full_name()),
    }
}

/// Applies `how` to the field `fields` names inside `msg`.
fn break_field(msg: &mut DynamicMessage, fields: &[FieldDescriptor], how: Break) {
    let field = &fields[0];
    let mut value = msg.get_field(field).into_owned();
    match fields.len() {
        1 => match (&mut value, how) {
            (Dyn::Map(map), Break::Items(n)) => {
                for i in map.len()..n {
                    map.insert(MapKey::String(format!("k{i}")), Dyn::String("v".into()));
                }
            }
            _ => break_value(field, &mut value, how),
        },
        _ if field.is_map() => {
            let Dyn::Map(map) = &mut value else {
                unreachable!()
            };
            let Break::Text(n) = how else {
                panic!("a map entry only takes long text")
            };
            if fields[1].number() == 1 {
                map.insert(MapKey::String(long_text(n)), Dyn::String("v".into()));
            } else {
                map.insert(MapKey::String("long".into()), Dyn::String(long_text(n)));
            }
        }
        _ => match &mut value {
            Dyn::Message(inner) => break_field(inner, &fields[1..], how),
            Dyn::List(items) if !items.is_empty() => match &mut items[0] {
                Dyn::Message(inner) => break_field(inner, &fields[1..], how),
                other => panic!("{}: element {other:?}", field.full_name()),
            },
            other => panic!("cannot enter {} holding {other:?}", field.full_name()),
        },
    }
    msg.set_field(field, value);
}

/// Stands in for NaN in JSON until the text becomes YAML.
const NAN: &str = "__nan__";

/// Applies `how` to the member of the canonical JSON `v` that `path` names
/// (the first element of a list).
fn break_json(v: &mut Json, path: &FieldPath, how: Break) {
    let names: Vec<String> = path.error_path().split('.').map(str::to_owned).collect();
    let (last, parents) = names.split_last().expect("a path has a field");
    let (parents, last) = if path.in_map() {
        (&names[..names.len() - 2], &names[names.len() - 2])
    } else {
        (parents, last)
    };
    let mut at = v;
    for name in parents {
        at = &mut at[name.as_str()];
        if let Json::Array(items) = at {
            at = &mut items[0];
        }
    }
    let target = &mut at[last.as_str()];
    match (how, target) {
        (Break::Text(n), Json::Object(map)) => {
            if path.last().number() == 1 {
                map.insert(long_text(n), Json::String("v".into()));
            } else {
                map.insert("long".into(), Json::String(long_text(n)));
            }
        }
        (Break::Items(n), Json::Object(map)) => {
            for i in map.len()..n {
                map.insert(format!("k{i}"), Json::String("v".into()));
            }
        }
        (Break::Text(n), Json::Array(items)) => items[0] = Json::String(long_text(n)),
        (Break::Items(n), Json::Array(items)) => {
            let first = items[0].clone();
            items.resize(n, first);
        }
        (Break::Text(n), t @ Json::String(_)) => *t = Json::String(long_text(n)),
        (Break::NaN, t @ Json::Number(_)) => *t = Json::String(NAN.into()),
        (_, t) => panic!("{}: cannot break JSON {t}", path.name()),
    }
}

/// Whether a decoder's or validator's `error_path` names the field of `path`
/// (list indices left out; a map entry's key may follow a map's name).
fn names_field(error_path: &str, path: &FieldPath) -> bool {
    let mut bare = String::with_capacity(error_path.len());
    let mut in_index = false;
    for c in error_path.chars() {
        match c {
            '[' => in_index = true,
            ']' => in_index = false,
            _ if !in_index => bare.push(c),
            _ => {}
        }
    }
    let want = path.error_path();
    if path.in_map() {
        let map = want.rsplit_once('.').map_or(want.as_str(), |(m, _)| m);
        bare == map || bare.starts_with(&format!("{map}."))
    } else {
        bare == want
    }
}

#[test]
fn validation_and_limits_name_every_field_of_the_contract() {
    // Small limits keep the inputs small; the corpus stays well inside them.
    let limits = Limits {
        max_string_bytes: 128,
        max_items: 32,
        ..Limits::DEFAULT
    };
    let cfg = DecodeConfig::new().with_limits(limits);
    let event = event_descriptor();
    let paths = contract_paths(&event);
    let events = corpus::corpus(CORPUS_SEED, CORPUS_EVENTS);
    let covered = coverage(&event, &events);
    let mut decoders: Vec<(Format, &str, Box<dyn Decoder>)> = FORMATS
        .iter()
        .flat_map(|&f| decoders(f, &cfg).into_iter().map(move |(n, d)| (f, n, d)))
        .collect();
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &paths {
        let field = path.last();
        let name = path.name();
        let text = matches!(field.kind(), FieldKind::String);
        let float = matches!(field.kind(), FieldKind::Float | FieldKind::Double);
        let repeated = field.cardinality() == Cardinality::Repeated;
        let mut cases: Vec<(Break, Option<Limit>, bool)> = Vec::new();
        if text {
            match own_rule(path) {
                Some(max) => cases.push((Break::Text(max + 1), None, true)),
                None => cases.push((
                    Break::Text(limits.max_string_bytes + 1),
                    Some(Limit::StringBytes),
                    false,
                )),
            }
        }
        if repeated {
            cases.push((
                Break::Items(limits.max_items + 1),
                Some(Limit::Items),
                false,
            ));
        }
        if float {
            cases.push((Break::NaN, None, true));
        }
        if cases.is_empty() {
            continue;
        }
        let Some(&base) = covered.get(&name) else {
            failures.push(format!("{name}: no corpus event sets it to break it"));
            continue;
        };
        for (how, limit, validates) in cases {
            checked += 1;
            let case = match how {
                Break::Text(n) => format!("{name} {n} bytes long"),
                Break::Items(n) => format!("{name} with {n} items"),
                Break::NaN => format!("{name} NaN"),
            };
            // Protobuf: the encoder's bytes, broken through the descriptor.
            let arena = Bump::new();
            let mut bytes = Vec::new();
            event_decode::protobuf::encode(&events[base].as_view(&arena), &mut bytes);
            let mut msg = DynamicMessage::decode(event.clone(), bytes.as_slice())
                .expect("the contract reads the protobuf encoder's bytes");
            break_field(&mut msg, &path.fields, how);
            let proto_bytes = msg.encode_to_vec();
            // JSON (and YAML, JSON being YAML 1.2 flow style): the canonical
            // JSON, broken by the same path. JSON has no NaN; YAML's is `.nan`.
            let mut json = to_json(&events[base]);
            break_json(&mut json, path, how);
            let json_text = json.to_string().replace(&format!("\"{NAN}\""), ".nan");
            let mut inputs: Vec<(Format, &str, Vec<u8>)> = vec![
                (Format::Protobuf, "protobuf", proto_bytes.clone()),
                (Format::Yaml, "JSON text", json_text.clone().into_bytes()),
            ];
            if !matches!(how, Break::NaN) {
                inputs.push((Format::Json, "JSON text", json_text.into_bytes()));
            }
            // `view()` of the prost-generated message runs `Event::validate`.
            let broken = proto::Event::decode(proto_bytes.as_slice())
                .expect("prost reads what prost-reflect wrote");
            match broken.view(&arena) {
                Ok(view) => {
                    if validates {
                        failures.push(format!("validate(): accepts {case}"));
                    }
                    inputs.push((Format::Yaml, "YAML encoder", encode(Format::Yaml, &view)));
                }
                Err(e) if !validates => {
                    failures.push(format!(
                        "validate(): rejects {case}, which breaks no rule of its own: {e}"
                    ));
                }
                Err(e) if !names_field(&e.path, path) => failures.push(format!(
                    "validate(): {case}: the error names `{}`: {e}",
                    e.path
                )),
                Err(_) => {}
            }
            for (format, decoder_name, decoder) in &mut decoders {
                for (_, source, input) in inputs.iter().filter(|(f, ..)| f == format) {
                    let arena = Bump::new();
                    let result: Result<_, DecodeError> = decoder.decode(input, &arena);
                    match result {
                        Ok(_) => {
                            failures.push(format!("{decoder_name} ({source}): accepts {case}"))
                        }
                        Err(e) if !names_field(e.path(), path) => failures.push(format!(
                            "{decoder_name} ({source}): {case}: the error names `{}`: {e}",
                            e.path()
                        )),
                        Err(e) if limit.is_some() && e.limit() != limit => failures.push(format!(
                            "{decoder_name} ({source}): {case}: want limit {limit:?}, got {e}"
                        )),
                        Err(_) => {}
                    }
                }
            }
        }
    }
    assert!(
        checked > 0,
        "the contract has no string, list or float field"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
