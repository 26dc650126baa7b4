//! The app's rules offline: findings and their corrections, photos, warnings, the act signed
//! with the PIN, the locked session, and that nothing a command returns carries the key.
//! (Enrollment and sync against a real server are tested in `tests/`, crate knd-tests.)

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use knd_shared::record::Timestamp;
use knd_shared::{DeviceId, DeviceKey, InspectionId};
use serde_json::{Value, json};

use super::views::{
    AcknowledgementInput, ActInput, FindingResultView, NotCheckedInput, PersonInput, ViolationInput,
};
use super::{App, AppConfig, ErrorKind};
use crate::keystore::{KdfParams, KeyStore, Pin};
use crate::photo::tests::{bad_inputs, photo};
use crate::store::{Profile, Store};

pub(super) const PIN: &str = "482916";
pub(super) const SUBJECT: &str = "7707083893";
pub(super) const ERKNM: &str = "77260000000100000001";

/// An enrolled profile with one assignment and its checklist, as a pull leaves it. Returns the
/// app (locked), the inspection and the device key's seed (to look for it in what comes out).
pub(super) fn field_app(dir: &Path) -> (App, InspectionId, [u8; 32]) {
    field_app_with(dir, |_| {})
}

/// [`field_app`] with the assignment changed by `edit` first (another kind, a field removed as
/// in an assignment pulled before it existed).
pub(super) fn field_app_with(
    dir: &Path,
    edit: impl FnOnce(&mut Value),
) -> (App, InspectionId, [u8; 32]) {
    let server_key = DeviceKey::generate().public_key();
    field_app_on(dir, "http://127.0.0.1:9", server_key, edit)
}

/// [`field_app_with`] enrolled with the server at `server_url`, whose key is `server_key` (a
/// test server that signs receipts).
pub(super) fn field_app_on(
    dir: &Path,
    server_url: &str,
    server_key: knd_shared::PublicKey,
    edit: impl FnOnce(&mut Value),
) -> (App, InspectionId, [u8; 32]) {
    let device = DeviceId::new();
    let key = DeviceKey::generate();
    let seed = key.seed();
    let (_, unlocked) = KeyStore::create(
        dir,
        device,
        key,
        &Pin::parse(PIN).unwrap(),
        KdfParams::INSECURE_FAST,
    )
    .unwrap();
    let mut store = Store::open(dir).unwrap();
    store
        .save_enrollment(
            &Profile {
                server_url: server_url.into(),
                device,
                device_public_key: unlocked.public_key(),
                server_public_key: server_key,
                log_origin: "knd.example/log".into(),
                device_name: "Планшет 3".into(),
                enrolled_at: Timestamp::now(),
            },
            "kdt_test_token_never_shown",
        )
        .unwrap();
    let inspection = InspectionId::new();
    let subject = json!({"inn": SUBJECT, "ogrn": "1027700132195", "name": "ПАО Сбербанк", "size_class": "small"});
    let mut assignment = json!({
                "id": inspection.to_string(), "kind": "field_check", "kind_name": "выездная проверка",
                "basis": "planned", "status": "scheduled", "control_type": "fire",
                "control_type_name": "Федеральный государственный пожарный надзор",
                "ground": "plan", "ground_name": "п.2 ч.1 ст.57 — план проведения плановых КНМ на 2026 год",
                "erknm": ERKNM, "prosecutor_agreement": null,
                "interaction_limit_hours": 50, "time_zone": "Europe/Moscow",
                "starts_on": "2026-12-01", "ends_on": "2026-12-14", "note": "",
                "subject": subject, "subjects": [subject],
                "objects": [{"key": "OBJ-1", "address": "Москва, ул. Вавилова, 19", "district": "Гагаринский",
                             "lat_e7": null, "lon_e7": null, "risk_category": "high", "attributes": {}}],
                "checklist": "main",
                "history": {"violations": [{"inspection": InspectionId::new().to_string(),
                    "record": knd_shared::RecordId::new().to_string(), "item": "1",
                    "note": "огнетушитель просрочен", "at": "2025-03-02T09:15:00.000Z"}], "open_orders": []},
                "updated_at": "2026-11-30T10:00:00Z"
    });
    edit(&mut assignment);
    store.put_assignment(inspection, &assignment).unwrap();
    store
        .put_checklist(
            "fire/main",
            &json!({"control_type": "fire", "code": "main", "name": "Проверочный лист", "items": [
                {"code": "1", "question": "Огнетушители в наличии?", "requirement": {"code": "R1",
                 "text": "Огнетушители в наличии и исправны", "legal_act": "ППР 1479", "article": "п. 60"}},
                {"code": "2", "question": "Выходы свободны?", "requirement": {"code": "R2",
                 "text": "Эвакуационные выходы не загромождены", "legal_act": "ППР 1479", "article": "п. 27"}},
                {"code": "3", "question": "Есть план эвакуации?", "requirement": {"code": "R3",
                 "text": "План эвакуации вывешен", "legal_act": "ППР 1479", "article": "п. 6"}}
            ]}),
        )
        .unwrap();
    drop(store);
    let app = App::open(
        dir,
        AppConfig {
            kdf: KdfParams::INSECURE_FAST,
            ..AppConfig::default()
        },
    )
    .unwrap();
    (app, inspection, seed)
}

pub(super) fn chain_len(app: &App) -> u64 {
    app.store().head().unwrap().seq
}

#[test]
fn a_locked_session_signs_nothing_and_a_wrong_pin_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app(dir.path());
    let id = inspection.to_string();
    let st = app.status().unwrap();
    assert!(st.enrolled && !st.unlocked);
    let err = app
        .record_finding(
            &id,
            "1",
            FindingResultView::Compliant,
            None,
            vec![],
            None,
            None,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotUnlocked);
    assert_eq!(app.unlock("0000").unwrap_err().kind, ErrorKind::WrongPin);
    assert_eq!(app.status().unwrap().failures, 1);
    assert_eq!(app.unlock("12").unwrap_err().kind, ErrorKind::InvalidInput);
    assert!(app.unlock(PIN).unwrap().unlocked);
    assert_eq!(app.status().unwrap().failures, 0);
    assert!(!app.lock().unwrap().unlocked);
    assert_eq!(chain_len(&app), 0);
}

#[test]
fn a_second_answer_is_a_correction_with_a_reason_and_the_history_keeps_both() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app(dir.path());
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();

    let first = app
        .record_finding(
            &id,
            "1",
            FindingResultView::Compliant,
            Some(" ".into()),
            vec![],
            None,
            None,
        )
        .unwrap();
    // The first answer starts the inspection in the same transaction.
    assert_eq!(chain_len(&app), 2);
    assert_eq!(first.kind, "finding");
    assert!(app.inspection(&id).unwrap().started);

    for (item, supersedes, reason) in [
        ("1", None, None),                   // already answered
        ("1", Some(first.id.clone()), None), // no reason
        (
            "1",
            Some(knd_shared::RecordId::new().to_string()),
            Some("x"),
        ), // not the current one
        ("9", None, None),                   // no such item
    ] {
        let err = app
            .record_finding(
                &id,
                item,
                FindingResultView::Violation,
                None,
                vec![],
                supersedes,
                reason.map(str::to_owned),
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{err}");
    }
    assert_eq!(chain_len(&app), 2, "refused answers sign nothing");

    let fixed = app
        .record_finding(
            &id,
            "1",
            FindingResultView::Violation,
            Some("огнетушитель без пломбы".into()),
            vec![],
            Some(first.id.clone()),
            Some("пломба не была осмотрена".into()),
        )
        .unwrap();
    assert_eq!(fixed.kind, "correction");
    let screen = app.inspection(&id).unwrap();
    let item = &screen.checklist[0];
    assert_eq!(item.history.len(), 2);
    assert_eq!(
        item.history[0].superseded_by.as_deref(),
        Some(fixed.id.as_str())
    );
    let current = item.current.as_ref().unwrap();
    assert_eq!(current.id, fixed.id);
    assert_eq!(current.result, FindingResultView::Violation);
    assert_eq!(
        current.correction_reason.as_deref(),
        Some("пломба не была осмотрена")
    );
    assert_eq!(screen.past_violations.len(), 1);
    assert_eq!(screen.objects[0].risk_category.as_deref(), Some("high"));
}

#[test]
fn photos_are_checked_before_anything_is_signed() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app(dir.path());
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();
    for (name, bytes) in bad_inputs() {
        let err = app
            .add_photo(
                &id,
                &STANDARD.encode(&bytes),
                None,
                super::all_photo_warnings(),
            )
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::PhotoRefused, "{name}: {err}");
    }
    assert_eq!(
        app.add_photo(&id, "not base64!", None, super::all_photo_warnings())
            .unwrap_err()
            .kind,
        ErrorKind::InvalidInput
    );
    assert_eq!(
        chain_len(&app),
        0,
        "a refused photo leaves no record, not even a start"
    );
    let files = std::fs::read_dir(dir.path().join(crate::store::PHOTOS_DIR))
        .unwrap()
        .count();
    assert_eq!(files, 0);

    let jpeg = photo("DSCN0010.jpg");
    let p = app
        .add_photo(
            &id,
            &STANDARD.encode(&jpeg),
            Some("1".into()),
            super::all_photo_warnings(),
        )
        .unwrap()
        .added
        .unwrap();
    assert_eq!(p.sha256, knd_shared::Sha256::digest(&jpeg).to_hex());
    assert_eq!(p.time_source, super::views::SourceView::Exif);
    assert!(p.thumbnail.starts_with("data:image/jpeg;base64,"));
    let err = app
        .add_photo(
            &id,
            &STANDARD.encode(&jpeg),
            None,
            super::all_photo_warnings(),
        )
        .unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::InvalidInput,
        "the same photo twice: {err}"
    );
    // An unknown photo hash cannot be attached; the added one can.
    let err = app
        .record_finding(
            &id,
            "2",
            FindingResultView::Violation,
            None,
            vec!["ab".repeat(32)],
            None,
            None,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    app.record_finding(
        &id,
        "2",
        FindingResultView::Violation,
        None,
        vec![p.sha256.clone()],
        None,
        None,
    )
    .unwrap();
    let screen = app.inspection(&id).unwrap();
    assert_eq!(screen.photos.len(), 1);
    assert_eq!(screen.photos[0].caption.as_deref(), Some("1"));
    assert_eq!(
        screen.checklist[1].current.as_ref().unwrap().photos,
        vec![p.sha256]
    );
}

#[test]
fn the_act_is_drafted_from_the_findings_signed_with_the_pin_and_closes_the_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app(dir.path());
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();
    app.record_finding(
        &id,
        "1",
        FindingResultView::Violation,
        Some("нет пломбы".into()),
        vec![],
        None,
        None,
    )
    .unwrap();
    app.record_finding(
        &id,
        "2",
        FindingResultView::Compliant,
        None,
        vec![],
        None,
        None,
    )
    .unwrap();
    let draft = app.act_draft(&id).unwrap();
    assert_eq!(
        (draft.compliant, draft.violation_count, draft.not_applicable),
        (1, 1, 0)
    );
    assert_eq!(
        draft
            .unanswered
            .iter()
            .map(|u| (u.item.as_str(), u.question.as_str()))
            .collect::<Vec<_>>(),
        [("3", "Есть план эвакуации?")]
    );
    assert_eq!(draft.violations[0].requirement, "R1");
    assert_eq!(draft.violations[0].legal_act.as_deref(), Some("ППР 1479"));
    assert_eq!(draft.violations[0].unit.as_deref(), Some("п. 60"));
    assert_eq!(draft.erknm.as_deref(), Some(ERKNM));
    assert!(draft.summary.contains("ПАО Сбербанк"), "{}", draft.summary);
    assert!(
        draft
            .summary
            .ends_with("нарушения обязательных требований: Огнетушители в наличии и исправны (ППР 1479, п. 60)."),
        "{}",
        draft.summary
    );

    let act = || ActInput {
        summary: draft.summary.clone(),
        present: vec![PersonInput {
            name: "Иванов И. И.".into(),
            role: "директор".into(),
        }],
        acknowledgement: AcknowledgementInput::Refused,
        violations: vec![ViolationInput {
            finding: draft.violations[0].finding.clone(),
            remedied: false,
            legal_act: None,
            unit: None,
        }],
        not_checked: vec![NotCheckedInput {
            item: "3".into(),
            reason: "помещение закрыто".into(),
        }],
    };
    let before = chain_len(&app);
    assert_eq!(
        app.sign_act(&id, act(), "1111").unwrap_err().kind,
        ErrorKind::WrongPin
    );
    assert_eq!(app.status().unwrap().failures, 1);
    let empty = ActInput {
        summary: " ".into(),
        ..act()
    };
    assert_eq!(
        app.sign_act(&id, empty, PIN).unwrap_err().kind,
        ErrorKind::InvalidInput
    );
    assert_eq!(chain_len(&app), before);

    let signed = app.sign_act(&id, act(), PIN).unwrap();
    assert_eq!(signed.kind, "act");
    assert_eq!(
        chain_len(&app),
        before + 2,
        "the act and inspection_finished"
    );
    let body: Value = app
        .store()
        .inspection_records(inspection)
        .unwrap()
        .into_iter()
        .find(|r| r.kind == "act")
        .map(|r| Value::Object(r.body))
        .unwrap();
    assert_eq!(body["acknowledgement"], "refused");
    assert_eq!(body["violations"][0]["requirement"], "R1");
    assert_eq!(body["violations"][0]["legal_act"], "ППР 1479");
    assert_eq!(body["violations"][0]["unit"], "п. 60");
    assert_eq!(body["violations"][0]["remedied"], false);
    assert_eq!(body["erknm"], ERKNM);
    assert_eq!(body["findings"].as_array().unwrap().len(), 2);

    assert_eq!(
        app.sign_act(&id, act(), PIN).unwrap_err().kind,
        ErrorKind::InvalidInput
    );
    let err = app
        .record_finding(
            &id,
            "3",
            FindingResultView::Compliant,
            None,
            vec![],
            None,
            None,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(app.inspection(&id).unwrap().act.is_some());
    app.store().verify_chain().unwrap();
}

#[test]
fn nothing_a_command_returns_carries_the_key_or_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, seed) = field_app(dir.path());
    let id = inspection.to_string();
    let mut out: Vec<Value> = Vec::new();
    let mut keep = |v: Value| out.push(v);
    keep(serde_json::to_value(app.unlock(PIN).unwrap()).unwrap());
    keep(
        serde_json::to_value(
            app.record_finding(
                &id,
                "1",
                FindingResultView::Compliant,
                None,
                vec![],
                None,
                None,
            )
            .unwrap(),
        )
        .unwrap(),
    );
    let jpeg = photo("DSCN0012.jpg");
    keep(
        serde_json::to_value(
            app.add_photo(
                &id,
                &STANDARD.encode(&jpeg),
                None,
                super::all_photo_warnings(),
            )
            .unwrap(),
        )
        .unwrap(),
    );
    keep(serde_json::to_value(app.start_interaction(&id, None).unwrap()).unwrap());
    keep(serde_json::to_value(app.stop_interaction(&id).unwrap()).unwrap());
    keep(serde_json::to_value(app.assignments().unwrap()).unwrap());
    keep(serde_json::to_value(app.inspection(&id).unwrap()).unwrap());
    keep(serde_json::to_value(app.act_draft(&id).unwrap()).unwrap());
    keep(serde_json::to_value(app.records(None).unwrap()).unwrap());
    keep(serde_json::to_value(app.sync_status().unwrap()).unwrap());
    keep(serde_json::to_value(app.status().unwrap()).unwrap());
    keep(serde_json::to_value(app.unlock("0000").unwrap_err()).unwrap());
    let text = serde_json::to_string(&out).unwrap();
    for secret in [
        hex::encode(seed),
        STANDARD.encode(seed),
        URL_SAFE_NO_PAD.encode(seed),
        "kdt_test_token_never_shown".to_owned(),
    ] {
        assert!(!text.contains(&secret), "a command returned {secret}");
    }
}

#[test]
fn a_full_disk_is_a_message_and_loses_nothing_signed_before() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app(dir.path());
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();
    app.record_finding(
        &id,
        "1",
        FindingResultView::Compliant,
        None,
        vec![],
        None,
        None,
    )
    .unwrap();
    let before = chain_len(&app);
    // The smallest cap: SQLite keeps the pages it has and refuses to grow.
    app.store().limit_pages(1).unwrap();
    let long_note = "ж".repeat(15_000);
    let err = app
        .record_finding(
            &id,
            "2",
            FindingResultView::Violation,
            Some(long_note.clone()),
            vec![],
            None,
            None,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::StorageFull, "{err}");
    assert!(err.message.contains("закончилось место"), "{}", err.message);
    assert_eq!(chain_len(&app), before);
    // Space again: the same answer goes through and the chain is whole.
    app.store().limit_pages(0).unwrap();
    app.record_finding(
        &id,
        "2",
        FindingResultView::Violation,
        Some(long_note),
        vec![],
        None,
        None,
    )
    .unwrap();
    assert_eq!(app.store().verify_chain().unwrap().records, before + 1);
}
