//! An objection to a warning reaches the inspector who issued the warning, in pull: when it is
//! filed and when it is decided, through the change feed; in full with a snapshot; never to
//! another inspector.

use knd_server::model::Role;
use serde_json::{Value, json};

use crate::common::{Backend, TestServer};
use crate::field::field;
use crate::filings::{parties, post, warning_for_subject};
use crate::on_both;

/// Pulls from `cursor` until the server has nothing more now: the warnings' objections sent,
/// whether a snapshot began, and the cursor to go on from.
async fn drain(s: &TestServer, token: &str, cursor: Option<&str>) -> (Vec<Value>, bool, String) {
    let mut cursor = cursor.map(str::to_owned);
    let (mut warnings, mut reset) = (Vec::new(), false);
    loop {
        let path = match &cursor {
            None => "/api/v1/sync/pull".to_owned(),
            Some(c) => format!("/api/v1/sync/pull?cursor={c}"),
        };
        let (st, page) = s.get(&path, token).await;
        assert_eq!(st, 200, "{page}");
        warnings.extend(page["warnings"].as_array().unwrap().iter().cloned());
        reset |= page["reset"].as_bool().unwrap();
        let next = page["cursor"].as_str().unwrap().to_owned();
        let done = !page["more"].as_bool().unwrap() || cursor.as_deref() == Some(next.as_str());
        cursor = Some(next);
        if done {
            return (warnings, reset, cursor.unwrap());
        }
    }
}

async fn the_issuing_inspector_hears_of_an_objection_in_pull(backend: Backend) {
    let mut f = field(backend).await;
    let p = parties(&mut f).await;
    let warning = warning_for_subject(&mut f, &p.inspection).await;
    let s = &f.w.server;
    let token = f.w.device.token.clone();
    let (_, _) = s.user(f.w.agency, "inspector9", Role::Inspector).await;
    let colleague = s.enroll(&s.code_for("inspector9").await).await;

    let (warnings, reset, cursor) = drain(s, &token, None).await;
    assert!(reset && warnings.is_empty(), "{warnings:?}");
    let (_, _, theirs) = drain(s, &colleague.token, None).await;

    // Filed: the issuer's next pull carries it, without a snapshot; the colleague's does not.
    let objection = json!({"warning": warning, "position": "Выход 3 свободен"});
    let (st, filed) = post(&f, "/api/v1/business/objections", &p.business, &objection).await;
    assert_eq!(st, 201, "{filed}");
    let (warnings, reset, cursor) = drain(s, &token, Some(&cursor)).await;
    assert!(!reset, "an objection is not a change of reference data");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = &warnings[0];
    assert_eq!(w["warning"], json!(warning));
    assert_eq!(w["objection"], filed["id"]);
    assert_eq!(w["status"], "filed");
    assert_eq!(w["status_ru"], "подано, рассматривается");
    assert_eq!(w["filed_on"], filed["received_on"]);
    assert_eq!(w["decided_on"], Value::Null);
    let (nothing, _, theirs) = drain(s, &colleague.token, Some(&theirs)).await;
    assert!(nothing.is_empty(), "{nothing:?}");

    // Rejected with reasons: the decision and its reasons follow.
    let id = filed["id"].as_str().unwrap();
    let reasons = "Фотография выхода сделана после проверки";
    let (st, v) = post(
        &f,
        &format!("/api/v1/objections/{id}/decision"),
        &p.reviewer,
        &json!({"withdraw_warning": false, "reasons": reasons}),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    let (warnings, _, cursor) = drain(s, &token, Some(&cursor)).await;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["status"], "rejected");
    assert_eq!(warnings[0]["status_ru"], "отклонено");
    assert_eq!(warnings[0]["reasons"], reasons);
    assert_eq!(
        warnings[0]["decided_on"],
        knd_shared::calendar::iso_date::format(s.state.today())
    );
    let (again, _, _) = drain(s, &token, Some(&cursor)).await;
    assert!(again.is_empty(), "sent once: {again:?}");
    let (nothing, _, _) = drain(s, &colleague.token, Some(&theirs)).await;
    assert!(nothing.is_empty(), "{nothing:?}");

    // A device starting over (a snapshot) gets the warning's standing in full.
    let (warnings, reset, _) = drain(s, &token, None).await;
    assert!(reset);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0]["status"], "rejected");
    let (warnings, _, _) = drain(s, &colleague.token, None).await;
    assert!(warnings.is_empty(), "{warnings:?}");
}
on_both!(the_issuing_inspector_hears_of_an_objection_in_pull);
