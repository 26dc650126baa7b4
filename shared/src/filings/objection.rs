//! An objection to a warning (ст.49): filed within the control type's period from receipt of the
//! warning (a late one is refused with the last day shown), decided within its period: the
//! warning withdrawn, or the objection rejected with reasons.

use time::Date;

use super::deadlines::{Periods, in_time};
use crate::calendar::{Calendar, CalendarError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectionStatus {
    Filed,
    /// The warning withdrawn: the objection upheld.
    WarningWithdrawn {
        on: Date,
    },
    Rejected {
        on: Date,
        reasons: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objection {
    pub warning_received: Date,
    pub filed_on: Date,
    pub status: ObjectionStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectionError {
    #[error(
        "возражение подано после срока: последний день — {due} / the objection is late: the last day was {due}"
    )]
    Late { due: Date },
    #[error(
        "возражение подано раньше, чем получено предостережение / filed before the warning was received"
    )]
    BeforeWarning,
    #[error("по возражению уже принято решение / the objection is decided already")]
    Decided,
    #[error(
        "решение не может быть датировано раньше возражения / a decision cannot predate the objection"
    )]
    BeforeFiling,
    #[error("отказ должен быть мотивирован / a rejection states its reasons")]
    NoReasons,
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl Objection {
    /// Files an objection, refusing a late one with its last day.
    pub fn file(
        cal: &Calendar,
        p: &Periods,
        warning_received: Date,
        filed_on: Date,
    ) -> Result<Objection, ObjectionError> {
        if filed_on < warning_received {
            return Err(ObjectionError::BeforeWarning);
        }
        let due = p.objection_filing_due(cal, warning_received)?;
        if !in_time(filed_on, due) {
            return Err(ObjectionError::Late { due });
        }
        Ok(Objection {
            warning_received,
            filed_on,
            status: ObjectionStatus::Filed,
        })
    }

    /// The last day to decide it.
    pub fn decision_due(&self, cal: &Calendar, p: &Periods) -> Result<Date, CalendarError> {
        p.objection_decision_due(cal, self.filed_on)
    }

    /// Withdraws the warning (`reasons` `None`) or rejects the objection with reasons.
    pub fn decide(&mut self, on: Date, reasons: Option<String>) -> Result<(), ObjectionError> {
        if self.status != ObjectionStatus::Filed {
            return Err(ObjectionError::Decided);
        }
        if on < self.filed_on {
            return Err(ObjectionError::BeforeFiling);
        }
        self.status = match reasons {
            None => ObjectionStatus::WarningWithdrawn { on },
            Some(r) if r.trim().is_empty() => return Err(ObjectionError::NoReasons),
            Some(reasons) => ObjectionStatus::Rejected { on, reasons },
        };
        Ok(())
    }
}
