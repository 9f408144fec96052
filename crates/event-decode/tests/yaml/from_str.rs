//! `yaml::from_str` on generic serde types (the router's configuration), and
//! deep nesting on a thread with the default 2 MiB stack.

use std::collections::BTreeMap;

use bench_harness::baselines::DomDecoder;
use bumpalo::Bump;
use event_decode::DecodeConfig;
use event_decode::yaml::{self, YamlDecoder};
use event_decode::{Category, Decoder, Limit};
use serde::Deserialize;

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Key {
    MatchId,
    PlayerId,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    key: Key,
    partitions: u32,
    routes: Vec<Route>,
    #[serde(default)]
    unmatched: Option<String>,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Route {
    name: String,
    #[serde(default)]
    when: Option<When>,
    to: Vec<String>,
    #[serde(default)]
    exclusive: bool,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct When {
    #[serde(default)]
    kind: Option<Vec<String>>,
    #[serde(default)]
    attrs: Option<BTreeMap<String, String>>,
    #[serde(default)]
    has_match: Option<bool>,
    #[serde(default)]
    min_seq: Option<i64>,
}

const TABLE: &str = "\
key: match_id          # partition key
partitions: 16
routes:
  - name: scoring
    when:
      kind: [clue_found, treasure_claimed]
      attrs: {tier: gold, build: 4412}
      has_match: true
      min_seq: -5
    to: [scoring, audit]
    exclusive: false
  - name: everything
    to:
      - archive
unmatched: ~
";

#[test]
fn reads_a_routing_table() {
    let t: Table = yaml::from_str(TABLE).unwrap();
    assert_eq!(t.key, Key::MatchId);
    assert_eq!(t.partitions, 16);
    assert_eq!(t.unmatched, None);
    let when = t.routes[0].when.as_ref().unwrap();
    assert_eq!(
        when.kind.as_deref(),
        Some(&["clue_found".to_owned(), "treasure_claimed".to_owned()][..])
    );
    let attrs = when.attrs.as_ref().unwrap();
    assert_eq!(attrs["build"], "4412");
    assert_eq!(attrs["tier"], "gold");
    assert_eq!((when.has_match, when.min_seq), (Some(true), Some(-5)));
    assert_eq!(t.routes[1].to, ["archive"]);
    assert!(!t.routes[1].exclusive && t.routes[1].when.is_none());
    let k: Key = yaml::from_str("player_id").unwrap();
    assert_eq!(k, Key::PlayerId);
}

#[test]
fn errors_have_line_column_and_path() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "unknown field",
            "      has_match: true\n",
            "      has_match: true\n      colour: red\n",
        ),
        ("wrong type", "partitions: 16", "partitions: sixteen"),
        ("out of range", "partitions: 16", "partitions: 5000000000"),
        ("bad bool", "exclusive: false", "exclusive: maybe"),
        ("missing field", "    to: [scoring, audit]\n", ""),
        (
            "duplicate key",
            "      attrs: {tier: gold, build: 4412}",
            "      attrs: {tier: gold, tier: silver}",
        ),
        ("unknown variant", "key: match_id", "key: region"),
        ("syntax", "  - name: everything", "  - name: every: thing"),
    ];
    let expected = [
        "line 9, column 7: routes[0].when.colour: unknown field `colour`, expected one of `kind`, `attrs`, `has_match`, `min_seq`",
        "line 2, column 13: partitions: expected an unsigned 32-bit integer, found \"sixteen\"",
        "line 2, column 13: partitions: expected an unsigned 32-bit integer, found \"5000000000\"",
        "line 11, column 16: routes[0].exclusive: expected a boolean, found \"maybe\"",
        "line 4, column 5: routes[0]: missing field `to`",
        "line 7, column 27: routes[0].when.attrs.tier: duplicate key \"tier\"",
        "line 1, column 6: key: unknown variant `region`, expected `match_id` or `player_id`",
        "line 12, column 16: routes[1]: mapping values are not allowed in this context",
    ];
    for ((name, from, to), want) in cases.iter().zip(expected) {
        assert!(TABLE.contains(from), "{name}");
        let text = TABLE.replacen(from, to, 1);
        let e = yaml::from_str::<Table>(&text).unwrap_err();
        assert_eq!(e.to_string(), want, "{name}");
    }
    let e = yaml::from_str::<Table>("").unwrap_err();
    assert_eq!(
        (e.category(), e.to_string().as_str()),
        (
            Category::Eof,
            "line 1, column 1: empty input: no YAML document"
        )
    );
    let e = yaml::from_str::<Table>("---\n").unwrap_err();
    assert_eq!(e.to_string(), "line 1, column 1: empty document");
}

#[test]
fn aliases_expand_and_bombs_fail() {
    let t: BTreeMap<String, Vec<String>> = yaml::from_str("a: &x [p, q]\nb: *x\n").unwrap();
    assert_eq!(t["b"], ["p", "q"]);
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        bomb.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 10].join(", ")
        ));
    }
    let e = yaml::from_str::<BTreeMap<String, serde::de::IgnoredAny>>(&bomb).unwrap_err();
    assert_eq!(e.limit(), Some(Limit::AliasEvents), "{e}");
    let e = yaml::from_str::<Vec<String>>("&a [*a]").unwrap_err();
    assert_eq!(e.category(), Category::Data, "{e}");
}

/// 100,000 nested `[` and 100,000 compact block levels give a depth-limit
/// error on a 2 MiB stack, through `from_str`, the decoder and the DOM
/// baseline alike.
#[test]
fn deep_nesting_is_a_limit_error_on_a_small_stack() {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(|| {
            let flow = "[".repeat(100_000);
            let block = format!("{}x\n", "- ".repeat(100_000));
            for text in [&flow, &block] {
                let e = yaml::from_str::<serde::de::IgnoredAny>(text).unwrap_err();
                assert_eq!(e.limit(), Some(Limit::Depth), "{e}");
                let e = yaml::from_str::<Vec<serde_json_like::Value>>(text).unwrap_err();
                assert_eq!(e.limit(), Some(Limit::Depth), "{e}");
                let doc = format!("id: x\nextra:\n  {text}");
                let arena = Bump::new();
                for decoder in [
                    &mut YamlDecoder::with_config(&DecodeConfig::new().max_event_bytes(1 << 20))
                        as &mut dyn Decoder,
                    &mut DomDecoder::with_config(&DecodeConfig::new().with_limits(
                        event_decode::Limits {
                            max_event_bytes: 1 << 20,
                            ..Default::default()
                        },
                    )),
                ] {
                    let e = decoder.decode(doc.as_bytes(), &arena).unwrap_err();
                    assert_eq!(e.limit(), Some(Limit::Depth), "{e}");
                }
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

/// A recursive value type, as a user's generic config might have.
mod serde_json_like {
    use std::collections::BTreeMap;

    #[derive(Debug, serde::Deserialize)]
    #[serde(untagged)]
    #[allow(dead_code)]
    pub enum Value {
        Bool(bool),
        Int(i64),
        Text(String),
        List(Vec<Value>),
        Map(BTreeMap<String, Value>),
    }
}
