//! The preventive visit on the device: the record a held visit signs (its body and the measure it
//! names), the refusal of a mandatory visit refused in Russian then English, a visit that is not
//! mandatory refused by its subject, no act for a visit, and a visit recorded offline that shows
//! as done at once and is receipted by the next sync.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use knd_shared::DeviceKey;
use knd_shared::receipt::Receipt;
use knd_shared::record::kinds::{self, RecordKind};
use knd_shared::record::{Timestamp, parse_unverified};
use serde_json::{Value, json};

use super::tests::{PIN, SUBJECT, chain_len, field_app, field_app_on, field_app_with};
use super::views::{AcknowledgementInput, ActInput, RecordStateView, RecordView, VisitOutcome};
use super::{App, ErrorKind};
use crate::sync::test_server::{Canned, serve_with};

const SUMMARY: &str = "Разъяснены требования ППР 1479 (п. 27, п. 60); рассмотрены итоги самообследования; рекомендовано заменить огнетушители до 01.03.2027.";
const REFUSAL: &str = "Директор отказался от проведения визита, о чём сделана отметка";
const MANDATORY_REFUSED: &str = "от обязательного профилактического визита отказаться нельзя (ст.52.1 248-ФЗ) / a mandatory preventive visit cannot be refused (ст.52.1 248-FZ)";

/// The assignment as the server pulls a planned visit: kind `preventive_visit`, ground `plan`,
/// no checklist and no ЕРКНМ number.
fn as_visit(a: &mut Value) {
    a["kind"] = json!("preventive_visit");
    a["kind_name"] = json!("обязательный профилактический визит");
    a["checklist"] = Value::Null;
    a["erknm"] = Value::Null;
    a["interaction_limit_hours"] = Value::Null;
    a["starts_on"] = json!("2026-12-03");
    a["ends_on"] = json!("2026-12-03");
}

fn visit_rows(app: &App, id: &str) -> Vec<crate::store::RecordRow> {
    let inspection = knd_shared::InspectionId::parse(id).unwrap();
    app.store()
        .inspection_records(inspection)
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "preventive_visit")
        .collect()
}

#[test]
fn a_held_visit_signs_one_record_naming_the_measure() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app_with(dir.path(), as_visit);
    let id = inspection.to_string();
    // Locked: nothing is signed.
    let e = app.hold_visit(&id, SUMMARY).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotUnlocked, "{e:?}");
    app.unlock(PIN).unwrap();

    let screen = app.visit(&id).unwrap();
    assert!(screen.mandatory, "a planned visit is mandatory");
    assert_eq!(screen.visit, None);
    assert_eq!(screen.subject.inn, SUBJECT);
    assert_eq!(screen.objects.len(), 1);
    assert_eq!(
        (screen.starts_on.as_str(), screen.ends_on.as_str()),
        ("2026-12-03", "2026-12-03")
    );
    assert_eq!(screen.ground.as_deref(), Some("plan"));

    // The summary is what the record is for: a blank one is refused, nothing signed.
    let e = app.hold_visit(&id, "  \n ").unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(
        e.message.starts_with("опишите, что обсуждалось") && e.message.contains(" / summarise"),
        "{e:?}"
    );
    assert_eq!(chain_len(&app), 0);

    let r = app.hold_visit(&id, &format!("  {SUMMARY}\n")).unwrap();
    assert_eq!(r.kind, "preventive_visit");
    assert_eq!(r.inspection.as_deref(), Some(id.as_str()));
    assert_eq!(r.state, RecordStateView::Pending);
    assert!(
        r.summary
            .starts_with("Профилактический визит проведён: Разъяснены"),
        "{}",
        r.summary
    );
    assert!(r.summary_en.starts_with("Preventive visit held: "));
    // Only the visit's own record: a visit is not an inspection (no start, no finish).
    assert_eq!(chain_len(&app), 1);

    let rows = visit_rows(&app, &id);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        Value::Object(rows[0].body.clone()),
        json!({"subject": SUBJECT, "mandatory": true, "summary": SUMMARY, "inspection": id}),
        "the body as signed: no object id, no refusal"
    );
    let body: kinds::PreventiveVisit = kinds::decode_body(&rows[0].body).unwrap();
    assert_eq!(body.inspection, Some(inspection));
    body.check_contents().unwrap();
    // Chained and queued like any other record.
    assert_eq!(app.store().verify_chain().unwrap().records, 1);
    assert_eq!(app.store().pending_count().unwrap(), 1);

    // Done, offline.
    let screen = app.visit(&id).unwrap();
    let done = screen.visit.expect("the visit's record");
    assert_eq!(done.outcome, VisitOutcome::Held);
    assert_eq!(done.summary, SUMMARY);
    assert_eq!(done.record.id, r.id);
    assert_eq!(screen.records.len(), 1);
    let card = app.assignments().unwrap().pop().unwrap();
    assert!(card.preventive_visit);
    assert_eq!(card.visit_outcome, Some(VisitOutcome::Held));
    assert_eq!(card.checklist_items, 0);
    assert_eq!(card.pending_records, 1);

    // Recorded once; and a visit has no act.
    let e = app.hold_visit(&id, SUMMARY).unwrap_err();
    assert!(e.message.starts_with("визит уже оформлен"), "{e:?}");
    let e = app.act_draft(&id).unwrap_err();
    assert!(
        e.message
            .contains("a preventive visit has no inspection act"),
        "{e:?}"
    );
    let act = ActInput {
        summary: "акт".into(),
        present: vec![],
        acknowledgement: AcknowledgementInput::Absent,
        violations: vec![],
        not_checked: vec![],
    };
    let e = app.sign_act(&id, act, PIN).unwrap_err();
    assert!(
        e.message
            .contains("a preventive visit has no inspection act"),
        "{e:?}"
    );
    assert_eq!(chain_len(&app), 1);
}

#[test]
fn a_mandatory_visit_cannot_be_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app_with(dir.path(), as_visit);
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();
    let e = app.refuse_visit(&id, REFUSAL).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    // knd-shared's rule, Russian first, then English.
    assert_eq!(e.message, MANDATORY_REFUSED);
    let (ru, en) = e.message.split_once(" / ").unwrap();
    assert!(ru.chars().any(|c| matches!(c, 'а'..='я')), "{ru}");
    assert!(en.starts_with("a mandatory preventive visit"), "{en}");
    assert_eq!(chain_len(&app), 0);
    assert_eq!(app.visit(&id).unwrap().visit, None);
    // Still to be held.
    app.hold_visit(&id, SUMMARY).unwrap();
}

#[test]
fn a_visit_that_is_not_mandatory_may_be_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app_with(dir.path(), |a| {
        as_visit(a);
        a["mandatory"] = json!(false);
    });
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();
    assert!(!app.visit(&id).unwrap().mandatory);
    let r = app.refuse_visit(&id, REFUSAL).unwrap();
    assert!(
        r.summary
            .starts_with("Отказ от профилактического визита: Директор"),
        "{}",
        r.summary
    );
    assert!(r.summary_en.starts_with("Preventive visit refused: "));
    let rows = visit_rows(&app, &id);
    assert_eq!(
        Value::Object(rows[0].body.clone()),
        json!({"subject": SUBJECT, "mandatory": false, "summary": REFUSAL, "inspection": id, "refused": true})
    );
    let screen = app.visit(&id).unwrap();
    assert_eq!(screen.visit.unwrap().outcome, VisitOutcome::Refused);
    assert_eq!(
        app.assignments().unwrap()[0].visit_outcome,
        Some(VisitOutcome::Refused)
    );
    assert!(app.hold_visit(&id, SUMMARY).is_err(), "recorded once");
}

#[test]
fn an_inspection_is_not_a_visit() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app(dir.path());
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();
    let e = app.visit(&id).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("is not a preventive visit"), "{e:?}");
    assert!(app.hold_visit(&id, SUMMARY).is_err());
    assert_eq!(chain_len(&app), 0);
    let card = app.assignments().unwrap().pop().unwrap();
    assert!(!card.preventive_visit);
    assert_eq!(card.visit_outcome, None);
}

/// A server for the sync: an empty pull, and a receipt signed with `key` for every record
/// pushed (kept in `pushed`); while `online` is false it drops every connection unanswered.
fn receipting_server(
    key: DeviceKey,
    online: Arc<AtomicBool>,
    pushed: Arc<Mutex<Vec<Value>>>,
) -> impl Fn(&str, &[u8]) -> Option<Canned> + Send + Sync + 'static {
    #[derive(serde::Deserialize)]
    struct Push {
        records: Vec<Box<serde_json::value::RawValue>>,
    }
    move |head, body| {
        if !online.load(Ordering::SeqCst) {
            return None;
        }
        if head.starts_with("get /api/v1/sync/pull") {
            return Some(Canned::json(
                200,
                json!({"cursor": "c1", "more": false, "reset": false, "assignments": [],
                       "checklists": [], "removed": [], "calendar": [],
                       "server_time": Timestamp::now().to_string()}),
            ));
        }
        if !head.starts_with("post /api/v1/sync/push") {
            return Some(Canned::problem(404, "not-found", "no such endpoint"));
        }
        let push: Push = serde_json::from_slice(body).expect("a push body");
        let mut log = pushed.lock().unwrap();
        let mut results = Vec::new();
        for raw in push.records {
            let record = parse_unverified(raw.get().as_bytes()).expect("a record");
            let receipt = Receipt {
                record: record.hash,
                index: log.len() as u64,
                received_at: Timestamp::now(),
            }
            .sign(&key)
            .unwrap();
            let receipt: Value = serde_json::from_slice(&receipt.bytes).unwrap();
            results.push(
                json!({"id": record.id.to_string(), "status": "accepted", "receipt": receipt}),
            );
            log.push(serde_json::from_str(raw.get()).unwrap());
        }
        Some(Canned::json(200, json!({ "results": results })))
    }
}

#[tokio::test]
async fn a_visit_recorded_offline_is_done_at_once_and_receipted_by_the_next_sync() {
    let server_key = DeviceKey::generate();
    let public = server_key.public_key();
    let online = Arc::new(AtomicBool::new(false));
    let pushed = Arc::new(Mutex::new(Vec::new()));
    let server = serve_with(receipting_server(
        server_key,
        Arc::clone(&online),
        Arc::clone(&pushed),
    ))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app_on(dir.path(), &server.url, public, as_visit);
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();

    let signed: RecordView = app.hold_visit(&id, SUMMARY).unwrap();
    // No network: the sync fails, the visit is done all the same and its record waits.
    let status = app.sync_now().await.unwrap();
    assert!(status.last_error.is_some(), "{status:?}");
    assert_eq!(status.pending, 1);
    let done = app.visit(&id).unwrap().visit.unwrap();
    assert_eq!(
        (done.outcome, done.record.state),
        (VisitOutcome::Held, RecordStateView::Pending)
    );
    assert!(pushed.lock().unwrap().is_empty());

    online.store(true, Ordering::SeqCst);
    let status = app.sync_now().await.unwrap();
    assert_eq!(status.last_error, None, "{status:?}");
    assert_eq!((status.pending, status.receipted), (0, 1));
    let done = app.visit(&id).unwrap().visit.unwrap();
    assert_eq!(done.record.state, RecordStateView::Receipted);
    let pushed = pushed.lock().unwrap();
    assert_eq!(pushed.len(), 1);
    let record = &pushed[0];
    assert_eq!(record["id"], signed.id.as_str());
    assert_eq!(record["kind"], RecordKind::PreventiveVisit.as_str());
    assert_eq!(record["seq"], 1);
    assert_eq!(record["body"]["inspection"], id.as_str());
    assert_eq!(record["body"]["summary"], SUMMARY);
    assert_eq!(record["body"]["mandatory"], true);
}
