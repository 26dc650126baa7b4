//! Registry import benchmark over real HTTP (issue: demo and synthetic registries).
//!
//! `cargo bench -p knd-tests --bench registry_import` generates a synthetic registry with the
//! demo's generator (`knd-server generate` writes the same rows to files) of
//! `KND_BENCH_SUBJECTS` subjects (default 100,000) and `KND_BENCH_OBJECTS` control objects
//! (default 1,000,000), posts it to the CSV import endpoints in files of `KND_BENCH_CHUNK` rows
//! (default 50,000: each file is one request and one transaction, and stays under the API's
//! 32 MiB body limit), and prints rows per second for subjects and for objects, the latency of
//! one file, and the process's peak memory.
//!
//! On SQLite, and also on PostgreSQL when `KND_BENCH_POSTGRES_URL` is set (an admin URL; a fresh
//! database is created).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use knd_tests::bench::{env_usize, percentile};
use std::time::{Duration, Instant};

use knd_server::demo::generator::{Registry, Spec};
use knd_tests::Server;
use serde_json::{Value, json};

/// The peak resident memory of this process (Linux), in MiB: the server runs in-process, so this
/// bounds what the import holds at once.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// The time spent in requests, rows and bytes sent, and the per-file latencies.
#[derive(Default)]
struct Run {
    busy: Duration,
    rows: usize,
    bytes: usize,
    latencies: Vec<Duration>,
}

impl Run {
    fn report(&mut self, what: &str, backend: &str) {
        self.latencies.sort();
        #[allow(clippy::cast_precision_loss)]
        let rate = self.rows as f64 / self.busy.as_secs_f64();
        #[allow(clippy::cast_precision_loss)]
        let mb = self.bytes as f64 / 1e6;
        println!(
            "{backend}: {} {what} in {:.1} s = {rate:.0} rows/s ({mb:.0} MB of CSV in {} files; \
             one file p50 {:.2} s, max {:.2} s)",
            self.rows,
            self.busy.as_secs_f64(),
            self.latencies.len(),
            percentile(&self.latencies, 0.5).as_secs_f64(),
            percentile(&self.latencies, 1.0).as_secs_f64(),
        );
    }
}

async fn post(
    http: &reqwest::Client,
    server: &Server,
    token: &str,
    what: &str,
    csv: Vec<u8>,
    run: &mut Run,
) {
    let rows = csv.iter().filter(|b| **b == b'\n').count() - 1;
    run.bytes += csv.len();
    let started = Instant::now();
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
    let took = started.elapsed();
    assert!(status.is_success(), "{report}");
    assert_eq!(report["refused"], json!([]), "{report}");
    assert_eq!(report["inserted"].as_u64().unwrap() as usize, rows);
    run.busy += took;
    run.rows += rows;
    run.latencies.push(took);
}

async fn import(label: &str, database_url: Option<String>, spec: Spec, chunk: usize) {
    let server = Server::start(database_url).await.unwrap();
    let (http, token) = knd_tests::bench::planner_with_demo_types(&server).await;

    let started = Instant::now();
    let registry = Registry::generate(spec).unwrap();
    println!(
        "{label}: generated {} subjects in {:.1} s (objects are generated file by file, untimed)",
        spec.subjects,
        started.elapsed().as_secs_f64()
    );
    let mut subjects = Run::default();
    for csv in registry.subject_chunks(chunk) {
        post(&http, &server, &token, "subjects", csv, &mut subjects).await;
    }
    subjects.report("subjects", label);
    let mut objects = Run::default();
    for csv in registry.object_chunks(chunk) {
        post(&http, &server, &token, "objects", csv, &mut objects).await;
    }
    objects.report("objects", label);
    if let Some(mib) = peak_rss_mib() {
        println!("{label}: peak memory of the process (server, client and generator) {mib} MiB");
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and then this only says
    // how to run it.
    if !std::env::args().any(|a| a == "--bench") {
        println!("run with cargo bench -p knd-tests --bench registry_import");
        return;
    }
    let spec = Spec {
        seed: knd_server::demo::DEMO_SEED,
        subjects: env_usize("KND_BENCH_SUBJECTS", 100_000),
        objects: env_usize("KND_BENCH_OBJECTS", 1_000_000),
    };
    let chunk = env_usize("KND_BENCH_CHUNK", 50_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        import("SQLite", None, spec, chunk).await;
        match std::env::var("KND_BENCH_POSTGRES_URL") {
            Ok(admin) => {
                let url = knd_tests::fresh_postgres_db(&admin).await.unwrap();
                import("PostgreSQL", Some(url), spec, chunk).await;
            }
            Err(_) => println!("PostgreSQL: set KND_BENCH_POSTGRES_URL to include it"),
        }
    });
}
