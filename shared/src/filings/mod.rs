//! What a controlled person files and what the agency decides on it: objections to a warning
//! (ст.49), pre-trial appeals (гл.9, ст.39–43) and declarations of compliance (ст.51) — the
//! kinds, grounds and outcomes the law lists, with their names for people, and the periods of
//! each on the production calendar ([`deadlines`]).

pub mod appeal;
pub mod deadlines;
pub mod declaration;
pub mod objection;

#[cfg(test)]
mod appeal_tests;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

/// What an appeal is against (ч.4 ст.40 248-ФЗ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Appealed {
    /// A decision to hold a control measure.
    MeasureDecision,
    /// An inspection's act.
    Act,
    /// An order to remedy violations: its own, shorter filing period (ч.6 ст.40).
    Order,
    /// Officials' actions or inaction within a control measure.
    OfficialsActions,
    /// A decision on an earlier appeal.
    AppealDecision,
}

impl Appealed {
    pub const ALL: [Appealed; 5] = [
        Appealed::MeasureDecision,
        Appealed::Act,
        Appealed::Order,
        Appealed::OfficialsActions,
        Appealed::AppealDecision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Appealed::MeasureDecision => "measure_decision",
            Appealed::Act => "act",
            Appealed::Order => "order",
            Appealed::OfficialsActions => "officials_actions",
            Appealed::AppealDecision => "appeal_decision",
        }
    }

    pub fn parse(s: &str) -> Option<Appealed> {
        Appealed::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn name_ru(self) -> &'static str {
        match self {
            Appealed::MeasureDecision => "решение о проведении контрольного мероприятия",
            Appealed::Act => "акт контрольного мероприятия",
            Appealed::Order => "предписание",
            Appealed::OfficialsActions => "действия (бездействие) должностных лиц",
            Appealed::AppealDecision => "решение по жалобе",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Appealed::MeasureDecision => "decision to hold a control measure",
            Appealed::Act => "act of a control measure",
            Appealed::Order => "order",
            Appealed::OfficialsActions => "officials' actions or inaction",
            Appealed::AppealDecision => "decision on an appeal",
        }
    }
}

/// The only grounds on which an appeal is refused consideration (ч.1 ст.42 248-ФЗ, as DESIGN.md
/// section 7 lists them; regional grounds such as obscene language are not among them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalGround {
    /// Filed after the period of ч.5–6 ст.40 without a request to restore it.
    LateWithoutRestoration,
    /// Filed late and the request to restore the period refused.
    RestorationRefused,
    /// Withdrawn by the filer before the decision.
    Withdrawn,
    /// A court has decided the questions the appeal raises.
    CourtDecision,
    /// The same person appealed earlier on the same grounds.
    EarlierAppeal,
    /// The form and signature requirements of ч.1–2 ст.40 are not met.
    FormNotMet,
}

impl RefusalGround {
    pub const ALL: [RefusalGround; 6] = [
        RefusalGround::LateWithoutRestoration,
        RefusalGround::RestorationRefused,
        RefusalGround::Withdrawn,
        RefusalGround::CourtDecision,
        RefusalGround::EarlierAppeal,
        RefusalGround::FormNotMet,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefusalGround::LateWithoutRestoration => "late_without_restoration",
            RefusalGround::RestorationRefused => "restoration_refused",
            RefusalGround::Withdrawn => "withdrawn",
            RefusalGround::CourtDecision => "court_decision",
            RefusalGround::EarlierAppeal => "earlier_appeal",
            RefusalGround::FormNotMet => "form_not_met",
        }
    }

    pub fn parse(s: &str) -> Option<RefusalGround> {
        RefusalGround::ALL.into_iter().find(|g| g.as_str() == s)
    }

    pub fn name_ru(self) -> &'static str {
        match self {
            RefusalGround::LateWithoutRestoration => {
                "жалоба подана после истечения срока и не содержит ходатайства о его восстановлении"
            }
            RefusalGround::RestorationRefused => {
                "в восстановлении пропущенного срока подачи жалобы отказано"
            }
            RefusalGround::Withdrawn => "до принятия решения жалоба отозвана",
            RefusalGround::CourtDecision => {
                "имеется решение суда по вопросам, поставленным в жалобе"
            }
            RefusalGround::EarlierAppeal => "ранее подана жалоба того же лица по тем же основаниям",
            RefusalGround::FormNotMet => {
                "жалоба не соответствует требованиям к форме и подписанию (ч.1–2 ст.40)"
            }
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            RefusalGround::LateWithoutRestoration => {
                "filed after the deadline without a request to restore it"
            }
            RefusalGround::RestorationRefused => "the request to restore the deadline was refused",
            RefusalGround::Withdrawn => "withdrawn before the decision",
            RefusalGround::CourtDecision => "a court has decided the questions it raises",
            RefusalGround::EarlierAppeal => "the same person appealed earlier on the same grounds",
            RefusalGround::FormNotMet => {
                "the form and signature requirements (ч.1–2 ст.40) are not met"
            }
        }
    }
}

/// What the agency decides on an appeal it considered (ч.6 ст.43 248-ФЗ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealOutcome {
    /// The appeal left unsatisfied.
    Dismissed,
    /// The decision cancelled in full or in part.
    Cancelled,
    /// The decision cancelled in full and a new decision taken.
    CancelledWithNewDecision,
    /// The officials' actions or inaction found unlawful and a decision on the merits taken.
    ActionsUnlawful,
}

impl AppealOutcome {
    pub const ALL: [AppealOutcome; 4] = [
        AppealOutcome::Dismissed,
        AppealOutcome::Cancelled,
        AppealOutcome::CancelledWithNewDecision,
        AppealOutcome::ActionsUnlawful,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppealOutcome::Dismissed => "dismissed",
            AppealOutcome::Cancelled => "cancelled",
            AppealOutcome::CancelledWithNewDecision => "cancelled_with_new_decision",
            AppealOutcome::ActionsUnlawful => "actions_unlawful",
        }
    }

    pub fn parse(s: &str) -> Option<AppealOutcome> {
        AppealOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn name_ru(self) -> &'static str {
        match self {
            AppealOutcome::Dismissed => "жалоба оставлена без удовлетворения",
            AppealOutcome::Cancelled => "решение отменено полностью или частично",
            AppealOutcome::CancelledWithNewDecision => {
                "решение отменено полностью, принято новое решение"
            }
            AppealOutcome::ActionsUnlawful => {
                "действия (бездействие) должностных лиц признаны незаконными, принято решение по существу"
            }
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            AppealOutcome::Dismissed => "appeal dismissed",
            AppealOutcome::Cancelled => "decision cancelled in full or in part",
            AppealOutcome::CancelledWithNewDecision => "decision cancelled and a new one taken",
            AppealOutcome::ActionsUnlawful => {
                "officials' actions found unlawful and a decision on the merits taken"
            }
        }
    }

    /// Only an appeal against officials' actions can end with them found unlawful; only one
    /// against a decision can end with it cancelled.
    pub fn fits(self, appealed: Appealed) -> bool {
        match self {
            AppealOutcome::Dismissed => true,
            AppealOutcome::ActionsUnlawful => appealed == Appealed::OfficialsActions,
            AppealOutcome::Cancelled | AppealOutcome::CancelledWithNewDecision => {
                appealed != Appealed::OfficialsActions
            }
        }
    }
}

/// SHA-256 of a filing's content as RFC 8785 canonical JSON: what the server's record of a
/// filing it received attests (`content_sha256`), so anyone holding the content can check it.
pub fn content_sha256(content: &serde_json::Value) -> Result<crate::Sha256, serde_json::Error> {
    serde_json_canonicalizer::to_vec(content).map(|bytes| crate::Sha256::digest(&bytes))
}
