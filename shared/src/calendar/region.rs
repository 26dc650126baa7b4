//! Regional non-working days: an overlay on the federal calendar for an agency in a region whose
//! laws add holidays (religious ones among them, which a region may declare non-working under
//! ст.4 п.7 of Федеральный закон № 125-ФЗ «О свободе совести и о религиозных объединениях»).
//!
//! A region's document names the region, the law that sets its holidays, and per year the days
//! that are non-working there besides the federal ones, each with its name and its source. Only
//! the data decide: the transfer rule of ТК ст.112 ч.2 is for federal holidays, and a regional law
//! sets its own (Bashkortostan moves Курбан-байрам of Sunday 16 May 2027 to Monday 17 May; other
//! years and regions keep a weekend holiday where it falls). A regional day never makes a day
//! worked: the overlay only adds non-working days.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use time::{Date, Weekday};

use super::iso_date;

/// Why a region's calendar data was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    #[error("not a regional calendar document: {0}")]
    Json(String),
    #[error("a region's code is lowercase latin letters, digits and hyphens, not {0:?}")]
    BadCode(String),
    #[error("{code}: the region's name and the law that sets its holidays must be given")]
    NoName { code: String },
    #[error("{code} {year}: the year's source must be named")]
    NoSource { code: String, year: i32 },
    #[error("{code}: the year {year} is given twice")]
    DuplicateYear { code: String, year: i32 },
    #[error("{code} {year}: date {date} is not in that year")]
    WrongYear {
        code: String,
        year: i32,
        date: String,
    },
    #[error("{code} {year}: {date} is listed twice")]
    DuplicateDate {
        code: String,
        year: i32,
        date: String,
    },
    #[error("{code} {year}: the day {date} needs a name and a source")]
    Unnamed {
        code: String,
        year: i32,
        date: String,
    },
    #[error(
        "{code} {year}: the day off {date} is a weekend day; only a holiday may fall on a weekend"
    )]
    DayOffOnWeekend {
        code: String,
        year: i32,
        date: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionDoc {
    code: String,
    name: String,
    law: String,
    years: Vec<YearDoc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearDoc {
    year: i32,
    source: String,
    #[serde(default)]
    provisional: bool,
    holidays: Vec<RegionDay>,
    days_off: Vec<RegionDay>,
}

/// One regional non-working day: its date, what it is, and the act that makes it non-working.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionDay {
    #[serde(with = "iso_date")]
    date: Date,
    name: String,
    source: String,
}

impl RegionDay {
    /// The date.
    pub fn date(&self) -> Date {
        self.date
    }

    /// What the day is ("Курбан-байрам", "День Республики Татарстан").
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The act that makes it non-working.
    pub fn source(&self) -> &str {
        &self.source
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "date": iso_date::format(self.date),
            "name": self.name,
            "source": self.source,
        })
    }
}

/// One year of a region's non-working days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionYear {
    year: i32,
    source: String,
    provisional: bool,
    holidays: Vec<RegionDay>,
    days_off: Vec<RegionDay>,
}

impl RegionYear {
    /// The calendar year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// What sets the year's days (the law, and the decree naming the movable days).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the year's days are not all known yet (a movable holiday not yet decreed).
    pub fn provisional(&self) -> bool {
        self.provisional
    }

    /// The region's non-working holidays of the year, by date; one may fall on a weekend.
    pub fn holidays(&self) -> &[RegionDay] {
        &self.holidays
    }

    /// Weekdays off by a regional transfer (a holiday that fell on a weekend), by date.
    pub fn days_off(&self) -> &[RegionDay] {
        &self.days_off
    }

    /// Every non-working day the region adds in the year, holidays and transfers, by date.
    pub fn days(&self) -> Vec<&RegionDay> {
        let mut days: Vec<&RegionDay> = self.holidays.iter().chain(&self.days_off).collect();
        days.sort_by_key(|d| d.date);
        days
    }

    /// Whether the region makes `date` non-working.
    pub fn is_day_off(&self, date: Date) -> bool {
        self.holidays
            .iter()
            .chain(&self.days_off)
            .any(|d| d.date == date)
    }
}

/// A region's calendar: the regional non-working days an agency in that region observes on top of
/// the federal calendar, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionCalendar {
    code: String,
    name: String,
    law: String,
    years: BTreeMap<i32, RegionYear>,
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

impl RegionCalendar {
    /// Parses and validates a region's document (the form of `calendar/regions/*.json`).
    pub fn from_json(text: &str) -> Result<Self, RegionError> {
        let doc: RegionDoc =
            serde_json::from_str(text).map_err(|e| RegionError::Json(e.to_string()))?;
        Self::from_doc(doc)
    }

    /// The region in the JSON form [`RegionCalendar::from_json`] reads (what devices get in pull).
    pub fn to_json(&self) -> serde_json::Value {
        let days = |days: &[RegionDay]| -> Vec<serde_json::Value> {
            days.iter().map(RegionDay::to_json).collect()
        };
        let years: Vec<serde_json::Value> = self
            .years
            .values()
            .map(|y| {
                serde_json::json!({
                    "year": y.year,
                    "source": y.source,
                    "provisional": y.provisional,
                    "holidays": days(&y.holidays),
                    "days_off": days(&y.days_off),
                })
            })
            .collect();
        serde_json::json!({
            "code": self.code,
            "name": self.name,
            "law": self.law,
            "years": years,
        })
    }

    fn from_doc(doc: RegionDoc) -> Result<Self, RegionError> {
        let code = doc.code;
        let code_ok = !code.is_empty()
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !code_ok {
            return Err(RegionError::BadCode(code));
        }
        if doc.name.trim().is_empty() || doc.law.trim().is_empty() {
            return Err(RegionError::NoName { code });
        }
        let mut years = BTreeMap::new();
        for y in doc.years {
            let year = validate_year(&code, y)?;
            if years.contains_key(&year.year) {
                return Err(RegionError::DuplicateYear {
                    code,
                    year: year.year,
                });
            }
            years.insert(year.year, year);
        }
        Ok(Self {
            code,
            name: doc.name,
            law: doc.law,
            years,
        })
    }

    /// The region's code, as `--region` and `Calendar::with_region` take it ("tatarstan").
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The region's name in Russian ("Республика Татарстан").
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The regional law that sets its holidays.
    pub fn law(&self) -> &str {
        &self.law
    }

    /// The years held, in order.
    pub fn years(&self) -> impl Iterator<Item = &RegionYear> {
        self.years.values()
    }

    /// One year's days, if the data cover that year.
    pub fn year(&self, year: i32) -> Option<&RegionYear> {
        self.years.get(&year)
    }
}

fn validate_year(code: &str, y: YearDoc) -> Result<RegionYear, RegionError> {
    let year = y.year;
    let at = |date: Date| (code.to_owned(), year, iso_date::format(date));
    if y.source.trim().is_empty() {
        return Err(RegionError::NoSource {
            code: code.to_owned(),
            year,
        });
    }
    let mut seen = BTreeSet::new();
    for (day, is_holiday) in y
        .holidays
        .iter()
        .map(|d| (d, true))
        .chain(y.days_off.iter().map(|d| (d, false)))
    {
        let (code, year, date) = at(day.date);
        if day.date.year() != year {
            return Err(RegionError::WrongYear { code, year, date });
        }
        if !seen.insert(day.date) {
            return Err(RegionError::DuplicateDate { code, year, date });
        }
        if day.name.trim().is_empty() || day.source.trim().is_empty() {
            return Err(RegionError::Unnamed { code, year, date });
        }
        // A holiday keeps its date whatever the weekday; a transferred day off on a weekend would
        // change nothing and is a mistake in the data.
        if !is_holiday && is_weekend(day.date) {
            return Err(RegionError::DayOffOnWeekend { code, year, date });
        }
    }
    let (mut holidays, mut days_off) = (y.holidays, y.days_off);
    holidays.sort_by_key(|d| d.date);
    days_off.sort_by_key(|d| d.date);
    Ok(RegionYear {
        year,
        source: y.source,
        provisional: y.provisional,
        holidays,
        days_off,
    })
}
