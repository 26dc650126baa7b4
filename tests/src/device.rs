//! An enrolled device as the app holds it: its key and the head of its chain, signing the next
//! records; and the push body that carries them.

use knd_shared::record::{self, ChainHead, RecordDraft, RecordKind, Timestamp, kinds};
use knd_shared::{DeviceId, DeviceKey, InspectionId, Sha256};

/// An enrolled device. Signing advances [`Device::head`]; [`Device::fork`] signs an
/// alternative history from the same head.
#[derive(Debug)]
pub struct Device {
    pub id: DeviceId,
    /// The device's bearer token.
    pub token: String,
    /// The log's verifier key, as enrollment gave it.
    pub server_key: String,
    pub key: DeviceKey,
    pub head: ChainHead,
}

impl Device {
    /// A device the server never saw (no token, no log key): for signing and verifying alone.
    pub fn unenrolled() -> Device {
        Device {
            id: DeviceId::new(),
            token: String::new(),
            server_key: String::new(),
            key: DeviceKey::generate(),
            head: ChainHead::GENESIS,
        }
    }

    /// Signs the next record of this device's chain.
    ///
    /// # Panics
    /// When `body` does not make a valid record of `kind`.
    pub fn sign<B: serde::Serialize>(&mut self, kind: RecordKind, body: &B) -> Vec<u8> {
        let draft = RecordDraft::new(self.id, self.head.seq + 1, self.head.hash, kind, body)
            .expect("a valid record");
        self.sign_draft(&draft)
    }

    /// Signs the next record of this device's chain with its device time set to `at` (a clock
    /// gone wrong).
    ///
    /// # Panics
    /// When `body` does not make a valid record of `kind` or `at` is not a timestamp.
    pub fn sign_at<B: serde::Serialize>(
        &mut self,
        kind: RecordKind,
        body: &B,
        at: &str,
    ) -> Vec<u8> {
        let mut draft = RecordDraft::new(self.id, self.head.seq + 1, self.head.hash, kind, body)
            .expect("a valid record");
        draft.at = Timestamp::parse(at).expect("a timestamp");
        self.sign_draft(&draft)
    }

    /// Signs the next finding: a short one numbered `n` (item `1.n`, one photo), for tests that
    /// look at single records.
    pub fn finding(&mut self, n: usize) -> Vec<u8> {
        let body = kinds::Finding {
            inspection: InspectionId::new(),
            item: format!("1.{n}"),
            result: kinds::FindingResult::Violation,
            note: Some(format!("Нарушение номер {n}")),
            photos: vec![Sha256::digest(&n.to_be_bytes())],
        };
        self.sign(RecordKind::Finding, &body)
    }

    /// Signs the next `n` findings, each the size of a real one (a checklist item, a note of a
    /// sentence, a photo): the load the benchmarks measure.
    pub fn findings(&mut self, n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| {
                let body = kinds::Finding {
                    inspection: InspectionId::new(),
                    item: format!("ПЛ-{}.{i}", self.head.seq % 40),
                    result: kinds::FindingResult::Violation,
                    note: Some(
                        "Огнетушитель просрочен: дата перезарядки 01.2024, пломба отсутствует"
                            .into(),
                    ),
                    photos: vec![Sha256::digest(&self.head.seq.to_be_bytes())],
                };
                self.sign(RecordKind::Finding, &body)
            })
            .collect()
    }

    /// A copy of this device (same key, token and head) to sign alternative histories with.
    pub fn fork(&self) -> Device {
        Device {
            id: self.id,
            token: self.token.clone(),
            server_key: self.server_key.clone(),
            key: self.key.clone(),
            head: self.head,
        }
    }

    /// The next finding numbered `n`, without advancing this device's head.
    pub fn clone_head_finding(&self, n: usize) -> Vec<u8> {
        self.fork().finding(n)
    }

    fn sign_draft(&mut self, draft: &RecordDraft) -> Vec<u8> {
        let signed = record::sign(&self.key, draft).expect("a signable record");
        self.head = ChainHead::after(&signed.record);
        signed.bytes
    }
}

/// A push body with the records in it byte for byte, as a device sends them.
pub fn push_body(records: &[Vec<u8>]) -> Vec<u8> {
    let mut body = b"{\"records\":[".to_vec();
    for (i, r) in records.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(r);
    }
    body.extend_from_slice(b"]}");
    body
}
