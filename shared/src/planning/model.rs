//! The risk model of a control type (ст.23 248-FZ): the criteria and their weights as data, and
//! the scoring that turns an object's facts into a proposed category with its explanation.
//!
//! The model is the matrix practice uses: a **severity** class of potential harm, read from the
//! object's activity attributes (the highest class any attribute rule gives), against a
//! **probability** class of non-compliance, read from weighted points for the object's history
//! (violations, unfulfilled orders, confirmed complaints, triggered risk indicators) less the
//! subject's **conscientiousness** (a declaration in force, a good self-assessment, remedies done on
//! time). The matrix cell is the category. Every number is in the explanation, so a planner can
//! check a proposal by hand.

use serde::{Deserialize, Serialize};

use crate::domain::RiskCategory;

/// One rule of severity: an activity attribute (a number in the object's attributes) and the
/// lowest value of each class from class 2 up; below the first, class 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityRule {
    /// The member of the object's activity attributes, e.g. `floor_area_m2`.
    pub attribute: String,
    /// Its name as a planner reads it, Russian then English.
    pub name_ru: String,
    pub name_en: String,
    /// Ascending: a value at or above `thresholds[i]` is class `i + 2`.
    pub thresholds: Vec<f64>,
    /// When true, a smaller value is more severe (e.g. a hazard class, where I is the worst):
    /// a value at or below `thresholds[i]` is class `i + 2`, the thresholds descending.
    #[serde(default)]
    pub descending: bool,
}

/// What raises or lowers the probability of non-compliance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// Violations found by control measures in the last `violation_years`.
    Violations,
    /// Orders whose deadline passed without a report of their fulfilment.
    UnfulfilledOrders,
    /// Complaints about the object confirmed in the last 12 months.
    ConfirmedComplaints,
    /// Risk indicators triggered in the last 12 months.
    IndicatorsTriggered,
    /// A declaration of compliance in force (ст.51): lowers the points.
    DeclarationInForce,
    /// The latest self-assessment reached the control type's threshold: lowers the points.
    SelfAssessmentPassed,
    /// Orders fulfilled by their deadline in the last `violation_years`: lower the points.
    RemediesOnTime,
}

impl Factor {
    pub const ALL: [Factor; 7] = [
        Factor::Violations,
        Factor::UnfulfilledOrders,
        Factor::ConfirmedComplaints,
        Factor::IndicatorsTriggered,
        Factor::DeclarationInForce,
        Factor::SelfAssessmentPassed,
        Factor::RemediesOnTime,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Factor::Violations => "violations",
            Factor::UnfulfilledOrders => "unfulfilled_orders",
            Factor::ConfirmedComplaints => "confirmed_complaints",
            Factor::IndicatorsTriggered => "indicators_triggered",
            Factor::DeclarationInForce => "declaration_in_force",
            Factor::SelfAssessmentPassed => "self_assessment_passed",
            Factor::RemediesOnTime => "remedies_on_time",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn name_ru(self) -> &'static str {
        match self {
            Factor::Violations => "выявленные нарушения",
            Factor::UnfulfilledOrders => "неисполненные предписания",
            Factor::ConfirmedComplaints => "подтверждённые обращения за 12 месяцев",
            Factor::IndicatorsTriggered => "сработавшие индикаторы риска за 12 месяцев",
            Factor::DeclarationInForce => "действующая декларация соблюдения требований",
            Factor::SelfAssessmentPassed => "самообследование пройдено",
            Factor::RemediesOnTime => "предписания исполнены в срок",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Factor::Violations => "violations found",
            Factor::UnfulfilledOrders => "unfulfilled orders",
            Factor::ConfirmedComplaints => "complaints confirmed in 12 months",
            Factor::IndicatorsTriggered => "risk indicators triggered in 12 months",
            Factor::DeclarationInForce => "a declaration of compliance in force",
            Factor::SelfAssessmentPassed => "self-assessment passed",
            Factor::RemediesOnTime => "orders fulfilled on time",
        }
    }

    /// Conscientiousness (добросовестность): factors that lower the points.
    pub fn is_conscientiousness(self) -> bool {
        matches!(
            self,
            Factor::DeclarationInForce | Factor::SelfAssessmentPassed | Factor::RemediesOnTime
        )
    }
}

/// The weight of one factor: points per unit (negative for conscientiousness), and the most
/// units counted, so one object's long history cannot outweigh everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weight {
    pub factor: Factor,
    pub points: i32,
    pub cap: u32,
}

/// The risk model of one control type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskModel {
    /// Severity rules; the class is the highest any gives, 1 when none applies.
    pub severity: Vec<SeverityRule>,
    /// How many severity classes there are (rows of the matrix).
    pub severity_classes: u8,
    /// Violations, overdue orders and remedies count over this many years back (1 to 5).
    pub violation_years: u32,
    pub weights: Vec<Weight>,
    /// Ascending points at which probability classes 2, 3, ... begin; below the first, class 1.
    pub probability_thresholds: Vec<i32>,
    /// `matrix[severity - 1][probability - 1]` is the category.
    pub matrix: Vec<Vec<RiskCategory>>,
}

/// Why a model was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error(
        "матрица должна иметь {rows} строк(и) по {cols} категорий / the matrix must have {rows} rows of {cols} categories"
    )]
    MatrixShape { rows: usize, cols: usize },
    #[error(
        "пороги правила «{0}» должны идти по порядку, и их не больше, чем классов тяжести минус один / the thresholds of rule {0} must be ordered and at most one fewer than the severity classes"
    )]
    Thresholds(String),
    #[error("пороги вероятности должны возрастать / the probability thresholds must be ascending")]
    ProbabilityThresholds,
    #[error("вес фактора «{}» задан дважды / the weight of {} is given twice", .0.name_ru(), .0.name_en())]
    DuplicateWeight(Factor),
    #[error(
        "фактор добросовестности «{}» может только снижать баллы / the conscientiousness factor {} may only lower the points",
        .0.name_ru(), .0.name_en()
    )]
    WeightSign(Factor),
    #[error(
        "нужен хотя бы один класс тяжести и год для нарушений / at least one severity class and one year of violations are needed"
    )]
    Empty,
    #[error("{0}")]
    Category(String),
}

/// What is known of one object when it is scored (counted by the server over the model's windows).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectFacts {
    /// The object's activity attributes (a JSON object; numbers are read by the severity rules).
    #[serde(default)]
    pub attributes: serde_json::Value,
    pub violations: u32,
    pub unfulfilled_orders: u32,
    pub confirmed_complaints: u32,
    pub indicators_triggered: u32,
    pub declaration_in_force: bool,
    pub self_assessment_passed: bool,
    pub remedies_on_time: u32,
}

impl ObjectFacts {
    fn units(&self, factor: Factor) -> u32 {
        match factor {
            Factor::Violations => self.violations,
            Factor::UnfulfilledOrders => self.unfulfilled_orders,
            Factor::ConfirmedComplaints => self.confirmed_complaints,
            Factor::IndicatorsTriggered => self.indicators_triggered,
            Factor::DeclarationInForce => u32::from(self.declaration_in_force),
            Factor::SelfAssessmentPassed => u32::from(self.self_assessment_passed),
            Factor::RemediesOnTime => self.remedies_on_time,
        }
    }
}

/// One severity rule's reading of an object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeverityReading {
    pub attribute: String,
    pub name_ru: String,
    pub name_en: String,
    /// The attribute's value; `None`: the object does not have it (class 1).
    pub value: Option<f64>,
    pub class: u8,
}

/// One factor's contribution to the probability points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    pub factor: Factor,
    /// The units the object has (before the cap).
    pub value: u32,
    /// The units counted (at most the cap).
    pub counted: u32,
    pub weight: i32,
    pub points: i32,
}

/// A proposed category with every number that led to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub severity: Vec<SeverityReading>,
    pub severity_class: u8,
    pub contributions: Vec<Contribution>,
    /// The sum of the contributions, never below zero.
    pub points: i32,
    pub probability_class: u8,
    /// The matrix cell `[severity_class][probability_class]`.
    pub category: RiskCategory,
}

impl Default for RiskModel {
    /// A typical model: severity from floor area, people on site and hazard class; probability
    /// from the history. The thresholds are an example an agency is expected to edit: no
    /// regulation sets them (the criteria are the regulation's own, ст.23 ч.3).
    fn default() -> Self {
        use RiskCategory::*;
        let rule =
            |attribute: &str, ru: &str, en: &str, t: &[f64], descending: bool| SeverityRule {
                attribute: attribute.into(),
                name_ru: ru.into(),
                name_en: en.into(),
                thresholds: t.to_vec(),
                descending,
            };
        let w = |factor, points, cap| Weight {
            factor,
            points,
            cap,
        };
        Self {
            severity: vec![
                rule(
                    "floor_area_m2",
                    "площадь, м²",
                    "floor area, m²",
                    &[1000.0, 5000.0, 20000.0],
                    false,
                ),
                rule(
                    "people",
                    "число людей",
                    "people on site",
                    &[50.0, 300.0, 1000.0],
                    false,
                ),
                rule(
                    "hazardous_facility_class",
                    "класс опасности ОПО",
                    "hazardous facility class",
                    &[4.0, 3.0, 2.0],
                    true,
                ),
            ],
            severity_classes: 4,
            violation_years: 3,
            weights: vec![
                w(Factor::Violations, 3, 10),
                w(Factor::UnfulfilledOrders, 6, 5),
                w(Factor::ConfirmedComplaints, 4, 5),
                w(Factor::IndicatorsTriggered, 5, 4),
                w(Factor::DeclarationInForce, -6, 1),
                w(Factor::SelfAssessmentPassed, -3, 1),
                w(Factor::RemediesOnTime, -1, 5),
            ],
            probability_thresholds: vec![4, 10, 20],
            matrix: vec![
                vec![Low, Low, Moderate, Medium],
                vec![Low, Moderate, Medium, Significant],
                vec![Moderate, Medium, Significant, High],
                vec![Medium, Significant, High, ExtremelyHigh],
            ],
        }
    }
}

impl RiskModel {
    /// Checks the model's shape; `categories` are those the regulation uses.
    pub fn validate(&self, categories: &[RiskCategory]) -> Result<(), ModelError> {
        if self.severity_classes == 0 || !(1..=5).contains(&self.violation_years) {
            return Err(ModelError::Empty);
        }
        let rows = usize::from(self.severity_classes);
        let cols = self.probability_thresholds.len() + 1;
        if self.matrix.len() != rows || self.matrix.iter().any(|r| r.len() != cols) {
            return Err(ModelError::MatrixShape { rows, cols });
        }
        for r in &self.severity {
            let ordered = r.thresholds.windows(2).all(|w| {
                if r.descending {
                    w[0] > w[1]
                } else {
                    w[0] < w[1]
                }
            });
            if !ordered || r.thresholds.len() >= rows || r.thresholds.iter().any(|t| !t.is_finite())
            {
                return Err(ModelError::Thresholds(r.attribute.clone()));
            }
        }
        if !self.probability_thresholds.windows(2).all(|w| w[0] < w[1]) {
            return Err(ModelError::ProbabilityThresholds);
        }
        let mut seen = Vec::new();
        for w in &self.weights {
            if seen.contains(&w.factor) {
                return Err(ModelError::DuplicateWeight(w.factor));
            }
            seen.push(w.factor);
            if w.factor.is_conscientiousness() && w.points > 0 {
                return Err(ModelError::WeightSign(w.factor));
            }
        }
        if let Some(c) = self
            .matrix
            .iter()
            .flatten()
            .find(|c| !categories.contains(c))
        {
            return Err(ModelError::Category(format!(
                "категория «{}» в матрице не применяется в этом виде контроля / the matrix uses {}, which the control type does not",
                c.name_ru(),
                c.as_str()
            )));
        }
        Ok(())
    }

    /// The model with every matrix cell the regulation does not use lowered to the nearest
    /// category it does (low is always used, ч.2 ст.23): the default model for a regulation
    /// of fewer categories.
    pub fn fitted(mut self, categories: &[RiskCategory]) -> Self {
        for cell in self.matrix.iter_mut().flatten() {
            *cell = categories
                .iter()
                .copied()
                .filter(|c| c <= cell)
                .max()
                .unwrap_or(RiskCategory::Low);
        }
        self
    }

    /// One severity rule on the attributes: the value read and the class it gives.
    fn reading(r: &SeverityRule, attributes: &serde_json::Value) -> (Option<f64>, u8) {
        let value = attributes
            .get(&r.attribute)
            .and_then(serde_json::Value::as_f64);
        let reached = value.map_or(0, |v| {
            r.thresholds
                .iter()
                .take_while(|t| if r.descending { v <= **t } else { v >= **t })
                .count()
        });
        (value, u8::try_from(reached + 1).unwrap_or(u8::MAX))
    }

    /// The severity class of potential harm: the highest class any rule gives.
    fn severity_class(&self, classes: impl Iterator<Item = u8>) -> u8 {
        classes.max().unwrap_or(1).clamp(1, self.severity_classes)
    }

    /// One weight on the facts.
    fn contribution(w: &Weight, facts: &ObjectFacts) -> Contribution {
        let value = facts.units(w.factor);
        let counted = value.min(w.cap);
        let points = i32::try_from(counted)
            .unwrap_or(i32::MAX)
            .saturating_mul(w.points);
        Contribution {
            factor: w.factor,
            value,
            counted,
            weight: w.points,
            points,
        }
    }

    /// The probability class the points reach, and the matrix cell with the severity class.
    fn cell(&self, severity_class: u8, points: i32) -> (u8, RiskCategory) {
        let reached = self
            .probability_thresholds
            .iter()
            .take_while(|t| points >= **t)
            .count();
        let probability_class = u8::try_from(reached + 1).unwrap_or(u8::MAX);
        let category = self
            .matrix
            .get(usize::from(severity_class) - 1)
            .and_then(|row| row.get(usize::from(probability_class) - 1))
            .copied()
            .unwrap_or(RiskCategory::Low);
        (probability_class, category)
    }

    /// The category alone, as [`RiskModel::score`] gives it, without writing out why (scoring
    /// a million objects explains only those whose category changes).
    pub fn category(&self, facts: &ObjectFacts) -> RiskCategory {
        let severity_class = self.severity_class(
            self.severity
                .iter()
                .map(|r| Self::reading(r, &facts.attributes).1),
        );
        let points = self
            .weights
            .iter()
            .fold(0i32, |sum, w| {
                sum.saturating_add(Self::contribution(w, facts).points)
            })
            .max(0);
        self.cell(severity_class, points).1
    }

    /// Scores one object: its proposed category and why.
    pub fn score(&self, facts: &ObjectFacts) -> Explanation {
        let severity: Vec<SeverityReading> = self
            .severity
            .iter()
            .map(|r| {
                let (value, class) = Self::reading(r, &facts.attributes);
                SeverityReading {
                    attribute: r.attribute.clone(),
                    name_ru: r.name_ru.clone(),
                    name_en: r.name_en.clone(),
                    value,
                    class,
                }
            })
            .collect();
        let severity_class = self.severity_class(severity.iter().map(|r| r.class));
        let contributions: Vec<Contribution> = self
            .weights
            .iter()
            .map(|w| Self::contribution(w, facts))
            .collect();
        let points = contributions
            .iter()
            .fold(0i32, |sum, c| sum.saturating_add(c.points))
            .max(0);
        let (probability_class, category) = self.cell(severity_class, points);
        Explanation {
            severity,
            severity_class,
            contributions,
            points,
            probability_class,
            category,
        }
    }
}

/// The words of an explanation in one language.
struct Words {
    class: &'static str,
    no_data: &'static str,
    no_rules: &'static str,
    no_facts: &'static str,
    severity: &'static str,
    probability: &'static str,
    points: &'static str,
    cell: &'static str,
}

const RU: Words = Words {
    class: "класс",
    no_data: "нет данных",
    no_rules: "правил нет",
    no_facts: "фактов нет",
    severity: "Тяжесть вреда",
    probability: "Вероятность нарушений",
    points: "балл(ов)",
    cell: "Ячейка матрицы",
};

const EN: Words = Words {
    class: "class",
    no_data: "no data",
    no_rules: "no rules",
    no_facts: "no facts",
    severity: "Severity of harm",
    probability: "Probability of non-compliance",
    points: "points",
    cell: "Matrix cell",
};

impl Explanation {
    /// The explanation as a planner reads it, in Russian.
    pub fn text_ru(&self) -> String {
        self.text(
            &RU,
            |r| &r.name_ru,
            Factor::name_ru,
            self.category.name_ru().to_owned(),
        )
    }

    /// The same in English.
    pub fn text_en(&self) -> String {
        let category = format!("{} risk", self.category.as_str().replace('_', " "));
        self.text(&EN, |r| &r.name_en, Factor::name_en, category)
    }

    fn text(
        &self,
        w: &Words,
        name: fn(&SeverityReading) -> &String,
        factor: fn(Factor) -> &'static str,
        category: String,
    ) -> String {
        let severity = self
            .severity
            .iter()
            .map(|r| match r.value {
                Some(v) => format!("{} = {} → {} {}", name(r), v, w.class, r.class),
                None => format!("{}: {} → {} 1", name(r), w.no_data, w.class),
            })
            .collect::<Vec<_>>()
            .join("; ");
        let factors = self
            .contributions
            .iter()
            .filter(|c| c.value > 0)
            .map(|c| {
                format!(
                    "{}: {} × {} = {}",
                    factor(c.factor),
                    c.counted,
                    c.weight,
                    c.points
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let or = |s: String, none: &str| if s.is_empty() { none.to_owned() } else { s };
        format!(
            "{}: {} {} ({}). {}: {} {} ({}) → {} {}. {} [{}, {}]: {}.",
            w.severity,
            w.class,
            self.severity_class,
            or(severity, w.no_rules),
            w.probability,
            self.points,
            w.points,
            or(factors, w.no_facts),
            w.class,
            self.probability_class,
            w.cell,
            self.severity_class,
            self.probability_class,
            category
        )
    }
}

#[cfg(test)]
#[path = "model_tests.rs"]
mod tests;
