//! Why an entry got its date and inspectors, or why it was left out: structured for the wire and
//! the tests, with a sentence for the planner in Russian (`text_ru`, what the console shows) and
//! in English (`text_en`).

use serde::{Deserialize, Serialize};
use time::Date;

use super::text::{self, Lang};
use crate::calendar::iso_date;
use crate::domain::RiskCategory;

/// Why a placement is where it is: its place in the queue, then the date, then the inspectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Why {
    /// The entry's position in the priority order, from 1: higher category first, then longer
    /// overdue, then the narrower window.
    pub position: usize,
    pub category: RiskCategory,
    pub overdue_days: u32,
    pub date: DateChoice,
    pub inspectors: InspectorChoice,
}

/// Why the start date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DateChoice {
    /// The month (1-12) was the least loaded of the window's months with room for the entry, at
    /// `month_load_per_mille` (tenths of a percent, before this entry), and the day the least
    /// loaded of that month's days. `skipped_months` lists the less loaded months that had no room.
    LeastLoadedMonth {
        month: u8,
        month_load_per_mille: u32,
        day_load_per_mille: u32,
        skipped_months: Vec<u8>,
    },
    /// Next to the entry `after` (an index into the demands, caller's key `after_id`) of the same
    /// district, which ends on `day`: the district's entries are visited together.
    NextToDistrict {
        district: String,
        after: usize,
        after_id: String,
        #[serde(with = "iso_date")]
        day: Date,
    },
    /// The window allows this one start only.
    OnlyStart {
        #[serde(with = "iso_date")]
        window_start: Date,
        #[serde(with = "iso_date")]
        window_end: Date,
    },
}

/// One inspector chosen as the least loaded, with what they had free.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectorPick {
    /// The inspector's id.
    pub id: String,
    /// Their free minutes in the month before this entry.
    pub free_minutes: u64,
    /// Their load in the month before this entry, in tenths of a percent.
    pub load_per_mille: u32,
}

/// Why the inspectors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InspectorChoice {
    /// The least loaded in the start's month (1-12) of those free on every day of the span.
    LeastLoaded {
        month: u8,
        picks: Vec<InspectorPick>,
    },
    /// The inspectors of the district's previous entry carry on (`continuing`, by id); `added`
    /// are the least loaded others, when the entry needs more.
    ContinuesDistrict {
        district: String,
        continuing: Vec<String>,
        month: u8,
        added: Vec<InspectorPick>,
    },
}

/// Why an entry is not in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LeftOutReason {
    /// No inspector (or not enough of them together) has the free minutes on any run of
    /// `working_days` working days of the window: entries earlier in the queue (of its category
    /// or higher) took them.
    NoCapacity {
        #[serde(with = "iso_date")]
        window_start: Date,
        #[serde(with = "iso_date")]
        window_end: Date,
        daily_minutes: u64,
        working_days: u32,
        inspectors: u32,
    },
    /// The window (within the plan's year) has fewer working days than the entry spans.
    WindowTooShort {
        #[serde(with = "iso_date")]
        window_start: Date,
        #[serde(with = "iso_date")]
        window_end: Date,
        working_days_in_window: u32,
        needed: u32,
    },
    /// The entry's day (its minutes plus the district's travel) is longer than any inspector's.
    DayTooLong {
        daily_minutes: u64,
        longest_day: u32,
    },
    /// The entry needs more inspectors together than there are with a day long enough for it.
    TooFewInspectors { needed: u32, available: u32 },
    /// Even in an empty plan no `inspectors` inspectors are present together on a run of
    /// `working_days` working days of the window: leave, training and sickness cover it.
    InspectorsAway {
        #[serde(with = "iso_date")]
        window_start: Date,
        #[serde(with = "iso_date")]
        window_end: Date,
        working_days: u32,
        inspectors: u32,
    },
    /// The entry asks for no working days or no inspectors: nothing to schedule.
    Invalid { working_days: u32, inspectors: u32 },
}

impl LeftOutReason {
    /// The reason's name as its JSON `kind` gives it (a plan's summary counts them).
    pub fn kind(&self) -> &'static str {
        match self {
            LeftOutReason::NoCapacity { .. } => "no_capacity",
            LeftOutReason::WindowTooShort { .. } => "window_too_short",
            LeftOutReason::DayTooLong { .. } => "day_too_long",
            LeftOutReason::TooFewInspectors { .. } => "too_few_inspectors",
            LeftOutReason::InspectorsAway { .. } => "inspectors_away",
            LeftOutReason::Invalid { .. } => "invalid",
        }
    }

    /// The planner's sentence, in Russian.
    pub fn text_ru(&self) -> String {
        text::left_out(self, Lang::Ru)
    }

    /// The planner's sentence, in English.
    pub fn text_en(&self) -> String {
        text::left_out(self, Lang::En)
    }
}

impl Why {
    /// The planner's sentences, in Russian: the queue, the date, the inspectors.
    pub fn text_ru(&self) -> String {
        text::why(self, Lang::Ru)
    }

    /// The planner's sentences, in English.
    pub fn text_en(&self) -> String {
        text::why(self, Lang::En)
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::LeftOutReason;

    /// `kind()` is the JSON tag, for every reason.
    #[test]
    fn a_reasons_kind_is_its_json_tag() {
        let (a, b) = (date!(2027 - 01 - 11), date!(2027 - 01 - 22));
        for r in [
            LeftOutReason::NoCapacity {
                window_start: a,
                window_end: b,
                daily_minutes: 480,
                working_days: 2,
                inspectors: 1,
            },
            LeftOutReason::WindowTooShort {
                window_start: a,
                window_end: b,
                working_days_in_window: 1,
                needed: 2,
            },
            LeftOutReason::DayTooLong {
                daily_minutes: 900,
                longest_day: 480,
            },
            LeftOutReason::TooFewInspectors {
                needed: 3,
                available: 2,
            },
            LeftOutReason::InspectorsAway {
                window_start: a,
                window_end: b,
                working_days: 2,
                inspectors: 1,
            },
            LeftOutReason::Invalid {
                working_days: 0,
                inspectors: 0,
            },
        ] {
            let json = serde_json::to_value(&r).unwrap();
            assert_eq!(json["kind"], r.kind(), "{json}");
        }
    }
}
