use time::Date;

use super::*;

mod periods;
mod regions;

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
    for (year, total) in [
        (2023, 247),
        (2024, 248),
        (2025, 247),
        (2026, 247),
        (2027, 247),
    ] {
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
fn working_days_2027() {
    let cal = Calendar::embedded();
    // ПП 1187 of 17.09.2026: 2 January (a Saturday) moves to Friday 5 November, 3 January (a
    // Sunday) to Friday 31 December.
    check_working(&cal, "2027-01-01", false);
    check_working(&cal, "2027-01-08", false);
    check_working(&cal, "2027-01-11", true);
    // Saturday 20 February is worked for Monday 22 February off; 23 February is a holiday.
    check_working(&cal, "2027-02-19", true);
    check_working(&cal, "2027-02-20", true);
    check_working(&cal, "2027-02-21", false);
    check_working(&cal, "2027-02-22", false);
    check_working(&cal, "2027-02-23", false);
    check_working(&cal, "2027-02-24", true);
    check_working(&cal, "2027-03-08", false);
    // ТК ст.112 ч.2: Saturday 1 May → Monday 3 May, Sunday 9 May → Monday 10 May, Saturday
    // 12 June → Monday 14 June.
    check_working(&cal, "2027-05-03", false);
    check_working(&cal, "2027-05-04", true);
    check_working(&cal, "2027-05-10", false);
    check_working(&cal, "2027-06-11", true);
    check_working(&cal, "2027-06-14", false);
    check_working(&cal, "2027-11-04", false);
    check_working(&cal, "2027-11-05", false);
    check_working(&cal, "2027-11-08", true);
    check_working(&cal, "2027-12-30", true);
    check_working(&cal, "2027-12-31", false);
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
    // New Year span 2026/2027: 31 December 2026 to 10 January 2027 are all off.
    check_working_days(&cal, "2026-12-30", 1, "2027-01-11");
    check_working_days(&cal, "2026-12-29", 1, "2026-12-30");
    // 28, 29, 30 December, then 11-15, 18 and 19 January.
    check_working_days(&cal, "2026-12-25", 10, "2027-01-19");
    // An appeal against an order: 10 working days from its receipt on 24 December 2026 (ст.40).
    check_working_days(&cal, "2026-12-24", 10, "2027-01-18");
    check_working_days(&cal, "2026-12-31", 1, "2027-01-11");
    check_working_days(&cal, "2027-01-05", 5, "2027-01-15");
    // The working Saturday 20 February 2027 counts; 21-23 February are off.
    check_working_days(&cal, "2027-02-19", 1, "2027-02-20");
    check_working_days(&cal, "2027-02-18", 3, "2027-02-24");
    check_working_days(&cal, "2027-02-20", 1, "2027-02-24");
    // May 2027: 1-3 and 8-10 are off.
    check_working_days(&cal, "2027-04-30", 1, "2027-05-04");
    check_working_days(&cal, "2027-04-30", 10, "2027-05-18");
    check_working_days(&cal, "2027-06-11", 1, "2027-06-15");
    // 4 and 5 November, then the weekend.
    check_working_days(&cal, "2027-11-03", 1, "2027-11-08");
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
    // Falls on 31 December 2026 (a day off by ПП 1466): past the New Year holidays of 2027.
    check_calendar_days(&cal, "2026-12-01", 30, "2027-01-11");
    check_calendar_days(&cal, "2026-12-25", 7, "2027-01-11");
    check_calendar_days(&cal, "2026-12-20", 15, "2027-01-11");
    check_calendar_days(&cal, "2026-12-27", 15, "2027-01-11");
    check_calendar_days(&cal, "2026-12-28", 15, "2027-01-12");
    // Falls on the working Saturday 20 February 2027: stays.
    check_calendar_days(&cal, "2027-02-10", 10, "2027-02-20");
    // Falls on Monday 22 February 2027 (the day off for it): past 23 February to the 24th.
    check_calendar_days(&cal, "2027-02-12", 10, "2027-02-24");
    check_calendar_days(&cal, "2027-02-13", 10, "2027-02-24");
    // Falls on Friday 5 November 2027 (transferred from 2 January): Monday 8 November.
    check_calendar_days(&cal, "2027-10-06", 30, "2027-11-08");
}

/// 2028 as ТК ст.112 alone gives it, before its decree: provisional.
fn provisional_2028() -> String {
    serde_json::json!({
        "year": 2028,
        "source": "ТК РФ ст.112 без постановления о переносе выходных дней в 2028 году (пример для теста)",
        "provisional": true,
        "holidays": [
            "2028-01-01", "2028-01-02", "2028-01-03", "2028-01-04", "2028-01-05", "2028-01-06",
            "2028-01-07", "2028-01-08", "2028-02-23", "2028-03-08", "2028-05-01", "2028-05-09",
            "2028-06-12", "2028-11-04"
        ],
        // Saturday 4 November → Monday 6 November by ч.2 ст.112.
        "days_off": [
            "2028-01-03", "2028-01-04", "2028-01-05", "2028-01-06", "2028-01-07", "2028-02-23",
            "2028-03-08", "2028-05-01", "2028-05-09", "2028-06-12", "2028-11-06"
        ],
        "working_weekends": [],
        "working_days": 249
    })
    .to_string()
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
    // A period that runs past the last year held.
    assert_eq!(
        cal.add_working_days(date("2027-12-30"), 1),
        Err(CalendarError::UnknownYear(2028))
    );
    assert_eq!(
        cal.calendar_deadline(date("2027-12-25"), 7),
        Err(CalendarError::UnknownYear(2028))
    );
    assert_eq!(
        cal.working_days_between(date("2027-12-30"), date("2028-01-10")),
        Err(CalendarError::UnknownYear(2028))
    );
    assert_eq!(
        cal.provisional_years_between(date("2026-12-30"), date("2027-01-11")),
        Vec::<i32>::new()
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

#[test]
fn a_provisional_year_needs_consent() {
    let mut cal = Calendar::embedded();
    assert_eq!(cal.load_json(&provisional_2028()), Ok(vec![2028]));
    assert_eq!(
        cal.add_working_days(date("2027-12-30"), 1),
        Err(CalendarError::ProvisionalYear(2028))
    );
    // Counting inside 2027 never looks at 2028.
    check_working_days(&cal, "2027-12-29", 1, "2027-12-30");
    let lenient = cal.clone().allow_provisional(true);
    // 31 December 2027, the weekend, 3-7 January and the weekend are off.
    check_working_days(&lenient, "2027-12-30", 1, "2028-01-10");
    check_calendar_days(&lenient, "2028-10-07", 30, "2028-11-07");
    assert_eq!(
        lenient.provisional_years_between(date("2027-12-30"), date("2028-01-10")),
        [2028]
    );
    assert_eq!(
        lenient.add_working_days(date("2028-12-29"), 1),
        Err(CalendarError::UnknownYear(2029))
    );
}

/// The embedded 2027 with some of its days off dropped or added and a new total.
fn year_2027_edited(drop: &[&str], add: &[&str], total: u32) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(include_str!("years/2027.json")).unwrap();
    doc["source"] = "Постановление (пример для теста)".into();
    let days_off = doc["days_off"].as_array_mut().unwrap();
    days_off.retain(|d| !drop.iter().any(|x| d == x));
    for d in add {
        days_off.push((*d).into());
    }
    doc["working_days"] = total.into();
    doc.to_string()
}

#[test]
fn a_file_overrides_a_year() {
    let mut cal = Calendar::embedded();
    // A decree that left 31 December 2027 worked.
    let loaded = cal
        .load_json(&year_2027_edited(&["2027-12-31"], &[], 248))
        .unwrap();
    assert_eq!(loaded, [2027]);
    assert_eq!(cal.year(2027).unwrap().working_days(), 248);
    check_working(&cal, "2027-12-31", true);
    check_working_days(&cal, "2027-12-30", 1, "2027-12-31");
    check_working_days(&cal, "2026-12-30", 1, "2027-01-11");
}

#[test]
fn bad_files_change_nothing() {
    let mut cal = Calendar::embedded();
    let before = cal.year(2027).cloned();
    let bad = [
        // The declared total does not match the dates.
        year_2027_edited(&["2027-12-31"], &[], 247),
        // A day off on a Saturday.
        year_2027_edited(&[], &["2027-11-06"], 247),
        // A date of another year.
        year_2027_edited(&[], &["2026-11-05"], 247),
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
    // Nor can the working Saturday be a day off.
    let mut doc: serde_json::Value = serde_json::from_str(include_str!("years/2027.json")).unwrap();
    doc["days_off"]
        .as_array_mut()
        .unwrap()
        .push("2027-02-20".into());
    assert!(matches!(
        YearCalendar::from_json(&doc.to_string()),
        Err(YearError::DayOffOnWeekend { year: 2027, .. })
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
