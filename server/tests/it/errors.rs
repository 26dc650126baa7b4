use serde_json::Value;

use crate::common::{Backend, world};
use crate::on_both;

async fn send(
    w: &crate::common::World,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, String, Value) {
    let resp = w
        .server
        .http
        .post(w.server.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = resp.text().await.unwrap();
    (
        status,
        ct,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn bad_requests_get_problem_documents_and_change_nothing(backend: Backend) {
    let mut w = world(backend).await;
    let before = w.server.state.store.log_size().await.unwrap();
    let device_token = w.device.token.clone();
    let admin = w.admin.clone();
    let json = "application/json";
    let cases: Vec<(&str, String, &str, Vec<u8>, u16)> = vec![
        (
            "/api/v1/sync/push",
            device_token.clone(),
            json,
            b"{\"records\": [".to_vec(),
            400,
        ),
        (
            "/api/v1/sync/push",
            device_token.clone(),
            json,
            b"{\"records\": 5}".to_vec(),
            422,
        ),
        (
            "/api/v1/sync/push",
            device_token.clone(),
            json,
            b"{\"records\": [], \"extra\": 1}".to_vec(),
            422,
        ),
        (
            "/api/v1/sync/push",
            device_token.clone(),
            "text/plain",
            b"{\"records\": []}".to_vec(),
            400,
        ),
        (
            "/api/v1/sync/push",
            device_token.clone(),
            json,
            format!("{{\"records\": [\"{}\"]}}", "a".repeat(5 * 1024 * 1024)).into_bytes(),
            413,
        ),
        (
            "/api/v1/users",
            admin.clone(),
            json,
            format!("{{\"login\": \"{}\"}}", "a".repeat(100 * 1024)).into_bytes(),
            413,
        ),
        (
            "/api/v1/users",
            admin.clone(),
            json,
            b"{\"login\": \"ab\", \"password\": \"long enough pass\", \"role\": \"admin\"}"
                .to_vec(),
            422,
        ),
        (
            "/api/v1/users",
            admin.clone(),
            json,
            b"{\"login\": \"valid.login\", \"password\": \"short\", \"role\": \"admin\"}".to_vec(),
            422,
        ),
        (
            "/api/v1/users",
            admin.clone(),
            json,
            b"{\"login\": \"valid.login\", \"password\": \"long enough pass\", \"role\": \"king\"}"
                .to_vec(),
            422,
        ),
        (
            "/api/v1/devices/enroll",
            String::new(),
            json,
            b"[]".to_vec(),
            422,
        ),
        (
            "/api/v1/auth/login",
            String::new(),
            json,
            b"{\"login\": 1}".to_vec(),
            422,
        ),
    ];
    for (path, token, ct, body, expected) in cases {
        let (status, content_type, v) = send(&w, path, &token, ct, body).await;
        assert_eq!(status, expected, "{path}: {v}");
        assert_eq!(content_type, "application/problem+json", "{path}");
        assert_eq!(v["status"], expected, "{path}: {v}");
        assert!(v["type"].as_str().unwrap().starts_with("urn:knd:problem:"));
    }
    // Too many records in one push.
    let many: Vec<Vec<u8>> = (0..1001).map(|_| b"{}".to_vec()).collect();
    let (status, v) = w.server.push(&w.device, &many).await;
    assert_eq!(status, 413, "{v}");
    // Unknown paths, unknown ids, bad ids and bad query strings.
    for (path, expected) in [
        ("/api/v1/nothing-here", 404),
        ("/api/v1/records/0192f3a0-7c1e-7d2a-9b1e-3f6a1c2b4d01", 404),
        ("/api/v1/records/not-an-id", 404),
        ("/api/v1/log/proof/inclusion?hash=zz", 400),
        ("/api/v1/log/proof/inclusion?hash=", 400),
        ("/api/v1/log/proof/consistency?from=1", 400),
        ("/api/v1/log/proof/consistency?from=1&to=999999", 400),
        ("/api/v1/log/proof/consistency?from=3&to=2", 400),
    ] {
        let (status, v) = w.server.get(path, &admin).await;
        assert_eq!(status, expected, "{path}: {v}");
        assert_eq!(v["status"], expected, "{path}");
    }
    assert_eq!(
        w.server.state.store.log_size().await.unwrap(),
        before,
        "nothing changed"
    );
    // And the server still works.
    let next = w.device.finding(1);
    let (status, _) = w.server.push(&w.device, &[next]).await;
    assert_eq!(status, 200);
    let (status, _) = w.server.get("/readyz", "").await;
    assert_eq!(status, 200);
}
on_both!(bad_requests_get_problem_documents_and_change_nothing);

/// Every `$ref` in a JSON document.
fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

async fn openapi_covers_every_route_and_ops_endpoints_answer(backend: Backend) {
    let mut w = world(backend).await;
    let next = w.device.finding(1);
    w.server.push(&w.device, &[next]).await;
    let (status, doc) = w.server.get("/api/v1/openapi.json", "").await;
    assert_eq!(status, 200);
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/me",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/enrollment-codes",
        "/api/v1/devices/enroll",
        "/api/v1/devices",
        "/api/v1/devices/{id}",
        "/api/v1/devices/{id}/revoke",
        "/api/v1/sync/push",
        "/api/v1/log",
        "/api/v1/log/checkpoint",
        "/api/v1/log/proof/inclusion",
        "/api/v1/log/proof/consistency",
        "/api/v1/records/{id}",
        "/api/v1/records/{id}/bundle",
        "/api/v1/audit",
        "/api/v1/business/me",
        "/api/v1/control-types",
        "/api/v1/control-types/{code}",
        "/api/v1/control-types/{code}/requirements",
        "/api/v1/control-types/{code}/requirements/{requirement}",
        "/api/v1/control-types/{code}/checklists/{checklist}",
        "/api/v1/import/subjects",
        "/api/v1/import/objects",
        "/api/v1/subjects",
        "/api/v1/objects",
        "/api/v1/openapi.json",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(paths.contains_key(p), "{p} is not documented");
    }
    // Every schema reference resolves: a type used in an answer is in the document.
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    refs.retain(|r| !schemas.contains_key(r.strip_prefix("#/components/schemas/").unwrap_or(r)));
    refs.sort();
    refs.dedup();
    assert!(refs.is_empty(), "unresolved references: {refs:?}");
    // Every security requirement names a declared scheme.
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    for (path, item) in paths {
        for (_, op) in item.as_object().unwrap() {
            for req in op["security"].as_array().into_iter().flatten() {
                for name in req.as_object().unwrap().keys() {
                    assert!(
                        schemes.contains_key(name),
                        "{path}: undeclared scheme {name}"
                    );
                }
            }
        }
    }
    assert_eq!(
        doc["paths"]["/api/v1/sync/push"]["post"]["security"][0]["device_token"],
        serde_json::json!([])
    );
    let (status, _) = w.server.get("/healthz", "").await;
    assert_eq!(status, 200);
    let (status, _) = w.server.get("/readyz", "").await;
    assert_eq!(status, 200);
    let (status, metrics) = w.server.get("/metrics", "").await;
    assert_eq!(status, 200);
    let text = metrics.as_str().unwrap().to_owned();
    assert!(text.contains("knd_http_requests_total"), "{text}");
    assert!(text.contains("knd_http_request_duration_seconds"), "{text}");
    assert!(text.contains("knd_log_size"), "{text}");
    assert!(
        text.contains("knd_records_total{status=\"accepted\""),
        "{text}"
    );
}
on_both!(openapi_covers_every_route_and_ops_endpoints_answer);

/// A tiny deterministic generator, so that a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next() & 0xff) as u8).collect()
    }
}

async fn garbage_never_gets_a_server_error(backend: Backend) {
    let w = world(backend).await;
    let mut rng = Lcg(7);
    let shapes = [
        "null",
        "[]",
        "{}",
        "\"x\"",
        "1e999",
        "{\"records\": null}",
        "{\"records\": [null, 1, \"s\", {}]}",
        "{\"records\": [{\"v\": 1, \"id\": 5}]}",
        "{\"code\": [], \"public_key\": {}, \"name\": 1}",
        "{\"login\": \"\\u0000\", \"password\": \"\"}",
    ];
    let paths = [
        ("/api/v1/sync/push", w.device.token.clone()),
        ("/api/v1/devices/enroll", String::new()),
        ("/api/v1/auth/login", String::new()),
        ("/api/v1/users", w.admin.clone()),
        ("/api/v1/enrollment-codes", w.inspector.clone()),
    ];
    for (path, token) in &paths {
        let mut bodies: Vec<Vec<u8>> = shapes.iter().map(|s| s.as_bytes().to_vec()).collect();
        for _ in 0..20 {
            let n = (rng.next() % 300) as usize;
            bodies.push(rng.bytes(n));
        }
        for body in bodies {
            let (status, _, v) = send(&w, path, token, "application/json", body.clone()).await;
            let shown = String::from_utf8_lossy(&body).into_owned();
            // A push of well-formed JSON answers per record: all of these are refused.
            let refused_per_record = status == 200
                && v["results"]
                    .as_array()
                    .is_some_and(|r| r.iter().all(|r| r["status"] == "rejected"));
            assert!(
                (400..500).contains(&status) || refused_per_record,
                "{path} {shown:?}: {status} {v}"
            );
        }
    }
    let (status, _) = w.server.get("/readyz", "").await;
    assert_eq!(status, 200);
}
on_both!(garbage_never_gets_a_server_error);

/// Security finding 1: a made-up HTTP method never becomes a metric label (each label value is a
/// series kept for the life of the process), and `/metrics` answers the operator only.
async fn made_up_methods_do_not_grow_the_metrics(backend: Backend) {
    let w = world(backend).await;
    for i in 0..200 {
        let method = reqwest::Method::from_bytes(format!("KND{i:03}X").as_bytes()).unwrap();
        let (status, _) = w
            .server
            .send(method, "/api/v1/openapi.json", "", &Value::Null)
            .await;
        assert!((400..500).contains(&status), "{status}");
    }
    let (status, after) = w.server.get("/metrics", "").await;
    assert_eq!(status, 200, "the test client is on the machine itself");
    let after = after.as_str().unwrap().to_owned();
    assert!(!after.contains("KND0"), "a made-up method became a label");
    assert!(after.contains("method=\"other\""), "{after}");
}
on_both!(made_up_methods_do_not_grow_the_metrics);
