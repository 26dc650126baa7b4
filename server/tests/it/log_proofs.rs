use knd_shared::Sha256;
use knd_shared::log;
use knd_shared::note::NoteVerifier;
use knd_shared::record;
use serde_json::Value;

use crate::common::{Backend, world};
use crate::on_both;

fn hashes(v: &Value) -> Vec<Sha256> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| Sha256::parse(h.as_str().unwrap()).unwrap())
        .collect()
}

async fn checkpoint(w: &crate::common::World) -> knd_shared::note::Checkpoint {
    let text = w
        .server
        .http
        .get(w.server.url("/api/v1/log/checkpoint"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    NoteVerifier::parse(&w.device.server_key)
        .unwrap()
        .open_checkpoint(text.as_bytes(), "knd.test/log")
        .unwrap()
}

async fn proofs_verify_against_signed_checkpoints(backend: Backend) {
    let mut w = world(backend).await;
    let (status, info) = w.server.get("/api/v1/log", "").await;
    assert_eq!(status, 200);
    assert_eq!(info["verifier_key"], w.device.server_key.as_str());
    assert_eq!(info["origin"], "knd.test/log");
    let old = checkpoint(&w).await;
    assert_eq!(old.size, 1, "the enrollment record");

    let records = w.device.findings(40);
    for chunk in records.chunks(7) {
        let (status, _) = w.server.push(&w.device, chunk).await;
        assert_eq!(status, 200);
    }
    let new = checkpoint(&w).await;
    assert_eq!(new.size, 41);

    for (i, bytes) in records.iter().enumerate() {
        let hash = record::parse_unverified(bytes).unwrap().hash;
        let (status, p) = w
            .server
            .get(
                &format!("/api/v1/log/proof/inclusion?hash={hash}&size={}", new.size),
                "",
            )
            .await;
        assert_eq!(status, 200, "{p}");
        assert_eq!(p["index"], i as u64 + 1);
        let proof = hashes(&p["proof"]);
        log::verify_inclusion(
            &log::leaf_hash(hash.as_bytes()),
            i as u64 + 1,
            new.size,
            &proof,
            &new.root,
        )
        .unwrap();
    }
    let (status, p) = w
        .server
        .get(
            &format!(
                "/api/v1/log/proof/consistency?from={}&to={}",
                old.size, new.size
            ),
            "",
        )
        .await;
    assert_eq!(status, 200);
    log::verify_consistency(
        old.size,
        new.size,
        &old.root,
        &new.root,
        &hashes(&p["proof"]),
    )
    .unwrap();
    // An unknown hash has no proof.
    let (status, _) = w
        .server
        .get(
            &format!("/api/v1/log/proof/inclusion?hash={}", Sha256::digest(b"x")),
            "",
        )
        .await;
    assert_eq!(status, 404);
}
on_both!(proofs_verify_against_signed_checkpoints);

async fn bundles_verify_offline_with_the_log_key_alone(backend: Backend) {
    let mut w = world(backend).await;
    let records = w.device.findings(5);
    w.server.push(&w.device, &records).await;
    let id = record::parse_unverified(&records[2]).unwrap().id;
    let (status, bundle) = w
        .server
        .get(&format!("/api/v1/records/{id}/bundle"), &w.admin)
        .await;
    assert_eq!(status, 200, "{bundle}");
    // The library check...
    let parsed = knd_shared::bundle::Bundle::parse(bundle.to_string().as_bytes()).unwrap();
    let report = parsed
        .verify(&NoteVerifier::parse(&w.device.server_key).unwrap())
        .unwrap();
    assert_eq!(report.record.id, id);
    // ...and the command people run.
    let path = w.server.dir.path().join("bundle.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&bundle).unwrap()).unwrap();
    let knd = knd_binary();
    let out = std::process::Command::new(&knd)
        .args(["verify", "bundle"])
        .arg(&path)
        .args(["--log-key", &w.device.server_key])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with(&format!(
            "ok {} in knd.test/log at 3 of 6",
            report.record.hash
        )),
        "{stdout}"
    );
    // A bundle checked against another agency's key fails, and says so.
    let stranger =
        knd_shared::note::NoteSigner::new("knd.test/log", knd_shared::DeviceKey::generate())
            .unwrap();
    let out = std::process::Command::new(&knd)
        .args(["verify", "bundle"])
        .arg(&path)
        .args(["--log-key", &stranger.verifier_key()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .starts_with("invalid: checkpoint: the note is not signed by knd.test/log")
    );
}
on_both!(bundles_verify_offline_with_the_log_key_alone);

/// The `knd` tool next to `knd-server`; built on demand when only this crate's tests were built.
pub(crate) fn knd_binary() -> String {
    let knd = env!("CARGO_BIN_EXE_knd-server").replace("knd-server", "knd");
    if !std::path::Path::new(&knd).exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "-q", "-p", "knd-cli", "--bin", "knd"])
            .status()
            .unwrap();
        assert!(status.success(), "cannot build the knd tool");
    }
    knd
}
