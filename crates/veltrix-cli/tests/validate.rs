//! `veltrix validate`: every event checked, each bad one reported, a count.

use crate::common::{generated, veltrix};
use crate::convert::{JSON_BAD_LINE, PROTO_BAD_LINE, YAML_BAD_LINE};

#[test]
fn a_good_stream_exits_0_with_a_count() {
    for format in ["yaml", "json", "proto"] {
        veltrix()
            .args(["validate", "--format", format])
            .write_stdin(generated(50, 3, format))
            .assert()
            .code(0)
            .stdout("50 events: 50 valid, 0 bad\n")
            .stderr("");
    }
}

#[test]
fn each_bad_event_is_reported_and_the_run_exits_1() {
    let cases = [
        (
            "json",
            crate::convert::json_with_bad_middle().into_bytes(),
            JSON_BAD_LINE,
        ),
        (
            "yaml",
            crate::convert::yaml_with_bad_middle().into_bytes(),
            YAML_BAD_LINE,
        ),
        (
            "proto",
            crate::convert::proto_with_bad_middle(),
            PROTO_BAD_LINE,
        ),
    ];
    for (format, input, line) in cases {
        veltrix()
            .args(["validate", "--format", format])
            .write_stdin(input)
            .assert()
            .code(1)
            .stdout("3 events: 2 valid, 1 bad\n")
            .stderr(format!("{line}\n"));
    }
}

#[test]
fn a_truncated_protobuf_stream_is_bad_data() {
    let mut proto = generated(5, 3, "proto");
    proto.truncate(proto.len() - 3);
    let out = veltrix()
        .args(["validate", "--format", "proto"])
        .write_stdin(proto)
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stderr = crate::common::text(&out.stderr);
    assert!(stderr.starts_with("error: event 5, byte "), "{stderr}");
    assert_eq!(
        crate::common::text(&out.stdout),
        "5 events: 4 valid, 1 bad\n"
    );
}
