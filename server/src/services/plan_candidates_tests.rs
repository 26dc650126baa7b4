//! The plan's candidates on generated registries: every inspection entry's objects are due by
//! their periodicity and allowed by the moratorium on the entry's window, one entry per subject
//! and control type, every visit due by ПП 1511 (or a notice of starting activity), and an
//! object no rule makes due is in no entry.

use std::collections::{HashMap, HashSet};

use knd_shared::planning::due::{self, Due};
use knd_shared::registry::ObjectAttributes;
use knd_shared::{ObjectId, RiskCategory, SubjectId};
use proptest::prelude::*;
use time::{Date, Duration, macros::date};
use uuid::Uuid;

use super::*;
use crate::model::planning::ObjectFactsRow;

const YEAR: i32 = 2027;

fn row(
    i: u128,
    subject: u128,
    t: u128,
    cat: Option<u8>,
    days: [Option<u16>; 4],
    hazard: Option<u8>,
    school: bool,
) -> ObjectFactsRow {
    let back = |d: Option<u16>| d.map(|d| date!(2026 - 12 - 01) - Duration::days(i64::from(d)));
    let mut attributes = serde_json::Map::new();
    if let Some(h) = hazard {
        attributes.insert("hazardous_facility_class".into(), h.into());
    }
    if school {
        attributes.insert("education_facility".into(), "school".into());
    }
    ObjectFactsRow {
        object: ObjectId::from(Uuid::from_u128(i + 1)),
        object_key: format!("O-{i}"),
        subject: SubjectId::from(Uuid::from_u128(1_000 + subject)),
        control_type: Uuid::from_u128(5_000 + t),
        district: format!("район {}", i % 3),
        category: cat.map(|c| RiskCategory::ALL[usize::from(c) % 6]),
        decided_on: back(days[0]),
        attributes: serde_json::Value::Object(attributes).to_string(),
        violations: [0; 5],
        unfulfilled_orders: [0; 5],
        remedies_on_time: [0; 5],
        confirmed_complaints: 0,
        indicators_triggered: 0,
        declaration_in_force: false,
        self_assessment_passed: false,
        last_planned_inspection: back(days[1]),
        last_counted_visit: back(days[2]),
        activity_notice: back(days[3]),
        visited_after_notice: false,
    }
}

fn types(moratorium_ends: Option<Date>) -> HashMap<Uuid, TypeModel> {
    (0..2u128)
        .map(|t| {
            let mut rules = knd_shared::registry::ControlTypeRules::default();
            if let (Some(m), Some(end)) = (rules.moratorium.as_mut(), moratorium_ends) {
                m.last_day = end;
            }
            // Post-moratorium periodicity for the middle categories, so the window matters.
            for (c, n) in [(RiskCategory::Significant, 3), (RiskCategory::Medium, 4)] {
                if let Some(p) = rules.periodicity.get_mut(&c) {
                    p.inspection_every_years = Some(n);
                }
            }
            let model = rules.risk_model();
            (
                Uuid::from_u128(5_000 + t),
                TypeModel {
                    code: format!("t{t}"),
                    rules,
                    model,
                },
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn candidates_are_due_allowed_and_grouped(
        objects in proptest::collection::vec(
            (0u128..40, 0u128..2, proptest::option::of(0u8..6),
             [proptest::option::of(0u16..3000), proptest::option::of(0u16..3000),
              proptest::option::of(0u16..3000), proptest::option::of(0u16..400)],
             proptest::option::of(1u8..5), any::<bool>()),
            1..120),
        mid_year in any::<bool>(),
    ) {
        let end = if mid_year { Some(date!(2027 - 06 - 30)) } else { None };
        let types = types(end);
        let rows: Vec<ObjectFactsRow> = objects
            .iter()
            .enumerate()
            .map(|(i, (s, t, c, d, h, school))| row(i as u128, *s, *t, *c, *d, *h, *school))
            .collect();
        let bounds = due::year_bounds(YEAR).unwrap();
        let (mut groups, mut visits, mut excluded) = (HashMap::new(), Vec::new(), 0u64);
        for r in &rows {
            consider(r, &types[&r.control_type], YEAR, bounds, &mut groups, &mut visits, &mut excluded);
        }
        let by_id: HashMap<ObjectId, &ObjectFactsRow> = rows.iter().map(|r| (r.object, r)).collect();
        let mut in_entries = HashSet::new();
        for ((subject, t), c) in &groups {
            let rules = &types[t].rules;
            prop_assert!(!c.objects.is_empty());
            for o in &c.objects {
                let r = by_id[&o.object];
                prop_assert_eq!((r.subject, r.control_type), (*subject, *t), "one entry per subject and type");
                prop_assert!(in_entries.insert(o.object), "an object in one entry");
                let cat = rules.effective_category(r.category);
                let every = rules.periodicity[&cat].inspection_every_years;
                let due = due::inspection_due(every, r.last_planned_inspection, r.decided_on, YEAR);
                prop_assert!(matches!(due, Due::InYear { .. }), "due: {:?}", due);
                let attrs = ObjectAttributes::from_json(serde_json::from_str(&r.attributes).ok().as_ref()).unwrap_or_default();
                // Allowed by the moratorium on every day of the object's window.
                for day in [o.allowed_from, o.allowed_to] {
                    prop_assert!(rules.check_planned_inspection(day, Some(cat), &attrs).is_ok(), "{} on {}", r.object_key, day);
                }
                prop_assert!(o.allowed_from <= o.allowed_to);
            }
            prop_assert_eq!(c.category, c.objects.iter().map(|o| o.category).max().unwrap());
        }
        let keys: HashSet<(SubjectId, Uuid)> = groups.keys().copied().collect();
        prop_assert_eq!(keys.len(), groups.len());
        for v in &visits {
            let o = &v.objects[0];
            let r = by_id[&o.object];
            let rules = &types[&r.control_type].rules;
            let cat = rules.effective_category(r.category);
            let by_period = rules.periodicity[&cat]
                .visit_every_years
                .map(|n| due::visit_due(Some(n), r.last_counted_visit, r.decided_on, YEAR));
            let by_notice = r.activity_notice.and_then(|n| due::startup_visit_window(n, YEAR));
            prop_assert!(matches!(by_period, Some(Due::InYear { .. })) || by_notice.is_some(), "{:?}", o);
        }
        // Nothing due is missed: an object due and allowed is in an entry.
        for r in &rows {
            let rules = &types[&r.control_type].rules;
            let cat = rules.effective_category(r.category);
            let p = rules.periodicity[&cat];
            let attrs = ObjectAttributes::from_json(serde_json::from_str(&r.attributes).ok().as_ref()).unwrap_or_default();
            if let (Some(_), Due::InYear { from, .. }) = (rules.planning.kinds.get(&cat), due::inspection_due(p.inspection_every_years, r.last_planned_inspection, r.decided_on, YEAR)) {
                if due::moratorium_window(rules, cat, &attrs, YEAR).is_some_and(|(a, b)| from.max(a) <= b) {
                    prop_assert!(in_entries.contains(&r.object), "{} missed", r.object_key);
                }
            }
        }
    }
}
