//! Routing tables as an attacker would write them: endless files, alias
//! bombs, tens of thousands of routes and handlers. Each is refused with a
//! typed error or loaded in time that grows linearly with its size.

use std::io::Read;
use std::time::{Duration, Instant};

use event_pipeline::{TableError, table_from_yaml_reader, table_from_yaml_str};
use event_router::{
    KeyField, MAX_HANDLERS, MAX_TABLE_BYTES, RouteConfig, RouteSpec, RouteTable, Router, Unmatched,
    infallible,
};

use crate::alloc::measure;

/// A table of `n` routes, each with its own name and handler.
fn many_routes(n: usize) -> String {
    let mut s = String::from("key: match_id\npartitions: 8\nroutes:\n");
    for i in 0..n {
        s.push_str(&format!("  - {{name: r{i}, to: [h{i}]}}\n"));
    }
    s
}

/// The fastest of three runs of `f`.
fn fastest(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Counts the bytes read through it.
struct Counted<R> {
    inner: R,
    read: usize,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n;
        Ok(n)
    }
}

#[test]
fn an_endless_table_file_is_refused_at_the_size_cap() {
    let mut endless = Counted {
        inner: std::io::repeat(b' '),
        read: 0,
    };
    let (result, info) = measure(|| table_from_yaml_reader(&mut endless));
    let Err(err) = result else {
        panic!("an endless file must be refused")
    };
    assert_eq!(
        endless.read,
        MAX_TABLE_BYTES + 1,
        "it read one byte past the cap"
    );
    assert_eq!(
        err,
        TableError::TooLarge {
            limit: MAX_TABLE_BYTES
        }
    );
    assert_eq!(
        err.to_string(),
        format!("routing table: larger than the {MAX_TABLE_BYTES} bytes supported")
    );
    assert!(info.bytes_max <= 4 * MAX_TABLE_BYTES as u64, "{info:?}");
}

#[test]
fn a_table_file_with_invalid_utf8_names_its_line_and_column() {
    let bytes = b"key: match_id\npartitions: 8\nroutes: [\xff]\n";
    let err = table_from_yaml_reader(&bytes[..]).unwrap_err();
    assert_eq!(
        err,
        TableError::Utf8 {
            line: 3,
            column: 10
        }
    );
    assert_eq!((err.line(), err.column()), (Some(3), Some(10)));
}

#[test]
fn an_aliased_string_cannot_blow_up_a_table() {
    // One 1 KiB string aliased 4,000 times: 4 MB of text from 1 KiB. The
    // event decoder's alias byte budget applies to tables too.
    let mut s = format!(
        "key: match_id\npartitions: 8\nroutes:\n  - name: a\n    when: {{region: [&r {}]}}\n    to: [h]\n  - name: b\n    when: {{region: [",
        "x".repeat(1024)
    );
    for i in 0..4000 {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str("*r");
    }
    s.push_str("]}\n    to: [h]\n");
    let (result, info) = measure(|| table_from_yaml_reader(s.as_bytes()));
    let Err(err) = result else {
        panic!("an alias bomb must be refused")
    };
    assert!(
        err.to_string().contains("max_alias_bytes"),
        "the error names the limit: {err}"
    );
    assert!(
        info.bytes_max < 16 * s.len() as u64 + (1 << 20),
        "memory stays a small multiple of the file: {info:?} for {} bytes",
        s.len()
    );
}

#[test]
fn loading_routes_is_linear_in_their_number() {
    // 65,535 routes (the most a table may have) against 4,096: a linear
    // loader takes about 16 times as long; the pairwise checks it replaced
    // took about 256 times.
    let small = many_routes(4096);
    let large = many_routes(event_router::MAX_ROUTES);
    let load = |text: &str| {
        let table = table_from_yaml_reader(text.as_bytes()).unwrap();
        let names: Vec<String> = table
            .handler_names()
            .iter()
            .map(|h| h.to_string())
            .collect();
        let mut b = Router::builder(table);
        for n in names {
            b = b.handler(n, infallible(|_, _| {}));
        }
        b.build().unwrap()
    };
    let router = load(&large);
    assert_eq!(router.table().routes().len(), event_router::MAX_ROUTES);
    assert_eq!(router.table().route_id("r65000"), Some(65000));
    assert_eq!(router.table().handler_id("h65000"), Some(65000));
    let t_small = fastest(|| drop(load(&small)));
    let t_large = fastest(|| drop(load(&large)));
    let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-9);
    assert!(
        ratio < 48.0,
        "16x the routes took {ratio:.1}x the time ({t_small:?} vs {t_large:?})"
    );
}

#[test]
fn the_handler_limit_is_every_handler_id_and_the_message_says_so() {
    let config = |handlers: usize| RouteConfig {
        key: KeyField::MatchId,
        partitions: 8,
        unmatched: Unmatched::DeadLetter,
        routes: (0..handlers.div_ceil(16))
            .map(|r| RouteSpec {
                name: format!("r{r}"),
                when: None,
                to: (r * 16..((r + 1) * 16).min(handlers))
                    .map(|h| format!("h{h}"))
                    .collect(),
                exclusive: false,
            })
            .collect(),
    };
    let table = RouteTable::new(config(MAX_HANDLERS)).expect("every id is usable");
    assert_eq!(table.handler_names().len(), MAX_HANDLERS);
    assert_eq!(
        table.handler_id(&format!("h{}", MAX_HANDLERS - 1)),
        Some(u16::MAX)
    );
    let err = RouteTable::new(config(MAX_HANDLERS + 1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "routes: 65537 distinct handlers is more than the 65536 supported"
    );
}

#[test]
fn table_errors_do_not_speak_of_events() {
    let Err(err) = table_from_yaml_str("key: match_id\npartitions: 8\nroutes: []\n---\nkey: x\n")
    else {
        panic!("a second document must be refused")
    };
    let message = err.to_string();
    assert!(!message.contains("event"), "{message}");
    assert!(message.contains("line 4"), "{message}");
}

#[test]
fn echoed_names_are_escaped() {
    let err = table_from_yaml_str(
        "key: match_id\npartitions: 8\nroutes:\n  - name: \"a\\e[2J\\nerror: forged\"\n    when: {kind: [\"x\\ny\"]}\n    to: [h]\n",
    )
    .unwrap_err();
    let message = err.to_string();
    assert!(
        !message.chars().any(char::is_control),
        "one line, no control characters: {message:?}"
    );
}
