//! Benchmarks for the record format and the log maths. Figures go in the closing note; the
//! single-record strict verification time gives the ceiling of the server's ingest per core.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use knd_shared::log::{self, MemoryLog};
use knd_shared::record::{self, ChainHead, ChainVerifier, RecordDraft, RecordKind, kinds};
use knd_shared::{DeviceId, DeviceKey, InspectionId, Sha256};

/// A typical field finding: Russian text, a checklist item code, two photo references.
fn finding(device: DeviceId, head: ChainHead) -> RecordDraft {
    let body = kinds::Finding {
        inspection: InspectionId::new(),
        item: "ПЛ-12.3".into(),
        result: kinds::FindingResult::Violation,
        note: Some(
            "Огнетушитель ОП-4 в коридоре второго этажа просрочен: дата перезарядки 01.2024, \
             пломба отсутствует. Эвакуационный выход загромождён коробками."
                .into(),
        ),
        photos: vec![Sha256::digest(b"photo 1"), Sha256::digest(b"photo 2")],
    };
    RecordDraft::new(device, head.seq + 1, head.hash, RecordKind::Finding, &body).unwrap()
}

fn chain(key: &DeviceKey, n: usize) -> Vec<Vec<u8>> {
    let device = DeviceId::new();
    let mut head = ChainHead::GENESIS;
    (0..n)
        .map(|_| {
            let signed = record::sign(key, &finding(device, head)).unwrap();
            head = ChainHead::after(&signed.record);
            signed.bytes
        })
        .collect()
}

fn records(c: &mut Criterion) {
    let key = DeviceKey::generate();
    let pk = key.public_key();
    let records = chain(&key, 1000);

    let mut g = c.benchmark_group("record");
    g.throughput(Throughput::Elements(1));
    g.bench_function("verify_one_strict", |b| {
        b.iter(|| record::verify(black_box(&records[0]), &pk).unwrap())
    });
    g.bench_function("parse_and_canonicalise_finding", |b| {
        b.iter(|| record::parse_unverified(black_box(&records[0])).unwrap())
    });
    let parsed = record::parse_unverified(&records[0]).unwrap();
    let mut unsigned: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&parsed.canonical_unsigned).unwrap();
    unsigned.remove("sig");
    g.bench_function("canonicalise_finding", |b| {
        b.iter(|| record::canonical_unsigned(black_box(&unsigned)).unwrap())
    });
    g.bench_function("sign_finding", |b| {
        let device = DeviceId::new();
        b.iter(|| record::sign(&key, &finding(device, ChainHead::GENESIS)).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("records_1000");
    g.throughput(Throughput::Elements(records.len() as u64));
    g.sample_size(20);
    g.bench_function("chain_verify_strict", |b| {
        b.iter(|| {
            let first = record::parse_unverified(&records[0]).unwrap();
            let mut v = ChainVerifier::new(first.device, pk, ChainHead::GENESIS);
            for r in &records {
                v.push(r).unwrap();
            }
            v.head()
        })
    });
    // Batch verification is faster but skips the small-order and canonical-R checks of strict
    // verification; keys are checked at enrollment, but a batch failure still needs a strict pass
    // to name the bad record. Measured for comparison.
    g.bench_function("parse_then_verify_batch", |b| {
        b.iter(|| {
            let parsed: Vec<_> = records
                .iter()
                .map(|r| record::parse_unverified(r).unwrap())
                .collect();
            let inputs: Vec<Vec<u8>> = parsed
                .iter()
                .map(|r| {
                    let mut m = record::SIGNING_PREFIX.to_vec();
                    m.extend_from_slice(r.canonical_unsigned.as_bytes());
                    m
                })
                .collect();
            let msgs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
            let sigs: Vec<_> = parsed
                .iter()
                .map(|r| ed25519_dalek::Signature::from_bytes(&r.sig))
                .collect();
            let keys = vec![*pk.as_dalek(); parsed.len()];
            ed25519_dalek::verify_batch(&msgs, &sigs, &keys).unwrap();
        })
    });
    g.finish();
}

fn merkle(c: &mut Criterion) {
    const SIZE: u64 = 1_000_000;
    let mut tree = MemoryLog::new();
    for i in 0..SIZE {
        tree.append(&Sha256::digest(&i.to_be_bytes()).as_bytes()[..]);
    }
    let root = tree.root();
    let mut g = c.benchmark_group("log_1m");
    // What an append computes before it writes: the new leaf's hash and the subtree hashes it
    // completes (the store then inserts them).
    let next = log::leaf_hash(b"one more leaf");
    g.bench_function("append_hashes", |b| {
        b.iter(|| log::stored_hashes_for_leaf(SIZE, black_box(&next), &tree).unwrap())
    });
    let mut i = 0u64;
    g.bench_function("inclusion_proof", |b| {
        b.iter(|| {
            i = (i + 7919) % SIZE;
            log::inclusion_proof(i, SIZE, &tree).unwrap()
        })
    });
    let leaf_input = Sha256::digest(&123_456u64.to_be_bytes());
    let proof = log::inclusion_proof(123_456, SIZE, &tree).unwrap();
    g.bench_function("verify_inclusion", |b| {
        b.iter(|| {
            log::verify_inclusion(
                &log::leaf_hash(leaf_input.as_bytes()),
                123_456,
                SIZE,
                black_box(&proof),
                &root,
            )
            .unwrap()
        })
    });
    let mut m = 1u64;
    g.bench_function("consistency_proof", |b| {
        b.iter(|| {
            m = (m + 104_729) % SIZE + 1;
            log::consistency_proof(m, SIZE, &tree).unwrap()
        })
    });
    let old = 654_321;
    let old_root = tree.root_at(old).unwrap();
    let cproof = log::consistency_proof(old, SIZE, &tree).unwrap();
    g.bench_function("verify_consistency", |b| {
        b.iter(|| log::verify_consistency(old, SIZE, &old_root, &root, black_box(&cproof)).unwrap())
    });
    g.bench_function("root", |b| b.iter(|| tree.root()));
    g.finish();
}

criterion_group!(benches, records, merkle);
criterion_main!(benches);
