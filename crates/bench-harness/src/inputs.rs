//! The inputs every decoder reads: the reference event and a generated corpus,
//! each encoded once per format by Veltrix's own encoders.

use anyhow::{Context, Result};
use bumpalo::Bump;
use event_decode::internals::text::SerdeOwnedEvent;
use event_decode::{json, protobuf, yaml};
use event_model::OwnedEvent;
use event_model::corpus::{Generator, REFERENCE_EVENT_YAML};
use serde::Serialize;

/// Default corpus size.
pub const CORPUS_EVENTS: usize = 1_000;
/// Default corpus seed (fixed so that every run reads the same bytes).
pub const CORPUS_SEED: u64 = 0x5EED_2024;

/// Which input set a row reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputSet {
    /// The 512-byte reference event, decoded over and over.
    Reference,
    /// The generated corpus, decoded in order.
    Corpus,
}

impl InputSet {
    /// Both sets, in report order.
    pub const ALL: [InputSet; 2] = [InputSet::Reference, InputSet::Corpus];

    /// `reference` or `corpus`.
    pub const fn name(self) -> &'static str {
        match self {
            InputSet::Reference => "reference",
            InputSet::Corpus => "corpus",
        }
    }
}

/// One set of events encoded in every format; event `i` is the same event in each.
#[derive(Debug, Clone, Default)]
pub struct Encoded {
    /// One YAML document per event.
    pub yaml: Vec<Vec<u8>>,
    /// One JSON object per event (canonical JSON, no trailing newline).
    pub json: Vec<Vec<u8>>,
    /// One protobuf message per event (not length-delimited).
    pub proto: Vec<Vec<u8>>,
}

impl Encoded {
    /// The events of one format.
    pub fn get(&self, format: event_decode::Format) -> &[Vec<u8>] {
        match format {
            event_decode::Format::Yaml => &self.yaml,
            event_decode::Format::Json => &self.json,
            event_decode::Format::Protobuf => &self.proto,
        }
    }

    fn push(&mut self, event: &OwnedEvent, yaml_text: Option<&str>) {
        let arena = Bump::new();
        let view = event.as_view(&arena);
        let mut text = String::new();
        match yaml_text {
            Some(t) => text.push_str(t),
            None => yaml::encode(&view, &mut text),
        }
        self.yaml.push(text.into_bytes());
        let mut j = Vec::new();
        json::encode(&view, &mut j);
        while j.last() == Some(&b'\n') {
            j.pop();
        }
        self.json.push(j);
        let mut p = Vec::new();
        protobuf::encode(&view, &mut p);
        self.proto.push(p);
    }
}

/// The reference event and the corpus, in every format.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The reference event (the YAML is the 512-byte fixture byte for byte).
    pub reference: Encoded,
    /// The generated corpus.
    pub corpus: Encoded,
    /// Seed of the corpus.
    pub seed: u64,
}

impl Inputs {
    /// Builds the inputs: the reference event and `count` corpus events from `seed`.
    pub fn build(count: usize, seed: u64) -> Result<Inputs> {
        let SerdeOwnedEvent(reference) =
            serde_yaml::from_str(REFERENCE_EVENT_YAML).context("reading the reference event")?;
        let mut r = Encoded::default();
        r.push(&reference, Some(REFERENCE_EVENT_YAML));
        let mut c = Encoded::default();
        for event in Generator::new(seed).take(count) {
            c.push(&event, None);
        }
        Ok(Inputs {
            reference: r,
            corpus: c,
            seed,
        })
    }

    /// One input set.
    pub fn set(&self, set: InputSet) -> &Encoded {
        match set {
            InputSet::Reference => &self.reference,
            InputSet::Corpus => &self.corpus,
        }
    }
}

/// Mean size of the events, in bytes.
pub fn mean_len(events: &[Vec<u8>]) -> f64 {
    if events.is_empty() {
        return 0.0;
    }
    events.iter().map(Vec::len).sum::<usize>() as f64 / events.len() as f64
}
