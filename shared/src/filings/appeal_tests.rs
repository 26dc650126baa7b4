//! An appeal's course: each ст.42 ground, each ч.6 ст.43 outcome, restoration, suspension,
//! extension and requests for information, with the dates owed worked out by hand (2026/27
//! production calendars; see `tests.rs`).

use time::Date;

use super::appeal::{Appeal, AppealError, Filed, Owed, Status, Step};
use super::deadlines::Periods;
use super::{AppealOutcome, Appealed, RefusalGround};
use crate::calendar::{Calendar, iso_date};

fn d(s: &str) -> Date {
    iso_date::parse(s).unwrap()
}

fn filed(appealed: Appealed, learned: &str, received: &str) -> Filed {
    Filed {
        appealed,
        learned_on: d(learned),
        received_on: d(received),
        restoration_requested: false,
        suspension_requested: false,
    }
}

struct Case {
    cal: Calendar,
    p: Periods,
    a: Appeal,
}

impl Case {
    fn new(f: Filed) -> Case {
        Case {
            cal: Calendar::embedded(),
            p: Periods::LAW,
            a: Appeal::new(f),
        }
    }

    #[track_caller]
    fn ok(&mut self, step: Step) {
        let s = format!("{step:?}");
        self.a
            .apply(step, &self.cal, &self.p)
            .unwrap_or_else(|e| panic!("{s}: {e}"));
    }

    /// A refused step: the error, and the appeal exactly as before.
    #[track_caller]
    fn refused(&mut self, step: Step) -> AppealError {
        let before = self.a.clone();
        let e = self.a.apply(step, &self.cal, &self.p).unwrap_err();
        assert_eq!(self.a, before, "a refused step changed the appeal");
        e
    }

    #[track_caller]
    fn owed(&self, today: &str, sent: &[Owed]) -> Vec<(Owed, String)> {
        self.a
            .due(&self.cal, &self.p, d(today), sent)
            .unwrap()
            .into_iter()
            .map(|(o, on)| (o, iso_date::format(on)))
            .collect()
    }
}

fn owed(list: &[(Owed, &str)]) -> Vec<(Owed, String)> {
    list.iter().map(|(o, s)| (*o, (*s).to_owned())).collect()
}

#[test]
fn an_appeal_in_time_is_registered_its_suspension_decided_and_it_is_decided() {
    let mut c = Case::new(Filed {
        suspension_requested: true,
        ..filed(Appealed::Act, "2026-12-02", "2026-12-24")
    });
    assert!(!c.a.late(&c.cal, &c.p).unwrap());
    // 5 working days from 24 December: the fifth falls after the New Year holidays.
    assert_eq!(
        c.owed("2026-12-24", &[]),
        owed(&[(Owed::Registration, "2027-01-11")])
    );
    c.ok(Step::Register {
        on: d("2026-12-30"),
    });
    // Suspension in 2 working days; the decision in 20 from 30 December.
    assert_eq!(
        c.owed("2026-12-30", &[]),
        owed(&[
            (Owed::SuspensionDecision, "2027-01-12"),
            (Owed::Decision, "2027-02-05")
        ])
    );
    c.ok(Step::DecideSuspension {
        on: d("2027-01-11"),
        suspend: true,
    });
    assert_eq!(
        c.owed("2027-01-11", &[]),
        owed(&[
            (Owed::SuspensionNotice, "2027-01-12"),
            (Owed::Decision, "2027-02-05")
        ])
    );
    assert_eq!(
        c.owed("2027-01-11", &[Owed::SuspensionNotice]),
        owed(&[(Owed::Decision, "2027-02-05")])
    );
    assert_eq!(
        c.refused(Step::DecideSuspension {
            on: d("2027-01-12"),
            suspend: false,
        }),
        AppealError::NoSuspensionToDecide
    );
    c.ok(Step::Decide {
        on: d("2027-02-01"),
        outcome: AppealOutcome::Dismissed,
    });
    assert_eq!(
        c.owed("2027-02-01", &[]),
        owed(&[(Owed::DecisionNotice, "2027-02-02")])
    );
    assert_eq!(
        c.refused(Step::Withdraw {
            on: d("2027-02-02")
        }),
        AppealError::Closed
    );
}

#[test]
fn a_late_appeal_without_restoration_is_refused_on_that_ground_only() {
    // Learned 30 November: the period ends on 30 December; received on 31 December.
    let mut c = Case::new(filed(Appealed::Act, "2026-11-30", "2026-12-31"));
    assert!(c.a.late(&c.cal, &c.p).unwrap());
    assert_eq!(
        c.refused(Step::Register {
            on: d("2027-01-11")
        }),
        AppealError::LateNotRestored {
            due: d("2026-12-30")
        }
    );
    assert!(matches!(
        c.refused(Step::Refuse {
            on: d("2027-01-11"),
            ground: RefusalGround::RestorationRefused
        }),
        AppealError::GroundDoesNotApply { .. }
    ));
    assert_eq!(
        c.refused(Step::DecideRestoration {
            on: d("2027-01-11"),
            granted: true
        }),
        AppealError::NoRestorationToDecide
    );
    c.ok(Step::Refuse {
        on: d("2027-01-11"),
        ground: RefusalGround::LateWithoutRestoration,
    });
    assert_eq!(
        c.a.status,
        Status::Refused {
            on: d("2027-01-11"),
            ground: RefusalGround::LateWithoutRestoration
        }
    );
    // The refusal is sent to the filer the next working day.
    assert_eq!(
        c.owed("2027-01-11", &[]),
        owed(&[(Owed::DecisionNotice, "2027-01-12")])
    );
}

#[test]
fn a_late_appeal_with_restoration_is_registered_if_granted_and_refused_if_not() {
    let late = Filed {
        restoration_requested: true,
        ..filed(Appealed::MeasureDecision, "2026-11-30", "2026-12-31")
    };
    let mut granted = Case::new(late.clone());
    granted.ok(Step::DecideRestoration {
        on: d("2027-01-11"),
        granted: true,
    });
    granted.ok(Step::Register {
        on: d("2027-01-11"),
    });

    let mut refused = Case::new(late);
    // Restoration was asked for: that request is decided, not ignored.
    assert!(matches!(
        refused.refused(Step::Refuse {
            on: d("2027-01-11"),
            ground: RefusalGround::LateWithoutRestoration
        }),
        AppealError::GroundDoesNotApply { .. }
    ));
    refused.ok(Step::DecideRestoration {
        on: d("2027-01-11"),
        granted: false,
    });
    assert!(matches!(
        refused.refused(Step::Register {
            on: d("2027-01-11")
        }),
        AppealError::LateNotRestored { .. }
    ));
    refused.ok(Step::Refuse {
        on: d("2027-01-12"),
        ground: RefusalGround::RestorationRefused,
    });
}

#[test]
fn an_appeal_in_time_is_not_refused_as_late() {
    let mut c = Case::new(filed(Appealed::Act, "2026-12-02", "2027-01-11"));
    assert!(!c.a.late(&c.cal, &c.p).unwrap(), "the last day is in time");
    for ground in [
        RefusalGround::LateWithoutRestoration,
        RefusalGround::RestorationRefused,
    ] {
        assert!(matches!(
            c.refused(Step::Refuse {
                on: d("2027-01-12"),
                ground
            }),
            AppealError::GroundDoesNotApply { .. }
        ));
    }
    // One day later it is late.
    let c = Case::new(filed(Appealed::Act, "2026-12-02", "2027-01-12"));
    assert!(c.a.late(&c.cal, &c.p).unwrap());
}

#[test]
fn the_reviewers_grounds_refuse_before_registration_only() {
    for ground in [
        RefusalGround::CourtDecision,
        RefusalGround::EarlierAppeal,
        RefusalGround::FormNotMet,
    ] {
        let mut c = Case::new(filed(Appealed::Order, "2026-12-21", "2026-12-22"));
        c.ok(Step::Refuse {
            on: d("2026-12-23"),
            ground,
        });
        let mut c = Case::new(filed(Appealed::Order, "2026-12-21", "2026-12-22"));
        c.ok(Step::Register {
            on: d("2026-12-23"),
        });
        assert_eq!(
            c.refused(Step::Refuse {
                on: d("2026-12-24"),
                ground
            }),
            AppealError::AlreadyRegistered
        );
    }
}

#[test]
fn a_withdrawal_refuses_consideration_before_registration_and_ends_it_after() {
    let mut c = Case::new(filed(Appealed::Act, "2026-12-02", "2026-12-03"));
    assert!(matches!(
        c.refused(Step::Refuse {
            on: d("2026-12-04"),
            ground: RefusalGround::Withdrawn
        }),
        AppealError::GroundDoesNotApply { .. }
    ));
    c.ok(Step::Withdraw {
        on: d("2026-12-04"),
    });
    assert_eq!(
        c.a.status,
        Status::Refused {
            on: d("2026-12-04"),
            ground: RefusalGround::Withdrawn
        }
    );
    let mut c = Case::new(filed(Appealed::Act, "2026-12-02", "2026-12-03"));
    c.ok(Step::Register {
        on: d("2026-12-04"),
    });
    c.ok(Step::Withdraw {
        on: d("2026-12-07"),
    });
    assert_eq!(
        c.a.status,
        Status::Withdrawn {
            on: d("2026-12-07")
        }
    );
    assert_eq!(
        c.refused(Step::Decide {
            on: d("2026-12-08"),
            outcome: AppealOutcome::Dismissed
        }),
        AppealError::Closed
    );
}

#[test]
fn an_order_is_appealed_within_10_working_days_of_receipt() {
    let c = Case::new(filed(Appealed::Order, "2026-12-21", "2027-01-13"));
    assert!(!c.a.late(&c.cal, &c.p).unwrap());
    let c = Case::new(filed(Appealed::Order, "2026-12-21", "2027-01-14"));
    assert!(c.a.late(&c.cal, &c.p).unwrap());
}

#[test]
fn every_outcome_is_taken_where_it_fits_and_refused_where_it_does_not() {
    let fits = [
        (Appealed::Act, AppealOutcome::Dismissed),
        (Appealed::Order, AppealOutcome::Cancelled),
        (
            Appealed::MeasureDecision,
            AppealOutcome::CancelledWithNewDecision,
        ),
        (Appealed::OfficialsActions, AppealOutcome::ActionsUnlawful),
        (Appealed::AppealDecision, AppealOutcome::Cancelled),
    ];
    for (appealed, outcome) in fits {
        let mut c = Case::new(filed(appealed, "2026-12-14", "2026-12-15"));
        c.ok(Step::Register {
            on: d("2026-12-16"),
        });
        c.ok(Step::Decide {
            on: d("2026-12-28"),
            outcome,
        });
        assert_eq!(
            c.a.status,
            Status::Decided {
                on: d("2026-12-28"),
                outcome
            }
        );
    }
    let mut c = Case::new(filed(Appealed::Order, "2026-12-14", "2026-12-15"));
    c.ok(Step::Register {
        on: d("2026-12-16"),
    });
    assert_eq!(
        c.refused(Step::Decide {
            on: d("2026-12-28"),
            outcome: AppealOutcome::ActionsUnlawful
        }),
        AppealError::OutcomeDoesNotFit {
            outcome: AppealOutcome::ActionsUnlawful,
            appealed: Appealed::Order
        }
    );
    assert_eq!(
        c.refused(Step::Decide {
            on: d("2026-12-15"),
            outcome: AppealOutcome::Dismissed
        }),
        AppealError::BeforeLastStep(d("2026-12-16"))
    );
}

#[test]
fn the_period_is_extended_once_with_a_reason_before_it_ends_and_paused_for_information() {
    let mut c = Case::new(filed(Appealed::Act, "2026-12-10", "2026-12-11"));
    assert_eq!(
        c.refused(Step::RequestInformation {
            on: d("2026-12-12")
        }),
        AppealError::NotRegistered
    );
    c.ok(Step::Register {
        on: d("2026-12-14"),
    });
    // 20 working days from 14 December end on 20 January.
    let due =
        |c: &Case, today: &str| iso_date::format(c.a.decision_due(&c.cal, &c.p, d(today)).unwrap());
    assert_eq!(due(&c, "2026-12-14"), "2027-01-20");
    c.ok(Step::RequestInformation {
        on: d("2026-12-23"),
    });
    assert_eq!(
        c.refused(Step::RequestInformation {
            on: d("2026-12-24")
        }),
        AppealError::RequestOpen
    );
    // Unanswered: the period stands still up to today (1 working day by the 24th).
    assert_eq!(due(&c, "2026-12-24"), "2027-01-21");
    c.ok(Step::InformationReceived {
        on: d("2026-12-25"),
    });
    assert_eq!(due(&c, "2027-01-11"), "2027-01-22");
    assert_eq!(
        c.refused(Step::InformationReceived {
            on: d("2026-12-28")
        }),
        AppealError::NoRequestOpen
    );
    assert!(matches!(
        c.refused(Step::Extend {
            on: d("2027-01-11"),
            reason: "  ".into()
        }),
        AppealError::ExtensionRefused { .. }
    ));
    c.ok(Step::Extend {
        on: d("2027-01-11"),
        reason: "нужна экспертиза / an expert opinion is needed".into(),
    });
    // 20 + 20 + 2 paused: 19 February.
    assert_eq!(due(&c, "2027-01-11"), "2027-02-19");
    assert_eq!(
        c.refused(Step::Extend {
            on: d("2027-01-12"),
            reason: "ещё раз".into()
        }),
        AppealError::ExtensionRefused {
            due: d("2027-02-19")
        }
    );
}

#[test]
fn an_extension_after_the_period_ended_is_refused() {
    let mut c = Case::new(filed(Appealed::Act, "2026-12-10", "2026-12-11"));
    c.ok(Step::Register {
        on: d("2026-12-14"),
    });
    assert_eq!(
        c.refused(Step::Extend {
            on: d("2027-01-21"),
            reason: "поздно".into()
        }),
        AppealError::ExtensionRefused {
            due: d("2027-01-20")
        }
    );
}

#[test]
fn refusals_read_russian_first() {
    let e = AppealError::OutcomeDoesNotFit {
        outcome: AppealOutcome::ActionsUnlawful,
        appealed: Appealed::Order,
    };
    let text = e.to_string();
    assert!(text.starts_with("исход «действия"), "{text}");
    assert!(text.contains(" / the outcome"), "{text}");
}
