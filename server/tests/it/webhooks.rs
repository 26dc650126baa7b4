//! Webhooks: a business registers one; its events are POSTed in order, signed by the Standard
//! Webhooks scheme and checked here by an independent verifier (Node's crypto,
//! `shared/tests/webhook_verify.mjs`); a failed attempt is retried after the backoff with the
//! same `webhook-id`, the last failure gives the event up; every attempt is in the log; another
//! business sees none of it.

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::Backend;
use crate::field::{Field, field_configured};
use crate::filings::{parties, post, warning_for_subject};
use crate::on_both;

/// What the receiver got: each request's headers and body.
type Got = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A receiver on a free port: `/ok` answers 200 after `fail_first` 500s; `/fail` always 500.
async fn receiver(fail_first: usize) -> (String, Got) {
    let got: Got = Arc::default();
    let seen = Arc::clone(&got);
    let app = axum::Router::new().route(
        "/{path}",
        axum::routing::post(
            move |axum::extract::Path(path): axum::extract::Path<String>,
                  headers: HeaderMap,
                  body: String| {
                let seen = Arc::clone(&seen);
                async move {
                    let mut v = seen.lock().unwrap();
                    v.push((headers, body));
                    if path == "ok" && v.len() > fail_first {
                        StatusCode::OK
                    } else {
                        StatusCode::INTERNAL_SERVER_ERROR
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), got)
}

/// The independent verifier's judgement of one delivery.
fn node_verifies(public_key: &str, headers: &HeaderMap, body: &str) -> bool {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/tests/webhook_verify.mjs"
    );
    let h = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_owned();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let input = json!({
        "public_key": public_key,
        "headers": {"webhook-id": h("webhook-id"), "webhook-timestamp": h("webhook-timestamp"),
                    "webhook-signature": h("webhook-signature")},
        "body": body, "now": now,
    });
    let mut child = Command::new("node")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs (the README's test command installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    child.wait_with_output().unwrap().status.success()
}

async fn deliver(f: &Field) -> usize {
    let state = &f.w.server.state;
    let http = knd_server::services::webhooks::client(state);
    knd_server::services::webhooks::deliver_due(state, &http)
        .await
        .unwrap()
}

async fn webhooks(backend: Backend) {
    let mut f = field_configured(backend, |c| {
        c.webhooks.allow_http = true;
        c.webhooks.retry_seconds = vec![1];
        // The test makes the attempts itself, at known moments.
        c.webhooks.deliver = false;
    })
    .await;
    let p = parties(&mut f).await;
    let warning = warning_for_subject(&mut f, &p.inspection).await;
    let s = &f.w.server;
    let (base, got) = receiver(1).await;

    let (st, v) = post(
        &f,
        "/api/v1/business/webhooks",
        &p.business,
        &json!({"url": "ftp://example.ru/x"}),
    )
    .await;
    assert_eq!(st, 422, "{v}");
    let (st, hook) = post(
        &f,
        "/api/v1/business/webhooks",
        &p.business,
        &json!({"url": format!("{base}/ok")}),
    )
    .await;
    assert_eq!(st, 201, "{hook}");
    let public_key = hook["public_key"].as_str().unwrap().to_owned();
    assert!(public_key.starts_with("whpk_"));
    let id = hook["id"].as_str().unwrap().to_owned();

    // An objection: its event fails once, is retried after the backoff, then delivered.
    let (st, filed) = post(
        &f,
        "/api/v1/business/objections",
        &p.business,
        &json!({"warning": warning, "position": "Выход свободен"}),
    )
    .await;
    assert_eq!(st, 201, "{filed}");
    assert_eq!(deliver(&f).await, 1);
    assert_eq!(deliver(&f).await, 0, "waiting out the backoff");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(deliver(&f).await, 1);
    // The decision: delivered at once.
    let objection = filed["id"].as_str().unwrap();
    let (st, _) = post(
        &f,
        &format!("/api/v1/objections/{objection}/decision"),
        &p.reviewer,
        &json!({"withdraw_warning": true}),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(deliver(&f).await, 1);
    assert_eq!(deliver(&f).await, 0, "nothing more");

    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    let ids: Vec<&str> = got
        .iter()
        .map(|(h, _)| h.get("webhook-id").unwrap().to_str().unwrap())
        .collect();
    assert_eq!(ids[0], ids[1], "a retry carries the same webhook-id");
    assert_ne!(ids[1], ids[2]);
    for (headers, body) in &got {
        assert!(node_verifies(&public_key, headers, body), "{body}");
        let mut changed = body.clone();
        changed.push(' ');
        assert!(
            !node_verifies(&public_key, headers, &changed),
            "a byte more fails"
        );
    }
    let first: Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(first["type"], "filing.received", "{first}");
    assert_eq!(first["data"]["filing"], filed["id"]);
    let last: Value = serde_json::from_str(&got[2].1).unwrap();
    assert_eq!(last["data"]["status"], "warning_withdrawn", "{last}");

    // The delivery log, newest first; another business reads none of it.
    let path = format!("/api/v1/business/webhooks/{id}/deliveries");
    let (st, log) = s.get(&path, &p.business).await;
    assert_eq!(st, 200, "{log}");
    let outcomes: Vec<(&str, Option<u64>)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["outcome"].as_str().unwrap(), d["http_status"].as_u64()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("delivered", Some(200)),
            ("delivered", Some(200)),
            ("retry", Some(500))
        ]
    );
    let (st, _) = s.get(&path, &p.other).await;
    assert_eq!(st, 404);
    let (st, _) = s
        .send(
            Method::DELETE,
            &format!("/api/v1/business/webhooks/{id}"),
            &p.other,
            &json!({}),
        )
        .await;
    assert_eq!(st, 404);

    // A receiver that always fails: the event is given up after the last retry.
    let (st, _) = s
        .send(
            Method::DELETE,
            &format!("/api/v1/business/webhooks/{id}"),
            &p.business,
            &json!({}),
        )
        .await;
    assert_eq!(st, 204);
    let (st, failing) = post(
        &f,
        "/api/v1/business/webhooks",
        &p.business,
        &json!({"url": format!("{base}/fail")}),
    )
    .await;
    assert_eq!(st, 201, "{failing}");
    let (st, v) = post(&f, "/api/v1/business/appeals", &p.business, &json!({
        "appealed": "officials_actions", "inspection": p.inspection, "filer": "ПАО Сбербанк",
        "contact": "law@example.ru", "learned_on": knd_shared::calendar::iso_date::format(s.state.today()),
        "grounds": "Доводы"})).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(deliver(&f).await, 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(deliver(&f).await, 1);
    assert_eq!(deliver(&f).await, 0, "given up: the feed keeps it");
    let failing_id = failing["id"].as_str().unwrap();
    let (_, log) = s
        .get(
            &format!("/api/v1/business/webhooks/{failing_id}/deliveries"),
            &p.business,
        )
        .await;
    assert_eq!(log["items"][0]["outcome"], "given_up", "{log}");
    let (_, hooks) = s.get("/api/v1/business/webhooks", &p.business).await;
    let active: Vec<bool> = hooks
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["active"].as_bool().unwrap())
        .collect();
    assert_eq!(active, [true, false], "{hooks}");
}
on_both!(webhooks);
