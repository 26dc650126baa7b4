//! The device's push over real HTTP on loopback (issue: the inspector core's sync client).
//!
//! `cargo bench -p knd-tests --bench device_push` enrolls an inspector app profile
//! (`knd-inspector-core`) against a real server (SQLite), signs 10,000 notes into its store in one
//! transaction, and times `knd_inspector_core::sync::sync_once` pushing them all: batches of 500
//! records, each answered with signed receipts that the device verifies and stores. Each run
//! adds 10,000 new records to the same chain; the median of the runs is printed in records per
//! second, with the time of signing them for comparison.
//!
//! `KND_BENCH_PUSH_RECORDS` (default 10000) and `KND_BENCH_PUSH_RUNS` (default 3) change the sizes.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use knd_tests::bench::env_usize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use knd_inspector_core::app::{App, AppConfig};
use knd_inspector_core::store::Store;
use knd_inspector_core::sync::{SyncConfig, sync_once};
use knd_inspector_core::{KdfParams, KeyStore, Pin};
use knd_server::model::Role;
use knd_shared::record::kinds::RecordKind;
use knd_tests::Server;
use serde_json::json;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[allow(clippy::cast_precision_loss)]
fn per_s(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("run with cargo bench -p knd-tests --bench device_push");
        return;
    }
    let n = env_usize("KND_BENCH_PUSH_RECORDS", 10_000);
    let runs = env_usize("KND_BENCH_PUSH_RUNS", 3).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let server = Server::start(None).await.unwrap();
        let agency = knd_server::admin::create_agency(&server.state, "Bench agency")
            .await
            .unwrap();
        let agency = knd_shared::AgencyId::parse(agency["id"].as_str().unwrap()).unwrap();
        knd_server::admin::create_user(
            &server.state,
            agency,
            "bench",
            Role::Inspector,
            "bench password".into(),
        )
        .await
        .unwrap();
        let code = knd_server::admin::enrollment_code(&server.state, "bench")
            .await
            .unwrap();
        let dir = tempfile::TempDir::new().unwrap();
        {
            let app = App::open(
                dir.path(),
                AppConfig {
                    kdf: KdfParams::INSECURE_FAST,
                    ..AppConfig::default()
                },
            )
            .unwrap();
            app.enroll(
                &server.url(""),
                code["code"].as_str().unwrap(),
                "Bench tablet",
                "2468",
            )
            .await
            .unwrap();
        }
        let mut store = Store::open(dir.path()).unwrap();
        let device = store.profile().unwrap().device;
        let key = KeyStore::open(dir.path(), device)
            .unwrap()
            .unlock(&Pin::parse("2468").unwrap())
            .unwrap();
        let config = SyncConfig::default();
        let store_cell = Mutex::new(Store::open(dir.path()).unwrap());
        // A first sync (the pull, nothing to push) so that every run times the same work.
        sync_once(&store_cell, &config).await.unwrap();

        let (mut pushes, mut signs) = (Vec::new(), Vec::new());
        for run in 0..runs {
            let records = (0..n)
                .map(|i| {
                    let body = json!({
                        "text": format!("Run {run}, note {i}: осмотрен участок, огнетушитель ОП-4 на месте, пломба цела."),
                    });
                    (RecordKind::Note, body.as_object().unwrap().clone())
                })
                .collect();
            let t = Instant::now();
            store.create_records(&key, records).unwrap();
            signs.push(t.elapsed());
            assert_eq!(store.pending_count().unwrap(), n as u64);

            let t = Instant::now();
            let report = sync_once(&store_cell, &config).await.unwrap();
            let took = t.elapsed();
            assert_eq!(report.accepted, n as u64, "{report:?}");
            assert_eq!(store.pending_count().unwrap(), 0);
            pushes.push(took);
            println!(
                "run {}: {n} records pushed and receipted in {:.0} ms = {:.0} records/s",
                run + 1,
                took.as_secs_f64() * 1000.0,
                per_s(n, took)
            );
        }
        let push = median(pushes);
        let sign = median(signs);
        println!(
            "device push of {n} records through sync_once (batches of {}, receipts verified and stored): median {:.0} ms = {:.0} records/s; signing them into the store took {:.0} ms = {:.0} records/s",
            config.batch_records,
            push.as_secs_f64() * 1000.0,
            per_s(n, push),
            sign.as_secs_f64() * 1000.0,
            per_s(n, sign),
        );
        assert_eq!(
            store.verify_chain().unwrap().records,
            (n * runs) as u64
        );
    });
}
