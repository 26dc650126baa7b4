//! Ingest benchmark over real HTTP (issue: backend core).
//!
//! `cargo bench -p knd-tests --bench ingest` prints:
//! * the raw strict-verification rate of knd-shared on one core, measured in the same run;
//! * ingest of DEVICES × RECORDS records in batches of BATCH, all devices pushing at once, on
//!   SQLite and (when `KND_BENCH_POSTGRES_URL` or `KND_TEST_POSTGRES_URL` is set) PostgreSQL:
//!   records per second and p50/p99 push latency;
//! * p50/p99 of a checkpoint + inclusion-proof request pair with a log of `KND_BENCH_LOG_LEAVES`
//!   leaves (default 1,000,000) on SQLite.
//!
//! Sizes can be lowered for a quick run: `KND_BENCH_DEVICES`, `KND_BENCH_RECORDS`,
//! `KND_BENCH_LOG_LEAVES`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use knd_tests::bench::{env_usize, ms, percentile};
use std::time::Instant;

use knd_shared::record;
use knd_tests::{Device, Server, push_body};

const BATCH: usize = 250;

/// Records per second of strict verification on one core.
fn raw_verify_rate() -> f64 {
    let mut dev = Device {
        id: knd_shared::DeviceId::new(),
        token: String::new(),
        server_key: String::new(),
        key: knd_shared::DeviceKey::generate(),
        head: knd_shared::record::ChainHead::GENESIS,
    };
    let records = dev.findings(3000);
    let key = dev.key.public_key();
    let started = Instant::now();
    for r in &records {
        record::verify(r, &key).unwrap();
    }
    #[allow(clippy::cast_precision_loss)]
    let rate = records.len() as f64 / started.elapsed().as_secs_f64();
    rate
}

/// Signs every device's records on all cores (not timed as ingest).
fn sign_all(devices: &mut [Device], per_device: usize) -> Vec<Vec<Vec<u8>>> {
    std::thread::scope(|s| {
        let handles: Vec<_> = devices
            .iter_mut()
            .map(|d| s.spawn(move || d.findings(per_device)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

async fn ingest(
    label: &str,
    database_url: Option<String>,
    devices: usize,
    per_device: usize,
    raw: f64,
) {
    let server = Server::start(database_url).await.unwrap();
    let mut devs = server.devices(devices).await.unwrap();
    let chains = sign_all(&mut devs, per_device);
    let http = reqwest::Client::new();
    let url = server.url("/api/v1/sync/push");
    let started = Instant::now();
    let tasks: Vec<_> = devs
        .iter()
        .zip(chains)
        .map(|(d, chain)| {
            let (http, url, token) = (http.clone(), url.clone(), d.token.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                for batch in chain.chunks(BATCH) {
                    let t = Instant::now();
                    let resp = http
                        .post(&url)
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(push_body(batch))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(resp.status(), 200);
                    let v: serde_json::Value = resp.json().await.unwrap();
                    assert!(
                        v["results"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .all(|r| r["status"] == "accepted")
                    );
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let total = devices * per_device;
    #[allow(clippy::cast_precision_loss)]
    let rate = total as f64 / elapsed.as_secs_f64();
    println!(
        "ingest {label}: {devices} devices x {per_device} records, batches of {BATCH}: {total} records in {:.1} s = {rate:.0} records/s ({:.0} % of one core's raw verification); push latency p50 {} p99 {}",
        elapsed.as_secs_f64(),
        100.0 * rate / raw,
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
    );
}

/// Fills a log to `leaves` leaves over HTTP, then times checkpoint + inclusion-proof pairs.
async fn proofs_on_a_large_log(leaves: usize) {
    let server = Server::start(None).await.unwrap();
    let devices = 8;
    let per_device = leaves.div_ceil(devices);
    let mut devs = server.devices(devices).await.unwrap();
    let http = reqwest::Client::new();
    let url = server.url("/api/v1/sync/push");
    let started = Instant::now();
    let mut sample_hashes = Vec::new();
    let mut done = 0;
    while done < per_device {
        let n = (per_device - done).min(2000);
        let chains = sign_all(&mut devs, n);
        for chain in &chains {
            sample_hashes.push(record::parse_unverified(&chain[n / 2]).unwrap().hash);
        }
        let tasks: Vec<_> = devs
            .iter()
            .zip(chains)
            .map(|(d, chain)| {
                let (http, url, token) = (http.clone(), url.clone(), d.token.clone());
                tokio::spawn(async move {
                    for batch in chain.chunks(1000) {
                        let resp = http
                            .post(&url)
                            .bearer_auth(&token)
                            .header("content-type", "application/json")
                            .body(push_body(batch))
                            .send()
                            .await
                            .unwrap();
                        assert_eq!(resp.status(), 200);
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        done += n;
    }
    let size = server.state.store.log_size().await.unwrap();
    println!(
        "log filled to {size} leaves over HTTP in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let mut latencies = Vec::new();
    for i in 0..1000 {
        let hash = sample_hashes[i % sample_hashes.len()];
        let t = Instant::now();
        let cp = http
            .get(server.url("/api/v1/log/checkpoint"))
            .send()
            .await
            .unwrap();
        assert_eq!(cp.status(), 200);
        let _ = cp.text().await.unwrap();
        let p = http
            .get(server.url(&format!("/api/v1/log/proof/inclusion?hash={hash}")))
            .send()
            .await
            .unwrap();
        assert_eq!(p.status(), 200);
        let _ = p.text().await.unwrap();
        latencies.push(t.elapsed());
    }
    latencies.sort();
    println!(
        "checkpoint + inclusion proof at {size} leaves (SQLite): p50 {} p99 {}",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing we use. Either way this
    // runs the full harness only under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        println!("run with cargo bench -p knd-tests --bench ingest");
        return;
    }
    let devices = env_usize("KND_BENCH_DEVICES", 20);
    let per_device = env_usize("KND_BENCH_RECORDS", 5000);
    let leaves = env_usize("KND_BENCH_LOG_LEAVES", 1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let raw = raw_verify_rate();
        println!("raw strict verification (knd-shared, one core): {raw:.0} records/s");
        ingest("SQLite", None, devices, per_device, raw).await;
        let pg = std::env::var("KND_BENCH_POSTGRES_URL")
            .or_else(|_| std::env::var("KND_TEST_POSTGRES_URL"))
            .ok();
        match pg {
            Some(admin) => {
                let url = knd_tests::fresh_postgres_db(&admin).await.unwrap();
                ingest("PostgreSQL", Some(url), devices, per_device, raw).await;
            }
            None => println!("PostgreSQL: set KND_BENCH_POSTGRES_URL to include it"),
        }
        if leaves > 0 {
            proofs_on_a_large_log(leaves).await;
        }
    });
}
