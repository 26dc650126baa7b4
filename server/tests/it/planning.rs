//! Risk-scored planning through the API: a proposal for a hand-computed object with its
//! explanation, an indicator firing on its exact threshold, the decision as a signed record
//! that `knd verify bundle` accepts, the planning rules versioned, and an annual plan from draft
//! to amendment, its measures scheduled, its records verifying and its entries' hash matching.

use knd_shared::calendar::{Calendar, iso_date};
use reqwest::Method;
use serde_json::{Value, json};
use time::{Date, Duration};

use crate::common::{Backend, TestServer};
use crate::field::{Field, field};
use crate::on_both;

fn today() -> Date {
    // The agency's zone is Moscow by default; tests keep away from the day boundary by using
    // dates days apart.
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+3))
        .date()
}

fn ago(days: i64) -> String {
    iso_date::format(today() - Duration::days(days))
}

async fn csv(s: &TestServer, path: &str, token: &str, body: String) -> (u16, Value) {
    let resp = s
        .http
        .post(s.url(path))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Verifies a record's bundle with the `knd` tool and the server's log key; the record.
async fn verified(f: &Field, record: &str) -> Value {
    let s = &f.w.server;
    let (st, bundle) = s
        .get(&format!("/api/v1/records/{record}/bundle"), &f.w.admin)
        .await;
    assert_eq!(st, 200, "{bundle}");
    let path = s.dir.path().join(format!("bundle-{record}.json"));
    std::fs::write(&path, serde_json::to_vec_pretty(&bundle).unwrap()).unwrap();
    let out = std::process::Command::new(crate::log_proofs::knd_binary())
        .args(["verify", "bundle"])
        .arg(&path)
        .args(["--log-key", &f.w.device.server_key])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.starts_with("ok "), "{stdout}");
    let (st, rec) = s
        .get(&format!("/api/v1/records/{record}"), &f.w.admin)
        .await;
    assert_eq!(st, 200, "{rec}");
    rec
}

async fn planner(f: &Field) -> String {
    f.w.server
        .user(f.w.agency, "planner1", knd_server::model::Role::Planner)
        .await
        .1
}

async fn risk_categories_and_indicators(backend: Backend) {
    let f = field(backend).await;
    let s = &f.w.server;
    let planner = planner(&f).await;
    // OBJ-2: floor area 6000 m² (class 3), 120 people (class 2): severity 3; decided medium.
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/objects/OBJ-2/risk",
            &planner,
            &json!({"category": "medium", "decided_on": ago(600), "reason": "прежнее решение",
                    "attributes": {"floor_area_m2": 6000, "people": 120}}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    // Its history: 2 violations (6 points), an overdue order (6), a passed self-assessment (−3),
    // 2 orders fulfilled on time (−2).
    let history = format!(
        "object_key,kind,occurred_on,due_on,passed,source,note
OBJ-2,violation_found,{},,,old-1,
OBJ-2,violation_found,{},,,old-2,
OBJ-2,order_overdue,{},,,old-3,
OBJ-2,self_assessment,{},,true,old-4,
OBJ-2,order_fulfilled,{},,true,old-5,
OBJ-2,order_fulfilled,{},,true,old-6,
OBJ-2,complaint_typo,{},,,old-7,
",
        ago(400),
        ago(200),
        ago(150),
        ago(100),
        ago(300),
        ago(250),
        ago(5)
    );
    let (st, r) = csv(s, "/api/v1/import/risk-events", &planner, history.clone()).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["inserted"], 6, "{r}");
    assert_eq!(r["refused"][0]["line"], 8, "{r}");
    // The same file again adds nothing.
    let (_, r) = csv(s, "/api/v1/import/risk-events", &planner, history).await;
    assert_eq!(r["inserted"], 0, "{r}");
    // 2 confirmed complaints within 90 days: the first fires nothing, the second the indicator.
    let complaint = |on: String| json!({"object_key": "OBJ-2", "kind": "complaint_confirmed", "occurred_on": on});
    let (st, v) = s
        .send(
            Method::POST,
            "/api/v1/risk/events",
            &planner,
            &complaint(ago(60)),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(
        v["triggered"],
        json!([]),
        "one complaint is one event before the threshold"
    );
    let (st, v) = s
        .send(
            Method::POST,
            "/api/v1/risk/events",
            &planner,
            &complaint(ago(10)),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["triggered"][0]["rule_code"], "complaints_90", "{v}");
    assert_eq!(v["triggered"][0]["evidence"].as_array().unwrap().len(), 2);
    let (st, v) = s
        .send(
            Method::POST,
            "/api/v1/risk/events",
            &planner,
            &json!({"object_key": "OBJ-2", "kind": "complaint_confirmed", "occurred_on": ago(-3)}),
        )
        .await;
    assert_eq!(st, 422, "a future event is refused: {v}");
    // The daily run finds what the import brought: the overdue order fires its indicator.
    let run = "/api/v1/risk/indicators/run";
    let (st, v) = s.send(Method::POST, run, &planner, &json!({})).await;
    assert_eq!((st, v["triggered"].as_u64()), (200, Some(1)), "{v}");
    let (st, t) = s
        .get("/api/v1/risk/indicators?object=OBJ-2", &planner)
        .await;
    assert_eq!(st, 200, "{t}");
    let mut codes: Vec<&str> = t["triggers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["rule_code"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, ["complaints_90", "order_overdue"], "{t}");
    // And nothing more the next time.
    let (_, v) = s.send(Method::POST, run, &planner, &json!({})).await;
    assert_eq!(v["triggered"], 0, "{v}");

    // Score: 6 + 6 + 2 complaints × 4 + 2 indicators × 5 − 3 − 2 = 25 points → probability 4
    // (from 20); cell [3, 4]: high.
    let (st, v) = s
        .send(Method::POST, "/api/v1/risk/score", &planner, &json!({}))
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["objects"], 3, "{v}");
    let (st, page) = s
        .get("/api/v1/risk/proposals?status=pending", &planner)
        .await;
    assert_eq!(st, 200, "{page}");
    let p = page["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["object_key"] == "OBJ-2")
        .unwrap()
        .clone();
    assert_eq!(
        (p["current"].as_str(), p["proposed"].as_str()),
        (Some("medium"), Some("high")),
        "{p}"
    );
    let e = &p["explanation"];
    assert_eq!(
        (
            e["severity_class"].as_u64(),
            e["probability_class"].as_u64(),
            e["points"].as_i64()
        ),
        (Some(3), Some(4), Some(25)),
        "{e}"
    );
    assert!(
        p["explanation_ru"]
            .as_str()
            .unwrap()
            .ends_with("Ячейка матрицы [3, 4]: высокий риск."),
        "{p}"
    );
    let due = Calendar::embedded().add_working_days(today(), 5).unwrap();
    assert_eq!(p["due_on"], iso_date::format(due), "5 working days (ст.24)");
    // Scoring again stores no second proposal.
    let (_, v) = s
        .send(Method::POST, "/api/v1/risk/score", &planner, &json!({}))
        .await;
    assert_eq!(v["proposals"], 0, "{v}");

    let id = p["id"].as_str().unwrap();
    let decide = |confirm: bool, reason: &str| json!({"confirm": confirm, "reason": reason});
    let path = format!("/api/v1/risk/proposals/{id}/decision");
    let (st, v) = s
        .send(Method::POST, &path, &planner, &decide(true, " "))
        .await;
    assert_eq!(st, 422, "{v}");
    assert!(
        v["detail"]
            .as_str()
            .unwrap()
            .starts_with("укажите основание"),
        "{v}"
    );
    let (st, _) = s
        .send(Method::POST, &path, &f.w.inspector, &decide(true, "да"))
        .await;
    assert_eq!(st, 403);
    let (st, v) = s
        .send(
            Method::POST,
            &path,
            &planner,
            &decide(true, "новые сведения: жалобы и нарушения"),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["status"], "confirmed");
    let (st, again) = s
        .send(Method::POST, &path, &planner, &decide(false, "нет"))
        .await;
    assert_eq!(st, 409, "{again}");
    let rec = verified(&f, v["record"].as_str().unwrap()).await;
    assert_eq!(rec["kind"], "risk_category_decided", "{rec}");
    let body = &rec["body"];
    assert_eq!(
        (
            body["category"].as_str(),
            body["previous"].as_str(),
            body["points"].as_i64()
        ),
        (Some("high"), Some("medium"), Some(25)),
        "{body}"
    );
    let (_, obj) = s
        .get("/api/v1/objects/OBJ-2/risk-explanation", &planner)
        .await;
    assert_eq!(obj["category"], "high", "{obj}");
    assert_eq!(obj["events"].as_array().unwrap().len(), 8, "{obj}");
    // A rejection keeps its reason and changes nothing.
    let (_, page) = s
        .get("/api/v1/risk/proposals?status=pending", &planner)
        .await;
    let other = page["proposals"][0]["id"].as_str().unwrap().to_owned();
    let (st, v) = s
        .send(
            Method::POST,
            &format!("/api/v1/risk/proposals/{other}/decision"),
            &planner,
            &decide(false, "объект перепрофилирован, данные устарели"),
        )
        .await;
    assert_eq!(
        (st, v["status"].as_str(), v["record"].is_null()),
        (200, Some("rejected"), true),
        "{v}"
    );

    // The planning rules: a wrong matrix is refused; a change is a new version with its reason.
    let (st, rules) = s
        .get("/api/v1/control-types/fire/planning-rules", &planner)
        .await;
    assert_eq!(st, 200, "{rules}");
    let mut model = rules["risk_model"].clone();
    model["matrix"].as_array_mut().unwrap().pop();
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/control-types/fire/planning-rules",
            &planner,
            &json!({"risk_model": model, "reason": "проба"}),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("матрица"), "{v}");
    let mut model = rules["risk_model"].clone();
    model["weights"][0]["points"] = json!(4);
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/control-types/fire/planning-rules",
            &planner,
            &json!({"risk_model": model, "reason": "нарушения весомее по итогам года"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["risk_model"]["weights"][0]["points"], 4);
    let (_, versions) = s
        .get("/api/v1/control-types/fire/versions", &f.w.admin)
        .await;
    assert_eq!(
        versions[0]["reason"], "нарушения весомее по итогам года",
        "{versions}"
    );
    assert!(versions.as_array().unwrap().len() >= 2, "{versions}");
    // The auditor reads, an inspector does not.
    let (auditor_id, auditor) = s
        .user(f.w.agency, "auditor1", knd_server::model::Role::Auditor)
        .await;
    let _ = auditor_id;
    assert_eq!(s.get("/api/v1/risk/proposals", &auditor).await.0, 200);
    assert_eq!(
        s.send(Method::POST, "/api/v1/risk/score", &auditor, &json!({}))
            .await
            .0,
        403
    );
    assert_eq!(s.get("/api/v1/risk/proposals", &f.w.inspector).await.0, 403);
}
on_both!(risk_categories_and_indicators);

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
    // Rebuilding a draft is allowed.
    let (st, again) = s
        .send(
            Method::POST,
            "/api/v1/plans",
            &planner,
            &json!({"year": year}),
        )
        .await;
    assert_eq!(st, 201, "{again}");
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
