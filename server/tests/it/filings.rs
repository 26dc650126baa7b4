//! Objections and appeals end to end: a business files through its API key with an
//! Idempotency-Key, gets a receipt whose bundle verifies with `knd`, hears of every step in its
//! event feed; a reviewer registers, refuses on the grounds of ст.42, extends, asks for
//! information and decides with each outcome of ч.6 ст.43; deadlines come from the production
//! calendar, the last day accepted and the day after refused; no business sees another's.

use knd_server::model::Role;
use knd_shared::calendar::iso_date;
use knd_shared::filings::Appealed;
use knd_shared::filings::deadlines::Periods;
use knd_shared::record::RecordKind;
use reqwest::Method;
use serde_json::{Value, json};
use time::{Date, Duration};

use crate::common::Backend;
use crate::field::{Field, OTHER_SUBJECT, SUBJECT, field};
use crate::on_both;
use crate::planning::verified_as;
use crate::projections::{accepted, id_of};

pub(crate) struct Parties {
    pub(crate) business: String,
    pub(crate) other: String,
    pub(crate) reviewer: String,
    pub(crate) inspection: String,
}

pub(crate) async fn parties(f: &mut Field) -> Parties {
    let s = &f.w.server;
    let business = knd_server::admin::issue_api_key(&s.state, SUBJECT)
        .await
        .unwrap();
    let other = knd_server::admin::issue_api_key(&s.state, OTHER_SUBJECT)
        .await
        .unwrap();
    let (_, reviewer) = s.user(f.w.agency, "reviewer1", Role::Reviewer).await;
    let me = f.w.inspector_id.clone();
    let inspection = f.scheduled(&["OBJ-1"], &[&me]).await;
    Parties {
        business: business["key"].as_str().unwrap().to_owned(),
        other: other["key"].as_str().unwrap().to_owned(),
        reviewer,
        inspection,
    }
}

/// Posts with an Idempotency-Key.
async fn post_keyed(f: &Field, path: &str, token: &str, key: &str, body: &Value) -> (u16, Value) {
    let s = &f.w.server;
    let resp = s
        .client()
        .http
        .post(s.client().url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn post(f: &Field, path: &str, token: &str, body: &Value) -> (u16, Value) {
    f.w.server.send(Method::POST, path, token, body).await
}

pub(crate) async fn warning_for_subject(f: &mut Field, inspection: &str) -> String {
    let warning = f.w.device.sign(
        RecordKind::Warning,
        &json!({
            "subject": SUBJECT, "inspection": inspection,
            "requirements": [{"requirement": "R2", "legal_act": "ПП РФ № 1479", "unit": "п.27"}],
            "text": "Эвакуационный выход 3 загромождён: это может привести к нарушению",
            "measures": [{"what": "Освободить эвакуационный выход 3"}]}),
    );
    let (st, v) =
        f.w.server
            .push(&f.w.device, std::slice::from_ref(&warning))
            .await;
    assert_eq!((st, accepted(&v)), (200, 1), "{v}");
    knd_server::services::projections::catch_up(&f.w.server.state)
        .await
        .unwrap();
    id_of(&warning)
}

async fn objections(backend: Backend) {
    let mut f = field(backend).await;
    let p = parties(&mut f).await;
    let warning = warning_for_subject(&mut f, &p.inspection).await;
    let s = &f.w.server;
    let today = s.state.today();
    let objection = json!({"warning": warning, "position": "Выход 3 свободен, см. фото", "contact": "law@example.ru"});

    // Another business cannot object to a warning it did not receive.
    let (st, v) = post(&f, "/api/v1/business/objections", &p.other, &objection).await;
    assert_eq!(st, 422, "{v}");

    let (st, first) = post_keyed(
        &f,
        "/api/v1/business/objections",
        &p.business,
        "obj-1",
        &objection,
    )
    .await;
    assert_eq!(st, 201, "{first}");
    assert_eq!(first["status"], "filed");
    assert_eq!(first["status_ru"], "подано, рассматривается");
    assert!(first["receipt"]["log_index"].as_u64().is_some(), "{first}");
    let due = Periods::LAW
        .objection_decision_due(&s.state.calendar, today)
        .unwrap();
    assert_eq!(first["owed"][0]["due"], iso_date::format(due), "{first}");
    let filing_due = Periods::LAW
        .objection_filing_due(&s.state.calendar, today)
        .unwrap();
    assert_eq!(first["filing_due"], iso_date::format(filing_due));

    // A retry answers with the same filing; the same key with another request is refused.
    let (st, again) = post_keyed(
        &f,
        "/api/v1/business/objections",
        &p.business,
        "obj-1",
        &objection,
    )
    .await;
    assert_eq!((st, &again["id"]), (200, &first["id"]), "{again}");
    let mut changed = objection.clone();
    changed["position"] = json!("Другая позиция");
    let (st, v) = post_keyed(
        &f,
        "/api/v1/business/objections",
        &p.business,
        "obj-1",
        &changed,
    )
    .await;
    assert_eq!(
        (st, v["type"].as_str()),
        (422, Some("urn:knd:problem:idempotency-key-reused")),
        "{v}"
    );
    let (_, list) = s.get("/api/v1/business/filings", &p.business).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "one filing: {list}"
    );

    // The receipt's record verifies offline, fetched by the business; its hash is the content's.
    let record = first["receipt"]["record"].as_str().unwrap();
    let rec = verified_as(&f, record, &p.business).await;
    assert_eq!(rec["kind"], "filing_received", "{rec}");
    let hash = knd_shared::filings::content_sha256(&first["content"]).unwrap();
    assert_eq!(first["receipt"]["content_sha256"], hash.to_hex());
    let (st, _) = s.get(&format!("/api/v1/records/{record}"), &p.other).await;
    assert_eq!(
        st, 404,
        "another business does not read the filing's record"
    );
    let id = first["id"].as_str().unwrap().to_owned();
    let (st, _) = s
        .get(&format!("/api/v1/business/filings/{id}"), &p.other)
        .await;
    assert_eq!(st, 404);

    // The reviewer sees it in the inbox; a rejection needs reasons; the warning is withdrawn.
    let (st, inbox) = s.get("/api/v1/objections", &p.reviewer).await;
    assert_eq!(st, 200, "{inbox}");
    assert_eq!(inbox["items"][0]["id"], first["id"], "{inbox}");
    let path = format!("/api/v1/objections/{id}/decision");
    let (st, v) = post(&f, &path, &p.reviewer, &json!({"withdraw_warning": false})).await;
    assert_eq!(st, 422, "{v}");
    let (st, decided) = post(&f, &path, &p.reviewer, &json!({"withdraw_warning": true})).await;
    assert_eq!(st, 200, "{decided}");
    assert_eq!(decided["status"], "warning_withdrawn");
    assert!(decided["owed"].as_array().unwrap().is_empty());
    let (st, v) = post(&f, &path, &p.reviewer, &json!({"withdraw_warning": true})).await;
    assert_eq!(st, 409, "decided once: {v}");
    let decision = decided["steps"][0]["record"].as_str().unwrap();
    let rec = verified_as(&f, decision, &p.business).await;
    assert_eq!(rec["kind"], "filing_decided", "{rec}");

    // The business's feed: the warning issued, the objection received, then decided (a rebuild
    // of the projections announces no document twice); another business's is empty.
    knd_server::services::projections::rebuild(&s.state)
        .await
        .unwrap();
    let (st, feed) = s.get("/api/v1/business/events", &p.business).await;
    assert_eq!(st, 200, "{feed}");
    let kinds: Vec<&str> = feed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["document.issued", "filing.received", "filing.updated"],
        "{feed}"
    );
    assert_eq!(feed["events"][0]["record"].as_str(), Some(warning.as_str()));
    assert_eq!(feed["events"][0]["data"]["kind"], "warning");
    assert_eq!(feed["events"][2]["data"]["status"], "warning_withdrawn");
    let cursor = feed["cursor"].as_str().unwrap();
    let (_, later) = s
        .get(
            &format!("/api/v1/business/events?after={cursor}"),
            &p.business,
        )
        .await;
    assert!(later["events"].as_array().unwrap().is_empty(), "{later}");
    assert_eq!(later["cursor"], feed["cursor"]);
    let (_, theirs) = s.get("/api/v1/business/events", &p.other).await;
    assert!(theirs["events"].as_array().unwrap().is_empty(), "{theirs}");
}
on_both!(objections);

/// The earliest day a person may have learned of an action and still appeal today: the day
/// before it is one day late.
fn last_learned_day(f: &Field) -> Date {
    let s = &f.w.server;
    let today = s.state.today();
    let due = |d: Date| {
        Periods::LAW
            .appeal_filing_due(&s.state.calendar, Appealed::OfficialsActions, d)
            .unwrap()
    };
    let mut d = today;
    while due(d - Duration::days(1)) >= today {
        d -= Duration::days(1);
    }
    d
}

fn appeal(p: &Parties, appealed: &str, learned_on: Date) -> Value {
    json!({
        "appealed": appealed, "inspection": p.inspection, "filer": "ПАО Сбербанк",
        "representative": {"name": "Петров П. П.", "authority": "доверенность от 01.11.2026 № 7"},
        "official": "Инспектор Иванов И. И.", "contact": "law@example.ru",
        "learned_on": iso_date::format(learned_on),
        "grounds": "Инспектор не допустил представителя к осмотру",
    })
}

async fn step(f: &Field, p: &Parties, id: &str, body: Value) -> (u16, Value) {
    post(
        f,
        &format!("/api/v1/appeals/{id}/steps"),
        &p.reviewer,
        &body,
    )
    .await
}

async fn appeals(backend: Backend) {
    let mut f = field(backend).await;
    let p = parties(&mut f).await;
    let s = &f.w.server;
    let cal = &s.state.calendar;
    let today = s.state.today();
    let last = last_learned_day(&f);

    // A day late without a request to restore the period: refused, the last day named.
    let (st, v) = post(
        &f,
        "/api/v1/business/appeals",
        &p.business,
        &appeal(&p, "officials_actions", last - Duration::days(1)),
    )
    .await;
    assert_eq!(
        (st, v["type"].as_str()),
        (422, Some("urn:knd:problem:filing-late")),
        "{v}"
    );
    // On the last day: accepted, registration owed within 5 working days.
    let (st, a) = post_keyed(
        &f,
        "/api/v1/business/appeals",
        &p.business,
        "ap-1",
        &appeal(&p, "officials_actions", last),
    )
    .await;
    assert_eq!(st, 201, "{a}");
    assert_eq!(
        (a["status"].as_str(), a["late"].as_bool()),
        (Some("received"), Some(false)),
        "{a}"
    );
    let reg_due = Periods::LAW.registration_due(cal, today).unwrap();
    assert_eq!(a["owed"][0]["what"], "registration");
    assert_eq!(a["owed"][0]["due"], iso_date::format(reg_due));
    let id = a["id"].as_str().unwrap().to_owned();

    // The law's order: no extension before registration; registered; one extension.
    let (st, v) = step(
        &f,
        &p,
        &id,
        json!({"step": "extend", "reason": "нужна экспертиза"}),
    )
    .await;
    assert_eq!(st, 422, "{v}");
    let (st, v) = step(&f, &p, &id, json!({"step": "register"})).await;
    assert_eq!((st, v["status"].as_str()), (200, Some("registered")), "{v}");
    let decision_due = Periods::LAW
        .decision_due(cal, today, false, &[], today)
        .unwrap();
    assert_eq!(v["owed"][0]["due"], iso_date::format(decision_due), "{v}");
    let (st, v) = step(
        &f,
        &p,
        &id,
        json!({"step": "extend", "reason": "нужна экспертиза"}),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    let extended = Periods::LAW
        .decision_due(cal, today, true, &[], today)
        .unwrap();
    assert_eq!(v["owed"][0]["due"], iso_date::format(extended), "{v}");
    let (st, v) = step(&f, &p, &id, json!({"step": "extend", "reason": "ещё раз"})).await;
    assert_eq!(st, 422, "extended once: {v}");

    // A request for information; the filer answers (a retry is one answer).
    let (st, v) = step(
        &f,
        &p,
        &id,
        json!({"step": "request_information", "what": "Запись видеонаблюдения"}),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    let answer = json!({"step": "answer", "text": "Запись приложена к жалобе"});
    let path = format!("/api/v1/business/appeals/{id}/steps");
    let (st, v) = post_keyed(&f, &path, &p.business, "answer-1", &answer).await;
    assert_eq!(st, 201, "{v}");
    let (st, again) = post_keyed(&f, &path, &p.business, "answer-1", &answer).await;
    assert_eq!(st, 200, "{again}");
    assert_eq!(
        again["steps"].as_array().unwrap().len(),
        4,
        "register, extend, request, answer: {again}"
    );
    let (st, v) = post(&f, &path, &p.other, &answer).await;
    assert_eq!(st, 404, "another business: {v}");

    // An outcome that does not fit officials' actions is refused; one that does decides it.
    let (st, v) = step(
        &f,
        &p,
        &id,
        json!({"step": "decide", "outcome": "cancelled", "reasons": "—"}),
    )
    .await;
    assert_eq!(st, 422, "{v}");
    let (st, v) = step(&f, &p, &id, json!({"step": "decide", "outcome": "actions_unlawful", "reasons": "Представитель не допущен без оснований"})).await;
    assert_eq!((st, v["status"].as_str()), (200, Some("decided")), "{v}");
    assert!(
        v["owed"].as_array().unwrap().is_empty(),
        "the decision is sent in its transaction: {v}"
    );
    let (st, v) = step(&f, &p, &id, json!({"step": "register"})).await;
    assert_eq!(st, 409, "closed: {v}");
    let decision = v_last_record(&f, &p, &id).await;
    let rec = verified_as(&f, &decision, &p.business).await;
    assert_eq!(rec["kind"], "filing_decided");

    // The decision may itself be appealed.
    let (st, v) = post(&f, "/api/v1/business/appeals", &p.business, &json!({
        "appealed": "appeal_decision", "appeal": id, "filer": "ПАО Сбербанк", "contact": "law@example.ru",
        "grounds": "Не согласны с решением"})).await;
    assert_eq!(st, 201, "{v}");

    // Each outcome for the appealed that it fits, each on its own appeal.
    for (appealed, outcome) in [
        ("measure_decision", "dismissed"),
        ("measure_decision", "cancelled"),
        ("measure_decision", "cancelled_with_new_decision"),
    ] {
        let (st, a) = post(
            &f,
            "/api/v1/business/appeals",
            &p.business,
            &appeal(&p, appealed, today),
        )
        .await;
        assert_eq!(st, 201, "{a}");
        let id = a["id"].as_str().unwrap();
        assert_eq!(step(&f, &p, id, json!({"step": "register"})).await.0, 200);
        let (st, v) = step(
            &f,
            &p,
            id,
            json!({"step": "decide", "outcome": outcome, "reasons": "Мотивы"}),
        )
        .await;
        assert_eq!(
            (st, v["status"].as_str()),
            (200, Some("decided")),
            "{outcome}: {v}"
        );
    }

    // The grounds of ст.42 that fit an appeal in time.
    for ground in ["court_decision", "earlier_appeal", "form_not_met"] {
        let (_, a) = post(
            &f,
            "/api/v1/business/appeals",
            &p.business,
            &appeal(&p, "officials_actions", today),
        )
        .await;
        let id = a["id"].as_str().unwrap();
        let (st, v) = step(&f, &p, id, json!({"step": "refuse", "ground": ground})).await;
        assert_eq!(
            (st, v["status"].as_str()),
            (200, Some("refused")),
            "{ground}: {v}"
        );
        let (st, v) = step(
            &f,
            &p,
            id,
            json!({"step": "refuse", "ground": "late_without_restoration"}),
        )
        .await;
        assert_eq!(st, 409, "refused once: {v}");
    }
    // Late grounds only for a late appeal.
    let (_, a) = post(
        &f,
        "/api/v1/business/appeals",
        &p.business,
        &appeal(&p, "officials_actions", today),
    )
    .await;
    let in_time = a["id"].as_str().unwrap().to_owned();
    let (st, v) = step(
        &f,
        &p,
        &in_time,
        json!({"step": "refuse", "ground": "late_without_restoration"}),
    )
    .await;
    assert_eq!(st, 422, "{v}");
    // Withdrawn by the filer before registration: consideration refused on that ground (ст.42);
    // after registration, withdrawn.
    let (st, v) = post(
        &f,
        &format!("/api/v1/business/appeals/{in_time}/steps"),
        &p.business,
        &json!({"step": "withdraw"}),
    )
    .await;
    assert_eq!((st, v["status"].as_str()), (201, Some("refused")), "{v}");
    let (_, a) = post(
        &f,
        "/api/v1/business/appeals",
        &p.business,
        &appeal(&p, "officials_actions", today),
    )
    .await;
    let registered = a["id"].as_str().unwrap().to_owned();
    assert_eq!(
        step(&f, &p, &registered, json!({"step": "register"}))
            .await
            .0,
        200
    );
    let (st, v) = post(
        &f,
        &format!("/api/v1/business/appeals/{registered}/steps"),
        &p.business,
        &json!({"step": "withdraw"}),
    )
    .await;
    assert_eq!((st, v["status"].as_str()), (201, Some("withdrawn")), "{v}");
    let (st, v) = step(
        &f,
        &p,
        &registered,
        json!({"step": "decide", "outcome": "dismissed", "reasons": "—"}),
    )
    .await;
    assert_eq!(st, 409, "withdrawn: {v}");

    // Late with a request to restore the period: registered only once it is restored.
    let mut late = appeal(&p, "officials_actions", last - Duration::days(30));
    late["restoration_reason"] = json!("Директор был в больнице");
    late["suspension_requested"] = json!(true);
    let (st, a) = post(&f, "/api/v1/business/appeals", &p.business, &late).await;
    assert_eq!((st, a["late"].as_bool()), (201, Some(true)), "{a}");
    let late_id = a["id"].as_str().unwrap().to_owned();
    let (st, v) = step(&f, &p, &late_id, json!({"step": "register"})).await;
    assert_eq!(
        (st, v["type"].as_str()),
        (422, Some("urn:knd:problem:filing-late")),
        "{v}"
    );
    assert_eq!(
        step(
            &f,
            &p,
            &late_id,
            json!({"step": "decide_restoration", "granted": true})
        )
        .await
        .0,
        200
    );
    let (st, v) = step(&f, &p, &late_id, json!({"step": "register"})).await;
    assert_eq!(st, 200, "{v}");
    let suspension_due = Periods::LAW.suspension_due(cal, today).unwrap();
    let owed: Vec<(&str, &str)> = v["owed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["what"].as_str().unwrap(), o["due"].as_str().unwrap()))
        .collect();
    assert!(
        owed.contains(&(
            "suspension_decision",
            iso_date::format(suspension_due).as_str()
        )),
        "{v}"
    );
    assert_eq!(
        step(
            &f,
            &p,
            &late_id,
            json!({"step": "decide_suspension", "suspend": true})
        )
        .await
        .0,
        200
    );

    // The inbox lists what is owed by the first day owed; a status filter lists one status.
    let (st, inbox) = s.get("/api/v1/appeals", &p.reviewer).await;
    assert_eq!(st, 200, "{inbox}");
    let dues: Vec<&str> = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["due_on"].as_str().unwrap())
        .collect();
    let mut sorted = dues.clone();
    sorted.sort();
    assert_eq!(dues, sorted, "{inbox}");
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status_ru"].is_string())
    );
    let (_, refused) = s.get("/api/v1/appeals?status=refused", &p.reviewer).await;
    assert_eq!(
        refused["items"].as_array().unwrap().len(),
        4,
        "three grounds and a withdrawal: {refused}"
    );
    let (st, _) = s.get("/api/v1/appeals", &f.w.inspector).await;
    assert_eq!(st, 403);

    // Another business sees none of it.
    let (_, theirs) = s.get("/api/v1/business/filings", &p.other).await;
    assert!(theirs["items"].as_array().unwrap().is_empty(), "{theirs}");
}
on_both!(appeals);

/// The record of an appeal's last step.
async fn v_last_record(f: &Field, p: &Parties, id: &str) -> String {
    let (st, v) =
        f.w.server
            .get(&format!("/api/v1/appeals/{id}"), &p.reviewer)
            .await;
    assert_eq!(st, 200, "{v}");
    let steps = v["steps"].as_array().unwrap();
    steps.last().unwrap()["record"].as_str().unwrap().to_owned()
}
