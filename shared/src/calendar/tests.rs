use time::Date;

use super::*;

fn date(s: &str) -> Date {
    iso_date::parse(s).unwrap()
}

#[track_caller]
fn check_working(cal: &Calendar, day: &str, expected: bool) {
    assert_eq!(cal.is_working_day(date(day)), Ok(expected), "{day}");
}

#[track_caller]
fn check_working_days(cal: &Calendar, event: &str, n: u32, expected: &str) {
    let got = cal.add_working_days(date(event), n).map(iso_date::format);
    assert_eq!(got.as_deref(), Ok(expected), "{event} + {n} working days");
    // The count back from the deadline is the period itself.
    assert_eq!(
        cal.working_days_between(date(event), date(expected)),
        Ok(n),
        "{event}..{expected}"
    );
}

#[track_caller]
fn check_calendar_days(cal: &Calendar, event: &str, n: u32, expected: &str) {
    let got = cal.calendar_deadline(date(event), n).map(iso_date::format);
    assert_eq!(got.as_deref(), Ok(expected), "{event} + {n} calendar days");
}

#[test]
fn embedded_years_reproduce_published_totals() {
    let cal = Calendar::embedded();
    // Working days in a 40-hour five-day week, as Минтруд publishes them.
    for (year, total) in [(2023, 247), (2024, 248), (2025, 247), (2026, 247)] {
        let y = cal.year(year).unwrap();
        assert_eq!(y.working_days(), total);
        assert!(!y.provisional(), "{year}");
        assert!(
            y.source().contains("Постановление Правительства РФ"),
            "{year}"
        );
        // 1 January is always a holiday, so the days after it are the whole year's.
        let jan1 = date(&format!("{year}-01-01"));
        assert_eq!(cal.is_working_day(jan1), Ok(false));
        let days = cal
            .working_days_between(jan1, date(&format!("{year}-12-31")))
            .unwrap();
        assert_eq!(days, total, "{year}");
    }
    assert!(cal.year(2027).unwrap().provisional());
}

#[test]
fn working_days_2025() {
    let cal = Calendar::embedded();
    // New Year holidays, then the first working day.
    check_working(&cal, "2025-01-01", false);
    check_working(&cal, "2025-01-08", false);
    check_working(&cal, "2025-01-09", true);
    // 23 February (a Sunday) was transferred to Thursday 8 May, so Monday 24 February is worked.
    check_working(&cal, "2025-02-24", true);
    // 8 March (a Saturday) was transferred to Friday 13 June, so Monday 10 March is worked.
    check_working(&cal, "2025-03-10", true);
    check_working(&cal, "2025-05-02", false);
    check_working(&cal, "2025-05-08", false);
    check_working(&cal, "2025-06-13", false);
    // The working Saturday of 1 November, for Monday 3 November off.
    check_working(&cal, "2025-11-01", true);
    check_working(&cal, "2025-11-02", false);
    check_working(&cal, "2025-11-03", false);
    check_working(&cal, "2025-11-04", false);
    check_working(&cal, "2025-11-05", true);
    check_working(&cal, "2025-12-31", false);
    check_working(&cal, "2025-12-30", true);
}

#[test]
fn working_days_2026() {
    let cal = Calendar::embedded();
    check_working(&cal, "2026-01-09", false);
    check_working(&cal, "2026-01-12", true);
    check_working(&cal, "2026-02-23", false);
    check_working(&cal, "2026-03-09", false);
    check_working(&cal, "2026-05-11", false);
    check_working(&cal, "2026-06-12", false);
    check_working(&cal, "2026-11-04", false);
    check_working(&cal, "2026-11-05", true);
    check_working(&cal, "2026-12-31", false);
}

#[test]
fn periods_in_working_days() {
    let cal = Calendar::embedded();
    // The working Saturday of 28 December 2024 is the first working day after Friday the 27th.
    check_working_days(&cal, "2024-12-27", 1, "2024-12-28");
    // New Year span 2024/2025: 29 December to 8 January are all off.
    check_working_days(&cal, "2024-12-28", 1, "2025-01-09");
    // 23-27 December, the working Saturday 28th, then 9, 10, 13 and 14 January.
    check_working_days(&cal, "2024-12-20", 10, "2025-01-14");
    // New Year span 2025/2026: 31 December to 11 January are all off.
    check_working_days(&cal, "2025-12-30", 1, "2026-01-12");
    check_working_days(&cal, "2025-12-26", 5, "2026-01-14");
    // The working Saturday 1 November 2025 counts.
    check_working_days(&cal, "2025-10-31", 1, "2025-11-01");
    check_working_days(&cal, "2025-10-30", 3, "2025-11-05");
    // May 2025: 1-4 and 8-11 are off.
    check_working_days(&cal, "2025-04-30", 3, "2025-05-07");
    check_working_days(&cal, "2025-05-07", 1, "2025-05-12");
    // A field check of 10 working days starting 30 April 2026 (ст.73): 1-3 and 9-11 May are off.
    check_working_days(&cal, "2026-04-30", 10, "2026-05-18");
    check_working_days(&cal, "2026-02-20", 1, "2026-02-24");
    check_working_days(&cal, "2026-03-06", 1, "2026-03-10");
    // ст.42: 5 working days to decide on refusal, from a Friday; 12 June (Russia Day) is off.
    check_working_days(&cal, "2026-06-05", 5, "2026-06-15");
    // An event on a non-working day: the period still starts the next day.
    check_working_days(&cal, "2026-01-03", 1, "2026-01-12");
}

#[test]
fn periods_in_calendar_days() {
    let cal = Calendar::embedded();
    // Falls on 1 May 2025 (holiday): moves past 2 May and the weekend to Monday 5 May.
    check_calendar_days(&cal, "2025-04-01", 30, "2025-05-05");
    // Falls on 31 December 2025: moves to 12 January 2026.
    check_calendar_days(&cal, "2025-12-01", 30, "2026-01-12");
    // Falls on the working Saturday 1 November 2025: stays.
    check_calendar_days(&cal, "2025-10-02", 30, "2025-11-01");
    // Falls on an ordinary Sunday: Monday.
    check_calendar_days(&cal, "2026-03-01", 14, "2026-03-16");
    // Falls on Monday 11 May 2026 (transferred day off for 9 May): Tuesday.
    check_calendar_days(&cal, "2026-05-01", 10, "2026-05-12");
    // Falls on a working day: stays.
    check_calendar_days(&cal, "2026-03-02", 15, "2026-03-17");
    // ст.49 default: 15 calendar days for an objection, from 20 December 2025: 4 January 2026 is
    // in the New Year holidays, so the last day is 12 January.
    check_calendar_days(&cal, "2025-12-20", 15, "2026-01-12");
}

#[test]
fn outside_the_known_years_is_an_error() {
    let cal = Calendar::embedded();
    assert_eq!(
        cal.is_working_day(date("2022-12-30")),
        Err(CalendarError::UnknownYear(2022))
    );
    assert_eq!(
        cal.add_working_days(date("2022-12-30"), 1),
        Err(CalendarError::UnknownYear(2022))
    );
    // The provisional year is refused unless allowed.
    assert_eq!(
        cal.add_working_days(date("2026-12-30"), 1),
        Err(CalendarError::ProvisionalYear(2027))
    );
    let lenient = Calendar::embedded().allow_provisional(true);
    assert_eq!(
        lenient
            .add_working_days(date("2026-12-30"), 1)
            .map(iso_date::format)
            .as_deref(),
        Ok("2027-01-11")
    );
    assert_eq!(
        lenient.add_working_days(date("2027-12-30"), 5),
        Err(CalendarError::UnknownYear(2028))
    );
    assert_eq!(
        cal.provisional_years_between(date("2026-12-30"), date("2027-01-11")),
        [2027]
    );
    assert_eq!(
        cal.add_working_days(date("2026-03-02"), 0),
        Err(CalendarError::EmptyPeriod)
    );
    assert_eq!(
        cal.calendar_deadline(date("2026-03-02"), 0),
        Err(CalendarError::EmptyPeriod)
    );
    assert!(matches!(
        cal.working_days_between(date("2026-03-02"), date("2026-03-01")),
        Err(CalendarError::Reversed { .. })
    ));
}

fn year_2027_with_decree(days_off_extra: &[&str], total: u32) -> String {
    let base: serde_json::Value = serde_json::from_str(include_str!("years/2027.json")).unwrap();
    let mut doc = base.clone();
    doc["provisional"] = false.into();
    doc["source"] = "Постановление (пример для теста)".into();
    let days_off = doc["days_off"].as_array_mut().unwrap();
    for d in days_off_extra {
        days_off.push((*d).into());
    }
    doc["working_days"] = total.into();
    doc.to_string()
}

#[test]
fn a_file_overrides_a_year() {
    let mut cal = Calendar::embedded();
    let loaded = cal
        .load_json(&year_2027_with_decree(&["2027-11-05", "2027-12-31"], 247))
        .unwrap();
    assert_eq!(loaded, [2027]);
    check_working(&cal, "2027-11-05", false);
    check_working(&cal, "2027-11-08", true);
    check_working_days(&cal, "2026-12-30", 1, "2027-01-11");
}

#[test]
fn bad_files_change_nothing() {
    let mut cal = Calendar::embedded();
    let before = cal.year(2027).cloned();
    let bad = [
        // The declared total does not match the dates.
        year_2027_with_decree(&["2027-11-05"], 247),
        // A day off on a Saturday.
        year_2027_with_decree(&["2027-11-06"], 248),
        // A date of another year.
        year_2027_with_decree(&["2026-11-05"], 249),
        r#"{"year": 2027}"#.to_owned(),
        "not json".to_owned(),
    ];
    for text in bad {
        assert!(cal.load_json(&text).is_err(), "{text}");
        // An array with one bad year loads nothing, not even its good years.
        let good_2026 = include_str!("years/2026.json").replace("№ 1466", "№ 1466 (changed)");
        let both = format!("[{good_2026}, {text}]");
        assert!(cal.load_json(&both).is_err());
        assert_eq!(cal.year(2027).cloned(), before);
        assert!(!cal.year(2026).unwrap().source().contains("changed"));
    }
    // A federal holiday cannot be dropped, even with a matching total.
    let mut doc: serde_json::Value = serde_json::from_str(include_str!("years/2026.json")).unwrap();
    for list in ["holidays", "days_off"] {
        doc[list]
            .as_array_mut()
            .unwrap()
            .retain(|d| d != "2026-11-04");
    }
    doc["working_days"] = 248.into();
    let without_nov_4 = doc.to_string();
    assert!(matches!(
        YearCalendar::from_json(&without_nov_4),
        Err(YearError::MissingHoliday { year: 2026, .. })
    ));
    let no_source = include_str!("years/2026.json").replace(
        "Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе выходных дней в 2026 году»",
        " ",
    );
    assert!(matches!(
        YearCalendar::from_json(&no_source),
        Err(YearError::NoSource { year: 2026 })
    ));
}

#[test]
fn years_round_trip_through_json() {
    let cal = Calendar::embedded();
    for y in cal.years() {
        let again = YearCalendar::from_json(&y.to_json().to_string()).unwrap();
        assert_eq!(&again, y);
    }
}
