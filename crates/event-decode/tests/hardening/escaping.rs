//! Hardening item 11: input echoed in errors is escaped, so that it cannot
//! forge lines of the log it lands in.

use super::*;

#[test]
fn input_echoed_in_errors_cannot_forge_lines() {
    const EVIL: &str = "\\e[2J\\nerror: event 99, line 1: forged\\r\\u2028";
    let yaml_docs = [
        // Unknown key in strict mode, duplicate unknown key, attrs path.
        format!("{ENVELOPE}kind: heartbeat\n\"{EVIL}\": 1\n"),
        format!("{ENVELOPE}kind: heartbeat\nx: {{\"{EVIL}\": 1, \"{EVIL}\": 2}}\n"),
        format!("{ENVELOPE}kind: heartbeat\nattrs: {{\"{EVIL}\": [1]}}\n"),
        format!("{ENVELOPE}kind: heartbeat\nattrs: {{\"{EVIL}\": a, \"{EVIL}\": b}}\n"),
        // Kind name, typed values, timestamps.
        format!("{ENVELOPE}kind: \"{EVIL}\"\n"),
        format!("{ENVELOPE}kind: heartbeat\n").replace("seq: 1", &format!("seq: \"{EVIL}\"")),
        format!("{ENVELOPE}kind: heartbeat\n").replace("ts: 5", &format!("ts: \"{EVIL}\"")),
        format!("{ENVELOPE}kind: player_left\npayload: {{reason: !!int \"{EVIL}\"}}\n"),
    ];
    for doc in &yaml_docs {
        for mut d in [
            Box::new(YamlDecoder::with_config(
                &DecodeConfig::new().deny_unknown_fields(),
            )) as Box<dyn Decoder>,
            Box::new(
                YamlDecoder::with_config(&DecodeConfig::new().deny_unknown_fields())
                    .fast_path(false),
            ),
            Box::new(DomDecoder::with_config(
                &DecodeConfig::new().deny_unknown_fields(),
            )),
        ] {
            let arena = Bump::new();
            match d.decode(doc.as_bytes(), &arena) {
                Err(e) => one_line(&e),
                // Only the baseline's tree ignores a tag on a string.
                Ok(_) => assert!(doc.contains("!!int"), "{doc}"),
            }
        }
    }
    let json_evil = "\\u001b[2J\\nerror: event 99\\r\\u2028";
    let base = r#""id":"e1","seq":1,"ts":5,"player_id":"p","region":"eu""#;
    let json_docs = [
        format!(r#"{{{base},"kind":"heartbeat","{json_evil}":1}}"#),
        format!(r#"{{{base},"kind":"heartbeat","x":{{"{json_evil}":1,"{json_evil}":2}}}}"#),
        format!(r#"{{{base},"kind":"heartbeat","attrs":{{"{json_evil}":[1]}}}}"#),
        format!(
            r#"{{"id":"e1","seq":1,"ts":5,"player_id":"p","region":"eu","kind":"{json_evil}"}}"#
        ),
        format!(
            r#"{{"id":"e1","seq":"{json_evil}","ts":5,"player_id":"p","region":"eu","kind":"heartbeat"}}"#
        ),
    ];
    for doc in &json_docs {
        for mut d in [
            JsonDecoder::new(),
            JsonDecoder::with_config(&DecodeConfig::new().deny_unknown_fields()),
        ] {
            let arena = Bump::new();
            if let Err(e) = d.decode(doc.as_bytes(), &arena) {
                one_line(&e);
            }
        }
        let arena = Bump::new();
        let e = JsonDecoder::with_config(&DecodeConfig::new().deny_unknown_fields())
            .decode(doc.as_bytes(), &arena)
            .expect_err(doc);
        one_line(&e);
    }
    // Routing tables: serde's own messages quote keys with backticks.
    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Table {
        partitions: u32,
    }
    let e = yaml::from_str::<Table>(&format!("partitions: 1\n\"{EVIL}\": 2\n"))
        .expect_err("unknown field");
    one_line(&e);
}
