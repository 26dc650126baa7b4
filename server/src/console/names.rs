//! Names a person reads for the codes the server keeps (statuses, kinds, grounds): Russian,
//! then English. A page never shows a raw code where a name exists.

use crate::model::InspectionStatus;

/// An inspection status's name.
pub(crate) fn status(s: InspectionStatus) -> (&'static str, &'static str) {
    match s {
        InspectionStatus::Draft => ("Черновик", "Draft"),
        InspectionStatus::Scheduled => ("Запланирована", "Scheduled"),
        InspectionStatus::InProgress => ("Проводится", "In progress"),
        InspectionStatus::Completed => ("Завершена", "Completed"),
        InspectionStatus::Closed => ("Закрыта", "Closed"),
        InspectionStatus::Cancelled => ("Отменена", "Cancelled"),
    }
}

use knd_shared::domain::{Ground, InspectionKind, RiskCategory};

/// A control measure's kind (the law's Russian name, with its article in English).
pub(crate) fn kind(k: InspectionKind) -> (&'static str, &'static str) {
    let en = match k {
        InspectionKind::TestPurchase => "test purchase (art. 67)",
        InspectionKind::MonitoringPurchase => "monitoring purchase (art. 68)",
        InspectionKind::SampleCheck => "sample check (art. 69)",
        InspectionKind::InspectionVisit => "inspection visit (art. 70)",
        InspectionKind::Raid => "raid (art. 71)",
        InspectionKind::DocumentCheck => "document check (art. 72)",
        InspectionKind::FieldCheck => "field check (art. 73)",
        InspectionKind::Observation => "observation of compliance (art. 74)",
        InspectionKind::FieldSurvey => "field survey (art. 75)",
        InspectionKind::PreventiveVisit => "mandatory preventive visit (art. 52)",
    };
    (k.name_ru(), en)
}

/// The ground of a control measure (ч.1 ст.57).
pub(crate) fn ground(g: Ground) -> (&'static str, &'static str) {
    let en = match g {
        Ground::HarmOrRiskIndicator => {
            "harm to protected values or a risk indicator (art. 57(1)(1))"
        }
        Ground::Plan => "the plan of planned control measures (art. 57(1)(2))",
        Ground::Instruction => "an instruction of the President or the Government (art. 57(1)(3))",
        Ground::ProsecutorDemand => "a prosecutor's demand (art. 57(1)(4))",
        Ground::OrderDeadline => "an order's deadline has passed (art. 57(1)(5))",
        Ground::ProgrammeEvent => "an event named in the inspection programme (art. 57(1)(6))",
        Ground::Other => "another ground of art. 57(1)",
        Ground::Unspecified => "no ground given (to be corrected)",
    };
    (g.name_ru(), en)
}

/// A risk category (ст.23).
pub(crate) fn risk(c: RiskCategory) -> (&'static str, &'static str) {
    let en = match c {
        RiskCategory::Low => "low risk",
        RiskCategory::Moderate => "moderate risk",
        RiskCategory::Medium => "medium risk",
        RiskCategory::Significant => "significant risk",
        RiskCategory::High => "high risk",
        RiskCategory::ExtremelyHigh => "extremely high risk",
    };
    (c.name_ru(), en)
}
