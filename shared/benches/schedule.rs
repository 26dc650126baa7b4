//! The annual plan's scheduler at a large agency's size: 100,000 entries (90,000 one-day
//! preventive visits of 120 minutes, 10,000 inspections of 2 to 10 working days, a fifth with two
//! inspectors) for 200 inspectors with leave and sick days, over 2027. The bar is well under a
//! second in release; the figure goes in the closing note.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::Duration as StdDuration;

use criterion::{Criterion, criterion_group, criterion_main};
use knd_shared::RiskCategory;
use knd_shared::calendar::Calendar;
use knd_shared::planning::schedule::{Demand, Inspector, Settings, schedule};
use time::{Date, Duration};

const YEAR: i32 = 2027;
const DISTRICTS: usize = 60;

/// A small deterministic generator (xorshift64*): the same plan on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn day(k: u64) -> Date {
    Date::from_ordinal_date(YEAR, 1).unwrap() + Duration::days(k as i64)
}

/// 200 inspectors of 8 hours: four weeks of leave each, and a few sick days.
fn inspectors(rng: &mut Rng) -> Vec<Inspector> {
    (0..200)
        .map(|k| {
            let leave = rng.below(330);
            let mut absences: BTreeSet<Date> = (leave..leave + 28).map(day).collect();
            for _ in 0..rng.below(8) {
                absences.insert(day(rng.below(365)));
            }
            Inspector {
                id: format!("inspector-{k}"),
                minutes_per_day: 480,
                absences,
            }
        })
        .collect()
}

/// An entry due on a random day of the year (a fifth overdue, due from 1 January).
fn window(rng: &mut Rng) -> (u32, Date, Date) {
    let overdue = rng.below(5) == 0;
    let due = if overdue { 0 } else { rng.below(300) };
    let overdue_days = if overdue { 1 + rng.below(700) } else { 0 } as u32;
    (overdue_days, day(due), day(364))
}

fn demands(rng: &mut Rng) -> Vec<Demand> {
    let mut demands = Vec::with_capacity(100_000);
    for k in 0..100_000 {
        let (overdue_days, earliest_start, latest_end) = window(rng);
        let district = format!("district-{}", rng.below(DISTRICTS as u64));
        let demand = if k % 10 == 0 {
            // A planned inspection: extremely high or high risk, under the moratorium.
            Demand {
                id: format!("inspection-{k}"),
                category: [RiskCategory::ExtremelyHigh, RiskCategory::High][rng.below(2) as usize],
                overdue_days,
                earliest_start,
                latest_end,
                district,
                working_days: [2, 2, 3, 3, 4, 5, 10][rng.below(7) as usize],
                minutes_per_day: [60, 120, 180][rng.below(3) as usize],
                inspectors: if rng.below(5) == 0 { 2 } else { 1 },
            }
        } else {
            // A mandatory preventive visit (ст.52.1): significant, medium or moderate risk.
            let categories = [
                RiskCategory::Significant,
                RiskCategory::Medium,
                RiskCategory::Moderate,
            ];
            Demand {
                id: format!("visit-{k}"),
                category: categories[rng.below(3) as usize],
                overdue_days,
                earliest_start,
                latest_end,
                district,
                working_days: 1,
                minutes_per_day: 120,
                inspectors: 1,
            }
        };
        demands.push(demand);
    }
    demands
}

fn settings(rng: &mut Rng) -> Settings {
    Settings {
        travel_minutes: (0..DISTRICTS)
            .map(|d| (format!("district-{d}"), 15 + 5 * rng.below(20) as u32))
            .collect(),
        default_travel_minutes: 60,
    }
}

fn bench(c: &mut Criterion) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let calendar = Calendar::embedded();
    let inspectors = inspectors(&mut rng);
    let demands = demands(&mut rng);
    let settings = settings(&mut rng);

    let s = schedule(YEAR, &calendar, &inspectors, &demands, &settings).unwrap();
    eprintln!(
        "schedule: {} placed, {} left out, capacity {} min, demand {} min, scheduled {} min, quality {:.3}",
        s.placements.len(),
        s.left_out.len(),
        s.capacity_minutes,
        s.demand_minutes,
        s.scheduled_minutes,
        s.quality()
    );

    let mut g = c.benchmark_group("schedule");
    g.sample_size(10);
    g.measurement_time(StdDuration::from_secs(10));
    g.bench_function("100k_demands_200_inspectors", |b| {
        b.iter(|| {
            schedule(
                YEAR,
                &calendar,
                black_box(&inspectors),
                black_box(&demands),
                &settings,
            )
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
