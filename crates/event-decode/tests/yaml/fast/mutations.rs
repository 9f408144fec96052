//! Mutated documents: random edits of encoded events, of hand-written and
//! corpus documents, compared with the other engines whichever side of
//! the subset they land on.

use super::*;

/// One edit of a document.
#[derive(Debug, Clone)]
pub(super) enum Mutation {
    Insert(prop::sample::Index, &'static str),
    Delete(prop::sample::Index),
    DuplicateLine(prop::sample::Index),
    DeleteLine(prop::sample::Index),
    Indent(prop::sample::Index, i8),
}

const PIECES: &[&str] = &[
    " ", "  ", "-", "- ", ":", ": ", "#", " #", "'", "\"", "\\", "[", "]", "{", "}", "&", "*", "!",
    "|", ">", "?", "%", "@", "`", "\n", "\t", "\r", "~", "é", "a", "0", ".", ",", "---", "...",
    "''", "\n- ", "\n  ", "null", "1e3", "\u{feff}", "\u{85}", "日",
];

pub(super) fn mutation() -> impl Strategy<Value = Mutation> {
    let index = any::<prop::sample::Index>();
    prop_oneof![
        3 => (index.clone(), prop::sample::select(PIECES)).prop_map(|(i, p)| Mutation::Insert(i, p)),
        2 => index.clone().prop_map(Mutation::Delete),
        1 => index.clone().prop_map(Mutation::DuplicateLine),
        1 => index.clone().prop_map(Mutation::DeleteLine),
        2 => (index, -4i8..=4).prop_map(|(i, d)| Mutation::Indent(i, d)),
    ]
}

pub(super) fn apply(doc: &str, m: &Mutation) -> String {
    let boundaries: Vec<usize> = doc
        .char_indices()
        .map(|(i, _)| i)
        .chain([doc.len()])
        .collect();
    let mut lines: Vec<&str> = doc.split_inclusive('\n').collect();
    match m {
        Mutation::Insert(i, piece) => {
            let at = *i.get(&boundaries);
            format!("{}{piece}{}", &doc[..at], &doc[at..])
        }
        Mutation::Delete(i) if boundaries.len() > 1 => {
            let k = i.index(boundaries.len() - 1);
            format!("{}{}", &doc[..boundaries[k]], &doc[boundaries[k + 1]..])
        }
        Mutation::DuplicateLine(i) if !lines.is_empty() => {
            let k = i.index(lines.len());
            lines.insert(k, lines[k]);
            lines.concat()
        }
        Mutation::DeleteLine(i) if !lines.is_empty() => {
            lines.remove(i.index(lines.len()));
            lines.concat()
        }
        Mutation::Indent(i, d) if !lines.is_empty() => {
            let k = i.index(lines.len());
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            let line = &mut out[k];
            if *d > 0 {
                line.insert_str(0, &" ".repeat(*d as usize));
            } else {
                let n = line.bytes().take_while(|&b| b == b' ').count();
                line.replace_range(..n.min(d.unsigned_abs() as usize), "");
            }
            out.concat()
        }
        _ => doc.to_owned(),
    }
}

pub(super) fn base_documents() -> Vec<String> {
    let mut docs: Vec<String> = INSIDE.iter().map(|s| s.to_string()).collect();
    docs.push(REFERENCE_EVENT_YAML.to_owned());
    docs.extend(corpus_docs(3, 40));
    docs.extend(corpus_docs(4, 10).iter().map(|d| d.replace('\n', "\r\n")));
    // Flow styles (PyYAML's default flow style, ruamel's scalar lists).
    docs.push(
        "{attrs: {build: '4648', client: ios-5.2.1}, id: '583ed649-6968',\n  kind: clue_found, \
         payload: {clue_id: clue-harbor-62,\n  hint_used: false, points: 590, position: \
         {x: 3205.25, 'y': 1807.75, z: 63.0}, tags: [a -, b],\n  zone: forest}, seq: 1001}\n"
            .to_owned(),
    );
    docs.push(
        "# an event\nattrs:\n  build: '4648'  # first field\npayload:\n  tags: [coastal, riddle]\n  \
         position: {x: 1, 'y': 2}\n"
            .to_owned(),
    );
    docs
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_events_encoded_match_yaml_rust2(event in strategies::event()) {
        let doc = encoded(&event);
        check(&doc);
    }

    #[test]
    fn mutated_encoded_events_match_yaml_rust2(
        event in strategies::event(),
        edits in prop::collection::vec(mutation(), 1..4),
    ) {
        let mut doc = encoded(&event);
        for m in &edits {
            doc = apply(&doc, m);
        }
        check(&doc);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn mutated_documents_match_yaml_rust2(
        base in any::<prop::sample::Index>(),
        edits in prop::collection::vec(mutation(), 1..5),
    ) {
        let docs = base_documents();
        let mut doc = docs[base.index(docs.len())].clone();
        for m in &edits {
            doc = apply(&doc, m);
        }
        check(&doc);
    }
}

/// The mutation properties exercise both outcomes: many mutated documents
/// stay inside the subset (and are compared node by node), many leave it.
#[test]
fn mutations_reach_both_sides_of_the_subset() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let docs = base_documents();
    let strategy = (
        any::<prop::sample::Index>(),
        prop::collection::vec(mutation(), 1..3),
    );
    let mut runner = TestRunner::deterministic();
    let (mut accepted, mut declined) = (0, 0);
    for _ in 0..1000 {
        let (base, edits) = strategy.new_tree(&mut runner).unwrap().current();
        let mut doc = docs[base.index(docs.len())].clone();
        for m in &edits {
            doc = apply(&doc, m);
        }
        if check(&doc) {
            accepted += 1;
        } else {
            declined += 1;
        }
    }
    assert!(
        accepted > 200 && declined > 200,
        "{accepted} accepted, {declined} declined"
    );
}
