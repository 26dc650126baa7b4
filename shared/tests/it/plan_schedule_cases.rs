//! The annual plan's scheduler on hand-made plans: each rule shown on a case small enough to
//! compute by hand (the generated plans are in `plan_schedule.rs`).

use std::collections::{BTreeSet, HashSet};

use knd_shared::RiskCategory;
use knd_shared::calendar::{Calendar, CalendarError};
use knd_shared::planning::schedule::{
    DateChoice, Demand, Inspector, InspectorChoice, LeftOutReason, Schedule, Settings, schedule,
};
use time::{Date, Duration, macros::date};

use crate::plan_schedule::{Input, check, check_alone, check_higher_alone, settings, span_days};

fn staff(n: usize) -> Vec<Inspector> {
    (0..n)
        .map(|k| Inspector {
            id: format!("i{k}"),
            minutes_per_day: 480,
            absences: BTreeSet::new(),
        })
        .collect()
}

fn visit(id: &str, category: RiskCategory, district: &str) -> Demand {
    Demand {
        id: id.to_owned(),
        category,
        overdue_days: 0,
        earliest_start: date!(2026 - 01 - 01),
        latest_end: date!(2026 - 12 - 31),
        district: district.to_owned(),
        working_days: 1,
        minutes_per_day: 120,
        inspectors: 1,
    }
}

fn run_checked(
    year: i32,
    inspectors: &[Inspector],
    demands: &[Demand],
    settings: &Settings,
) -> Schedule {
    let cal = Calendar::embedded();
    let input = Input {
        year,
        cal: &cal,
        inspectors,
        demands,
        settings,
    };
    let s = input.run();
    check(&input, &s).unwrap();
    check_alone(&input, &s, usize::MAX).unwrap();
    check_higher_alone(&input, &s).unwrap();
    s
}

/// Rule 7: a district's visits, given interleaved with another's, land on neighbouring days with
/// the same inspector, each after the first saying it is next to the district's previous one.
#[test]
fn a_districts_entries_land_together() {
    let demands: Vec<Demand> = (0..12)
        .map(|k| {
            let district = if k % 2 == 0 {
                "Северный"
            } else {
                "Заречный"
            };
            visit(&format!("v{k}"), RiskCategory::Significant, district)
        })
        .collect();
    let settings = settings();
    let s = run_checked(2026, &staff(3), &demands, &settings);
    assert!(s.left_out.is_empty());
    let cal = Calendar::embedded();
    for district in ["Северный", "Заречный"] {
        let mine: Vec<_> = s
            .placements
            .iter()
            .filter(|p| demands[p.demand].district == district)
            .collect();
        let days: BTreeSet<Date> = mine.iter().map(|p| p.start).collect();
        let (first, last) = (*days.first().unwrap(), *days.last().unwrap());
        // 6 visits of 120 + 60 (or 45) minutes: two a day, so three neighbouring working days.
        assert!(
            span_days(&cal, first, last).len() <= 3,
            "{district}: {days:?}"
        );
        let who: HashSet<_> = mine.iter().map(|p| p.inspectors.clone()).collect();
        assert_eq!(who.len(), 1, "{district}: one inspector carries the run");
        let next_to = mine
            .iter()
            .filter(|p| matches!(p.why.date, DateChoice::NextToDistrict { .. }))
            .count();
        assert_eq!(next_to, 5, "{district}");
        let continues = mine
            .iter()
            .filter(|p| matches!(p.why.inspectors, InspectorChoice::ContinuesDistrict { .. }))
            .count();
        assert_eq!(continues, 5, "{district}");
    }
    let text = s.placements[2].why.text_ru();
    assert!(
        text.contains("рядом с записью «v0» того же района «Северный»"),
        "{text}"
    );
}

/// Rule 5 by hand: one inspector, one day; three extremely-high visits of half a day each fit
/// two (the longest overdue), and the low one, on another free day the higher one could not use,
/// still has its place; a low one that wants the full day the higher ones took does not.
#[test]
fn a_higher_category_left_out_leaves_lower_ones_the_time_it_cannot_use() {
    let day = date!(2026 - 03 - 11);
    let mut demands: Vec<Demand> = (0..3)
        .map(|k| Demand {
            earliest_start: day,
            latest_end: day,
            minutes_per_day: 200,
            overdue_days: 10 * k,
            ..visit(
                &format!("eh{k}"),
                RiskCategory::ExtremelyHigh,
                "Центральный",
            )
        })
        .collect();
    demands.push(Demand {
        earliest_start: date!(2026 - 03 - 12),
        latest_end: date!(2026 - 03 - 12),
        ..visit("low", RiskCategory::Low, "Центральный")
    });
    demands.push(Demand {
        earliest_start: day,
        latest_end: day,
        ..visit("low on the full day", RiskCategory::Low, "Центральный")
    });
    let s = run_checked(2026, &staff(1), &demands, &settings());
    let placed: BTreeSet<usize> = s.placements.iter().map(|p| p.demand).collect();
    assert_eq!(placed, BTreeSet::from([1, 2, 3]));
    assert!(matches!(
        s.left_out[0].reason,
        LeftOutReason::NoCapacity { .. }
    ));
    assert_eq!(s.left_out[1].demand, 4);
    assert!(matches!(
        s.left_out[1].reason,
        LeftOutReason::NoCapacity { .. }
    ));
    assert!(matches!(
        s.placements[0].why.date,
        DateChoice::OnlyStart { .. }
    ));
    assert_eq!(
        s.placements[1].why.position, 1,
        "the longest overdue goes first"
    );
}

/// The left-outs that no plan could hold, each with its reason.
#[test]
fn entries_no_plan_could_hold_say_why() {
    let mut away = staff(2);
    let march: Vec<Date> = (0..31)
        .map(|k| date!(2026 - 03 - 01) + Duration::days(k))
        .collect();
    away[0].absences = march.iter().copied().collect();
    away[1].absences = march.iter().copied().filter(|d| d.day() % 2 == 0).collect();
    let high = RiskCategory::High;
    let demands = vec![
        Demand {
            working_days: 10,
            earliest_start: date!(2026 - 12 - 20),
            ..visit("short", high, "Лесной")
        },
        Demand {
            minutes_per_day: 470,
            ..visit("long", high, "Северный")
        },
        Demand {
            inspectors: 3,
            ..visit("crowd", high, "Лесной")
        },
        Demand {
            working_days: 2,
            inspectors: 2,
            earliest_start: date!(2026 - 03 - 01),
            latest_end: date!(2026 - 03 - 31),
            ..visit("away", high, "Лесной")
        },
        Demand {
            working_days: 0,
            ..visit("empty", high, "Лесной")
        },
        Demand {
            earliest_start: date!(2027 - 02 - 01),
            latest_end: date!(2027 - 03 - 01),
            ..visit("next year", high, "Лесной")
        },
        visit("low", RiskCategory::Low, "Лесной"),
    ];
    let s = run_checked(2026, &away, &demands, &settings());
    let reasons: Vec<&LeftOutReason> = s.left_out.iter().map(|l| &l.reason).collect();
    assert!(matches!(
        reasons[0],
        LeftOutReason::WindowTooShort {
            working_days_in_window: 8,
            needed: 10,
            ..
        }
    ));
    assert_eq!(
        reasons[1],
        &LeftOutReason::DayTooLong {
            daily_minutes: 530,
            longest_day: 480
        }
    );
    assert_eq!(
        reasons[2],
        &LeftOutReason::TooFewInspectors {
            needed: 3,
            available: 2
        }
    );
    assert!(matches!(reasons[3], LeftOutReason::InspectorsAway { .. }));
    assert!(matches!(
        reasons[4],
        LeftOutReason::Invalid {
            working_days: 0,
            ..
        }
    ));
    assert!(matches!(
        reasons[5],
        LeftOutReason::WindowTooShort {
            working_days_in_window: 0,
            ..
        }
    ));
    assert_eq!(s.placements.len(), 1, "the low entry is placed");
    for r in reasons {
        assert!(r.text_ru().starts_with("Не включена"), "{}", r.text_ru());
        assert!(r.text_en().starts_with("Left out"), "{}", r.text_en());
    }
}

/// A field check of several days with two inspectors: the same days, two inspectors, and a
/// working-day span that steps over the May holidays.
#[test]
fn a_field_check_spans_working_days_with_two_inspectors() {
    let d = Demand {
        working_days: 10,
        minutes_per_day: 300,
        inspectors: 2,
        earliest_start: date!(2026 - 04 - 30),
        latest_end: date!(2026 - 05 - 20),
        ..visit("field", RiskCategory::High, "Центральный")
    };
    let s = run_checked(2026, &staff(4), &[d], &settings());
    let p = &s.placements[0];
    assert_eq!(p.inspectors.len(), 2);
    let cal = Calendar::embedded();
    assert_eq!(cal.add_working_days(p.start, 9).unwrap(), p.end);
    assert!(p.end <= date!(2026 - 05 - 20));
}

/// A year the calendar does not hold is the calendar's error, never a guess.
#[test]
fn a_year_the_calendar_lacks_is_an_error() {
    let r = schedule(
        2031,
        &Calendar::embedded(),
        &staff(1),
        &[],
        &Settings::default(),
    );
    assert_eq!(r.unwrap_err(), CalendarError::UnknownYear(2031));
}

/// The explanations read as sentences in both languages, and the structures travel as
/// snake_case JSON.
#[test]
fn explanations_read_in_russian_and_english() {
    let s = run_checked(
        2026,
        &staff(2),
        &[visit("a", RiskCategory::Medium, "Лесной")],
        &settings(),
    );
    let why = &s.placements[0].why;
    let ru = why.text_ru();
    assert!(ru.starts_with("№ 1 в очереди (средний риск"), "{ru}");
    assert!(ru.contains("Январь — наименее загруженный месяц"), "{ru}");
    assert!(
        ru.contains("Инспектор: наименее загружен в январе: i0"),
        "{ru}"
    );
    let en = why.text_en();
    assert!(
        en.starts_with("Position 1 in the queue (medium risk"),
        "{en}"
    );
    let json = serde_json::to_value(why).unwrap();
    assert_eq!(json["date"]["kind"], "least_loaded_month");
    assert_eq!(json["inspectors"]["kind"], "least_loaded");
    assert_eq!(json["category"], "medium");
}
