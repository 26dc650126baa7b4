//! Whether a record's own time (`at`, the device's clock when it signed) is plausible: not
//! later than its arrival beyond a clock's drift, and not before the law it records work under
//! took effect. Records signed offline arrive late, which is normal, so lateness alone is not
//! flagged. Depends only on the record and its arrival time, so a rebuild flags the same.

use knd_shared::record::Timestamp;
use time::macros::date;
use time::{Date, Duration, OffsetDateTime};

/// How far a device's clock may run ahead of the server's before its records are questioned.
pub(super) const CLOCK_SKEW: Duration = Duration::minutes(10);

/// 248-ФЗ took effect on 01.07.2021 (ст.98): no control measure under it happened before.
pub(super) const LAW_IN_FORCE: Date = date!(2021 - 07 - 01);

/// The flag a record's time deserves, with its detail (Russian, then English), if any.
pub(super) fn implausible(
    at: Timestamp,
    received: OffsetDateTime,
) -> Option<(&'static str, String)> {
    let signed = at.as_datetime();
    let day = |t: OffsetDateTime| {
        let d = t.date();
        format!(
            "{:02}.{:02}.{} {:02}:{:02} UTC",
            d.day(),
            u8::from(d.month()),
            d.year(),
            t.hour(),
            t.minute()
        )
    };
    if signed > received + CLOCK_SKEW {
        let (s, r) = (day(signed), day(received));
        return Some((
            "record_time_future",
            format!(
                "запись подписана {s}, позже её получения сервером {r} / the record is signed {s}, later than its arrival at the server {r}"
            ),
        ));
    }
    if signed.date() < LAW_IN_FORCE {
        let s = day(signed);
        return Some((
            "record_time_implausible",
            format!(
                "запись подписана {s}, до вступления в силу 248-ФЗ (01.07.2021): часы устройства неверны / the record is signed {s}, before 248-FZ took effect (01.07.2021): the device's clock is wrong"
            ),
        ));
    }
    None
}

/// The flag a record deserves when its time is outside its inspection's dates (with the clock's
/// drift), with its detail (Russian, then English). The days are taken as wide as any Russian
/// time zone makes them (UTC+2 to UTC+12), so no agency's zone is wrong and a change of the
/// configured zone does not change what a rebuild flags.
pub(super) fn outside_inspection(
    at: Timestamp,
    starts_on: Date,
    ends_on: Date,
) -> Option<(&'static str, String)> {
    let signed = at.as_datetime();
    let earliest = starts_on
        .midnight()
        .assume_offset(time::macros::offset!(+12))
        - CLOCK_SKEW;
    let latest = ends_on
        .next_day()
        .unwrap_or(ends_on)
        .midnight()
        .assume_offset(time::macros::offset!(+2))
        + CLOCK_SKEW;
    if (earliest..=latest).contains(&signed) {
        return None;
    }
    let day = |d: Date| format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year());
    let (s, from, to) = (
        format!("{} UTC", day(signed.date())),
        day(starts_on),
        day(ends_on),
    );
    Some((
        "record_time_outside_inspection",
        format!(
            "запись подписана {s}, вне сроков проверки ({from}–{to}) / the record is signed {s}, outside the inspection's dates ({from}–{to})"
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_outside_its_inspections_dates_is_questioned() {
        let at = |s: &str| Timestamp::parse(s).unwrap();
        let (from, to) = (date!(2026 - 12 - 01), date!(2026 - 12 - 03));
        let inside = [
            "2026-12-01T00:30:00.000Z",
            // 1 December, 08:00 in Kamchatka (UTC+12).
            "2026-11-30T20:00:00.000Z",
            // 3 December, 23:50 in Kaliningrad (UTC+2).
            "2026-12-03T21:50:00.000Z",
        ];
        for t in inside {
            assert!(outside_inspection(at(t), from, to).is_none(), "{t}");
        }
        let outside = ["2026-11-29T10:00:00.000Z", "2026-12-05T09:00:00.000Z"];
        for t in outside {
            let (reason, detail) = outside_inspection(at(t), from, to).unwrap();
            assert_eq!(reason, "record_time_outside_inspection");
            assert!(detail.contains("01.12.2026–03.12.2026"), "{detail}");
        }
    }

    #[test]
    fn a_record_from_1970_or_the_future_is_questioned_a_late_one_is_not() {
        let received = OffsetDateTime::parse(
            "2026-12-02T10:00:00Z",
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let at = |s: &str| Timestamp::parse(s).unwrap();
        assert_eq!(
            implausible(at("1970-01-01T00:00:00.000Z"), received)
                .unwrap()
                .0,
            "record_time_implausible"
        );
        assert_eq!(
            implausible(at("2099-01-01T00:00:00.000Z"), received)
                .unwrap()
                .0,
            "record_time_future"
        );
        assert_eq!(
            implausible(at("2026-12-02T10:11:00.000Z"), received)
                .unwrap()
                .0,
            "record_time_future"
        );
        assert!(
            implausible(at("2026-12-02T10:09:00.000Z"), received).is_none(),
            "within the drift"
        );
        assert!(
            implausible(at("2026-10-02T10:00:00.000Z"), received).is_none(),
            "signed offline, synced later"
        );
    }
}
