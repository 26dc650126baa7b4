//! `knd filing key` and `knd filing sign`: a business makes its filing key and signs filings as
//! the records of the key's chain; what it signs verifies with `knd verify record`.

use predicates::prelude::*;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::{knd, testdata};

const DEVICE: &str = "0190a000-0000-7000-8000-0000000000aa";

fn sign(dir: &TempDir, key: &str, after: (u64, &str), filing: &str, request: &Value) -> Value {
    let req = dir.path().join("request.json");
    std::fs::write(&req, request.to_string()).unwrap();
    let out = knd()
        .args(["filing", "sign", "--key", key, "--device", DEVICE])
        .args(["--after-seq", &after.0.to_string(), "--after-hash", after.1])
        .args(["--filing", filing, "--subject", "7707083893"])
        .arg(&req)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_new_key_is_private_and_never_replaced() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("filing-key.json");
    let out = knd().args(["filing", "key"]).arg(&path).output().unwrap();
    assert!(out.status.success());
    let public = String::from_utf8(out.stdout).unwrap();
    let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(file["public_key"].as_str(), Some(public.trim()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    knd()
        .args(["filing", "key"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot create"));
    assert_eq!(
        serde_json::from_slice::<Value>(&std::fs::read(&path).unwrap()).unwrap(),
        file
    );
}

/// The seed of the independent implementation's vectors gives its public key, and a filing
/// signed with it verifies with that key.
#[test]
fn a_signed_filing_verifies_with_the_registered_key() {
    let vectors: Value = serde_json::from_str(&testdata("records-v1.json")).unwrap();
    let v = &vectors["vectors"][0];
    let dir = TempDir::new().unwrap();
    let key = dir.path().join("key.json");
    let file = json!({"seed": v["device_seed_hex"], "public_key": v["device_public_key_hex"]});
    std::fs::write(&key, file.to_string()).unwrap();
    let key = key.to_str().unwrap();
    let zero = "0".repeat(64);
    let request = json!({"warning": DEVICE, "position": "Нарушения нет"});
    let rec = sign(&dir, key, (0, &zero), "objection", &request);
    assert_eq!(
        (rec["seq"].as_u64(), rec["prev"].as_str()),
        (Some(1), Some(zero.as_str()))
    );
    assert_eq!(rec["kind"], "business_filing");
    assert_eq!(rec["body"]["request"], request);
    assert_eq!(rec["body"]["subject"], "7707083893");
    let path = dir.path().join("record.json");
    std::fs::write(&path, rec.to_string()).unwrap();
    knd()
        .args(["verify", "record"])
        .arg(&path)
        .args(["--key", v["device_public_key_hex"].as_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok "));

    // A seed that does not give the file's public key, and a subject that is no ИНН.
    let bad = dir.path().join("bad.json");
    let file = json!({"seed": "11".repeat(32), "public_key": v["device_public_key_hex"]});
    std::fs::write(&bad, file.to_string()).unwrap();
    std::fs::write(dir.path().join("r.json"), request.to_string()).unwrap();
    knd()
        .args([
            "filing",
            "sign",
            "--key",
            bad.to_str().unwrap(),
            "--device",
            DEVICE,
        ])
        .args([
            "--after-seq",
            "0",
            "--after-hash",
            &zero,
            "--filing",
            "objection",
        ])
        .args(["--subject", "7707083893"])
        .arg(dir.path().join("r.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not give its public key"));
    knd()
        .args(["filing", "sign", "--key", key, "--device", DEVICE])
        .args([
            "--after-seq",
            "0",
            "--after-hash",
            &zero,
            "--filing",
            "objection",
        ])
        .args(["--subject", "1234567890"])
        .arg(dir.path().join("r.json"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--subject"));
}
