//! Pull benchmark over real HTTP (issue: field data on the server).
//!
//! `cargo bench -p knd-tests --bench pull` loads a registry of `KND_BENCH_OBJECTS` control
//! objects (default 1,000,000, ten per subject) through the CSV import endpoint, plans
//! `KND_BENCH_ASSIGNMENTS` inspections (default 200) for one inspector and as many for others, and
//! prints:
//! * the CSV import rate (rows per second) of subjects and objects;
//! * the first pull of the inspector's device (every page of the snapshot and the empty feed page
//!   after it): p50/p99 and bytes;
//! * an incremental pull after one inspection was rescheduled, and one with nothing new.
//!
//! On SQLite by default; `KND_BENCH_POSTGRES_URL` runs it on PostgreSQL instead.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use knd_tests::bench::{env_usize, ms, percentile};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use knd_server::model::Role;
use knd_shared::{DeviceKey, Inn};
use knd_tests::Server;
use serde_json::{Value, json};

/// A valid 10-digit INN for `n` (the last digit is the check digit; found by trying them).
fn inn(n: usize) -> String {
    let base = format!("77{:07}", n % 10_000_000);
    (0..10)
        .map(|d| format!("{base}{d}"))
        .find(|s| Inn::parse(s).is_ok())
        .expect("one check digit fits")
}

struct Client {
    http: reqwest::Client,
    server: Server,
    token: String,
}

impl Client {
    async fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> Value {
        let resp = self
            .http
            .request(method, self.server.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap()
    }

    async fn import(&self, what: &str, csv: String) {
        let resp = self
            .http
            .post(self.server.url(&format!("/api/v1/import/{what}")))
            .bearer_auth(&self.token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let report: Value = resp.json().await.unwrap();
        assert!(status.is_success(), "{report}");
        assert_eq!(report["refused"], json!([]), "{report}");
    }
}

async fn login(http: &reqwest::Client, server: &Server, login: &str) -> String {
    let v: Value = http
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"login": login, "password": "bench password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["token"].as_str().unwrap().to_owned()
}

/// Pulls until the feed is drained; (requests, bytes, time, final cursor, assignments), and
/// each request's time added to `pages`.
async fn pull_all(
    http: &reqwest::Client,
    server: &Server,
    token: &str,
    cursor: Option<&str>,
    pages: &mut Vec<Duration>,
) -> (usize, usize, Duration, String, usize) {
    let started = Instant::now();
    let mut cursor = cursor.map(str::to_owned);
    let (mut requests, mut bytes, mut assignments) = (0, 0, 0);
    loop {
        let mut url = server.url("/api/v1/sync/pull?limit=50");
        if let Some(c) = &cursor {
            write!(url, "&cursor={c}").unwrap();
        }
        let page_started = Instant::now();
        let body = http
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        pages.push(page_started.elapsed());
        requests += 1;
        bytes += body.len();
        let page: Value = serde_json::from_slice(&body).unwrap();
        assignments += page["assignments"].as_array().map_or(0, Vec::len);
        cursor = Some(page["cursor"].as_str().unwrap().to_owned());
        if page["more"] != true {
            break;
        }
    }
    (
        requests,
        bytes,
        started.elapsed(),
        cursor.unwrap(),
        assignments,
    )
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let objects = env_usize("KND_BENCH_OBJECTS", 1_000_000);
    let assignments = env_usize("KND_BENCH_ASSIGNMENTS", 200);
    let per_subject = 10;
    let subjects = objects.div_ceil(per_subject);
    let pg = std::env::var("KND_BENCH_POSTGRES_URL").ok();
    let database_url = match &pg {
        Some(admin) => Some(knd_tests::fresh_postgres_db(admin).await.unwrap()),
        None => None,
    };
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    let server = Server::start(database_url).await.unwrap();
    let state = server.state.clone();
    let state = &state;
    let agency = knd_server::admin::create_agency(state, "Bench agency")
        .await
        .unwrap();
    let agency = knd_shared::AgencyId::parse(agency["id"].as_str().unwrap()).unwrap();
    let mut inspectors = Vec::new();
    for (login, role) in [
        ("planner", Role::Planner),
        ("inspector", Role::Inspector),
        ("other", Role::Inspector),
    ] {
        let u = knd_server::admin::create_user(state, agency, login, role, "bench password".into())
            .await
            .unwrap();
        inspectors.push(u["id"].as_str().unwrap().to_owned());
    }
    let http = reqwest::Client::new();
    let token = login(&http, &server, "planner").await;
    let c = Client {
        http: http.clone(),
        server,
        token,
    };
    c.send(
        reqwest::Method::PUT,
        "/api/v1/control-types/fire",
        &json!({"name": "Пожарный надзор"}),
    )
    .await;
    let mut items = Vec::new();
    for i in 1..=25 {
        c.send(
            reqwest::Method::PUT,
            &format!("/api/v1/control-types/fire/requirements/R{i}"),
            &json!({"text": format!("Требование пожарной безопасности № {i}: содержание территории, эвакуационные пути и средства пожаротушения"),
                    "legal_act": "Постановление Правительства РФ от 16.09.2020 № 1479", "article": format!("п. {i}")}),
        )
        .await;
        items.push(
            json!({"code": i.to_string(), "requirement": format!("R{i}"),
                          "question": format!("Соблюдается ли требование № {i}?")}),
        );
    }
    c.send(
        reqwest::Method::PUT,
        "/api/v1/control-types/fire/checklists/main",
        &json!({"name": "Проверочный лист", "items": items}),
    )
    .await;

    // The registry, through the import endpoint in files of 50,000 rows.
    const CHUNK: usize = 50_000;
    let started = Instant::now();
    for chunk in (0..subjects).collect::<Vec<_>>().chunks(CHUNK) {
        let mut csv = String::from("inn,ogrn,name,size_class\n");
        for &s in chunk {
            writeln!(csv, "{},,ООО «Объект {s}»,small", inn(s)).unwrap();
        }
        c.import("subjects", csv).await;
    }
    let subject_time = started.elapsed();
    let started = Instant::now();
    let categories = [
        "low",
        "moderate",
        "medium",
        "significant",
        "high",
        "extremely_high",
    ];
    for chunk in (0..objects).collect::<Vec<_>>().chunks(CHUNK) {
        let mut csv = String::from(
            "object_key,subject_inn,control_type,address,district,lat,lon,risk_category\n",
        );
        for &o in chunk {
            let s = o / per_subject;
            writeln!(
                csv,
                "OBJ-{o:07},{},fire,\"г. Тверь, ул. Советская, д. {}\",Район {},56.{:04},35.{:04},{}",
                inn(s),
                o % 200 + 1,
                o % 8,
                o % 10_000,
                (o * 7) % 10_000,
                categories[o % categories.len()]
            )
            .unwrap();
        }
        c.import("objects", csv).await;
    }
    let object_time = started.elapsed();
    #[allow(clippy::cast_precision_loss)]
    let rate = |n: usize, d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "{backend}: CSV import of {subjects} subjects {:.0} rows/s, {objects} objects {:.0} rows/s ({:.1} s)",
        rate(subjects, subject_time),
        rate(objects, object_time),
        object_time.as_secs_f64()
    );

    // Plans: `assignments` inspections for the inspector, as many for another.
    let mut ids = Vec::new();
    for i in 0..assignments * 2 {
        let s = (i * 397) % subjects;
        let keys: Vec<String> = (0..3)
            .map(|k| format!("OBJ-{:07}", s * per_subject + k))
            .collect();
        let who = &inspectors[if i % 2 == 0 { 1 } else { 2 }];
        let v = c
            .send(
                reqwest::Method::POST,
                "/api/v1/inspections",
                &json!({"kind": "field_check", "ground": "instruction", "erknm": "76202600000000000001", "control_type": "fire",
                        "subject_inn": inn(s), "objects": keys, "checklist": "main",
                        "starts_on": "2026-12-01", "ends_on": "2026-12-14",
                        "inspectors": [who], "status": "scheduled"}),
            )
            .await;
        if i % 2 == 0 {
            ids.push(v["id"].as_str().unwrap().to_owned());
        }
    }

    // The inspector's device.
    let code = knd_server::admin::enrollment_code(state, "inspector")
        .await
        .unwrap();
    let key = DeviceKey::generate();
    let device: Value = http
        .post(c.server.url("/api/v1/devices/enroll"))
        .json(&json!({"code": code["code"], "public_key": key.public_key().to_hex(), "name": "bench"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let device_token = device["token"].as_str().unwrap().to_owned();

    let mut first = Vec::new();
    let mut first_pages = Vec::new();
    let mut last = None;
    for _ in 0..20 {
        let (requests, bytes, took, cursor, got) =
            pull_all(&http, &c.server, &device_token, None, &mut first_pages).await;
        assert_eq!(got, assignments);
        first.push(took);
        last = Some((requests, bytes, cursor));
    }
    // Which of the pulls was slowest: the first, on connections and caches still cold, or not.
    let slowest = (0..first.len()).max_by_key(|&i| first[i]).unwrap_or(0);
    first.sort();
    first_pages.sort();
    let (requests, bytes, cursor) = last.unwrap();
    println!(
        "{backend}: first pull of {assignments} assignments with {objects} objects: p50 {} p99 {} \
         ({requests} requests, {bytes} bytes, {} bytes per assignment)",
        ms(percentile(&first, 0.5)),
        ms(percentile(&first, 0.99)),
        bytes / assignments.max(1)
    );
    println!(
        "{backend}: first pull, each page (of 50): p50 {} p99 {}; the slowest pull was number {} of {}",
        ms(percentile(&first_pages, 0.5)),
        ms(percentile(&first_pages, 0.99)),
        slowest + 1,
        first.len(),
    );

    let mut empty = Vec::new();
    let mut changed = Vec::new();
    let mut changed_bytes = 0;
    let mut cursor = cursor;
    for i in 0..50 {
        let (_, _, took, next, got) = pull_all(
            &http,
            &c.server,
            &device_token,
            Some(&cursor),
            &mut Vec::new(),
        )
        .await;
        assert_eq!(got, 0);
        empty.push(took);
        cursor = next;
        let day = if i % 2 == 0 {
            "2026-12-02"
        } else {
            "2026-12-03"
        };
        c.send(
            reqwest::Method::PATCH,
            &format!("/api/v1/inspections/{}", ids[i % ids.len()]),
            &json!({"starts_on": day}),
        )
        .await;
        let (_, bytes, took, next, got) = pull_all(
            &http,
            &c.server,
            &device_token,
            Some(&cursor),
            &mut Vec::new(),
        )
        .await;
        assert_eq!(got, 1);
        changed.push(took);
        changed_bytes = bytes;
        cursor = next;
    }
    empty.sort();
    changed.sort();
    println!(
        "{backend}: incremental pull, one inspection rescheduled: p50 {} p99 {} ({changed_bytes} bytes); \
         nothing new: p50 {} p99 {}",
        ms(percentile(&changed, 0.5)),
        ms(percentile(&changed, 0.99)),
        ms(percentile(&empty, 0.5)),
        ms(percentile(&empty, 0.99)),
    );
}
