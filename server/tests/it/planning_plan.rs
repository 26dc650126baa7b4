//! The annual plan through the API: from draft to amendment, its measures scheduled, its
//! records verifying and its entries' hash matching; a held visit completing its measure.

use knd_shared::calendar::{Calendar, iso_date};
use reqwest::Method;
use serde_json::{Value, json};
use time::{Date, Duration};

use crate::common::Backend;
use crate::field::field;
use crate::on_both;
use crate::planning::{planner, today, verified};

async fn the_annual_plan_from_draft_to_amendment(backend: Backend) {
    let f = field(backend).await;
    let s = &f.w.server;
    let planner = planner(&f).await;
    let year = today().year() + 1;
    // Planned field checks use the checklist "main".
    let (_, rules) = s
        .get("/api/v1/control-types/fire/planning-rules", &planner)
        .await;
    let mut planning = rules["planning"].clone();
    planning["checklist"] = json!("main");
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/control-types/fire/planning-rules",
            &planner,
            &json!({"planning": planning, "reason": "проверочный лист"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    // inspector1 is away in the first half of January.
    let (st, v) = s
        .send(Method::PUT, "/api/v1/planning/absences", &planner, &json!({"inspector": f.w.inspector_id, "from": format!("{year}-01-01"), "to": format!("{year}-01-15"), "reason": "отпуск"}))
        .await;
    assert_eq!((st, v["days"].as_u64()), (200, Some(15)), "{v}");

    // OBJ-1 (high, never inspected): a planned inspection; OBJ-3 (significant): a visit.
    let (st, out) = s
        .send(
            Method::POST,
            "/api/v1/plans",
            &planner,
            &json!({"year": year}),
        )
        .await;
    assert_eq!(st, 201, "{out}");
    assert_eq!(
        (
            out["inspection_entries"].as_u64(),
            out["visit_entries"].as_u64()
        ),
        (Some(1), Some(1)),
        "{out}"
    );
    let inspections_plan = out["inspections_plan"].as_str().unwrap().to_owned();
    let visits_plan = out["visits_plan"].as_str().unwrap().to_owned();
    let (_, page) = s
        .get(
            &format!("/api/v1/plans/{inspections_plan}/entries"),
            &planner,
        )
        .await;
    let e = &page["entries"][0];
    assert_eq!(
        (
            e["status"].as_str(),
            e["kind"].as_str(),
            e["category"].as_str()
        ),
        (Some("planned"), Some("inspection_visit"), Some("high")),
        "{e}"
    );
    let start = iso_date::parse(e["starts_on"].as_str().unwrap()).unwrap();
    assert_eq!(start.year(), year);
    assert!(Calendar::embedded().is_working_day(start).unwrap(), "{e}");
    assert!(
        e["why"]["objects"][0]["text_ru"]
            .as_str()
            .unwrap()
            .contains("категория «высокий риск»"),
        "{e}"
    );
    assert!(
        !e["why"]["schedule"]["text_ru"].as_str().unwrap().is_empty(),
        "{e}"
    );
    assert!(out["scoring"].is_null(), "{out}");
    // Rebuilding a draft is allowed, here with every object re-scored in the same pass.
    let (st, again) = s
        .send(
            Method::POST,
            "/api/v1/plans",
            &planner,
            &json!({"year": year, "rescore": true}),
        )
        .await;
    assert_eq!(st, 201, "{again}");
    let (_, alone) = s
        .send(Method::POST, "/api/v1/risk/score", &planner, &json!({}))
        .await;
    assert_eq!(
        again["scoring"]["objects"], alone["objects"],
        "{again} {alone}"
    );
    assert_eq!(again["scoring"]["by_category"], alone["by_category"]);
    assert!(again["scoring"]["objects"].as_u64().unwrap() > 0);
    // A field of the wrong type: refused, Russian first, the parser naming the field.
    let (st, v) = s
        .send(
            Method::POST,
            "/api/v1/plans",
            &planner,
            &json!({"year": year, "rescore": "yes"}),
        )
        .await;
    let detail = v["detail"].as_str().unwrap_or_default();
    assert_eq!(st, 422, "{v}");
    assert!(
        detail.starts_with("поля запроса не соответствуют описанию API")
            && detail.contains("rescore"),
        "{v}"
    );
    let inspections_plan = again["inspections_plan"].as_str().unwrap().to_owned();
    let visits_plan_2 = again["visits_plan"].as_str().unwrap().to_owned();
    assert_ne!(visits_plan, visits_plan_2);

    // The lifecycle: send, approve (signed; the entry becomes a scheduled measure), publish.
    let step = |id: &str, body: Value| (format!("/api/v1/plans/{id}/step"), body);
    let t = iso_date::format(today());
    let (path, body) = step(
        &inspections_plan,
        json!({"step": "approve", "on": t, "by": "Руководитель"}),
    );
    let (st, v) = s.send(Method::POST, &path, &planner, &body).await;
    assert_eq!(st, 409, "a draft is sent first: {v}");
    let (path, body) = step(&inspections_plan, json!({"step": "send", "on": t}));
    let (st, v) = s.send(Method::POST, &path, &planner, &body).await;
    assert_eq!((st, v["status"].as_str()), (200, Some("sent")), "{v}");
    let (path, body) = step(
        &inspections_plan,
        json!({"step": "approve", "on": t, "by": " "}),
    );
    assert_eq!(s.send(Method::POST, &path, &planner, &body).await.0, 422);
    let (path, body) = step(
        &inspections_plan,
        json!({"step": "approve", "on": t, "by": "Начальник управления И. И. Иванов"}),
    );
    let (st, v) = s.send(Method::POST, &path, &planner, &body).await;
    assert_eq!((st, v["status"].as_str()), (200, Some("approved")), "{v}");
    let approval = verified(&f, v["record"].as_str().unwrap()).await;
    assert_eq!(approval["kind"], "plan_approved", "{approval}");
    let (_, page) = s
        .get(
            &format!("/api/v1/plans/{inspections_plan}/entries"),
            &planner,
        )
        .await;
    let entries = page["entries"].as_array().unwrap().clone();
    assert_eq!(
        approval["body"]["entries_sha256"],
        hash_of(&entries),
        "the signed hash is the entries'"
    );
    let measure = entries[0]["inspection"].as_str().unwrap().to_owned();
    let (_, m) = s
        .get(&format!("/api/v1/inspections/{measure}"), &planner)
        .await;
    assert_eq!(
        (
            m["status"].as_str(),
            m["ground"].as_str(),
            m["kind"].as_str()
        ),
        (Some("scheduled"), Some("plan"), Some("inspection_visit")),
        "{m}"
    );
    // Past its draft, the year's plan is not rebuilt.
    assert_eq!(
        s.send(
            Method::POST,
            "/api/v1/plans",
            &planner,
            &json!({"year": year})
        )
        .await
        .0,
        409
    );
    // The visits plan becomes a preventive visit the inspector's device pulls.
    for b in [
        json!({"step": "send", "on": t}),
        json!({"step": "approve", "on": t, "by": "Начальник управления"}),
    ] {
        let (st, v) = s
            .send(
                Method::POST,
                &format!("/api/v1/plans/{visits_plan_2}/step"),
                &planner,
                &b,
            )
            .await;
        assert_eq!(st, 200, "{v}");
    }
    let (_, page) = s
        .get(&format!("/api/v1/plans/{visits_plan_2}/entries"), &planner)
        .await;
    let visit = page["entries"][0]["inspection"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, m) = s
        .get(&format!("/api/v1/inspections/{visit}"), &planner)
        .await;
    assert_eq!(m["kind"], "preventive_visit", "{m}");

    // An amendment: a reason is required; a move is a new version with a signed record.
    let amend = format!("/api/v1/plans/{inspections_plan}/amendments");
    let later = next_working_day(start + Duration::days(14));
    let (st, v) = s
        .send(
            Method::POST,
            &amend,
            &planner,
            &json!({"entry": 1, "starts_on": iso_date::format(later), "reason": ""}),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    let (st, v) = s.send(Method::POST, &amend, &planner, &json!({"entry": 1, "starts_on": iso_date::format(later), "reason": "инспектор на обучении"})).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["version"], 2);
    let amended = verified(&f, v["record"].as_str().unwrap()).await;
    assert_eq!(amended["kind"], "plan_amended", "{amended}");
    let (_, page) = s
        .get(
            &format!("/api/v1/plans/{inspections_plan}/entries"),
            &planner,
        )
        .await;
    let entries = page["entries"].as_array().unwrap().clone();
    assert_eq!(amended["body"]["entries_sha256"], hash_of(&entries));
    assert_eq!(entries[0]["starts_on"], iso_date::format(later));
    let (_, m) = s
        .get(&format!("/api/v1/inspections/{measure}"), &planner)
        .await;
    assert_eq!(
        m["starts_on"],
        iso_date::format(later),
        "the measure follows: {m}"
    );
    let (_, list) = s
        .get(
            &format!("/api/v1/plans/{inspections_plan}/amendments"),
            &planner,
        )
        .await;
    assert_eq!(list[0]["reason"], "инспектор на обучении", "{list}");

    // Exports.
    let (st, bytes) = s
        .get_bytes(
            &format!("/api/v1/plans/{inspections_plan}/export?format=csv"),
            &planner,
        )
        .await;
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(st, 200);
    assert!(text.starts_with("Месяц / Month,Район / District"), "{text}");
    assert!(
        text.contains("OBJ-1") && text.contains("инспекционный визит"),
        "{text}"
    );
    let (st, bytes) = s
        .get_bytes(
            &format!("/api/v1/plans/{inspections_plan}/export?format=xlsx"),
            &planner,
        )
        .await;
    assert_eq!((st, &bytes[..2]), (200, &b"PK"[..]));
    // Who may.
    let (_, auditor) = s
        .user(f.w.agency, "auditor1", knd_server::model::Role::Auditor)
        .await;
    assert_eq!(s.get("/api/v1/plans", &auditor).await.0, 200);
    assert_eq!(
        s.send(
            Method::POST,
            "/api/v1/plans",
            &auditor,
            &json!({"year": year})
        )
        .await
        .0,
        403
    );
    assert_eq!(s.get("/api/v1/plans", &f.w.inspector).await.0, 403);
}
on_both!(the_annual_plan_from_draft_to_amendment);

fn next_working_day(mut d: Date) -> Date {
    let cal = Calendar::embedded();
    while !cal.is_working_day(d).unwrap() {
        d = d.next_day().unwrap();
    }
    d
}

/// The hash the plan's records carry, recomputed from the entries as the API gives them.
fn hash_of(entries: &[Value]) -> String {
    let hashed: Vec<Value> = entries
        .iter()
        .map(|e| {
            json!({
                "no": e["no"], "subject": e["subject"], "control_type": e["control_type"],
                "objects": e["objects"], "category": e["category"], "kind": e["kind"],
                "district": e["district"], "status": e["status"], "starts_on": e["starts_on"],
                "ends_on": e["ends_on"], "inspectors": e["inspectors"],
            })
        })
        .collect();
    knd_shared::planning::entries_sha256(&Value::Array(hashed))
        .unwrap()
        .to_string()
}

async fn a_held_visit_completes_its_measure_and_counts(backend: Backend) {
    let mut f = field(backend).await;
    let planner = planner(&f).await;
    let year = today().year() + 1;
    let visits = |v: &Value| v["visit_entries"].as_u64();
    let (st, out) =
        f.w.server
            .send(
                Method::POST,
                "/api/v1/plans",
                &planner,
                &json!({"year": year}),
            )
            .await;
    assert_eq!(
        (st, visits(&out)),
        (201, Some(1)),
        "OBJ-3 (significant) is due a visit: {out}"
    );
    // A visit held on the last working day: the measure (registered in ЕРКНМ, which visits are
    // too, ПП 604), then the record of the visit.
    let mut day = today();
    while !Calendar::embedded().is_working_day(day).unwrap() {
        day = day.previous_day().unwrap();
    }
    let on = iso_date::format(day);
    let (st, m) =
        f.w.server
            .send(
                Method::POST,
                "/api/v1/inspections",
                &planner,
                &json!({"kind": "preventive_visit", "ground": "plan", "control_type": "fire",
                    "subject_inn": crate::field::OTHER_SUBJECT, "objects": ["OBJ-3"],
                    "starts_on": on, "ends_on": on, "inspectors": [f.w.inspector_id],
                    "erknm": "76202600000000000077", "status": "scheduled"}),
            )
            .await;
    assert_eq!(st, 201, "{m}");
    let id = m["id"].as_str().unwrap();
    let record = f.w.device.sign_at(
        knd_shared::record::RecordKind::PreventiveVisit,
        &json!({"subject": crate::field::OTHER_SUBJECT, "mandatory": true, "inspection": id,
                "summary": "Разъяснены требования ППР, проведено самообследование"}),
        &format!("{on}T09:00:00.000Z"),
    );
    let (st, v) = f.w.server.push(&f.w.device, &[record]).await;
    assert_eq!(st, 200, "{v}");
    knd_server::services::projections::catch_up(&f.w.server.state)
        .await
        .unwrap();
    let (_, m) =
        f.w.server
            .get(&format!("/api/v1/inspections/{id}"), &planner)
            .await;
    assert_eq!(m["status"], "completed", "{m}");
    let (_, risk) =
        f.w.server
            .get("/api/v1/objects/OBJ-3/risk-explanation", &planner)
            .await;
    assert_eq!(risk["events"][0]["kind"], "preventive_visit", "{risk}");
    // Counted (ПП 1511: once per 3 years for significant risk): next year has no visit for it.
    let (st, out) =
        f.w.server
            .send(
                Method::POST,
                "/api/v1/plans",
                &planner,
                &json!({"year": year}),
            )
            .await;
    assert_eq!((st, visits(&out)), (201, Some(0)), "{out}");
}
on_both!(a_held_visit_completes_its_measure_and_counts);
