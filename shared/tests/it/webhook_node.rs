//! The server's webhook signatures checked by an independent implementation of the Standard
//! Webhooks scheme (`tests/webhook_verify.mjs`, Node's crypto, written from the spec). Node is
//! installed by the README's test command (it builds the inspector UI).

use std::io::Write as _;
use std::process::{Command, Stdio};

use knd_shared::DeviceKey;
use knd_shared::webhook::{self, ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use serde_json::json;

/// Runs the Node verifier: whether it found the webhook valid, and what it said.
fn node_verifies(
    public_key: &str,
    id: &str,
    at: i64,
    signature: &str,
    body: &str,
) -> (bool, String) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/webhook_verify.mjs");
    let mut child = Command::new("node")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs (the README's test command installs it)");
    let input = json!({
        "public_key": public_key,
        "headers": {ID_HEADER: id, TIMESTAMP_HEADER: at.to_string(), SIGNATURE_HEADER: signature},
        "body": body,
        "now": at + 30,
    });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
    )
}

#[test]
fn an_independent_verifier_accepts_the_signature_and_refuses_a_changed_byte() {
    let key = DeviceKey::from_seed(&[42; 32]);
    let public = webhook::public_key_text(&key.public_key());
    let (id, at) = ("msg_01JH6Z3E5X", 1_796_000_000);
    let body = r#"{"type":"appeal.registered","data":{"appeal":"0193","deadline":"2027-01-20","note":"зарегистрирована"}}"#;
    let signature = webhook::sign(&key, id, at, body.as_bytes()).unwrap();
    assert_eq!(
        node_verifies(&public, id, at, &signature, body),
        (true, "valid".into())
    );
    // Two keys during a rotation: either one's signature suffices.
    let old = DeviceKey::from_seed(&[41; 32]);
    let both = format!(
        "{} {signature}",
        webhook::sign(&old, id, at, body.as_bytes()).unwrap()
    );
    assert!(node_verifies(&public, id, at, &both, body).0);
    let altered = body.replace("2027-01-20", "2027-01-21");
    assert_eq!(
        node_verifies(&public, id, at, &signature, &altered),
        (false, "no valid v1a signature".into())
    );
    assert!(!node_verifies(&public, "msg_01JH6Z3E5Y", at, &signature, body).0);
}
