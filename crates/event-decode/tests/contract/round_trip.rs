//! Every encoder, every decoder: round trips of every field.

use super::*;

/// Every decoder of `format` under `cfg`, by name.
pub(crate) fn decoders(
    format: Format,
    cfg: &DecodeConfig,
) -> Vec<(&'static str, Box<dyn Decoder>)> {
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

pub(crate) const FORMATS: [Format; 3] = [Format::Yaml, Format::Json, Format::Protobuf];

pub(crate) fn encode(format: Format, ev: &event_model::Event<'_>) -> Vec<u8> {
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
pub(crate) fn leaves(v: &Json, path: &str, out: &mut BTreeMap<String, Json>) {
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
pub(crate) fn diff(want: &OwnedEvent, got: &OwnedEvent) -> String {
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

pub(crate) struct Failures(Vec<String>);

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
