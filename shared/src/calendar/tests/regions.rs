//! Regional non-working days over the federal calendar.

use super::*;

fn region(code: &str) -> Calendar {
    Calendar::embedded().with_region(code).unwrap()
}

#[test]
fn embedded_regions_cite_their_laws() {
    assert_eq!(Calendar::region_codes(), ["bashkortostan", "tatarstan"]);
    for r in Calendar::embedded_regions() {
        let years: Vec<i32> = r.years().map(RegionYear::year).collect();
        assert_eq!(years, [2023, 2024, 2025, 2026, 2027], "{}", r.code());
        assert!(r.name().starts_with("Республика "), "{}", r.code());
        assert!(r.law().starts_with("Закон Республики "), "{}", r.code());
        for y in r.years() {
            assert!(!y.holidays().is_empty(), "{} {}", r.code(), y.year());
        }
        // What devices receive reads back the same.
        let again = RegionCalendar::from_json(&r.to_json().to_string()).unwrap();
        assert_eq!(again, r);
    }
    let tatarstan = region("tatarstan");
    let r = tatarstan.region().unwrap();
    assert_eq!((r.code(), r.name()), ("tatarstan", "Республика Татарстан"));
    assert!(r.law().contains("№ 1448-XII"));
    // Its movable holidays of 2027 are not decreed in the data: only the fixed days, provisional.
    let y2027 = r.year(2027).unwrap();
    assert!(y2027.provisional());
    assert_eq!(y2027.days().len(), 2);
    assert!(y2027.source().contains("Ураза-байрам"));
    assert!(r.years().filter(|y| y.provisional()).count() == 1);
    let bashkortostan = region("bashkortostan");
    let r = bashkortostan.region().unwrap();
    assert!(r.law().contains("№ ВС-10/21"));
    assert!(r.years().all(|y| !y.provisional()));
    assert!(r.year(2027).unwrap().source().contains("16.06.2026 № 205"));
    assert!(Calendar::embedded().region().is_none());
}

#[test]
fn regional_days_off() {
    let federal = Calendar::embedded();
    let tatarstan = region("tatarstan");
    let bashkortostan = region("bashkortostan").allow_provisional(false);
    for (day, fed, tat, bash) in [
        // Ураза-байрам 2026 (Friday 20 March) in both republics.
        ("2026-03-20", true, false, false),
        ("2026-03-23", true, true, true),
        // Курбан-байрам 2026, Wednesday 27 May.
        ("2026-05-27", true, false, false),
        // День Республики Татарстан, День Конституции Республики Татарстан.
        ("2025-08-29", true, true, true),
        ("2024-08-30", true, false, true),
        ("2026-11-06", true, false, true),
        // День Республики in Bashkortostan: Wednesday 11 October 2023.
        ("2023-10-11", true, true, false),
        // A regional holiday on a weekend stays where it falls: Sunday 16 June 2024, no transfer.
        ("2024-06-16", false, false, false),
        ("2024-06-17", true, true, true),
        // Bashkortostan 2027: Курбан-байрам on Sunday 16 May moves to Monday 17 May.
        ("2027-05-16", false, false, false),
        ("2027-05-17", true, true, false),
        ("2027-03-09", true, true, false),
        ("2027-10-11", true, true, false),
        // Federal days off stay off everywhere.
        ("2026-01-09", false, false, false),
        ("2027-02-22", false, false, false),
    ] {
        check_working(&federal, day, fed);
        check_working(&bashkortostan, day, bash);
        if !day.starts_with("2027") {
            check_working(&tatarstan, day, tat);
        }
    }
    let lenient = region("tatarstan").allow_provisional(true);
    check_working(&lenient, "2027-08-30", false);
    check_working(&lenient, "2027-11-05", false);
    check_working(&lenient, "2027-03-09", true);
}

#[test]
fn regional_periods() {
    let federal = Calendar::embedded();
    let tatarstan = region("tatarstan");
    let bashkortostan = region("bashkortostan");
    // (calendar, event, working days, last day)
    for (cal, event, n, expected) in [
        (&federal, "2026-03-19", 1, "2026-03-20"),
        (&tatarstan, "2026-03-19", 1, "2026-03-23"),
        (&bashkortostan, "2026-03-19", 1, "2026-03-23"),
        // 4 November (federal) and 6 November (Tatarstan) are off.
        (&federal, "2026-11-03", 3, "2026-11-09"),
        (&tatarstan, "2026-11-03", 3, "2026-11-10"),
        (&bashkortostan, "2026-11-03", 3, "2026-11-09"),
        // A field check of 10 working days over Курбан-байрам 2026 (ст.73).
        (&federal, "2026-05-20", 10, "2026-06-03"),
        (&tatarstan, "2026-05-20", 10, "2026-06-04"),
        // Bashkortostan 2027: 8 March (federal), 9 March (Ураза-байрам).
        (&federal, "2027-03-05", 1, "2027-03-09"),
        (&bashkortostan, "2027-03-05", 1, "2027-03-10"),
        (&federal, "2027-05-14", 1, "2027-05-17"),
        (&bashkortostan, "2027-05-14", 1, "2027-05-18"),
        (&bashkortostan, "2027-10-08", 1, "2027-10-12"),
    ] {
        check_working_days(cal, event, n, expected);
    }
    // A calendar-day period ending on a regional holiday moves past it (ГК ст.193).
    check_calendar_days(&federal, "2026-05-17", 10, "2026-05-27");
    check_calendar_days(&tatarstan, "2026-05-17", 10, "2026-05-28");
    check_calendar_days(&bashkortostan, "2027-10-01", 10, "2027-10-12");
}

#[test]
fn regional_years_not_held_need_consent() {
    // Tatarstan 2027 is provisional: refused, then counted with its fixed days when allowed.
    let tatarstan = region("tatarstan");
    assert_eq!(
        tatarstan.add_working_days(date("2026-12-30"), 1),
        Err(CalendarError::ProvisionalRegionYear {
            region: "tatarstan".into(),
            year: 2027
        })
    );
    check_working_days(&tatarstan, "2026-12-28", 1, "2026-12-29");
    assert_eq!(
        tatarstan.provisional_years_between(date("2026-12-30"), date("2027-01-11")),
        [2027]
    );
    assert!(tatarstan.region_provisional(2027));
    assert!(!tatarstan.region_provisional(2026));
    let lenient = tatarstan.allow_provisional(true);
    check_working_days(&lenient, "2026-12-30", 1, "2027-01-11");
    check_working_days(&lenient, "2027-08-27", 1, "2027-08-31");
    let bashkortostan = region("bashkortostan");
    assert_eq!(
        bashkortostan.provisional_years_between(date("2026-12-30"), date("2027-01-11")),
        Vec::<i32>::new()
    );
    // A federal 2028 from a file, which the regional data do not cover.
    let mut doc: serde_json::Value = serde_json::from_str(&provisional_2028()).unwrap();
    doc["provisional"] = false.into();
    let mut cal = Calendar::embedded();
    cal.load_json(&doc.to_string()).unwrap();
    check_working_days(&cal, "2027-12-30", 1, "2028-01-10");
    let cal = cal.with_region("bashkortostan").unwrap();
    assert_eq!(
        cal.add_working_days(date("2027-12-30"), 1),
        Err(CalendarError::RegionYearMissing {
            region: "bashkortostan".into(),
            year: 2028
        })
    );
    assert_eq!(
        cal.provisional_years_between(date("2027-12-30"), date("2028-01-10")),
        [2028]
    );
    let lenient = cal.allow_provisional(true);
    check_working_days(&lenient, "2027-12-30", 1, "2028-01-10");
    let message = CalendarError::RegionYearMissing {
        region: "bashkortostan".into(),
        year: 2028,
    }
    .to_string();
    assert!(
        message.contains("bashkortostan has no data for 2028"),
        "{message}"
    );
}

#[test]
fn unknown_region_names_the_known_ones() {
    let err = Calendar::embedded().with_region("moscow").unwrap_err();
    assert_eq!(
        err,
        CalendarError::UnknownRegion {
            code: "moscow".into(),
            known: "bashkortostan, tatarstan".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "unknown region \"moscow\"; the regions known are: bashkortostan, tatarstan"
    );
    assert!(Calendar::embedded().with_region("Tatarstan").is_err());
}

/// The embedded Tatarstan document, edited.
fn tatarstan_edited(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut doc: serde_json::Value =
        serde_json::from_str(include_str!("../regions/tatarstan.json")).unwrap();
    edit(&mut doc);
    doc.to_string()
}

#[track_caller]
fn check_refused(text: &str, expected: &str) {
    let err = RegionCalendar::from_json(text).unwrap_err().to_string();
    assert!(err.contains(expected), "{err:?} does not say {expected:?}");
}

#[test]
fn bad_regional_data_is_refused() {
    let day = |date: &str| serde_json::json!({"date": date, "name": "День", "source": "Закон"});
    for (text, expected) in [
        // A transferred day off on a weekend changes nothing: a mistake.
        (
            tatarstan_edited(|d| {
                d["years"][3]["days_off"] = serde_json::json!([day("2026-03-21")])
            }),
            "the day off 2026-03-21 is a weekend day",
        ),
        (
            tatarstan_edited(|d| d["years"][3]["holidays"][0]["date"] = "2025-03-20".into()),
            "tatarstan 2026: date 2025-03-20 is not in that year",
        ),
        (
            tatarstan_edited(|d| d["years"][3]["holidays"][0]["name"] = " ".into()),
            "the day 2026-03-20 needs a name and a source",
        ),
        (
            tatarstan_edited(|d| d["years"][3]["holidays"][0]["source"] = "".into()),
            "the day 2026-03-20 needs a name and a source",
        ),
        (
            tatarstan_edited(|d| {
                d["years"][3]["days_off"] = serde_json::json!([day("2026-03-20")])
            }),
            "2026-03-20 is listed twice",
        ),
        (
            tatarstan_edited(|d| d["years"][2]["year"] = 2026.into()),
            "tatarstan 2026: date 2025-03-30 is not in that year",
        ),
        (
            tatarstan_edited(|d| d["years"][3]["source"] = "".into()),
            "tatarstan 2026: the year's source must be named",
        ),
        (
            tatarstan_edited(|d| d["law"] = "".into()),
            "the law that sets its holidays must be given",
        ),
        (
            tatarstan_edited(|d| d["name"] = "".into()),
            "the region's name",
        ),
        (tatarstan_edited(|d| d["code"] = "Татарстан".into()), "code"),
        (tatarstan_edited(|d| d["code"] = "".into()), "code"),
        (
            tatarstan_edited(|d| d["years"][3]["working_weekends"] = serde_json::json!([])),
            "unknown field",
        ),
        ("[]".to_owned(), "not a regional calendar document"),
    ] {
        check_refused(&text, expected);
    }
    // Two documents for one year, whatever their dates.
    let twice = tatarstan_edited(|d| {
        let y = d["years"][3].clone();
        d["years"].as_array_mut().unwrap().push(y);
    });
    check_refused(&twice, "the year 2026 is given twice");
    // A holiday may fall on a weekend (Курбан-байрам on Sunday 16 June 2024 is in the data).
    let weekend_holiday = tatarstan_edited(|d| {
        d["years"][3]["holidays"] = serde_json::json!([day("2026-03-21")]);
    });
    let r = RegionCalendar::from_json(&weekend_holiday).unwrap();
    assert!(r.year(2026).unwrap().is_day_off(date("2026-03-21")));
}
