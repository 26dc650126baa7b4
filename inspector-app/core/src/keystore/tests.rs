use std::time::{Duration, SystemTime};

use super::*;

fn pin(s: &str) -> Pin {
    Pin::parse(s).unwrap()
}

fn enrolled(dir: &Path) -> (KeyStore, DeviceKey, DeviceId) {
    let key = DeviceKey::generate();
    let device = DeviceId::new();
    let (store, unlocked) = KeyStore::create(
        dir,
        device,
        key.clone(),
        &pin("2468"),
        KdfParams::INSECURE_FAST,
    )
    .unwrap();
    assert_eq!(unlocked.public_key(), key.public_key());
    (store, key, device)
}

#[test]
fn pins_are_4_to_12_digits() {
    for ok in ["0000", "1234", "123456789012"] {
        assert!(Pin::parse(ok).is_ok(), "{ok}");
    }
    for bad in [
        "",
        "123",
        "1234567890123",
        "12a4",
        "１２３４",
        "12 34",
        "-1234",
    ] {
        assert_eq!(Pin::parse(bad).unwrap_err(), PinError::Form, "{bad}");
    }
    assert_eq!(format!("{:?}", pin("9876")), "Pin(****)");
}

#[test]
fn round_trip_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (_, key, device) = enrolled(dir.path());
    // A new process: open the file again.
    let store = KeyStore::open(dir.path(), device).unwrap();
    let unlocked = store.unlock(&pin("2468")).unwrap();
    assert_eq!(unlocked.device(), device);
    assert_eq!(unlocked.public_key(), key.public_key());
    let sig = unlocked.key().sign(b"m");
    assert!(key.public_key().verify_strict(b"m", &sig));
    assert!(!format!("{unlocked:?}").contains(&hex::encode(key.seed())));
    assert!(matches!(
        KeyStore::create(
            dir.path(),
            device,
            key,
            &pin("2468"),
            KdfParams::INSECURE_FAST
        ),
        Err(KeyStoreError::AlreadyEnrolled)
    ));
}

#[test]
fn the_file_does_not_hold_the_secret_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let (_, key, _) = enrolled(dir.path());
    let file = fs::read(dir.path().join(KEY_FILE)).unwrap();
    let seed = key.seed();
    assert!(!file.windows(32).any(|w| w == seed));
    let text = String::from_utf8(file).unwrap();
    assert!(!text.contains(&hex::encode(seed)));
    assert!(!text.contains(&STANDARD.encode(seed)));
    assert!(!text.contains(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(seed)));
    assert!(text.contains(&key.public_key().to_hex()));
}

#[test]
fn wrong_pin_is_refused_and_counted_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, device) = enrolled(dir.path());
    for n in 1..=3 {
        match store.unlock(&pin("1111")) {
            Err(KeyStoreError::WrongPin { failures }) => assert_eq!(failures, n),
            other => panic!("{other:?}"),
        }
    }
    // Killing the app does not reset the counter: a new KeyStore reads it from disk.
    let store = KeyStore::open(dir.path(), device).unwrap();
    assert_eq!(store.status(), LockStatus::Open { failures: 3 });
    assert!(matches!(
        store.unlock(&pin("1112")),
        Err(KeyStoreError::WrongPin { failures: 4 })
    ));
    // The right PIN resets it.
    store.unlock(&pin("2468")).unwrap();
    assert_eq!(store.status(), LockStatus::Open { failures: 0 });
}

#[test]
fn lockout_grows_then_the_key_is_wiped() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _, device) = enrolled(dir.path());
    let t0 = SystemTime::now();
    let wrong = pin("0000");
    for _ in 1..LOCK_AFTER {
        assert!(matches!(
            store.unlock_at(&wrong, t0),
            Err(KeyStoreError::WrongPin { .. })
        ));
    }
    // The 5th failure locks for a minute; even the right PIN is refused meanwhile.
    assert!(matches!(
        store.unlock_at(&wrong, t0),
        Err(KeyStoreError::WrongPin { failures: 5 })
    ));
    match store.unlock_at(&pin("2468"), t0 + Duration::from_secs(30)) {
        Err(KeyStoreError::Locked { seconds, failures }) => {
            assert_eq!((seconds, failures), (30, 5));
        }
        other => panic!("{other:?}"),
    }
    // After the lock, each failure locks longer.
    let mut t = t0;
    let mut last = 0;
    for failures in LOCK_AFTER + 1..WIPE_AFTER {
        t += Duration::from_secs(5 * 3600);
        assert!(matches!(
            store.unlock_at(&wrong, t),
            Err(KeyStoreError::WrongPin { .. })
        ));
        let reopened = KeyStore::open(dir.path(), device).unwrap();
        let lock = lockout::read(&reopened.attempts_path).status(t);
        match lock {
            LockStatus::Locked {
                seconds,
                failures: f,
            } => {
                assert_eq!(f, failures);
                assert!(seconds >= last, "{seconds} after {last}");
                last = seconds;
            }
            other => panic!("{other:?}"),
        }
    }
    // The 10th failure destroys the key; the right PIN is useless afterwards.
    t += Duration::from_secs(5 * 3600);
    assert!(matches!(
        store.unlock_at(&wrong, t),
        Err(KeyStoreError::Wiped)
    ));
    assert!(!dir.path().join(KEY_FILE).exists());
    assert!(matches!(
        store.unlock_at(&pin("2468"), t + Duration::from_secs(86400)),
        Err(KeyStoreError::Wiped)
    ));
    assert!(matches!(
        KeyStore::open(dir.path(), device),
        Err(KeyStoreError::Wiped)
    ));
}

fn edit(dir: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let path = dir.join(KEY_FILE);
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    f(&mut v);
    fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
}

#[test]
fn a_tampered_file_is_refused() {
    let flip = |s: &str| {
        let mut b = STANDARD.decode(s).unwrap();
        b[5] ^= 1;
        STANDARD.encode(b)
    };
    let other_key = DeviceKey::generate().public_key().to_hex();
    type Change = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Change)> = vec![
        (
            "ciphertext",
            Box::new(move |v| {
                let c = flip(v["ciphertext"].as_str().unwrap());
                v["ciphertext"] = c.into();
            }),
        ),
        (
            "nonce",
            Box::new(move |v| {
                let c = flip(v["nonce"].as_str().unwrap());
                v["nonce"] = c.into();
            }),
        ),
        (
            "public key",
            Box::new(move |v| v["public_key"] = other_key.clone().into()),
        ),
    ];
    for (what, change) in cases {
        let dir = tempfile::tempdir().unwrap();
        let (_, _, device) = enrolled(dir.path());
        edit(dir.path(), change);
        let store = KeyStore::open(dir.path(), device).unwrap();
        let err = store.unlock(&pin("2468")).unwrap_err();
        assert!(matches!(err, KeyStoreError::Damaged(_)), "{what}: {err:?}");
    }
}

#[test]
fn a_swapped_device_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_, _, device) = enrolled(dir.path());
    let other = DeviceId::new();
    // The profile expects `device`; a file claiming another device is not opened.
    edit(dir.path(), |v| v["device"] = other.to_string().into());
    assert!(matches!(
        KeyStore::open(dir.path(), device),
        Err(KeyStoreError::Damaged(_))
    ));
    // Even when the profile is changed to match, the AEAD's associated data no longer does.
    let store = KeyStore::open(dir.path(), other).unwrap();
    assert!(matches!(
        store.unlock(&pin("2468")),
        Err(KeyStoreError::Damaged(_))
    ));
    // Another device's whole file in place of this one's.
    let dir2 = tempfile::tempdir().unwrap();
    let (_, _, device2) = enrolled(dir2.path());
    fs::copy(dir2.path().join(KEY_FILE), dir.path().join(KEY_FILE)).unwrap();
    assert!(matches!(
        KeyStore::open(dir.path(), device),
        Err(KeyStoreError::Damaged(_))
    ));
    assert!(KeyStore::open(dir.path(), device2).is_ok());
}

#[test]
fn a_missing_key_means_not_enrolled() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        KeyStore::open(dir.path(), DeviceId::new()),
        Err(KeyStoreError::NotEnrolled)
    ));
}
