//! The plan year's working days, numbered: the scheduler asks the calendar once per day of the
//! year and then counts in numbers, so that "n consecutive working days" is n consecutive numbers
//! and a span never touches a weekend, a holiday or a transferred day off.

use std::ops::{Range, RangeInclusive};

use time::{Date, Month};

use crate::calendar::{Calendar, CalendarError};

/// The working days of one year, numbered `0..len()` in date order.
#[derive(Debug)]
pub(super) struct YearDays {
    first: Date,
    last: Date,
    dates: Vec<Date>,
    months: Vec<usize>,
    month_ranges: [Range<usize>; 12],
    /// Day of the year (0-based) → the number of the first working day on or after it
    /// (`len()` when none is left).
    on_or_after: Vec<usize>,
}

impl YearDays {
    /// Asks the calendar about every day of `year`; a year it does not hold (or holds only
    /// provisionally) is its error, never a guess.
    pub(super) fn new(year: i32, calendar: &Calendar) -> Result<Self, CalendarError> {
        let first = Date::from_calendar_date(year, Month::January, 1).map_err(|_| unknown(year))?;
        let last =
            Date::from_calendar_date(year, Month::December, 31).map_err(|_| unknown(year))?;
        let mut dates = Vec::with_capacity(260);
        let mut months = Vec::with_capacity(260);
        let mut month_ranges: [Range<usize>; 12] = Default::default();
        let mut on_or_after = Vec::with_capacity(366);
        let mut day = Some(first);
        while let Some(d) = day.filter(|d| *d <= last) {
            on_or_after.push(dates.len());
            if calendar.is_working_day(d)? {
                let m = usize::from(u8::from(d.month())) - 1;
                if month_ranges[m].is_empty() {
                    month_ranges[m] = dates.len()..dates.len();
                }
                month_ranges[m].end = dates.len() + 1;
                dates.push(d);
                months.push(m);
            }
            day = d.next_day();
        }
        Ok(Self {
            first,
            last,
            dates,
            months,
            month_ranges,
            on_or_after,
        })
    }

    /// How many working days the year has.
    pub(super) fn len(&self) -> usize {
        self.dates.len()
    }

    /// The date of working day `n` (`n < len()`).
    pub(super) fn date(&self, n: usize) -> Date {
        self.dates[n]
    }

    /// The month (0 = January) of working day `n`.
    pub(super) fn month(&self, n: usize) -> usize {
        self.months[n]
    }

    /// The working days of month `m` (0 = January).
    pub(super) fn month_range(&self, m: usize) -> Range<usize> {
        self.month_ranges[m].clone()
    }

    /// 1 January and 31 December.
    pub(super) fn bounds(&self) -> (Date, Date) {
        (self.first, self.last)
    }

    /// The working days inside `[from, to]` (the part of it within the year), possibly empty.
    pub(super) fn within(&self, from: Date, to: Date) -> Range<usize> {
        let lo = self.first_on_or_after(from);
        let hi = if to < self.first {
            0
        } else if to >= self.last {
            self.len()
        } else {
            // The first working day after `to` bounds the range from above.
            self.first_on_or_after(to.next_day().unwrap_or(to))
        };
        lo..hi.max(lo)
    }

    /// The first days a span of `span` working days may start on and still end within `days`.
    pub(super) fn starts(days: &Range<usize>, span: usize) -> Option<RangeInclusive<usize>> {
        let last = days.end.checked_sub(span)?;
        (span > 0 && last >= days.start).then_some(days.start..=last)
    }

    fn first_on_or_after(&self, date: Date) -> usize {
        if date <= self.first {
            return 0;
        }
        if date > self.last {
            return self.len();
        }
        let ordinal = usize::from(date.ordinal()) - 1;
        self.on_or_after.get(ordinal).copied().unwrap_or(self.len())
    }
}

fn unknown(year: i32) -> CalendarError {
    CalendarError::UnknownYear(year)
}
