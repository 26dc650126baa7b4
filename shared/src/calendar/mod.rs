//! The Russian production calendar (производственный календарь) and the counting of periods.
//!
//! Working days are Monday to Friday, except the non-working holidays of ТК РФ ст.112 and the days
//! off each year's government decree transfers; some weekend days become working days by the same
//! decrees. That is data, not a rule one can compute, so each year is a JSON document citing its
//! source ([`YearCalendar`]). The embedded years can be replaced or extended from a file
//! ([`Calendar::load_json`]); a date in a year the calendar does not hold is an error, never a guess.
//!
//! An agency in a region with its own non-working holidays (Tatarstan, Bashkortostan) counts on
//! the federal calendar with that region's overlay ([`Calendar::with_region`], [`RegionCalendar`]).
//!
//! Counting (ГК РФ ст.191-193): a period starts the day after its event; "N working days" ends
//! on the N-th working day after the event; a period of N calendar days, months or years ends on
//! its last day (ст.192 for months and years, [`period_end_months`], [`period_end_years`]) and, when
//! that day is non-working, on the next working day (ст.193). The event's date is the agency's
//! local date ([`zone::AgencyZone`], ст.194).

mod period;
mod region;
mod year;
pub mod zone;

use std::collections::BTreeMap;

use time::{Date, Duration};

pub use period::{period_end_months, period_end_years};
pub use region::{RegionCalendar, RegionDay, RegionError, RegionYear};
pub use year::{YearCalendar, YearError};

/// Serde helpers for `YYYY-MM-DD` dates.
pub mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::format_description::FormatItem;
    use time::macros::format_description;

    /// `YYYY-MM-DD`.
    pub const FORMAT: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Date, time::error::Parse> {
        Date::parse(s, FORMAT)
    }

    /// Formats as `YYYY-MM-DD`.
    pub fn format(d: Date) -> String {
        // Dates of years 0..=9999 always format.
        d.format(FORMAT).unwrap_or_default()
    }

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse(&s).map_err(|e| serde::de::Error::custom(format!("date {s:?}: {e}")))
    }

    /// `Option<Date>` as `YYYY-MM-DD` or null/absent (with `#[serde(default)]`).
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::Date;

        pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => super::serialize(d, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|s| super::parse(&s).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

/// Why a date could not be counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("the calendar has no data for {0}; load a calendar file with that year")]
    UnknownYear(i32),
    #[error(
        "the calendar for {0} is provisional (its transfer decree is not in the data); \
         load a calendar file with the decree or allow provisional years"
    )]
    ProvisionalYear(i32),
    #[error("a period must be at least one day")]
    EmptyPeriod,
    #[error("the end date {to} is before the start date {from}")]
    Reversed { from: Date, to: Date },
    #[error("invalid calendar data: {0}")]
    Data(#[from] YearError),
    #[error("unknown region {code:?}; the regions known are: {known}")]
    UnknownRegion { code: String, known: String },
    #[error(
        "the calendar of the region {region} has no data for {year}; load a regional calendar \
         with that year or allow provisional years"
    )]
    RegionYearMissing { region: String, year: i32 },
    #[error(
        "the calendar of the region {region} for {year} is provisional (a movable holiday is not \
         decreed in the data yet); load a regional calendar with it or allow provisional years"
    )]
    ProvisionalRegionYear { region: String, year: i32 },
    #[error("invalid regional calendar data: {0}")]
    RegionData(#[from] RegionError),
}

/// The months' names, nominative (a heading: «Январь 2027»).
pub const MONTHS_RU: [&str; 12] = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
];
pub const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The years the crate ships, each citing its decree.
const EMBEDDED: [&str; 5] = [
    include_str!("years/2023.json"),
    include_str!("years/2024.json"),
    include_str!("years/2025.json"),
    include_str!("years/2026.json"),
    include_str!("years/2027.json"),
];

/// The regional overlays the crate ships, each citing its laws.
const EMBEDDED_REGIONS: [&str; 2] = [
    include_str!("regions/bashkortostan.json"),
    include_str!("regions/tatarstan.json"),
];

/// A set of years of the production calendar, with an optional regional overlay.
#[derive(Debug, Clone)]
pub struct Calendar {
    years: BTreeMap<i32, YearCalendar>,
    region: Option<RegionCalendar>,
    allow_provisional: bool,
}

impl Calendar {
    /// The years shipped with this crate. Provisional years are refused until allowed.
    pub fn embedded() -> Self {
        let mut cal = Self::empty();
        for text in EMBEDDED {
            // The embedded files are checked by the tests; a broken one is a build defect.
            #[allow(clippy::expect_used)]
            let year = YearCalendar::from_json(text).expect("embedded calendar year is valid");
            cal.years.insert(year.year(), year);
        }
        cal
    }

    /// A calendar with no years at all.
    pub fn empty() -> Self {
        Self {
            years: BTreeMap::new(),
            region: None,
            allow_provisional: false,
        }
    }

    /// The regional overlays shipped with this crate, by code.
    pub fn embedded_regions() -> Vec<RegionCalendar> {
        EMBEDDED_REGIONS
            .iter()
            .map(|text| {
                // The embedded files are checked by the tests; a broken one is a build defect.
                #[allow(clippy::expect_used)]
                RegionCalendar::from_json(text).expect("embedded regional calendar is valid")
            })
            .collect()
    }

    /// The codes of the regions shipped with this crate, for `with_region`.
    pub fn region_codes() -> Vec<String> {
        Self::embedded_regions()
            .into_iter()
            .map(|r| r.code().to_owned())
            .collect()
    }

    /// This calendar with the shipped overlay of the region `code` (see [`Calendar::region_codes`]):
    /// the region's non-working days are non-working too. An unknown code is an error naming the
    /// known ones.
    pub fn with_region(self, code: &str) -> Result<Self, CalendarError> {
        let regions = Self::embedded_regions();
        let known = regions
            .iter()
            .map(RegionCalendar::code)
            .collect::<Vec<_>>()
            .join(", ");
        let region = regions
            .into_iter()
            .find(|r| r.code() == code)
            .ok_or_else(|| CalendarError::UnknownRegion {
                code: code.to_owned(),
                known,
            })?;
        Ok(self.with_region_calendar(region))
    }

    /// This calendar with a regional overlay from elsewhere (a file, or a device's pull),
    /// replacing any region it had.
    pub fn with_region_calendar(mut self, region: RegionCalendar) -> Self {
        self.region = Some(region);
        self
    }

    /// The active regional overlay, if any: its code, name, law and days.
    pub fn region(&self) -> Option<&RegionCalendar> {
        self.region.as_ref()
    }

    /// Whether dates in provisional years may be counted (callers should warn when they are).
    pub fn allow_provisional(mut self, allow: bool) -> Self {
        self.allow_provisional = allow;
        self
    }

    /// Adds or replaces years from a JSON document: one year object, or an array of them.
    /// Every year is validated first; on error nothing changes.
    pub fn load_json(&mut self, text: &str) -> Result<Vec<i32>, CalendarError> {
        let years = YearCalendar::many_from_json(text)?;
        let loaded = years.iter().map(YearCalendar::year).collect();
        for y in years {
            self.years.insert(y.year(), y);
        }
        Ok(loaded)
    }

    /// Adds or replaces one year.
    pub fn insert(&mut self, year: YearCalendar) {
        self.years.insert(year.year(), year);
    }

    /// The years held, in order.
    pub fn years(&self) -> impl Iterator<Item = &YearCalendar> {
        self.years.values()
    }

    /// One year's data.
    pub fn year(&self, year: i32) -> Option<&YearCalendar> {
        self.years.get(&year)
    }

    fn year_for(&self, date: Date) -> Result<&YearCalendar, CalendarError> {
        let y = self
            .years
            .get(&date.year())
            .ok_or(CalendarError::UnknownYear(date.year()))?;
        if y.provisional() && !self.allow_provisional {
            return Err(CalendarError::ProvisionalYear(y.year()));
        }
        Ok(y)
    }

    /// Whether the active region makes `date` non-working. A year its data do not cover, or cover
    /// provisionally, is refused like a provisional federal year: its days are not all known.
    fn regional_day_off(&self, date: Date) -> Result<bool, CalendarError> {
        let Some(region) = &self.region else {
            return Ok(false);
        };
        let year = date.year();
        match region.year(year) {
            None if !self.allow_provisional => Err(CalendarError::RegionYearMissing {
                region: region.code().to_owned(),
                year,
            }),
            Some(y) if y.provisional() && !self.allow_provisional => {
                Err(CalendarError::ProvisionalRegionYear {
                    region: region.code().to_owned(),
                    year,
                })
            }
            found => Ok(found.is_some_and(|y| y.is_day_off(date))),
        }
    }

    /// Whether `date` is a working day (in the active region, if any).
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        let federal = self.year_for(date)?.is_working_day(date);
        // Asked even when the federal answer suffices: a year is usable or not as a whole.
        let regional = self.regional_day_off(date)?;
        Ok(federal && !regional)
    }

    /// `date` itself when it is a working day, else the next working day (ГК ст.193).
    fn on_or_after_working(&self, mut date: Date) -> Result<Date, CalendarError> {
        while !self.is_working_day(date)? {
            date = next_day(date)?;
        }
        Ok(date)
    }

    /// The `n`-th working day after `event` (ГК ст.191: the period starts the next day).
    pub fn add_working_days(&self, event: Date, n: u32) -> Result<Date, CalendarError> {
        if n == 0 {
            return Err(CalendarError::EmptyPeriod);
        }
        let mut date = event;
        let mut left = n;
        while left > 0 {
            date = next_day(date)?;
            if self.is_working_day(date)? {
                left -= 1;
            }
        }
        Ok(date)
    }

    /// The last day of a period of `n` calendar days after `event`, moved to the next working day
    /// when it falls on a non-working day (ГК ст.193).
    pub fn calendar_deadline(&self, event: Date, n: u32) -> Result<Date, CalendarError> {
        if n == 0 {
            return Err(CalendarError::EmptyPeriod);
        }
        let last = event
            .checked_add(Duration::days(i64::from(n)))
            .ok_or(CalendarError::UnknownYear(event.year()))?;
        self.on_or_after_working(last)
    }

    /// The last day of a period of `n` months after `event` (ГК ст.192 п.3: the same-numbered day
    /// of the last month, or its last day when it has none), moved to the next working day when it
    /// falls on a non-working day (ГК ст.193).
    pub fn months_deadline(&self, event: Date, n: u32) -> Result<Date, CalendarError> {
        if n == 0 {
            return Err(CalendarError::EmptyPeriod);
        }
        let last = period_end_months(event, n).ok_or(CalendarError::UnknownYear(event.year()))?;
        self.on_or_after_working(last)
    }

    /// The last day of a period of `n` years after `event` (ГК ст.192 п.1: the same month and day
    /// of the last year; 29 February ends on 28 February), moved to the next working day when it
    /// falls on a non-working day (ГК ст.193).
    pub fn years_deadline(&self, event: Date, n: u32) -> Result<Date, CalendarError> {
        if n == 0 {
            return Err(CalendarError::EmptyPeriod);
        }
        let last = period_end_years(event, n).ok_or(CalendarError::UnknownYear(event.year()))?;
        self.on_or_after_working(last)
    }

    /// Working days after `from` up to and including `to`: how many working days of a period that
    /// started after `from` have run by the end of `to`. Zero when `to == from`.
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32, CalendarError> {
        if to < from {
            return Err(CalendarError::Reversed { from, to });
        }
        let mut count = 0;
        let mut date = from;
        while date < to {
            date = next_day(date)?;
            if self.is_working_day(date)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// The provisional years a period from `from` to `to` touches, for warnings: federal years
    /// without their decree, and years the active region's data do not cover or cover
    /// provisionally.
    pub fn provisional_years_between(&self, from: Date, to: Date) -> Vec<i32> {
        let (lo, hi) = if from <= to { (from, to) } else { (to, from) };
        (lo.year()..=hi.year())
            .filter(|y| {
                let Some(federal) = self.years.get(y) else {
                    return false;
                };
                federal.provisional() || self.region_provisional(*y)
            })
            .collect()
    }

    /// Whether the active region's days of `year` are not all known (no data, or provisional).
    pub fn region_provisional(&self, year: i32) -> bool {
        self.region
            .as_ref()
            .is_some_and(|r| r.year(year).is_none_or(RegionYear::provisional))
    }
}

fn next_day(date: Date) -> Result<Date, CalendarError> {
    date.next_day()
        .ok_or(CalendarError::UnknownYear(date.year() + 1))
}

#[cfg(test)]
mod tests;
