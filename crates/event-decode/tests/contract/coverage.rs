//! Which contract fields an event sets, and the generators' coverage.

use super::*;

pub(crate) fn to_json(ev: &OwnedEvent) -> Json {
    let arena = Bump::new();
    let mut out = Vec::new();
    event_decode::json::encode(&ev.as_view(&arena), &mut out);
    serde_json::from_slice(&out).expect("the JSON encoder writes JSON")
}

pub(crate) fn is_set(v: &Json) -> bool {
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
pub(crate) fn set_paths(
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

pub(crate) fn walk_value(
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

pub(crate) fn walk_single(
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
pub(crate) fn coverage(
    event: &MessageDescriptor,
    events: &[OwnedEvent],
) -> BTreeMap<String, usize> {
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

pub(crate) fn assert_generator_covers(
    name: &str,
    paths: &[FieldPath],
    covered: &BTreeMap<String, usize>,
) {
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

pub(crate) const CORPUS_SEED: u64 = 0x5eed_d71f;
pub(crate) const CORPUS_EVENTS: usize = 3000;
pub(crate) const STRATEGY_EVENTS: usize = 1000;

pub(crate) fn strategy_events() -> Vec<OwnedEvent> {
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
