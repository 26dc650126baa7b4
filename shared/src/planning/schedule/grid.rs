//! The inspectors' free minutes, day by day, with the per-month sums that let the search skip a
//! full month or a full inspector without looking at their days.

use std::collections::BTreeSet;

use super::Inspector;
use super::days::YearDays;

/// A load ratio in millionths (load × 10⁶ / capacity): integers, so that ties and orderings are
/// the same on every machine.
pub(super) type Ratio = u64;

/// What a month with no capacity at all reads as: never the least loaded.
pub(super) const FULL: Ratio = u64::MAX;

/// Free minutes per inspector per working day, and the sums the search reads.
#[derive(Debug, Clone)]
pub(super) struct Grid {
    days: usize,
    /// `free[i * days + d]`: inspector `i`'s minutes left on working day `d` (0 when away).
    free: Vec<u32>,
    month_cap: Vec<[u64; 12]>,
    month_load: Vec<[u64; 12]>,
    /// The largest single day's free minutes of each inspector in each month: an inspector whose
    /// best day is shorter than a demand's day is skipped without reading the days.
    month_best_day: Vec<[u32; 12]>,
    total_cap: [u64; 12],
    total_load: [u64; 12],
    day_cap: Vec<u64>,
    day_load: Vec<u64>,
    /// Per month, the inspectors with capacity in it by (load ratio, index): least loaded first.
    order: [BTreeSet<(Ratio, usize)>; 12],
}

impl Grid {
    /// Every inspector's ordinary day on each working day of the year, except their absences.
    pub(super) fn new(inspectors: &[Inspector], year: &YearDays) -> Self {
        let days = year.len();
        let n = inspectors.len();
        let mut grid = Self {
            days,
            free: vec![0; n * days],
            month_cap: vec![[0; 12]; n],
            month_load: vec![[0; 12]; n],
            month_best_day: vec![[0; 12]; n],
            total_cap: [0; 12],
            total_load: [0; 12],
            day_cap: vec![0; days],
            day_load: vec![0; days],
            order: Default::default(),
        };
        for (i, inspector) in inspectors.iter().enumerate() {
            for d in 0..days {
                if inspector.absences.contains(&year.date(d)) {
                    continue;
                }
                let minutes = inspector.minutes_per_day;
                let m = year.month(d);
                grid.free[i * days + d] = minutes;
                grid.month_cap[i][m] += u64::from(minutes);
                grid.month_best_day[i][m] = grid.month_best_day[i][m].max(minutes);
                grid.total_cap[m] += u64::from(minutes);
                grid.day_cap[d] += u64::from(minutes);
            }
            for m in 0..12 {
                if grid.month_cap[i][m] > 0 {
                    grid.order[m].insert((0, i));
                }
            }
        }
        grid
    }

    /// Whether inspector `i` has `load` minutes free on each of the `span` days from `start`.
    pub(super) fn fits(&self, i: usize, start: usize, span: usize, load: u64) -> bool {
        let row = i * self.days;
        self.free
            .get(row + start..row + start + span)
            .is_some_and(|days| days.iter().all(|f| u64::from(*f) >= load))
    }

    /// Whether inspector `i` might take a day of `load` minutes in month `m` at all.
    pub(super) fn may_take(&self, i: usize, m: usize, load: u64) -> bool {
        u64::from(self.month_best_day[i][m]) >= load
    }

    /// Whether some inspector might take a day of `load` minutes in month `m`, `count` times over.
    pub(super) fn month_may_take(&self, m: usize, load: u64, count: usize) -> bool {
        let free = self.total_cap[m] - self.total_load[m];
        free >= load.saturating_mul(count as u64)
            && self.order[m]
                .iter()
                .any(|(_, i)| self.may_take(*i, m, load))
    }

    /// The inspectors with capacity in month `m`, least loaded (by ratio) first.
    pub(super) fn least_loaded(&self, m: usize) -> impl Iterator<Item = usize> + '_ {
        self.order[m].iter().map(|(_, i)| *i)
    }

    /// All inspectors' load in month `m` over their capacity in it.
    pub(super) fn month_ratio(&self, m: usize) -> Ratio {
        ratio(self.total_load[m], self.total_cap[m])
    }

    /// Inspector `i`'s load in month `m` over their capacity in it.
    pub(super) fn inspector_ratio(&self, i: usize, m: usize) -> Ratio {
        ratio(self.month_load[i][m], self.month_cap[i][m])
    }

    /// Inspector `i`'s free minutes in month `m`.
    pub(super) fn inspector_free(&self, i: usize, m: usize) -> u64 {
        self.month_cap[i][m] - self.month_load[i][m]
    }

    /// All inspectors' load over capacity on the `span` days from `start`.
    pub(super) fn span_ratio(&self, start: usize, span: usize) -> Ratio {
        let days = start..start + span;
        let load = self
            .day_load
            .get(days.clone())
            .map_or(0, |d| d.iter().sum());
        let cap = self.day_cap.get(days).map_or(0, |d| d.iter().sum());
        ratio(load, cap)
    }

    /// Inspector `i` and month `m`: capacity and load minutes.
    pub(super) fn inspector_month(&self, i: usize, m: usize) -> (u64, u64) {
        (self.month_cap[i][m], self.month_load[i][m])
    }

    /// Total capacity of all inspectors over the year.
    pub(super) fn capacity(&self) -> u64 {
        self.total_cap.iter().sum()
    }

    /// Books `load` minutes on inspector `i` for the `span` days from `start`; the caller has
    /// checked [`Grid::fits`].
    pub(super) fn book(&mut self, year: &YearDays, i: usize, start: usize, span: usize, load: u64) {
        let row = i * self.days;
        let mut touched = [false; 12];
        for d in start..start + span {
            let m = year.month(d);
            if !touched[m] {
                touched[m] = true;
                self.order[m].remove(&(self.inspector_ratio(i, m), i));
            }
            let cell = &mut self.free[row + d];
            // `fits` guarantees the minutes are there; saturate rather than trust it blindly.
            *cell = cell.saturating_sub(u32::try_from(load).unwrap_or(u32::MAX));
            self.month_load[i][m] += load;
            self.total_load[m] += load;
            self.day_load[d] += load;
        }
        for m in (0..12).filter(|m| touched[*m]) {
            self.order[m].insert((self.inspector_ratio(i, m), i));
            let days = year.month_range(m);
            self.month_best_day[i][m] = self.free[row + days.start..row + days.end]
                .iter()
                .copied()
                .max()
                .unwrap_or(0);
        }
    }
}

/// `load / cap` in millionths; a month or day without capacity is [`FULL`].
pub(super) fn ratio(load: u64, cap: u64) -> Ratio {
    if cap == 0 {
        return FULL;
    }
    match load.checked_mul(1_000_000) {
        Some(scaled) => scaled / cap,
        // Past 1.8 × 10¹³ minutes: only a nonsensical input gets here.
        None => Ratio::try_from(u128::from(load) * 1_000_000 / u128::from(cap)).unwrap_or(FULL),
    }
}

/// A ratio in tenths of a percent, for the explanations.
pub(super) fn per_mille(r: Ratio) -> u32 {
    u32::try_from(r / 1000).unwrap_or(u32::MAX)
}
