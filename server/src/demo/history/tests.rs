use std::collections::BTreeMap;

use knd_shared::RiskCategory;
use time::macros::date;

use super::Kind;
use crate::demo::generator::{ObjectRow, Registry, Spec};
use crate::model::planning::EVENT_KINDS;

const TODAY: time::Date = date!(2026 - 12 - 02);

fn registry(subjects: usize, objects: usize) -> Registry {
    Registry::generate_on(
        Spec {
            seed: 7,
            subjects,
            objects,
        },
        TODAY,
    )
    .unwrap()
}

#[test]
fn the_kinds_are_the_servers() {
    for k in Kind::ALL {
        assert!(EVENT_KINDS.contains(&k.as_str()), "{k:?}");
    }
}

#[test]
fn the_history_is_the_same_bytes_for_the_same_seed_and_day() {
    let a: Vec<Vec<u8>> = registry(50, 400).history_chunks(1_000).collect();
    let b: Vec<Vec<u8>> = registry(50, 400).history_chunks(1_000).collect();
    assert!(!a.is_empty());
    assert_eq!(a, b);
    // Cut differently, the same rows.
    let rows = |chunks: Vec<Vec<u8>>| -> Vec<String> {
        chunks
            .iter()
            .flat_map(|c| {
                String::from_utf8(c.clone())
                    .unwrap()
                    .lines()
                    .skip(1)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let small = rows(registry(50, 400).history_chunks(97).collect());
    assert_eq!(small, rows(a));
    // Another day, another history (five years back from it).
    let other = Registry::generate_on(
        Spec {
            seed: 7,
            subjects: 50,
            objects: 400,
        },
        date!(2026 - 06 - 01),
    )
    .unwrap();
    assert_ne!(rows(other.history_chunks(1_000).collect()), small);
}

#[test]
fn events_are_well_formed() {
    let r = registry(100, 2_000);
    let five_years = date!(2021 - 12 - 02);
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for o in r.objects() {
        for e in &o.events {
            *kinds.entry(e.kind.as_str()).or_default() += 1;
            assert!(
                (five_years..=TODAY).contains(&e.occurred_on),
                "{}: {e:?}",
                o.key
            );
            assert!(e.due_on.is_none_or(|d| d >= e.occurred_on), "{e:?}");
            let needs_due = matches!(e.kind, Kind::OrderIssued | Kind::Declaration);
            assert_eq!(needs_due, e.due_on.is_some(), "{e:?}");
        }
        assert!(
            o.events
                .windows(2)
                .all(|w| w[0].occurred_on <= w[1].occurred_on),
            "{}: oldest first",
            o.key
        );
        if let Some((on, reason)) = &o.decision {
            assert!(*on <= TODAY && !reason.is_empty(), "{}", o.key);
            assert!(o.risk.is_some());
        }
    }
    // Every kind occurs in two thousand objects' five years.
    for k in Kind::ALL {
        assert!(
            kinds.get(k.as_str()).is_some_and(|n| *n > 0),
            "{k:?}: {kinds:?}"
        );
    }
}

/// The category an object counts as in its control type.
fn effective(r: &Registry, o: &ObjectRow) -> RiskCategory {
    let t = r.data().control_type(o.control_type).unwrap();
    t.rules().effective_category(o.risk)
}

#[test]
fn categories_are_the_models_on_the_facts_except_after_new_information() {
    let r = registry(300, 5_000);
    let (mut perturbed, mut total) = (0, 0);
    for o in r.objects() {
        total += 1;
        // Recounted from the events as the server counts them.
        let t = r.data().control_type(o.control_type).unwrap();
        let rules = t.rules();
        let model = rules.risk_model();
        let counting = super::facts::Counting::on(TODAY, &[&rules]);
        let f = super::facts::facts(o.attributes.to_json(), &o.events, &rules, &model, &counting);
        assert_eq!(model.score(&f).category, o.modelled, "{}", o.key);
        if o.perturbed {
            perturbed += 1;
            assert_ne!(effective(&r, &o), o.modelled, "{}: new information", o.key);
            let (decided, _) = o.decision.as_ref().unwrap();
            assert!(
                o.events.iter().any(|e| e.occurred_on > *decided),
                "{}: the new information came after the decision",
                o.key
            );
        } else {
            assert_eq!(effective(&r, &o), o.modelled, "{}", o.key);
        }
    }
    let share = perturbed as f64 / total as f64;
    assert!((0.007..=0.025).contains(&share), "{perturbed} of {total}");
}

#[test]
fn the_categories_are_distributed_as_in_real_registries() {
    // Ten objects a subject, as in the benchmark's registry.
    let r = registry(4_000, 40_000);
    let mut by: BTreeMap<RiskCategory, usize> = BTreeMap::new();
    let mut decided_years = [0usize; 8];
    for o in r.objects() {
        *by.entry(effective(&r, &o)).or_default() += 1;
        if let Some((on, _)) = &o.decision {
            let years = (TODAY - *on).whole_days() / 365;
            decided_years[usize::try_from(years).unwrap().min(7)] += 1;
        }
    }
    let share = |c| *by.get(&c).unwrap_or(&0) as f64 / 40_000.0 * 100.0;
    use RiskCategory::*;
    let expected = [
        (ExtremelyHigh, 0.1, 0.8),
        (High, 1.0, 3.5),
        (Significant, 5.0, 11.0),
        (Medium, 15.0, 25.0),
        (Moderate, 24.0, 36.0),
        (Low, 32.0, 48.0),
    ];
    for (c, lo, hi) in expected {
        assert!(
            (lo..=hi).contains(&share(c)),
            "{c:?}: {:.2} % (expected {lo} to {hi}); {by:?}",
            share(c)
        );
    }
    // Decisions of the last one to six years (new objects' within the last two).
    assert!(decided_years[7] == 0, "{decided_years:?}");
    assert!(
        decided_years[1..6].iter().all(|n| *n > 1_000),
        "{decided_years:?}"
    );
}
