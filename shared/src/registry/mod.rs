//! Reference data of a control type: the rules its regulation (положение о виде контроля) sets.
//! DESIGN.md section 7 marks these *config*; the defaults below are the typical values it gives.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::domain::RiskCategory;
use crate::planning::{IndicatorRule, PlanningRules, RiskModel};

mod moratorium;

pub use moratorium::{
    EducationFacility, Moratorium, MoratoriumRefusal, ObjectAttributes, ObjectAttributesError,
};

/// Size class of a controlled person (ФЗ-209: micro, small, medium enterprise; large otherwise).
/// It bounds interaction time: 50 hours of a field check for a small enterprise, 15 for a micro
/// one (ст.73).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeClass {
    Micro,
    Small,
    Medium,
    Large,
}

impl SizeClass {
    pub const ALL: [SizeClass; 4] = [
        SizeClass::Micro,
        SizeClass::Small,
        SizeClass::Medium,
        SizeClass::Large,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SizeClass::Micro => "micro",
            SizeClass::Small => "small",
            SizeClass::Medium => "medium",
            SizeClass::Large => "large",
        }
    }

    pub fn parse(s: &str) -> Option<SizeClass> {
        SizeClass::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// How often planned measures come round for one risk category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Periodicity {
    /// One planned inspection per this many years; `None`: none planned.
    pub inspection_every_years: Option<u32>,
    /// At most one mandatory preventive visit per this many years (ст.52.1); `None`: none.
    pub visit_every_years: Option<u32>,
}

/// The rules of one control type that differ between regulations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlTypeRules {
    /// The categories the regulation uses (ч.2 ст.23: at least three, always including low).
    pub categories: Vec<RiskCategory>,
    /// Planned inspections and mandatory visits per category, by the planning policy in force.
    pub periodicity: BTreeMap<RiskCategory, Periodicity>,
    /// Calendar days the subject has to object to a warning (ст.49 and the regulation).
    pub objection_filing_days: u32,
    /// Calendar days the agency has to decide an objection.
    pub objection_decision_days: u32,
    /// Working days to consider an appeal (ст.43: 20), and by how many it may be extended once.
    pub appeal_decision_working_days: u32,
    pub appeal_extension_working_days: u32,
    /// Working days to decide a request to suspend the appealed decision.
    pub appeal_suspension_working_days: u32,
    /// Share of compliant self-assessment answers, in percent, that allows a declaration (ст.51).
    pub self_assessment_threshold_percent: u32,
    /// The regulation registers a declaration of compliance on a qualifying self-assessment
    /// without a reviewer (ст.51 leaves it to the regulation): the server registers it when it
    /// is filed. Rules stored before the field existed read `false`: a reviewer registers.
    #[serde(default)]
    pub declarations_registered_automatically: bool,
    /// The moratorium on planned inspections in force for this control type, if any (ПП 336 as
    /// extended by ПП 372). Rules stored before the field existed read the default; `null`
    /// lifts it.
    #[serde(default = "Moratorium::pp336")]
    pub moratorium: Option<Moratorium>,
    /// The risk model (ст.23): criteria, weights, thresholds and the matrix. `None` (rules
    /// stored before it existed, or never edited): the default, fitted to the categories in use
    /// ([`ControlTypeRules::risk_model`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_model: Option<RiskModel>,
    /// The risk indicators (ст.23 ч.9-10).
    #[serde(default = "IndicatorRule::defaults")]
    pub indicators: Vec<IndicatorRule>,
    /// The planning policy: the kind of planned inspection per category and each kind's load.
    #[serde(default)]
    pub planning: PlanningRules,
}

/// Why rules were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("a regulation uses at least three risk categories, including low (ч.2 ст.23)")]
    Categories,
    #[error("periodicity is given for {0}, a category the regulation does not use")]
    UnusedCategory(&'static str),
    #[error("{0} must be at least 1")]
    Zero(&'static str),
    #[error("the self-assessment threshold is a percentage, 1 to 100")]
    Threshold,
    #[error("the moratorium must cite its source and name at least one category it allows")]
    Moratorium,
    #[error(transparent)]
    Model(#[from] crate::planning::model::ModelError),
    #[error(transparent)]
    Indicators(#[from] crate::planning::indicators::IndicatorError),
    #[error(transparent)]
    Planning(#[from] crate::planning::policy::PolicyError),
}

/// A risk category the control type's regulation does not use (ч.2 ст.23): refused wherever a
/// category enters (import, form, decision), never stored and read as low.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "категория «{}» не применяется в этом виде контроля; допустимы: {} / the category {} is not used by this control type; allowed: {}",
    .category.name_ru(), .allowed_ru, .category.as_str(), .allowed
)]
pub struct UnusedCategory {
    pub category: RiskCategory,
    pub allowed: String,
    pub allowed_ru: String,
}

impl Default for ControlTypeRules {
    /// The typical ladder of DESIGN.md section 7 under the moratorium (ПП 336 as extended by
    /// ПП 372): planned inspections for extremely high and high risk only; mandatory preventive
    /// visits for significant (3 years), medium (5) and moderate (6) risk (ПП 1511 of 01.10.2025).
    fn default() -> Self {
        use RiskCategory::*;
        let p = |inspection: Option<u32>, visit: Option<u32>| Periodicity {
            inspection_every_years: inspection,
            visit_every_years: visit,
        };
        Self {
            categories: RiskCategory::ALL.to_vec(),
            periodicity: BTreeMap::from([
                (ExtremelyHigh, p(Some(1), None)),
                (High, p(Some(2), None)),
                (Significant, p(None, Some(3))),
                (Medium, p(None, Some(5))),
                (Moderate, p(None, Some(6))),
                (Low, p(None, None)),
            ]),
            objection_filing_days: 15,
            objection_decision_days: 30,
            appeal_decision_working_days: 20,
            appeal_extension_working_days: 20,
            appeal_suspension_working_days: 2,
            self_assessment_threshold_percent: 100,
            declarations_registered_automatically: false,
            moratorium: Moratorium::pp336(),
            risk_model: None,
            indicators: IndicatorRule::defaults(),
            planning: PlanningRules::default(),
        }
    }
}

impl ControlTypeRules {
    /// Checks the rules against the law's fixed constraints.
    pub fn validate(&self) -> Result<(), RulesError> {
        let mut used = self.categories.clone();
        used.sort();
        used.dedup();
        if used.len() < 3 || !used.contains(&RiskCategory::Low) {
            return Err(RulesError::Categories);
        }
        if let Some(c) = self.periodicity.keys().find(|c| !used.contains(c)) {
            return Err(RulesError::UnusedCategory(c.as_str()));
        }
        for (name, v) in [
            ("objection_filing_days", self.objection_filing_days),
            ("objection_decision_days", self.objection_decision_days),
            (
                "appeal_decision_working_days",
                self.appeal_decision_working_days,
            ),
            (
                "appeal_suspension_working_days",
                self.appeal_suspension_working_days,
            ),
        ] {
            if v == 0 {
                return Err(RulesError::Zero(name));
            }
        }
        let zero_period = self
            .periodicity
            .values()
            .any(|p| p.inspection_every_years == Some(0) || p.visit_every_years == Some(0));
        if zero_period {
            return Err(RulesError::Zero("a periodicity in years"));
        }
        if !(1..=100).contains(&self.self_assessment_threshold_percent) {
            return Err(RulesError::Threshold);
        }
        if let Some(m) = &self.moratorium {
            m.validate()?;
        }
        if let Some(model) = &self.risk_model {
            model.validate(&used)?;
        }
        IndicatorRule::validate(&self.indicators)?;
        self.planning.validate()?;
        Ok(())
    }

    /// The risk model in force: the agency's own, or the default fitted to the categories used.
    pub fn risk_model(&self) -> RiskModel {
        self.risk_model
            .clone()
            .unwrap_or_else(|| RiskModel::default().fitted(&self.categories))
    }

    /// Refuses a category the regulation does not use.
    pub fn check_category(&self, category: RiskCategory) -> Result<(), UnusedCategory> {
        if self.categories.contains(&category) {
            return Ok(());
        }
        let mut used = self.categories.clone();
        used.sort();
        Err(UnusedCategory {
            category,
            allowed: used
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            allowed_ru: used
                .iter()
                .map(|c| c.name_ru())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// Whether a planned inspection of an object may take place on `on` under the moratorium
    /// in force (none: always).
    pub fn check_planned_inspection(
        &self,
        on: Date,
        assigned: Option<RiskCategory>,
        attributes: &ObjectAttributes,
    ) -> Result<(), MoratoriumRefusal> {
        match &self.moratorium {
            Some(m) => m.check(on, self.effective_category(assigned), attributes),
            None => Ok(()),
        }
    }

    /// The category an object counts as: its own if the regulation uses it, otherwise low
    /// (ч.7 ст.23: no assigned category counts as low).
    pub fn effective_category(&self, assigned: Option<RiskCategory>) -> RiskCategory {
        assigned
            .filter(|c| self.categories.contains(c))
            .unwrap_or(RiskCategory::Low)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let r = ControlTypeRules::default();
        r.validate().unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert!(
            json.contains("\"extremely_high\":{\"inspection_every_years\":1"),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<ControlTypeRules>(&json).unwrap(), r);
    }

    #[test]
    fn the_law_constrains_the_rules() {
        let mut r = ControlTypeRules {
            categories: vec![
                RiskCategory::High,
                RiskCategory::Medium,
                RiskCategory::Moderate,
            ],
            ..ControlTypeRules::default()
        };
        assert_eq!(
            r.validate(),
            Err(RulesError::Categories),
            "low is mandatory"
        );
        r.categories = vec![RiskCategory::High, RiskCategory::Low];
        assert_eq!(r.validate(), Err(RulesError::Categories), "at least three");
        r.categories = vec![RiskCategory::High, RiskCategory::Medium, RiskCategory::Low];
        assert!(matches!(r.validate(), Err(RulesError::UnusedCategory(_))));
        r.periodicity.retain(|c, _| r.categories.contains(c));
        r.validate().unwrap();
        assert_eq!(
            r.effective_category(Some(RiskCategory::Significant)),
            RiskCategory::Low
        );
        assert_eq!(r.effective_category(None), RiskCategory::Low);
        assert_eq!(
            r.effective_category(Some(RiskCategory::High)),
            RiskCategory::High
        );
        r.self_assessment_threshold_percent = 0;
        assert_eq!(r.validate(), Err(RulesError::Threshold));
    }

    #[test]
    fn categories_outside_the_rules_are_refused() {
        let r = ControlTypeRules {
            categories: vec![RiskCategory::High, RiskCategory::Medium, RiskCategory::Low],
            periodicity: BTreeMap::new(),
            ..ControlTypeRules::default()
        };
        r.validate().unwrap();
        assert!(r.check_category(RiskCategory::High).is_ok());
        let e = r.check_category(RiskCategory::Significant).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("категория «значительный риск»"), "{text}");
        assert!(text.contains("low, medium, high"), "{text}");
    }

    #[test]
    fn rules_stored_before_the_moratorium_field_read_the_default() {
        let mut json = serde_json::to_value(ControlTypeRules::default()).unwrap();
        json.as_object_mut().unwrap().remove("moratorium");
        let r: ControlTypeRules = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(r.moratorium, Moratorium::pp336());
        json["moratorium"] = serde_json::Value::Null;
        let lifted: ControlTypeRules = serde_json::from_value(json).unwrap();
        assert_eq!(lifted.moratorium, None);
    }

    #[test]
    fn size_classes() {
        for c in SizeClass::ALL {
            assert_eq!(SizeClass::parse(c.as_str()), Some(c));
        }
        assert_eq!(SizeClass::parse("huge"), None);
    }
}
