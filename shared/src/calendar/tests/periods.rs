//! Periods in months and years (ГК ст.192), with and without the move of ст.193.

use super::*;

#[track_caller]
fn check_end_months(event: &str, n: u32, expected: Option<&str>) {
    let got = period_end_months(date(event), n).map(iso_date::format);
    assert_eq!(got.as_deref(), expected, "{event} + {n} months");
}

#[track_caller]
fn check_end_years(event: &str, n: u32, expected: Option<&str>) {
    let got = period_end_years(date(event), n).map(iso_date::format);
    assert_eq!(got.as_deref(), expected, "{event} + {n} years");
}

#[track_caller]
fn check_months(cal: &Calendar, event: &str, n: u32, expected: &str) {
    let got = cal.months_deadline(date(event), n).map(iso_date::format);
    assert_eq!(got.as_deref(), Ok(expected), "{event} + {n} months");
}

#[track_caller]
fn check_years(cal: &Calendar, event: &str, n: u32, expected: &str) {
    let got = cal.years_deadline(date(event), n).map(iso_date::format);
    assert_eq!(got.as_deref(), Ok(expected), "{event} + {n} years");
}

#[test]
fn month_periods_end_on_the_same_numbered_day() {
    check_end_months("2026-01-15", 1, Some("2026-02-15"));
    check_end_months("2026-03-02", 1, Some("2026-04-02"));
    // п.3: no 31 February, so the month's last day.
    check_end_months("2026-01-31", 1, Some("2026-02-28"));
    check_end_months("2024-01-31", 1, Some("2024-02-29"));
    check_end_months("2024-01-29", 1, Some("2024-02-29"));
    check_end_months("2024-01-30", 1, Some("2024-02-29"));
    check_end_months("2026-03-31", 1, Some("2026-04-30"));
    check_end_months("2026-08-31", 3, Some("2026-11-30"));
    // The shorter month ends the period; the next month does not get the day back.
    check_end_months("2026-02-28", 1, Some("2026-03-28"));
    check_end_months("2026-11-30", 3, Some("2027-02-28"));
    check_end_months("2026-12-15", 1, Some("2027-01-15"));
    check_end_months("2026-12-31", 2, Some("2027-02-28"));
    check_end_months("2026-01-31", 12, Some("2027-01-31"));
    check_end_months("2026-05-31", 25, Some("2028-06-30"));
    check_end_months("2027-10-31", 4, Some("2028-02-29"));
    // A period is at least one month; the end must be a representable date.
    check_end_months("2026-03-02", 0, None);
    check_end_months("9999-12-01", 1, None);
}

#[test]
fn year_periods_end_on_the_same_month_and_day() {
    check_end_years("2026-04-15", 1, Some("2027-04-15"));
    check_end_years("2023-03-01", 1, Some("2024-03-01"));
    // ст.51: a declaration is valid one calendar year from its registration.
    check_end_years("2026-12-31", 1, Some("2027-12-31"));
    // 29 February: 28 February when the last year has none, 29 February when it has.
    check_end_years("2024-02-29", 1, Some("2025-02-28"));
    check_end_years("2024-02-29", 3, Some("2027-02-28"));
    check_end_years("2024-02-29", 4, Some("2028-02-29"));
    check_end_years("2024-02-28", 1, Some("2025-02-28"));
    // ПП 1511: at most one mandatory preventive visit per 3, 5 or 6 years from the category
    // decision.
    check_end_years("2025-10-01", 3, Some("2028-10-01"));
    check_end_years("2025-10-01", 5, Some("2030-10-01"));
    check_end_years("2025-10-01", 6, Some("2031-10-01"));
    check_end_years("2026-03-02", 0, None);
    check_end_years("9999-01-01", 1, None);
    check_end_years("2026-03-02", u32::MAX, None);
}

#[test]
fn month_and_year_deadlines_move_to_a_working_day() {
    let cal = Calendar::embedded();
    // A working last day stays.
    check_months(&cal, "2026-11-30", 1, "2026-12-30");
    check_months(&cal, "2026-01-15", 1, "2026-02-16");
    check_months(&cal, "2026-03-02", 1, "2026-04-02");
    // 31 January 2026 + 1 month = Saturday 28 February, so Monday 2 March (ст.193).
    check_months(&cal, "2026-01-31", 1, "2026-03-02");
    // 31 January 2027 + 1 month = Sunday 28 February: Monday 1 March.
    check_months(&cal, "2027-01-31", 1, "2027-03-01");
    // 2024 is a leap year: Thursday 29 February.
    check_months(&cal, "2024-01-31", 1, "2024-02-29");
    // Saturday 14 March 2026: Monday 16 March.
    check_months(&cal, "2026-02-14", 1, "2026-03-16");
    // Sunday 22 February 2026, then 23 February (a holiday): Tuesday 24 February.
    check_months(&cal, "2026-01-22", 1, "2026-02-24");
    // 31 December 2026 is a day off (ПП 1466): past the New Year holidays to 11 January 2027.
    check_months(&cal, "2026-10-31", 2, "2027-01-11");
    check_months(&cal, "2026-07-31", 5, "2027-01-11");
    check_months(&cal, "2026-12-01", 1, "2027-01-11");
    // The working Saturday 20 February 2027 stays.
    check_months(&cal, "2027-01-20", 1, "2027-02-20");
    // Monday 3 May 2027 (for Saturday 1 May): Tuesday 4 May.
    check_months(&cal, "2027-04-03", 1, "2027-05-04");
    // Years.
    check_years(&cal, "2025-12-31", 1, "2027-01-11");
    check_years(&cal, "2024-02-29", 1, "2025-02-28");
    check_years(&cal, "2023-03-01", 1, "2024-03-01");
    // 4 November 2027 (a holiday), then 5 November (from 2 January) and the weekend.
    check_years(&cal, "2026-11-04", 1, "2027-11-08");
    // Saturday 12 June 2027, Monday 14 June off for it: Tuesday 15 June.
    check_years(&cal, "2023-06-12", 4, "2027-06-15");
}

#[test]
fn month_and_year_deadlines_outside_the_calendar() {
    let cal = Calendar::embedded();
    assert_eq!(
        cal.months_deadline(date("2027-12-01"), 1),
        Err(CalendarError::UnknownYear(2028))
    );
    assert_eq!(
        cal.years_deadline(date("2027-03-01"), 1),
        Err(CalendarError::UnknownYear(2028))
    );
    assert_eq!(
        cal.months_deadline(date("2026-03-02"), 0),
        Err(CalendarError::EmptyPeriod)
    );
    assert_eq!(
        cal.years_deadline(date("2026-03-02"), 0),
        Err(CalendarError::EmptyPeriod)
    );
    // In a region, its days off move the end too: 20 March 2026 is Ураза-байрам in Tatarstan.
    let tatarstan = Calendar::embedded().with_region("tatarstan").unwrap();
    check_months(&cal, "2026-02-20", 1, "2026-03-20");
    check_months(&tatarstan, "2026-02-20", 1, "2026-03-23");
}
