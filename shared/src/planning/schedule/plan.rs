//! The pass over the queue: each entry's need, the priority order, placing or leaving out, and
//! the totals.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

use super::days::YearDays;
use super::search::{Found, Need, Search};
use super::why::{LeftOutReason, Why};
use super::{Demand, Inspector, InspectorMonth, LeftOut, Placement, Schedule, Settings};

/// The inspectors' ordinary days, sorted: how many could take a day of a given length.
#[derive(Debug)]
struct Days(Vec<u32>);

impl Days {
    fn new(inspectors: &[Inspector]) -> Self {
        let mut days: Vec<u32> = inspectors.iter().map(|i| i.minutes_per_day).collect();
        days.sort_unstable();
        Self(days)
    }

    fn longest(&self) -> u32 {
        self.0.last().copied().unwrap_or(0)
    }

    fn at_least(&self, load: u64) -> usize {
        self.0.len() - self.0.partition_point(|d| u64::from(*d) < load)
    }
}

/// Minutes a demand needs in all: its day (travel included) × inspectors × working days.
fn demand_minutes(demand: &Demand, settings: &Settings) -> u64 {
    daily(demand, settings)
        .saturating_mul(u64::from(demand.inspectors))
        .saturating_mul(u64::from(demand.working_days))
}

/// One inspector's minutes on one day of the entry: its own and the district's travel.
fn daily(demand: &Demand, settings: &Settings) -> u64 {
    u64::from(demand.minutes_per_day) + u64::from(settings.travel(&demand.district))
}

/// What the entry needs, or why no plan could hold it whatever the other entries.
fn need(
    demand: &Demand,
    district: usize,
    settings: &Settings,
    year: &YearDays,
    days: &Days,
) -> Result<Need, LeftOutReason> {
    if demand.working_days == 0 || demand.inspectors == 0 {
        return Err(LeftOutReason::Invalid {
            working_days: demand.working_days,
            inspectors: demand.inspectors,
        });
    }
    let (jan1, dec31) = year.bounds();
    let window = (
        demand.earliest_start.max(jan1),
        demand.latest_end.min(dec31),
    );
    // A window that misses the year is reported as given, not as a reversed pair of dates.
    let shown = if window.0 <= window.1 {
        window
    } else {
        (demand.earliest_start, demand.latest_end)
    };
    let in_window = year.within(window.0, window.1);
    let span = usize::try_from(demand.working_days).unwrap_or(usize::MAX);
    let Some(starts) = YearDays::starts(&in_window, span) else {
        return Err(LeftOutReason::WindowTooShort {
            window_start: shown.0,
            window_end: shown.1,
            working_days_in_window: u32::try_from(in_window.len()).unwrap_or(u32::MAX),
            needed: demand.working_days,
        });
    };
    let load = daily(demand, settings);
    if load > u64::from(days.longest()) {
        return Err(LeftOutReason::DayTooLong {
            daily_minutes: load,
            longest_day: days.longest(),
        });
    }
    let available = days.at_least(load);
    let count = usize::try_from(demand.inspectors).unwrap_or(usize::MAX);
    if count > available {
        return Err(LeftOutReason::TooFewInspectors {
            needed: demand.inspectors,
            available: u32::try_from(available).unwrap_or(u32::MAX),
        });
    }
    Ok(Need {
        load,
        span,
        count,
        starts,
        window,
        district,
    })
}

/// Each demand's district as a number, the numbers in name order; and how many there are.
fn districts(demands: &[Demand]) -> (Vec<usize>, usize) {
    let names: BTreeSet<&str> = demands.iter().map(|d| d.district.as_str()).collect();
    let number: BTreeMap<&str, usize> = names.into_iter().zip(0..).collect();
    let each = demands
        .iter()
        .map(|d| number.get(d.district.as_str()).copied().unwrap_or(0))
        .collect();
    (each, number.len())
}

/// The priority order: category, then overdue, then the narrower window, then district.
fn queue(
    demands: &[Demand],
    needs: &[Result<Need, LeftOutReason>],
    districts: &[usize],
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..demands.len()).collect();
    // The number of possible start days; the invalid needs (width 0) are left out anyway.
    let width = |d: usize| {
        needs[d]
            .as_ref()
            .map_or(0, |n| n.starts.end() + 1 - n.starts.start())
    };
    order.sort_by_cached_key(|&d| {
        let demand = &demands[d];
        (
            Reverse(demand.category),
            Reverse(demand.overdue_days),
            width(d),
            districts[d],
            d,
        )
    });
    order
}

pub(super) fn plan(
    year: &YearDays,
    inspectors: &[Inspector],
    demands: &[Demand],
    settings: &Settings,
) -> Schedule {
    let days = Days::new(inspectors);
    let (district, district_count) = districts(demands);
    let needs: Vec<_> = demands
        .iter()
        .zip(&district)
        .map(|(d, &n)| need(d, n, settings, year, &days))
        .collect();
    let mut search = Search::new(year, inspectors, demands, district_count);
    let mut placements = Vec::with_capacity(demands.len());
    let mut left_out = Vec::new();
    for (k, &d) in queue(demands, &needs, &district).iter().enumerate() {
        let position = k + 1;
        let demand = &demands[d];
        // What a higher entry left out could not get was taken by entries before it in the
        // queue (its category or higher): a lower entry placed later takes only what it could
        // not use, so lower ones are never left out on its account.
        let reason = match &needs[d] {
            Err(reason) => reason.clone(),
            Ok(need) => match search.place(d, need) {
                Some(found) => {
                    placements.push(placement(year, d, position, demand, need, found));
                    continue;
                }
                None => not_placed(&search, need, demand),
            },
        };
        left_out.push(LeftOut {
            demand: d,
            position,
            reason,
        });
    }
    placements.sort_by_key(|p| p.demand);
    left_out.sort_by_key(|l| l.demand);
    totals(&search, inspectors, demands, settings, placements, left_out)
}

fn placement(
    year: &YearDays,
    d: usize,
    position: usize,
    demand: &Demand,
    need: &Need,
    found: Found,
) -> Placement {
    Placement {
        demand: d,
        start: year.date(found.start),
        end: year.date(found.start + need.span - 1),
        inspectors: found.inspectors,
        why: Why {
            position,
            category: demand.category,
            overdue_days: demand.overdue_days,
            date: found.date,
            inspectors: found.choice,
        },
    }
}

/// Why an entry with a valid need found no place: the others took the time, or it would not
/// have fitted an empty plan either.
fn not_placed(search: &Search<'_>, need: &Need, demand: &Demand) -> LeftOutReason {
    if search.fits_empty(need) {
        LeftOutReason::NoCapacity {
            window_start: need.window.0,
            window_end: need.window.1,
            daily_minutes: need.load,
            working_days: demand.working_days,
            inspectors: demand.inspectors,
        }
    } else {
        LeftOutReason::InspectorsAway {
            window_start: need.window.0,
            window_end: need.window.1,
            working_days: demand.working_days,
            inspectors: demand.inspectors,
        }
    }
}

fn totals(
    search: &Search<'_>,
    inspectors: &[Inspector],
    demands: &[Demand],
    settings: &Settings,
    placements: Vec<Placement>,
    left_out: Vec<LeftOut>,
) -> Schedule {
    let grid = search.grid();
    let scheduled_minutes = placements
        .iter()
        .map(|p| demand_minutes(&demands[p.demand], settings))
        .fold(0, u64::saturating_add);
    let load = (0..inspectors.len())
        .flat_map(|i| {
            (0..12).map(move |m| {
                let (capacity_minutes, load_minutes) = grid.inspector_month(i, m);
                InspectorMonth {
                    inspector: i,
                    month: u8::try_from(m + 1).unwrap_or(12),
                    capacity_minutes,
                    load_minutes,
                }
            })
        })
        .collect();
    Schedule {
        placements,
        left_out,
        capacity_minutes: grid.capacity(),
        demand_minutes: demands
            .iter()
            .map(|d| demand_minutes(d, settings))
            .fold(0, u64::saturating_add),
        scheduled_minutes,
        load,
    }
}
