//! The annual plan's scheduler: a start date and inspectors for each entry of the plan of year Y
//! (planned inspections and mandatory preventive visits, ст.23-25 and 52.1 248-FZ), under the
//! inspectors' working time, with the reason for every choice and every entry left out.
//!
//! # The heuristic
//!
//! Exact scheduling is a bin-packing problem; a plan of 100,000 entries has to come back in well
//! under a second and be explainable line by line, so the scheduler is greedy, in one pass:
//!
//! 1. **Queue.** Entries are taken by priority: higher risk category first (ч.1 ст.23), then
//!    longer overdue, then the narrower window (fewer possible start days: it has fewer chances
//!    later), then district (so a district's entries come together), then input order.
//! 2. **Capacity.** Each inspector has, on each working day of Y they are not away, their
//!    ordinary day's minutes. An entry books, on each of its `working_days` consecutive working
//!    days, `minutes_per_day` plus its district's travel minutes on each of its `inspectors`
//!    inspectors, all on the same days. Nothing is ever booked past an inspector's day.
//! 3. **District runs (clustering).** If the district already has an entry in the plan, the
//!    entry first tries to start on that entry's last day (when the inspector still has room),
//!    or up to [`RUN_LOOKAHEAD`] working days after it, with the same inspectors. The run stops
//!    when its month is more than [`EVENNESS_MARGIN`] fuller than the least loaded month of the
//!    window, or an inspector of it is more than [`INSPECTOR_MARGIN`] fuller than the month's
//!    average: clustering never buys unevenness beyond those margins.
//! 4. **Least loaded month (evenness).** Otherwise the window's months are tried from the least
//!    loaded (all inspectors' booked minutes over their capacity in the month); in a month, start
//!    days from the least loaded span of days; on a day, inspectors from the least loaded in the
//!    month. Per-inspector per-month sums (free minutes, best free day) skip a full month or
//!    inspector without reading their days.
//! 5. **Left out.** An entry that fits nowhere is left out with its reason: the time went to
//!    entries earlier in the queue ([`LeftOutReason::NoCapacity`]), or it would not fit an empty
//!    plan either (window too short, day too long, too few inspectors, everyone away). Because
//!    the queue goes by category, a lower entry placed after a higher one was left out takes
//!    only time the higher one could not use (a gap too short for it, days outside its window):
//!    the lower categories never change what the higher ones get (tested: the plan of the
//!    higher categories alone places them the same), and capacity is not left idle.
//!
//! With plenty of capacity and whole-year windows, the months' load ratios end within
//! [`EVENNESS_MARGIN`] of each other, plus the share of one entry in a month (tested).
//!
//! The plan is deterministic: ratios are integers, every tie is broken by index, and no hash
//! map is iterated.

mod days;
mod grid;
mod plan;
mod search;
mod text;
mod why;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::{Calendar, CalendarError, iso_date};
use crate::domain::RiskCategory;

pub use why::{DateChoice, InspectorChoice, InspectorPick, LeftOutReason, Why};

/// How much fuller than the least loaded month of its window a district's run may continue in:
/// 5 percentage points of the month's capacity.
pub const EVENNESS_MARGIN: f64 = 0.05;

/// How much fuller than the month's average an inspector may be and still continue a district's
/// run: 10 percentage points of their capacity in the month.
pub const INSPECTOR_MARGIN: f64 = 0.10;

/// How many working days after the district's last entry a run may continue.
pub const RUN_LOOKAHEAD: usize = 2;

/// An inspector, with their working time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspector {
    pub id: String,
    /// Working minutes of an ordinary working day (480 = 8 h).
    pub minutes_per_day: u32,
    /// Days the inspector is away (leave, training, sick): no load on them.
    #[serde(with = "date_set")]
    pub absences: BTreeSet<Date>,
}

/// An entry of the plan to schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demand {
    /// The caller's key of the entry (e.g. a subject and control type).
    pub id: String,
    pub category: RiskCategory,
    /// Days past due on 1 January of Y (0 when it falls due during Y).
    pub overdue_days: u32,
    /// The entry may not start before this date (its due date, or 1 January).
    #[serde(with = "iso_date")]
    pub earliest_start: Date,
    /// Nor end after this one (31 December, or the last day the moratorium allows it).
    #[serde(with = "iso_date")]
    pub latest_end: Date,
    pub district: String,
    /// Span in working days (field check up to 10; inspection visit 1 per place; preventive
    /// visit 1).
    pub working_days: u32,
    /// Each assigned inspector's load on each working day of the span, travel excluded
    /// (a preventive visit: 120).
    pub minutes_per_day: u32,
    /// How many inspectors carry it out together (>= 1), all on the same days.
    pub inspectors: u32,
}

/// What the scheduler reads besides the entries and inspectors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Travel minutes added to each working day of an entry in a district (data per district).
    pub travel_minutes: BTreeMap<String, u32>,
    /// For a district not in the table.
    pub default_travel_minutes: u32,
}

impl Settings {
    /// The travel minutes of a day in `district`.
    pub fn travel(&self, district: &str) -> u32 {
        self.travel_minutes
            .get(district)
            .copied()
            .unwrap_or(self.default_travel_minutes)
    }
}

/// The plan: where each entry went, which were left out and why, and the load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// One per placed demand, in demand order.
    pub placements: Vec<Placement>,
    /// One per demand not placed, in demand order.
    pub left_out: Vec<LeftOut>,
    /// All inspectors' minutes on their working, non-absent days of Y.
    pub capacity_minutes: u64,
    /// What all demands need (travel included, × inspectors × working days).
    pub demand_minutes: u64,
    /// What the placements use.
    pub scheduled_minutes: u64,
    /// Per inspector per month (inspector order, then January to December): for the load chart.
    pub load: Vec<InspectorMonth>,
}

impl Schedule {
    /// The most any plan could schedule: the smaller of capacity and demand.
    pub fn bound_minutes(&self) -> u64 {
        self.capacity_minutes.min(self.demand_minutes)
    }

    /// Scheduled minutes over [`Schedule::bound_minutes`]; 1.0 when there is nothing to bound.
    pub fn quality(&self) -> f64 {
        match self.bound_minutes() {
            0 => 1.0,
            bound => self.scheduled_minutes as f64 / bound as f64,
        }
    }
}

/// A placed entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// Index into the demands.
    pub demand: usize,
    /// The first working day.
    #[serde(with = "iso_date")]
    pub start: Date,
    /// The last working day: the (working_days - 1)-th working day after `start`.
    #[serde(with = "iso_date")]
    pub end: Date,
    /// Indexes into the inspectors, distinct, as many as the demand asks.
    pub inspectors: Vec<usize>,
    pub why: Why,
}

/// An entry left out of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOut {
    /// Index into the demands.
    pub demand: usize,
    /// Its position in the priority order, from 1.
    pub position: usize,
    pub reason: LeftOutReason,
}

/// One inspector's month, for the load chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorMonth {
    /// Index into the inspectors.
    pub inspector: usize,
    /// 1-12.
    pub month: u8,
    /// Their minutes on the month's working days they are not away.
    pub capacity_minutes: u64,
    /// The minutes the plan books on them in the month.
    pub load_minutes: u64,
}

/// Schedules `demands` in `year` (see the module documentation for how). Fails only when the
/// calendar does not hold `year` (or holds it provisionally and was not allowed to).
pub fn schedule(
    year: i32,
    calendar: &Calendar,
    inspectors: &[Inspector],
    demands: &[Demand],
    settings: &Settings,
) -> Result<Schedule, CalendarError> {
    let days = days::YearDays::new(year, calendar)?;
    Ok(plan::plan(&days, inspectors, demands, settings))
}

/// A set of dates as a list of `YYYY-MM-DD`.
mod date_set {
    use std::collections::BTreeSet;

    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    use crate::calendar::iso_date;

    pub(super) fn serialize<S: Serializer>(set: &BTreeSet<Date>, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(set.iter().map(|d| iso_date::format(*d)))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeSet<Date>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| iso_date::parse(s).map_err(serde::de::Error::custom))
            .collect()
    }
}
