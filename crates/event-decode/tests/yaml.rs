//! Tests of the yaml decoder(s).
