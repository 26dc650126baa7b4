//! The annual plan's scheduler against its rules, on generated plans (random inspectors with
//! random absences, random entries of every category, district, span and window, in 2026 and
//! 2027) and on hand-made ones. Every rule is checked from the outside: the loads are recounted
//! from the placements and the calendar, not read from the scheduler's own sums.

use std::collections::{BTreeMap, BTreeSet};

use knd_shared::RiskCategory;
use knd_shared::calendar::Calendar;
use knd_shared::planning::schedule::{
    Demand, EVENNESS_MARGIN, Inspector, LeftOutReason, Schedule, Settings, schedule,
};
use proptest::prelude::*;
use time::{Date, Duration};

// ---------------------------------------------------------------------------------------------
// The rules, checked on any input and its schedule.

/// One inspector's day of an entry: its minutes and the district's travel.
fn daily(d: &Demand, settings: &Settings) -> u64 {
    u64::from(d.minutes_per_day) + u64::from(settings.travel(&d.district))
}

/// The working days of a placement, walked on the calendar from `start` to `end`.
pub(crate) fn span_days(cal: &Calendar, start: Date, end: Date) -> Vec<Date> {
    let mut days = Vec::new();
    let mut d = start;
    while d <= end {
        if cal.is_working_day(d).unwrap() {
            days.push(d);
        }
        d = d.next_day().unwrap();
    }
    days
}

pub(crate) struct Input<'a> {
    pub(crate) year: i32,
    pub(crate) cal: &'a Calendar,
    pub(crate) inspectors: &'a [Inspector],
    pub(crate) demands: &'a [Demand],
    pub(crate) settings: &'a Settings,
}

impl Input<'_> {
    pub(crate) fn run(&self) -> Schedule {
        schedule(
            self.year,
            self.cal,
            self.inspectors,
            self.demands,
            self.settings,
        )
        .unwrap()
    }
}

/// Rules 1-5 and 8, and the totals; returns the recounted load per (inspector, day).
pub(crate) fn check(
    input: &Input<'_>,
    s: &Schedule,
) -> Result<BTreeMap<(usize, Date), u64>, TestCaseError> {
    let Input {
        year,
        cal,
        inspectors,
        demands,
        settings,
    } = *input;

    // Rule 4: each demand placed or left out, exactly once.
    let mut seen = vec![0u32; demands.len()];
    for p in &s.placements {
        seen[p.demand] += 1;
    }
    for l in &s.left_out {
        seen[l.demand] += 1;
    }
    prop_assert!(
        seen.iter().all(|n| *n == 1),
        "placed or left out more or less than once: {seen:?}"
    );

    let mut load: BTreeMap<(usize, Date), u64> = BTreeMap::new();
    for p in &s.placements {
        let d = &demands[p.demand];
        // Rule 2: working days only, exactly `working_days` of them in a row.
        prop_assert!(
            cal.is_working_day(p.start).unwrap(),
            "start {} not a working day",
            p.start
        );
        prop_assert!(
            cal.is_working_day(p.end).unwrap(),
            "end {} not a working day",
            p.end
        );
        let end = if d.working_days == 1 {
            p.start
        } else {
            cal.add_working_days(p.start, d.working_days - 1).unwrap()
        };
        prop_assert_eq!(p.end, end);
        let days = span_days(cal, p.start, p.end);
        prop_assert_eq!(days.len(), d.working_days as usize);
        // Rule 3: within the window and the year, with as many distinct inspectors as asked.
        prop_assert!(
            p.start >= d.earliest_start && p.end <= d.latest_end,
            "{p:?} outside {d:?}"
        );
        prop_assert_eq!(p.start.year(), year);
        prop_assert_eq!(p.end.year(), year);
        let distinct: BTreeSet<_> = p.inspectors.iter().collect();
        prop_assert_eq!(distinct.len(), p.inspectors.len());
        prop_assert_eq!(p.inspectors.len(), d.inspectors as usize);
        for &i in &p.inspectors {
            prop_assert!(i < inspectors.len());
            for &day in &days {
                *load.entry((i, day)).or_default() += daily(d, settings);
            }
        }
        prop_assert_eq!(p.why.category, d.category);
        prop_assert!(!p.why.text_ru().is_empty() && !p.why.text_en().is_empty());
    }
    // Rule 1: no inspector's day overbooked, nothing on a day they are away.
    for (&(i, day), &minutes) in &load {
        let inspector = &inspectors[i];
        prop_assert!(
            !inspector.absences.contains(&day),
            "{} booked while away on {day}",
            inspector.id
        );
        prop_assert!(
            minutes <= u64::from(inspector.minutes_per_day),
            "{} booked {minutes} min on {day}",
            inspector.id
        );
    }

    check_priority(demands, s)?;
    check_totals(input, s, &load)?;

    // Rule 8: the same input gives the same plan.
    prop_assert_eq!(&input.run(), s);
    Ok(load)
}

/// Rule 5: the queue is by category then overdue, and every left-out entry says why.
fn check_priority(demands: &[Demand], s: &Schedule) -> Result<(), TestCaseError> {
    let mut position = vec![0usize; demands.len()];
    for p in &s.placements {
        position[p.demand] = p.why.position;
    }
    for l in &s.left_out {
        position[l.demand] = l.position;
    }
    let mut sorted = position.clone();
    sorted.sort_unstable();
    prop_assert_eq!(sorted, (1..=demands.len()).collect::<Vec<_>>());
    for a in 0..demands.len() {
        for b in 0..demands.len() {
            let (da, db) = (&demands[a], &demands[b]);
            let before = (da.category, da.overdue_days) > (db.category, db.overdue_days);
            prop_assert!(
                !before || position[a] < position[b],
                "{a} should come before {b}"
            );
        }
    }
    for l in &s.left_out {
        prop_assert!(!l.reason.text_ru().is_empty() && !l.reason.text_en().is_empty());
    }
    Ok(())
}

/// What an entry got: its days and inspectors, or its reason's kind.
fn outcome(s: &Schedule, demand: usize) -> String {
    if let Some(p) = s.placements.iter().find(|p| p.demand == demand) {
        return format!("{} {} {:?}", p.start, p.end, p.inspectors);
    }
    let l = s.left_out.iter().find(|l| l.demand == demand);
    serde_json::to_value(l.map(|l| &l.reason)).unwrap()["kind"].to_string()
}

/// Rule 5: a higher category is never left out on a lower one's account: for each category an
/// entry was left out of for capacity, the plan of the entries of that category and higher
/// alone gives every one of them what the whole plan gave it (the lower entries took only the
/// time the higher ones could not use).
pub(crate) fn check_higher_alone(input: &Input<'_>, s: &Schedule) -> Result<(), TestCaseError> {
    let short: BTreeSet<RiskCategory> = s
        .left_out
        .iter()
        .filter(|l| matches!(l.reason, LeftOutReason::NoCapacity { .. }))
        .map(|l| input.demands[l.demand].category)
        .collect();
    for category in short {
        let kept: Vec<usize> = (0..input.demands.len())
            .filter(|&d| input.demands[d].category >= category)
            .collect();
        if kept.len() == input.demands.len() {
            continue;
        }
        let demands: Vec<Demand> = kept.iter().map(|&d| input.demands[d].clone()).collect();
        let alone = schedule(
            input.year,
            input.cal,
            input.inspectors,
            &demands,
            input.settings,
        )
        .unwrap();
        for (k, &d) in kept.iter().enumerate() {
            prop_assert_eq!(
                outcome(&alone, k),
                outcome(s, d),
                "entry {} of {:?} fares otherwise without the lower categories",
                &input.demands[d].id,
                category
            );
        }
    }
    Ok(())
}

/// The non-capacity left-outs would be left out of a plan of their own too: they took nothing
/// from anyone and lost nothing to anyone.
pub(crate) fn check_alone(
    input: &Input<'_>,
    s: &Schedule,
    at_most: usize,
) -> Result<(), TestCaseError> {
    let alone = s
        .left_out
        .iter()
        .filter(|l| !matches!(l.reason, LeftOutReason::NoCapacity { .. }));
    for l in alone.take(at_most) {
        let one = [input.demands[l.demand].clone()];
        let s1 = schedule(
            input.year,
            input.cal,
            input.inspectors,
            &one,
            input.settings,
        )
        .unwrap();
        prop_assert!(s1.placements.is_empty(), "{:?} fits alone", l.reason);
        prop_assert_eq!(&s1.left_out[0].reason, &l.reason);
    }
    Ok(())
}

/// Capacity, demand and scheduled minutes, and the per-month load, recounted.
fn check_totals(
    input: &Input<'_>,
    s: &Schedule,
    load: &BTreeMap<(usize, Date), u64>,
) -> Result<(), TestCaseError> {
    let (cal, year) = (input.cal, input.year);
    let mut capacity = vec![[0u64; 12]; input.inspectors.len()];
    for (i, inspector) in input.inspectors.iter().enumerate() {
        for day in span_days(cal, first(year), last(year)) {
            if !inspector.absences.contains(&day) {
                capacity[i][usize::from(u8::from(day.month())) - 1] +=
                    u64::from(inspector.minutes_per_day);
            }
        }
    }
    let mut booked = vec![[0u64; 12]; input.inspectors.len()];
    for (&(i, day), &m) in load {
        booked[i][usize::from(u8::from(day.month())) - 1] += m;
    }
    prop_assert_eq!(s.load.len(), input.inspectors.len() * 12);
    for row in &s.load {
        let m = usize::from(row.month) - 1;
        prop_assert_eq!(row.capacity_minutes, capacity[row.inspector][m]);
        prop_assert_eq!(row.load_minutes, booked[row.inspector][m]);
    }
    let total: u64 = capacity.iter().flatten().sum();
    prop_assert_eq!(s.capacity_minutes, total);
    prop_assert_eq!(s.scheduled_minutes, load.values().sum::<u64>());
    let need =
        |d: &Demand| daily(d, input.settings) * u64::from(d.inspectors) * u64::from(d.working_days);
    prop_assert_eq!(
        s.demand_minutes,
        input.demands.iter().map(need).sum::<u64>()
    );
    prop_assert!(s.scheduled_minutes <= s.bound_minutes());
    prop_assert!((0.0..=1.0).contains(&s.quality()));
    let json = serde_json::to_string(s).unwrap();
    prop_assert_eq!(&serde_json::from_str::<Schedule>(&json).unwrap(), s);
    Ok(())
}

fn first(year: i32) -> Date {
    Date::from_ordinal_date(year, 1).unwrap()
}

fn last(year: i32) -> Date {
    Date::from_calendar_date(year, time::Month::December, 31).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Generated plans.

const DISTRICTS: [&str; 5] = ["Центральный", "Северный", "Заречный", "Лесной", "Дальний"];

pub(crate) fn settings() -> Settings {
    Settings {
        travel_minutes: [("Центральный", 20), ("Северный", 60), ("Дальний", 150)]
            .into_iter()
            .map(|(d, m)| (d.to_owned(), m))
            .collect(),
        default_travel_minutes: 45,
    }
}

fn category() -> impl Strategy<Value = RiskCategory> {
    prop::sample::select(RiskCategory::ALL.to_vec())
}

/// Absences as a few runs of days (leave, training) and single days (sickness).
fn inspector(year: i32, n: usize) -> impl Strategy<Value = Inspector> {
    let runs = prop::collection::vec((0i64..365, 1i64..25), 0..4);
    (prop::sample::select(vec![240u32, 360, 480, 480]), runs).prop_map(move |(minutes, runs)| {
        let absences = runs
            .into_iter()
            .flat_map(|(from, len)| (from..from + len).map(|k| first(year) + Duration::days(k)))
            .filter(|d| d.year() == year)
            .collect();
        Inspector {
            id: format!("инспектор-{n}"),
            minutes_per_day: minutes,
            absences,
        }
    })
}

fn inspectors(year: i32) -> impl Strategy<Value = Vec<Inspector>> {
    (1usize..7).prop_flat_map(move |n| (0..n).map(|k| inspector(year, k)).collect::<Vec<_>>())
}

/// Where the windows fall: anywhere (some reaching into the years around), or crowded into a
/// few weeks of spring so that capacity runs out.
#[derive(Debug, Clone, Copy)]
enum Windows {
    Anywhere,
    Crowded,
}

/// Mostly one-day visits; some field checks of up to 10 days.
fn demand(year: i32, n: usize, windows: Windows) -> impl Strategy<Value = Demand> {
    let span = prop_oneof![4 => Just(1u32), 1 => 2u32..=10];
    let window = match windows {
        Windows::Anywhere => (-40i64..380, 0i64..400),
        Windows::Crowded => (40i64..70, 0i64..40),
    };
    let load = prop::sample::select(vec![60u32, 120, 120, 240, 360]);
    (
        category(),
        0u32..800,
        window,
        prop::sample::select(DISTRICTS.to_vec()),
        span,
        load,
        1u32..=3,
    )
        .prop_map(
            move |(category, overdue, (from, len), district, span, minutes, count)| {
                let earliest_start = first(year) + Duration::days(from);
                Demand {
                    id: format!("запись-{n}"),
                    category,
                    overdue_days: overdue.saturating_sub(400),
                    earliest_start,
                    latest_end: earliest_start + Duration::days(len),
                    district: district.to_owned(),
                    working_days: span,
                    minutes_per_day: minutes,
                    inspectors: if count == 3 { 2 } else { 1 },
                }
            },
        )
}

fn demands(year: i32, max: usize, windows: Windows) -> impl Strategy<Value = Vec<Demand>> {
    (0..max).prop_flat_map(move |n| (0..n).map(|k| demand(year, k, windows)).collect::<Vec<_>>())
}

fn year() -> impl Strategy<Value = i32> {
    prop::sample::select(vec![2026, 2027])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Rules 1-5 and 8 on random plans, mostly with room.
    #[test]
    fn random_plans_obey_the_rules(
        (year, inspectors, demands) in year().prop_flat_map(|y| (Just(y), inspectors(y), demands(y, 120, Windows::Anywhere)))
    ) {
        let cal = Calendar::embedded();
        let settings = settings();
        let input = Input { year, cal: &cal, inspectors: &inspectors, demands: &demands, settings: &settings };
        let s = input.run();
        check(&input, &s)?;
        check_alone(&input, &s, 5)?;
        check_higher_alone(&input, &s)?;
    }

    /// Rules 1-5 and 8 on random plans crowded into a few weeks: capacity runs out, the higher
    /// categories first in the queue and the lower ones in what time is left.
    #[test]
    fn crowded_plans_obey_the_rules(
        (year, inspectors, demands) in year().prop_flat_map(|y| (Just(y), inspectors(y), demands(y, 200, Windows::Crowded)))
    ) {
        let cal = Calendar::embedded();
        let settings = settings();
        let input = Input { year, cal: &cal, inspectors: &inspectors, demands: &demands, settings: &settings };
        let s = input.run();
        check(&input, &s)?;
        check_alone(&input, &s, 5)?;
        check_higher_alone(&input, &s)?;
    }

    /// Rule 6: with plenty of capacity and whole-year windows, the months' load ratios stay
    /// within the documented margin of each other (plus one entry's share of a month).
    #[test]
    fn roomy_plans_are_even_across_months(
        year in year(),
        count in 8usize..16,
        entries in prop::collection::vec(
            (category(), prop::sample::select(DISTRICTS.to_vec()), prop_oneof![6 => Just(1u32), 1 => 2u32..=10], 0u32..300),
            50..400,
        ),
    ) {
        let cal = Calendar::embedded();
        let settings = settings();
        let inspectors: Vec<Inspector> = (0..count).map(|k| Inspector {
            id: format!("i{k}"), minutes_per_day: 480, absences: BTreeSet::new(),
        }).collect();
        let demands: Vec<Demand> = entries.iter().enumerate().map(|(k, (category, district, span, overdue))| Demand {
            id: format!("d{k}"),
            category: *category,
            overdue_days: *overdue,
            earliest_start: first(year),
            latest_end: last(year),
            district: (*district).to_owned(),
            working_days: *span,
            minutes_per_day: 120,
            inspectors: 1,
        }).collect();
        let input = Input { year, cal: &cal, inspectors: &inspectors, demands: &demands, settings: &settings };
        let s = input.run();
        prop_assume!(s.demand_minutes * 2 <= s.capacity_minutes);
        check(&input, &s)?;
        prop_assert!(s.left_out.is_empty());
        let (cap, load) = month_totals(&s);
        let ratios: Vec<f64> = (0..12).map(|m| load[m] as f64 / cap[m] as f64).collect();
        let smallest_month = cap.iter().copied().min().unwrap() as f64;
        let largest_entry = demands.iter().map(|d| daily(d, &settings) * u64::from(d.working_days)).max().unwrap() as f64;
        let spread = max(&ratios) - min(&ratios);
        prop_assert!(
            spread <= EVENNESS_MARGIN + largest_entry / smallest_month,
            "monthly load ratios {ratios:?} spread {spread}"
        );
    }
}

fn month_totals(s: &Schedule) -> ([u64; 12], [u64; 12]) {
    let (mut cap, mut load) = ([0u64; 12], [0u64; 12]);
    for row in &s.load {
        cap[usize::from(row.month) - 1] += row.capacity_minutes;
        load[usize::from(row.month) - 1] += row.load_minutes;
    }
    (cap, load)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::MIN, f64::max)
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::MAX, f64::min)
}
