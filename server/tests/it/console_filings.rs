//! The console's appeals pages over HTTP, on both backends: the inbox, an appeal's forms (only
//! the steps the law allows now; a refused step answers 422 with the refusal and changes
//! nothing), an objection's decision, a declaration registered and annulled; an auditor reads
//! without forms, an inspector has no section.

use knd_tests::admin::PASSWORD;
use knd_tests::console::Browser;
use serde_json::json;

use crate::common::{Backend, TestServer};
use crate::field::field;
use crate::filings::{parties, post, warning_for_subject};
use crate::on_both;

pub(crate) async fn signed_in(s: &TestServer, login: &str) -> Browser {
    let mut b = Browser::new(s);
    let page = b.sign_in(login, PASSWORD).await;
    assert_eq!(page.status, 303, "{login}: {}", page.body);
    b
}

async fn console_filings(backend: Backend) {
    let mut f = field(backend).await;
    let p = parties(&mut f).await;
    let warning = warning_for_subject(&mut f, &p.inspection).await;
    let s = &f.w.server;
    let today = knd_shared::calendar::iso_date::format(s.state.today());
    let (st, appeal) = post(
        &f,
        "/api/v1/business/appeals",
        &p.business,
        &json!({
        "appealed": "officials_actions", "inspection": p.inspection, "filer": "ПАО Сбербанк",
        "contact": "law@example.ru", "learned_on": today, "grounds": "Не допустили представителя"}),
    )
    .await;
    assert_eq!(st, 201, "{appeal}");
    let appeal = appeal["id"].as_str().unwrap().to_owned();
    let (_, objection) = post(
        &f,
        "/api/v1/business/objections",
        &p.business,
        &json!({"warning": warning, "position": "Выход свободен"}),
    )
    .await;
    let objection = objection["id"].as_str().unwrap().to_owned();

    s.user(f.w.agency, "reviewer2", knd_server::model::Role::Reviewer)
        .await;
    let mut b = signed_in(s, "reviewer2").await;
    let inbox = b.get("/filings").await;
    assert_eq!(inbox.status, 200);
    assert!(inbox.shows(&format!("/filings/{appeal}")), "{}", inbox.body);
    let page = b.get(&format!("/filings/{appeal}")).await;
    assert!(
        page.shows("Зарегистрировать жалобу") && !page.shows("Продлить срок"),
        "only what the law allows now"
    );

    // A decision before registration is refused on the page; nothing changes.
    let refused = b
        .post(
            &format!("/filings/{appeal}/appeal-step"),
            &[
                ("step", "decide"),
                ("outcome", "dismissed"),
                ("text", "Мотивы"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.shows("жалоба ещё не зарегистрирована"),
        "{}",
        refused.body
    );
    let registered = b
        .post(
            &format!("/filings/{appeal}/appeal-step"),
            &[("step", "register")],
        )
        .await;
    assert_eq!(registered.status, 303, "{}", registered.body);
    let page = b.get(&format!("/filings/{appeal}")).await;
    assert!(
        page.shows("зарегистрирована, рассматривается") && page.shows("Продлить срок"),
        "{}",
        page.body
    );

    // The objection: a rejection needs reasons; the warning withdrawn.
    let path = format!("/filings/{objection}/objection-decision");
    b.get(&format!("/filings/{objection}")).await;
    let refused = b
        .post(&path, &[("decision", "reject"), ("reasons", "")])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let done = b
        .post(&path, &[("decision", "withdraw"), ("reasons", "")])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(
        b.get(&format!("/filings/{objection}"))
            .await
            .shows("предостережение отозвано")
    );

    // A declaration registered, then annulled with reasons.
    let (_, sa) = post(&f, "/api/v1/business/self-assessments", &p.business, &json!({
        "agency": f.w.agency.to_string(), "control_type": "fire",
        "answers": [{"requirement": "R1", "answer": "complied"}, {"requirement": "R2", "answer": "complied"}]})).await;
    let (_, d) = post(
        &f,
        "/api/v1/business/declarations",
        &p.business,
        &json!({"self_assessment": sa["id"]}),
    )
    .await;
    let d = d["id"].as_str().unwrap().to_owned();
    let page = b.get(&format!("/filings/{d}")).await;
    assert!(
        page.shows("Зарегистрировать декларацию")
            && page.shows("Эвакуационные выходы не загромождены"),
        "{}",
        page.body
    );
    let path = format!("/filings/{d}/declaration-step");
    assert_eq!(b.post(&path, &[("step", "register")]).await.status, 303);
    let refused = b.post(&path, &[("step", "annul"), ("reasons", " ")]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(
        b.post(
            &path,
            &[
                ("step", "annul"),
                ("reasons", "Внеплановая проверка выявила нарушение")
            ]
        )
        .await
        .status,
        303
    );
    assert!(b.get(&format!("/filings/{d}")).await.shows("аннулирована"));

    // An auditor reads without forms; an inspector has no such section.
    s.user(f.w.agency, "auditor2", knd_server::model::Role::Auditor)
        .await;
    let mut a = signed_in(s, "auditor2").await;
    let page = a.get(&format!("/filings/{appeal}")).await;
    assert_eq!(page.status, 200);
    assert!(!page.shows("appeal-step"), "no forms for an auditor");
    let refused = a
        .post(
            &format!("/filings/{appeal}/appeal-step"),
            &[("step", "extend"), ("text", "x")],
        )
        .await;
    assert_eq!(refused.status, 403);
    let mut i = signed_in(s, "inspector1").await;
    assert_eq!(i.get("/filings").await.status, 403);
}
on_both!(console_filings);
