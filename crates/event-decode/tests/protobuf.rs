//! Tests of the protobuf decoder(s).
