use std::collections::BTreeSet;

use serde::Deserialize;
use time::{Date, Month, Weekday};

use super::iso_date;

/// Why a year's calendar data was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YearError {
    #[error("not a calendar document: {0}")]
    Json(String),
    #[error("{year}: the source (the government decree) must be named")]
    NoSource { year: i32 },
    #[error("{year}: date {date} is not in that year")]
    WrongYear { year: i32, date: String },
    #[error("{year}: {date} is listed as a day off but is already a weekend day")]
    DayOffOnWeekend { year: i32, date: String },
    #[error("{year}: {date} is listed as a working weekend day but is a weekday")]
    WorkingWeekday { year: i32, date: String },
    #[error("{year}: the non-working holiday {date} of ТК РФ ст.112 is missing from holidays")]
    MissingHoliday { year: i32, date: String },
    #[error("{year}: holiday {date} would be a working day")]
    WorkingHoliday { year: i32, date: String },
    #[error("{year}: the data give {computed} working days, the document declares {declared}")]
    Total {
        year: i32,
        computed: u32,
        declared: u32,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearDoc {
    year: i32,
    source: String,
    #[serde(default)]
    transfers: String,
    #[serde(default)]
    provisional: bool,
    holidays: Vec<DateStr>,
    days_off: Vec<DateStr>,
    working_weekends: Vec<DateStr>,
    working_days: u32,
}

#[derive(Deserialize)]
struct DateStr(#[serde(with = "iso_date")] Date);

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(YearDoc),
    Many(Vec<YearDoc>),
}

/// One year of the production calendar, validated.
///
/// The document lists the non-working holidays of ТК ст.112, every Monday-to-Friday day that is
/// not worked (`days_off`: holidays falling on weekdays and transferred days off), every weekend
/// day that is worked (`working_weekends`), and the year's total of working days as published, which
/// the data must reproduce: a typo in a date fails loudly instead of shifting a deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearCalendar {
    year: i32,
    source: String,
    transfers: String,
    provisional: bool,
    holidays: BTreeSet<Date>,
    days_off: BTreeSet<Date>,
    working_weekends: BTreeSet<Date>,
    working_days: u32,
}

/// The non-working holidays of ТК РФ ст.112 ч.1, as (month, day).
const FEDERAL_HOLIDAYS: [(u8, u8); 14] = [
    (1, 1),
    (1, 2),
    (1, 3),
    (1, 4),
    (1, 5),
    (1, 6),
    (1, 7),
    (1, 8),
    (2, 23),
    (3, 8),
    (5, 1),
    (5, 9),
    (6, 12),
    (11, 4),
];

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

impl YearCalendar {
    /// The year in the JSON form [`YearCalendar::from_json`] reads (what devices get in pull).
    pub fn to_json(&self) -> serde_json::Value {
        let dates = |set: &BTreeSet<Date>| -> Vec<String> {
            set.iter().map(|d| iso_date::format(*d)).collect()
        };
        serde_json::json!({
            "year": self.year,
            "source": self.source,
            "transfers": self.transfers,
            "provisional": self.provisional,
            "holidays": dates(&self.holidays),
            "days_off": dates(&self.days_off),
            "working_weekends": dates(&self.working_weekends),
            "working_days": self.working_days,
        })
    }

    /// Parses and validates one year.
    pub fn from_json(text: &str) -> Result<Self, YearError> {
        let doc: YearDoc =
            serde_json::from_str(text).map_err(|e| YearError::Json(e.to_string()))?;
        Self::from_doc(doc)
    }

    /// Parses one year or an array of years; all must be valid.
    pub(super) fn many_from_json(text: &str) -> Result<Vec<Self>, YearError> {
        let docs = match serde_json::from_str(text).map_err(|e| YearError::Json(e.to_string()))? {
            OneOrMany::One(doc) => vec![doc],
            OneOrMany::Many(docs) => docs,
        };
        docs.into_iter().map(Self::from_doc).collect()
    }

    fn from_doc(doc: YearDoc) -> Result<Self, YearError> {
        let year = doc.year;
        if doc.source.trim().is_empty() {
            return Err(YearError::NoSource { year });
        }
        let set = |dates: Vec<DateStr>| -> Result<BTreeSet<Date>, YearError> {
            dates
                .into_iter()
                .map(|DateStr(d)| {
                    if d.year() == year {
                        Ok(d)
                    } else {
                        Err(YearError::WrongYear {
                            year,
                            date: iso_date::format(d),
                        })
                    }
                })
                .collect()
        };
        let cal = Self {
            year,
            source: doc.source,
            transfers: doc.transfers,
            provisional: doc.provisional,
            holidays: set(doc.holidays)?,
            days_off: set(doc.days_off)?,
            working_weekends: set(doc.working_weekends)?,
            working_days: doc.working_days,
        };
        cal.validate()?;
        Ok(cal)
    }

    fn validate(&self) -> Result<(), YearError> {
        let year = self.year;
        // Federal holidays are fixed by law; a file may add regional ones, never drop these.
        for (month, day) in FEDERAL_HOLIDAYS {
            let date = Month::try_from(month)
                .ok()
                .and_then(|m| Date::from_calendar_date(year, m, day).ok());
            if let Some(date) = date.filter(|d| !self.holidays.contains(d)) {
                return Err(YearError::MissingHoliday {
                    year,
                    date: iso_date::format(date),
                });
            }
        }
        if let Some(d) = self.days_off.iter().find(|d| is_weekend(**d)) {
            return Err(YearError::DayOffOnWeekend {
                year,
                date: iso_date::format(*d),
            });
        }
        if let Some(d) = self.working_weekends.iter().find(|d| !is_weekend(**d)) {
            return Err(YearError::WorkingWeekday {
                year,
                date: iso_date::format(*d),
            });
        }
        if let Some(d) = self.holidays.iter().find(|d| self.is_working_day(**d)) {
            return Err(YearError::WorkingHoliday {
                year,
                date: iso_date::format(*d),
            });
        }
        let computed = self.count_working_days();
        if computed != self.working_days {
            return Err(YearError::Total {
                year,
                computed,
                declared: self.working_days,
            });
        }
        Ok(())
    }

    fn count_working_days(&self) -> u32 {
        let mut n = 0;
        let mut d = Date::from_ordinal_date(self.year, 1).ok();
        while let Some(day) = d.filter(|d| d.year() == self.year) {
            if self.is_working_day(day) {
                n += 1;
            }
            d = day.next_day();
        }
        n
    }

    /// Whether `date` (which must be in this year) is a working day.
    pub(super) fn is_working_day(&self, date: Date) -> bool {
        if is_weekend(date) {
            self.working_weekends.contains(&date)
        } else {
            !self.days_off.contains(&date)
        }
    }

    /// The calendar year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The legal source of the year's transfers (the government decree).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The transfers, as the decree words them.
    pub fn transfers(&self) -> &str {
        &self.transfers
    }

    /// Whether the year lacks its decree and may still change.
    pub fn provisional(&self) -> bool {
        self.provisional
    }

    /// The year's total of working days in a five-day week.
    pub fn working_days(&self) -> u32 {
        self.working_days
    }

    /// Non-working holidays (ТК ст.112).
    pub fn holidays(&self) -> impl Iterator<Item = Date> + '_ {
        self.holidays.iter().copied()
    }
}
