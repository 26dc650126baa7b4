//! When an object is due: a planned inspection by its category's periodicity, counted from its
//! last planned inspection or, when it has had none, from the category decision; a mandatory
//! preventive visit (ст.52.1, ПП 1511 of 01.10.2025) at most once per N years, counted from the
//! later of the last counted visit and the category decision; and the visit after a notice of
//! starting activity, due within 6 months and not counted. Periods end on their calendar date
//! (ГК ст.192: `period_end_years`).

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

use crate::calendar::{period_end_months, period_end_years};
use crate::domain::RiskCategory;
use crate::registry::{ControlTypeRules, ObjectAttributes};

/// Whether and when something is due in a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Due {
    /// The category has no such measure by the rules.
    Never,
    /// Not before `from`, which is after the year.
    Later { from: Date },
    /// Due in the year: not before `from` (at the earliest 1 January), `overdue_days` past due
    /// on 1 January.
    InYear {
        from: Date,
        overdue_days: u32,
        /// What the period was counted from; `None`: nothing to count from, due at once.
        counted_from: Option<Date>,
    },
}

/// The first and the last day of a year.
pub fn year_bounds(year: i32) -> Option<(Date, Date)> {
    Some((
        Date::from_calendar_date(year, Month::January, 1).ok()?,
        Date::from_calendar_date(year, Month::December, 31).ok()?,
    ))
}

/// A measure once per `every_years` years counted from `base`: due in `year` or not.
fn due_from(every_years: Option<u32>, base: Option<Date>, year: i32) -> Due {
    let (Some(n), Some((first, last))) = (every_years, year_bounds(year)) else {
        return Due::Never;
    };
    let Some(base) = base else {
        return Due::InYear {
            from: first,
            overdue_days: 0,
            counted_from: None,
        };
    };
    let Some(due) = period_end_years(base, n) else {
        return Due::Never;
    };
    if due > last {
        return Due::Later { from: due };
    }
    Due::InYear {
        from: due.max(first),
        overdue_days: u32::try_from((first - due).whole_days().max(0)).unwrap_or(u32::MAX),
        counted_from: Some(base),
    }
}

/// A planned inspection: from the last planned inspection, else from the category decision.
pub fn inspection_due(
    every_years: Option<u32>,
    last_planned: Option<Date>,
    decided_on: Option<Date>,
    year: i32,
) -> Due {
    due_from(every_years, last_planned.or(decided_on), year)
}

/// A mandatory preventive visit (ПП 1511): at most one per `every_years`, from the later of the
/// last counted visit and the category decision (a new decision starts the count again).
pub fn visit_due(
    every_years: Option<u32>,
    last_counted_visit: Option<Date>,
    decided_on: Option<Date>,
    year: i32,
) -> Due {
    due_from(every_years, last_counted_visit.max(decided_on), year)
}

/// The visit after a notice of starting activity: within 6 months of the notice, and not counted
/// towards the periodicity (ПП 1511 as DESIGN.md section 7 and the planning issue read it; the
/// 6 months are not yet checked against the decree's text). The days of `year` it may take place on.
pub fn startup_visit_window(notice_on: Date, year: i32) -> Option<(Date, Date)> {
    let (first, last) = year_bounds(year)?;
    let from = notice_on.checked_add(Duration::days(1))?.max(first);
    let to = period_end_months(notice_on, 6)?.min(last);
    (from <= to).then_some((from, to))
}

/// The days of `year` on which the moratorium in the rules allows a planned inspection of an
/// object of `category` with `attributes`: the whole year, none, or the days after it ends.
pub fn moratorium_window(
    rules: &ControlTypeRules,
    category: RiskCategory,
    attributes: &ObjectAttributes,
    year: i32,
) -> Option<(Date, Date)> {
    let (first, last) = year_bounds(year)?;
    let Some(m) = &rules.moratorium else {
        return Some((first, last));
    };
    if rules
        .check_planned_inspection(first, Some(category), attributes)
        .is_ok()
    {
        return Some((first, last));
    }
    let after = m.last_day.checked_add(Duration::days(1))?;
    (after <= last).then_some((after.max(first), last))
}

#[cfg(test)]
#[path = "due_tests.rs"]
mod tests;
