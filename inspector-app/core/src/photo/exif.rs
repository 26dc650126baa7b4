//! The EXIF facts photo ingest uses: time taken, GPS position, orientation.
//!
//! Read with `kamadak-exif` (lib `exif`): pure Rust, one small dependency, reads EXIF from JPEG,
//! PNG and WebP containers, and gives the GPS values as the exact rationals the camera wrote
//! (nom-exif also parses video containers, which we do not need, and pulls in `nom`).

use std::io::Cursor;

use exif::{Exif, In, Rational, Tag, Value};
use knd_shared::record::Timestamp;
use knd_shared::record::kinds::Position;
use time::{Date, Month, PrimitiveDateTime, Time, UtcOffset};

/// What the photo's own metadata says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct ExifFacts {
    pub(super) taken_at: Option<Timestamp>,
    pub(super) position: Option<Position>,
    /// EXIF orientation 1..=8 (1 when absent or invalid).
    pub(super) orientation: u8,
}

/// Reads the facts; a photo without EXIF (or with EXIF we cannot read) has none of them.
/// `local_offset` is the device's UTC offset, used when the camera did not record its own
/// (EXIF 2.31 `OffsetTimeOriginal`; older cameras write local time only).
pub(super) fn read(bytes: &[u8], local_offset: UtcOffset) -> ExifFacts {
    let Ok(exif) = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) else {
        return ExifFacts {
            orientation: 1,
            ..ExifFacts::default()
        };
    };
    ExifFacts {
        taken_at: taken_at(&exif, local_offset),
        position: position(&exif),
        orientation: orientation(&exif),
    }
}

fn ascii(exif: &Exif, tag: Tag) -> Option<&[u8]> {
    match &exif.get_field(tag, In::PRIMARY)?.value {
        Value::Ascii(v) => v.first().map(Vec::as_slice),
        _ => None,
    }
}

fn orientation(exif: &Exif) -> u8 {
    exif.get_field(Tag::Orientation, In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .and_then(|o| u8::try_from(o).ok())
        .filter(|o| (1..=8).contains(o))
        .unwrap_or(1)
}

/// DateTimeOriginal (when the shutter fired), with SubSecTimeOriginal and OffsetTimeOriginal
/// when present. Blank or impossible dates (cameras write `0000:00:00 00:00:00` when their
/// clock was never set) give `None`, and the device time is used instead.
fn taken_at(exif: &Exif, local_offset: UtcOffset) -> Option<Timestamp> {
    let mut dt = exif::DateTime::from_ascii(ascii(exif, Tag::DateTimeOriginal)?).ok()?;
    if let Some(sub) = ascii(exif, Tag::SubSecTimeOriginal) {
        // A malformed sub-second field is ignored: the seconds are still right.
        let _ = dt.parse_subsec(sub);
    }
    if let Some(off) = ascii(exif, Tag::OffsetTimeOriginal) {
        let _ = dt.parse_offset(off);
    }
    let date =
        Date::from_calendar_date(i32::from(dt.year), Month::try_from(dt.month).ok()?, dt.day)
            .ok()?;
    let millis = u16::try_from(dt.nanosecond.unwrap_or(0) / 1_000_000).ok()?;
    let time = Time::from_hms_milli(dt.hour, dt.minute, dt.second, millis).ok()?;
    let offset = match dt.offset {
        Some(minutes) => UtcOffset::from_whole_seconds(i32::from(minutes) * 60).ok()?,
        None => local_offset,
    };
    if dt.year < 1900 {
        return None;
    }
    Some(Timestamp::from_datetime(
        PrimitiveDateTime::new(date, time).assume_offset(offset),
    ))
}

/// GPS latitude and longitude as degrees × 10^7. `None` when absent, malformed, out of range,
/// marked void (`GPSStatus` = `V`), or exactly 0,0 (what cameras write with no fix).
fn position(exif: &Exif) -> Option<Position> {
    if ascii(exif, Tag::GPSStatus) == Some(b"V") {
        return None;
    }
    let lat = coordinate(exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, b'N', b'S', 90)?;
    let lon = coordinate(
        exif,
        Tag::GPSLongitude,
        Tag::GPSLongitudeRef,
        b'E',
        b'W',
        180,
    )?;
    if lat == 0 && lon == 0 {
        return None;
    }
    Some(Position {
        lat_e7: lat,
        lon_e7: lon,
    })
}

fn coordinate(exif: &Exif, tag: Tag, ref_tag: Tag, pos: u8, neg: u8, max_deg: i64) -> Option<i64> {
    let sign = match ascii(exif, ref_tag)?.first()? {
        c if *c == pos => 1,
        c if *c == neg => -1,
        _ => return None,
    };
    let Value::Rational(parts) = &exif.get_field(tag, In::PRIMARY)?.value else {
        return None;
    };
    let e7 = dms_to_e7(parts)?;
    (e7 <= max_deg * 10_000_000).then_some(sign * e7)
}

/// Degrees, minutes, seconds (each an unsigned rational, the standard's three; one or two are
/// accepted, as some writers give decimal degrees or decimal minutes) to degrees × 10^7.
///
/// Exact: the sum is kept as a fraction of u128 integers, reduced as it goes, and divided once,
/// rounding half away from zero (the magnitude is rounded, then the hemisphere's sign applied).
/// Denominators so large that the exact sum would not fit in 128 bits give `None`.
pub(super) fn dms_to_e7(parts: &[Rational]) -> Option<i64> {
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let (mut num, mut den) = (0u128, 1u128);
    for (part, unit) in parts.iter().zip([1u128, 60, 3600]) {
        if part.denom == 0 {
            return None;
        }
        let (n, d) = reduce(
            u128::from(part.num),
            u128::from(part.denom).checked_mul(unit)?,
        );
        // num/den + n/d = (num·(l/den) + n·(l/d)) / l, with l = lcm(den, d).
        let l = den.checked_mul(d / gcd(den, d))?;
        num = num
            .checked_mul(l / den)?
            .checked_add(n.checked_mul(l / d)?)?;
        den = l;
        (num, den) = reduce(num, den);
    }
    let scaled = num.checked_mul(10_000_000)?;
    let (q, r) = (scaled / den, scaled % den);
    let rounded = if r.checked_mul(2)? >= den { q + 1 } else { q };
    i64::try_from(rounded).ok()
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn reduce(n: u128, d: u128) -> (u128, u128) {
    match gcd(n, d) {
        0 | 1 => (n, d),
        g => (n / g, d / g),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(num: u32, denom: u32) -> Rational {
        Rational { num, denom }
    }

    fn check(parts: &[(u32, u32)], expected: Option<i64>) {
        let parts: Vec<Rational> = parts.iter().map(|&(n, d)| r(n, d)).collect();
        assert_eq!(dms_to_e7(&parts), expected, "{parts:?}");
    }

    #[test]
    fn dms_is_exact_and_rounds_half_away_from_zero() {
        // 43°28'2.814" = 43.4674483333... → 434674483.
        check(&[(43, 1), (28, 1), (2814, 1000)], Some(434_674_483));
        // 11°53'6.456" = 11.8851266666... → 118851267 (rounds up).
        check(&[(11, 1), (53, 1), (6456, 1000)], Some(118_851_267));
        // Exactly half a unit: 0.00000005° = 0.00018" → rounds away from zero to 1.
        check(&[(0, 1), (0, 1), (18, 100_000)], Some(1));
        check(&[(0, 1), (0, 1), (17, 100_000)], Some(0));
        // Decimal degrees and decimal minutes.
        check(&[(557_558, 10_000)], Some(557_558_000));
        check(&[(55, 1), (45_348, 1000)], Some(557_558_000));
        check(&[(180, 1), (0, 1), (0, 1)], Some(1_800_000_000));
        // Coprime denominators near 2^32 overflow u128: refused, never a wrong answer.
        let worst = [
            r(1, 4_294_967_291),
            r(1, 4_294_967_279),
            r(1, 4_294_967_231),
        ];
        assert!(matches!(dms_to_e7(&worst), None | Some(0)));
        check(&[(1, 0), (0, 1), (0, 1)], None);
        check(&[], None);
    }
}
