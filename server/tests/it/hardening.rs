//! The security review's findings on connections and sign-in (issue 11, findings 4 and 5 and the
//! low ones on headers and cookies): each one tried as the attacker did.

use std::net::IpAddr;
use std::time::Duration;

use knd_server::model::Role;
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::common::{Backend, TestServer};
use crate::on_both;

/// A client that looks, to the server, like another machine (the loopback range is all ours).
fn from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from([127, 0, 0, last]))
        .build()
        .unwrap()
}

async fn login(http: &reqwest::Client, server: &TestServer, login: &str, password: &str) -> u16 {
    login_with(http, server, login, password, &[]).await.0
}

async fn login_with(
    http: &reqwest::Client,
    server: &TestServer,
    login: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap) {
    let mut req = http
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"login": login, "password": password}));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.headers().clone())
}

/// Reads until the server closes the connection (or `limit` passes); true when it closed.
/// Whatever the server answered before closing is returned too.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> (bool, String) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout(limit, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await
    .is_ok();
    (closed, String::from_utf8_lossy(&seen).into_owned())
}

async fn a_wrong_password_from_elsewhere_does_not_lock_the_user_out(backend: Backend) {
    let server = TestServer::start_configured(backend, |c| {
        c.auth.max_failed_logins_per_login = 12;
    })
    .await;
    let agency = server.agency("Агентство").await;
    server.user(agency, "anna", Role::Inspector).await;
    let attacker = from(2);
    for _ in 0..5 {
        assert_eq!(login(&attacker, &server, "anna", "guess guess").await, 401);
    }
    // The attacker's address now waits, growing: the first wait is 30 s.
    let (status, headers) = login_with(&attacker, &server, "anna", "guess guess", &[]).await;
    assert_eq!(status, 429);
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    // Anna, at her own desk, signs in.
    assert_eq!(
        login(&from(3), &server, "anna", "correct horse battery").await,
        200
    );
    // Guessing from many addresses reaches the per-login threshold (12 here): then the login
    // itself waits, wherever the attempt comes from.
    for last in 10..17 {
        let _ = login(&from(last), &server, "anna", "guess guess").await;
    }
    assert_eq!(
        login(&from(4), &server, "anna", "correct horse battery").await,
        429,
        "past the per-login threshold"
    );
}
on_both!(a_wrong_password_from_elsewhere_does_not_lock_the_user_out);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_names_the_client_only_when_trusted() {
    // Untrusted: the header is ignored, so made-up addresses do not escape the throttle.
    let server = TestServer::start(Backend::Sqlite).await;
    let agency = server.agency("Агентство").await;
    server.user(agency, "boris", Role::Planner).await;
    let http = from(5);
    for i in 0..5 {
        let xff = format!("198.51.100.{i}");
        let (s, _) = login_with(
            &http,
            &server,
            "boris",
            "guess guess",
            &[("x-forwarded-for", &xff)],
        )
        .await;
        assert_eq!(s, 401);
    }
    let (s, _) = login_with(
        &http,
        &server,
        "boris",
        "guess guess",
        &[("x-forwarded-for", "198.51.100.77")],
    )
    .await;
    assert_eq!(s, 429, "the header of an untrusted peer changes nothing");

    // Trusted: each client behind the proxy is counted on its own, and TLS at the proxy makes
    // the session cookie Secure.
    let server = TestServer::start_configured(Backend::Sqlite, |c| {
        c.http.trusted_proxies = vec!["127.0.0.6".into()];
    })
    .await;
    let agency = server.agency("Агентство").await;
    let (_, admin) = server.user(agency, "admin", Role::Admin).await;
    server.user(agency, "boris", Role::Planner).await;
    let proxy = from(6);
    for _ in 0..5 {
        let (s, _) = login_with(
            &proxy,
            &server,
            "boris",
            "guess guess",
            &[("x-forwarded-for", "1.2.3.4, 198.51.100.1")],
        )
        .await;
        assert_eq!(s, 401);
    }
    let (s, headers) = login_with(
        &proxy,
        &server,
        "boris",
        "correct horse battery",
        &[
            ("x-forwarded-for", "198.51.100.2"),
            ("x-forwarded-proto", "https"),
        ],
    )
    .await;
    assert_eq!(s, 200, "another client behind the same proxy");
    let cookie = headers["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    // The audit log names the client the proxy named, not the proxy, and not what the client
    // itself put in front.
    let entries = crate::common::audit(&server, &admin).await;
    let addresses: Vec<&str> = entries
        .iter()
        .filter(|e| e["action"] == "auth.login")
        .filter_map(|e| e["address"].as_str())
        .collect();
    assert!(addresses.contains(&"198.51.100.1"), "{addresses:?}");
    assert!(addresses.contains(&"198.51.100.2"), "{addresses:?}");
    assert!(!addresses.contains(&"1.2.3.4"), "{addresses:?}");
    // Plain HTTP, no proxy: no Secure flag (the browser would drop the cookie).
    let (_, headers) = login_with(&from(7), &server, "boris", "correct horse battery", &[]).await;
    assert!(!headers["set-cookie"].to_str().unwrap().contains("Secure"));
    // A forwarded request is never "the machine itself" for /metrics.
    let resp = server
        .http
        .get(server.url("/metrics"))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_security_headers() {
    let server = TestServer::start(Backend::Sqlite).await;
    for path in ["/healthz", "/api/v1/no-such-thing", "/api/v1/auth/me"] {
        let resp = server.http.get(server.url(path)).send().await.unwrap();
        let h = resp.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_silent_clients_are_cut_off() {
    let server = TestServer::start_configured(Backend::Sqlite, |c| {
        c.http.header_read_timeout_secs = 1;
        c.http.body_timeout_secs = 1;
    })
    .await;
    let limit = Duration::from_secs(15);
    // Connects and says nothing.
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    assert!(closed_within(&mut silent, limit).await.0, "a silent client");
    // Sends half its headers and stops.
    let mut half = TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    assert!(closed_within(&mut half, limit).await.0, "half-sent headers");
    // Promises a body and never sends it.
    let mut body = TcpStream::connect(server.addr).await.unwrap();
    body.write_all(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"login\":",
    )
    .await
    .unwrap();
    let (closed, answer) = closed_within(&mut body, limit).await;
    assert!(closed, "a body that never arrives; got {answer:?}");
    // Finishes a request, then keeps the connection open doing nothing.
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (closed, answer) = closed_within(&mut idle, limit).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    assert!(closed, "an idle keep-alive connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_wait_for_a_free_one() {
    let server = TestServer::start_configured(Backend::Sqlite, |c| {
        c.http.max_connections = 2;
    })
    .await;
    let mut first = TcpStream::connect(server.addr).await.unwrap();
    let _second = TcpStream::connect(server.addr).await.unwrap();
    // Both slots are held, so a third client is not served...
    let third = reqwest::Client::new();
    let url = server.url("/healthz");
    let waiting = tokio::spawn(async move { third.get(url).send().await.map(|r| r.status()) });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "served past the cap");
    // ...until one of them goes away.
    first.shutdown().await.unwrap();
    drop(first);
    let status = tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("served once a slot was free")
        .unwrap()
        .unwrap();
    assert_eq!(status, 200);
}

/// Finding 7: keys and codes are restricted to a safe set, all-zero numbers name no one, and a
/// CSV header naming a column twice is refused; nothing is stored from a refused request.
async fn unsafe_keys_zero_numbers_and_duplicate_headers_are_refused(backend: Backend) {
    let w = crate::common::world(backend).await;
    let put = |path: String, body: serde_json::Value| {
        let w = &w;
        async move {
            w.server
                .send(reqwest::Method::PUT, &path, &w.admin, &body)
                .await
        }
    };
    for code in ["..%2F..%2Fx", "fire%20x", "fire%E2%80%AEx", "-x"] {
        let (status, body) = put(
            format!("/api/v1/control-types/{code}"),
            json!({"name": "Надзор"}),
        )
        .await;
        assert_eq!(status, 422, "{code}: {body}");
        assert!(
            body["detail"].as_str().unwrap().starts_with("код или ключ"),
            "{body}"
        );
    }
    let (status, body) = put(
        "/api/v1/control-types/fire".into(),
        json!({"name": "Пожарный надзор"}),
    )
    .await;
    assert!(status < 300, "{body}");
    let csv = |path: &'static str, text: &'static str| {
        let w = &w;
        async move {
            let resp = w
                .server
                .http
                .post(w.server.url(path))
                .bearer_auth(&w.admin)
                .header("content-type", "text/csv")
                .body(text)
                .send()
                .await
                .unwrap();
            (
                resp.status().as_u16(),
                resp.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let (status, body) = csv(
        "/api/v1/import/subjects",
        "inn,ogrn,name,size_class,name\n7707083893,,ПАО,large,Другое\n",
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("дважды"),
        "{body}"
    );
    let (status, report) = csv(
        "/api/v1/import/subjects",
        "inn,ogrn,name,size_class\n000000000000,,Никто,small\n7707083893,0000000000000,ПАО,large\n7736207543,,=cmd|' /C calc'!A0,large\n",
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let refused: Vec<u64> = report["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["line"].as_u64().unwrap())
        .collect();
    assert_eq!(refused, [2, 3], "{report}");
    assert_eq!(report["inserted"], 1, "a formula is text to store as typed");
    let (status, report) = csv(
        "/api/v1/import/objects",
        "object_key,subject_inn,control_type,address,district,lat,lon,risk_category\n../../etc,7736207543,fire,Москва,Центр,,,\nOBJ 1,7736207543,fire,Москва,Центр,,,\nOBJ-1,7736207543,fire,Москва,Центр,,,\n",
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["inserted"], 1, "{report}");
    assert_eq!(report["refused"].as_array().unwrap().len(), 2, "{report}");
}
on_both!(unsafe_keys_zero_numbers_and_duplicate_headers_are_refused);

/// Finding 7: a login taken in another agency is refused without saying whose it is.
async fn a_taken_login_does_not_name_its_agency(backend: Backend) {
    let server = TestServer::start(backend).await;
    let first = server.agency("Управление «Север»").await;
    server.user(first, "ivanov", Role::Inspector).await;
    let second = server.agency("Управление «Юг»").await;
    let (_, admin) = server.user(second, "admin-south", Role::Admin).await;
    let (status, body) = server
        .send(
            reqwest::Method::POST,
            "/api/v1/users",
            &admin,
            &json!({"login": "ivanov", "password": "long enough password", "role": "inspector"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["type"].as_str().unwrap().ends_with("login-taken"),
        "{body}"
    );
    let text = body.to_string();
    assert!(
        !text.contains("Север") && !text.contains(&first.to_string()),
        "{text}"
    );
}
on_both!(a_taken_login_does_not_name_its_agency);
