//! How the console writes dates, times and numbers: Russian conventions (DD.MM.YYYY, the
//! agency's local time), the same in both languages so that a printed page reads one way.

use knd_shared::calendar::zone::AgencyZone;
use time::{Date, OffsetDateTime};

/// `02.12.2026`.
pub(crate) fn date(d: Date) -> String {
    format!("{:02}.{:02}.{}", d.day(), u8::from(d.month()), d.year())
}

/// `02.12.2026 14:05` in the agency's zone.
pub(crate) fn datetime(zone: &AgencyZone, at: OffsetDateTime) -> String {
    let local = zone.to_local(at);
    format!(
        "{} {:02}:{:02}",
        date(local.date()),
        local.hour(),
        local.minute()
    )
}

/// A device's RFC 3339 time as the agency reads it (unchanged when it does not parse: it is
/// signed evidence and is shown as signed).
pub(crate) fn device_time(zone: &AgencyZone, at: &str) -> String {
    OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .map_or_else(|_| at.to_owned(), |t| datetime(zone, t))
}

/// `1 000 000`: thousands separated by a (narrow no-break) space, as Russian writes them.
pub(crate) fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// A file's size in kilobytes, rounded up: `2 048 КБ`.
pub(crate) fn kilobytes(lang: super::i18n::Lang, bytes: u64) -> String {
    format!("{} {}", count(bytes.div_ceil(1024)), lang.t("КБ", "KB"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let d = Date::from_calendar_date(2026, time::Month::March, 7).unwrap();
        assert_eq!(date(d), "07.03.2026");
        assert_eq!(count(1_000_000), "1\u{202f}000\u{202f}000");
        assert_eq!(count(999), "999");
        let zone = AgencyZone::default();
        let at = OffsetDateTime::parse(
            "2026-03-07T21:30:00Z",
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert_eq!(datetime(&zone, at), "08.03.2026 00:30");
        assert_eq!(device_time(&zone, "garbage"), "garbage");
    }
}
