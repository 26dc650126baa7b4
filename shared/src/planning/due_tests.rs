//! Table-driven tests of the periodicity of planned inspections and of ПП 1511's visits.

use time::macros::date;

use super::*;
use crate::registry::{EducationFacility, ObjectAttributes};

/// (every N years, the last measure, the category decision, the year, what is expected)
type Case = (
    Option<u32>,
    Option<&'static str>,
    Option<&'static str>,
    i32,
    Due,
);

fn d(s: &str) -> Date {
    crate::calendar::iso_date::parse(s).unwrap()
}

#[test]
fn periodicity_of_planned_inspections() {
    // (every N years, last planned inspection, category decision, year, expected)
    let cases: &[Case] = &[
        // Extremely high, once a year: inspected 10.03.2026, due again 10.03.2027.
        (
            Some(1),
            Some("2026-03-10"),
            None,
            2027,
            Due::InYear {
                from: d("2027-03-10"),
                overdue_days: 0,
                counted_from: Some(d("2026-03-10")),
            },
        ),
        // High, once per 2 years: inspected in 2026, not due in 2027, due from 10.03.2028.
        (
            Some(2),
            Some("2026-03-10"),
            None,
            2027,
            Due::Later {
                from: d("2028-03-10"),
            },
        ),
        // The last inspection wins over the decision.
        (
            Some(2),
            Some("2025-06-01"),
            Some("2026-11-20"),
            2027,
            Due::InYear {
                from: d("2027-06-01"),
                overdue_days: 0,
                counted_from: Some(d("2025-06-01")),
            },
        ),
        // Never inspected: from the decision.
        (
            Some(2),
            None,
            Some("2024-05-15"),
            2027,
            Due::InYear {
                from: d("2027-01-01"),
                overdue_days: 231,
                counted_from: Some(d("2024-05-15")),
            },
        ),
        // 29 February + 1 year ends on 28 February (ГК ст.192).
        (
            Some(1),
            Some("2024-02-29"),
            None,
            2025,
            Due::InYear {
                from: d("2025-02-28"),
                overdue_days: 0,
                counted_from: Some(d("2024-02-29")),
            },
        ),
        // Due on 31 December is due in the year; on 1 January of the next, not.
        (
            Some(1),
            Some("2026-12-31"),
            None,
            2027,
            Due::InYear {
                from: d("2027-12-31"),
                overdue_days: 0,
                counted_from: Some(d("2026-12-31")),
            },
        ),
        (
            Some(1),
            Some("2027-01-01"),
            None,
            2027,
            Due::Later {
                from: d("2028-01-01"),
            },
        ),
        // Nothing to count from: due at once.
        (
            Some(1),
            None,
            None,
            2027,
            Due::InYear {
                from: d("2027-01-01"),
                overdue_days: 0,
                counted_from: None,
            },
        ),
        // Low risk: no planned inspections.
        (None, Some("2020-01-01"), None, 2027, Due::Never),
    ];
    for (i, (n, last, decided, year, want)) in cases.iter().enumerate() {
        let got = inspection_due(*n, last.map(d), decided.map(d), *year);
        assert_eq!(got, *want, "case {i}");
    }
}

#[test]
fn preventive_visits_of_pp_1511() {
    // (category's years: significant 3, medium 5, moderate 6), last counted visit, decision, year
    let cases: &[Case] = &[
        // Significant: decided 01.02.2024 → a visit from 01.02.2027.
        (
            Some(3),
            None,
            Some("2024-02-01"),
            2027,
            Due::InYear {
                from: d("2027-02-01"),
                overdue_days: 0,
                counted_from: Some(d("2024-02-01")),
            },
        ),
        // ... but not in 2026.
        (
            Some(3),
            None,
            Some("2024-02-01"),
            2026,
            Due::Later {
                from: d("2027-02-01"),
            },
        ),
        // Medium: visited 15.09.2022 → from 15.09.2027.
        (
            Some(5),
            Some("2022-09-15"),
            Some("2021-01-10"),
            2027,
            Due::InYear {
                from: d("2027-09-15"),
                overdue_days: 0,
                counted_from: Some(d("2022-09-15")),
            },
        ),
        // A new decision after the visit starts the count again.
        (
            Some(5),
            Some("2022-09-15"),
            Some("2025-04-01"),
            2027,
            Due::Later {
                from: d("2030-04-01"),
            },
        ),
        // Moderate: 6 years; decided in 2019 and never visited: overdue since 10.10.2025.
        (
            Some(6),
            None,
            Some("2019-10-10"),
            2027,
            Due::InYear {
                from: d("2027-01-01"),
                overdue_days: 448,
                counted_from: Some(d("2019-10-10")),
            },
        ),
        (
            Some(6),
            None,
            Some("2021-10-10"),
            2027,
            Due::InYear {
                from: d("2027-10-10"),
                overdue_days: 0,
                counted_from: Some(d("2021-10-10")),
            },
        ),
    ];
    for (i, (n, last, decided, year, want)) in cases.iter().enumerate() {
        let got = visit_due(*n, last.map(d), decided.map(d), *year);
        assert_eq!(got, *want, "case {i}");
    }
    assert_eq!(
        visit_due(None, None, Some(d("2020-01-01")), 2027),
        Due::Never
    );
}

#[test]
fn the_visit_after_a_notice_of_starting_activity() {
    // Within 6 months of the notice, from the next day.
    assert_eq!(
        startup_visit_window(d("2027-03-15"), 2027),
        Some((d("2027-03-16"), d("2027-09-15")))
    );
    // A notice in late 2026 leaves the first months of 2027.
    assert_eq!(
        startup_visit_window(d("2026-10-31"), 2027),
        Some((d("2027-01-01"), d("2027-04-30")))
    );
    assert_eq!(startup_visit_window(d("2026-05-01"), 2027), None);
}

#[test]
fn the_moratorium_decides_the_days() {
    let rules = ControlTypeRules::default();
    let plain = ObjectAttributes::default();
    let year = year_bounds(2027).unwrap();
    assert_eq!(
        moratorium_window(&rules, RiskCategory::High, &plain, 2027),
        Some(year)
    );
    assert_eq!(
        moratorium_window(&rules, RiskCategory::Medium, &plain, 2027),
        None
    );
    let school = ObjectAttributes {
        education_facility: Some(EducationFacility::School),
        ..ObjectAttributes::default()
    };
    assert_eq!(
        moratorium_window(&rules, RiskCategory::High, &school, 2027),
        None
    );
    // The moratorium ends on 31.12.2029: from 2030 every category with a periodicity is allowed.
    assert_eq!(
        moratorium_window(&rules, RiskCategory::Medium, &plain, 2030),
        year_bounds(2030)
    );
    // One ending mid-year leaves the days after it.
    let mut mid = rules.clone();
    if let Some(m) = mid.moratorium.as_mut() {
        m.last_day = date!(2027 - 06 - 30);
    }
    assert_eq!(
        moratorium_window(&mid, RiskCategory::Medium, &plain, 2027),
        Some((d("2027-07-01"), d("2027-12-31")))
    );
    let mut lifted = rules;
    lifted.moratorium = None;
    assert_eq!(
        moratorium_window(&lifted, RiskCategory::Low, &plain, 2027),
        Some(year)
    );
}
