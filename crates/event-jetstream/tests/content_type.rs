//! The content-type check runs on every request: exact allocation counts.

use event_decode::Format;
use event_jetstream::content_type_format;

#[test]
fn content_types_are_recognised_without_allocating() {
    let cases = [
        ("application/yaml", Some(Format::Yaml)),
        ("Application/X-YAML; charset=utf-8", Some(Format::Yaml)),
        (" text/yaml ", Some(Format::Yaml)),
        ("TEXT/X-YAML", Some(Format::Yaml)),
        ("application/json;charset=UTF-8", Some(Format::Json)),
        ("application/x-protobuf", Some(Format::Protobuf)),
        ("APPLICATION/PROTOBUF", Some(Format::Protobuf)),
        ("application/x-ndjson", None),
        ("application/yamlx", None),
        ("", None),
    ];
    for (content_type, want) in cases {
        let mut got = None;
        let info = allocation_counter::measure(|| got = Some(content_type_format(content_type)));
        assert_eq!(got, Some(want), "{content_type:?}");
        assert_eq!(info.count_total, 0, "{content_type:?} allocated");
    }
}
