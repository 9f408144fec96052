//! Validation and limits name every field.

use super::*;

/// Fields with a rule of their own rather than `max_string_bytes`
/// (SPEC §2, Envelope: `id`, `player_id`, `match_id` are 1..=64 bytes,
/// `region` 1..=32), checked by `Event::validate`. Envelope paths only.
pub(crate) fn own_rule(path: &FieldPath) -> Option<usize> {
    match path.name().as_str() {
        "id" | "player_id" | "match_id" => Some(MAX_ID_BYTES),
        "region" => Some(MAX_REGION_BYTES),
        _ => None,
    }
}

/// What to do to the field at the end of a path.
#[derive(Clone, Copy)]
pub(crate) enum Break {
    /// Make its text (or one element's, or a map entry's key or value) this long.
    Text(usize),
    /// Give the list or map this many entries.
    Items(usize),
    /// Make the float (or one coordinate) NaN.
    NaN,
}

pub(crate) fn long_text(n: usize) -> String {
    "w".repeat(n)
}

pub(crate) fn break_value(field: &FieldDescriptor, v: &mut Dyn, how: Break) {
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
pub(crate) fn break_field(msg: &mut DynamicMessage, fields: &[FieldDescriptor], how: Break) {
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
pub(crate) const NAN: &str = "__nan__";

/// Applies `how` to the member of the canonical JSON `v` that `path` names
/// (the first element of a list).
pub(crate) fn break_json(v: &mut Json, path: &FieldPath, how: Break) {
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
pub(crate) fn names_field(error_path: &str, path: &FieldPath) -> bool {
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
