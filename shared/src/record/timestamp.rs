use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// The one timestamp form of records: RFC 3339, UTC, milliseconds, `Z`
/// (`2026-03-02T09:15:00.000Z`).
const FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Why a string is not a record timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected an RFC 3339 UTC time with milliseconds like 2026-03-02T09:15:00.000Z, got {0:?}")]
pub struct TimestampError(String);

/// A device-clock instant with millisecond precision, always UTC.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    /// Now, truncated to milliseconds.
    pub fn now() -> Self {
        Self::from_datetime(OffsetDateTime::now_utc())
    }

    /// Converts to UTC and truncates to milliseconds.
    pub fn from_datetime(dt: OffsetDateTime) -> Self {
        let dt = dt.to_offset(UtcOffset::UTC);
        let ms = dt.millisecond();
        // `replace_millisecond` cannot fail for a value read from a valid time.
        Self(dt.replace_millisecond(ms).unwrap_or(dt))
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        // The length and the leading digit refuse longer fractions and signed years, which the
        // format parser alone would take.
        if s.len() != 24 || !s.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(TimestampError(s.to_owned()));
        }
        PrimitiveDateTime::parse(s, FORMAT)
            .map(|p| Self(p.assume_utc()))
            .map_err(|_| TimestampError(s.to_owned()))
    }

    /// The instant.
    pub fn as_datetime(&self) -> OffsetDateTime {
        self.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Years 0..=9999 always format; the parser admits nothing else.
        let s = self.0.format(FORMAT).map_err(|_| fmt::Error)?;
        f.write_str(&s)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_record_form_parses() {
        let t = Timestamp::parse("2026-03-02T09:15:00.000Z").unwrap();
        assert_eq!(t.to_string(), "2026-03-02T09:15:00.000Z");
        for bad in [
            "2026-03-02T09:15:00Z",
            "2026-03-02T09:15:00.0000Z",
            "2026-03-02T09:15:00.000+00:00",
            "2026-03-02 09:15:00.000Z",
            "2026-02-30T09:15:00.000Z",
            "2026-03-02T24:00:00.000Z",
            "2026-03-02t09:15:00.000z",
            "-026-03-02T09:15:00.000Z",
            "+026-03-02T09:15:00.000Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad}");
        }
        let now = Timestamp::now();
        assert_eq!(Timestamp::parse(&now.to_string()), Ok(now));
    }
}
