//! Photo upload throughput over real HTTP on loopback (issue: resumable uploads).
//!
//! `cargo bench -p knd-tests --bench uploads` uploads a 10 MB random file to a real server (SQLite,
//! local blob directory) with tus, in PATCH requests of 1 MiB and of 4 MiB, and prints the median
//! MB/s of several runs: from the creation request to the answer of the last PATCH, which comes
//! after the server has checked the SHA-256 and stored the blob. Against it, the `cp` ceiling:
//! `std::fs::copy` of the same file on the same disk. Each run changes a few bytes of the file, so
//! that no run is answered "already stored"; the client hashes the file before the clock starts.
//!
//! `KND_BENCH_UPLOAD_MB` (default 10) and `KND_BENCH_UPLOAD_RUNS` (default 7) change the sizes.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use knd_tests::bench::env_usize;
use std::time::{Duration, Instant};

use knd_shared::Sha256;
use knd_tests::Server;

/// Incompressible bytes from a xorshift generator (no need for a cryptographic one here).
fn random_bytes(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(n);
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[allow(clippy::cast_precision_loss)]
fn mb_per_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

/// One tus upload of `file` in `chunk`-byte PATCH requests: its whole time, and that of its last
/// PATCH (which includes the server's SHA-256 check and the copy into the blob store).
async fn upload(
    http: &reqwest::Client,
    server: &Server,
    token: &str,
    file: &[u8],
    sha256: &str,
    chunk: usize,
) -> (Duration, Duration) {
    use base64::Engine as _;
    let started = Instant::now();
    let resp = http
        .post(server.url("/api/v1/uploads"))
        .bearer_auth(token)
        .header("tus-resumable", "1.0.0")
        .header("upload-length", file.len().to_string())
        .header(
            "upload-metadata",
            format!(
                "sha256 {},mime {}",
                base64::engine::general_purpose::STANDARD.encode(sha256),
                base64::engine::general_purpose::STANDARD.encode("application/octet-stream")
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let url = server.url(&location);
    let mut offset = 0;
    let mut last = Duration::ZERO;
    for part in file.chunks(chunk) {
        let t = Instant::now();
        let resp = http
            .patch(&url)
            .bearer_auth(token)
            .header("tus-resumable", "1.0.0")
            .header("upload-offset", offset.to_string())
            .header("content-type", "application/offset+octet-stream")
            .body(part.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 204, "{}", resp.text().await.unwrap());
        offset += part.len();
        last = t.elapsed();
    }
    (started.elapsed(), last)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        println!("run with cargo bench -p knd-tests --bench uploads");
        return;
    }
    let size = env_usize("KND_BENCH_UPLOAD_MB", 10) * 1_000_000;
    let runs = env_usize("KND_BENCH_UPLOAD_RUNS", 7).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let server = Server::start(None).await.unwrap();
        let device = server.devices(1).await.unwrap().remove(0);
        let http = reqwest::Client::new();
        let mut file = random_bytes(size);

        // The ceiling: copying the file on the same disk.
        let dir = tempfile::TempDir::new().unwrap();
        let src = dir.path().join("src.bin");
        std::fs::write(&src, &file).unwrap();
        let copies: Vec<Duration> = (0..runs)
            .map(|i| {
                let dst = dir.path().join(format!("copy{i}.bin"));
                let t = Instant::now();
                std::fs::copy(&src, &dst).unwrap();
                t.elapsed()
            })
            .collect();
        let copy = median(copies);

        let mut run = 0u64;
        for chunk in [1 << 20, 4 << 20] {
            let (mut times, mut lasts) = (Vec::new(), Vec::new());
            for _ in 0..runs {
                run += 1;
                file[..8].copy_from_slice(&run.to_le_bytes());
                let sha256 = Sha256::digest(&file).to_hex();
                let (total, last) =
                    upload(&http, &server, &device.token, &file, &sha256, chunk).await;
                times.push(total);
                lasts.push(last);
            }
            let t = median(times);
            println!(
                "tus upload of {} MB in {} MiB PATCHes over loopback: median {:.0} ms = {:.0} MB/s ({:.0} % of the cp ceiling); last PATCH (with the check and the copy into the blob store) {:.0} ms",
                size / 1_000_000,
                chunk >> 20,
                t.as_secs_f64() * 1000.0,
                mb_per_s(size, t),
                100.0 * copy.as_secs_f64() / t.as_secs_f64(),
                median(lasts).as_secs_f64() * 1000.0,
            );
        }
        println!(
            "cp ceiling (std::fs::copy of the same {} MB file): median {:.1} ms = {:.0} MB/s",
            size / 1_000_000,
            copy.as_secs_f64() * 1000.0,
            mb_per_s(size, copy),
        );
    });
}
