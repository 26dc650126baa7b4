//! Self-assessment and the declaration of compliance (ст.51): the business answers each
//! requirement of the control type's questionnaire; the score is the share of applicable
//! requirements complied with; a score at the rules' threshold lets it declare compliance. A
//! registered declaration is in force one calendar year from registration unless replaced by
//! an updated one or annulled after an unplanned inspection found violations or false answers.

use serde::{Deserialize, Serialize};
use time::Date;

use super::deadlines::declaration_valid_until;

/// The business's answer to one requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Complied,
    NotComplied,
    NotApplicable,
}

/// The score of a self-assessment: requirements complied with of those applicable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Score {
    pub complied: u32,
    pub applicable: u32,
}

impl Score {
    pub fn of(answers: &[Answer]) -> Score {
        let count = |a: Answer| answers.iter().filter(|x| **x == a).count() as u32;
        let complied = count(Answer::Complied);
        Score {
            complied,
            applicable: complied + count(Answer::NotComplied),
        }
    }

    /// Whether the score reaches `threshold_percent` (the rules'; default 100). A questionnaire
    /// with nothing applicable declares nothing.
    pub fn qualifies(&self, threshold_percent: u32) -> bool {
        self.applicable > 0
            && u64::from(self.complied) * 100
                >= u64::from(threshold_percent) * u64::from(self.applicable)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeclarationStatus {
    /// Filed, awaiting the reviewer (or registered at once when the rules say so).
    Filed,
    Registered {
        on: Date,
        valid_until: Date,
    },
    /// Refused registration, with reasons.
    Refused {
        on: Date,
        reasons: String,
    },
    /// Replaced by an updated declaration.
    Replaced {
        on: Date,
    },
    /// Annulled after an unplanned inspection (a server-signed decision).
    Annulled {
        on: Date,
        reasons: String,
    },
}

impl DeclarationStatus {
    /// Whether the declaration is in force on `day`.
    pub fn in_force(&self, day: Date) -> bool {
        match self {
            DeclarationStatus::Registered { on, valid_until } => *on <= day && day <= *valid_until,
            _ => false,
        }
    }

    /// Registers a filed declaration on `on`; `None` if it is not awaiting registration.
    pub fn register(&self, on: Date) -> Option<DeclarationStatus> {
        match self {
            DeclarationStatus::Filed => Some(DeclarationStatus::Registered {
                on,
                valid_until: declaration_valid_until(on)?,
            }),
            _ => None,
        }
    }
}
