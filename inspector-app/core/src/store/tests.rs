use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use knd_shared::receipt::Receipt;
use knd_shared::record::Timestamp;
use knd_shared::record::kinds::{self, FindingResult, RecordKind};
use knd_shared::{DeviceId, DeviceKey, InspectionId};
use serde_json::json;

use super::*;
use crate::keystore::{KdfParams, KeyStore, Pin, Unlocked};
use crate::photo::tests::{bad_inputs, device, photo};

const PIN: &str = "2468";

/// A fresh enrolled profile in `dir`: sealed key, store, profile row.
fn enroll(dir: &Path, server: &DeviceKey) -> (Store, Unlocked) {
    let device = DeviceId::new();
    let (_, unlocked) = KeyStore::create(
        dir,
        device,
        DeviceKey::generate(),
        &Pin::parse(PIN).unwrap(),
        KdfParams::INSECURE_FAST,
    )
    .unwrap();
    let mut store = Store::open(dir).unwrap();
    store
        .save_profile(&Profile {
            server_url: "http://127.0.0.1:1".into(),
            device,
            device_public_key: unlocked.public_key(),
            server_public_key: server.public_key(),
            log_origin: "knd.example/log".into(),
            device_name: "планшет 7".into(),
            enrolled_at: Timestamp::now(),
        })
        .unwrap();
    (store, unlocked)
}

/// Reopens a profile as the app does after a restart.
fn reopen(dir: &Path) -> (Store, Unlocked) {
    let store = Store::open(dir).unwrap();
    let device = store.profile().unwrap().device;
    let unlocked = KeyStore::open(dir, device)
        .unwrap()
        .unlock(&Pin::parse(PIN).unwrap())
        .unwrap();
    (store, unlocked)
}

fn finding(inspection: InspectionId, n: usize) -> kinds::Finding {
    kinds::Finding {
        inspection,
        item: format!("ПЛ-{n}"),
        result: FindingResult::Violation,
        note: Some(format!("Огнетушитель № {n} просрочен")),
        photos: vec![],
    }
}

#[test]
fn every_migration_file_is_embedded() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/inspector");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    assert_eq!(files.len(), MIGRATIONS.len(), "{files:?}");
    for (i, (f, (version, sql))) in files.iter().zip(MIGRATIONS).enumerate() {
        assert_eq!(*version, i as i64 + 1);
        assert!(f.starts_with(&format!("{version:04}_")), "{f}");
        assert_eq!(std::fs::read_to_string(format!("{dir}/{f}")).unwrap(), *sql);
    }
}

#[test]
fn the_store_is_wal_with_full_sync_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enroll(dir.path(), &DeviceKey::generate());
    let mode: String = store
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let sync: i64 = store
        .conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!((mode.as_str(), sync), ("wal", 2));
    let profile = store.profile().cloned();
    drop(store);
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.profile().cloned(), profile);
    assert!(matches!(
        Store::open(dir.path())
            .unwrap()
            .save_profile(&profile.unwrap()),
        Err(StoreError::AlreadyEnrolled)
    ));
}

#[test]
fn a_chain_of_1000_records_verifies_and_a_corrupt_byte_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, key) = enroll(dir.path(), &DeviceKey::generate());
    let inspection = InspectionId::new();
    store
        .create_record(
            &key,
            RecordKind::InspectionStarted,
            &json!({"inspection": inspection, "lat_e7": 557558000, "lon_e7": 376176000}),
        )
        .unwrap();
    for n in 2..=1000 {
        let r = store
            .create_record(&key, RecordKind::Finding, &finding(inspection, n))
            .unwrap();
        assert_eq!(r.seq, n as u64);
    }
    let report = store.verify_chain().unwrap();
    assert_eq!(report.records, 1000);
    assert_eq!(report.head, store.head().unwrap());
    assert_eq!(store.pending_count().unwrap(), 1000);

    // Signed records cannot be changed through SQL...
    let err = store
        .conn
        .execute("UPDATE records SET bytes = x'00' WHERE seq = 500", [])
        .unwrap_err();
    assert!(err.to_string().contains("immutable"), "{err}");
    assert!(
        store
            .conn
            .execute("DELETE FROM records WHERE seq = 1000", [])
            .is_err()
    );

    // ...so simulate damage below SQL's rules: drop the guard and flip one byte of record 500.
    store
        .conn
        .execute_batch("DROP TRIGGER records_immutable")
        .unwrap();
    let mut bytes: Vec<u8> = store
        .conn
        .query_row("SELECT bytes FROM records WHERE seq = 500", [], |r| {
            r.get(0)
        })
        .unwrap();
    let pattern = b"\"result\":\"violation\"";
    let at = bytes
        .windows(pattern.len())
        .position(|w| w == pattern)
        .unwrap();
    bytes[at + 10] ^= 0x01; // "violation" → "wiolation"
    store
        .conn
        .execute("UPDATE records SET bytes = ?1 WHERE seq = 500", [&bytes])
        .unwrap();
    match store.verify_chain() {
        Err(StoreError::Chain { seq, .. }) => assert_eq!(seq, 500),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bodies_are_checked_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, key) = enroll(dir.path(), &DeviceKey::generate());
    let bad = json!({"inspection": InspectionId::new(), "item": "1", "result": "maybe"});
    assert!(matches!(
        store.create_record(&key, RecordKind::Finding, &bad),
        Err(StoreError::Body(_))
    ));
    assert!(matches!(
        store.create_record(&key, RecordKind::Finding, &json!({"x": 1.5})),
        Err(StoreError::Body(_))
    ));
    assert!(matches!(
        store.create_record(
            &key,
            RecordKind::DeviceEnrolled,
            &json!({"device": DeviceId::new(), "public_key": key.public_key(), "name": "x",
                    "user": DeviceId::new()})
        ),
        Err(StoreError::ServerKind(_))
    ));
    // A key of another device signs nothing here.
    let other = tempfile::tempdir().unwrap();
    let (_, other_key) = enroll(other.path(), &DeviceKey::generate());
    assert!(matches!(
        store.create_record(
            &other_key,
            RecordKind::Finding,
            &finding(InspectionId::new(), 1)
        ),
        Err(StoreError::WrongDevice(_))
    ));
    assert_eq!(
        store.head().unwrap(),
        knd_shared::record::ChainHead::GENESIS
    );
}

#[test]
fn receipts_are_verified_and_mark_records_receipted() {
    let dir = tempfile::tempdir().unwrap();
    let server = DeviceKey::generate();
    let (mut store, key) = enroll(dir.path(), &server);
    let ins = InspectionId::new();
    let a = store
        .create_record(&key, RecordKind::Finding, &finding(ins, 1))
        .unwrap();
    let b = store
        .create_record(&key, RecordKind::Finding, &finding(ins, 2))
        .unwrap();
    assert_eq!(store.outbox(10).unwrap().len(), 2);
    store.mark_sent(&[a.id, b.id]).unwrap();
    assert_eq!(store.record_state(a.id).unwrap().0, RecordState::Sent);

    let receipt = |hash, index| {
        Receipt {
            record: hash,
            index,
            received_at: Timestamp::now(),
        }
        .sign(&server)
        .unwrap()
        .bytes
    };
    let server_key = server.public_key();
    // Signed by another key: refused.
    let forged = Receipt {
        record: a.hash,
        index: 7,
        received_at: Timestamp::now(),
    }
    .sign(&DeviceKey::generate())
    .unwrap()
    .bytes;
    assert!(matches!(
        store.apply_receipt(a.id, &forged, &server_key),
        Err(StoreError::Receipt(_))
    ));
    // For another record: refused.
    assert!(matches!(
        store.apply_receipt(a.id, &receipt(b.hash, 8), &server_key),
        Err(StoreError::Receipt(_))
    ));
    let good = receipt(a.hash, 7);
    assert_eq!(
        store.apply_receipt(a.id, &good, &server_key).unwrap().index,
        7
    );
    store.apply_receipt(a.id, &good, &server_key).unwrap();
    assert_eq!(
        store.record_state(a.id).unwrap(),
        (RecordState::Receipted, Some(good))
    );
    let outbox = store.outbox(10).unwrap();
    assert_eq!(
        outbox.iter().map(|o| o.seq).collect::<Vec<_>>(),
        vec![b.seq]
    );
    assert_eq!(store.pending_count().unwrap(), 1);
    // The receipt changed the state only: the chain still verifies.
    store.verify_chain().unwrap();
}

#[test]
fn an_inspection_lists_its_findings_with_corrections() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, key) = enroll(dir.path(), &DeviceKey::generate());
    let ins = InspectionId::new();
    let other = InspectionId::new();
    store
        .put_assignment(
            ins,
            &json!({"subject": {"name": "ООО Ромашка"}, "objects": []}),
        )
        .unwrap();
    let f1 = store
        .create_record(&key, RecordKind::Finding, &finding(ins, 1))
        .unwrap();
    store
        .create_record(&key, RecordKind::Finding, &finding(other, 2))
        .unwrap();
    store
        .create_record(
            &key,
            RecordKind::Note,
            &json!({"inspection": ins, "text": "note"}),
        )
        .unwrap();
    let mut fixed = finding(ins, 1);
    fixed.result = FindingResult::Compliant;
    let c = store
        .create_record(
            &key,
            RecordKind::Correction,
            &kinds::Correction {
                supersedes: f1.id,
                reason: "ошибка ввода".into(),
                body: super::records::to_map(&fixed).unwrap(),
            },
        )
        .unwrap();
    let view = store.open_inspection(ins).unwrap();
    assert_eq!(view.assignment.unwrap()["subject"]["name"], "ООО Ромашка");
    assert_eq!(view.findings.len(), 2);
    assert_eq!(view.findings[0].id, f1.id);
    assert_eq!(view.findings[0].superseded_by, Some(c.id));
    assert_eq!(view.findings[1].id, c.id);
    assert_eq!(view.findings[1].result, FindingResult::Compliant);
    assert_eq!(view.findings[1].superseded_by, None);
    assert!(
        store
            .open_inspection(InspectionId::new())
            .unwrap()
            .findings
            .is_empty()
    );
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn photos_are_stored_with_their_record_and_bad_files_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, key) = enroll(dir.path(), &DeviceKey::generate());
    let ins = InspectionId::new();
    let photos_dir = dir.path().join(PHOTOS_DIR);
    let db_before = files_in(dir.path());

    for (what, bytes) in bad_inputs() {
        let err = store
            .add_photo(&key, ins, &bytes, &device(), None)
            .unwrap_err();
        assert!(matches!(err, StoreError::Photo(_)), "{what}: {err:?}");
        assert!(files_in(&photos_dir).is_empty(), "{what}");
        assert_eq!(files_in(dir.path()), db_before, "{what}");
        assert!(store.photos(ins).unwrap().is_empty(), "{what}");
        assert_eq!(store.head().unwrap().seq, 0, "{what}");
    }

    let original = photo("DSCN0010.jpg");
    let (record, ingested) = store
        .add_photo(&key, ins, &original, &device(), Some("Щит".into()))
        .unwrap();
    assert_eq!(record.seq, 1);
    let rows = store.photos(ins).unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.sha256, ingested.sha256.to_hex());
    assert_eq!(std::fs::read(dir.path().join(&row.path)).unwrap(), original);
    assert_eq!(
        std::fs::read(dir.path().join(&row.thumbnail_path)).unwrap(),
        ingested.thumbnail
    );
    assert_eq!(
        (row.lat_e7, row.lon_e7),
        (Some(434_674_483), Some(118_851_267))
    );
    assert_eq!(row.time_source, "exif");
    assert_eq!(row.upload_state, "pending");
    assert!(matches!(
        store.add_photo(&key, ins, &original, &device(), None),
        Err(StoreError::PhotoExists(_))
    ));
    assert_eq!(files_in(&photos_dir).len(), 2);
    store.verify_chain().unwrap();
}

// --- Crashes -------------------------------------------------------------------------------

const CHILD_DIR: &str = "KND_TEST_CRASH_DIR";
const CHILD_ABORT_AT: &str = "KND_TEST_CRASH_ABORT_AT";

/// Not a test on its own: the body of the child process the crash tests start. It creates
/// records in a loop until it is killed, or aborts inside the transaction of one seq.
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    if let Ok(at) = std::env::var(CHILD_ABORT_AT) {
        super::records::ABORT_BEFORE_COMMIT_AT
            .store(at.parse().unwrap(), std::sync::atomic::Ordering::SeqCst);
    }
    let (mut store, key) = reopen(Path::new(&dir));
    let ins = InspectionId::new();
    for n in 0.. {
        store
            .create_record(&key, RecordKind::Finding, &finding(ins, n))
            .unwrap();
    }
}

fn spawn_child(dir: &Path, abort_at: Option<u64>) -> std::process::Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["store::tests::crash_child", "--exact", "--test-threads=1"])
        .env(CHILD_DIR, dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Some(at) = abort_at {
        cmd.env(CHILD_ABORT_AT, at.to_string());
    }
    cmd.spawn().unwrap()
}

/// After a crash: the chain verifies, has no gap, and the next record continues it.
fn check_after_crash(dir: &Path) -> u64 {
    let (mut store, key) = reopen(dir);
    let report = store.verify_chain().unwrap();
    let count: i64 = store
        .conn
        .query_row("SELECT count(*) FROM records", [], |r| r.get(0))
        .unwrap();
    assert_eq!(report.records, count as u64);
    assert_eq!(report.head.seq, report.records, "seqs are dense from 1");
    let next = store
        .create_record(&key, RecordKind::Note, &json!({"text": "после сбоя"}))
        .unwrap();
    assert_eq!(next.seq, report.head.seq + 1);
    assert_eq!(store.verify_chain().unwrap().records, report.records + 1);
    report.records
}

#[test]
fn an_abort_inside_the_transaction_loses_only_that_record() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enroll(dir.path(), &DeviceKey::generate());
    drop(store);
    // The child inserts seq 1..=24, then aborts after inserting seq 25 and before its commit.
    let status = spawn_child(dir.path(), Some(25)).wait().unwrap();
    assert!(!status.success(), "the child must have aborted");
    assert_eq!(check_after_crash(dir.path()), 24);
}

#[test]
fn a_process_killed_while_creating_records_leaves_the_chain_intact() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enroll(dir.path(), &DeviceKey::generate());
    drop(store);
    let mut child = spawn_child(dir.path(), None);
    let reader = Store::open(dir.path()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while reader.head().unwrap().seq < 50 {
        assert!(Instant::now() < deadline, "the child made no progress");
        assert!(child.try_wait().unwrap().is_none(), "the child exited");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL on Unix: no destructor, no rollback, mid-write
    child.wait().unwrap();
    drop(reader);
    assert!(check_after_crash(dir.path()) >= 50);
}
