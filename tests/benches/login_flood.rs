//! Login-flood benchmark (issue 11, finding 2): the process's memory while many failed logins
//! arrive at once, and after they stop.
//!
//! `cargo bench -p knd-tests --bench login_flood` starts a server in this process, then sends
//! `KND_BENCH_WIDTH` (default 40) failed logins at once, `KND_BENCH_ROUNDS` (default 5) times,
//! each worker from its own loopback address (so the throttle lets them through: this measures
//! the password checks, not the throttle), and prints the resident memory before, at its peak
//! and a few seconds after, with the answers' statuses (503 = every password check slot taken).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use knd_tests::bench::env_usize;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use knd_tests::Server;
use serde_json::json;

/// A line of `/proc/self/status` in MiB (`VmRSS`, `VmHWM`).
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let width = env_usize("KND_BENCH_WIDTH", 40);
    let rounds = env_usize("KND_BENCH_ROUNDS", 5);
    let server = Server::start(None).await.unwrap();
    let url = format!("http://{}/api/v1/auth/login", server.addr);
    // One failed login first: the dummy hash for unknown names is made once.
    let _ = reqwest::Client::new()
        .post(&url)
        .json(&json!({"login": "warmup", "password": "not the password"}))
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = status_mib("VmRSS");
    let started = Instant::now();
    let workers = (0..width).map(|w| {
        let url = url.clone();
        let last = u8::try_from(2 + w % 250).unwrap();
        tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .local_address(IpAddr::from([127, 0, 0, last]))
                .build()
                .unwrap();
            let mut statuses = Vec::new();
            for r in 0..rounds {
                let resp = http
                    .post(&url)
                    .json(&json!({"login": format!("nobody{w}x{r}"), "password": "wrong password"}))
                    .send()
                    .await
                    .unwrap();
                statuses.push(resp.status().as_u16());
            }
            statuses
        })
    });
    let mut counts = BTreeMap::new();
    for w in workers {
        for s in w.await.unwrap() {
            *counts.entry(s).or_insert(0usize) += 1;
        }
    }
    let took = started.elapsed();
    let peak = status_mib("VmHWM");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = status_mib("VmRSS");
    println!(
        "login flood: {width} at once × {rounds} rounds in {:.1} s; answers {counts:?}",
        took.as_secs_f64()
    );
    println!(
        "  resident memory: before {before:.0} MiB, peak {peak:.0} MiB, 3 s after {after:.0} MiB"
    );
}
