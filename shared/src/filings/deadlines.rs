//! The periods of a controlled person's filings and of the agency's decisions on them, as dates
//! on the production calendar. Every period starts the day after its event (ГК ст.191); a period
//! in calendar days that ends on a non-working day ends on the next working day (ГК ст.193); a
//! period in working days ends on its N-th working day. Dates are the agency's local dates.
//!
//! The periods a regulation may set differently come from the control type's rules; the rest are
//! the law's, kept here as data with their source so that a correction is one line.

use time::Date;

use super::Appealed;
use crate::calendar::{Calendar, CalendarError, period_end_years};
use crate::registry::ControlTypeRules;

/// An agency's request to the filer for more information (ст.43): the consideration period
/// stands still from the request until the answer, at most [`Periods::info_pause_working_days`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InfoRequest {
    pub requested_on: Date,
    /// `None`: not answered yet.
    pub answered_on: Option<Date>,
}

/// Every period, in days of the kind its name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    /// To object to a warning, from its receipt (ст.49 and the regulation; default 15).
    pub objection_filing_days: u32,
    /// To decide an objection, from its receipt (the regulation; default 30).
    pub objection_decision_days: u32,
    /// To appeal, from when the person learned or should have learned of the violation of its
    /// rights (ч.5 ст.40: 30 calendar days).
    pub appeal_filing_days: u32,
    /// To appeal an order, from its receipt (ч.6 ст.40: 10 working days).
    pub order_appeal_filing_working_days: u32,
    /// To register an appeal or refuse to consider it, from its receipt (ч.1 ст.42: 5).
    pub registration_working_days: u32,
    /// To decide a request to suspend the appealed decision, from registration (ст.40: 2;
    /// configurable per control type).
    pub suspension_working_days: u32,
    /// To tell the filer of that decision, from the decision (ст.40: 1).
    pub suspension_notice_working_days: u32,
    /// To consider an appeal, from registration (ч.2 ст.43: 20).
    pub decision_working_days: u32,
    /// The one extension allowed (ч.2 ст.43: up to 20).
    pub extension_working_days: u32,
    /// The longest stand-still for one request for information (ст.43: 5; see the note on
    /// [`Periods::LAW`]).
    pub info_pause_working_days: u32,
    /// To send the decision to the filer, from the decision (ст.43: 1).
    pub decision_notice_working_days: u32,
}

impl Periods {
    /// The law's periods with the defaults of the control-type rules. The 5-working-day limit of
    /// a pause for information and the 1-working-day notices follow the text of ст.40 and ст.43
    /// as the project read it; they are data so that a regulation or a correction changes them.
    pub const LAW: Periods = Periods {
        objection_filing_days: 15,
        objection_decision_days: 30,
        appeal_filing_days: 30,
        order_appeal_filing_working_days: 10,
        registration_working_days: 5,
        suspension_working_days: 2,
        suspension_notice_working_days: 1,
        decision_working_days: 20,
        extension_working_days: 20,
        info_pause_working_days: 5,
        decision_notice_working_days: 1,
    };

    /// The law's periods with those the control type's regulation sets.
    pub fn of(rules: &ControlTypeRules) -> Periods {
        Periods {
            objection_filing_days: rules.objection_filing_days,
            objection_decision_days: rules.objection_decision_days,
            suspension_working_days: rules.appeal_suspension_working_days,
            decision_working_days: rules.appeal_decision_working_days,
            extension_working_days: rules.appeal_extension_working_days,
            ..Periods::LAW
        }
    }

    /// The last day to object to a warning received on `received`.
    pub fn objection_filing_due(
        &self,
        cal: &Calendar,
        received: Date,
    ) -> Result<Date, CalendarError> {
        cal.calendar_deadline(received, self.objection_filing_days)
    }

    /// The last day to decide an objection received on `received`.
    pub fn objection_decision_due(
        &self,
        cal: &Calendar,
        received: Date,
    ) -> Result<Date, CalendarError> {
        cal.calendar_deadline(received, self.objection_decision_days)
    }

    /// The last day to appeal: from receipt of an order, else from when the person learned or
    /// should have learned of the violation of its rights.
    pub fn appeal_filing_due(
        &self,
        cal: &Calendar,
        appealed: Appealed,
        event: Date,
    ) -> Result<Date, CalendarError> {
        match appealed {
            Appealed::Order => cal.add_working_days(event, self.order_appeal_filing_working_days),
            _ => cal.calendar_deadline(event, self.appeal_filing_days),
        }
    }

    /// The last day to register an appeal received on `received`, or refuse to consider it.
    pub fn registration_due(&self, cal: &Calendar, received: Date) -> Result<Date, CalendarError> {
        cal.add_working_days(received, self.registration_working_days)
    }

    /// The last day to decide a request to suspend the appealed decision.
    pub fn suspension_due(&self, cal: &Calendar, registered: Date) -> Result<Date, CalendarError> {
        cal.add_working_days(registered, self.suspension_working_days)
    }

    /// The last day to tell the filer what was decided on suspension.
    pub fn suspension_notice_due(
        &self,
        cal: &Calendar,
        decided: Date,
    ) -> Result<Date, CalendarError> {
        cal.add_working_days(decided, self.suspension_notice_working_days)
    }

    /// The last day to decide an appeal registered on `registered`: the consideration period,
    /// the extension if one was made, and the working days it stood still for each request for
    /// information (an unanswered request counts up to `today`).
    pub fn decision_due(
        &self,
        cal: &Calendar,
        registered: Date,
        extended: bool,
        requests: &[InfoRequest],
        today: Date,
    ) -> Result<Date, CalendarError> {
        let mut days = self.decision_working_days;
        if extended {
            days += self.extension_working_days;
        }
        for r in requests {
            days += self.paused_working_days(cal, r, today)?;
        }
        cal.add_working_days(registered, days)
    }

    /// The working days one request for information holds the consideration period still.
    pub fn paused_working_days(
        &self,
        cal: &Calendar,
        r: &InfoRequest,
        today: Date,
    ) -> Result<u32, CalendarError> {
        let longest = cal.add_working_days(r.requested_on, self.info_pause_working_days)?;
        let until = r.answered_on.unwrap_or(today).min(longest);
        if until <= r.requested_on {
            return Ok(0);
        }
        cal.working_days_between(r.requested_on, until)
    }

    /// The last day to send the decision to the filer.
    pub fn decision_notice_due(
        &self,
        cal: &Calendar,
        decided: Date,
    ) -> Result<Date, CalendarError> {
        cal.add_working_days(decided, self.decision_notice_working_days)
    }
}

/// The last day a declaration of compliance registered on `registered` is valid: one calendar
/// year from registration (ст.51; ГК ст.192 п.1). Not moved to a working day: it is not a period
/// for doing something.
pub fn declaration_valid_until(registered: Date) -> Option<Date> {
    period_end_years(registered, 1)
}

/// Whether a filing made on `filed_on` is in time for the period ending on `due`: the last day
/// counts in full (ГК ст.194).
pub fn in_time(filed_on: Date, due: Date) -> bool {
    filed_on <= due
}
