//! Tests of the json decoder(s).
