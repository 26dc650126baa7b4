//! Risk categories through the API: a proposal for a hand-computed object with its
//! explanation, an indicator firing on its exact threshold, the decision as a signed record
//! that `knd verify bundle` accepts, and the planning rules versioned (the annual plan is in
//! `planning_plan.rs`).

use knd_shared::calendar::{Calendar, iso_date};
use reqwest::Method;
use serde_json::{Value, json};
use time::{Date, Duration};

use crate::common::{Backend, TestServer};
use crate::field::{Field, field};
use crate::on_both;

pub(crate) fn today() -> Date {
    // The agency's zone is Moscow by default; tests keep away from the day boundary by using
    // dates days apart.
    time::OffsetDateTime::now_utc()
        .to_offset(time::macros::offset!(+3))
        .date()
}

pub(crate) fn ago(days: i64) -> String {
    iso_date::format(today() - Duration::days(days))
}

pub(crate) async fn csv(s: &TestServer, path: &str, token: &str, body: String) -> (u16, Value) {
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
pub(crate) async fn verified(f: &Field, record: &str) -> Value {
    verified_as(f, record, &f.w.admin).await
}

/// [`verified`], the bundle and the record fetched with `token`.
pub(crate) async fn verified_as(f: &Field, record: &str, token: &str) -> Value {
    let s = &f.w.server;
    let (st, bundle) = s
        .get(&format!("/api/v1/records/{record}/bundle"), token)
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
    let (st, rec) = s.get(&format!("/api/v1/records/{record}"), token).await;
    assert_eq!(st, 200, "{rec}");
    rec
}

pub(crate) async fn planner(f: &Field) -> String {
    f.w.server
        .user(f.w.agency, "planner1", knd_server::model::Role::Planner)
        .await
        .1
}

/// OBJ-2: floor area 6000 m² (class 3), 120 people (class 2): severity 3; decided medium 600
/// days ago.
async fn decided_medium(s: &TestServer, planner: &str) {
    let (st, v) = s
        .send(
            Method::PUT,
            "/api/v1/objects/OBJ-2/risk",
            planner,
            &json!({"category": "medium", "decided_on": ago(600), "reason": "прежнее решение",
                    "attributes": {"floor_area_m2": 6000, "people": 120}}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
}

async fn risk_categories_and_indicators(backend: Backend) {
    let f = field(backend).await;
    let s = &f.w.server;
    let planner = planner(&f).await;
    decided_medium(s, &planner).await;
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

/// Migration 0010 applied to a database with events (as an older server left it) builds each
/// object's risk history from its events: the explanation reads the same before and after.
async fn migration_0010_builds_the_risk_history(backend: Backend) {
    let f = field(backend).await;
    let planner = planner(&f).await;
    let s = &f.w.server;
    decided_medium(s, &planner).await;
    let history = format!(
        "object_key,kind,occurred_on,due_on,passed,source,note
OBJ-2,violation_found,{},,,old-1,
OBJ-2,order_overdue,{},,,old-2,
OBJ-2,order_fulfilled,{},,true,old-3,
OBJ-2,planned_inspection,{},,,old-4,
",
        ago(400),
        ago(150),
        ago(300),
        ago(700)
    );
    let (st, r) = csv(s, "/api/v1/import/risk-events", &planner, history).await;
    assert_eq!((st, r["inserted"].as_u64()), (200, Some(4)), "{r}");
    // The daily run (a restarted server runs it too) fires the overdue order's indicator.
    let (st, v) = s
        .send(
            Method::POST,
            "/api/v1/risk/indicators/run",
            &planner,
            &json!({}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let path = "/api/v1/objects/OBJ-2/risk-explanation";
    let (st, before) = s.get(path, &planner).await;
    assert_eq!(st, 200, "{before}");
    let value = |v: &Value, factor: &str| {
        v["explanation"]["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["factor"] == factor)
            .map(|c| c["value"].clone())
    };
    assert_eq!(value(&before, "violations"), Some(json!(1)), "{before}");
    assert_eq!(
        value(&before, "unfulfilled_orders"),
        Some(json!(1)),
        "{before}"
    );
    assert_eq!(
        value(&before, "remedies_on_time"),
        Some(json!(1)),
        "{before}"
    );
    assert_eq!(
        value(&before, "indicators_triggered"),
        Some(json!(1)),
        "{before}"
    );
    let (dir, url) = f.w.server.stop().await;
    crate::versions::run_sql(
        &url,
        "DELETE FROM schema_migrations WHERE version = 10;
         DROP INDEX control_objects_by_agency;
         ALTER TABLE control_objects DROP COLUMN risk_history;",
    )
    .await;
    let s = TestServer::start_with(dir, url).await;
    let (st, after) = s.get(path, &planner).await;
    assert_eq!(st, 200, "{after}");
    assert_eq!(after, before);
}
on_both!(migration_0010_builds_the_risk_history);
