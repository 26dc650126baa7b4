//! The PIN-sealed device key: wrong PINs counted and locked out, the sealed file holds no
//! usable seed, and nothing the app's commands return carries key material or the token.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use knd_inspector_core::app::ErrorKind;
use knd_inspector_core::keystore::{KEY_FILE, LOCK_AFTER};
use knd_shared::{DeviceKey, PublicKey};
use serde_json::Value;

use crate::common::{PIN, Seen, World, config, enrolled_app, store_of};

/// Every 32-byte window of `bytes` that, taken as an Ed25519 seed, gives `public`.
fn seed_in(bytes: &[u8], public: &PublicKey) -> bool {
    bytes.windows(32).any(|w| {
        let seed: [u8; 32] = w.try_into().unwrap();
        DeviceKey::from_seed(&seed).public_key() == *public
    })
}

/// Looks for the seed of `public` in `file`: raw, and in every string value decoded as hex or
/// base64 (standard or URL-safe, padded or not).
fn file_holds_seed(file: &[u8], public: &PublicKey) -> bool {
    if seed_in(file, public) {
        return true;
    }
    let Ok(json) = serde_json::from_slice::<Value>(file) else {
        return false;
    };
    let mut strings = Vec::new();
    strings_of(&json, &mut strings);
    strings.iter().any(|s| {
        let mut decoded: Vec<Vec<u8>> = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .filter_map(|e| e.decode(s).ok())
            .collect();
        decoded.extend(hex_decode(s));
        decoded.push(s.as_bytes().to_vec());
        decoded.iter().any(|d| seed_in(d, public))
    })
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

fn strings_of(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings_of(x, out)),
        Value::Object(o) => o.values().for_each(|x| strings_of(x, out)),
        _ => {}
    }
}

/// Field names that would mean a secret crossed the command boundary. `key` alone is allowed
/// only as a registry object's key (`objects[].key`, e.g. "OBJ-1").
fn secret_field(path: &str, name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let named = [
        "seed", "secret", "token", "private", "password", "pin", "cipher", "salt", "nonce",
    ]
    .iter()
    .any(|w| n.contains(w));
    named || (n.contains("key") && !(n == "key" && path.ends_with("objects[]")))
}

fn check_fields(v: &Value, path: &str, what: &str) {
    match v {
        Value::Array(a) => a
            .iter()
            .for_each(|x| check_fields(x, &format!("{path}[]"), what)),
        Value::Object(o) => {
            for (k, x) in o {
                assert!(
                    !secret_field(path, k),
                    "{what}: field {path}.{k} looks like a secret"
                );
                check_fields(x, &format!("{path}.{k}"), what);
            }
        }
        _ => {}
    }
}

/// Asserts that no value in `seen` has a field named like a secret, or contains the device
/// token or any value of the sealed key file other than the device id and public key.
pub fn assert_no_secrets(seen: &Seen, token: &str, profile: &Path) {
    assert!(
        seen.0.len() > 20,
        "too few answers recorded to mean anything"
    );
    let file: Value =
        serde_json::from_slice(&std::fs::read(profile.join(KEY_FILE)).unwrap()).unwrap();
    let sealed: Vec<String> = ["salt", "nonce", "ciphertext", "pin_check"]
        .iter()
        .map(|f| {
            file[f]
                .as_str()
                .unwrap_or_else(|| panic!("{f} in {file}"))
                .to_owned()
        })
        .collect();
    for (what, v) in &seen.0 {
        check_fields(v, "", what);
        let text = v.to_string();
        assert!(!text.contains(token), "{what} returned the device token");
        for s in &sealed {
            assert!(
                !text.contains(s.as_str()),
                "{what} returned sealed key material"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_pins_are_counted_and_lock_the_key() {
    let w = World::new().await;
    let (app, _dir) = enrolled_app(&w, &w.url(""), config()).await;
    assert_eq!(app.sync_now().await.unwrap().last_error, None);
    assert!(!app.lock().unwrap().unlocked);
    assert_eq!(
        app.start_inspection(&w.inspection).unwrap_err().kind,
        ErrorKind::NotUnlocked
    );

    // Two wrong, then the right one: the counter is forgiven.
    for n in 1..=2 {
        let e = app.unlock("0000").unwrap_err();
        assert_eq!(e.kind, ErrorKind::WrongPin, "{e:?}");
        assert_eq!(app.status().unwrap().failures, n);
    }
    let status = app.unlock(PIN).unwrap();
    assert!(status.unlocked);
    assert_eq!(status.failures, 0);
    app.lock().unwrap();

    // A malformed PIN is refused as input, not counted.
    assert_eq!(
        app.unlock("12a4").unwrap_err().kind,
        ErrorKind::InvalidInput
    );
    assert_eq!(app.status().unwrap().failures, 0);

    for n in 1..=LOCK_AFTER {
        let e = app.unlock("1111").unwrap_err();
        assert_eq!(e.kind, ErrorKind::WrongPin, "attempt {n}: {e:?}");
        let status = app.status().unwrap();
        assert_eq!(status.failures, n);
        assert!(!status.unlocked);
    }
    let status = app.status().unwrap();
    assert!(
        status.locked_for_seconds.is_some_and(|s| s > 0),
        "{status:?}"
    );
    // Locked: even the right PIN is refused now, and the act cannot be signed either.
    let e = app.unlock(PIN).unwrap_err();
    assert_eq!(e.kind, ErrorKind::LockedOut, "{e:?}");
    assert!(!app.status().unwrap().unlocked);
    assert!(!app.status().unwrap().wiped);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sealed_key_file_holds_no_seed() {
    // The detector finds a seed stored in the clear, in hex or base64.
    let probe = DeviceKey::generate();
    let public = probe.public_key();
    let seed = probe.seed();
    for leak in [
        serde_json::json!({"seed": hex_of(&seed)}),
        serde_json::json!({"seed": STANDARD.encode(seed)}),
        serde_json::json!({"seed": URL_SAFE_NO_PAD.encode(seed)}),
    ] {
        assert!(
            file_holds_seed(leak.to_string().as_bytes(), &public),
            "{leak}"
        );
    }
    assert!(seed_in(
        &[&[7u8; 5][..], &seed, &[9u8; 3]].concat(),
        &public
    ));

    let w = World::new().await;
    let (app, dir) = enrolled_app(&w, &w.url(""), config()).await;
    let public = store_of(&dir).profile().unwrap().device_public_key;
    let bytes = std::fs::read(dir.path().join(KEY_FILE)).unwrap();
    let file: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        file["public_key"].as_str(),
        Some(public.to_hex().as_str()),
        "{file}"
    );
    assert_eq!(
        file["device"].as_str(),
        app.status().unwrap().device_id.as_deref()
    );
    // The seed sealed: 32 bytes and the AEAD's 16-byte tag.
    let ciphertext = STANDARD
        .decode(file["ciphertext"].as_str().unwrap())
        .unwrap();
    assert_eq!(ciphertext.len(), 48);
    assert!(
        !file_holds_seed(&bytes, &public),
        "the key file holds the seed: {file}"
    );
    // Nor does the store or its write-ahead log, raw.
    for name in ["store.sqlite3", "store.sqlite3-wal"] {
        if let Ok(db) = std::fs::read(dir.path().join(name)) {
            let s = String::from_utf8_lossy(&db);
            for part in [&file["ciphertext"], &file["salt"]] {
                assert!(
                    !s.contains(part.as_str().unwrap()),
                    "{name} holds key material"
                );
            }
        }
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
