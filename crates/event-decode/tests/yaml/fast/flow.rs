//! Flow documents: events written as JSON (one line, or a root flow over
//! many lines), and mutated flow documents.

use super::mutations::{apply, base_documents, mutation};
use super::*;

/// Flow documents: the mutation bases ([`base_documents`]) that hold a flow
/// collection.
fn flow_documents() -> Vec<String> {
    let mut docs: Vec<String> = base_documents()
        .into_iter()
        .filter(|d| d.contains(['[', '{']) && !d.contains("[]\n") || d.starts_with('{'))
        .collect();
    for e in corpus(6, 10) {
        docs.extend(flow_forms(&e));
    }
    docs
}

#[test]
fn json_events_take_the_fast_path() {
    let mut accepted = 0;
    for e in corpus(12, 200) {
        for doc in flow_forms(&e) {
            if check(&doc) {
                accepted += 1;
            }
        }
    }
    // Strings with escapes decline; most events have none.
    assert!(accepted > 300, "{accepted} of 400 accepted");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_events_as_flow_match_the_scanner(event in strategies::event()) {
        for doc in flow_forms(&event) {
            check(&doc);
        }
    }

    #[test]
    fn mutated_flow_documents_match_the_scanner(
        base in any::<prop::sample::Index>(),
        edits in prop::collection::vec(mutation(), 1..4),
    ) {
        let docs = flow_documents();
        let mut doc = docs[base.index(docs.len())].clone();
        for m in &edits {
            doc = apply(&doc, m);
        }
        check(&doc);
    }
}
