//! Benchmarks of the inspector core (figures go in the closing note):
//! - photo ingest (SHA-256, EXIF, oriented thumbnail) of a 12-megapixel JPEG;
//! - creating and signing one finding with 100,000 records already in the store;
//! - opening an inspection and listing its findings with 100,000 records in the store;
//! - unlocking the key with the default Argon2id parameters (the PIN wait).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;
use std::io::Cursor;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use knd_inspector_core::photo::{DeviceContext, ingest};
use knd_inspector_core::store::Profile;
use knd_inspector_core::{KdfParams, KeyStore, Pin, Store, Unlocked};
use knd_shared::record::Timestamp;
use knd_shared::record::kinds::{Finding, FindingResult, RecordKind};
use knd_shared::{DeviceId, DeviceKey, InspectionId};
use serde_json::{Map, Value as Json};

/// A 4000×3000 camera-like JPEG (gradient plus sensor noise, quality 90) with an EXIF block:
/// orientation 6, DateTimeOriginal with offset, GPS.
fn camera_jpeg() -> Vec<u8> {
    let mut x: u32 = 0x9E37_79B9;
    let img = RgbImage::from_fn(4000, 3000, |px, py| {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let n = (x & 0x1F) as u8;
        Rgb([
            (px / 16) as u8 / 2 + n,
            (py / 12) as u8 / 2 + n,
            ((px + py) / 28) as u8 / 2 + n,
        ])
    });
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&img)
        .unwrap();

    let ascii = |s: &str| Value::Ascii(vec![s.as_bytes().to_vec()]);
    let dms = |d, m, s_num| {
        Value::Rational(vec![
            Rational { num: d, denom: 1 },
            Rational { num: m, denom: 1 },
            Rational {
                num: s_num,
                denom: 1000,
            },
        ])
    };
    let fields = [
        Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![6]),
        },
        Field {
            tag: Tag::DateTimeOriginal,
            ifd_num: In::PRIMARY,
            value: ascii("2026:03:02 12:15:00"),
        },
        Field {
            tag: Tag::OffsetTimeOriginal,
            ifd_num: In::PRIMARY,
            value: ascii("+03:00"),
        },
        Field {
            tag: Tag::GPSLatitudeRef,
            ifd_num: In::PRIMARY,
            value: ascii("N"),
        },
        Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: dms(55, 45, 20_880),
        },
        Field {
            tag: Tag::GPSLongitudeRef,
            ifd_num: In::PRIMARY,
            value: ascii("E"),
        },
        Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: dms(37, 37, 3_360),
        },
    ];
    let mut writer = Writer::new();
    for f in &fields {
        writer.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();
    let tiff = tiff.into_inner();
    let len = u16::try_from(2 + 6 + tiff.len()).unwrap();
    let mut out = Vec::with_capacity(jpeg.len() + tiff.len() + 10);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn photo_ingest(c: &mut Criterion) {
    let jpeg = camera_jpeg();
    let device = DeviceContext {
        now: Timestamp::now(),
        utc_offset: time::UtcOffset::UTC,
        position: None,
    };
    let p = ingest(&jpeg, &device).unwrap();
    assert_eq!((p.width, p.height), (3000, 4000), "orientation 6 applied");
    assert!(p.position.is_some() && p.taken_at.to_string() == "2026-03-02T09:15:00.000Z");
    assert_eq!(p.damaged, None, "a sound JPEG passes the strict decode");
    eprintln!("12 MP test JPEG: {} bytes", jpeg.len());
    let mut g = c.benchmark_group("photo");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("ingest_12mp_jpeg", |b| {
        b.iter(|| ingest(black_box(&jpeg), &device).unwrap())
    });
    g.finish();
}

fn enrolled(dir: &std::path::Path) -> (Store, Unlocked) {
    let device = DeviceId::new();
    let (_, key) = KeyStore::create(
        dir,
        device,
        DeviceKey::generate(),
        &Pin::parse("2468").unwrap(),
        KdfParams::INSECURE_FAST,
    )
    .unwrap();
    let mut store = Store::open(dir).unwrap();
    store
        .save_profile(&Profile {
            server_url: "http://127.0.0.1:1".into(),
            device,
            device_public_key: key.public_key(),
            server_public_key: DeviceKey::generate().public_key(),
            log_origin: "knd.example/log".into(),
            device_name: "bench".into(),
            enrolled_at: Timestamp::now(),
        })
        .unwrap();
    (store, key)
}

fn finding(inspection: InspectionId, n: usize) -> Map<String, Json> {
    let f = Finding {
        inspection,
        item: format!("ПЛ-{}.{}", n / 10, n % 10),
        result: if n % 3 == 0 {
            FindingResult::Violation
        } else {
            FindingResult::Compliant
        },
        note: Some(
            "Огнетушитель ОП-4 в коридоре второго этажа просрочен: дата перезарядки 01.2024".into(),
        ),
        photos: vec![],
    };
    match serde_json::to_value(f).unwrap() {
        Json::Object(m) => m,
        _ => unreachable!(),
    }
}

/// 100,000 records: 1,000 inspections of 100 findings each, interleaved as a day's work would
/// not be, so an inspection's findings are spread over the whole table.
fn store_with_100k(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let (mut store, key) = enrolled(dir.path());
    let inspections: Vec<InspectionId> = (0..1000).map(|_| InspectionId::new()).collect();
    let started = std::time::Instant::now();
    for batch in 0..20 {
        let records = (0..5000)
            .map(|i| {
                let n = batch * 5000 + i;
                (
                    RecordKind::Finding,
                    finding(inspections[n % 1000], n / 1000),
                )
            })
            .collect();
        store.create_records(&key, records).unwrap();
    }
    eprintln!(
        "setup: 100,000 records signed and stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(store.head().unwrap().seq, 100_000);

    let mut g = c.benchmark_group("store_100k");
    g.bench_function("create_and_sign_one_finding", |b| {
        let mut n = 0;
        b.iter(|| {
            n += 1;
            store
                .create_record(
                    &key,
                    RecordKind::Finding,
                    &finding(inspections[n % 1000], 1000 + n),
                )
                .unwrap()
        })
    });
    g.bench_function("open_inspection_list_findings", |b| {
        let mut n = 0;
        b.iter(|| {
            n += 1;
            let view = store.open_inspection(inspections[n % 1000]).unwrap();
            assert!(view.findings.len() >= 100);
            view
        })
    });
    g.finish();
}

fn unlock(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let device = DeviceId::new();
    let pin = Pin::parse("2468").unwrap();
    let (ks, _) = KeyStore::create(
        dir.path(),
        device,
        DeviceKey::generate(),
        &pin,
        KdfParams::DEFAULT,
    )
    .unwrap();
    let mut g = c.benchmark_group("keystore");
    g.sample_size(10);
    g.bench_function("unlock_default_argon2id", |b| {
        b.iter(|| ks.unlock(&pin).unwrap())
    });
    g.finish();
}

criterion_group!(benches, photo_ingest, store_with_100k, unlock);
criterion_main!(benches);
