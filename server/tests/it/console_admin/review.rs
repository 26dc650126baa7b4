//! Review flags: resolved once, audited, a held document released only by an acceptance.

use knd_server::model::Role;
use knd_shared::record::RecordKind;
use reqwest::Method;
use serde_json::{Value, json};

use super::{flags_of, signed_in, user_named};
use crate::common::{Backend, audit};
use crate::field::field;
use crate::on_both;
use crate::projections::id_of;

async fn review_flags_are_resolved_once_and_audited(backend: Backend) {
    let mut f = field(backend).await;
    let s = &f.w.server;
    let (_, reviewer) = s.user(f.w.agency, "reviewer1", Role::Reviewer).await;
    s.user(f.w.agency, "auditor1", Role::Auditor).await;
    let stranger = "500100732259";
    let d = &mut f.w.device;
    let warning = json!({"subject": stranger, "requirements": ["R2"], "text": "Предостережение",
                         "measures": [{"what": "Освободить выход", "by": "2026-12-10"}]});
    let kept = d.sign(RecordKind::Warning, &warning);
    let released = d.sign(RecordKind::Warning, &warning);
    let (st, v) = s.push(d, &[kept.clone(), released.clone()]).await;
    assert_eq!(st, 200, "{v}");
    let (kept, released) = (id_of(&kept), id_of(&released));
    knd_server::services::projections::catch_up(&s.state)
        .await
        .unwrap();
    flags_of(s, &reviewer, &[&kept, &released]).await;
    assert_eq!(
        knd_server::services::review::waiting(&s.state, &user_named(s, "reviewer1").await, 100)
            .await
            .unwrap(),
        Some(2)
    );

    // The reviewer's list names the reason and offers the resolution.
    let mut rb = signed_in(s, "reviewer1").await;
    let page = rb.get("/review-flags").await;
    assert_eq!(page.status, 200);
    assert!(
        page.shows("Документ адресован ИНН вне реестра"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&kept));
    assert!(page.shows("Сохранить решение"));

    // A rejection needs a reason: said beside the field, what was chosen kept.
    let refused = rb
        .post(
            "/review-flags/resolve",
            &[
                ("record", &kept),
                ("reason", "document_unknown_subject"),
                ("decision", "rejected"),
                ("note", "  "),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.shows("укажите причину отклонения"));
    assert!(refused.body.contains("aria-invalid=\"true\""));
    assert!(refused.body.contains("value=\"rejected\" checked"));

    // An auditor reads but resolves nothing; the refusal is audited.
    let mut ab = signed_in(s, "auditor1").await;
    assert_eq!(ab.get("/review-flags").await.status, 200);
    let denied = ab
        .post(
            "/review-flags/resolve",
            &[
                ("record", &kept),
                ("reason", "document_unknown_subject"),
                ("decision", "accepted"),
            ],
        )
        .await;
    assert_eq!(denied.status, 403);
    // An inspector does not see the list.
    let mut ib = signed_in(s, "inspector1").await;
    assert_eq!(ib.get("/review-flags").await.status, 403);

    // Rejected with a reason: stays held from the business.
    let rejected = rb
        .post(
            "/review-flags/resolve",
            &[
                ("record", &kept),
                ("reason", "document_unknown_subject"),
                ("decision", "rejected"),
                ("note", "Адресат не наш поднадзорный"),
                ("state", "waiting"),
            ],
        )
        .await;
    assert_eq!(rejected.status, 303, "{}", rejected.body);
    // Accepted through the API: released.
    let path = format!("/api/v1/review-flags/{released}/document_unknown_subject/resolution");
    let (st, v) = s
        .send(
            Method::POST,
            &path,
            &reviewer,
            &json!({"decision": "accepted"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["decision"], "accepted");
    assert_eq!(v["resolved_by_login"], "reviewer1");
    // Once only.
    let (st, v) = s
        .send(
            Method::POST,
            &path,
            &reviewer,
            &json!({"decision": "rejected", "note": "нет"}),
        )
        .await;
    assert_eq!(st, 409, "{v}");
    let twice = rb
        .post(
            "/review-flags/resolve",
            &[
                ("record", &kept),
                ("reason", "document_unknown_subject"),
                ("decision", "accepted"),
            ],
        )
        .await;
    assert_eq!(twice.status, 409);
    assert!(twice.shows("этот флаг уже рассмотрен"));

    let key = knd_server::admin::issue_api_key(&s.state, stranger)
        .await
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let (st, docs) = s.get("/api/v1/business/documents", &key).await;
    assert_eq!(st, 200);
    let shown: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["record"].as_str().unwrap())
        .collect();
    assert_eq!(
        shown,
        vec![released.as_str()],
        "only the accepted one: {docs}"
    );

    // A rebuild of the projection keeps the resolutions (and the release).
    knd_server::services::projections::rebuild(&s.state)
        .await
        .unwrap();
    let (_, again) = s.get("/api/v1/business/documents", &key).await;
    assert_eq!(again, docs, "still released after a rebuild");

    // Resolved flags leave the waiting list.
    let waiting = rb.get("/review-flags").await;
    assert!(!waiting.body.contains(&kept) && !waiting.body.contains(&released));
    let resolved = rb.get("/review-flags?state=resolved").await;
    assert!(resolved.body.contains(&kept) && resolved.body.contains(&released));
    assert!(resolved.shows("Адресат не наш поднадзорный"));
    assert!(resolved.shows("Отклонено") && resolved.shows("Принято"));

    let entries = audit(s, &f.w.admin).await;
    let resolutions: Vec<&Value> = entries
        .iter()
        .filter(|e| e["action"] == "review_flag.resolve")
        .collect();
    assert_eq!(
        resolutions.iter().filter(|e| e["outcome"] == "ok").count(),
        2,
        "{resolutions:?}"
    );
    assert!(
        resolutions.iter().any(|e| e["outcome"] == "denied"),
        "the auditor's attempt"
    );
}
on_both!(review_flags_are_resolved_once_and_audited);
