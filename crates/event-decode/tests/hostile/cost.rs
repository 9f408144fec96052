//! Duplicate-key checks cost the same per byte as the rest of decoding:
//! events whose unknown mappings hold 1,024 keys against ordinary events of
//! the same total size, decoded in the same run (a ratio of medians, not a
//! time threshold). The keys share a long prefix, the worst case for
//! comparing each key with every earlier one.

use super::*;

const RUNS: usize = 9;
const BOUND: f64 = 6.0;

/// Block style, as producers write (the fast scanner's subset, like
/// the reference event).
fn crafted_yaml() -> String {
    let keys: String = (0..1024)
        .map(|i| format!("  key_with_a_long_shared_prefix_{i:05}: {i}\n"))
        .collect();
    heartbeat_yaml(&format!("x:\n{keys}"))
}

fn crafted_json() -> String {
    let keys: Vec<String> = (0..1024)
        .map(|i| format!("\"key_with_a_long_shared_prefix_{i:05}\":{i}"))
        .collect();
    format!(
        r#"{{"id":"e","seq":1,"ts":5,"kind":"heartbeat","player_id":"p","region":"r","x":{{{}}}}}"#,
        keys.join(",")
    )
}

fn ordinary_yaml() -> String {
    event_model::corpus::REFERENCE_EVENT_YAML.to_owned()
}

fn ordinary_json() -> String {
    let arena = Bump::new();
    let yaml = ordinary_yaml();
    let event = YamlDecoder::new()
        .decode(yaml.as_bytes(), &arena)
        .expect("reference");
    let mut out = Vec::new();
    event_decode::json::encode(&event, &mut out);
    String::from_utf8(out).expect("utf-8")
}

/// Nanoseconds per input byte of decoding `docs` (a median of runs).
fn per_byte(decoder: &mut dyn Decoder, docs: &[String]) -> f64 {
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..4 {
                for doc in docs {
                    let arena = Bump::new();
                    std::hint::black_box(decoder.decode(doc.as_bytes(), &arena).is_ok());
                }
            }
            started.elapsed().as_nanos() as f64 / (4 * bytes) as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

/// Crafted per-byte cost over ordinary per-byte cost, the ordinary
/// events repeated to the crafted event's size.
fn ratio(decoder: &mut dyn Decoder, crafted: String, ordinary: String) -> f64 {
    let arena = Bump::new();
    decoder
        .decode(crafted.as_bytes(), &arena)
        .expect("1,024 unknown keys are within the limits");
    let copies = crafted.len().div_ceil(ordinary.len());
    let ordinary = vec![ordinary; copies];
    let crafted = vec![crafted];
    // Warm both up once, then measure.
    per_byte(decoder, &crafted);
    per_byte(decoder, &ordinary);
    per_byte(decoder, &crafted) / per_byte(decoder, &ordinary)
}

#[test]
fn crafted_keys_cost_about_what_ordinary_bytes_cost() {
    let yaml = ratio(&mut YamlDecoder::new(), crafted_yaml(), ordinary_yaml());
    let parser = ratio(
        &mut YamlDecoder::new().fast_path(false),
        crafted_yaml(),
        ordinary_yaml(),
    );
    let json = ratio(&mut JsonDecoder::new(), crafted_json(), ordinary_json());
    println!(
        "per-byte cost, 1,024 unknown keys / ordinary: yaml {yaml:.2}, yaml-rust2 path {parser:.2}, json {json:.2}"
    );
    assert!(yaml < BOUND, "yaml: {yaml:.2}");
    assert!(parser < BOUND, "yaml-rust2 path: {parser:.2}");
    assert!(json < BOUND, "json: {json:.2}");
}
