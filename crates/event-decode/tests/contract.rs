//! The schema drift test: every field of the `.proto` contract
//! (`event_model::proto::PROTO_FILE`, compiled here by `protox`) must be set
//! by the generators, survive every encoder and decoder, and be checked by
//! validation and the decoders' limits.
//!
//! The field list is never written out here: it is read from the descriptor,
//! so a field added to the contract and missed anywhere fails a check below
//! with the field's path named.

#[path = "contract/coverage.rs"]
mod coverage;
#[path = "contract/descriptor.rs"]
mod descriptor;
#[path = "contract/limits.rs"]
mod limits;
#[path = "contract/round_trip.rs"]
mod round_trip;

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

use coverage::*;
use descriptor::*;
use round_trip::*;
