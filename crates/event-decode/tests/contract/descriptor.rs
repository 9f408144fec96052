//! The contract, read from the descriptor.

use super::*;

/// Serves the `.proto` text compiled into `event-model` to `protox`.
pub(crate) struct Contract;

impl protox::file::FileResolver for Contract {
    fn open_file(&self, name: &str) -> Result<protox::file::File, protox::Error> {
        if name == PROTO_NAME {
            protox::file::File::from_source(PROTO_NAME, proto::PROTO_FILE)
        } else {
            Err(protox::Error::file_not_found(name))
        }
    }
}

pub(crate) fn event_descriptor() -> MessageDescriptor {
    let mut compiler = protox::Compiler::with_file_resolver(Contract);
    compiler
        .open_file(PROTO_NAME)
        .unwrap_or_else(|e| panic!("the contract does not compile: {e}"));
    let pool: DescriptorPool = compiler.descriptor_pool();
    pool.get_message_by_name(EVENT_MESSAGE)
        .unwrap_or_else(|| panic!("the contract has no message {EVENT_MESSAGE}"))
}

/// One field of the contract, reached from `Event` through `fields`.
/// A payload field's path starts with its kind (the oneof member), so
/// `clue_found.position.x`; list elements and map entries add no index.
#[derive(Clone)]
pub(crate) struct FieldPath {
    pub(crate) fields: Vec<FieldDescriptor>,
}

impl FieldPath {
    pub(crate) fn last(&self) -> &FieldDescriptor {
        self.fields.last().expect("a path has at least one field")
    }

    pub(crate) fn name(&self) -> String {
        let names: Vec<&str> = self.fields.iter().map(FieldDescriptor::name).collect();
        names.join(".")
    }

    pub(crate) fn is_payload(&self) -> bool {
        self.fields[0]
            .containing_oneof()
            .is_some_and(|o| o.name() == PAYLOAD_ONEOF)
    }

    /// Whether an element of a map (`attrs.key`, `attrs.value`).
    pub(crate) fn in_map(&self) -> bool {
        self.fields.len() >= 2 && self.fields[self.fields.len() - 2].is_map()
    }

    /// The path as validation errors and decoders print it, indices left
    /// out: the kind becomes `payload` (`payload.position.x`).
    pub(crate) fn error_path(&self) -> String {
        let mut names: Vec<&str> = self.fields.iter().map(FieldDescriptor::name).collect();
        if self.is_payload() {
            names[0] = "payload";
        }
        names.join(".")
    }
}

/// Every field path of the contract, depth first, in declaration order.
pub(crate) fn contract_paths(event: &MessageDescriptor) -> Vec<FieldPath> {
    fn walk(msg: &MessageDescriptor, prefix: &[FieldDescriptor], out: &mut Vec<FieldPath>) {
        for field in msg.fields() {
            let mut fields = prefix.to_vec();
            fields.push(field.clone());
            out.push(FieldPath {
                fields: fields.clone(),
            });
            if let FieldKind::Message(inner) = field.kind() {
                walk(&inner, &fields, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(event, &[], &mut out);
    assert!(
        out.iter().any(FieldPath::is_payload),
        "the contract's Event has no `{PAYLOAD_ONEOF}` oneof"
    );
    out
}
