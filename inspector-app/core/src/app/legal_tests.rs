//! The documents' legal contents offline: warnings (ст.49) only outside interaction and citing
//! each requirement, the act (ст.87) with its ЕРКНМ number and each violation's unit and
//! remedy, the order (п.1 ч.2 ст.90) after the act, interaction time (ст.73), and records
//! signed in the old shapes still listed and shown.

use knd_shared::calendar::iso_date;
use knd_shared::record::Timestamp;
use knd_shared::record::kinds::RecordKind;
use serde_json::{Map, Value, json};
use time::Duration;

use super::tests::{ERKNM, PIN, SUBJECT, chain_len, field_app, field_app_with};
use super::views::{
    AcknowledgementInput, ActInput, FindingResultView, InteractionLevel, MeasureInput,
    NotCheckedInput, OrderInput, RemedyInput, ViolationInput, WarningRequirementInput,
};
use super::{App, ErrorKind};

pub(super) fn set(key: &'static str, value: Value) -> impl FnOnce(&mut Value) {
    move |a| {
        a[key] = value;
    }
}

fn body(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!("a body is an object"),
    }
}

/// Signs `records` directly in the store with the profile's key, as an older app would have.
pub(super) fn sign_raw(app: &App, records: Vec<(RecordKind, Value)>) {
    let key = app.check_pin(PIN).unwrap();
    let records = records.into_iter().map(|(k, v)| (k, body(v))).collect();
    app.store().create_records(&key, records).unwrap();
}

pub(super) fn last_body(app: &App, kind: &str) -> Value {
    let rows = app.store().recent_records(50).unwrap();
    let row = rows.into_iter().find(|r| r.kind == kind).unwrap();
    Value::Object(row.body)
}

pub(super) fn finding(app: &App, id: &str, item: &str, result: FindingResultView) {
    app.record_finding(id, item, result, None, vec![], None, None)
        .unwrap();
}

fn cite(requirement: &str, legal_act: &str, unit: &str) -> WarningRequirementInput {
    WarningRequirementInput {
        requirement: requirement.into(),
        legal_act: legal_act.into(),
        unit: unit.into(),
    }
}

fn measure(what: &str, by: Option<&str>) -> MeasureInput {
    MeasureInput {
        what: what.into(),
        by: by.map(str::to_owned),
    }
}

#[test]
fn warnings_cite_each_requirement_and_are_issued_only_without_interaction() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app_with(dir.path(), set("kind", json!("observation")));
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();
    assert!(app.inspection(&id).unwrap().warning_allowed);
    let r1 = || cite("R1", "ППР 1479", "п. 60");
    let m = || measure("Перезарядить огнетушители", None);
    let text = "Может привести к нарушению п. 60 ППР";
    // (requirements, text, measures, why it is refused)
    let refused = [
        (vec![], text, vec![m()], "no requirement"),
        (
            vec![cite("R1", "", "п. 60")],
            text,
            vec![m()],
            "no legal act",
        ),
        (
            vec![cite("R1", "ППР 1479", " ")],
            text,
            vec![m()],
            "no unit",
        ),
        (
            vec![cite("", "ППР 1479", "п. 60")],
            text,
            vec![m()],
            "no requirement named",
        ),
        (vec![r1()], text, vec![], "no measure"),
        (
            vec![r1()],
            text,
            vec![measure(" ", None)],
            "a blank measure",
        ),
        (
            vec![r1()],
            text,
            vec![measure("", Some("2099-01-01"))],
            "a date without a measure",
        ),
        (vec![r1()], "  ", vec![m()], "no conduct described"),
        (
            vec![r1()],
            text,
            vec![measure("x", Some("2020-01-01"))],
            "a past date",
        ),
        (
            vec![r1()],
            text,
            vec![measure("x", Some("01.02.2099"))],
            "not an ISO date",
        ),
    ];
    for (requirements, text, measures, why) in refused {
        let err = app
            .issue_warning(&id, requirements, text, measures)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{why}: {err}");
        assert!(
            err.message.contains(" / "),
            "{why}: Russian, then English: {err}"
        );
    }
    assert_eq!(chain_len(&app), 0, "refused warnings sign nothing");

    let w = app
        .issue_warning(
            &id,
            vec![r1(), cite("", "", "")],
            text,
            vec![
                m(),
                measure("Провести инструктаж", Some("2099-01-01")),
                measure("", None),
            ],
        )
        .unwrap();
    assert_eq!(w.kind, "warning");
    let b = last_body(&app, "warning");
    assert_eq!(
        b["requirements"],
        json!([{"requirement": "R1", "legal_act": "ППР 1479", "unit": "п. 60"}])
    );
    assert_eq!(
        b["measures"],
        json!([{"what": "Перезарядить огнетушители"}, {"what": "Провести инструктаж", "by": "2099-01-01"}])
    );

    // A measure with interaction (or one whose kind the device does not know) gets no warning.
    for kind in [json!("field_check"), json!("raid"), Value::Null] {
        let dir = tempfile::tempdir().unwrap();
        let (app, inspection, _) = field_app_with(dir.path(), set("kind", kind.clone()));
        let id = inspection.to_string();
        app.unlock(PIN).unwrap();
        assert!(!app.inspection(&id).unwrap().warning_allowed, "{kind}");
        let err = app
            .issue_warning(&id, vec![r1()], text, vec![m()])
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{kind}: {err}");
        assert!(err.message.contains("взаимодейств"), "{err}");
        assert_eq!(chain_len(&app), 0);
    }
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app_with(dir.path(), set("kind", json!("field_survey")));
    app.unlock(PIN).unwrap();
    app.issue_warning(&inspection.to_string(), vec![r1()], text, vec![m()])
        .unwrap();
}

/// The act with `violations`, every item left unanswered listed as not checked with a reason.
pub(super) fn act_input(app: &App, id: &str, violations: Vec<ViolationInput>) -> ActInput {
    ActInput {
        summary: "Выявлено нарушение".into(),
        present: vec![],
        acknowledgement: AcknowledgementInput::Acknowledged,
        violations,
        not_checked: app
            .act_draft(id)
            .map(|d| d.unanswered)
            .unwrap_or_default()
            .into_iter()
            .map(|u| NotCheckedInput {
                item: u.item,
                reason: "помещение закрыто, ключа нет".into(),
            })
            .collect(),
    }
}

fn remedied(finding: &str, remedied: bool) -> ViolationInput {
    ViolationInput {
        finding: finding.into(),
        remedied,
        legal_act: None,
        unit: None,
    }
}

#[test]
fn the_act_carries_the_erknm_number_and_says_per_violation_whether_it_was_remedied() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app(dir.path());
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();
    // Item 3's requirement cites no unit: the inspector types it in the act.
    let mut checklist = app.store().checklist("fire/main").unwrap().unwrap();
    checklist["items"][2]["requirement"]["article"] = Value::Null;
    app.store().put_checklist("fire/main", &checklist).unwrap();
    finding(&app, &id, "1", FindingResultView::Violation);
    finding(&app, &id, "2", FindingResultView::Violation);
    finding(&app, &id, "3", FindingResultView::Violation);
    let draft = app.act_draft(&id).unwrap();
    let f: Vec<String> = draft.violations.iter().map(|v| v.finding.clone()).collect();
    assert_eq!(draft.violations[2].unit, None);
    assert_eq!(draft.violations[2].legal_act.as_deref(), Some("ППР 1479"));
    let typed = |unit: &str| ViolationInput {
        unit: Some(unit.into()),
        ..remedied(&f[2], false)
    };
    let before = chain_len(&app);
    // (violations as the inspector answered them, why it is refused)
    let refused = [
        (
            vec![remedied(&f[0], true), remedied(&f[1], false)],
            "no answer for the third",
        ),
        (
            vec![
                remedied(&f[0], true),
                remedied(&f[1], false),
                remedied(&f[2], false),
            ],
            "the third has no unit",
        ),
        (
            vec![remedied(&f[0], true), remedied(&f[1], false), typed(" ")],
            "a blank unit",
        ),
        (vec![], "no answer at all"),
        (
            vec![
                remedied(&f[0], true),
                remedied(&f[1], false),
                typed("п. 6"),
                remedied("0192f3a0-7c1e-7d2a-9b1e-3f6a1c2b4d01", true),
            ],
            "a violation the draft does not have",
        ),
    ];
    for (violations, why) in refused {
        let err = app
            .sign_act(&id, act_input(&app, &id, violations), PIN)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{why}: {err}");
    }
    assert_eq!(chain_len(&app), before);
    assert_eq!(
        app.status().unwrap().failures,
        0,
        "refused before the PIN is checked"
    );

    let answers = vec![remedied(&f[0], true), remedied(&f[1], false), typed("п. 6")];
    app.sign_act(&id, act_input(&app, &id, answers), PIN)
        .unwrap();
    let b = last_body(&app, "act");
    assert_eq!(b["erknm"], ERKNM);
    let v = &b["violations"];
    assert_eq!(
        (v[0]["unit"].clone(), v[0]["remedied"].clone()),
        (json!("п. 60"), json!(true))
    );
    assert_eq!(
        (v[1]["unit"].clone(), v[1]["remedied"].clone()),
        (json!("п. 27"), json!(false))
    );
    assert_eq!(
        (v[2]["unit"].clone(), v[2]["legal_act"].clone()),
        (json!("п. 6"), json!("ППР 1479"))
    );
    let screen = app.inspection(&id).unwrap();
    let contents = screen.act_contents.unwrap();
    assert_eq!(contents.erknm.as_deref(), Some(ERKNM));
    assert_eq!(contents.violations[0].remedied, Some(true));
    assert!(screen.order_due, "two violations are left to remedy");
}

#[test]
fn no_act_without_an_erknm_number_nor_while_an_interaction_is_under_way() {
    for erknm in [Value::Null, json!(""), json!("77260000000100000001")] {
        let dir = tempfile::tempdir().unwrap();
        let registered = erknm.as_str().is_some_and(|s| !s.is_empty());
        let (app, inspection, _) = field_app_with(dir.path(), set("erknm", erknm));
        let id = inspection.to_string();
        app.unlock(PIN).unwrap();
        finding(&app, &id, "1", FindingResultView::Compliant);
        assert_eq!(app.act_draft(&id).unwrap().erknm.is_some(), registered);
        assert_eq!(app.inspection(&id).unwrap().erknm.is_some(), registered);
        app.start_interaction(&id, None).unwrap();
        let err = app
            .sign_act(&id, act_input(&app, &id, vec![]), PIN)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        let expected = if registered {
            "взаимодействие"
        } else {
            "ЕРКНМ"
        };
        assert!(err.message.contains(expected), "{err}");
        app.stop_interaction(&id).unwrap();
        let signed = app.sign_act(&id, act_input(&app, &id, vec![]), PIN);
        assert_eq!(signed.is_ok(), registered, "{signed:?}");
    }
}

fn remedy(requirement: &str, unit: &str, deadline: &str) -> RemedyInput {
    RemedyInput {
        requirement: requirement.into(),
        legal_act: "ППР 1479".into(),
        unit: unit.into(),
        measure: "Заменить огнетушители".into(),
        deadline: deadline.into(),
    }
}

fn order(remedies: Vec<RemedyInput>) -> OrderInput {
    OrderInput { remedies }
}

#[test]
fn the_order_follows_the_act_names_it_and_gives_later_deadlines_once() {
    let dir = tempfile::tempdir().unwrap();
    let (app, inspection, _) = field_app(dir.path());
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();
    finding(&app, &id, "1", FindingResultView::Violation);
    finding(&app, &id, "2", FindingResultView::Violation);
    let later = "2099-01-01";
    for err in [
        app.order_draft(&id).unwrap_err(),
        app.sign_order(&id, order(vec![remedy("R1", "п. 60", later)]), PIN)
            .unwrap_err(),
    ] {
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert!(err.message.contains("после подписания акта"), "{err}");
    }
    let f: Vec<String> = app
        .act_draft(&id)
        .unwrap()
        .violations
        .into_iter()
        .map(|v| v.finding)
        .collect();
    let act = app
        .sign_act(
            &id,
            act_input(
                &app,
                &id,
                vec![remedied(&f[0], false), remedied(&f[1], true)],
            ),
            PIN,
        )
        .unwrap();

    let draft = app.order_draft(&id).unwrap();
    assert_eq!(draft.act, act.id);
    assert_eq!(draft.erknm.as_deref(), Some(ERKNM));
    assert_eq!(
        draft.remedies.len(),
        1,
        "the remedied violation needs no order"
    );
    assert_eq!(draft.remedies[0].requirement, "R1");
    assert_eq!(draft.remedies[0].unit.as_deref(), Some("п. 60"));
    assert_eq!(
        draft.remedies[0].requirement_text.as_deref(),
        Some("Огнетушители в наличии и исправны")
    );
    // The order's date is today in the agency's zone (Europe/Moscow in the assignment).
    let today = super::assignment::local_date("Europe/Moscow", Timestamp::now()).unwrap();
    assert_eq!(draft.issued_on, iso_date::format(today));
    let day = |d: i64| iso_date::format(today + Duration::days(d));

    let before = chain_len(&app);
    // (remedies, why it is refused)
    let refused = [
        (
            vec![remedy("R1", "п. 60", &day(0))],
            "a deadline on the order's date",
        ),
        (
            vec![remedy("R1", "п. 60", &day(-1))],
            "a deadline before it",
        ),
        (vec![remedy("R1", "", &day(30))], "no unit"),
        (
            vec![remedy("R2", "п. 27", &day(30))],
            "a violation remedied during the inspection",
        ),
        (
            vec![remedy("R9", "п. 1", &day(30))],
            "a requirement the act does not name",
        ),
        (vec![remedy("R1", "п. 60", "01.02.2099")], "not an ISO date"),
        (vec![], "no remedy"),
    ];
    for (remedies, why) in refused {
        let err = app.sign_order(&id, order(remedies), PIN).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput, "{why}: {err}");
    }
    assert_eq!(chain_len(&app), before);
    let wrong = app
        .sign_order(&id, order(vec![remedy("R1", "п. 60", &day(1))]), "1111")
        .unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::WrongPin, "the PIN is asked again");

    let signed = app
        .sign_order(&id, order(vec![remedy("R1", "п. 60", &day(1))]), PIN)
        .unwrap();
    assert_eq!(signed.kind, "order");
    let b = last_body(&app, "order");
    assert_eq!(b["act"], act.id.as_str());
    assert_eq!(b["subject"], SUBJECT);
    assert_eq!(b["remedies"][0]["unit"], "п. 60");
    assert_eq!(b["remedies"][0]["deadline"], day(1));
    let screen = app.inspection(&id).unwrap();
    assert_eq!(screen.order.map(|o| o.id), Some(signed.id));
    assert!(!screen.order_due);

    let err = app
        .sign_order(&id, order(vec![remedy("R1", "п. 60", &day(2))]), PIN)
        .unwrap_err();
    assert!(err.message.contains("уже выдано"), "a second order: {err}");
    // Everything else stays closed after the act.
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
    assert_eq!(
        app.start_interaction(&id, None).unwrap_err().kind,
        ErrorKind::InvalidInput
    );
    assert_eq!(
        app.sign_act(&id, act_input(&app, &id, vec![]), PIN)
            .unwrap_err()
            .kind,
        ErrorKind::InvalidInput
    );
    app.store().verify_chain().unwrap();
}

#[test]
fn an_act_with_every_violation_remedied_offers_no_order_and_one_without_time_zone_none() {
    for (remedied_all, tz) in [(true, json!("Europe/Moscow")), (false, Value::Null)] {
        let dir = tempfile::tempdir().unwrap();
        let (app, inspection, _) = field_app_with(dir.path(), set("time_zone", tz));
        let id = inspection.to_string();
        app.unlock(PIN).unwrap();
        finding(&app, &id, "1", FindingResultView::Violation);
        let f = app.act_draft(&id).unwrap().violations[0].finding.clone();
        app.sign_act(
            &id,
            act_input(&app, &id, vec![remedied(&f, remedied_all)]),
            PIN,
        )
        .unwrap();
        assert_eq!(app.inspection(&id).unwrap().order_due, !remedied_all);
        let err = app.order_draft(&id).unwrap_err();
        let expected = if remedied_all {
            "не требуется"
        } else {
            "часового пояса"
        };
        assert!(err.message.contains(expected), "{err}");
    }
}

#[test]
fn records_and_assignments_in_the_old_shapes_still_list_and_show() {
    let dir = tempfile::tempdir().unwrap();
    // An assignment pulled before grounds, ЕРКНМ, subjects, limits and time zones.
    let (app, inspection, _) = field_app_with(dir.path(), |a| {
        let a = a.as_object_mut().unwrap();
        for key in [
            "ground",
            "ground_name",
            "erknm",
            "prosecutor_agreement",
            "subjects",
            "interaction_limit_hours",
            "time_zone",
        ] {
            a.remove(key);
        }
    });
    let id = inspection.to_string();
    app.unlock(PIN).unwrap();
    let finding_id = knd_shared::RecordId::new().to_string();
    sign_raw(
        &app,
        vec![
            (RecordKind::InspectionStarted, json!({"inspection": id})),
            (
                RecordKind::Warning,
                json!({"subject": SUBJECT, "inspection": id,
                "requirements": ["ППР-1479 п.60"], "text": "старое предостережение",
                "measures": [{"what": "m", "by": "2026-04-01"}]}),
            ),
            (
                RecordKind::Act,
                json!({"inspection": id, "summary": "старый акт", "findings": [finding_id],
                "violations": [{"requirement": "R1", "legal_act": "ППР 1479, п. 60", "finding": finding_id}],
                "present": [], "acknowledgement": "absent"}),
            ),
            (
                RecordKind::Order,
                json!({"inspection": id, "subject": SUBJECT,
                "remedies": [{"requirement": "R1", "measure": "m", "deadline": "2026-05-01"}]}),
            ),
        ],
    );
    let screen = app.inspection(&id).unwrap();
    assert_eq!(screen.warnings.len(), 1);
    assert!(
        screen.warnings[0]
            .summary
            .contains("старое предостережение")
    );
    assert!(screen.act.is_some());
    let contents = screen.act_contents.unwrap();
    assert_eq!(contents.erknm, None);
    assert_eq!(contents.violations[0].unit, None);
    assert_eq!(contents.violations[0].remedied, None);
    let order = screen.order.unwrap();
    assert!(order.summary.contains("01.05.2026"), "{}", order.summary);
    assert!(
        order.summary_en.contains("01/05/2026"),
        "{}",
        order.summary_en
    );
    assert!(!screen.order_due, "an order is already signed");
    assert_eq!(screen.ground_name, None);
    assert_eq!(screen.basis, "planned");
    assert_eq!(screen.erknm, None);
    assert_eq!(screen.prosecutor_agreement, None);
    assert_eq!(screen.subjects.len(), 1);
    assert_eq!(screen.subjects[0].inn, SUBJECT);
    let interaction = screen.interaction.unwrap();
    assert_eq!(interaction.limit_minutes, None);
    assert_eq!(interaction.level, InteractionLevel::Within);
    assert_eq!(app.records(Some(&id)).unwrap().len(), 4);
    assert_eq!(app.records(None).unwrap().len(), 4);
    assert_eq!(app.assignments().unwrap().len(), 1);
    assert!(
        app.order_draft(&id)
            .unwrap_err()
            .message
            .contains("уже выдано")
    );
    app.store().verify_chain().unwrap();
}
