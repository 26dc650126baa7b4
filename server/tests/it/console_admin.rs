//! The console's administration pages over HTTP, on both backends: review flags and their
//! resolutions (audited, once, a held document released only by an acceptance), devices with
//! what they report on sync, enrollment codes and revocation, the audit log's filters and CSV
//! file, and users (create, role, disable, password) with each role's refusals.

use knd_server::model::Role;
use knd_shared::record::RecordKind;
use knd_tests::admin::PASSWORD;
use knd_tests::console::{Browser, Page};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Backend, TestServer, audit};
use crate::field::field;
use crate::on_both;
use crate::projections::id_of;

async fn signed_in(server: &TestServer, login: &str) -> Browser {
    let mut b = Browser::new(server);
    let page = b.sign_in(login, PASSWORD).await;
    assert_eq!(page.status, 303, "{login}: {}", page.body);
    b
}

fn invalid_field(page: &Page, id: &str) -> bool {
    page.body.contains(&format!("id=\"{id}\""))
        && page
            .body
            .contains(&format!("aria-describedby=\"{id}-error\""))
        && page.body.contains(&format!("id=\"{id}-error\""))
}

/// Waits for the projector to flag both records.
async fn flags_of(server: &TestServer, token: &str, records: &[&str]) -> Value {
    for _ in 0..200 {
        let (st, flags) = server.get("/api/v1/review-flags", token).await;
        assert_eq!(st, 200, "{flags}");
        let seen = flags.as_array().unwrap();
        if records
            .iter()
            .all(|r| seen.iter().any(|f| f["record"] == *r))
        {
            return flags;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the flags did not arrive");
}

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

async fn user_named(s: &TestServer, login: &str) -> knd_server::model::User {
    s.state
        .store
        .user_for_login(login)
        .await
        .unwrap()
        .unwrap()
        .0
}

async fn devices_show_what_they_report(backend: Backend) {
    let f = field(backend).await;
    let s = &f.w.server;
    s.user(f.w.agency, "auditor1", Role::Auditor).await;
    // The device says it holds 3 unsent records and its clock is 2 minutes ahead.
    let ahead = time::OffsetDateTime::now_utc() + time::Duration::seconds(125);
    let resp = s
        .http
        .get(s.url("/api/v1/sync/pull?limit=1"))
        .bearer_auth(&f.w.device.token)
        .header("x-knd-pending", "3")
        .header(
            "x-knd-device-time",
            ahead
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (st, v) = s
        .get(&format!("/api/v1/devices/{}", f.w.device.id), &f.w.admin)
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["pending_records"], 3);
    let skew = v["clock_skew_ms"].as_i64().unwrap();
    assert!((120_000..=126_000).contains(&skew), "{v}");
    assert!(v["synced_at"].is_string());
    // A push without the headers keeps what was said and moves the time.
    let (st, _) = s.push(&f.w.device, &[]).await;
    assert_eq!(st, 200);
    let (_, v2) = s
        .get(&format!("/api/v1/devices/{}", f.w.device.id), &f.w.admin)
        .await;
    assert_eq!(v2["pending_records"], 3);

    let mut admin = signed_in(s, "admin1").await;
    let page = admin.get("/devices").await;
    assert_eq!(page.status, 200);
    assert!(page.shows("+2 мин 0"), "{}", page.body);
    assert!(page.shows("ждут отправки"));
    let attention = admin.get("/devices?attention=1").await;
    assert!(
        attention.body.contains("Планшет 7"),
        "unsent records need attention"
    );

    // The inspector sees their own device; the second inspector theirs only.
    let mut insp = signed_in(s, "inspector1").await;
    let own = insp.get("/devices").await;
    assert_eq!(own.status, 200);
    assert_eq!(own.body.matches("<tr>").count() - 1, 1, "{}", own.body);
    assert!(!own.shows("Выдать код") && !own.shows("Отозвать"));

    // An enrollment code, shown once; a form without an inspector is refused beside its field.
    let bad = admin.post("/devices/code", &[("user_id", "")]).await;
    assert_eq!(bad.status, 422);
    assert!(invalid_field(&bad, "user_id"));
    let issued = admin
        .post("/devices/code", &[("user_id", &f.w.inspector_id)])
        .await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    assert!(issued.shows("Код показывается один раз"));

    // An auditor cannot revoke; an admin can.
    let mut aud = signed_in(s, "auditor1").await;
    aud.get("/devices").await;
    let path = format!("/devices/{}/revoke", f.device2.id);
    assert_eq!(aud.post(&path, &[]).await.status, 403);
    admin.get("/devices").await;
    let revoked = admin.post(&path, &[]).await;
    assert_eq!(revoked.status, 303);
    let after = admin.get("/devices?revoked=1").await;
    assert!(after.shows("Отозвано"));
}
on_both!(devices_show_what_they_report);

async fn users_are_managed_and_disabled_users_are_out(backend: Backend) {
    let server = TestServer::start(backend).await;
    let s = &server;
    let agency = s.agency("Управление надзора №1").await;
    let (admin_id, _) = s.user(agency, "admin1", Role::Admin).await;
    let (planner_id, planner_token) = s.user(agency, "planner1", Role::Planner).await;
    s.user(agency, "auditor1", Role::Auditor).await;

    let mut admin = signed_in(s, "admin1").await;
    let page = admin.get("/users").await;
    assert_eq!(page.status, 200);
    assert!(page.shows("planner1") && page.shows("Новый пользователь"));

    // Bad input comes back beside its fields, with what was typed.
    let bad = admin
        .post(
            "/users",
            &[("login", "x"), ("role", "reviewer"), ("password", "short")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(invalid_field(&bad, "new-login") && invalid_field(&bad, "new-password"));
    assert!(bad.body.contains("value=\"x\""));
    let taken = admin
        .post(
            "/users",
            &[
                ("login", "planner1"),
                ("role", "reviewer"),
                ("password", "long enough password"),
            ],
        )
        .await;
    assert_eq!(taken.status, 409);
    assert!(invalid_field(&taken, "new-login"));
    let created = admin
        .post(
            "/users",
            &[
                ("login", "reviewer2"),
                ("role", "reviewer"),
                ("password", "long enough password"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert!(admin.get("/users?created=1").await.shows("reviewer2"));

    // A role change; an admin cannot demote or disable itself.
    admin.get("/users").await;
    let to_reviewer = admin
        .post(
            &format!("/users/{planner_id}/role"),
            &[("role", "reviewer")],
        )
        .await;
    assert_eq!(to_reviewer.status, 303);
    let (_, me) = s.get("/api/v1/auth/me", &planner_token).await;
    assert_eq!(me["role"], "reviewer");
    let demote = admin
        .post(&format!("/users/{admin_id}/role"), &[("role", "auditor")])
        .await;
    assert_eq!(demote.status, 422);
    assert!(demote.shows("нельзя снять с себя роль администратора"));
    let self_off = admin.post(&format!("/users/{admin_id}/disable"), &[]).await;
    assert_eq!(self_off.status, 422);

    // Disabled: the session ends at once, no sign-in; enabled again: signs in.
    let mut p = signed_in(s, "planner1").await;
    assert_eq!(p.get("/").await.status, 200);
    let off = admin
        .post(&format!("/users/{planner_id}/disable"), &[])
        .await;
    assert_eq!(off.status, 303);
    assert_eq!(p.get("/").await.status, 303, "the console session ended");
    let (st, _) = s.get("/api/v1/auth/me", &planner_token).await;
    assert_eq!(st, 401, "the API session ended");
    assert_eq!(
        Browser::new(s).sign_in("planner1", PASSWORD).await.status,
        401
    );
    assert!(admin.get("/users").await.shows("Отключён"));
    let on = admin
        .post(&format!("/users/{planner_id}/enable"), &[])
        .await;
    assert_eq!(on.status, 303);
    let mut p = signed_in(s, "planner1").await;

    // A new password: sessions end, the old password no longer works.
    admin.get("/users").await;
    let short = admin
        .post(
            &format!("/users/{planner_id}/password"),
            &[("password", "short")],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short.body.contains("aria-describedby=\"password-"));
    let reset = admin
        .post(
            &format!("/users/{planner_id}/password"),
            &[("password", "a brand new password")],
        )
        .await;
    assert_eq!(reset.status, 303);
    assert_eq!(p.get("/").await.status, 303);
    assert_eq!(
        Browser::new(s).sign_in("planner1", PASSWORD).await.status,
        401
    );
    assert_eq!(
        Browser::new(s)
            .sign_in("planner1", "a brand new password")
            .await
            .status,
        303
    );

    // An auditor reads the list but changes nothing (refused and audited); others see nothing.
    let mut aud = signed_in(s, "auditor1").await;
    let list = aud.get("/users").await;
    assert_eq!(list.status, 200);
    assert!(!list.shows("Новый пользователь"));
    let refused = aud.post(&format!("/users/{planner_id}/disable"), &[]).await;
    assert_eq!(refused.status, 403);
    let mut rev = Browser::new(s);
    assert_eq!(
        rev.sign_in("reviewer2", "long enough password")
            .await
            .status,
        303
    );
    assert_eq!(rev.get("/users").await.status, 403);

    // Each change is in the audit log.
    let admin_token = s.user(agency, "admin2", Role::Admin).await.1;
    let entries = audit(s, &admin_token).await;
    for action in [
        "user.create",
        "user.role",
        "user.disable",
        "user.enable",
        "user.password",
    ] {
        assert!(
            entries
                .iter()
                .any(|e| e["action"] == action && e["outcome"] == "ok"),
            "{action}"
        );
    }
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "user.disable" && e["outcome"] == "denied")
    );
}
on_both!(users_are_managed_and_disabled_users_are_out);

async fn the_audit_log_filters_and_exports(backend: Backend) {
    let server = TestServer::start(backend).await;
    let s = &server;
    let agency = s.agency("Управление надзора №1").await;
    let (admin_id, admin_token) = s.user(agency, "admin1", Role::Admin).await;
    s.user(agency, "auditor1", Role::Auditor).await;
    s.user(agency, "planner1", Role::Planner).await;
    for login in ["inspector1", "inspector2"] {
        let (st, v) = s
            .send(
                Method::POST,
                "/api/v1/users",
                &admin_token,
                &json!({"login": login, "password": "correct horse battery", "role": "inspector"}),
            )
            .await;
        assert_eq!(st, 201, "{v}");
    }

    // The API filters by action and actor.
    let (st, page) = s
        .get("/api/v1/audit?action=user.create", &admin_token)
        .await;
    assert_eq!(st, 200, "{page}");
    let entries = page["entries"].as_array().unwrap();
    assert!(entries.len() >= 2);
    assert!(entries.iter().all(|e| e["action"] == "user.create"));
    let (_, page) = s
        .get(
            &format!("/api/v1/audit?actor=user:{admin_id}&action=user.create"),
            &admin_token,
        )
        .await;
    assert_eq!(page["entries"].as_array().unwrap().len(), 2, "{page}");

    // A period pages newest first through its id bounds, one entry at a time.
    let now = time::OffsetDateTime::now_utc();
    let rfc = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
            .replace('+', "%2B")
    };
    let period = format!(
        "from={}&until={}",
        rfc(now - time::Duration::hours(1)),
        rfc(now + time::Duration::hours(1))
    );
    let (_, all) = s
        .get(&format!("/api/v1/audit?{period}&limit=500"), &admin_token)
        .await;
    let all: Vec<i64> = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(all.len() >= 5, "{all:?}");
    let mut paged = Vec::new();
    let mut after: Option<i64> = None;
    loop {
        let cursor = after.map(|a| format!("&after={a}")).unwrap_or_default();
        let (st, page) = s
            .get(
                &format!("/api/v1/audit?{period}&limit=2{cursor}"),
                &admin_token,
            )
            .await;
        assert_eq!(st, 200, "{page}");
        paged.extend(
            page["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_i64().unwrap()),
        );
        match page["next"].as_i64() {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    assert_eq!(paged, all);
    let (_, old) = s
        .get(
            "/api/v1/audit?from=2020-01-01T00:00:00Z&until=2020-01-02T00:00:00Z",
            &admin_token,
        )
        .await;
    assert_eq!(old["entries"], json!([]));

    let mut aud = signed_in(s, "auditor1").await;
    let filtered = aud.get("/audit?action=user.create").await;
    assert_eq!(filtered.status, 200);
    assert!(filtered.body.contains("<code>user.create</code>"));
    assert!(!filtered.body.contains("<code>auth.login</code>"));
    let today = knd_shared::calendar::iso_date::format(time::OffsetDateTime::now_utc().date());
    let ranged = aud
        .get(&format!("/audit?action=auth.login&from={today}&to={today}"))
        .await;
    assert_eq!(ranged.status, 200);
    assert!(ranged.body.contains("<code>auth.login</code>"));
    let none = aud.get("/audit?from=2020-01-01&to=2020-01-02").await;
    assert!(none.shows("Записей нет."));
    let bad = aud.get("/audit?from=01.02.2026&to=2026-01-01").await;
    assert_eq!(bad.status, 422);
    assert!(invalid_field(&bad, "from"));
    assert!(bad.body.contains("value=\"01.02.2026\""));

    // The CSV file, with the same filters.
    let resp = aud_csv(s, "auditor1", "/audit.csv?action=user.create").await;
    assert_eq!(resp.0, 200);
    assert!(resp.1.starts_with("text/csv"));
    let lines: Vec<&str> = resp.2.lines().collect();
    assert_eq!(lines[0], "id,at,actor,action,target,outcome,address,detail");
    assert!(lines.len() >= 3, "{lines:?}");
    assert!(lines[1..].iter().all(|l| l.contains(",user.create,")));

    // A planner reads neither.
    let mut pl = signed_in(s, "planner1").await;
    assert_eq!(pl.get("/audit").await.status, 403);
    assert_eq!(pl.get("/audit.csv").await.status, 403);
}
on_both!(the_audit_log_filters_and_exports);

/// The CSV export as a signed-in browser downloads it: status, content type, text.
async fn aud_csv(s: &TestServer, login: &str, path: &str) -> (u16, String, String) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = http
        .get(s.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = knd_tests::console::csrf_of(&form).unwrap();
    let base = s.url("");
    let resp = http
        .post(s.url("/login"))
        .header("origin", base.trim_end_matches('/'))
        .form(&[("login", login), ("password", PASSWORD), ("_csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let resp = http.get(s.url(path)).send().await.unwrap();
    let status = resp.status().as_u16();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, ctype, resp.text().await.unwrap())
}
