use knd_shared::log::MemoryLog;
use knd_shared::note::{Checkpoint, NoteError, NoteVerifier};
use serde::Deserialize;

use crate::testdata;

#[derive(Deserialize)]
struct File {
    go_example: Example,
    checkpoint_example: CheckpointExample,
}

#[derive(Deserialize)]
struct Example {
    verifier_key: String,
    note: String,
}

#[derive(Deserialize)]
struct CheckpointExample {
    origin: String,
    tree_size: u64,
    leaf_inputs_hex: Vec<String>,
    verifier_key: String,
    note: String,
}

fn load() -> File {
    serde_json::from_str(&testdata("signed-note.json")).unwrap()
}

#[test]
fn go_signed_note_example_opens() {
    let ex = load().go_example;
    let v = NoteVerifier::parse(&ex.verifier_key).unwrap();
    assert_eq!(v.name(), "PeterNeumann");
    let text = v.open(ex.note.as_bytes()).unwrap();
    assert!(text.starts_with("If you think cryptography is the answer to your problem,\n"));
    // One changed character in the text breaks the signature.
    let tampered = ex.note.replacen("cryptography", "cryptographY", 1);
    assert!(matches!(
        v.open(tampered.as_bytes()),
        Err(NoteError::BadSignature(_))
    ));
}

#[test]
fn checkpoint_example_opens_and_matches_the_tree() {
    let ex = load().checkpoint_example;
    let v = NoteVerifier::parse(&ex.verifier_key).unwrap();
    let cp = v.open_checkpoint(ex.note.as_bytes(), &ex.origin).unwrap();
    let mut tree = MemoryLog::new();
    for leaf in &ex.leaf_inputs_hex {
        tree.append(&hex::decode(leaf).unwrap());
    }
    assert_eq!(
        cp,
        Checkpoint {
            origin: ex.origin.clone(),
            size: ex.tree_size,
            root: tree.root(),
        }
    );
    // Our own rendering of the body is byte for byte the signed text.
    let text = v.open(ex.note.as_bytes()).unwrap();
    assert_eq!(cp.to_text().unwrap(), text);
}

#[test]
fn malformed_verifier_keys_are_refused() {
    let good = load().checkpoint_example.verifier_key;
    let (name, rest) = good.split_once('+').unwrap();
    for bad in [
        String::new(),
        name.to_owned(),
        format!("{name}+00000000+{}", rest.split_once('+').unwrap().1),
        format!("other+{rest}"),
        format!("{name}+{}", rest.replace('A', "B")),
        // A small-order key with a correctly computed hash is still refused.
        small_order_vkey("knd.example/log"),
    ] {
        assert!(NoteVerifier::parse(&bad).is_err(), "{bad:?}");
    }
}

fn small_order_vkey(name: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    // Algorithm byte, then the identity point (y = 1), which has order 1.
    let mut key = vec![0x01, 0x01];
    key.extend_from_slice(&[0u8; 31]);
    let mut h = sha2::Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(&key);
    let id = u32::from_be_bytes(h.finalize()[..4].try_into().unwrap());
    format!(
        "{name}+{id:08x}+{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    )
}
