//! Writes the sample chain used by the README's `knd` examples to `examples/`:
//! `cargo run -p knd-shared --example sample_chain` from the repository root.
//!
//! The key is derived from a fixed, published seed: these records demonstrate the format and
//! must never be trusted as real evidence.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use knd_shared::record::{self, ChainHead, RecordDraft, RecordKind, Timestamp, kinds};
use knd_shared::{DeviceId, DeviceKey, InspectionId, RecordId, Sha256};
use serde::Serialize;

struct Chain {
    key: DeviceKey,
    device: DeviceId,
    head: ChainHead,
    records: Vec<String>,
}

impl Chain {
    fn push(&mut self, kind: RecordKind, body: &impl Serialize) {
        let n = self.head.seq + 1;
        let mut draft = RecordDraft::new(self.device, n, self.head.hash, kind, body).unwrap();
        // Fixed ids and times so that the files do not change when regenerated.
        draft.id = RecordId::parse(&format!("019ab2c1-0000-7000-8000-{n:012}")).unwrap();
        draft.at = Timestamp::parse(&format!("2026-11-23T09:{:02}:00.000Z", 10 + n)).unwrap();
        let signed = record::sign(&self.key, &draft).unwrap();
        self.head = ChainHead::after(&signed.record);
        self.records.push(String::from_utf8(signed.bytes).unwrap());
    }
}

fn main() {
    let seed = Sha256::digest(b"knd sample device, not a secret");
    let mut chain = Chain {
        key: DeviceKey::from_seed(seed.as_bytes()),
        device: DeviceId::parse("019ab2c0-0000-7000-8000-00000000d001").unwrap(),
        head: ChainHead::GENESIS,
        records: Vec::new(),
    };
    let inspection = InspectionId::parse("019ab2c0-0000-7000-8000-0000000a0001").unwrap();
    chain.push(
        RecordKind::InspectionStarted,
        &kinds::InspectionStarted {
            inspection,
            object: None,
            position: Some(kinds::Position {
                lat_e7: 557_558_000,
                lon_e7: 376_176_000,
            }),
        },
    );
    chain.push(
        RecordKind::Finding,
        &kinds::Finding {
            inspection,
            item: "ПЛ-12.3".into(),
            result: kinds::FindingResult::Violation,
            note: Some("Огнетушитель просрочен: дата перезарядки 01.2024".into()),
            photos: vec![],
        },
    );
    chain.push(
        RecordKind::InspectionFinished,
        &kinds::InspectionFinished {
            inspection,
            position: None,
        },
    );

    let records = &chain.records;
    let write =
        |name: &str, text: String| std::fs::write(format!("examples/{name}"), text).unwrap();
    write("finding.json", format!("{}\n", records[1]));
    write("chain.json", format!("[\n{}\n]\n", records.join(",\n")));
    let mut tampered = records.clone();
    tampered[1] = tampered[1].replace("01.2024", "01.2025");
    write(
        "chain-tampered.json",
        format!("[\n{}\n]\n", tampered.join(",\n")),
    );
    write("device-key.txt", format!("{}\n", chain.key.public_key()));
    println!("wrote examples/ for device key {}", chain.key.public_key());
}
