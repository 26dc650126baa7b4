//! Domain enumerations fixed by 248-FZ itself (as opposed to the per-control-type configuration).

use serde::{Deserialize, Serialize};

/// Risk category of a control object (ч.1 ст.23 248-FZ).
///
/// Ordered by risk: `Low < Moderate < ... < ExtremelyHigh`, so `max()` of several assessments is the
/// most severe. An object with no assigned category counts as [`RiskCategory::Low`] (ч.7 ст.23).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskCategory {
    /// низкий риск
    Low,
    /// умеренный риск
    Moderate,
    /// средний риск
    Medium,
    /// значительный риск
    Significant,
    /// высокий риск
    High,
    /// чрезвычайно высокий риск
    ExtremelyHigh,
}

impl RiskCategory {
    /// All six, from the lowest risk to the highest.
    pub const ALL: [RiskCategory; 6] = [
        RiskCategory::Low,
        RiskCategory::Moderate,
        RiskCategory::Medium,
        RiskCategory::Significant,
        RiskCategory::High,
        RiskCategory::ExtremelyHigh,
    ];

    /// The category's name as the law writes it.
    pub fn name_ru(self) -> &'static str {
        match self {
            RiskCategory::Low => "низкий риск",
            RiskCategory::Moderate => "умеренный риск",
            RiskCategory::Medium => "средний риск",
            RiskCategory::Significant => "значительный риск",
            RiskCategory::High => "высокий риск",
            RiskCategory::ExtremelyHigh => "чрезвычайно высокий риск",
        }
    }

    /// The wire name (`extremely_high`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            RiskCategory::Low => "low",
            RiskCategory::Moderate => "moderate",
            RiskCategory::Medium => "medium",
            RiskCategory::Significant => "significant",
            RiskCategory::High => "high",
            RiskCategory::ExtremelyHigh => "extremely_high",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Kind of control (supervisory) measure, КНМ (ст.56 248-FZ).
///
/// ч.2 lists the measures carried out with interaction with the controlled person, ч.3 those
/// without. Interaction matters: only measures with interaction are limited by the moratorium and
/// need the subject's presence, and only they count towards the interaction-hours limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionKind {
    /// контрольная закупка (ст.65)
    TestPurchase,
    /// мониторинговая закупка (ст.66)
    MonitoringPurchase,
    /// выборочный контроль (ст.67)
    SampleCheck,
    /// инспекционный визит (ст.70)
    InspectionVisit,
    /// рейдовый осмотр (ст.71)
    Raid,
    /// документарная проверка (ст.72)
    DocumentCheck,
    /// выездная проверка (ст.73)
    FieldCheck,
    /// наблюдение за соблюдением обязательных требований (ст.74)
    Observation,
    /// выездное обследование (ст.75)
    FieldSurvey,
}

impl InspectionKind {
    /// All nine, in the order of ст.56.
    pub const ALL: [InspectionKind; 9] = [
        InspectionKind::TestPurchase,
        InspectionKind::MonitoringPurchase,
        InspectionKind::SampleCheck,
        InspectionKind::InspectionVisit,
        InspectionKind::Raid,
        InspectionKind::DocumentCheck,
        InspectionKind::FieldCheck,
        InspectionKind::Observation,
        InspectionKind::FieldSurvey,
    ];

    /// Whether the measure involves interaction with the controlled person (ст.56 ч.2 vs ч.3).
    /// The wire name (snake_case, as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            InspectionKind::TestPurchase => "test_purchase",
            InspectionKind::MonitoringPurchase => "monitoring_purchase",
            InspectionKind::SampleCheck => "sample_check",
            InspectionKind::InspectionVisit => "inspection_visit",
            InspectionKind::Raid => "raid",
            InspectionKind::DocumentCheck => "document_check",
            InspectionKind::FieldCheck => "field_check",
            InspectionKind::Observation => "observation",
            InspectionKind::FieldSurvey => "field_survey",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The longest the kind may last, in working days, for an inspection of `places` places:
    /// a field check at most 10 (ст.73), a document check 10 (ст.72), a raid 10 (ст.66), an
    /// inspection visit one working day per place (ст.70). `None`: the law sets no term in
    /// working days for the kind (the regulation of the control type may).
    pub fn max_working_days(self, places: usize) -> Option<u32> {
        match self {
            InspectionKind::FieldCheck | InspectionKind::DocumentCheck | InspectionKind::Raid => {
                Some(10)
            }
            InspectionKind::InspectionVisit => {
                Some(u32::try_from(places.max(1)).unwrap_or(u32::MAX))
            }
            _ => None,
        }
    }

    /// Whether a checklist must be used (ПП 1844: raids and field checks).
    pub fn requires_checklist(self) -> bool {
        matches!(self, InspectionKind::Raid | InspectionKind::FieldCheck)
    }

    pub fn involves_interaction(self) -> bool {
        !matches!(
            self,
            InspectionKind::Observation | InspectionKind::FieldSurvey
        )
    }

    /// The measure's name as the law writes it.
    pub fn name_ru(self) -> &'static str {
        match self {
            InspectionKind::TestPurchase => "контрольная закупка",
            InspectionKind::MonitoringPurchase => "мониторинговая закупка",
            InspectionKind::SampleCheck => "выборочный контроль",
            InspectionKind::InspectionVisit => "инспекционный визит",
            InspectionKind::Raid => "рейдовый осмотр",
            InspectionKind::DocumentCheck => "документарная проверка",
            InspectionKind::FieldCheck => "выездная проверка",
            InspectionKind::Observation => "наблюдение за соблюдением обязательных требований",
            InspectionKind::FieldSurvey => "выездное обследование",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_ordered_by_risk() {
        let mut sorted = RiskCategory::ALL;
        sorted.sort();
        assert_eq!(sorted, RiskCategory::ALL);
        assert!(RiskCategory::ExtremelyHigh > RiskCategory::High);
        assert!(RiskCategory::Moderate > RiskCategory::Low);
        for c in RiskCategory::ALL {
            assert_eq!(RiskCategory::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
    }

    #[test]
    fn kinds_round_trip_and_have_terms() {
        for k in InspectionKind::ALL {
            assert_eq!(InspectionKind::parse(k.as_str()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.as_str()));
        }
        assert_eq!(InspectionKind::FieldCheck.max_working_days(3), Some(10));
        assert_eq!(InspectionKind::InspectionVisit.max_working_days(3), Some(3));
        assert_eq!(InspectionKind::InspectionVisit.max_working_days(0), Some(1));
        assert_eq!(InspectionKind::Observation.max_working_days(1), None);
    }

    #[test]
    fn seven_kinds_interact_and_two_do_not() {
        let without: Vec<_> = InspectionKind::ALL
            .into_iter()
            .filter(|k| !k.involves_interaction())
            .collect();
        assert_eq!(
            without,
            [InspectionKind::Observation, InspectionKind::FieldSurvey]
        );
        assert_eq!(
            serde_json::to_string(&InspectionKind::FieldCheck).unwrap(),
            "\"field_check\""
        );
    }
}
