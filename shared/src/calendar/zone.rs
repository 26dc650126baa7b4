//! The agency's time zone, for its local date.
//!
//! A period's event and "today" are dates where the agency is (ГК РФ ст.194: a period's last day
//! runs to 24:00 of the place where the act is done), never the UTC date: 02:30 in Moscow on
//! 1 January is still 31 December in UTC, and Vladivostok is ten hours ahead of UTC. The IANA time
//! zone database is compiled in (jiff's bundled copy), so no file is read.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use jiff::tz::{TimeZone, TimeZoneDatabase};
use time::{Date, OffsetDateTime, UtcOffset};

/// The bundled IANA database, never the system's `/usr/share/zoneinfo`: knd-shared does no IO, and
/// every device and server then agree on the rules.
static TZDB: LazyLock<TimeZoneDatabase> = LazyLock::new(TimeZoneDatabase::bundled);

/// The zone of an agency when none is configured.
pub const DEFAULT_ZONE: &str = "Europe/Moscow";

/// A time zone name that is not in the IANA database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown time zone {0:?}; expected an IANA name such as Europe/Moscow or Asia/Yekaterinburg"
)]
pub struct ZoneError(pub String);

/// The time zone an agency counts its dates in, by IANA name (`Europe/Moscow`, `Europe/Samara`,
/// `Asia/Yekaterinburg`, `Asia/Vladivostok`, ...). Serialised as its name.
#[derive(Clone, PartialEq, Eq)]
pub struct AgencyZone {
    name: String,
    tz: TimeZone,
}

impl AgencyZone {
    /// The zone named `name` (case-insensitive), from the bundled IANA database.
    pub fn parse(name: &str) -> Result<Self, ZoneError> {
        let unknown = || ZoneError(name.to_owned());
        if name.trim().is_empty() {
            return Err(unknown());
        }
        let tz = TZDB.get(name).map_err(|_| unknown())?;
        let name = tz.iana_name().ok_or_else(unknown)?.to_owned();
        Ok(Self { name, tz })
    }

    /// The zone's IANA name, as the database spells it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The agency's local date at the instant `at` (ГК ст.194).
    pub fn local_date(&self, at: OffsetDateTime) -> Date {
        self.to_local(at).date()
    }

    /// The instant `at` on the agency's clock (its UTC offset then).
    pub fn to_local(&self, at: OffsetDateTime) -> OffsetDateTime {
        // Through the unix timestamp: jiff gives the zone's UTC offset at that instant. Its range
        // (years -9999 to 9999) is a day narrower than `time`'s at each end; the offset there is the
        // zone's last known rule either way.
        let second = at.unix_timestamp().clamp(
            jiff::Timestamp::MIN.as_second(),
            jiff::Timestamp::MAX.as_second(),
        );
        let offset = jiff::Timestamp::from_second(second)
            .map(|ts| self.tz.to_offset(ts).seconds())
            .unwrap_or(0);
        UtcOffset::from_whole_seconds(offset)
            .ok()
            .and_then(|o| at.checked_to_offset(o))
            .unwrap_or(at)
    }

    /// The agency's local date now, from the system clock.
    pub fn today(&self) -> Date {
        self.local_date(OffsetDateTime::now_utc())
    }
}

impl Default for AgencyZone {
    /// Moscow time.
    fn default() -> Self {
        // The bundled database always holds Europe/Moscow; the tests check it.
        #[allow(clippy::expect_used)]
        Self::parse(DEFAULT_ZONE).expect("the bundled time zone database has Europe/Moscow")
    }
}

impl fmt::Debug for AgencyZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AgencyZone").field(&self.name).finish()
    }
}

impl fmt::Display for AgencyZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl FromStr for AgencyZone {
    type Err = ZoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for AgencyZone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

impl<'de> serde::Deserialize<'de> for AgencyZone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[track_caller]
    fn check(zone: &str, at: OffsetDateTime, expected: &str) {
        let zone = AgencyZone::parse(zone).unwrap();
        let got = super::super::iso_date::format(zone.local_date(at));
        assert_eq!(got, expected, "{at} in {}", zone.name());
    }

    #[test]
    fn local_dates() {
        // New Year's Eve: 21:30 UTC is 00:30 in Moscow (UTC+3).
        check(
            "Europe/Moscow",
            datetime!(2026-12-31 21:30 UTC),
            "2027-01-01",
        );
        check("UTC", datetime!(2026-12-31 21:30 UTC), "2026-12-31");
        check(
            "Europe/Moscow",
            datetime!(2026-12-31 20:59:59 UTC),
            "2026-12-31",
        );
        check(
            "Europe/Moscow",
            datetime!(2026-12-31 21:00 UTC),
            "2027-01-01",
        );
        // Yekaterinburg is UTC+5: 20:30 UTC is 01:30 there, 23:30 in Moscow.
        check(
            "Asia/Yekaterinburg",
            datetime!(2026-12-31 20:30 UTC),
            "2027-01-01",
        );
        check(
            "Europe/Moscow",
            datetime!(2026-12-31 20:30 UTC),
            "2026-12-31",
        );
        // Samara is UTC+4.
        check(
            "Europe/Samara",
            datetime!(2026-12-31 19:59 UTC),
            "2026-12-31",
        );
        check(
            "Europe/Samara",
            datetime!(2026-12-31 20:00 UTC),
            "2027-01-01",
        );
        // Vladivostok is UTC+10: 14:00 UTC is already midnight there.
        check(
            "Asia/Vladivostok",
            datetime!(2026-12-31 13:59 UTC),
            "2026-12-31",
        );
        check(
            "Asia/Vladivostok",
            datetime!(2026-12-31 14:00 UTC),
            "2027-01-01",
        );
        check(
            "Europe/Moscow",
            datetime!(2026-12-31 14:00 UTC),
            "2026-12-31",
        );
        // The instant decides, not the offset it is written in.
        check(
            "Europe/Moscow",
            datetime!(2027-01-01 05:30 +8),
            "2027-01-01",
        );
        check(
            "Europe/Moscow",
            datetime!(2027-01-01 02:30 +8),
            "2026-12-31",
        );
        check(
            "Asia/Vladivostok",
            datetime!(2026-12-31 23:30 -2),
            "2027-01-01",
        );
        // Kaliningrad is UTC+2; Kamchatka UTC+12.
        check(
            "Europe/Kaliningrad",
            datetime!(2026-12-31 21:30 UTC),
            "2026-12-31",
        );
        check(
            "Asia/Kamchatka",
            datetime!(2026-12-31 12:00 UTC),
            "2027-01-01",
        );
        // Moscow before 2014 kept UTC+4 from 2011: the database knows the history.
        check(
            "Europe/Moscow",
            datetime!(2013-12-31 20:30 UTC),
            "2014-01-01",
        );
        check(
            "Europe/Moscow",
            datetime!(2015-12-31 20:30 UTC),
            "2015-12-31",
        );
        // The ends of the representable range do not panic.
        let _ = AgencyZone::default()
            .local_date(OffsetDateTime::new_utc(Date::MIN, time::Time::MIDNIGHT));
        let _ = AgencyZone::default()
            .local_date(OffsetDateTime::new_utc(Date::MAX, time::Time::MIDNIGHT));
    }

    #[test]
    fn names() {
        assert_eq!(AgencyZone::default().name(), "Europe/Moscow");
        for (given, name) in [
            ("Europe/Moscow", "Europe/Moscow"),
            ("europe/samara", "Europe/Samara"),
            ("Asia/Yekaterinburg", "Asia/Yekaterinburg"),
            ("Asia/Vladivostok", "Asia/Vladivostok"),
        ] {
            assert_eq!(AgencyZone::parse(given).unwrap().name(), name);
            assert_eq!(given.parse::<AgencyZone>().unwrap().to_string(), name);
        }
        for bad in [
            "",
            " ",
            "Moscow",
            "Europe/Mordor",
            "UTC+3",
            "../../etc/passwd",
        ] {
            let err = AgencyZone::parse(bad).unwrap_err();
            assert_eq!(err, ZoneError(bad.to_owned()));
            assert!(err.to_string().starts_with("unknown time zone"), "{err}");
        }
    }

    #[test]
    fn serde_as_the_name() {
        let zone = AgencyZone::parse("Asia/Yekaterinburg").unwrap();
        let json = serde_json::to_string(&zone).unwrap();
        assert_eq!(json, r#""Asia/Yekaterinburg""#);
        assert_eq!(serde_json::from_str::<AgencyZone>(&json).unwrap(), zone);
        let err = serde_json::from_str::<AgencyZone>(r#""Asia/Atlantis""#).unwrap_err();
        assert!(err.to_string().contains("unknown time zone"), "{err}");
        assert!(serde_json::from_str::<AgencyZone>("3").is_err());
    }

    #[test]
    fn today_is_a_date_near_the_utc_date() {
        let zone = AgencyZone::parse("Asia/Vladivostok").unwrap();
        let utc = OffsetDateTime::now_utc().date();
        let today = zone.today();
        assert!(
            today == utc || today.previous_day() == Some(utc),
            "{today} vs {utc}"
        );
    }
}
