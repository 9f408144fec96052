//! Routing tables from arbitrary text: a typed error, or a table whose
//! compiled form obeys the table rules (SPEC section 4) and matches events
//! exactly as a direct reading of the written conditions does.
#![no_main]

use bumpalo::Bump;
use event_pipeline::{TableError, config_from_yaml_str, table_from_yaml_str};
use event_router::{Event, RouteTable, Unmatched, When};
use libfuzzer_sys::fuzz_target;

/// The conditions of `when`, read directly from the written config.
fn reference_match(when: &Option<When>, event: &Event<'_>) -> bool {
    let Some(w) = when else { return true };
    w.kind
        .as_ref()
        .is_none_or(|ks| ks.iter().any(|k| k == event.kind().name()))
        && w.region
            .as_ref()
            .is_none_or(|rs| rs.iter().any(|r| r == event.region))
        && w.attrs
            .as_ref()
            .is_none_or(|ps| ps.iter().all(|(k, v)| event.attr(k) == Some(v.as_str())))
        && w.has_match.is_none_or(|h| h == event.match_id.is_some())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = config_from_yaml_str(text);
    let compiled = table_from_yaml_str(text);
    let (config, table) = match (parsed, compiled) {
        (Ok(config), Ok(table)) => (config, table),
        (Ok(config), Err(e)) => {
            let TableError::Config(e) = e else {
                panic!("parsed, then not a table error: {e}")
            };
            assert_eq!(RouteTable::new(config).err(), Some(e));
            return;
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b);
            let TableError::Yaml(d) = &a else {
                panic!("not a YAML error: {a}")
            };
            assert!(d.line().is_some_and(|l| l >= 1), "no line: {a}");
            assert!(!a.to_string().is_empty());
            return;
        }
        (Err(e), Ok(_)) => panic!("compiled a table that does not parse: {e}"),
    };

    assert!((1..=4096).contains(&table.partitions()));
    assert_eq!(u64::from(table.partitions()), config.partitions);
    assert_eq!(table.key(), config.key);
    assert_eq!(table.unmatched(), config.unmatched);
    assert!(matches!(
        table.unmatched(),
        Unmatched::DeadLetter | Unmatched::Drop | Unmatched::Error
    ));
    assert_eq!(table.routes().len(), config.routes.len());
    let handlers = table.handler_names();
    for (i, h) in handlers.iter().enumerate() {
        assert!(!h.is_empty());
        assert_eq!(
            table.handler_id(h).map(usize::from),
            Some(i),
            "handler names unique"
        );
    }
    for (i, (route, spec)) in table.routes().iter().zip(&config.routes).enumerate() {
        assert_eq!(route.name(), spec.name);
        assert!(!route.name().is_empty());
        assert_eq!(
            table.route_id(route.name()).map(usize::from),
            Some(i),
            "route names unique"
        );
        assert!((1..=16).contains(&route.handlers().len()));
        let names: Vec<&str> = route
            .handlers()
            .iter()
            .map(|&h| &*handlers[usize::from(h)])
            .collect();
        assert_eq!(
            names,
            spec.to.iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(route.is_exclusive(), spec.exclusive);
    }

    // Matching and partitions on a few varied events.
    let arena = Bump::new();
    for owned in event_model::corpus::corpus(u64::from(data.len() as u32), 24) {
        let event = owned.as_view(&arena);
        assert!(table.partition_of(&event) < table.partitions());
        for (route, spec) in table.routes().iter().zip(&config.routes) {
            assert_eq!(
                route.matches(&event),
                reference_match(&spec.when, &event),
                "route {:?} on {event:?}",
                spec.name
            );
        }
    }
});
