//! Registry search benchmark (issue 12: the console's registry).
//!
//! `cargo bench -p knd-tests --bench registry_search` imports a registry made by the demo's
//! generator of `KND_BENCH_SUBJECTS` subjects (default 100,000) and `KND_BENCH_OBJECTS` objects
//! (default 1,000,000) through the CSV import endpoint, then times, `KND_BENCH_QUERIES` times
//! each (default 200):
//! * the search service (server time, in the process) by a whole ИНН, by a name fragment (five
//!   letters of a subject's name) and by an address fragment (a street, half of the time with a
//!   house number);
//! * the console's registry page rendered over HTTP: the first page with no search, and a page
//!   of a name search;
//! * an object's page (its risk history, inspections and neighbours on the map).
//!
//! It prints p50 and p95 of each (targets: search p95 < 100 ms, list page p95 < 50 ms). On
//! SQLite, and on PostgreSQL when `KND_BENCH_POSTGRES_URL` is set (an admin URL; a fresh
//! database is created).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use knd_tests::bench::{env_usize, percentile};
use std::time::{Duration, Instant};

use knd_server::demo::generator::{Registry, Spec};
use knd_server::model::User;
use knd_server::services::{accounts, registry_search};
use knd_tests::Server;
use serde_json::{Value, json};

fn report(label: &str, what: &str, mut times: Vec<Duration>, found: usize, target_ms: u64) {
    times.sort();
    let (p50, p95) = (percentile(&times, 0.5), percentile(&times, 0.95));
    let verdict = if p95 <= Duration::from_millis(target_ms) {
        "within"
    } else {
        "OVER"
    };
    println!(
        "{label}: {what}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms over {} queries ({found} rows \
         found in all; {verdict} the {target_ms} ms target)",
        p50.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3,
        times.len(),
    );
}

/// A small deterministic generator for picking queries (SplitMix64).
struct Pick(u64);

impl Pick {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        #[allow(clippy::cast_possible_truncation)]
        let i = ((z ^ (z >> 31)) % n as u64) as usize;
        i
    }
}

/// Five letters from inside a word of the name (a fragment as someone remembers it).
fn name_fragment(name: &str, pick: &mut Pick) -> Option<String> {
    let words: Vec<&str> = name
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 5 && *w != "ООО" && *w != "ИП")
        .collect();
    let w: Vec<char> = words.get(pick.below(words.len().max(1)))?.chars().collect();
    let start = pick.below(w.len() - 4);
    Some(w[start..start + 5].iter().collect())
}

async fn post_csv(http: &reqwest::Client, server: &Server, token: &str, what: &str, csv: Vec<u8>) {
    let resp = http
        .post(server.url(&format!("/api/v1/import/{what}?mode=all_or_nothing")))
        .bearer_auth(token)
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

async fn time_search(server: &Server, user: &User, queries: &[String]) -> (Vec<Duration>, usize) {
    let mut times = Vec::with_capacity(queries.len());
    let mut found = 0;
    for text in queries {
        let q = registry_search::Query {
            text: text.clone(),
            limit: 50,
            ..registry_search::Query::default()
        };
        let started = Instant::now();
        let f = registry_search::search(&server.state, user, None, &q)
            .await
            .unwrap();
        times.push(started.elapsed());
        found += f.subjects.map_or(0, |l| l.len()) + f.objects.map_or(0, |l| l.len());
    }
    (times, found)
}

async fn time_pages(
    http: &reqwest::Client,
    server: &Server,
    token: &str,
    paths: &[String],
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(paths.len());
    for p in paths {
        let started = Instant::now();
        let resp = http
            .get(server.url(p))
            .header("cookie", format!("knd_session={token}"))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body = resp.text().await.unwrap();
        times.push(started.elapsed());
        assert!(status.is_success(), "{p}: {status} {body}");
    }
    times
}

/// `q=` and the text percent-encoded, byte by byte.
fn query_encoded(s: &str) -> String {
    let mut out = String::from("q=");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

async fn run(label: &str, database_url: Option<String>, spec: Spec, n: usize) {
    let server = Server::start(database_url).await.unwrap();
    let (http, token) = knd_tests::bench::planner_with_demo_types(&server).await;
    let state = &server.state;
    let registry = Registry::generate(spec).unwrap();
    let started = Instant::now();
    for csv in registry.subject_chunks(50_000) {
        post_csv(&http, &server, &token, "subjects", csv).await;
    }
    for csv in registry.object_chunks(50_000) {
        post_csv(&http, &server, &token, "objects", csv).await;
    }
    println!(
        "{label}: imported {} subjects and {} objects in {:.0} s (indexes and triggers included)",
        spec.subjects,
        spec.objects,
        started.elapsed().as_secs_f64()
    );
    let user = accounts::session_user(state, &token)
        .await
        .unwrap()
        .unwrap()
        .0;

    let mut pick = Pick(0x5EED);
    let subjects = registry.subjects();
    let inns: Vec<String> = (0..n)
        .map(|_| subjects[pick.below(subjects.len())].inn.clone())
        .collect();
    let names: Vec<String> = std::iter::repeat_with(|| {
        name_fragment(&subjects[pick.below(subjects.len())].name, &mut pick)
    })
    .flatten()
    .take(n)
    .collect();
    let districts = &registry.data().registry.districts;
    let addresses: Vec<String> = (0..n)
        .map(|i| {
            let d = &districts[pick.below(districts.len())];
            let street = d.streets[pick.below(d.streets.len())].clone();
            let street = street
                .split_once(". ")
                .map_or(street.clone(), |(_, s)| s.to_owned());
            if i % 2 == 0 {
                street
            } else {
                format!("{street}, д. {}", 1 + pick.below(40))
            }
        })
        .collect();
    // Warm the caches once, as a running server's are.
    let _ = time_search(&server, &user, &inns[..10.min(n)]).await;

    let (t, found) = time_search(&server, &user, &inns).await;
    report(label, "search by INN (service)", t, found, 100);
    let (t, found) = time_search(&server, &user, &names).await;
    report(label, "search by name fragment (service)", t, found, 100);
    let (t, found) = time_search(&server, &user, &addresses).await;
    report(label, "search by address fragment (service)", t, found, 100);

    let list: Vec<String> = (0..n).map(|_| "/registry".to_owned()).collect();
    let t = time_pages(&http, &server, &token, &list).await;
    report(
        label,
        "registry page, first page (HTTP, rendered)",
        t,
        0,
        50,
    );
    let searched: Vec<String> = names
        .iter()
        .map(|q| format!("/registry?{}", query_encoded(q)))
        .collect();
    let t = time_pages(&http, &server, &token, &searched).await;
    report(
        label,
        "registry page, name search (HTTP, rendered)",
        t,
        0,
        100,
    );
    let step = (spec.objects / n.max(1)).max(1);
    let objects: Vec<String> = registry
        .objects()
        .step_by(step)
        .take(n)
        .map(|o| format!("/registry/objects/{}", o.key))
        .collect();
    let t = time_pages(&http, &server, &token, &objects).await;
    report(
        label,
        "object page with its map (HTTP, rendered)",
        t,
        0,
        100,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then this only says
    // how to run it.
    if !std::env::args().any(|a| a == "--bench") {
        println!("run with cargo bench -p knd-tests --bench registry_search");
        return;
    }
    let spec = Spec {
        seed: knd_server::demo::DEMO_SEED,
        subjects: env_usize("KND_BENCH_SUBJECTS", 100_000),
        objects: env_usize("KND_BENCH_OBJECTS", 1_000_000),
    };
    let n = env_usize("KND_BENCH_QUERIES", 200);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        if std::env::var("KND_BENCH_SKIP_SQLITE").is_err() {
            run("SQLite", None, spec, n).await;
        }
        match std::env::var("KND_BENCH_POSTGRES_URL") {
            Ok(admin) => {
                let url = knd_tests::fresh_postgres_db(&admin).await.unwrap();
                run("PostgreSQL", Some(url), spec, n).await;
            }
            Err(_) => println!("PostgreSQL: set KND_BENCH_POSTGRES_URL to include it"),
        }
    });
}
