//! The appeals inbox of a large agency: `cargo bench -p knd-tests --bench appeals_inbox` puts
//! `KND_BENCH_APPEALS` appeals (default 100,000) in the filings table of a fresh server — in SQL,
//! spread over the statuses (four in ten still owed something, their deadlines over 120 days) —
//! and times, `KND_BENCH_ROUNDS` times each (default 40, after 5 unmeasured), the reads a
//! reviewer makes: the API's inbox (the first page, a page 50 pages deep through the cursor, one
//! status), the console's inbox and Today. It prints p50 and p95 to the last byte over loopback.
//!
//! The rows are written in SQL rather than filed one by one (each filing signs a record and
//! appends to the log: 100,000 of them would take minutes and measure the filing, not the
//! inbox). The lists read only the filings table and its indexes, as here; the filings API is
//! tested in `server/tests/it/filings.rs`.
//!
//! On SQLite, and also on PostgreSQL when `KND_BENCH_POSTGRES_URL` is set (an admin URL; a fresh
//! database is created).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use knd_server::model::Role;
use knd_shared::AgencyId;
use knd_tests::Server;
use knd_tests::bench::{env_usize, percentile};
use knd_tests::console::Browser;
use serde_json::Value;

const INN: &str = "7707083893";

/// SQLite: `?1` agency, `?2` api key, `?3` how many.
const SQLITE_FILL: &str = "
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?3)
INSERT INTO filings (id, agency_id, subject_inn, api_key_id, kind, body, content_sha256,
    record_id, received_at, received_on, status, due_on, steps, updated_at)
SELECT printf('%08x-0000-7000-8000-%012x', 100000000 + i, i), ?1, '7707083893', ?2, 'appeal',
       '{\"appealed\":\"act\"}', randomblob(32), printf('%08x-0000-7000-9000-%012x', 100000000 + i, i),
       '2026-11-01T09:00:00.000000000Z', '2026-11-01',
       CASE i % 10 WHEN 0 THEN 'received' WHEN 1 THEN 'received' WHEN 2 THEN 'registered'
            WHEN 3 THEN 'registered' WHEN 4 THEN 'decided' WHEN 5 THEN 'decided'
            WHEN 6 THEN 'decided' WHEN 7 THEN 'refused' WHEN 8 THEN 'withdrawn' ELSE 'decided' END,
       CASE WHEN i % 10 < 4 THEN date('2026-11-20', '+' || (i % 120) || ' days') END,
       1, '2026-11-01T09:00:00.000000000Z'
FROM n";

/// PostgreSQL: the same rows.
const POSTGRES_FILL: &str = "
INSERT INTO filings (id, agency_id, subject_inn, api_key_id, kind, body, content_sha256,
    record_id, received_at, received_on, status, due_on, steps, updated_at)
SELECT (lpad(to_hex(100000000 + i), 8, '0') || '-0000-7000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
       $1, '7707083893', $2, 'appeal', '{\"appealed\":\"act\"}', sha256(i::text::bytea),
       (lpad(to_hex(100000000 + i), 8, '0') || '-0000-7000-9000-' || lpad(to_hex(i), 12, '0'))::uuid,
       TIMESTAMPTZ '2026-11-01 09:00Z', DATE '2026-11-01',
       (ARRAY['received','received','registered','registered','decided','decided','decided',
              'refused','withdrawn','decided'])[i % 10 + 1],
       CASE WHEN i % 10 < 4 THEN DATE '2026-11-20' + (i % 120)::INT END,
       1, TIMESTAMPTZ '2026-11-01 09:00Z'
FROM generate_series(1, $3::BIGINT) AS i";

async fn fill(server: &Server, url: Option<&str>, agency: AgencyId, key: uuid::Uuid, n: usize) {
    match url {
        None => {
            let c = rusqlite::Connection::open(server.dir.path().join("knd.sqlite3")).unwrap();
            c.busy_timeout(Duration::from_secs(30)).unwrap();
            c.execute(
                SQLITE_FILL,
                rusqlite::params![agency.to_string(), key.to_string(), n as i64],
            )
            .unwrap();
        }
        Some(url) => {
            let (c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            c.execute(POSTGRES_FILL, &[&agency.as_uuid(), &key, &(n as i64)])
                .await
                .unwrap();
            // What autovacuum does after a bulk load, at once.
            c.batch_execute("ANALYZE filings").await.unwrap();
        }
    }
}

struct Timed {
    p50: Duration,
    p95: Duration,
    bytes: usize,
}

async fn timed<F, Fut>(rounds: usize, mut fetch: F) -> Timed
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut times = Vec::with_capacity(rounds);
    let mut bytes = 0;
    for i in 0..rounds + 5 {
        let t = Instant::now();
        bytes = fetch().await;
        if i >= 5 {
            times.push(t.elapsed());
        }
    }
    times.sort();
    Timed {
        p50: percentile(&times, 0.50),
        p95: percentile(&times, 0.95),
        bytes,
    }
}

async fn run(label: &str, url: Option<String>, n: usize, rounds: usize) {
    let server = Server::start(url.clone()).await.unwrap();
    let agency = knd_tests::admin::agency(&server.state, "Bench agency").await;
    knd_tests::admin::user(&server.state, agency, "reviewer", Role::Reviewer).await;
    let key = knd_server::admin::issue_api_key(&server.state, INN)
        .await
        .unwrap();
    let key = uuid::Uuid::parse_str(key["id"].as_str().unwrap()).unwrap();
    let started = Instant::now();
    fill(&server, url.as_deref(), agency, key, n).await;
    println!(
        "{label}: {n} appeals written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let token = server.client().login("reviewer").await;
    let http = reqwest::Client::new();
    let api = |path: String| {
        let (http, token) = (http.clone(), token.clone());
        let url = server.url(&path);
        async move {
            let resp = http.get(url).bearer_auth(token).send().await.unwrap();
            assert!(resp.status().is_success(), "{path}: {}", resp.status());
            resp.bytes().await.unwrap().len()
        }
    };
    // The cursor 50 pages deep, followed once (unmeasured).
    let mut deep = "/api/v1/appeals?limit=100".to_owned();
    for _ in 0..50 {
        let page: Value = serde_json::from_slice(
            &http
                .get(server.url(&deep))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap(),
        )
        .unwrap();
        let next = page["next"]
            .as_str()
            .expect("a next page: KND_BENCH_APPEALS of 20,000 or more");
        deep = format!("/api/v1/appeals?limit=100&after={next}");
    }
    let mut browser = Browser::new(&server);
    let signed = browser
        .sign_in("reviewer", knd_tests::admin::PASSWORD)
        .await;
    assert_eq!(signed.status, 303, "signed in and sent on");
    println!(
        "{:<52} {:>9} {:>9} {:>8}",
        "read", "p50 ms", "p95 ms", "bytes"
    );
    let show = |what: &str, t: Timed| {
        println!(
            "{what:<52} {:>9.1} {:>9.1} {:>8}",
            t.p50.as_secs_f64() * 1e3,
            t.p95.as_secs_f64() * 1e3,
            t.bytes
        );
    };
    for path in [
        "/api/v1/appeals?limit=100".to_owned(),
        deep.clone(),
        "/api/v1/appeals?status=decided&limit=100".to_owned(),
    ] {
        let t = timed(rounds, || api(path.clone())).await;
        let shown = if path.contains("after=") {
            "/api/v1/appeals (50 pages deep)"
        } else {
            &path
        };
        show(&format!("API {shown}"), t);
    }
    for page in ["/filings", "/filings?kind=appeal&status=registered", "/"] {
        let mut times = Vec::with_capacity(rounds);
        let mut bytes = 0;
        for i in 0..rounds + 5 {
            let t = Instant::now();
            let got = browser.get(page).await;
            assert_eq!(got.status, 200, "{page}");
            bytes = got.body.len();
            if i >= 5 {
                times.push(t.elapsed());
            }
        }
        times.sort();
        let t = Timed {
            p50: percentile(&times, 0.50),
            p95: percentile(&times, 0.95),
            bytes,
        };
        show(&format!("console {page}"), t);
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let n = env_usize("KND_BENCH_APPEALS", 100_000);
    let rounds = env_usize("KND_BENCH_ROUNDS", 40);
    rt.block_on(async {
        run("SQLite", None, n, rounds).await;
        match std::env::var("KND_BENCH_POSTGRES_URL") {
            Ok(admin) => {
                let url = knd_tests::fresh_postgres_db(&admin).await.unwrap();
                run("PostgreSQL", Some(url), n, rounds).await;
            }
            Err(_) => println!("PostgreSQL: set KND_BENCH_POSTGRES_URL to include it"),
        }
    });
}
