//! A pre-trial appeal's course (гл.9 248-ФЗ): received → registered (or refused consideration on
//! a ground of ст.42) → decided with an outcome of ч.6 ст.43, or withdrawn; on the way a request
//! to restore a missed filing period, a request to suspend the appealed decision, one extension
//! and requests for information. [`Appeal::apply`] refuses a step the law does not allow and
//! changes nothing; [`Appeal::due`] gives what the agency owes next and by when.

use serde::{Deserialize, Serialize};
use time::Date;

use super::deadlines::{InfoRequest, Periods};
use super::{AppealOutcome, Appealed, RefusalGround};
use crate::calendar::{Calendar, CalendarError, iso_date};

/// What the filer states when filing (ст.41).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub appealed: Appealed,
    /// When the person learned or should have learned of the violation of its rights; for an
    /// order, when it received the order (ч.5–6 ст.40).
    pub learned_on: Date,
    /// The agency's date of receipt (the filing's registration in the log).
    pub received_on: Date,
    pub restoration_requested: bool,
    pub suspension_requested: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Received,
    Registered { on: Date },
    Refused { on: Date, ground: RefusalGround },
    Decided { on: Date, outcome: AppealOutcome },
    Withdrawn { on: Date },
}

/// One step of the agency or the filer, dated. Stored as JSON (`{"step": "register", "on":
/// "2026-12-01"}`): an appeal's state is its filing replayed through its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    DecideRestoration {
        #[serde(with = "iso_date")]
        on: Date,
        granted: bool,
    },
    Register {
        #[serde(with = "iso_date")]
        on: Date,
    },
    Refuse {
        #[serde(with = "iso_date")]
        on: Date,
        ground: RefusalGround,
    },
    DecideSuspension {
        #[serde(with = "iso_date")]
        on: Date,
        suspend: bool,
    },
    Extend {
        #[serde(with = "iso_date")]
        on: Date,
        reason: String,
    },
    RequestInformation {
        #[serde(with = "iso_date")]
        on: Date,
    },
    InformationReceived {
        #[serde(with = "iso_date")]
        on: Date,
    },
    Withdraw {
        #[serde(with = "iso_date")]
        on: Date,
    },
    Decide {
        #[serde(with = "iso_date")]
        on: Date,
        outcome: AppealOutcome,
    },
}

impl Step {
    /// The step's wire name (the `step` member of its JSON).
    pub fn name(&self) -> &'static str {
        match self {
            Step::DecideRestoration { .. } => "decide_restoration",
            Step::Register { .. } => "register",
            Step::Refuse { .. } => "refuse",
            Step::DecideSuspension { .. } => "decide_suspension",
            Step::Extend { .. } => "extend",
            Step::RequestInformation { .. } => "request_information",
            Step::InformationReceived { .. } => "information_received",
            Step::Withdraw { .. } => "withdraw",
            Step::Decide { .. } => "decide",
        }
    }

    /// The step in words, Russian then English, as the filer is told.
    pub fn text(&self) -> (String, String) {
        match self {
            Step::DecideRestoration { granted: true, .. } => (
                "срок подачи жалобы восстановлен".into(),
                "the filing period is restored".into(),
            ),
            Step::DecideRestoration { granted: false, .. } => (
                "в восстановлении срока подачи жалобы отказано".into(),
                "restoring the filing period is refused".into(),
            ),
            Step::Register { .. } => (
                "жалоба зарегистрирована".into(),
                "the appeal is registered".into(),
            ),
            Step::Refuse { ground, .. } => (
                format!("в рассмотрении жалобы отказано: {}", ground.name_ru()),
                format!("consideration refused: {}", ground.name_en()),
            ),
            Step::DecideSuspension { suspend: true, .. } => (
                "исполнение обжалуемого решения приостановлено".into(),
                "the appealed decision is suspended".into(),
            ),
            Step::DecideSuspension { suspend: false, .. } => (
                "в приостановлении обжалуемого решения отказано".into(),
                "suspending the appealed decision is refused".into(),
            ),
            Step::Extend { reason, .. } => (
                format!("срок рассмотрения жалобы продлён: {reason}"),
                format!("the period of consideration is extended: {reason}"),
            ),
            Step::RequestInformation { .. } => (
                "у заявителя запрошены дополнительные сведения".into(),
                "more information is requested from the filer".into(),
            ),
            Step::InformationReceived { .. } => (
                "запрошенные сведения получены".into(),
                "the requested information is received".into(),
            ),
            Step::Withdraw { .. } => ("жалоба отозвана".into(), "the appeal is withdrawn".into()),
            Step::Decide { outcome, .. } => (
                format!("решение по жалобе: {}", outcome.name_ru()),
                format!("the appeal is decided: {}", outcome.name_en()),
            ),
        }
    }

    pub fn on(&self) -> Date {
        match self {
            Step::DecideRestoration { on, .. }
            | Step::Register { on }
            | Step::Refuse { on, .. }
            | Step::DecideSuspension { on, .. }
            | Step::Extend { on, .. }
            | Step::RequestInformation { on }
            | Step::InformationReceived { on }
            | Step::Withdraw { on }
            | Step::Decide { on, .. } => *on,
        }
    }
}

/// Why a step was refused; the message names the rule, Russian first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppealError {
    #[error(
        "дата шага раньше предыдущего ({0}) / a step cannot be dated before the last one ({0})"
    )]
    BeforeLastStep(Date),
    #[error(
        "жалоба уже рассмотрена, отозвана или оставлена без рассмотрения / the appeal is closed"
    )]
    Closed,
    #[error("жалоба ещё не зарегистрирована / the appeal is not registered yet")]
    NotRegistered,
    #[error("жалоба уже зарегистрирована / the appeal is registered already")]
    AlreadyRegistered,
    #[error(
        "жалоба подана после срока ({due}); зарегистрировать её можно, только восстановив срок по ходатайству / \
         filed after its deadline ({due}); it is registered only if the deadline is restored on request"
    )]
    LateNotRestored { due: Date },
    #[error(
        "ходатайства о восстановлении срока нет или срок не пропущен / there is no restoration to decide"
    )]
    NoRestorationToDecide,
    #[error("основание «{}» здесь неприменимо / the ground \"{}\" does not apply: {reason}", .ground.name_ru(), .ground.name_en())]
    GroundDoesNotApply {
        ground: RefusalGround,
        reason: &'static str,
    },
    #[error(
        "ходатайства о приостановлении нет или оно уже решено / there is no suspension request to decide"
    )]
    NoSuspensionToDecide,
    #[error(
        "срок рассмотрения продлевается один раз, с указанием причины, до его истечения ({due}) / the period is extended once, with a reason, before it ends ({due})"
    )]
    ExtensionRefused { due: Date },
    #[error(
        "предыдущий запрос информации ещё без ответа / an earlier request for information is unanswered"
    )]
    RequestOpen,
    #[error("запроса информации без ответа нет / no request for information is open")]
    NoRequestOpen,
    #[error("исход «{}» не подходит к обжалуемому: {} / the outcome \"{}\" does not fit an appeal against the {}", .outcome.name_ru(), .appealed.name_ru(), .outcome.name_en(), .appealed.name_en())]
    OutcomeDoesNotFit {
        outcome: AppealOutcome,
        appealed: Appealed,
    },
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// What the agency owes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owed {
    /// Register the appeal or refuse to consider it (ст.42).
    Registration,
    /// Decide the request to suspend the appealed decision.
    SuspensionDecision,
    /// Tell the filer what was decided on suspension.
    SuspensionNotice,
    /// Decide the appeal (ч.2 ст.43).
    Decision,
    /// Send the decision to the filer.
    DecisionNotice,
}

impl Owed {
    pub fn as_str(self) -> &'static str {
        match self {
            Owed::Registration => "registration",
            Owed::SuspensionDecision => "suspension_decision",
            Owed::SuspensionNotice => "suspension_notice",
            Owed::Decision => "decision",
            Owed::DecisionNotice => "decision_notice",
        }
    }

    pub fn name_ru(self) -> &'static str {
        match self {
            Owed::Registration => "зарегистрировать или отказать в рассмотрении",
            Owed::SuspensionDecision => "решить о приостановлении",
            Owed::SuspensionNotice => "сообщить о решении по приостановлению",
            Owed::Decision => "рассмотреть жалобу",
            Owed::DecisionNotice => "направить решение заявителю",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Owed::Registration => "register or refuse consideration",
            Owed::SuspensionDecision => "decide on suspension",
            Owed::SuspensionNotice => "tell the filer of the suspension decision",
            Owed::Decision => "decide the appeal",
            Owed::DecisionNotice => "send the decision to the filer",
        }
    }
}

impl Status {
    /// The status's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Registered { .. } => "registered",
            Status::Refused { .. } => "refused",
            Status::Decided { .. } => "decided",
            Status::Withdrawn { .. } => "withdrawn",
        }
    }

    pub fn name_ru(self) -> &'static str {
        match self {
            Status::Received => "поступила",
            Status::Registered { .. } => "зарегистрирована, рассматривается",
            Status::Refused { .. } => "отказано в рассмотрении",
            Status::Decided { .. } => "рассмотрена",
            Status::Withdrawn { .. } => "отозвана",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::Registered { .. } => "registered, under consideration",
            Status::Refused { .. } => "consideration refused",
            Status::Decided { .. } => "decided",
            Status::Withdrawn { .. } => "withdrawn",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appeal {
    pub filed: Filed,
    pub status: Status,
    /// `Some(granted)` once the restoration request is decided.
    pub restoration: Option<bool>,
    /// `Some((decided on, suspended))` once the suspension request is decided.
    pub suspension: Option<(Date, bool)>,
    pub extension: Option<(Date, String)>,
    pub info_requests: Vec<InfoRequest>,
    /// The date of the last step: no step is dated before it.
    last_step: Date,
}

impl Appeal {
    pub fn new(filed: Filed) -> Appeal {
        let last_step = filed.received_on;
        Appeal {
            filed,
            status: Status::Received,
            restoration: None,
            suspension: None,
            extension: None,
            info_requests: Vec::new(),
            last_step,
        }
    }

    /// The last day of the filing period.
    pub fn filing_due(&self, cal: &Calendar, p: &Periods) -> Result<Date, CalendarError> {
        p.appeal_filing_due(cal, self.filed.appealed, self.filed.learned_on)
    }

    /// Whether the appeal was received after its filing period.
    pub fn late(&self, cal: &Calendar, p: &Periods) -> Result<bool, CalendarError> {
        Ok(self.filed.received_on > self.filing_due(cal, p)?)
    }

    fn registered_on(&self) -> Result<Date, AppealError> {
        match self.status {
            Status::Registered { on } => Ok(on),
            Status::Received => Err(AppealError::NotRegistered),
            _ => Err(AppealError::Closed),
        }
    }

    /// Applies a step, or refuses it and changes nothing.
    pub fn apply(&mut self, step: Step, cal: &Calendar, p: &Periods) -> Result<(), AppealError> {
        let on = step.on();
        if on < self.last_step {
            return Err(AppealError::BeforeLastStep(self.last_step));
        }
        if matches!(
            self.status,
            Status::Refused { .. } | Status::Decided { .. } | Status::Withdrawn { .. }
        ) {
            return Err(AppealError::Closed);
        }
        let received = self.status == Status::Received;
        match step {
            Step::DecideRestoration { granted, .. } => {
                let open = received
                    && self.filed.restoration_requested
                    && self.restoration.is_none()
                    && self.late(cal, p)?;
                if !open {
                    return Err(AppealError::NoRestorationToDecide);
                }
                self.restoration = Some(granted);
            }
            Step::Register { on } => {
                if !received {
                    return Err(AppealError::AlreadyRegistered);
                }
                if self.late(cal, p)? && self.restoration != Some(true) {
                    return Err(AppealError::LateNotRestored {
                        due: self.filing_due(cal, p)?,
                    });
                }
                self.status = Status::Registered { on };
            }
            Step::Refuse { on, ground } => {
                if !received {
                    return Err(AppealError::AlreadyRegistered);
                }
                self.ground_applies(ground, cal, p)?;
                self.status = Status::Refused { on, ground };
            }
            Step::DecideSuspension { on, suspend } => {
                self.registered_on()?;
                if !self.filed.suspension_requested || self.suspension.is_some() {
                    return Err(AppealError::NoSuspensionToDecide);
                }
                self.suspension = Some((on, suspend));
            }
            Step::Extend { on, reason } => {
                let due = self.decision_due(cal, p, on)?;
                if self.extension.is_some() || reason.trim().is_empty() || on > due {
                    return Err(AppealError::ExtensionRefused { due });
                }
                self.extension = Some((on, reason));
            }
            Step::RequestInformation { on } => {
                self.registered_on()?;
                if self.info_requests.iter().any(|r| r.answered_on.is_none()) {
                    return Err(AppealError::RequestOpen);
                }
                self.info_requests.push(InfoRequest {
                    requested_on: on,
                    answered_on: None,
                });
            }
            Step::InformationReceived { on } => {
                self.registered_on()?;
                let open = self
                    .info_requests
                    .iter_mut()
                    .find(|r| r.answered_on.is_none())
                    .ok_or(AppealError::NoRequestOpen)?;
                open.answered_on = Some(on);
            }
            Step::Withdraw { on } => {
                // Before registration a withdrawal is a ground to refuse consideration (ст.42);
                // after it, consideration ends.
                self.status = if received {
                    Status::Refused {
                        on,
                        ground: RefusalGround::Withdrawn,
                    }
                } else {
                    Status::Withdrawn { on }
                };
            }
            Step::Decide { on, outcome } => {
                self.registered_on()?;
                if !outcome.fits(self.filed.appealed) {
                    return Err(AppealError::OutcomeDoesNotFit {
                        outcome,
                        appealed: self.filed.appealed,
                    });
                }
                self.status = Status::Decided { on, outcome };
            }
        }
        self.last_step = on;
        Ok(())
    }

    /// Whether a refusal ground fits the facts (the reviewer judges the court decision, the
    /// earlier appeal and the form; the periods are checked here).
    fn ground_applies(
        &self,
        ground: RefusalGround,
        cal: &Calendar,
        p: &Periods,
    ) -> Result<(), AppealError> {
        let late = self.late(cal, p)?;
        let reason = match ground {
            RefusalGround::LateWithoutRestoration if !late => Some("filed in time"),
            RefusalGround::LateWithoutRestoration if self.filed.restoration_requested => {
                Some("restoration was requested: decide it")
            }
            RefusalGround::RestorationRefused if self.restoration != Some(false) => {
                Some("no restoration was refused")
            }
            RefusalGround::Withdrawn => Some("a withdrawal comes from the filer"),
            _ => None,
        };
        match reason {
            Some(reason) => Err(AppealError::GroundDoesNotApply { ground, reason }),
            None => Ok(()),
        }
    }

    /// The last day to decide the appeal, as of `today` (an unanswered request for information
    /// holds the period still up to today).
    pub fn decision_due(
        &self,
        cal: &Calendar,
        p: &Periods,
        today: Date,
    ) -> Result<Date, AppealError> {
        let registered = self.registered_on()?;
        Ok(p.decision_due(
            cal,
            registered,
            self.extension.is_some(),
            &self.info_requests,
            today,
        )?)
    }

    /// What the agency owes next and by when, as of `today`, soonest first; `sent` lists what
    /// was already sent to the filer (the notices).
    pub fn due(
        &self,
        cal: &Calendar,
        p: &Periods,
        today: Date,
        sent: &[Owed],
    ) -> Result<Vec<(Owed, Date)>, AppealError> {
        let mut owed = Vec::new();
        match self.status {
            Status::Received => {
                owed.push((
                    Owed::Registration,
                    p.registration_due(cal, self.filed.received_on)?,
                ));
            }
            Status::Registered { on } => {
                match self.suspension {
                    None if self.filed.suspension_requested => {
                        owed.push((Owed::SuspensionDecision, p.suspension_due(cal, on)?));
                    }
                    Some((decided, _)) if !sent.contains(&Owed::SuspensionNotice) => {
                        owed.push((
                            Owed::SuspensionNotice,
                            p.suspension_notice_due(cal, decided)?,
                        ));
                    }
                    _ => {}
                }
                owed.push((Owed::Decision, self.decision_due(cal, p, today)?));
            }
            Status::Decided { on, .. } | Status::Refused { on, .. }
                if !sent.contains(&Owed::DecisionNotice) =>
            {
                owed.push((Owed::DecisionNotice, p.decision_notice_due(cal, on)?));
            }
            _ => {}
        }
        owed.sort_by_key(|(_, d)| *d);
        Ok(owed)
    }
}
