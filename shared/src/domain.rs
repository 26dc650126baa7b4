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
