use std::collections::BTreeSet;

use time::macros::date;

use super::days::YearDays;
use super::grid::{FULL, ratio};
use super::*;

#[test]
fn the_years_working_days_are_numbered_in_order() {
    let cal = Calendar::embedded();
    let year = YearDays::new(2026, &cal).unwrap();
    assert_eq!(year.len(), 247);
    // 1-11 January 2026 are off (holidays and the transfer of 3 January to 9 January).
    assert_eq!(year.date(0), date!(2026 - 01 - 12));
    assert_eq!(year.month_range(0).len(), 15);
    // 21-25 and 28-30 December; 31 December 2026 is off (transfer of 4 January).
    let december = year.within(date!(2026 - 12 - 20), date!(2026 - 12 - 31));
    assert_eq!(december.len(), 8);
    assert_eq!(
        YearDays::starts(&december, 8),
        Some(december.start..=december.start)
    );
    assert_eq!(YearDays::starts(&december, 9), None);
    assert_eq!(YearDays::starts(&december, 0), None);
    // A window outside the year, or reversed, has no working days in it.
    assert!(
        year.within(date!(2027 - 01 - 11), date!(2027 - 02 - 01))
            .is_empty()
    );
    assert!(
        year.within(date!(2025 - 01 - 01), date!(2025 - 12 - 31))
            .is_empty()
    );
    assert!(
        year.within(date!(2026 - 05 - 01), date!(2026 - 04 - 01))
            .is_empty()
    );
    // Overdue windows start on 1 January: the whole year.
    assert_eq!(
        year.within(date!(2024 - 03 - 01), date!(2026 - 12 - 31))
            .len(),
        247
    );
}

#[test]
fn a_year_not_in_the_calendar_is_its_error() {
    let err = YearDays::new(2035, &Calendar::embedded()).unwrap_err();
    assert_eq!(err, CalendarError::UnknownYear(2035));
}

#[test]
fn ratios_are_integers_and_an_empty_month_is_full() {
    assert_eq!(ratio(1, 4), 250_000);
    assert_eq!(ratio(0, 0), FULL);
    assert_eq!(ratio(u64::MAX, 1), FULL);
}

#[test]
fn inputs_travel_as_json_with_iso_dates() {
    let inspector = Inspector {
        id: "i".into(),
        minutes_per_day: 480,
        absences: BTreeSet::from([date!(2026 - 03 - 02), date!(2026 - 03 - 03)]),
    };
    let json = serde_json::to_value(&inspector).unwrap();
    assert_eq!(
        json["absences"],
        serde_json::json!(["2026-03-02", "2026-03-03"])
    );
    assert_eq!(
        serde_json::from_value::<Inspector>(json).unwrap(),
        inspector
    );
    let demand = Demand {
        id: "d".into(),
        category: RiskCategory::High,
        overdue_days: 3,
        earliest_start: date!(2026 - 01 - 01),
        latest_end: date!(2026 - 12 - 31),
        district: "Северный".into(),
        working_days: 10,
        minutes_per_day: 240,
        inspectors: 2,
    };
    let json = serde_json::to_value(&demand).unwrap();
    assert_eq!(json["earliest_start"], "2026-01-01");
    assert_eq!(json["category"], "high");
    assert_eq!(serde_json::from_value::<Demand>(json).unwrap(), demand);
}
