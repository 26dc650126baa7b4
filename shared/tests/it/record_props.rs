use knd_shared::record::{self, RecordDraft, RecordKind, kinds};
use knd_shared::{DeviceId, DeviceKey, InspectionId, Sha256};
use proptest::prelude::*;

fn signed_finding(note: &str, item: &str) -> (DeviceKey, Vec<u8>) {
    let key = DeviceKey::from_seed(&[7; 32]);
    let body = kinds::Finding {
        inspection: InspectionId::new(),
        item: item.to_owned(),
        result: kinds::FindingResult::Violation,
        note: Some(note.to_owned()),
        photos: vec![Sha256::digest(note.as_bytes())],
    };
    let draft =
        RecordDraft::new(DeviceId::new(), 1, Sha256::ZERO, RecordKind::Finding, &body).unwrap();
    (key.clone(), record::sign(&key, &draft).unwrap().bytes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever byte of a signed record is changed, to whatever other value, it no longer verifies.
    #[test]
    fn any_single_byte_change_fails_verification(
        note in "\\PC{0,40}", item in "[0-9.]{1,8}", pos in any::<usize>(), value in any::<u8>(),
    ) {
        let (key, bytes) = signed_finding(&note, &item);
        prop_assert!(record::verify(&bytes, &key.public_key()).is_ok());
        let pos = pos % bytes.len();
        prop_assume!(bytes[pos] != value);
        let mut changed = bytes.clone();
        changed[pos] = value;
        prop_assert!(record::verify(&changed, &key.public_key()).is_err());
    }
}

#[test]
fn every_byte_position_is_covered() {
    // Exhaustive over positions for one record, with a flipped low bit at each.
    let (key, bytes) = signed_finding("Огнетушитель просрочен \"2024\"\n", "12.3");
    for pos in 0..bytes.len() {
        let mut changed = bytes.clone();
        changed[pos] ^= 1;
        assert!(
            record::verify(&changed, &key.public_key()).is_err(),
            "byte {pos}"
        );
    }
}

#[test]
fn signing_refuses_what_verification_would_refuse() {
    let key = DeviceKey::generate();
    let dev = DeviceId::new();
    let draft =
        |body: serde_json::Value| RecordDraft::new(dev, 1, Sha256::ZERO, RecordKind::Note, &body);
    let sign = |body: serde_json::Value| record::sign(&key, &draft(body).unwrap());
    assert_eq!(
        sign(serde_json::json!({"x": 1.5})).unwrap_err().reason(),
        "non_integer_number"
    );
    assert_eq!(
        sign(serde_json::json!({"x": 1u64 << 60}))
            .unwrap_err()
            .reason(),
        "number_out_of_range"
    );
    let mut deep = serde_json::json!(1);
    for _ in 0..20 {
        deep = serde_json::json!([deep]);
    }
    assert_eq!(
        sign(serde_json::json!({"x": deep})).unwrap_err().reason(),
        "malformed"
    );
    assert_eq!(
        sign(serde_json::json!({"x": "a".repeat(70_000)}))
            .unwrap_err()
            .reason(),
        "too_large"
    );
    assert!(
        draft(serde_json::json!([1, 2])).is_err(),
        "a body is an object"
    );
    let mut zero = draft(serde_json::json!({"text": "t"})).unwrap();
    zero.seq = 0;
    assert_eq!(record::sign(&key, &zero).unwrap_err().reason(), "malformed");
    let mut bad_kind = draft(serde_json::json!({"text": "t"})).unwrap();
    bad_kind.kind = "Bad Kind".into();
    assert!(record::sign(&key, &bad_kind).is_err());
}

#[test]
fn envelope_rules() {
    let (key, bytes) = signed_finding("n", "1");
    let text = String::from_utf8(bytes).unwrap();
    let pk = key.public_key();
    let check = |t: &str, reason: &str| {
        let got = record::verify(t.as_bytes(), &pk);
        assert_eq!(got.as_ref().err().map(|e| e.reason()), Some(reason), "{t}");
    };
    // An unknown member, even if it were signed, is not part of format v1.
    check(&text.replacen("{", "{\"extra\":1,", 1), "malformed");
    // A duplicate member: the first would win in one parser, the last in another.
    check(&text.replacen("{", "{\"v\":1,", 1), "malformed");
    check(&text.replacen("\"v\":1", "\"v\":2", 1), "malformed");
    check(
        &text.replacen("\"v\":1", "\"v\":1.0", 1),
        "non_integer_number",
    );
    check("[]", "malformed");
    // Numbers that are not plain integers, however they are spelled.
    check(
        &text.replacen("\"seq\":1", "\"seq\":-0", 1),
        "non_integer_number",
    );
    check(
        &text.replacen("\"seq\":1", "\"seq\":1e0", 1),
        "non_integer_number",
    );
    check(
        &text.replacen("\"seq\":1", "\"seq\":1e22", 1),
        "number_out_of_range",
    );
    check(&text.replacen("\"seq\":1", "\"seq\":1e400", 1), "malformed");
    // The signature has one spelling: base64url, no padding, no standard-alphabet characters.
    let sig_at = text.find("\"sig\":\"").unwrap() + 7;
    let sig = &text[sig_at..sig_at + 86];
    check(&text.replacen(sig, &format!("{sig}=="), 1), "malformed");
    let std_alphabet = sig.replace('-', "+").replace('_', "/");
    if std_alphabet != sig {
        check(&text.replacen(sig, &std_alphabet, 1), "malformed");
    }
    check(&text.replacen(sig, &sig[..85], 1), "malformed");
    let mut not_utf8 = text.clone().into_bytes();
    not_utf8.insert(1, 0xff);
    assert_eq!(
        record::verify(&not_utf8, &pk).unwrap_err().reason(),
        "malformed"
    );
    let big = format!("{}{}", text, " ".repeat(64 * 1024));
    check(&big, "too_large");
    // Whitespace around the record is not part of what was signed and is harmless.
    assert!(record::verify(format!("\n {text}\n").as_bytes(), &pk).is_ok());
}
