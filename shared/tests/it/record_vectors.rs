use knd_shared::record::{self, ChainHead, ChainVerifier, RecordDraft, RecordError};
use knd_shared::{DeviceKey, KeyError, PublicKey};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::testdata;

#[derive(Deserialize)]
struct File<'a> {
    #[serde(borrow)]
    vectors: Vec<Vector<'a>>,
    weak_keys: WeakKeys,
}

#[derive(Deserialize)]
struct Vector<'a> {
    name: String,
    device_seed_hex: String,
    device_public_key_hex: String,
    #[serde(borrow)]
    valid_chain: Vec<Valid<'a>>,
    #[serde(borrow)]
    invalid: Vec<Invalid<'a>>,
}

#[derive(Deserialize)]
struct Valid<'a> {
    /// The record's bytes exactly as they stand in the file.
    #[serde(borrow)]
    record: &'a RawValue,
    signing_input_sha256: String,
    canonical_unsigned: String,
    hash: String,
}

#[derive(Deserialize)]
struct Invalid<'a> {
    why: String,
    #[serde(borrow)]
    record: &'a RawValue,
}

#[derive(Deserialize)]
struct WeakKeys {
    public_keys_hex: Vec<String>,
}

/// The reason each kind of invalid vector must be refused for. An unknown `why` fails the test,
/// so that new vectors get an explicit expectation.
fn expected_reason(why: &str) -> &'static str {
    if why.contains("altered after signing")
        || why.contains("bit flipped")
        || why.contains("non-canonical S")
    {
        "bad_signature"
    } else {
        panic!("no expectation for invalid vector {why:?}")
    }
}

fn seed(hex: &str) -> DeviceKey {
    let mut seed = [0u8; 32];
    hex::decode_to_slice(hex, &mut seed).unwrap();
    DeviceKey::from_seed(&seed)
}

#[test]
fn valid_chains_verify_with_exact_canonical_form_and_hash() {
    let text = testdata("records-v1.json");
    let file: File<'_> = serde_json::from_str(&text).unwrap();
    assert!(!file.vectors.is_empty());
    for v in &file.vectors {
        let key = PublicKey::parse_hex(&v.device_public_key_hex).unwrap();
        assert_eq!(seed(&v.device_seed_hex).public_key(), key, "{}", v.name);
        let mut chain: Option<ChainVerifier> = None;
        for (i, valid) in v.valid_chain.iter().enumerate() {
            let bytes = valid.record.get().as_bytes();
            let r = record::verify(bytes, &key).unwrap_or_else(|e| panic!("{} #{i}: {e}", v.name));
            assert_eq!(
                r.canonical_unsigned, valid.canonical_unsigned,
                "{} #{i}",
                v.name
            );
            assert_eq!(r.hash.to_hex(), valid.hash, "{} #{i}", v.name);
            assert_eq!(
                r.hash.to_hex(),
                valid.signing_input_sha256,
                "{} #{i}",
                v.name
            );
            let chain =
                chain.get_or_insert_with(|| ChainVerifier::new(r.device, key, ChainHead::GENESIS));
            chain
                .push(bytes)
                .unwrap_or_else(|e| panic!("{} #{i}: {e}", v.name));
        }
        let head = chain.unwrap().head();
        assert_eq!(head.seq, v.valid_chain.len() as u64);
    }
}

#[test]
fn signing_reproduces_the_vectors() {
    let text = testdata("records-v1.json");
    let file: File<'_> = serde_json::from_str(&text).unwrap();
    for v in &file.vectors {
        let key = seed(&v.device_seed_hex);
        for valid in &v.valid_chain {
            let r = record::verify(valid.record.get().as_bytes(), &key.public_key()).unwrap();
            let draft = RecordDraft {
                id: r.id,
                device: r.device,
                seq: r.seq,
                prev: r.prev,
                at: r.at,
                kind: r.kind.clone(),
                body: r.body.clone(),
            };
            let signed = record::sign(&key, &draft).unwrap();
            // Ed25519 is deterministic: same key, same input, same signature.
            assert_eq!(signed.record.sig, r.sig, "{}", v.name);
            assert_eq!(signed.record.hash, r.hash);
            assert_eq!(signed.record.canonical_unsigned, valid.canonical_unsigned);
            assert_eq!(record::verify(&signed.bytes, &key.public_key()).unwrap(), r);
        }
    }
}

#[test]
fn invalid_records_are_refused_for_their_reason() {
    let text = testdata("records-v1.json");
    let file: File<'_> = serde_json::from_str(&text).unwrap();
    let mut seen = 0;
    for v in &file.vectors {
        let key = PublicKey::parse_hex(&v.device_public_key_hex).unwrap();
        for bad in &v.invalid {
            let got = record::verify(bad.record.get().as_bytes(), &key);
            let reason = got.as_ref().map_err(RecordError::reason).err();
            assert_eq!(
                reason,
                Some(expected_reason(&bad.why)),
                "{}: {got:?}",
                bad.why
            );
            seen += 1;
        }
    }
    assert!(
        seen >= 5,
        "expected the five published invalid vectors, saw {seen}"
    );
}

#[test]
fn an_invalid_record_breaks_the_chain_where_it_stands() {
    let text = testdata("records-v1.json");
    let file: File<'_> = serde_json::from_str(&text).unwrap();
    let v = &file.vectors[0];
    let key = PublicKey::parse_hex(&v.device_public_key_hex).unwrap();
    let first = record::verify(v.valid_chain[0].record.get().as_bytes(), &key).unwrap();
    // Skipping record 2 is a gap; replaying record 1 is out of sequence; a record whose prev
    // does not match is a chain break (made here by starting from the wrong head).
    let mut chain = ChainVerifier::new(first.device, key, ChainHead::GENESIS);
    chain
        .push(v.valid_chain[0].record.get().as_bytes())
        .unwrap();
    let err = chain
        .push(v.valid_chain[2].record.get().as_bytes())
        .unwrap_err();
    assert_eq!(
        err,
        RecordError::SeqGap {
            expected: 2,
            got: 3
        }
    );
    let err = chain
        .push(v.valid_chain[0].record.get().as_bytes())
        .unwrap_err();
    assert_eq!(err.reason(), "seq_gap");
    let wrong_head = ChainHead {
        seq: 1,
        hash: knd_shared::Sha256::digest(b"another record"),
    };
    let mut chain = ChainVerifier::new(first.device, key, wrong_head);
    let err = chain
        .push(v.valid_chain[1].record.get().as_bytes())
        .unwrap_err();
    assert_eq!(err.reason(), "chain_break");
    // Every published invalid record also stops a chain at its position.
    for bad in &v.invalid {
        let bad_rec = record::parse_unverified(bad.record.get().as_bytes()).unwrap();
        let mut chain = ChainVerifier::new(first.device, key, ChainHead::GENESIS);
        for valid in v
            .valid_chain
            .iter()
            .take(bad_rec.seq.saturating_sub(1) as usize)
        {
            chain.push(valid.record.get().as_bytes()).unwrap();
        }
        assert!(
            chain.push(bad.record.get().as_bytes()).is_err(),
            "{}",
            bad.why
        );
    }
}

#[test]
fn weak_keys_are_refused() {
    let text = testdata("records-v1.json");
    let file: File<'_> = serde_json::from_str(&text).unwrap();
    assert!(!file.weak_keys.public_keys_hex.is_empty());
    for hex in &file.weak_keys.public_keys_hex {
        let got = PublicKey::parse_hex(hex);
        assert!(matches!(got, Err(KeyError::SmallOrder)), "{hex}: {got:?}");
    }
}
