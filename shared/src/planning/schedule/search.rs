//! Finding a place for one entry: next to its district's run, else in the least loaded month
//! with room; and, for an entry that found none, whether an empty plan would have had one.

use std::ops::RangeInclusive;

use time::Date;

use super::days::YearDays;
use super::grid::{Grid, Ratio, per_mille};
use super::why::{DateChoice, InspectorChoice, InspectorPick};
use super::{Demand, EVENNESS_MARGIN, INSPECTOR_MARGIN, Inspector, RUN_LOOKAHEAD};

/// What one entry needs, in the scheduler's units.
#[derive(Debug, Clone)]
pub(super) struct Need {
    /// Minutes on each assigned inspector on each day of the span, travel included.
    pub(super) load: u64,
    /// Working days.
    pub(super) span: usize,
    /// Inspectors together.
    pub(super) count: usize,
    /// The working days the span may start on.
    pub(super) starts: RangeInclusive<usize>,
    /// The window within the year, for the explanations.
    pub(super) window: (Date, Date),
    /// The district's number (districts numbered in name order).
    pub(super) district: usize,
}

/// A place found: the start, the inspectors, and why.
#[derive(Debug)]
pub(super) struct Found {
    pub(super) start: usize,
    pub(super) inspectors: Vec<usize>,
    pub(super) date: DateChoice,
    pub(super) choice: InspectorChoice,
}

/// The district's latest entry in the plan.
#[derive(Debug)]
struct Run {
    demand: usize,
    inspectors: Vec<usize>,
    end: usize,
}

/// The plan being built.
#[derive(Debug)]
pub(super) struct Search<'a> {
    year: &'a YearDays,
    inspectors: &'a [Inspector],
    demands: &'a [Demand],
    grid: Grid,
    /// The grid before any booking: whether an entry would fit an empty plan.
    empty: Grid,
    /// Per district number, its latest entry.
    runs: Vec<Option<Run>>,
}

fn margin(fraction: f64) -> Ratio {
    (fraction * 1_000_000.0) as Ratio
}

impl<'a> Search<'a> {
    pub(super) fn new(
        year: &'a YearDays,
        inspectors: &'a [Inspector],
        demands: &'a [Demand],
        districts: usize,
    ) -> Self {
        let grid = Grid::new(inspectors, year);
        let mut runs = Vec::new();
        runs.resize_with(districts, || None);
        Self {
            year,
            inspectors,
            demands,
            empty: grid.clone(),
            grid,
            runs,
        }
    }

    pub(super) fn grid(&self) -> &Grid {
        &self.grid
    }

    /// Finds a place for demand `d` and books it, or says there is none.
    pub(super) fn place(&mut self, d: usize, need: &Need) -> Option<Found> {
        let found = self.find(d, need)?;
        for &i in &found.inspectors {
            self.grid
                .book(self.year, i, found.start, need.span, need.load);
        }
        if let Some(run) = self.runs.get_mut(need.district) {
            *run = Some(Run {
                demand: d,
                inspectors: found.inspectors.clone(),
                end: found.start + need.span - 1,
            });
        }
        Some(found)
    }

    fn find(&self, d: usize, need: &Need) -> Option<Found> {
        let months = self.months_by_load(need);
        let least = months.first().map_or(0, |(r, _)| *r);
        if let Some(found) = self.next_to_district(d, need, least) {
            return Some(found);
        }
        let mut skipped = Vec::new();
        for &(month_ratio, m) in &months {
            let Some((start, picks)) = self.in_month(m, need) else {
                skipped.push(month_number(m));
                continue;
            };
            let date = only_start(need).unwrap_or_else(|| DateChoice::LeastLoadedMonth {
                month: month_number(m),
                month_load_per_mille: per_mille(month_ratio),
                day_load_per_mille: per_mille(self.grid.span_ratio(start, need.span)),
                skipped_months: skipped,
            });
            let choice = InspectorChoice::LeastLoaded {
                month: month_number(m),
                picks: self.picks(&picks, m),
            };
            return Some(Found {
                start,
                inspectors: picks,
                date,
                choice,
            });
        }
        None
    }

    /// The months the entry may start in, least loaded first (ties: the earlier month).
    fn months_by_load(&self, need: &Need) -> Vec<(Ratio, usize)> {
        let first = self.year.month(*need.starts.start());
        let last = self.year.month(*need.starts.end());
        let mut months: Vec<_> = (first..=last)
            .map(|m| (self.grid.month_ratio(m), m))
            .collect();
        months.sort_unstable();
        months
    }

    /// The district's run continued: from its last day to [`RUN_LOOKAHEAD`] days after, with its
    /// inspectors, while the month and they stay within the evenness margins.
    fn next_to_district(&self, d: usize, need: &Need, least: Ratio) -> Option<Found> {
        let district = self.demands[d].district.as_str();
        let run = self.runs.get(need.district)?.as_ref()?;
        let from = run.end.max(*need.starts.start());
        let to = (run.end + RUN_LOOKAHEAD).min(*need.starts.end());
        for start in from..=to {
            let m = self.year.month(start);
            let month_ratio = self.grid.month_ratio(m);
            if month_ratio > least.saturating_add(margin(EVENNESS_MARGIN)) {
                continue;
            }
            let limit = month_ratio.saturating_add(margin(INSPECTOR_MARGIN));
            let continuing: Vec<usize> = run
                .inspectors
                .iter()
                .copied()
                .filter(|&i| self.grid.inspector_ratio(i, m) <= limit)
                .filter(|&i| self.grid.fits(i, start, need.span, need.load))
                .take(need.count)
                .collect();
            if continuing.is_empty() {
                continue;
            }
            let added = self.free_inspectors(m, start, need, &continuing);
            if continuing.len() + added.len() < need.count {
                continue;
            }
            let after = &self.demands[run.demand];
            let date = only_start(need).unwrap_or_else(|| DateChoice::NextToDistrict {
                district: district.to_owned(),
                after: run.demand,
                after_id: after.id.clone(),
                day: self.year.date(run.end),
            });
            let choice = InspectorChoice::ContinuesDistrict {
                district: district.to_owned(),
                continuing: continuing
                    .iter()
                    .map(|&i| self.inspectors[i].id.clone())
                    .collect(),
                month: month_number(m),
                added: self.picks(&added, m),
            };
            let inspectors = continuing.into_iter().chain(added).collect();
            return Some(Found {
                start,
                inspectors,
                date,
                choice,
            });
        }
        None
    }

    /// Up to `need.count - taken.len()` inspectors besides `taken`, least loaded in month `m`
    /// first, free on every day of the span from `start`.
    fn free_inspectors(&self, m: usize, start: usize, need: &Need, taken: &[usize]) -> Vec<usize> {
        self.grid
            .least_loaded(m)
            .filter(|i| !taken.contains(i))
            .filter(|&i| self.grid.may_take(i, m, need.load))
            .filter(|&i| self.grid.fits(i, start, need.span, need.load))
            .take(need.count - taken.len())
            .collect()
    }

    /// A start in month `m` and the inspectors for it: start days from the least loaded span,
    /// inspectors from the least loaded in the month.
    fn in_month(&self, m: usize, need: &Need) -> Option<(usize, Vec<usize>)> {
        if !self.grid.month_may_take(m, need.load, need.count) {
            return None;
        }
        let days = self.year.month_range(m);
        let lo = days.start.max(*need.starts.start());
        let hi = days.end.min(need.starts.end() + 1);
        let mut starts: Vec<(Ratio, usize)> = (lo..hi)
            .map(|s| (self.grid.span_ratio(s, need.span), s))
            .collect();
        starts.sort_unstable();
        starts.into_iter().find_map(|(_, start)| {
            let picks = self.free_inspectors(m, start, need, &[]);
            (picks.len() == need.count).then_some((start, picks))
        })
    }

    fn picks(&self, chosen: &[usize], m: usize) -> Vec<InspectorPick> {
        chosen
            .iter()
            .map(|&i| InspectorPick {
                id: self.inspectors[i].id.clone(),
                free_minutes: self.grid.inspector_free(i, m),
                load_per_mille: per_mille(self.grid.inspector_ratio(i, m)),
            })
            .collect()
    }

    /// Whether an empty plan has `need.count` inspectors free together on some span of the
    /// window: if not, the entry lost nothing to the entries before it.
    pub(super) fn fits_empty(&self, need: &Need) -> bool {
        need.starts.clone().any(|start| {
            let m = self.year.month(start);
            (0..self.inspectors.len())
                .filter(|&i| self.empty.may_take(i, m, need.load))
                .filter(|&i| self.empty.fits(i, start, need.span, need.load))
                .nth(need.count - 1)
                .is_some()
        })
    }
}

/// When the window allows one start only, that is the whole reason for the date.
fn only_start(need: &Need) -> Option<DateChoice> {
    (need.starts.start() == need.starts.end()).then_some(DateChoice::OnlyStart {
        window_start: need.window.0,
        window_end: need.window.1,
    })
}

/// 0-based month index to 1-12.
fn month_number(m: usize) -> u8 {
    u8::try_from(m + 1).unwrap_or(12)
}
