//! Hostile YAML: aliases, nesting, huge scalars, a million keys, comments.

use super::*;

pub(super) fn yaml_billion_laughs() {
    let mut doc = String::from("lol0: &l0 lol\n");
    for i in 1..10 {
        let refs = vec![format!("*l{}", i - 1); 10].join(", ");
        doc.push_str(&format!("lol{i}: &l{i} [{refs}]\n"));
    }
    doc.push_str("attrs: {boom: *l9}\n");
    let doc = heartbeat_yaml(&doc);
    let arena = Bump::new();
    let e = expect_limit(
        YamlDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::AliasEvents,
    );
    assert!(e.line().is_some());
    // The DOM baseline is guarded the same way.
    expect_limit(
        DomDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::AliasEvents,
    );
}

pub(super) fn yaml_nested_flow() {
    let n = 100_000;
    let doc = format!("zzz: {}x{}\n", "[".repeat(n), "]".repeat(n));
    let arena = Bump::new();
    let mut d = YamlDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG));
    let e = expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
    assert_eq!(e.line(), Some(1));
    let doc = format!("zzz: {}{}\n", "{a: ".repeat(n), "}".repeat(n));
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
    // Default limits: refused by size first.
    expect_limit(
        YamlDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::EventBytes,
    );
}

pub(super) fn yaml_nested_block() {
    let n = 100_000;
    // Compact nested block sequences: `- - - ... x`.
    let doc = format!("zzz:\n  {}x\n", "- ".repeat(n));
    let arena = Bump::new();
    let mut d = YamlDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG));
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
    // Nested block mappings, one level per line with growing indentation
    // (quadratic size, so fewer levels: still far past any depth limit).
    let mut doc = String::from("zzz:\n");
    for i in 0..2_000 {
        doc.push_str(&" ".repeat(i + 1));
        doc.push_str("k:\n");
    }
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Depth);
}

pub(super) fn yaml_50mb_scalar_stream() {
    let head = b"---\nid: e\nseq: 1\nts: 5\nkind: heartbeat\nplayer_id: p\nregion: r\nnote: ";
    let tail = heartbeat_yaml("");
    let tail = format!("\n---\n{tail}");
    let mut frames = YamlFrames::new(Generated::new(head, b'x', FIFTY_MB, tail.as_bytes()));
    let e = frames.next_frame().expect_err("a 50 MB document");
    assert_eq!(e.limit(), Some(Limit::EventBytes), "{e:?}");
    assert_eq!(e.event_number(), Some(1));
    // The stream goes on with the next document.
    let frame = frames
        .next_frame()
        .expect("next")
        .expect("a second document");
    assert_eq!(frame.number, 2);
    let arena = Bump::new();
    YamlDecoder::new()
        .decode(frame.bytes, &arena)
        .expect("the next document decodes");
    assert!(frames.next_frame().expect("end").is_none());
}

pub(super) fn yaml_50mb_scalar_decode() {
    let doc = heartbeat_yaml(&format!("note: {}\n", "x".repeat(FIFTY_MB)));
    reset_peak();
    let arena = Bump::new();
    let e = expect_limit(
        YamlDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::EventBytes,
    );
    assert_eq!(e.line(), Some(1));
    expect_limit(
        JsonDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::EventBytes,
    );
    expect_limit(
        ZeroCopyDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::EventBytes,
    );
    expect_limit(
        ProstDecoder::new().decode(doc.as_bytes(), &arena),
        Limit::EventBytes,
    );
}

pub(super) fn yaml_50mb_scalar_string_limit() {
    let doc = heartbeat_yaml(&format!("attrs: {{a: {}}}\n", "x".repeat(FIFTY_MB)));
    reset_peak();
    let arena = Bump::new();
    let e = expect_limit(
        YamlDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG))
            .decode(doc.as_bytes(), &arena),
        Limit::StringBytes,
    );
    assert_eq!(e.path(), "attrs.a");
}

pub(super) fn million_yaml_keys(top_level: bool) -> String {
    let mut doc = heartbeat_yaml(if top_level { "" } else { "attrs:\n" });
    for i in 0..1_000_000 {
        if top_level {
            doc.push_str(&format!("k{i}: v\n"));
        } else {
            doc.push_str(&format!("  k{i}: v\n"));
        }
    }
    doc
}

pub(super) fn yaml_million_keys() {
    let arena = Bump::new();
    let mut d = YamlDecoder::with_config(&DecodeConfig::new().max_event_bytes(BIG));
    let doc = million_yaml_keys(false);
    reset_peak();
    let e = expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Items);
    assert_eq!(e.path(), "attrs");
    // Unknown top-level keys are skipped, and still counted.
    let doc = million_yaml_keys(true);
    reset_peak();
    expect_limit(d.decode(doc.as_bytes(), &arena), Limit::Items);
}

pub(super) fn yaml_only_comments() {
    let doc = "# nothing here\n   # still nothing\n#\n".repeat(1000);
    let arena = Bump::new();
    // No document at all: the input ends before an event starts.
    let e = expect_category(
        YamlDecoder::new().decode(doc.as_bytes(), &arena),
        Category::Eof,
    );
    assert!(e.message().contains("no YAML document"), "{e}");
    assert_eq!(e.line(), Some(3001), "{e}");
    expect_category(
        DomDecoder::new().decode(doc.as_bytes(), &arena),
        Category::Eof,
    );
    // In a stream, comment-only stretches are not documents at all, however
    // many lines they span.
    assert_eq!(yaml::documents(doc.as_bytes()).count(), 0);
    let with_lines = "# c\n".repeat(300_000);
    let mut frames = YamlFrames::new(with_lines.as_bytes());
    assert!(frames.next_frame().expect("comments are fine").is_none());
    // One comment line longer than max_event_bytes is not kept to be looked
    // at, and it is no document: skipped in bounded memory.
    let mut frames = YamlFrames::new(Generated::new(b"", b'#', 1 << 20, b"\n"));
    assert!(
        frames
            .next_frame()
            .expect("a comment is no event")
            .is_none()
    );
}

/// One event of the alias amplification: `party: [&a <16 KiB>, *a x 4096]`.
pub(super) fn amplified_event(n: usize) -> String {
    let mut doc = format!(
        "---\nid: e{n}\nseq: {n}\nts: 5\nkind: player_joined\nplayer_id: p\nregion: r\npayload:\n  skill: 1\n  platform: pc\n  party: [&a {}",
        "x".repeat(16 * 1024)
    );
    for _ in 0..4096 {
        doc.push_str(", *a");
    }
    doc.push_str("]\n");
    doc
}

pub(super) fn yaml_alias_amplification_stream() {
    let stream: String = (1..=40).map(amplified_event).collect();
    assert!(stream.len() < 40 * 33 * 1024, "{}", stream.len());
    let mut frames = YamlFrames::new(BufReader::new(stream.as_bytes()));
    let mut decoders = [
        Box::new(YamlDecoder::new()) as Box<dyn Decoder>,
        Box::new(DomDecoder::new()),
    ];
    let mut n = 0;
    while let Some(frame) = frames.next_frame().expect("every document fits") {
        n += 1;
        for d in &mut decoders {
            let arena = Bump::new();
            let e = frame.locate(expect_limit(
                d.decode(frame.bytes, &arena),
                Limit::AliasBytes,
            ));
            assert_eq!(e.event_number(), Some(n));
            assert!(arena.allocated_bytes() < 1 << 20);
        }
    }
    assert_eq!(n, 40);
}

pub(super) fn yaml_50mb_comment_lines() {
    let doc = heartbeat_yaml("");
    // After `...`, and at column 0 before the next `---`.
    for head in [format!("---\n{doc}...\n#"), format!("---\n{doc}#")] {
        let tail = format!("\n---\n{doc}");
        let mut frames = YamlFrames::new(Generated::new(
            head.as_bytes(),
            b'c',
            FIFTY_MB,
            tail.as_bytes(),
        ));
        let mut n = 0;
        while let Some(frame) = frames.next_frame().expect("comments are no events") {
            n += 1;
            let arena = Bump::new();
            YamlDecoder::new()
                .decode(frame.bytes, &arena)
                .expect("each document decodes");
            assert!(frame.bytes.len() < 1024);
        }
        assert_eq!(n, 2);
    }
}
