//! Self-assessment and declarations of compliance (ст.51): the questionnaire from the control
//! type's requirements, every requirement answered, the score against the rules' threshold; a
//! declaration only on a qualifying self-assessment; registered for one calendar year, replaced
//! by a newer one, annulled with reasons; the public registry shows what is in force.

use knd_shared::calendar::iso_date;
use knd_shared::filings::deadlines::{Periods, declaration_valid_until};
use serde_json::{Value, json};

use crate::common::Backend;
use crate::field::{Field, field};
use crate::filings::{parties, post};
use crate::on_both;
use crate::planning::verified_as;

fn answers(r2: &str) -> Value {
    json!([{"requirement": "R1", "answer": "complied"},
           {"requirement": "R2", "answer": r2, "note": "проверено 01.12.2026"}])
}

async fn assessed(f: &Field, business: &str, r2: &str) -> (u16, Value) {
    post(
        f,
        "/api/v1/business/self-assessments",
        business,
        &json!({
        "agency": f.w.agency.to_string(), "control_type": "fire", "answers": answers(r2)}),
    )
    .await
}

async fn declared(f: &Field, business: &str) -> String {
    let (st, sa) = assessed(f, business, "complied").await;
    assert_eq!(
        (st, sa["status"].as_str()),
        (201, Some("qualifies")),
        "{sa}"
    );
    let (st, d) = post(
        f,
        "/api/v1/business/declarations",
        business,
        &json!({"self_assessment": sa["id"]}),
    )
    .await;
    assert_eq!((st, d["status"].as_str()), (201, Some("filed")), "{d}");
    d["id"].as_str().unwrap().to_owned()
}

async fn registry(f: &Field) -> Vec<Value> {
    let s = &f.w.server;
    let resp = s
        .http
        .get(s.url(&format!(
            "/api/v1/declarations/registry?inn={}",
            crate::field::SUBJECT
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "public, without a key");
    resp.json::<Vec<Value>>().await.unwrap()
}

/// The units of `factor` the risk model counts for the business's object OBJ-1 now.
async fn factor(f: &Field, factor: &str) -> u64 {
    let (st, v) =
        f.w.server
            .get("/api/v1/objects/OBJ-1/risk-explanation", &f.w.admin)
            .await;
    assert_eq!(st, 200, "{v}");
    v["explanation"]["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["factor"] == factor)
        .map_or(0, |c| c["value"].as_u64().unwrap())
}

async fn declarations(backend: Backend) {
    let mut f = field(backend).await;
    let p = parties(&mut f).await;
    let s = &f.w.server;
    let today = s.state.today();

    let (st, q) = s
        .get(
            &format!(
                "/api/v1/business/questionnaire?agency={}&control_type=fire",
                f.w.agency
            ),
            &p.business,
        )
        .await;
    assert_eq!(st, 200, "{q}");
    let codes: Vec<&str> = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        (codes, q["threshold_percent"].as_u64()),
        (vec!["R1", "R2"], Some(100))
    );
    let (st, _) = s
        .get(
            &format!(
                "/api/v1/business/questionnaire?agency={}&control_type=fire",
                uuid::Uuid::now_v7()
            ),
            &p.business,
        )
        .await;
    assert_eq!(st, 404, "an agency that does not register the business");

    // Every requirement once; a not-complied one does not qualify and declares nothing.
    let (st, v) = post(
        &f,
        "/api/v1/business/self-assessments",
        &p.business,
        &json!({
        "agency": f.w.agency.to_string(), "control_type": "fire",
        "answers": [{"requirement": "R1", "answer": "complied"}]}),
    )
    .await;
    assert_eq!(st, 422, "{v}");
    let (st, weak) = assessed(&f, &p.business, "not_complied").await;
    assert_eq!(
        (st, weak["status"].as_str()),
        (201, Some("does_not_qualify")),
        "{weak}"
    );
    assert_eq!(
        weak["content"]["score"],
        json!({"complied": 1, "applicable": 2})
    );
    let (st, v) = post(
        &f,
        "/api/v1/business/declarations",
        &p.business,
        &json!({"self_assessment": weak["id"]}),
    )
    .await;
    assert_eq!(st, 422, "{v}");
    let (st, na) = assessed(&f, &p.business, "not_applicable").await;
    assert_eq!(
        (st, na["status"].as_str()),
        (201, Some("qualifies")),
        "not applicable is not counted: {na}"
    );

    // Filed, owed registration within 5 working days; a refusal needs reasons; registered.
    let first = declared(&f, &p.business).await;
    let (_, d) = s
        .get(&format!("/api/v1/business/filings/{first}"), &p.business)
        .await;
    let due = Periods::LAW
        .registration_due(&s.state.calendar, today)
        .unwrap();
    assert_eq!(d["owed"][0]["due"], iso_date::format(due), "{d}");
    let path = |id: &str| format!("/api/v1/declarations/{id}/steps");
    let (st, v) = post(
        &f,
        &path(&first),
        &p.reviewer,
        &json!({"step": "refuse", "reasons": " "}),
    )
    .await;
    assert_eq!(st, 422, "{v}");
    let (st, v) = post(&f, &path(&first), &p.reviewer, &json!({"step": "register"})).await;
    assert_eq!((st, v["status"].as_str()), (200, Some("registered")), "{v}");
    let until = iso_date::format(declaration_valid_until(today).unwrap());
    assert_eq!(v["steps"][0]["step"]["valid_until"], until.as_str());
    assert!(v["owed"].as_array().unwrap().is_empty());
    let record = v["steps"][0]["record"].as_str().unwrap().to_owned();
    let rec = verified_as(&f, &record, &p.business).await;
    assert_eq!(rec["kind"], "filing_decided");
    let shown = registry(&f).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    // The risk model counts the declaration in force and the qualifying self-assessment.
    assert_eq!(factor(&f, "declaration_in_force").await, 1);
    assert_eq!(factor(&f, "self_assessment_passed").await, 1);
    assert_eq!(
        (shown[0]["id"].as_str(), shown[0]["valid_until"].as_str()),
        (Some(first.as_str()), Some(until.as_str()))
    );

    // A newer declaration replaces it; annulled, nothing is in force.
    let second = declared(&f, &p.business).await;
    let (st, _) = post(
        &f,
        &path(&second),
        &p.reviewer,
        &json!({"step": "register"}),
    )
    .await;
    assert_eq!(st, 200);
    let (_, old) = s
        .get(&format!("/api/v1/business/filings/{first}"), &p.business)
        .await;
    assert_eq!(old["status"], "replaced", "{old}");
    let shown = registry(&f).await;
    assert_eq!(
        shown
            .iter()
            .map(|d| d["id"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [second.as_str()]
    );
    assert_eq!(factor(&f, "declaration_in_force").await, 1);
    let (st, v) = post(&f, &path(&second), &p.reviewer,
        &json!({"step": "annul", "reasons": "Внеплановая проверка выявила нарушение требования R2"})).await;
    assert_eq!((st, v["status"].as_str()), (200, Some("annulled")), "{v}");
    let (st, _) = post(
        &f,
        &path(&second),
        &p.reviewer,
        &json!({"step": "annul", "reasons": "ещё раз"}),
    )
    .await;
    assert_eq!(st, 409);
    assert!(registry(&f).await.is_empty());
    // Annulled (and the one it replaced ended): no declaration counts any more.
    assert_eq!(factor(&f, "declaration_in_force").await, 0);
    let (st, _) = post(
        &f,
        &path(&second),
        &f.w.inspector,
        &json!({"step": "register"}),
    )
    .await;
    assert_eq!(st, 403, "an inspector does not decide");
}
on_both!(declarations);

/// When the control type's rules say so, a declaration on a qualifying self-assessment is
/// registered by the server as it is filed: a server-signed decision without a reviewer, in the
/// public registry and in the risk model at once.
async fn declarations_registered_by_the_rules(backend: Backend) {
    let mut f = field(backend).await;
    let p = parties(&mut f).await;
    let s = &f.w.server;
    let (st, types) = s.get("/api/v1/control-types", &f.w.admin).await;
    assert_eq!(st, 200, "{types}");
    let fire = types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "fire")
        .unwrap()
        .clone();
    let mut rules = fire["rules"].clone();
    rules["declarations_registered_automatically"] = json!(true);
    let (st, v) = s
        .send(
            reqwest::Method::PUT,
            "/api/v1/control-types/fire",
            &f.w.admin,
            &json!({"name": fire["name"], "rules": rules}),
        )
        .await;
    assert_eq!(st, 200, "{v}");

    let (st, sa) = assessed(&f, &p.business, "complied").await;
    assert_eq!(st, 201, "{sa}");
    let (st, d) = post(
        &f,
        "/api/v1/business/declarations",
        &p.business,
        &json!({"self_assessment": sa["id"]}),
    )
    .await;
    assert_eq!((st, d["status"].as_str()), (201, Some("registered")), "{d}");
    assert!(d["owed"].as_array().unwrap().is_empty(), "{d}");
    let step = &d["steps"][0];
    assert_eq!(step["step"]["step"], "register");
    assert_eq!(step["step"]["automatic"], true);
    assert_eq!(step["by"], Value::Null);
    let rec = verified_as(&f, step["record"].as_str().unwrap(), &p.business).await;
    assert_eq!(rec["kind"], "filing_decided", "{rec}");
    assert_eq!(rec["body"]["decided_by"], Value::Null, "{rec}");
    assert_eq!(rec["body"]["detail"]["automatic"], true, "{rec}");
    assert_eq!(registry(&f).await.len(), 1);
    assert_eq!(factor(&f, "declaration_in_force").await, 1);
    // The console names who registered it.
    let mut b = crate::console_filings::signed_in(s, "reviewer1").await;
    let page = b
        .get(&format!("/filings/{}", d["id"].as_str().unwrap()))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.shows("сервер, по правилам вида контроля"),
        "{}",
        page.body
    );
    // A reviewer may still annul it.
    let (st, v) = post(
        &f,
        &format!("/api/v1/declarations/{}/steps", d["id"].as_str().unwrap()),
        &p.reviewer,
        &json!({"step": "annul", "reasons": "Проверка выявила нарушение"}),
    )
    .await;
    assert_eq!((st, v["status"].as_str()), (200, Some("annulled")), "{v}");
    assert_eq!(factor(&f, "declaration_in_force").await, 0);
}
on_both!(declarations_registered_by_the_rules);
