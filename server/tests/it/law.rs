//! The law as the server enforces it (248-FZ and its decrees): the grounds of ч.1 ст.57 and the
//! prosecutor's agreement, the moratorium on planned inspections, categories the control type
//! does not use, the ЕРКНМ number, a raid's several controlled persons, the interaction hours of
//! a small or micro enterprise, and old inspections migrated to grounds.

use std::time::Duration;

use knd_shared::record::RecordKind;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Backend, TestServer};
use crate::field::{Field, OTHER_SUBJECT, SUBJECT, field};
use crate::on_both;

#[track_caller]
fn check_refusal(st: u16, v: &Value, case: &Value, expected: u16, words: &str) {
    assert_eq!(st, expected, "{case}: {v}");
    if expected >= 400 {
        let detail = v["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(words),
            "{case}: {words:?} not in {detail:?}"
        );
    }
}

async fn grounds_and_the_prosecutors_agreement(backend: Backend) {
    let f = field(backend).await;
    let me = f.w.inspector_id.as_str();
    let agreed = json!({"reference": "решение прокуратуры № 7-1-2026", "date": "2026-11-25"});
    let visit = |extra: Value| {
        let mut v = json!({"kind": "inspection_visit", "ends_on": "2026-12-01", "checklist": null});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let cases: Vec<(Value, u16, &str)> = vec![
        (json!({"ground": "unspecified"}), 422, "укажите основание"),
        (json!({"ground": "planned"}), 422, "ground"),
        (
            json!({"ground": "plan", "kind": "observation", "checklist": null}),
            422,
            "не проводится в плановом порядке",
        ),
        (
            json!({"ground": "plan", "kind": "field_survey", "checklist": null}),
            422,
            "a field survey is never planned",
        ),
        // п.1: a field check and an inspection visit need the prosecutor's agreement.
        (
            json!({"ground": "harm_or_risk_indicator"}),
            422,
            "по согласованию с прокуратурой",
        ),
        (
            visit(json!({"ground": "harm_or_risk_indicator"})),
            422,
            "needs the prosecutor's agreement",
        ),
        (
            json!({"ground": "harm_or_risk_indicator",
                   "prosecutor_agreement": {"reference": "№ 7-1", "date": "2026-12-02"}}),
            422,
            "позже начала проверки",
        ),
        (
            json!({"ground": "harm_or_risk_indicator",
                   "prosecutor_agreement": {"reference": " ", "date": "2026-11-25"}}),
            422,
            "реквизиты",
        ),
        (
            json!({"ground": "harm_or_risk_indicator", "prosecutor_agreement": agreed}),
            201,
            "",
        ),
        (
            visit(json!({"ground": "harm_or_risk_indicator", "prosecutor_agreement": agreed})),
            201,
            "",
        ),
        // A document check on п.1 needs no agreement; nor do the other grounds.
        (
            json!({"ground": "harm_or_risk_indicator", "kind": "document_check"}),
            201,
            "",
        ),
        (json!({"ground": "instruction"}), 201, ""),
        (json!({"ground": "prosecutor_demand"}), 201, ""),
        (json!({"ground": "order_deadline"}), 201, ""),
        (json!({"ground": "programme_event"}), 201, ""),
        (json!({"ground": "other", "note": "п.7 ч.1 ст.57"}), 201, ""),
        (json!({"ground": "plan"}), 201, ""),
        (
            json!({"ground": "plan", "kind": "observation", "checklist": null, "status": "draft"}),
            422,
            "never planned",
        ),
    ];
    for (extra, expected, words) in &cases {
        let (st, v) = f
            .inspection(SUBJECT, &["OBJ-1"], &[me], extra.clone())
            .await;
        check_refusal(st, &v, extra, *expected, words);
        if st == 201 {
            assert_eq!(v["ground"], extra["ground"], "{v}");
            let planned = extra["ground"] == "plan";
            assert_eq!(v["basis"], if planned { "planned" } else { "unplanned" });
            assert!(
                v["ground_name"].as_str().unwrap().contains("ч.1 ст.57"),
                "{v}"
            );
        }
    }
    // A draft on п.1 may wait for the agreement; scheduling it may not.
    let (st, draft) = f
        .inspection(
            SUBJECT,
            &["OBJ-1"],
            &[me],
            json!({"ground": "harm_or_risk_indicator", "status": "draft"}),
        )
        .await;
    assert_eq!(st, 201, "{draft}");
    let id = draft["id"].as_str().unwrap();
    let (st, v) = f.set_status(id, "scheduled", None).await;
    check_refusal(st, &v, &draft, 422, "согласованию с прокуратурой");
    let (st, v) = f
        .patch(id, json!({"prosecutor_agreement": agreed.clone()}))
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["prosecutor_agreement"], agreed);
    let (st, v) = f.set_status(id, "scheduled", None).await;
    assert_eq!(st, 200, "{v}");
}
on_both!(grounds_and_the_prosecutors_agreement);

async fn decide(f: &Field, key: &str, category: &str, attributes: Value) -> (u16, Value) {
    f.w.server
        .send(
            Method::PUT,
            &format!("/api/v1/objects/{key}/risk"),
            &f.w.admin,
            &json!({"category": category, "decided_on": "2026-11-20",
                    "reason": "решение о категории риска", "attributes": attributes}),
        )
        .await
}

async fn the_moratorium_is_enforced(backend: Backend) {
    let f = field(backend).await;
    let me = f.w.inspector_id.as_str();
    let plan = json!({"ground": "plan"});
    // OBJ-1 is of high risk; OBJ-2 has no category (low).
    let (st, v) = f
        .inspection(SUBJECT, &["OBJ-1", "OBJ-2"], &[me], plan.clone())
        .await;
    check_refusal(st, &v, &plan, 422, "OBJ-2: мораторий");
    assert!(
        v["detail"].as_str().unwrap().contains("«низкий риск»"),
        "{v}"
    );
    // The same objects unplanned are not the moratorium's business.
    let (st, v) = f
        .inspection(
            SUBJECT,
            &["OBJ-1", "OBJ-2"],
            &[me],
            json!({"ground": "instruction"}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    // A class II hazardous production facility may be inspected by the plan whatever its category.
    let (st, v) = decide(&f, "OBJ-2", "low", json!({"hazardous_facility_class": 2})).await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = f
        .inspection(SUBJECT, &["OBJ-1", "OBJ-2"], &[me], plan.clone())
        .await;
    assert_eq!(st, 201, "{v}");
    let (st, v) = decide(&f, "OBJ-2", "low", json!({"hazardous_facility_class": 5})).await;
    assert_eq!(st, 422, "a class is 1 to 4: {v}");
    // A school gets preventive visits, not planned inspections, even at high risk.
    let (st, v) = decide(&f, "OBJ-1", "high", json!({"education_facility": "school"})).await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = f.inspection(SUBJECT, &["OBJ-1"], &[me], plan.clone()).await;
    check_refusal(st, &v, &plan, 422, "школа");
    // A draft is not checked until it is scheduled.
    let (st, draft) = f
        .inspection(
            SUBJECT,
            &["OBJ-1"],
            &[me],
            json!({"ground": "plan", "status": "draft"}),
        )
        .await;
    assert_eq!(st, 201, "{draft}");
    let (st, v) = f
        .set_status(draft["id"].as_str().unwrap(), "scheduled", None)
        .await;
    check_refusal(st, &v, &draft, 422, "school");

    // The rule and its end date are data: a control type whose moratorium ends on 31 December
    // 2026 refuses a planned inspection of a significant-risk object on its last day and allows
    // one from the day after.
    let mut rules = knd_shared::registry::ControlTypeRules::default();
    if let Some(m) = rules.moratorium.as_mut() {
        m.last_day = knd_shared::calendar::iso_date::parse("2026-12-31").unwrap();
    }
    let (st, v) =
        f.w.server
            .send(
                Method::PUT,
                "/api/v1/control-types/fire",
                &f.w.admin,
                &json!({"name": "Пожарный надзор", "rules": rules}),
            )
            .await;
    assert_eq!(st, 200, "{v}");
    let on =
        |starts: &str, ends: &str| json!({"ground": "plan", "starts_on": starts, "ends_on": ends});
    let (st, v) = f
        .inspection(
            OTHER_SUBJECT,
            &["OBJ-3"],
            &[me],
            on("2026-12-31", "2027-01-11"),
        )
        .await;
    check_refusal(st, &v, &json!("31 December"), 422, "2026-12-31");
    let (st, v) = f
        .inspection(
            OTHER_SUBJECT,
            &["OBJ-3"],
            &[me],
            on("2027-01-11", "2027-01-15"),
        )
        .await;
    assert_eq!(st, 201, "the day after the moratorium's end: {v}");
}
on_both!(the_moratorium_is_enforced);

async fn categories_outside_the_rules_are_refused(backend: Backend) {
    let f = field(backend).await;
    let s = &f.w.server;
    let mut rules = knd_shared::registry::ControlTypeRules::default();
    use knd_shared::RiskCategory::*;
    rules.categories = vec![High, Medium, Low];
    rules
        .periodicity
        .retain(|c, _| [High, Medium, Low].contains(c));
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/control-types/consumer",
            &f.w.admin,
            &json!({"name": "Защита прав потребителей", "rules": rules}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    // The import refuses the line and keeps the good one.
    let csv = "object_key,subject_inn,control_type,address,district,lat,lon,risk_category
C-1,7707083893,consumer,Москва ул. Вавилова 19,Гагаринский,,,medium
C-2,7707083893,consumer,Москва ул. Вавилова 21,Гагаринский,,,significant
";
    let resp = s
        .http
        .post(s.url("/api/v1/import/objects"))
        .bearer_auth(&f.w.admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let report: Value = resp.json().await.unwrap();
    let refused = report["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{report}");
    assert_eq!(refused[0]["line"], 3, "{report}");
    assert!(
        refused[0]["reason"]
            .as_str()
            .unwrap()
            .contains("категория «значительный риск» не применяется"),
        "{report}"
    );
    // The form refuses it, and so does a decision; nothing changes.
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/objects/C-1",
            &f.w.admin,
            &json!({"subject_inn": SUBJECT, "control_type": "consumer", "address": "Москва",
                    "district": "Гагаринский", "risk_category": "extremely_high"}),
        )
        .await;
    check_refusal(st, &v, &json!("form"), 422, "не применяется");
    let (st, v) = decide(&f, "C-1", "significant", json!({})).await;
    check_refusal(
        st,
        &v,
        &json!("decision"),
        422,
        "allowed: low, medium, high",
    );
    let (_, list) = s.get("/api/v1/objects?limit=50", &f.w.admin).await;
    let keys: Vec<(&str, &str)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["control_type"] == "consumer")
        .map(|o| {
            (
                o["object_key"].as_str().unwrap(),
                o["risk_category"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(keys, [("C-1", "medium")], "{list}");
}
on_both!(categories_outside_the_rules_are_refused);

/// The first assignment of the device's snapshot with this id.
async fn pulled(f: &Field, id: &str) -> Value {
    let (st, page) =
        f.w.server
            .get("/api/v1/sync/pull?limit=500", &f.w.device.token)
            .await;
    assert_eq!(st, 200, "{page}");
    page["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("{id} not pulled: {page}"))
}

async fn erknm_before_the_start_and_a_raids_persons(backend: Backend) {
    let f = field(backend).await;
    let me = f.w.inspector_id.as_str();
    let (st, v) = f
        .inspection(SUBJECT, &["OBJ-1"], &[me], json!({"erknm": null}))
        .await;
    assert_eq!(st, 201, "{v}");
    let id = v["id"].as_str().unwrap();
    assert_eq!(pulled(&f, id).await["erknm"], Value::Null);
    let (st, v) = f.set_status(id, "in_progress", None).await;
    check_refusal(st, &v, &json!("start"), 422, "не внесена в ЕРКНМ");
    for bad in ["12ab", "123", " "] {
        let (st, v) = f.patch(id, json!({"erknm": bad})).await;
        check_refusal(st, &v, &json!(bad), 422, "ЕРКНМ");
    }
    let (st, v) = f.patch(id, json!({"erknm": "76202600000000000077"})).await;
    assert_eq!(st, 200, "{v}");
    let a = pulled(&f, id).await;
    assert_eq!(a["erknm"], "76202600000000000077");
    assert_eq!(a["ground"], "instruction");
    assert_eq!(a["time_zone"], "Europe/Moscow");
    let (st, v) = f.set_status(id, "in_progress", None).await;
    assert_eq!(st, 200, "{v}");

    // A raid may concern several controlled persons; no other kind may.
    let raid = json!({"kind": "raid", "other_subjects": [OTHER_SUBJECT], "ends_on": "2026-12-02"});
    let (st, v) = f
        .inspection(SUBJECT, &["OBJ-1", "OBJ-3"], &[me], raid.clone())
        .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["other_subjects"], json!([OTHER_SUBJECT]));
    let a = pulled(&f, v["id"].as_str().unwrap()).await;
    let inns: Vec<&str> = a["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["inn"].as_str().unwrap())
        .collect();
    assert_eq!(inns, [SUBJECT, OTHER_SUBJECT]);
    let (st, v) = f
        .inspection(
            SUBJECT,
            &["OBJ-1", "OBJ-3"],
            &[me],
            json!({"other_subjects": [OTHER_SUBJECT]}),
        )
        .await;
    check_refusal(st, &v, &raid, 422, "только рейдовый осмотр");
    let (st, v) = f
        .inspection(
            SUBJECT,
            &["OBJ-1", "OBJ-3"],
            &[me],
            json!({"kind": "raid", "ends_on": "2026-12-02"}),
        )
        .await;
    check_refusal(
        st,
        &v,
        &raid,
        422,
        "OBJ-3: принадлежит другому лицу / belongs to another subject",
    );
}
on_both!(erknm_before_the_start_and_a_raids_persons);

async fn flags_of(s: &TestServer, token: &str, id: &str, n: usize) -> Vec<String> {
    for _ in 0..200 {
        let (st, v) = s
            .get(&format!("/api/v1/inspections/{id}/field"), token)
            .await;
        assert_eq!(st, 200, "{v}");
        let docs = v["documents"].as_array().unwrap();
        if docs.iter().filter(|d| d["kind"] == "interaction").count() >= n {
            return v["flags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["reason"].as_str().unwrap().to_owned())
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the interactions of {id} were not projected");
}

async fn interaction_hours_of_a_small_enterprise(backend: Backend) {
    let mut f = field(backend).await;
    let me = f.w.inspector_id.clone();
    // OTHER_SUBJECT is a small enterprise: a field check allows 50 hours of interaction.
    let (st, v) = f
        .inspection(OTHER_SUBJECT, &["OBJ-3"], &[&me], json!({}))
        .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["interaction_limit_hours"], 50, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(pulled(&f, &id).await["interaction_limit_hours"], 50);
    let interval =
        |from: &str, to: &str| json!({"inspection": id, "started_at": from, "ended_at": to});
    let d = &mut f.w.device;
    let records = vec![
        d.sign(RecordKind::InspectionStarted, &json!({"inspection": id})),
        d.sign(
            RecordKind::Interaction,
            &interval("2026-12-01T06:00:00.000Z", "2026-12-02T12:00:00.000Z"),
        ),
        d.sign(
            RecordKind::Interaction,
            &interval("2026-12-03T06:00:00.000Z", "2026-12-03T20:00:00.000Z"),
        ),
        d.sign(
            RecordKind::Interaction,
            &interval("2026-12-04T06:00:00.000Z", "2026-12-04T05:00:00.000Z"),
        ),
    ];
    let (st, v) = f.w.server.push(&f.w.device, &records).await;
    assert_eq!(st, 200, "{v}");
    assert!(
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "accepted"),
        "{v}"
    );
    // 30 h, then 14 h more (44 h: within the limit), then an interval that ends before it
    // starts: nothing flagged for the limit yet.
    let flags = flags_of(&f.w.server, &f.w.admin, &id, 3).await;
    assert_eq!(flags, ["interaction_invalid"], "{flags:?}");
    let more = vec![
        f.w.device.sign(
            RecordKind::Interaction,
            &interval("2026-12-07T06:00:00.000Z", "2026-12-07T13:00:00.000Z"),
        ),
        f.w.device.sign(
            RecordKind::Interaction,
            &interval("2026-12-08T06:00:00.000Z", "2026-12-08T07:00:00.000Z"),
        ),
    ];
    let (st, v) = f.w.server.push(&f.w.device, &more).await;
    assert_eq!(st, 200, "{v}");
    // 51 h after the fourth interval: flagged once, on the interval that passed the limit.
    let mut flags = flags_of(&f.w.server, &f.w.admin, &id, 5).await;
    flags.sort();
    assert_eq!(
        flags,
        ["interaction_invalid", "interaction_limit_exceeded"],
        "{flags:?}"
    );
    // A large enterprise's field check has no such limit.
    let (_, v) = f.inspection(SUBJECT, &["OBJ-1"], &[&me], json!({})).await;
    assert_eq!(v["interaction_limit_hours"], Value::Null, "{v}");
}
on_both!(interaction_hours_of_a_small_enterprise);

async fn old_inspections_get_their_grounds(backend: Backend) {
    let f = field(backend).await;
    let me = f.w.inspector_id.as_str();
    let mut ids = Vec::new();
    for (ground, note) in [
        ("plan", "по плану"),
        ("instruction", "требование прокурора от 01.12.2026 № 7-1"),
        ("instruction", "п.5 ч.1 ст.57: истёк срок предписания"),
        ("instruction", "внеплановая проверка"),
    ] {
        let (st, v) = f
            .inspection(
                SUBJECT,
                &["OBJ-1"],
                &[me],
                json!({"ground": ground, "note": note}),
            )
            .await;
        assert_eq!(st, 201, "{v}");
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    let Field { w, .. } = f;
    let admin = w.admin.clone();
    let (dir, url) = w.server.stop().await;
    // As migration 0005 leaves them: the planned one has its ground, the others none yet.
    let reset = "UPDATE inspections SET ground = NULL, basis = 'unplanned' WHERE ground <> 'plan'";
    if let Some(path) = url.strip_prefix("sqlite://") {
        let c = rusqlite::Connection::open(path).unwrap();
        c.execute(reset, []).unwrap();
    } else {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client.execute(reset, &[]).await.unwrap();
    }
    let s = TestServer::start_with(dir, url).await;
    let mut grounds = Vec::new();
    for id in &ids {
        let (st, v) = s.get(&format!("/api/v1/inspections/{id}"), &admin).await;
        assert_eq!(st, 200, "{v}");
        grounds.push(v["ground"].as_str().unwrap().to_owned());
    }
    assert_eq!(
        grounds,
        ["plan", "prosecutor_demand", "order_deadline", "unspecified"]
    );
    // An unspecified ground must be corrected before anything else changes.
    let (st, v) = s
        .send(
            Method::PATCH,
            &format!("/api/v1/inspections/{}", ids[3]),
            &admin,
            &json!({"note": "уточнено"}),
        )
        .await;
    check_refusal(
        st,
        &v,
        &json!("unspecified"),
        422,
        "основание проведения не указано",
    );
    let (st, v) = s
        .send(
            Method::PATCH,
            &format!("/api/v1/inspections/{}", ids[3]),
            &admin,
            &json!({"ground": "instruction"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let _ = backend;
}
on_both!(old_inspections_get_their_grounds);
