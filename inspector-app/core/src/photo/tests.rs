//! Ingest of every camera file in `../shared/testdata/photos/` (facts from its README.md), and
//! refusal of what is not a photo.

use std::path::PathBuf;

use super::*;

/// `$KND_TESTDATA/photos`, or `../shared/testdata/photos` next to the repository root (as the
/// README says for every test).
pub(crate) fn photos_dir() -> PathBuf {
    std::env::var_os("KND_TESTDATA")
        .map_or_else(
            || {
                PathBuf::from(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../../shared/testdata"
                ))
            },
            PathBuf::from,
        )
        .join("photos")
}

pub(crate) fn photo(name: &str) -> Vec<u8> {
    std::fs::read(photos_dir().join(name)).unwrap()
}

pub(crate) fn device() -> DeviceContext {
    DeviceContext {
        now: Timestamp::parse("2026-03-02T09:15:00.000Z").unwrap(),
        utc_offset: UtcOffset::UTC,
        position: Some(Position {
            lat_e7: 557_558_000,
            lon_e7: 376_176_000,
        }),
    }
}

struct Expect {
    file: &'static str,
    taken_at: Option<&'static str>,
    position: Option<(i64, i64)>,
    displayed: (u32, u32),
    orientation: u8,
}

#[test]
fn every_test_photo_ingests_with_its_facts() {
    // 43°28'2.814" N = 43.46744833...° → 434674483; 11°53'6.456" E = 11.88512666...° → 118851267;
    // 43°28'1.764" = 43.46715666...° → 434671567; 11°53'7.422" = 11.88539500° → 118853950.
    let cases = [
        Expect {
            file: "DSCN0010.jpg",
            taken_at: Some("2008-10-22T16:28:39.000Z"),
            position: Some((434_674_483, 118_851_267)),
            displayed: (640, 480),
            orientation: 1,
        },
        Expect {
            file: "DSCN0012.jpg",
            taken_at: Some("2008-10-22T16:29:49.000Z"),
            position: Some((434_671_567, 118_853_950)),
            displayed: (640, 480),
            orientation: 1,
        },
        Expect {
            file: "landscape_6.jpg",
            taken_at: None,
            position: None,
            displayed: (600, 450),
            orientation: 6,
        },
        Expect {
            file: "portrait_8.jpg",
            taken_at: None,
            position: None,
            displayed: (450, 600),
            orientation: 8,
        },
        Expect {
            file: "Canon_40D.jpg",
            taken_at: Some("2008-05-30T15:56:01.000Z"),
            position: None,
            displayed: (100, 68),
            orientation: 1,
        },
        Expect {
            file: "image00971.jpg",
            taken_at: None,
            position: None,
            displayed: (0, 0),
            orientation: 1,
        },
    ];
    let mut files: Vec<String> = std::fs::read_dir(photos_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .collect();
    files.sort();
    let mut covered: Vec<String> = cases.iter().map(|c| c.file.to_owned()).collect();
    covered.sort();
    assert_eq!(files, covered, "every file in the folder has a case");

    let dev = device();
    for c in &cases {
        let bytes = photo(c.file);
        let p = ingest(&bytes, &dev).unwrap_or_else(|e| panic!("{}: {e}", c.file));
        let f = c.file;
        assert_eq!(p.sha256, Sha256::digest(&bytes), "{f}");
        assert_eq!(p.bytes, bytes.len() as u64, "{f}");
        assert_eq!(p.mime, "image/jpeg", "{f}");
        assert_eq!(p.orientation, c.orientation, "{f}");
        if c.displayed != (0, 0) {
            assert_eq!((p.width, p.height), c.displayed, "{f}");
        }
        match c.taken_at {
            Some(t) => {
                assert_eq!(p.taken_at.to_string(), t, "{f}");
                assert_eq!(p.time_source, MetadataSource::Exif, "{f}");
            }
            None if f == "image00971.jpg" => {
                assert_eq!(p.taken_at, dev.now, "{f}");
                assert_eq!(p.time_source, MetadataSource::Device, "{f}");
            }
            None => {}
        }
        match c.position {
            Some((lat, lon)) => {
                let pos = p.position.unwrap();
                assert_eq!((pos.lat_e7, pos.lon_e7), (lat, lon), "{f}");
                assert_eq!(p.position_source, Some(MetadataSource::Exif), "{f}");
            }
            None => {
                assert_eq!(p.position, dev.position, "{f}");
                assert_eq!(p.position_source, Some(MetadataSource::Device), "{f}");
            }
        }
        // The thumbnail is a JPEG, oriented like the displayed photo, long side at most 512.
        let thumb = image::load_from_memory(&p.thumbnail).unwrap();
        assert_eq!(
            (thumb.width(), thumb.height()),
            (p.thumbnail_width, p.thumbnail_height)
        );
        assert!(thumb.width().max(thumb.height()) <= THUMBNAIL_SIDE, "{f}");
        assert_eq!(
            thumb.width() > thumb.height(),
            p.width > p.height,
            "{f}: thumbnail {}x{}, photo {}x{}",
            thumb.width(),
            thumb.height(),
            p.width,
            p.height
        );
        // The record body carries the same facts and passes the registry's check.
        let body = p.body(InspectionId::new(), None, vec![]);
        let map = match serde_json::to_value(&body).unwrap() {
            serde_json::Value::Object(m) => m,
            _ => unreachable!(),
        };
        knd_shared::record::kinds::check_body("photo", &map).unwrap();
    }
    // The README's orientation facts: stored 450x600 shown landscape; stored 600x450 shown portrait.
    let l = ingest(&photo("landscape_6.jpg"), &dev).unwrap();
    assert!(l.width > l.height && l.thumbnail_width > l.thumbnail_height);
    let p = ingest(&photo("portrait_8.jpg"), &dev).unwrap();
    assert!(p.width < p.height && p.thumbnail_width < p.thumbnail_height);
    // No device fix and no GPS: no position at all, and it says so.
    let no_fix = DeviceContext {
        position: None,
        ..dev
    };
    let c = ingest(&photo("Canon_40D.jpg"), &no_fix).unwrap();
    assert_eq!((c.position, c.position_source), (None, None));
}

/// A JPEG made here, with an EXIF block written by kamadak-exif's writer.
fn jpeg_with_exif(img: &DynamicImage, fields: &[::exif::Field]) -> Vec<u8> {
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 95)
        .encode_image(img)
        .unwrap();
    let mut writer = ::exif::experimental::Writer::new();
    for f in fields {
        writer.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    writer.write(&mut tiff, false).unwrap();
    let tiff = tiff.into_inner();
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&u16::try_from(8 + tiff.len()).unwrap().to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(&tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn field(tag: ::exif::Tag, value: ::exif::Value) -> ::exif::Field {
    ::exif::Field {
        tag,
        ifd_num: ::exif::In::PRIMARY,
        value,
    }
}

fn ascii(s: &str) -> ::exif::Value {
    ::exif::Value::Ascii(vec![s.as_bytes().to_vec()])
}

fn rationals(v: &[(u32, u32)]) -> ::exif::Value {
    ::exif::Value::Rational(
        v.iter()
            .map(|&(num, denom)| ::exif::Rational { num, denom })
            .collect(),
    )
}

#[test]
fn the_orientation_is_applied_to_the_pixels() {
    use image::GenericImageView as _;
    // Stored 40x20: the top-left quarter red, the rest blue.
    let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(40, 20, |x, y| {
        if x < 20 && y < 10 {
            image::Rgb([255, 0, 0])
        } else {
            image::Rgb([0, 0, 255])
        }
    }));
    let red = |p: image::Rgba<u8>| p[0] > 200 && p[2] < 60;
    // Orientation 6 (rotate 90° clockwise to display): the red corner ends up top-right;
    // orientation 8 (90° counter-clockwise): bottom-left.
    for (o, corner) in [(6u16, (1, 0)), (8, (0, 1))] {
        let bytes = jpeg_with_exif(
            &img,
            &[field(
                ::exif::Tag::Orientation,
                ::exif::Value::Short(vec![o]),
            )],
        );
        let p = ingest(&bytes, &device()).unwrap();
        assert_eq!((p.width, p.height), (20, 40), "orientation {o}");
        let thumb = image::load_from_memory(&p.thumbnail).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (20, 40));
        let at = |cx: u32, cy: u32| thumb.get_pixel(2 + cx * 15, 2 + cy * 35);
        for cx in 0..2 {
            for cy in 0..2 {
                assert_eq!(
                    red(at(cx, cy)),
                    (cx, cy) == corner,
                    "orientation {o} corner {cx},{cy}"
                );
            }
        }
    }
}

#[test]
fn exif_offsets_and_hemispheres_are_honoured() {
    use ::exif::Tag;
    let img = DynamicImage::ImageRgb8(image::RgbImage::new(8, 8));
    let bytes = jpeg_with_exif(
        &img,
        &[
            field(Tag::DateTimeOriginal, ascii("2026:03:02 05:15:00")),
            field(Tag::SubSecTimeOriginal, ascii("25")),
            field(Tag::OffsetTimeOriginal, ascii("-04:00")),
            field(Tag::GPSLatitudeRef, ascii("S")),
            field(
                Tag::GPSLatitude,
                rationals(&[(33, 1), (52, 1), (4_080, 100)]),
            ),
            field(Tag::GPSLongitudeRef, ascii("W")),
            field(Tag::GPSLongitude, rationals(&[(70, 1), (39, 1), (3, 2)])),
        ],
    );
    let p = ingest(&bytes, &device()).unwrap();
    assert_eq!(p.taken_at.to_string(), "2026-03-02T09:15:00.250Z");
    // 33°52'40.80" = 33.878° exactly; 70°39'1.5" = 70.650416666...° → 706504167.
    let pos = p.position.unwrap();
    assert_eq!((pos.lat_e7, pos.lon_e7), (-338_780_000, -706_504_167));
    // Without an offset the device's is used; a blank date falls back to the device clock;
    // a 0,0 fix counts as none.
    let local = DeviceContext {
        utc_offset: UtcOffset::from_hms(3, 0, 0).unwrap(),
        ..device()
    };
    let bytes = jpeg_with_exif(
        &img,
        &[field(Tag::DateTimeOriginal, ascii("2026:03:02 12:15:00"))],
    );
    assert_eq!(
        ingest(&bytes, &local).unwrap().taken_at.to_string(),
        "2026-03-02T09:15:00.000Z"
    );
    let bytes = jpeg_with_exif(
        &img,
        &[
            field(Tag::DateTimeOriginal, ascii("0000:00:00 00:00:00")),
            field(Tag::GPSLatitudeRef, ascii("N")),
            field(Tag::GPSLatitude, rationals(&[(0, 1), (0, 1), (0, 1)])),
            field(Tag::GPSLongitudeRef, ascii("E")),
            field(Tag::GPSLongitude, rationals(&[(0, 1), (0, 1), (0, 1)])),
        ],
    );
    let p = ingest(&bytes, &device()).unwrap();
    assert_eq!(
        (p.time_source, p.position_source),
        (MetadataSource::Device, Some(MetadataSource::Device))
    );
}

pub(crate) fn bad_inputs() -> Vec<(&'static str, Vec<u8>)> {
    let jpeg = photo("DSCN0010.jpg");
    let mut garbage = Vec::with_capacity(4096);
    let mut x: u32 = 0x1234_5678;
    for _ in 0..4096 {
        // xorshift: deterministic noise without a dependency
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        garbage.push(x.to_le_bytes()[0]);
    }
    let mut jpeg_header_garbage = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg_header_garbage.extend_from_slice(&garbage);
    vec![
        ("empty", Vec::new()),
        ("garbage", garbage),
        ("jpeg header then garbage", jpeg_header_garbage),
        ("truncated jpeg (header only)", jpeg[..200].to_vec()),
        (
            "text renamed .jpg",
            "Акт проверки № 12\nThis is a text file named photo.jpg\n"
                .as_bytes()
                .to_vec(),
        ),
        ("png signature only", b"\x89PNG\r\n\x1a\n".to_vec()),
    ]
}

#[test]
fn what_is_not_a_photo_is_refused_with_a_clear_error() {
    for (what, bytes) in bad_inputs() {
        let err = ingest(&bytes, &device()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(" / ") && msg.chars().next().is_some_and(|c| ('а'..='я').contains(&c)),
            "{what}: Russian first, then English: {msg}"
        );
        match what {
            "empty" => assert_eq!(err, PhotoError::Empty),
            "garbage" | "text renamed .jpg" => assert_eq!(err, PhotoError::NotAnImage, "{what}"),
            _ => assert!(matches!(err, PhotoError::Unreadable(_)), "{what}: {err:?}"),
        }
    }
}

/// The app's own damaged JPEG (`inspector-app/testdata/README.md`): a real photo with most of
/// its scan overwritten, which a lenient decoder shows as garbage without an error.
pub(crate) fn damaged_scan() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testdata/damaged-scan.jpg"
    ))
    .unwrap()
}

/// Photos that decode only with gaps: ingested (so the inspector can keep one if they insist)
/// but marked damaged, and never marked when sound.
pub(crate) fn damaged_inputs() -> Vec<(&'static str, Vec<u8>)> {
    let jpeg = photo("DSCN0010.jpg");
    vec![
        ("overwritten scan", damaged_scan()),
        ("truncated jpeg (half)", jpeg[..jpeg.len() / 2].to_vec()),
        (
            "truncated jpeg (last 2 bytes)",
            jpeg[..jpeg.len() - 2].to_vec(),
        ),
    ]
}

#[test]
fn a_photo_that_does_not_decode_cleanly_is_marked_damaged() {
    for (what, bytes) in damaged_inputs() {
        let p = ingest(&bytes, &device()).unwrap_or_else(|e| panic!("{what}: {e}"));
        let why = p
            .damaged
            .clone()
            .unwrap_or_else(|| panic!("{what}: not marked"));
        assert!(!why.is_empty(), "{what}");
        let body = p.body(InspectionId::new(), None, vec![]);
        assert_eq!(
            body.warnings,
            [PhotoWarning::Damaged { reason: why }],
            "{what}: the record says so"
        );
        assert!(!p.thumbnail.is_empty(), "{what}: shown as a viewer would");
    }
    let undamaged = ingest(&damaged_scan_source(), &device()).unwrap();
    assert_eq!(
        undamaged.damaged, None,
        "the photo it was made from is sound"
    );
    for name in ["DSCN0010.jpg", "landscape_6.jpg", "Canon_40D.jpg"] {
        assert_eq!(
            ingest(&photo(name), &device()).unwrap().damaged,
            None,
            "{name}"
        );
    }
}

fn damaged_scan_source() -> Vec<u8> {
    photo("image00971.jpg")
}

fn dates(from: &str, to: &str) -> Option<(time::Date, time::Date)> {
    let d = |s| knd_shared::calendar::iso_date::parse(s).unwrap();
    Some((d(from), d(to)))
}

#[test]
fn time_and_place_outside_the_inspection_are_found() {
    use knd_shared::calendar::zone::AgencyZone;
    let zone = AgencyZone::parse("Europe/Moscow").unwrap();
    // The object in Yaroslavl; DSCN0010 was taken in Tuscany on 22.10.2008.
    let yaroslavl = ObjectPlace {
        key: "YAR-1".into(),
        position: Position {
            lat_e7: 576_261_000,
            lon_e7: 398_845_000,
        },
    };
    let italy = ingest(&photo("DSCN0010.jpg"), &device()).unwrap();
    let found = place_and_time(
        &italy,
        dates("2026-03-02", "2026-03-13"),
        Some(&zone),
        std::slice::from_ref(&yaroslavl),
    );
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(matches!(
        &found[0],
        PhotoWarning::TakenOutsideDates { taken_at, .. } if taken_at.to_string() == "2008-10-22T16:28:39.000Z"
    ));
    let PhotoWarning::FarFromObject { distance_m, object } = &found[1] else {
        panic!("{found:?}")
    };
    assert_eq!(object, "YAR-1");
    assert!(
        (2_450_000..2_550_000).contains(distance_m),
        "about 2,500 km: {distance_m}"
    );

    // Taken on the day, on the spot: nothing to say. The nearest object counts.
    let on_site = ObjectPlace {
        key: "SIENA".into(),
        position: Position {
            lat_e7: 434_680_000,
            lon_e7: 118_860_000,
        },
    };
    assert!(
        place_and_time(
            &italy,
            dates("2008-10-22", "2008-10-22"),
            Some(&zone),
            &[yaroslavl.clone(), on_site]
        )
        .is_empty()
    );
    // The date is the agency's: 22.10.2008 16:28 UTC is still 22.10 in Moscow, but a zone
    // twelve hours east makes it the 23rd.
    let far_east = AgencyZone::parse("Asia/Kamchatka").unwrap();
    assert_eq!(
        place_and_time(
            &italy,
            dates("2008-10-22", "2008-10-22"),
            Some(&far_east),
            &[]
        )
        .len(),
        1
    );
    // A time the device supplied is not judged; nor is anything without the facts.
    let no_exif = ingest(&photo("image00971.jpg"), &device()).unwrap();
    assert!(
        place_and_time(
            &no_exif,
            dates("2008-10-22", "2008-10-22"),
            Some(&zone),
            &[]
        )
        .is_empty()
    );
    assert!(place_and_time(&italy, None, None, &[]).is_empty());
    // The device's own fix (Moscow) is judged too: 250 km from Yaroslavl.
    assert!(matches!(
        place_and_time(&no_exif, None, None, &[yaroslavl])[..],
        [PhotoWarning::FarFromObject { distance_m, .. }] if (240_000..260_000).contains(&distance_m)
    ));
}

#[test]
fn distances_are_great_circle_metres() {
    let p = |lat: f64, lon: f64| Position {
        lat_e7: (lat * 1e7) as i64,
        lon_e7: (lon * 1e7) as i64,
    };
    assert_eq!(distance_m(p(57.6261, 39.8845), p(57.6261, 39.8845)), 0);
    // One degree of latitude is 111.2 km on the mean sphere.
    let d = distance_m(p(57.0, 39.0), p(58.0, 39.0));
    assert!((111_100..111_300).contains(&d), "{d}");
    // 1 km east at Yaroslavl's latitude is 0.01681° of longitude.
    let d = distance_m(p(57.6261, 39.8845), p(57.6261, 39.90131));
    assert!((990..1_010).contains(&d), "{d}");
}

#[test]
fn png_and_webp_are_accepted_without_exif() {
    let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(40, 30, |x, y| {
        image::Rgb([x as u8 * 6, y as u8 * 8, 100])
    }));
    for format in [ImageFormat::Png, ImageFormat::WebP] {
        let mut bytes = Vec::new();
        img.write_to(&mut Cursor::new(&mut bytes), format).unwrap();
        let p = ingest(&bytes, &device()).unwrap();
        assert_eq!((p.width, p.height), (40, 30));
        assert_eq!(p.time_source, MetadataSource::Device);
        assert_eq!(p.position_source, Some(MetadataSource::Device));
    }
}
