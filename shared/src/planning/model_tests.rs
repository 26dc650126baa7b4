//! Proposals for objects whose categories were computed by hand from the default model.

use serde_json::json;

use super::*;

fn facts(attributes: serde_json::Value) -> ObjectFacts {
    ObjectFacts {
        attributes,
        ..ObjectFacts::default()
    }
}

#[test]
fn a_large_shop_with_a_history_is_significant() {
    // Floor area 6000 m² ≥ 5000 → class 3; 120 people ≥ 50 → class 2: severity 3.
    // 2 violations × 3 + 1 unfulfilled order × 6 + 1 indicator × 5 − self-assessment 3
    // − 2 remedies on time × 1 = 12 points: ≥ 10, < 20 → probability 3. Cell [3, 3]: significant.
    let mut f = facts(json!({"floor_area_m2": 6000, "people": 120, "note": "kept"}));
    f.violations = 2;
    f.unfulfilled_orders = 1;
    f.indicators_triggered = 1;
    f.self_assessment_passed = true;
    f.remedies_on_time = 2;
    let e = RiskModel::default().score(&f);
    assert_eq!(e.severity_class, 3);
    assert_eq!(
        e.severity.iter().map(|r| r.class).collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert_eq!(e.points, 12);
    assert_eq!(e.probability_class, 3);
    assert_eq!(e.category, RiskCategory::Significant);
    let violations = e
        .contributions
        .iter()
        .find(|c| c.factor == Factor::Violations)
        .unwrap();
    assert_eq!(
        (
            violations.value,
            violations.counted,
            violations.weight,
            violations.points
        ),
        (2, 2, 3, 6)
    );
    let ru = e.text_ru();
    assert!(ru.contains("площадь, м² = 6000 → класс 3"), "{ru}");
    assert!(ru.contains("выявленные нарушения: 2 × 3 = 6"), "{ru}");
    assert!(ru.contains("12 балл"), "{ru}");
    assert!(
        ru.ends_with("Ячейка матрицы [3, 3]: значительный риск."),
        "{ru}"
    );
    assert!(
        e.text_en()
            .contains("Matrix cell [3, 3]: significant risk.")
    );
}

#[test]
fn a_class_one_hazardous_facility_with_a_declaration_is_medium() {
    // Hazard class I ≤ 2 (descending thresholds 4, 3, 2) → severity 4. A declaration: −6 points,
    // never below zero → 0 → probability 1. Cell [4, 1]: medium.
    let mut f = facts(json!({"hazardous_facility_class": 1}));
    f.declaration_in_force = true;
    let e = RiskModel::default().score(&f);
    assert_eq!((e.severity_class, e.points, e.probability_class), (4, 0, 1));
    assert_eq!(e.category, RiskCategory::Medium);
    let class_four = facts(json!({"hazardous_facility_class": 4}));
    assert_eq!(RiskModel::default().score(&class_four).severity_class, 2);
}

#[test]
fn caps_bound_a_long_history_and_thresholds_are_inclusive() {
    let mut f = facts(serde_json::Value::Null);
    f.violations = 25;
    let e = RiskModel::default().score(&f);
    let v = e.contributions[0];
    assert_eq!((v.value, v.counted, v.points), (25, 10, 30));
    assert_eq!((e.severity_class, e.probability_class), (1, 4));
    assert_eq!(e.category, RiskCategory::Medium);
    // Exactly on a threshold: 4 points (one complaint) is class 2, 3 points (one violation) is 1.
    let mut f = facts(json!({}));
    f.confirmed_complaints = 1;
    assert_eq!(RiskModel::default().score(&f).probability_class, 2);
    f.confirmed_complaints = 0;
    f.violations = 1;
    assert_eq!(RiskModel::default().score(&f).probability_class, 1);
    // A value exactly at a severity threshold reaches its class; one below does not.
    assert_eq!(
        RiskModel::default()
            .score(&facts(json!({"people": 300})))
            .severity_class,
        3
    );
    assert_eq!(
        RiskModel::default()
            .score(&facts(json!({"people": 299})))
            .severity_class,
        2
    );
}

#[test]
fn the_model_is_validated() {
    let all = RiskCategory::ALL;
    RiskModel::default().validate(&all).unwrap();
    let mut m = RiskModel::default();
    m.matrix.pop();
    assert!(matches!(
        m.validate(&all),
        Err(ModelError::MatrixShape { rows: 4, cols: 4 })
    ));
    let m = RiskModel {
        probability_thresholds: vec![10, 4, 20],
        ..RiskModel::default()
    };
    assert_eq!(m.validate(&all), Err(ModelError::ProbabilityThresholds));
    let mut m = RiskModel::default();
    m.weights[4].points = 6;
    assert_eq!(
        m.validate(&all),
        Err(ModelError::WeightSign(Factor::DeclarationInForce))
    );
    let mut m = RiskModel::default();
    m.severity[0].thresholds = vec![5000.0, 1000.0];
    assert!(matches!(m.validate(&all), Err(ModelError::Thresholds(_))));
    let e = RiskModel::default()
        .validate(&[RiskCategory::Low, RiskCategory::Medium, RiskCategory::High])
        .unwrap_err();
    assert!(
        e.to_string().starts_with("категория «умеренный риск»"),
        "{e}"
    );
}

#[test]
fn the_default_fits_a_regulation_of_three_categories() {
    let used = [RiskCategory::Low, RiskCategory::Medium, RiskCategory::High];
    let m = RiskModel::default().fitted(&used);
    m.validate(&used).unwrap();
    assert_eq!(
        m.matrix[3],
        [
            RiskCategory::Medium,
            RiskCategory::Medium,
            RiskCategory::High,
            RiskCategory::High
        ]
    );
    assert_eq!(m.matrix[0][2], RiskCategory::Low, "moderate lowers to low");
}

proptest::proptest! {
    /// The category alone is the explained score's category, on any facts.
    #[test]
    fn the_category_alone_is_the_scores(
        area in proptest::option::of(0u32..20_000),
        people in proptest::option::of(0u32..2_000),
        hazard in proptest::option::of(1u8..=4),
        counts in proptest::array::uniform5(0u32..12),
        declaration in proptest::bool::ANY,
        assessment in proptest::bool::ANY,
        three in proptest::bool::ANY,
    ) {
        let mut attributes = serde_json::Map::new();
        if let Some(a) = area { attributes.insert("floor_area_m2".into(), a.into()); }
        if let Some(p) = people { attributes.insert("people".into(), p.into()); }
        if let Some(h) = hazard { attributes.insert("hazardous_facility_class".into(), h.into()); }
        let f = ObjectFacts {
            attributes: serde_json::Value::Object(attributes),
            violations: counts[0],
            unfulfilled_orders: counts[1],
            confirmed_complaints: counts[2],
            indicators_triggered: counts[3],
            remedies_on_time: counts[4],
            declaration_in_force: declaration,
            self_assessment_passed: assessment,
        };
        let model = if three {
            use crate::RiskCategory::*;
            RiskModel::default().fitted(&[Significant, Moderate, Low])
        } else {
            RiskModel::default()
        };
        proptest::prop_assert_eq!(model.category(&f), model.score(&f).category);
    }
}
