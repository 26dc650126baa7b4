use knd_shared::bundle::{Bundle, BundleError, DeviceEvidence, InclusionProof};
use knd_shared::log::{self, MemoryLog};
use knd_shared::note::{Checkpoint, NoteSigner, NoteVerifier};
use knd_shared::receipt::Receipt;
use knd_shared::record::{self, ChainHead, RecordDraft, RecordKind, Timestamp, kinds};
use knd_shared::{DeviceId, DeviceKey, Inn, InspectionId, UserId};
use serde_json::value::RawValue;

const ORIGIN: &str = "knd.test/log";

/// A small world: a server (its chain key is its log key), one enrolled device, one finding.
struct World {
    log_key: NoteVerifier,
    bundle_json: String,
}

fn raw(bytes: &[u8]) -> Box<RawValue> {
    RawValue::from_string(String::from_utf8(bytes.to_vec()).unwrap()).unwrap()
}

fn world() -> World {
    let finding = kinds::Finding {
        inspection: InspectionId::new(),
        item: "1.1".into(),
        result: kinds::FindingResult::Compliant,
        note: None,
        photos: vec![],
    };
    let body = serde_json::to_value(&finding).unwrap();
    world_of(Signer::Tablet, RecordKind::Finding, &body)
}

/// Who the enrolled key belongs to.
enum Signer {
    Tablet,
    Business(&'static str),
}

/// A world whose enrolled key signs one record of `kind`.
fn world_of(who: Signer, kind: RecordKind, body: &serde_json::Value) -> World {
    let server_key = DeviceKey::generate();
    let signer = NoteSigner::new(ORIGIN, server_key.clone()).unwrap();
    let server_device = DeviceId::new();
    let device_key = DeviceKey::generate();
    let device = DeviceId::new();
    let mut tree = MemoryLog::new();
    // Some unrelated leaves first, so that indexes are not trivially zero.
    for i in 0u8..5 {
        tree.append(&[i; 32]);
    }

    let enrolled = kinds::DeviceEnrolled {
        device,
        public_key: device_key.public_key(),
        name: "Планшет инспектора".into(),
        user: matches!(who, Signer::Tablet).then(UserId::new),
        subject: match who {
            Signer::Tablet => None,
            Signer::Business(inn) => Some(Inn::parse(inn).unwrap()),
        },
    };
    let draft = RecordDraft::new(
        server_device,
        1,
        ChainHead::GENESIS.hash,
        RecordKind::DeviceEnrolled,
        &enrolled,
    )
    .unwrap();
    let enrollment = record::sign(&server_key, &draft).unwrap();
    let enrollment_index = tree.append(enrollment.record.hash.as_bytes());

    let draft = RecordDraft::new(device, 1, ChainHead::GENESIS.hash, kind, body).unwrap();
    let rec = record::sign(&device_key, &draft).unwrap();
    let index = tree.append(rec.record.hash.as_bytes());
    for i in 0u8..3 {
        tree.append(&[100 + i; 32]);
    }
    let receipt = Receipt {
        record: rec.record.hash,
        index,
        received_at: Timestamp::now(),
    }
    .sign(&server_key)
    .unwrap();
    let size = tree.size();
    let checkpoint = signer
        .sign_checkpoint(&Checkpoint {
            origin: ORIGIN.into(),
            size,
            root: tree.root(),
        })
        .unwrap();
    let bundle = Bundle {
        record: raw(&rec.bytes),
        receipt: raw(&receipt.bytes),
        inclusion: InclusionProof {
            index,
            size,
            proof: log::inclusion_proof(index, size, &tree).unwrap(),
        },
        checkpoint,
        device: Some(DeviceEvidence {
            id: device,
            public_key: device_key.public_key().to_hex(),
            enrollment: raw(&enrollment.bytes),
            enrollment_inclusion: InclusionProof {
                index: enrollment_index,
                size,
                proof: log::inclusion_proof(enrollment_index, size, &tree).unwrap(),
            },
        }),
    };
    World {
        log_key: NoteVerifier::parse(&signer.verifier_key()).unwrap(),
        bundle_json: serde_json::to_string_pretty(&bundle).unwrap(),
    }
}

fn check(w: &World, json: &str) -> Result<(), BundleError> {
    Bundle::parse(json.as_bytes())?.verify(&w.log_key).map(drop)
}

#[test]
fn a_complete_bundle_verifies() {
    let w = world();
    let report = Bundle::parse(w.bundle_json.as_bytes())
        .unwrap()
        .verify(&w.log_key)
        .unwrap();
    assert_eq!(report.receipt.index, 5 + 1);
    assert_eq!(report.checkpoint.size, 10);
    assert_eq!(report.record.kind, "finding");
}

#[test]
fn every_broken_link_is_named() {
    let w = world();
    let mut doc: serde_json::Value = serde_json::from_str(&w.bundle_json).unwrap();
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut d = doc.clone();
        f(&mut d);
        check(&w, &d.to_string()).unwrap_err()
    };
    // Another agency's key.
    let stranger = NoteSigner::new(ORIGIN, DeviceKey::generate()).unwrap();
    let other = NoteVerifier::parse(&stranger.verifier_key()).unwrap();
    let err = Bundle::parse(w.bundle_json.as_bytes())
        .unwrap()
        .verify(&other)
        .unwrap_err();
    assert!(matches!(err, BundleError::Checkpoint(_)), "{err}");

    let e = edit(&|d| d["record"]["body"]["item"] = "1.2".into());
    assert!(matches!(e, BundleError::Record(_)), "{e}");
    let e = edit(&|d| d["inclusion"]["index"] = 7.into());
    assert!(matches!(e, BundleError::ReceiptMismatch { .. }), "{e}");
    let e = edit(&|d| d["receipt"]["index"] = 7.into());
    assert!(matches!(e, BundleError::Receipt(_)), "{e}");
    let e = edit(&|d| d["inclusion"]["proof"][0] = "00".repeat(32).into());
    assert!(matches!(e, BundleError::RecordNotLogged(_)), "{e}");
    let e = edit(&|d| d["inclusion"]["size"] = 9.into());
    assert!(matches!(e, BundleError::SizeMismatch { .. }), "{e}");
    let e =
        edit(&|d| d["device"]["public_key"] = DeviceKey::generate().public_key().to_hex().into());
    assert!(matches!(e, BundleError::EnrollmentBody(_)), "{e}");
    let e = edit(&|d| d["device"]["enrollment"]["body"]["name"] = "forged".into());
    assert!(matches!(e, BundleError::Enrollment(_)), "{e}");
    let e = edit(&|d| d["device"]["enrollment_inclusion"]["proof"][1] = "11".repeat(32).into());
    assert!(matches!(e, BundleError::EnrollmentNotLogged(_)), "{e}");
    let e = edit(&|d| d["device"]["id"] = DeviceId::new().to_string().into());
    assert!(matches!(e, BundleError::EnrollmentBody(_)), "{e}");
    let e = edit(&|d| d["device"]["public_key"] = "01".to_owned().into());
    assert!(matches!(e, BundleError::DeviceKey(_)), "{e}");
    let e = edit(&|d| d["checkpoint"] = "knd.test/log\n10\nAAAA\n".into());
    assert!(matches!(e, BundleError::Checkpoint(_)), "{e}");
    let e = edit(&|d| d["extra"] = 1.into());
    assert!(matches!(e, BundleError::Format(_)), "{e}");
    doc["record"] = serde_json::json!("not a record");
    assert!(matches!(
        check(&w, &doc.to_string()),
        Err(BundleError::Record(_))
    ));
}

fn filing(subject: &str) -> serde_json::Value {
    serde_json::json!({
        "filing": "objection", "subject": subject,
        "request": {"warning": InspectionId::new(), "position": "Нарушения нет"},
    })
}

/// A controlled person's filing key signs its filings, of its own subject only; a tablet's key
/// cannot sign a filing, nor the filing key anything else.
#[test]
fn a_filing_key_signs_only_its_subjects_filings() {
    let inn = "7707083893";
    let w = world_of(
        Signer::Business(inn),
        RecordKind::BusinessFiling,
        &filing(inn),
    );
    let report = check(&w, &w.bundle_json);
    assert!(report.is_ok(), "{report:?}");

    let w = world_of(
        Signer::Business(inn),
        RecordKind::BusinessFiling,
        &filing("7736207543"),
    );
    let e = check(&w, &w.bundle_json).unwrap_err();
    assert!(
        matches!(&e, BundleError::Signer(m) if m.contains("7736207543")),
        "{e}"
    );

    let w = world_of(Signer::Tablet, RecordKind::BusinessFiling, &filing(inn));
    let e = check(&w, &w.bundle_json).unwrap_err();
    assert!(matches!(e, BundleError::Signer(_)), "{e}");

    let note = serde_json::json!({"text": "x"});
    let w = world_of(Signer::Business(inn), RecordKind::Note, &note);
    let e = check(&w, &w.bundle_json).unwrap_err();
    assert!(matches!(e, BundleError::Signer(_)), "{e}");
}
