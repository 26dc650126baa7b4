//! Evidence that cannot mislead, offline: a damaged photo and a photo from another time and
//! place are shown to the inspector before anything is signed and, if kept, carry their
//! warnings in the record; an act is never signed over unanswered items, and its document view
//! says everything it says.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::legal_tests::{act_input, finding, last_body};
use super::tests::{PIN, chain_len, field_app, field_app_with};
use super::views::{FindingResultView, NotCheckedInput, RecordStateView};
use super::{App, ErrorKind};
use crate::photo::tests::{damaged_scan, photo};

fn files(app_dir: &std::path::Path) -> usize {
    std::fs::read_dir(app_dir.join(crate::store::PHOTOS_DIR))
        .map(|d| d.count())
        .unwrap_or(0)
}

fn add(app: &App, id: &str, bytes: &[u8], keep: bool) -> super::views::PhotoOutcome {
    let accepted = if keep {
        super::all_photo_warnings()
    } else {
        vec![]
    };
    add_accepting(app, id, bytes, accepted)
}

fn add_accepting(
    app: &App,
    id: &str,
    bytes: &[u8],
    accepted: Vec<String>,
) -> super::views::PhotoOutcome {
    app.add_photo(id, &STANDARD.encode(bytes), None, accepted)
        .unwrap()
}

#[test]
fn a_damaged_photo_is_refused_unless_the_inspector_insists_and_then_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app(dir.path());
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();

    let first = add(&app, &id, &damaged_scan(), false);
    assert!(
        first.added.is_none(),
        "not recorded before the inspector sees why"
    );
    assert_eq!(first.warnings.len(), 1);
    assert_eq!(first.warnings[0].kind, "damaged");
    assert!(
        first.warnings[0]
            .reason
            .as_deref()
            .is_some_and(|r| !r.is_empty())
    );
    assert_eq!(chain_len(&app), 0, "nothing signed, not even the start");
    assert_eq!(files(dir.path()), 0, "nothing written");

    let kept = add(&app, &id, &damaged_scan(), true);
    let added = kept.added.expect("kept when the inspector insists");
    let sha = added.sha256.clone();
    assert_eq!(added.warnings.len(), 1);
    assert_eq!(added.warnings[0].kind, "damaged");
    let body = last_body(&app, "photo");
    assert_eq!(body["warnings"][0]["kind"], "damaged", "{body}");
    // The full-size view serves the very bytes that were signed, and refuses a file altered since.
    let original = app.photo_original(&added.sha256).unwrap();
    assert!(original.starts_with("data:image/jpeg;base64,"));
    assert_eq!(
        STANDARD
            .decode(&original["data:image/jpeg;base64,".len()..])
            .unwrap(),
        damaged_scan()
    );
    let row = app.store().photo(&added.sha256).unwrap().unwrap();
    std::fs::write(dir.path().join(&row.path), b"swapped").unwrap();
    assert_eq!(
        app.photo_original(&added.sha256).unwrap_err().kind,
        ErrorKind::Internal
    );
    // The inspection screen shows the mark too.
    let screen = app.inspection(&id).unwrap();
    assert_eq!(screen.photos[0].warnings[0].kind, "damaged");

    // The act shows the mark beside the finding the photo belongs to.
    app.record_finding(
        &id,
        "1",
        FindingResultView::Violation,
        None,
        vec![sha],
        None,
        None,
    )
    .unwrap();
    finding(&app, &id, "2", FindingResultView::Compliant);
    finding(&app, &id, "3", FindingResultView::Compliant);
    let mut act = act_input(&app, &id, vec![]);
    act.violations = vec![super::views::ViolationInput {
        finding: app.act_draft(&id).unwrap().violations[0].finding.clone(),
        remedied: false,
        legal_act: None,
        unit: None,
    }];
    // A sound photo with nothing to say is recorded at once, with no warnings in its body.
    let sound = add(&app, &id, &photo("image00971.jpg"), false);
    assert!(sound.added.is_some() && sound.warnings.is_empty());
    assert!(last_body(&app, "photo").get("warnings").is_none());
    app.sign_act(&id, act, PIN).unwrap();
    let doc = app.act_document(&id).unwrap();
    let marked = doc.findings.iter().find(|f| f.item.item == "1").unwrap();
    assert_eq!(marked.photo_warnings[0].kind, "damaged");
    assert!(
        doc.findings
            .iter()
            .filter(|f| f.item.item != "1")
            .all(|f| f.photo_warnings.is_empty())
    );
}

#[test]
fn a_photo_from_another_time_and_place_is_flagged_before_it_is_signed() {
    let dir = tempfile::tempdir().unwrap();
    // The object is in Yaroslavl and the inspection in March 2026; DSCN0010 was taken in
    // Tuscany in October 2008.
    let (app, inspection, _) = field_app_with(dir.path(), |a| {
        a["starts_on"] = json!("2026-03-02");
        a["ends_on"] = json!("2026-03-13");
        a["objects"][0]["address"] = json!("Ярославль, ул. Свободы, 2");
        a["objects"][0]["lat_e7"] = json!(576_261_000);
        a["objects"][0]["lon_e7"] = json!(398_845_000);
    });
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();

    let seen = add(&app, &id, &photo("DSCN0010.jpg"), false);
    assert!(seen.added.is_none());
    let kinds: Vec<&str> = seen.warnings.iter().map(|w| w.kind.as_str()).collect();
    assert_eq!(kinds, ["taken_outside_dates", "far_from_object"]);
    let when = &seen.warnings[0];
    assert_eq!(when.taken_at.as_deref(), Some("2008-10-22T16:28:39.000Z"));
    assert_eq!(
        (when.from.as_deref(), when.to.as_deref()),
        (Some("2026-03-02"), Some("2026-03-13"))
    );
    let place = &seen.warnings[1];
    assert!(place.distance_m.is_some_and(|d| d > 2_000_000), "{place:?}");
    assert_eq!(place.object.as_deref(), Some("OBJ-1"));
    assert_eq!(
        place.object_address.as_deref(),
        Some("Ярославль, ул. Свободы, 2")
    );
    assert_eq!(chain_len(&app), 0);

    // Accepting what was not all shown signs nothing: the far-away warning was not accepted.
    let half = add_accepting(
        &app,
        &id,
        &photo("DSCN0010.jpg"),
        vec!["taken_outside_dates".into()],
    );
    assert!(half.added.is_none() && half.warnings.len() == 2);
    assert_eq!(chain_len(&app), 0);
    let kept = add(&app, &id, &photo("DSCN0010.jpg"), true);
    assert_eq!(kept.added.unwrap().warnings.len(), 2);
    let body = last_body(&app, "photo");
    let warnings = body["warnings"].as_array().unwrap();
    assert_eq!(warnings[0]["kind"], "taken_outside_dates");
    assert_eq!(warnings[0]["from"], "2026-03-02");
    assert_eq!(warnings[1]["kind"], "far_from_object");
    assert_eq!(warnings[1]["object"], "OBJ-1");
}

#[test]
fn an_act_is_not_signed_over_unanswered_items_and_never_claims_what_was_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app(dir.path());
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();

    // Nothing answered (0 of 3).
    let draft = app.act_draft(&id).unwrap();
    assert_eq!((draft.total, draft.unanswered.len()), (3, 3));
    assert!(
        !draft.summary.contains("не выявлено"),
        "no compliance claimed for nothing checked: {}",
        draft.summary
    );
    assert!(draft.summary.contains("Ни один пункт"), "{}", draft.summary);
    let mut bare = act_input(&app, &id, vec![]);
    bare.not_checked.clear();
    let err = app.sign_act(&id, bare.clone(), PIN).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert!(err.message.contains("1, 2, 3"), "{err}");
    // A reason left blank does not count; an item that is not unanswered is refused.
    let mut blank = bare.clone();
    blank.not_checked = ["1", "2", "3"]
        .map(|i| NotCheckedInput {
            item: i.into(),
            reason: if i == "2" {
                " ".into()
            } else {
                "закрыто".into()
            },
        })
        .into();
    assert!(
        app.sign_act(&id, blank, PIN)
            .unwrap_err()
            .message
            .contains("(2)")
    );
    let mut stray = act_input(&app, &id, vec![]);
    stray.not_checked.push(NotCheckedInput {
        item: "9".into(),
        reason: "нет".into(),
    });
    assert_eq!(
        app.sign_act(&id, stray, PIN).unwrap_err().kind,
        ErrorKind::InvalidInput
    );
    assert_eq!(chain_len(&app), 0, "nothing signed");

    // One answered, two not checked: compliance only "по проверенным пунктам".
    finding(&app, &id, "1", FindingResultView::Compliant);
    let draft = app.act_draft(&id).unwrap();
    assert!(
        draft.summary.contains("Не проверено пунктов: 2")
            && draft.summary.contains("По проверенным пунктам нарушений"),
        "{}",
        draft.summary
    );
    let mut act = act_input(&app, &id, vec![]);
    act.summary = draft.summary.clone();
    app.sign_act(&id, act, PIN).unwrap();
    let body = last_body(&app, "act");
    let listed: Vec<&str> = body["not_checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["item"].as_str().unwrap())
        .collect();
    assert_eq!(listed, ["2", "3"]);

    // The document shows the whole act.
    let doc = app.act_document(&id).unwrap();
    assert_eq!(doc.summary, draft.summary);
    assert_eq!(doc.findings.len(), 1);
    assert_eq!(doc.findings[0].item.question, "Огнетушители в наличии?");
    assert_eq!(doc.not_checked.len(), 2);
    assert_eq!(doc.not_checked[0].item.question, "Выходы свободны?");
    assert_eq!(doc.not_checked[0].reason, "помещение закрыто, ключа нет");
    assert_eq!(doc.state, RecordStateView::Pending);
    assert!(doc.receipt.is_none(), "not synced yet");
    assert_eq!(doc.hash.len(), 64);
    assert_eq!(doc.device_name, "Планшет 3");
    assert_eq!(doc.erknm.as_deref(), Some(super::tests::ERKNM));
    assert_eq!(
        serde_json::to_value(&doc).unwrap()["acknowledgement"],
        Value::from("acknowledged")
    );
}

#[test]
fn there_is_no_act_document_before_the_act() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app(dir.path());
    app.unlock(PIN).unwrap();
    assert_eq!(
        app.act_document(&inspection.to_string()).unwrap_err().kind,
        ErrorKind::NotFound
    );
}
