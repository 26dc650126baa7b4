//! The filings' periods, table-driven, every expected date worked out by hand from the
//! production calendars of 2026 (ПП 1466) and 2027 (ПП 1187): weekends, the New Year holidays
//! from 31 December 2026 to 10 January 2027, Saturday 20 February 2027 worked and 22–23 February
//! off.

use time::Date;

use super::deadlines::{InfoRequest, Periods, declaration_valid_until, in_time};
use super::{AppealOutcome, Appealed, RefusalGround};
use crate::calendar::{Calendar, CalendarError, iso_date};
use crate::registry::ControlTypeRules;

fn d(s: &str) -> Date {
    iso_date::parse(s).unwrap()
}

fn cal() -> Calendar {
    Calendar::embedded()
}

/// (event, due, what the row shows)
type Row = (&'static str, &'static str, &'static str);

#[track_caller]
fn check(rows: &[Row], due: impl Fn(&Calendar, Date) -> Result<Date, CalendarError>) {
    let cal = cal();
    for (event, expected, why) in rows {
        let got = due(&cal, d(event)).map(iso_date::format);
        assert_eq!(got.as_deref(), Ok(*expected), "{event}: {why}");
        // The last day is in time; the day after is late.
        let last = d(expected);
        assert!(in_time(last, last), "{why}");
        assert!(!in_time(last.next_day().unwrap(), last), "{why}");
    }
}

#[test]
fn an_objection_to_a_warning_is_due_15_calendar_days_after_receipt() {
    let p = Periods::LAW;
    check(
        &[
            ("2026-12-02", "2026-12-17", "a Thursday, a working day"),
            (
                "2026-12-16",
                "2027-01-11",
                "31 December off, then the New Year holidays",
            ),
            ("2027-02-04", "2027-02-19", "a Friday"),
            (
                "2027-02-05",
                "2027-02-20",
                "a Saturday worked by the 2027 decree",
            ),
            (
                "2027-02-06",
                "2027-02-24",
                "Sunday, then 22 and 23 February off",
            ),
        ],
        |cal, e| p.objection_filing_due(cal, e),
    );
}

#[test]
fn an_objection_is_decided_within_30_calendar_days() {
    let p = Periods::LAW;
    check(
        &[
            ("2026-11-20", "2026-12-21", "a Sunday moves to Monday"),
            ("2026-12-01", "2027-01-11", "31 December off"),
            ("2026-12-02", "2027-01-11", "1 January off"),
        ],
        |cal, e| p.objection_decision_due(cal, e),
    );
}

#[test]
fn a_regulation_sets_its_own_objection_period() {
    let rules = ControlTypeRules {
        objection_filing_days: 10,
        ..ControlTypeRules::default()
    };
    let p = Periods::of(&rules);
    check(
        &[("2026-12-02", "2026-12-14", "10 days end on a Saturday")],
        |cal, e| p.objection_filing_due(cal, e),
    );
    assert_eq!(p.registration_working_days, 5);
}

#[test]
fn an_appeal_is_due_30_calendar_days_after_the_person_learned() {
    let p = Periods::LAW;
    for appealed in [
        Appealed::MeasureDecision,
        Appealed::Act,
        Appealed::OfficialsActions,
        Appealed::AppealDecision,
    ] {
        check(
            &[
                ("2026-11-30", "2026-12-30", "a Wednesday"),
                (
                    "2026-12-02",
                    "2027-01-11",
                    "1 January off, then the holidays",
                ),
            ],
            |cal, e| p.appeal_filing_due(cal, appealed, e),
        );
    }
}

#[test]
fn an_order_is_appealed_within_10_working_days_of_receipt() {
    let p = Periods::LAW;
    check(
        &[
            (
                "2026-12-21",
                "2027-01-13",
                "7 days in December, 3 after the holidays",
            ),
            (
                "2027-02-12",
                "2027-03-01",
                "Saturday 20 February counts; 22–23 do not",
            ),
        ],
        |cal, e| p.appeal_filing_due(cal, Appealed::Order, e),
    );
}

#[test]
fn an_appeal_is_registered_or_refused_within_5_working_days() {
    let p = Periods::LAW;
    check(
        &[
            (
                "2026-12-24",
                "2027-01-11",
                "4 days in December, the fifth after the holidays",
            ),
            ("2026-12-26", "2027-01-12", "received on a Saturday"),
        ],
        |cal, e| p.registration_due(cal, e),
    );
}

#[test]
fn suspension_is_decided_in_2_working_days_and_told_in_1() {
    let p = Periods::LAW;
    check(
        &[
            (
                "2026-12-30",
                "2027-01-12",
                "registered on the last working day of 2026",
            ),
            (
                "2027-02-18",
                "2027-02-20",
                "the worked Saturday is the second day",
            ),
        ],
        |cal, e| p.suspension_due(cal, e),
    );
    check(
        &[
            ("2027-01-12", "2027-01-13", "the next working day"),
            ("2027-02-20", "2027-02-24", "decided on the worked Saturday"),
        ],
        |cal, e| p.suspension_notice_due(cal, e),
    );
}

#[test]
fn an_appeal_is_decided_in_20_working_days_extended_once_by_20_paused_for_information() {
    let p = Periods::LAW;
    let cal = cal();
    let registered = d("2026-12-14");
    let today = d("2026-12-24");
    let asked = |answered: Option<&str>| InfoRequest {
        requested_on: d("2026-12-23"),
        answered_on: answered.map(d),
    };
    let rows: [(bool, Vec<InfoRequest>, &str, &str); 7] = [
        (
            false,
            vec![],
            "2027-01-20",
            "12 working days in December, 8 in January",
        ),
        (true, vec![], "2027-02-17", "extended by 20 working days"),
        (
            false,
            vec![asked(Some("2026-12-25"))],
            "2027-01-22",
            "answered in 2 days",
        ),
        (
            false,
            vec![asked(Some("2027-01-11"))],
            "2027-01-27",
            "a pause is at most 5 days",
        ),
        (
            false,
            vec![asked(None)],
            "2027-01-21",
            "unanswered: counted up to today",
        ),
        (
            false,
            vec![asked(Some("2026-12-23"))],
            "2027-01-20",
            "answered the same day",
        ),
        (
            true,
            vec![asked(Some("2027-01-11"))],
            "2027-02-25",
            "extended and paused",
        ),
    ];
    for (extended, requests, expected, why) in rows {
        let got = p.decision_due(&cal, registered, extended, &requests, today);
        assert_eq!(got.map(iso_date::format).as_deref(), Ok(expected), "{why}");
    }
}

#[test]
fn the_decision_reaches_the_filer_the_next_working_day() {
    let p = Periods::LAW;
    check(
        &[("2026-12-30", "2027-01-11", "decided on 30 December")],
        |cal, e| p.decision_notice_due(cal, e),
    );
}

#[test]
fn a_deadline_past_the_known_calendar_is_an_error_not_a_guess() {
    let p = Periods::LAW;
    let got = p.objection_filing_due(&cal(), d("2027-12-20"));
    assert_eq!(got, Err(CalendarError::UnknownYear(2028)));
}

#[test]
fn a_declaration_is_valid_one_calendar_year() {
    assert_eq!(
        declaration_valid_until(d("2026-12-03")),
        Some(d("2027-12-03"))
    );
    assert_eq!(
        declaration_valid_until(d("2028-02-29")),
        Some(d("2029-02-28"))
    );
}

#[test]
fn names_read_in_russian_and_english_and_codes_round_trip() {
    for a in Appealed::ALL {
        assert_eq!(Appealed::parse(a.as_str()), Some(a));
        assert_ne!(a.name_ru(), a.name_en());
        let json = serde_json::to_value(a).unwrap();
        assert_eq!(json, a.as_str());
    }
    for g in RefusalGround::ALL {
        assert_eq!(RefusalGround::parse(g.as_str()), Some(g));
        assert_ne!(g.name_ru(), g.name_en());
        assert_eq!(serde_json::to_value(g).unwrap(), g.as_str());
    }
    for o in AppealOutcome::ALL {
        assert_eq!(AppealOutcome::parse(o.as_str()), Some(o));
        assert_ne!(o.name_ru(), o.name_en());
        assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
    }
}

#[test]
fn an_outcome_fits_what_was_appealed() {
    use AppealOutcome::*;
    assert!(ActionsUnlawful.fits(Appealed::OfficialsActions));
    assert!(!ActionsUnlawful.fits(Appealed::Order));
    assert!(!Cancelled.fits(Appealed::OfficialsActions));
    assert!(CancelledWithNewDecision.fits(Appealed::Act));
    assert!(Appealed::ALL.iter().all(|a| Dismissed.fits(*a)));
}

#[test]
fn an_objection_on_its_last_day_is_filed_and_a_day_later_refused_with_the_day() {
    use super::objection::{Objection, ObjectionError, ObjectionStatus};
    let (cal, p) = (cal(), Periods::LAW);
    // Received 16 December: the period ends on 11 January after the holidays.
    let mut o = Objection::file(&cal, &p, d("2026-12-16"), d("2027-01-11")).unwrap();
    assert_eq!(
        Objection::file(&cal, &p, d("2026-12-16"), d("2027-01-12")),
        Err(ObjectionError::Late {
            due: d("2027-01-11")
        })
    );
    let late = ObjectionError::Late {
        due: d("2027-01-11"),
    };
    assert!(
        late.to_string()
            .starts_with("возражение подано после срока")
    );
    assert_eq!(
        Objection::file(&cal, &p, d("2026-12-16"), d("2026-12-15")),
        Err(ObjectionError::BeforeWarning)
    );
    // 30 days from 11 January: 10 February.
    assert_eq!(o.decision_due(&cal, &p), Ok(d("2027-02-10")));
    assert_eq!(
        o.decide(d("2027-01-20"), Some(" ".into())),
        Err(ObjectionError::NoReasons)
    );
    assert_eq!(o.status, ObjectionStatus::Filed);
    o.decide(d("2027-01-20"), None).unwrap();
    assert_eq!(
        o.status,
        ObjectionStatus::WarningWithdrawn {
            on: d("2027-01-20")
        }
    );
    assert_eq!(
        o.decide(d("2027-01-21"), None),
        Err(ObjectionError::Decided)
    );
    let mut r = Objection::file(&cal, &p, d("2026-12-16"), d("2026-12-17")).unwrap();
    r.decide(d("2026-12-28"), Some("нарушение подтверждено".into()))
        .unwrap();
    assert!(matches!(r.status, ObjectionStatus::Rejected { .. }));
}

#[test]
fn a_self_assessment_qualifies_at_the_threshold_and_a_declaration_runs_a_year() {
    use super::declaration::{Answer, DeclarationStatus, Score};
    use Answer::*;
    let all = Score::of(&[Complied, Complied, NotApplicable]);
    assert_eq!((all.complied, all.applicable), (2, 2));
    assert!(all.qualifies(100));
    let most = Score::of(&[Complied, Complied, Complied, NotComplied]);
    assert!(!most.qualifies(100));
    assert!(most.qualifies(75), "exactly at the threshold");
    assert!(!most.qualifies(76));
    assert!(
        !Score::of(&[NotApplicable]).qualifies(1),
        "nothing applicable"
    );

    let filed = DeclarationStatus::Filed;
    assert!(!filed.in_force(d("2026-12-03")));
    let registered = filed.register(d("2026-12-03")).unwrap();
    assert_eq!(
        registered,
        DeclarationStatus::Registered {
            on: d("2026-12-03"),
            valid_until: d("2027-12-03")
        }
    );
    assert!(registered.in_force(d("2026-12-03")));
    assert!(registered.in_force(d("2027-12-03")));
    assert!(!registered.in_force(d("2027-12-04")));
    assert!(!registered.in_force(d("2026-12-02")));
    assert_eq!(registered.register(d("2026-12-04")), None);
    let annulled = DeclarationStatus::Annulled {
        on: d("2027-03-01"),
        reasons: "внеплановая проверка выявила нарушения".into(),
    };
    assert!(!annulled.in_force(d("2027-03-02")));
}
