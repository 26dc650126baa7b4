//! Rendering time: the typical act (two pages: fields, a findings table of 15 rows, paragraphs,
//! the QR code) and a findings table of 200 rows (about ten pages). The act must take well under
//! 100 ms, the server renders it on request.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub,
    dead_code
)]

#[path = "../tests/it/sample.rs"]
mod sample;

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use knd_pdf::{Document, render};

fn bench(c: &mut Criterion) {
    let act = sample::act();
    c.bench_function("render/act", |b| {
        b.iter(|| render(black_box(&act)).unwrap())
    });

    let table = Document {
        title: "Перечень нарушений".to_owned(),
        subtitle: None,
        blocks: vec![sample::findings(200)],
        verify: sample::verification(),
    };
    c.bench_function("render/table-200-rows", |b| {
        b.iter(|| render(black_box(&table)).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
