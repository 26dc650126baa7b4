//! The planning policy of a control type (data in its rules): which kind of inspection the plan
//! gives each category, and how much of an inspector's time each kind takes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::{InspectionKind, RiskCategory};

/// What one measure takes: a span of working days, each assigned inspector's minutes on each
/// of them (travel excluded: it is the district's), and how many inspectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureLoad {
    pub working_days: u32,
    pub minutes_per_day: u32,
    pub inspectors: u32,
}

/// The plan's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanningRules {
    /// The kind of planned inspection for each category that has one.
    pub kinds: BTreeMap<RiskCategory, InspectionKind>,
    /// The load of each kind. An inspection visit's working days are per place (ст.70).
    pub loads: BTreeMap<InspectionKind, MeasureLoad>,
    /// A mandatory preventive visit: at most 2 hours (ст.52.1), one day.
    pub visit: MeasureLoad,
    /// The checklist (its code) planned measures that need one use (ПП 1844: field checks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checklist: Option<String>,
}

/// Why a planning policy was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error(
        "вид «{}» не может быть плановым / {} cannot be a planned measure",
        .0.name_ru(), .0.as_str()
    )]
    NotPlannable(InspectionKind),
    #[error(
        "для вида «{}» не задана трудоёмкость / no load is given for {}",
        .0.name_ru(), .0.as_str()
    )]
    NoLoad(InspectionKind),
    #[error(
        "трудоёмкость: дни от 1 до срока вида по закону, минуты от 1 до 720, инспекторов от 1 до 10 / a load has 1 day to the kind's legal term, 1 to 720 minutes, 1 to 10 inspectors"
    )]
    Load,
    #[error(
        "профилактический визит длится не более 2 часов в один день / a preventive visit takes at most 2 hours on one day"
    )]
    Visit,
}

impl Default for PlanningRules {
    /// Extremely high risk gets a field check by two inspectors, half-days over 10 working days;
    /// high risk an inspection visit of a working day per place. An example to edit: the
    /// regulation of the control type decides.
    fn default() -> Self {
        let load = |working_days, minutes_per_day, inspectors| MeasureLoad {
            working_days,
            minutes_per_day,
            inspectors,
        };
        Self {
            kinds: BTreeMap::from([
                (RiskCategory::ExtremelyHigh, InspectionKind::FieldCheck),
                (RiskCategory::High, InspectionKind::InspectionVisit),
                (RiskCategory::Significant, InspectionKind::InspectionVisit),
                (RiskCategory::Medium, InspectionKind::DocumentCheck),
                (RiskCategory::Moderate, InspectionKind::DocumentCheck),
            ]),
            loads: BTreeMap::from([
                (InspectionKind::FieldCheck, load(10, 240, 2)),
                (InspectionKind::DocumentCheck, load(10, 60, 1)),
                (InspectionKind::InspectionVisit, load(1, 360, 1)),
            ]),
            visit: load(1, 120, 1),
            checklist: None,
        }
    }
}

impl PlanningRules {
    pub fn validate(&self) -> Result<(), PolicyError> {
        for kind in self.kinds.values() {
            if !kind.may_be_planned() {
                return Err(PolicyError::NotPlannable(*kind));
            }
            if !self.loads.contains_key(kind) {
                return Err(PolicyError::NoLoad(*kind));
            }
        }
        for (kind, l) in &self.loads {
            let term = kind.max_working_days(1).unwrap_or(u32::MAX);
            if l.working_days == 0
                || l.working_days > term
                || !(1..=720).contains(&l.minutes_per_day)
                || !(1..=10).contains(&l.inspectors)
            {
                return Err(PolicyError::Load);
            }
        }
        if self.visit.working_days != 1
            || !(1..=120).contains(&self.visit.minutes_per_day)
            || self.visit.inspectors == 0
        {
            return Err(PolicyError::Visit);
        }
        Ok(())
    }

    /// The load of a planned inspection of `kind` over `places` objects.
    pub fn load(&self, kind: InspectionKind, places: usize) -> Option<MeasureLoad> {
        let mut l = *self.loads.get(&kind)?;
        if kind == InspectionKind::InspectionVisit {
            let places = u32::try_from(places.max(1)).unwrap_or(u32::MAX);
            l.working_days = l.working_days.saturating_mul(places);
        }
        Some(l)
    }
}
