use knd_server::model::Role;
use knd_shared::record;
use serde_json::json;

use crate::common::{Backend, audit, world};
use crate::on_both;

async fn agencies_never_see_each_other(backend: Backend) {
    let mut w = world(backend).await;
    let rec = w.device.finding(1);
    w.server.push(&w.device, std::slice::from_ref(&rec)).await;
    let record_id = record::parse_unverified(&rec).unwrap().id;

    let other = w.server.agency("Другое управление").await;
    let (_, other_admin) = w.server.user(other, "admin2", Role::Admin).await;
    for path in [
        format!("/api/v1/devices/{}", w.device.id),
        format!("/api/v1/records/{record_id}"),
        format!("/api/v1/records/{record_id}/bundle"),
        format!("/api/v1/users/{}", w.inspector_id),
    ] {
        let (status, v) = w.server.get(&path, &other_admin).await;
        assert_eq!(status, 404, "{path}: {v}");
        assert_eq!(v["type"], "urn:knd:problem:not-found");
        // The agency's own admin sees it.
        let (status, _) = w.server.get(&path, &w.admin).await;
        assert_eq!(status, 200, "{path}");
    }
    let resp = w
        .server
        .http
        .post(
            w.server
                .url(&format!("/api/v1/devices/{}/revoke", w.device.id)),
        )
        .bearer_auth(&other_admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let (_, list) = w.server.get("/api/v1/devices", &other_admin).await;
    assert_eq!(list, json!([]));
    let (_, users) = w.server.get("/api/v1/users", &other_admin).await;
    assert_eq!(users.as_array().unwrap().len(), 1, "only admin2");
    // The other agency's record access attempt is in its own audit log.
    let entries = audit(&w.server, &other_admin).await;
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "record.read" && e["outcome"] == "denied"),
        "{entries:?}"
    );
}
on_both!(agencies_never_see_each_other);

async fn inspectors_cannot_enroll_for_others_or_revoke(backend: Backend) {
    let w = world(backend).await;
    let (other_id, _) = w.server.user(w.agency, "inspector2", Role::Inspector).await;
    let post = |path: String, token: String, body: serde_json::Value| {
        let http = w.server.http.clone();
        let url = w.server.url(&path);
        async move {
            let resp = http
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = resp.status().as_u16();
            (
                status,
                resp.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };
    // For someone else: refused. For themself: allowed.
    let (status, v) = post(
        "/api/v1/enrollment-codes".into(),
        w.inspector.clone(),
        json!({"user_id": other_id}),
    )
    .await;
    assert_eq!(status, 403, "{v}");
    let (status, v) = post(
        "/api/v1/enrollment-codes".into(),
        w.inspector.clone(),
        json!({"user_id": w.inspector_id}),
    )
    .await;
    assert_eq!(status, 201, "{v}");
    assert_eq!(v["code"].as_str().unwrap().len(), 14);
    let (status, _) = post(
        format!("/api/v1/devices/{}/revoke", w.device.id),
        w.inspector.clone(),
        json!({}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = post(
        "/api/v1/users".into(),
        w.inspector.clone(),
        json!({"login": "x1x", "password": "long enough pass", "role": "admin"}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = w.server.get("/api/v1/audit", &w.inspector).await;
    assert_eq!(status, 403);
    // The admin may do what the inspector may not.
    let (status, _) = post(
        "/api/v1/enrollment-codes".into(),
        w.admin.clone(),
        json!({"user_id": other_id}),
    )
    .await;
    assert_eq!(status, 201);

    let entries = audit(&w.server, &w.admin).await;
    let denied: Vec<&str> = entries
        .iter()
        .filter(|e| e["outcome"] == "denied")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "enrollment_code.create",
        "device.revoke",
        "user.create",
        "audit.read",
    ] {
        assert!(denied.contains(&action), "{action} not audited: {denied:?}");
    }
    // An auditor reads the audit log and changes nothing.
    let (_, auditor) = w.server.user(w.agency, "auditor1", Role::Auditor).await;
    let (status, _) = w.server.get("/api/v1/audit", &auditor).await;
    assert_eq!(status, 200);
    let (status, _) = post(
        format!("/api/v1/devices/{}/revoke", w.device.id),
        auditor.clone(),
        json!({}),
    )
    .await;
    assert_eq!(status, 403);
    let by_inspector = entries
        .iter()
        .filter(|e| e["outcome"] == "denied")
        .all(|e| e["actor"] == format!("user:{}", w.inspector_id));
    assert!(by_inspector);
}
on_both!(inspectors_cannot_enroll_for_others_or_revoke);

async fn login_logout_and_throttling(backend: Backend) {
    let w = world(backend).await;
    let login = |password: &'static str| {
        let http = w.server.http.clone();
        let url = w.server.url("/api/v1/auth/login");
        async move {
            let resp = http
                .post(url)
                .json(&json!({"login": "inspector1", "password": password}))
                .send()
                .await
                .unwrap();
            (
                resp.status().as_u16(),
                resp.headers().get("set-cookie").cloned(),
            )
        }
    };
    let (status, cookie) = login("correct horse battery").await;
    assert_eq!(status, 200);
    let cookie = cookie.unwrap().to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    // The cookie alone authenticates the console.
    let session = cookie.split(';').next().unwrap().to_owned();
    let resp = w
        .server
        .http
        .get(w.server.url("/api/v1/auth/me"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Logout ends it.
    let resp = w
        .server
        .http
        .post(w.server.url("/api/v1/auth/logout"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let resp = w
        .server
        .http
        .get(w.server.url("/api/v1/auth/me"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    // Five wrong passwords, then even the right one waits.
    for _ in 0..5 {
        assert_eq!(login("wrong password!").await.0, 401);
    }
    assert_eq!(login("correct horse battery").await.0, 429);
    let entries = audit(&w.server, &w.admin).await;
    let failures = entries
        .iter()
        .filter(|e| e["action"] == "auth.login" && e["outcome"] == "denied")
        .count();
    assert_eq!(
        failures, 5,
        "failed logins of the agency's users are in its audit log"
    );
}
on_both!(login_logout_and_throttling);

async fn parallel_password_guesses_are_throttled_too(backend: Backend) {
    let w = world(backend).await;
    let attempts = (0..10).map(|_| {
        let http = w.server.http.clone();
        let url = w.server.url("/api/v1/auth/login");
        tokio::spawn(async move {
            http.post(url)
                .json(&json!({"login": "admin1", "password": "a wrong password"}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for a in attempts.collect::<Vec<_>>() {
        statuses.push(a.await.unwrap());
    }
    statuses.sort_unstable();
    // Five guesses reach the password check; the rest wait, however fast they come.
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
}
on_both!(parallel_password_guesses_are_throttled_too);

async fn business_api_keys_work_until_revoked(backend: Backend) {
    let w = world(backend).await;
    let v = knd_server::admin::issue_api_key(&w.server.state, "7707083893")
        .await
        .unwrap();
    let key = v["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("kak_"));
    let (status, me) = w.server.get("/api/v1/business/me", &key).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["subject_inn"], "7707083893");
    // Also as X-Api-Key.
    let resp = w
        .server
        .http
        .get(w.server.url("/api/v1/business/me"))
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // A key is not a session, and a session is not a key.
    assert_eq!(w.server.get("/api/v1/auth/me", &key).await.0, 401);
    assert_eq!(w.server.get("/api/v1/business/me", &w.admin).await.0, 401);
    let id = uuid::Uuid::parse_str(v["id"].as_str().unwrap()).unwrap();
    knd_server::admin::revoke_api_key(&w.server.state, id)
        .await
        .unwrap();
    assert_eq!(w.server.get("/api/v1/business/me", &key).await.0, 401);
    assert!(
        knd_server::admin::revoke_api_key(&w.server.state, id)
            .await
            .is_err(),
        "already revoked"
    );
    assert!(
        knd_server::admin::issue_api_key(&w.server.state, "7707083894")
            .await
            .is_err(),
        "bad INN"
    );
}
on_both!(business_api_keys_work_until_revoked);

/// Security finding 3: enrollment is throttled per address and per code prefix, never globally:
/// a flood of bad codes from one address does not stop another's enrollment with a good code.
async fn bad_enrollment_codes_from_one_address_do_not_block_another(backend: Backend) {
    let w = world(backend).await;
    // Another machine, as far as the server can tell: the loopback range is all ours.
    let attacker = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap();
    let key = knd_shared::DeviceKey::generate().public_key().to_hex();
    let mut throttled = false;
    for i in 0..30 {
        let resp = attacker
            .post(w.server.url("/api/v1/devices/enroll"))
            .json(&json!({"code": format!("Z{i:03}-AAAA-BBBB"), "public_key": key, "name": "x"}))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        assert!(status == 403 || status == 429, "{status}");
        throttled |= status == 429;
    }
    assert!(
        throttled,
        "thirty bad codes from one address were never throttled"
    );
    // An inspector elsewhere enrolls with the code the admin gave them.
    let code = w.server.code_for("inspector1").await;
    w.server.enroll(&code).await;
}
on_both!(bad_enrollment_codes_from_one_address_do_not_block_another);
