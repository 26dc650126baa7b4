//! The embedded production calendar against a second, independent source: the data of the
//! `holidays-ru` crate, compiled from the same decrees by other people. Every day of every year
//! we hold is compared, federal and with each regional overlay, and a disagreement lists every
//! date that differs.

use holidays_ru::regions::{Bashkortostan, Tatarstan};
use holidays_ru::{DayFlags, Federal, Resolved};
use knd_shared::calendar::{Calendar, iso_date};
use time::Date;

/// Every day of `year`.
fn days_of(year: i32) -> Vec<Date> {
    let mut days = Vec::with_capacity(366);
    let mut d = Date::from_ordinal_date(year, 1).ok();
    while let Some(day) = d.filter(|d| d.year() == year) {
        days.push(day);
        d = day.next_day();
    }
    days
}

/// One of holidays-ru's calendars, federal or federal with a region.
type Flags = fn(i32, u8, u8) -> Option<Resolved<DayFlags>>;

/// holidays-ru's answer for one day: its flags, and whether they are official data (`Fact`) rather
/// than its own prediction.
fn theirs(flags: Flags, d: Date) -> (DayFlags, bool) {
    let resolved = flags(d.year(), u8::from(d.month()), d.day())
        .unwrap_or_else(|| panic!("holidays-ru refuses the date {d}"));
    let fact = resolved.is_fact();
    (resolved.value(), fact)
}

/// What comparing one calendar with holidays-ru over some years found.
#[derive(Default)]
struct Comparison {
    /// Dates where the answers differ, each with both answers.
    differ: Vec<String>,
    /// Dates holidays-ru only predicts.
    predicted: Vec<Date>,
    /// Per year: (year, our working days, theirs).
    totals: Vec<(i32, u32, u32)>,
}

fn compare(cal: &Calendar, years: &[i32], flags: Flags) -> Comparison {
    let mut found = Comparison::default();
    for &year in years {
        let (mut ours_total, mut theirs_total) = (0, 0);
        for d in days_of(year) {
            let ours = cal.is_working_day(d).unwrap_or_else(|e| panic!("{d}: {e}"));
            let (flags, fact) = theirs(flags, d);
            let their_working = !flags.is_day_off();
            if !fact {
                found.predicted.push(d);
            }
            if ours != their_working {
                found.differ.push(format!(
                    "{} ({}): ours {}, holidays-ru {}",
                    iso_date::format(d),
                    d.weekday(),
                    working(ours),
                    working(their_working),
                ));
            }
            ours_total += u32::from(ours);
            theirs_total += u32::from(their_working);
        }
        found.totals.push((year, ours_total, theirs_total));
    }
    found
}

fn working(w: bool) -> &'static str {
    if w { "working" } else { "non-working" }
}

#[track_caller]
fn assert_agree(what: &str, found: &Comparison) {
    assert!(
        found.differ.is_empty(),
        "{what}: {} days differ from holidays-ru:\n{}",
        found.differ.len(),
        found.differ.join("\n")
    );
    let totals: Vec<_> = found.totals.iter().filter(|(_, a, b)| a != b).collect();
    assert!(
        totals.is_empty(),
        "{what}: yearly totals differ (year, ours, theirs): {totals:?}"
    );
}

#[test]
fn federal_calendar_agrees_with_holidays_ru() {
    let cal = Calendar::embedded();
    let years: Vec<i32> = cal.years().map(|y| y.year()).collect();
    assert_eq!(years, [2023, 2024, 2025, 2026, 2027]);
    let found = compare(&cal, &years, holidays_ru::flags_ymd::<Federal>);
    let predicted: Vec<String> = found
        .predicted
        .iter()
        .map(|d| iso_date::format(*d))
        .collect();
    assert!(
        predicted.is_empty(),
        "holidays-ru has no official data, only its prediction, for: {predicted:?}"
    );
    assert_agree("federal", &found);
    for (year, ours, _) in &found.totals {
        // Our published totals are what the data reproduce, and holidays-ru agrees with both.
        assert_eq!(
            Some(*ours),
            cal.year(*year).map(|y| y.working_days()),
            "{year}"
        );
    }
}

#[test]
fn regional_overlays_agree_with_holidays_ru() {
    // (our code, holidays-ru's federal calendar with that region, the years it holds as official
    // data among ours)
    let regions: [(&str, Flags, &[i32]); 2] = [
        (
            "bashkortostan",
            holidays_ru::flags_with_region_ymd::<Bashkortostan>,
            &[2023, 2024, 2025, 2026, 2027],
        ),
        (
            "tatarstan",
            holidays_ru::flags_with_region_ymd::<Tatarstan>,
            &[2023, 2024, 2025, 2026],
        ),
    ];
    assert_eq!(
        Calendar::region_codes(),
        regions.map(|(code, _, _)| code.to_owned())
    );
    for (code, flags, expected_facts) in regions {
        let cal = Calendar::embedded().with_region(code).unwrap();
        let region = cal.region().unwrap();
        let (facts, predicted): (Vec<i32>, Vec<i32>) = region
            .years()
            .map(|y| y.year())
            .partition(|y| days_of(*y).into_iter().all(|d| theirs(flags, d).1));
        assert_eq!(facts, expected_facts, "{code}: the years holidays-ru holds");
        // A year holidays-ru only predicts is one whose movable days are not decreed in its data
        // either: ours must say it is provisional.
        for year in &predicted {
            assert!(
                region.year(*year).is_some_and(|y| y.provisional()),
                "{code} {year}: holidays-ru has no official data, ours is not provisional"
            );
        }
        for year in &facts {
            assert!(
                region.year(*year).is_some_and(|y| !y.provisional()),
                "{code} {year}: holidays-ru has official data, ours is provisional"
            );
        }
        let found = compare(&cal, &facts, flags);
        assert!(found.predicted.is_empty(), "{code}");
        assert_agree(code, &found);
    }
}
