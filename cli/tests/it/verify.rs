use std::path::PathBuf;

use predicates::prelude::*;
use serde_json::Value;
use serde_json::value::RawValue;
use tempfile::TempDir;

use crate::{knd, testdata};

struct Vectors {
    dir: TempDir,
    seed: String,
    key: String,
    /// The valid chain's records, each exactly as in the vector file.
    chain: Vec<String>,
    hashes: Vec<String>,
    invalid: Vec<String>,
}

fn vectors() -> Vectors {
    let text = testdata("records-v1.json");
    let file: Value = serde_json::from_str(&text).unwrap();
    let v = &file["vectors"][0];
    #[derive(serde::Deserialize)]
    struct Raw<'a> {
        #[serde(borrow)]
        vectors: Vec<RawVector<'a>>,
    }
    #[derive(serde::Deserialize)]
    struct RawVector<'a> {
        #[serde(borrow)]
        valid_chain: Vec<RawEntry<'a>>,
        #[serde(borrow)]
        invalid: Vec<RawEntry<'a>>,
    }
    #[derive(serde::Deserialize)]
    struct RawEntry<'a> {
        #[serde(borrow)]
        record: &'a RawValue,
    }
    let raw: Raw<'_> = serde_json::from_str(&text).unwrap();
    Vectors {
        dir: TempDir::new().unwrap(),
        seed: v["device_seed_hex"].as_str().unwrap().to_owned(),
        key: v["device_public_key_hex"].as_str().unwrap().to_owned(),
        chain: raw.vectors[0]
            .valid_chain
            .iter()
            .map(|e| e.record.get().to_owned())
            .collect(),
        hashes: v["valid_chain"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["hash"].as_str().unwrap().to_owned())
            .collect(),
        invalid: raw.vectors[0]
            .invalid
            .iter()
            .map(|e| e.record.get().to_owned())
            .collect(),
    }
}

impl Vectors {
    /// Runs `knd verify WHAT PATH --key KEY` with this vector's key.
    fn verify(&self, what: &str, path: &std::path::Path) -> assert_cmd::assert::Assert {
        knd()
            .args(["verify", what])
            .arg(path)
            .args(["--key", &self.key])
            .assert()
    }

    fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

#[test]
fn a_valid_record_prints_its_hash() {
    let v = vectors();
    for (i, rec) in v.chain.iter().enumerate() {
        let path = v.write(&format!("r{i}.json"), rec);
        v.verify("record", &path)
            .success()
            .stdout(format!("ok {}\n", v.hashes[i]));
    }
}

#[test]
fn an_invalid_record_says_why_and_exits_1() {
    let v = vectors();
    for (i, rec) in v.invalid.iter().enumerate() {
        let path = v.write(&format!("bad{i}.json"), rec);
        v.verify("record", &path)
            .code(1)
            .stdout("invalid: bad signature\n");
    }
    // Valid JSON that breaks the record rules is an invalid record, not unusable input.
    let dup = v.write("dup.json", &v.chain[0].replacen('{', "{\"v\": 1,", 1));
    v.verify("record", &dup)
        .code(1)
        .stdout(predicate::str::starts_with(
            "invalid: malformed record: duplicate member name",
        ));
    let big = v.write("big.json", &format!("{}{}", v.chain[0], " ".repeat(70_000)));
    v.verify("record", &big)
        .code(1)
        .stdout(predicate::str::starts_with("invalid: record too large"));
    // The right record under another device's key.
    let path = v.write("r0.json", &v.chain[0]);
    knd()
        .args(["verify", "record"])
        .arg(&path)
        .args([
            "--key",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        ])
        .assert()
        .code(1)
        .stdout("invalid: bad signature\n");
}

#[test]
fn a_valid_chain_prints_count_and_last_hash() {
    let v = vectors();
    let path = v.write("chain.json", &format!("[{}]", v.chain.join(",\n")));
    v.verify("chain", &path).success().stdout(format!(
        "ok {} {}\n",
        v.chain.len(),
        v.hashes.last().unwrap()
    ));
}

#[test]
fn a_broken_chain_names_the_seq() {
    let v = vectors();
    let check = |name: &str, records: Vec<&str>, expected: &str| {
        let path = v.write(name, &format!("[{}]", records.join(",")));
        v.verify("chain", &path)
            .code(1)
            .stdout(format!("{expected}\n"));
    };
    let c: Vec<&str> = v.chain.iter().map(String::as_str).collect();
    check(
        "gap.json",
        vec![c[0], c[2]],
        "invalid at seq 2: seq gap: expected seq 2, got 3",
    );
    check(
        "start.json",
        vec![c[1]],
        "invalid at seq 1: seq gap: expected seq 1, got 2",
    );
    check(
        "tampered.json",
        vec![c[0], &v.invalid[0]],
        "invalid at seq 2: bad signature",
    );
    // A correctly signed seq 2 that does not link to the chain's first record.
    let unlinked = sign_unlinked_seq2(&v);
    check(
        "break.json",
        vec![c[0], &unlinked],
        &format!(
            "invalid at seq 2: chain break: prev is {}, expected {}",
            knd_shared::Sha256::ZERO,
            v.hashes[0]
        ),
    );
    check(
        "replay.json",
        vec![c[0], c[1], c[1]],
        "invalid at seq 3: seq gap: expected seq 3, got 2",
    );
}

#[test]
fn unusable_input_is_one_line_and_exit_2() {
    let v = vectors();
    let rec = v.write("r.json", &v.chain[0]);
    let not_json = v.write("broken.json", "{\"v\": 1,");
    let not_array = v.write("obj.json", &v.chain[0]);
    let missing = v.dir.path().join("missing.json");
    let cases: Vec<(Vec<&str>, PathBuf, &str)> = vec![
        (vec!["verify", "record"], missing.clone(), "cannot open"),
        (vec!["verify", "chain"], missing, "cannot open"),
        (vec!["verify", "record"], not_json.clone(), "is not JSON"),
        (vec!["verify", "chain"], not_json, "is not a JSON array"),
        (vec!["verify", "chain"], not_array, "is not a JSON array"),
    ];
    for (args, path, msg) in cases {
        let out = knd()
            .args(&args)
            .arg(&path)
            .args(["--key", &v.key])
            .assert()
            .code(2);
        let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(
            stderr.starts_with("error: ") && stderr.contains(msg),
            "{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(out.get_output().stdout.is_empty());
    }
    for key in [
        "zz",
        "D75A980182B10AB7D54BFED3C964073A0EE172F3DAA62325AF021A68F707511A",
        "0100000000000000000000000000000000000000000000000000000000000000",
    ] {
        let out = knd()
            .args(["verify", "record"])
            .arg(&rec)
            .args(["--key", key])
            .assert()
            .code(2);
        let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(stderr.starts_with("error: --key: "), "{stderr}");
        assert_eq!(stderr.lines().count(), 1);
    }
}

/// The files the README's examples use stay valid (regenerate them with
/// `cargo run -p knd-shared --example sample_chain`).
#[test]
fn readme_examples_verify() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let key = std::fs::read_to_string(root.join("examples/device-key.txt")).unwrap();
    let key = key.trim();
    knd()
        .current_dir(&root)
        .args(["verify", "record", "examples/finding.json", "--key", key])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok "));
    knd()
        .current_dir(&root)
        .args(["verify", "chain", "examples/chain.json", "--key", key])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("ok 3 "));
    knd()
        .current_dir(&root)
        .args([
            "verify",
            "chain",
            "examples/chain-tampered.json",
            "--key",
            key,
        ])
        .assert()
        .code(1)
        .stdout("invalid at seq 2: bad signature\n");
}

fn sign_unlinked_seq2(v: &Vectors) -> String {
    use knd_shared::record::{self, RecordDraft};
    let mut seed = [0u8; 32];
    hex::decode_to_slice(&v.seed, &mut seed).unwrap();
    let key = knd_shared::DeviceKey::from_seed(&seed);
    let first = record::parse_unverified(v.chain[0].as_bytes()).unwrap();
    let draft = RecordDraft {
        id: knd_shared::RecordId::new(),
        device: first.device,
        seq: 2,
        prev: knd_shared::Sha256::ZERO,
        at: first.at,
        kind: "note".into(),
        body: serde_json::from_str(r#"{"text":"written on another branch"}"#).unwrap(),
    };
    String::from_utf8(record::sign(&key, &draft).unwrap().bytes).unwrap()
}

#[test]
fn records_the_rules_refuse_are_invalid_not_unusable() {
    let v = vectors();
    let mut not_utf8 = v.chain[0].clone().into_bytes();
    not_utf8.insert(10, 0xff);
    let deep = format!("{}{}{}", "{\"a\":[".repeat(100), "1", "]}".repeat(100));
    let deeper = format!("{}1{}", "[".repeat(500), "]".repeat(500));
    for (name, bytes) in [
        ("not-utf8.json", not_utf8),
        ("deep.json", deep.into_bytes()),
        ("deeper.json", deeper.into_bytes()),
    ] {
        let path = v.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        v.verify("record", &path)
            .code(1)
            .stdout(predicate::str::starts_with("invalid: malformed record"));
    }
}

#[test]
fn a_closed_stdout_is_an_error_not_a_panic() {
    let v = vectors();
    let path = v.write("r.json", &v.chain[0]);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("knd"))
        .args(["verify", "record"])
        .arg(&path)
        .args(["--key", &v.key])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Close our end of the pipe before the tool writes its answer.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
}
