//! The routing table: parsing through the streaming YAML decoder, every
//! configuration error and its message, accessors.

use event_pipeline::{TableError, config_from_yaml_str, table_from_yaml_str};
use event_router::{
    ConfigError, KeyField, RouteConfig, RouteTable, Router, Unmatched, When, infallible,
};

use crate::support::EXAMPLE_TABLE;

fn table_err(yaml: &str) -> TableError {
    table_from_yaml_str(yaml).expect_err("table must be refused")
}

const HEAD: &str = "key: match_id\npartitions: 8\n";

#[test]
fn example_table_parses_and_compiles() {
    let t = table_from_yaml_str(EXAMPLE_TABLE).unwrap();
    assert_eq!(t.key(), KeyField::MatchId);
    assert_eq!(t.partitions(), 16);
    assert_eq!(t.unmatched(), Unmatched::DeadLetter);
    assert_eq!(
        t.route_names().collect::<Vec<_>>(),
        [
            "heartbeats",
            "scoring",
            "match_lifecycle",
            "matchmaking",
            "telemetry",
            "gold_audit"
        ]
    );
    let handlers: Vec<&str> = t.handler_names().iter().map(|h| &**h).collect();
    assert_eq!(
        handlers,
        ["presence", "scoring", "audit", "matchmaking", "telemetry"]
    );
    assert!(t.routes()[0].is_exclusive());
    assert_eq!(t.routes()[3].handlers(), [3, 0]);
    assert_eq!(t.handler_id("audit"), Some(2));
    assert_eq!(t.route_id("telemetry"), Some(4));
}

#[test]
fn yaml_config_equals_the_struct_it_describes() {
    let yaml = "key: player_id\npartitions: 3\nroutes:\n  - name: gold\n    when:\n      kind: [clue_found]\n      region: [eu-west, us-east-1]\n      attrs: {tier: gold, build: 4412}\n      has_match: false\n    to: [a, b]\n    exclusive: true\n  - name: rest\n    to: [c]\n";
    let parsed = config_from_yaml_str(yaml).unwrap();
    let expected = RouteConfig {
        key: KeyField::PlayerId,
        partitions: 3,
        routes: vec![
            event_router::RouteSpec {
                name: "gold".into(),
                when: Some(When {
                    kind: Some(vec!["clue_found".into()]),
                    region: Some(vec!["eu-west".into(), "us-east-1".into()]),
                    // A number's text is an attribute value, as in events.
                    attrs: Some(vec![
                        ("tier".into(), "gold".into()),
                        ("build".into(), "4412".into()),
                    ]),
                    has_match: Some(false),
                }),
                to: vec!["a".into(), "b".into()],
                exclusive: true,
            },
            event_router::RouteSpec {
                name: "rest".into(),
                when: None,
                to: vec!["c".into()],
                exclusive: false,
            },
        ],
        unmatched: Unmatched::DeadLetter,
    };
    assert_eq!(parsed, expected);
    assert_eq!(
        table_from_yaml_str(yaml).unwrap(),
        RouteTable::new(expected).unwrap()
    );
}

#[test]
fn duplicate_route_names_both_positions() {
    let e = table_err(&format!(
        "{HEAD}routes:\n  - name: scoring\n    to: [a]\n  - name: audit\n    to: [b]\n  - name: scoring\n    to: [c]\n"
    ));
    assert_eq!(
        e.to_string(),
        "route \"scoring\": name: duplicate route name (routes 0 and 2)"
    );
    assert_eq!(e.route(), Some("scoring"));
}

#[test]
fn unknown_kind_names_route_field_and_choices() {
    let e = table_err(&format!(
        "{HEAD}routes:\n  - name: scoring\n    when:\n      kind: [clue_found, clue_lost]\n    to: [a]\n"
    ));
    let msg = e.to_string();
    assert!(
        msg.starts_with("route \"scoring\": when.kind: unknown kind \"clue_lost\" (expected one of: player_joined,"),
        "{msg}"
    );
    assert!(msg.ends_with("heartbeat)"), "{msg}");
}

#[test]
fn partitions_out_of_range() {
    for (value, shown) in [("0", "0"), ("5000", "5000")] {
        let e = table_err(&format!("key: match_id\npartitions: {value}\nroutes: []\n"));
        assert_eq!(
            e.to_string(),
            format!("partitions: {shown} is out of range (expected 1..=4096)")
        );
        assert_eq!(
            e,
            TableError::Config(ConfigError::Partitions {
                value: value.parse().unwrap()
            })
        );
    }
    for ok in ["1", "4096"] {
        table_from_yaml_str(&format!("key: match_id\npartitions: {ok}\nroutes: []\n")).unwrap();
    }
    let e = table_err("key: match_id\npartitions: -1\nroutes: []\n");
    assert_eq!((e.line(), e.column()), (Some(2), Some(13)), "{e}");
}

#[test]
fn unknown_key_is_an_error_with_line_and_column() {
    // In a route's `when`: a typo that would otherwise silently match everything.
    let e = table_err(&format!(
        "{HEAD}routes:\n  - name: scoring\n    when:\n      kinds: [clue_found]\n    to: [a]\n"
    ));
    assert_eq!(
        e.to_string(),
        "routing table: line 6, column 7: routes[0].when.kinds: unknown field `kinds`, \
         expected one of `kind`, `region`, `attrs`, `has_match`"
    );
    assert_eq!((e.line(), e.column()), (Some(6), Some(7)));
    // At the top level and in a route.
    let e = table_err(&format!("{HEAD}routes: []\nunmached: drop\n"));
    assert!(e.to_string().contains("unknown field `unmached`"), "{e}");
    assert_eq!(e.line(), Some(4), "{e}");
    let e = table_err(&format!(
        "{HEAD}routes:\n  - name: x\n    to: [a]\n    exclusve: true\n"
    ));
    assert!(e.to_string().contains("unknown field `exclusve`"), "{e}");
    assert_eq!(e.line(), Some(6), "{e}");
}

#[test]
fn bad_values_and_missing_keys_are_positioned() {
    let e = table_err("key: region\npartitions: 8\nroutes: []\n");
    assert!(e.to_string().contains("unknown variant `region`"), "{e}");
    assert_eq!(e.line(), Some(1), "{e}");
    let e = table_err(&format!("{HEAD}routes: []\nunmatched: ignore\n"));
    assert!(e.to_string().contains("unknown variant `ignore`"), "{e}");
    let e = table_err("key: match_id\nroutes: []\n");
    assert!(e.to_string().contains("missing field `partitions`"), "{e}");
    let e = table_err(&format!(
        "{HEAD}routes:\n  - name: x\n    when:\n      attrs: {{tier: gold, tier: silver}}\n    to: [a]\n"
    ));
    assert!(e.to_string().contains("duplicate"), "{e}");
}

#[test]
fn route_shape_errors_name_route_and_field() {
    let cases = [
        (
            "  - name: x\n    when:\n      region: []\n    to: [a]\n",
            "route \"x\": when.region: empty, so the route could never match (omit `region` to accept any)",
        ),
        (
            "  - name: x\n    when:\n      kind: []\n    to: [a]\n",
            "route \"x\": when.kind: empty, so the route could never match (omit `kind` to accept any)",
        ),
        (
            "  - name: x\n    to: []\n",
            "route \"x\": to: 0 handlers (expected 1..=16)",
        ),
        (
            "  - name: x\n    to: [a, b, a]\n",
            "route \"x\": to: handler \"a\" is listed twice",
        ),
        (
            "  - name: \"\"\n    to: [a]\n",
            "route 0: name: must not be empty",
        ),
    ];
    for (routes, message) in cases {
        let e = table_err(&format!("{HEAD}routes:\n{routes}"));
        assert_eq!(e.to_string(), message);
    }
    let seventeen: Vec<String> = (0..17).map(|i| format!("h{i}")).collect();
    let e = table_err(&format!(
        "{HEAD}routes:\n  - name: wide\n    to: [{}]\n",
        seventeen.join(", ")
    ));
    assert_eq!(
        e.to_string(),
        "route \"wide\": to: 17 handlers (expected 1..=16)"
    );
}

fn two_handler_table() -> RouteTable {
    table_from_yaml_str(&format!(
        "{HEAD}routes:\n  - name: scoring\n    to: [scoring, audit]\n  - name: mm\n    to: [matchmaking]\n"
    ))
    .unwrap()
}

#[test]
fn unknown_handler_names_route_and_registered_handlers() {
    let e = Router::builder(two_handler_table())
        .handler("scoring", infallible(|_, _| {}))
        .handler("matchmaking", infallible(|_, _| {}))
        .build()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "route \"scoring\": to: unknown handler \"audit\" (registered: \"scoring\", \"matchmaking\")"
    );
    let e = Router::builder(two_handler_table()).build().unwrap_err();
    assert_eq!(
        e.to_string(),
        "route \"scoring\": to: unknown handler \"scoring\" (registered: none)"
    );
}

#[test]
fn registered_handler_that_no_route_names_is_an_error() {
    let e = Router::builder(two_handler_table())
        .handler("scoring", infallible(|_, _| {}))
        .handler("audit", infallible(|_, _| {}))
        .handler("matchmaking", infallible(|_, _| {}))
        .handler("scorring", infallible(|_, _| {}))
        .build()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "handler \"scorring\": registered but no route's `to` names it (table handlers: \"scoring\", \"audit\", \"matchmaking\")"
    );
    let e = Router::builder(two_handler_table())
        .handler("audit", infallible(|_, _| {}))
        .handler("audit", infallible(|_, _| {}))
        .build()
        .unwrap_err();
    assert_eq!(e.to_string(), "handler \"audit\": registered twice");
}
