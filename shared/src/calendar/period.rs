//! Periods in months and years (ГК РФ ст.192), without the move to a working day of ст.193:
//! the end of a validity period ("one calendar year from registration", ст.51) or of a
//! periodicity ("one mandatory preventive visit per N years", ПП 1511) is its calendar date.

use time::{Date, Month};

/// The last day of a period of `n` months after `event`: ГК ст.192 п.3, the same-numbered day of
/// the last month, or the last day of that month when it has no such day (31 January + 1 month is
/// 28 or 29 February). `None` when `n` is zero (a period is at least one month) or the end is out
/// of the dates `time` represents.
pub fn period_end_months(event: Date, n: u32) -> Option<Date> {
    if n == 0 {
        return None;
    }
    let index = i64::from(event.year()) * 12 + i64::from(u8::from(event.month())) - 1;
    let end = index.checked_add(i64::from(n))?;
    let year = i32::try_from(end.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(end.rem_euclid(12) + 1).ok()?).ok()?;
    let day = event.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

/// The last day of a period of `n` years after `event`: ГК ст.192 п.1, the same month and day of
/// the last year; 29 February, when the last year has none, ends on 28 February (as п.3 does for
/// months). `None` when `n` is zero or the end is out of range.
pub fn period_end_years(event: Date, n: u32) -> Option<Date> {
    period_end_months(event, n.checked_mul(12)?)
}
