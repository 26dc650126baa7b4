//! The console's pages at the size of a large agency: `cargo bench -p knd-tests --bench
//! console_pages` runs `knd-server demo` in this process with `KND_BENCH_SUBJECTS` subjects
//! (default 100,000) and `KND_BENCH_OBJECTS` objects (default 1,000,000), signs in as the admin
//! (who sees every page) through the login form, and fetches each list page
//! `KND_BENCH_ROUNDS` times (default 40, after 5 unmeasured), printing p50 and p95 of the time
//! to the page's last byte over loopback (the server's time plus a loopback round trip).
//!
//! On SQLite, and also on PostgreSQL when `KND_BENCH_POSTGRES_URL` is set (an admin URL; a fresh
//! database is created).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use knd_server::Config;
use knd_server::demo::DemoArgs;

const PASSWORD: &str = "bench-console-password";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// The pages measured: every list of the console, and searches of the registry.
const PAGES: &[&str] = &[
    "/",
    "/registry",
    "/registry?q=7602",
    "/registry?q=%D0%9B%D0%B5%D0%BD%D0%B8%D0%BD%D0%B0",
    "/registry?q=%D0%BA%D0%B0%D1%84%D0%B5",
    "/inspections",
    "/inspections/calendar",
    "/review-flags",
    "/devices",
    "/audit",
    "/users",
];

async fn measure(label: &str, database_url: Option<String>, subjects: usize, objects: usize) {
    let dir = tempfile::TempDir::new().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = Config {
        data_dir: dir.path().to_owned(),
        database_url,
        listen: ([127, 0, 0, 1], port).into(),
        ..Config::default()
    };
    let args = DemoArgs {
        reset: false,
        subjects,
        objects,
        seed: 2026,
        password: Some(PASSWORD.into()),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let started = Instant::now();
    let demo = tokio::spawn(knd_server::demo::run(config, args, async move {
        let _ = stopped.await;
    }));
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    // The demo seeds before it serves the console; the login page answers when it is ready.
    loop {
        assert!(!demo.is_finished(), "the demo stopped");
        if let Ok(r) = http.get(format!("{base}/login")).send().await {
            if r.status() == 200 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "{label}: demo seeded ({subjects} subjects, {objects} objects) in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let form = http
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = knd_tests::console::csrf_of(&form).unwrap();
    let resp = http
        .post(format!("{base}/login"))
        .header("origin", &base)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("login", "admin"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "signed in and shown Today");
    let rounds = env_usize("KND_BENCH_ROUNDS", 40);
    println!(
        "{:<58} {:>9} {:>9} {:>8}",
        "page", "p50 ms", "p95 ms", "bytes"
    );
    for page in PAGES {
        let url = format!("{base}{page}");
        let mut times = Vec::with_capacity(rounds);
        let mut bytes = 0;
        for i in 0..rounds + 5 {
            let t = Instant::now();
            let resp = http.get(&url).send().await.unwrap();
            let status = resp.status();
            let body = resp.bytes().await.unwrap();
            let took = t.elapsed();
            assert!(status.is_success(), "{page}: {status}");
            bytes = body.len();
            if i >= 5 {
                times.push(took);
            }
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{page:<58} {:>9.1} {:>9.1} {bytes:>8}",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.95))
        );
    }
    let _ = stop.send(());
    let _ = demo.await;
}

fn main() {
    let subjects = env_usize("KND_BENCH_SUBJECTS", 100_000);
    let objects = env_usize("KND_BENCH_OBJECTS", 1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        measure("SQLite", None, subjects, objects).await;
        match std::env::var("KND_BENCH_POSTGRES_URL") {
            Ok(admin) => {
                let url = knd_tests::fresh_postgres_db(&admin).await.unwrap();
                measure("PostgreSQL", Some(url), subjects, objects).await;
            }
            Err(_) => println!("PostgreSQL: set KND_BENCH_POSTGRES_URL to include it"),
        }
    });
}
