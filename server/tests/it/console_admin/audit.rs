//! The audit log: filters in the API and the console, periods paged, the CSV file.

use knd_server::model::Role;
use knd_tests::admin::PASSWORD;
use reqwest::Method;
use serde_json::json;

use super::{invalid_field, signed_in};
use crate::common::{Backend, TestServer};
use crate::on_both;

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
    assert!(
        filtered
            .body
            .contains("<code class=\"record-id\">user.create</code>")
    );
    assert!(
        !filtered
            .body
            .contains("<code class=\"record-id\">auth.login</code>")
    );
    assert!(filtered.shows("Создание пользователя"), "the action's name");
    let today = knd_shared::calendar::iso_date::format(s.state.zone.today());
    let ranged = aud
        .get(&format!("/audit?action=auth.login&from={today}&to={today}"))
        .await;
    assert_eq!(ranged.status, 200);
    assert!(
        ranged
            .body
            .contains("<code class=\"record-id\">auth.login</code>")
    );
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
