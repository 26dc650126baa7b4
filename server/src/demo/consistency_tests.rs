//! The seeded demo through the real services: scoring proposes a change for exactly the
//! objects the generator gave new information after their decision, and the model's categories
//! are the generator's.

use std::collections::{BTreeMap, HashSet};

use super::generator::Spec;
use super::{data, seed};
use crate::config::Config;
use crate::model::planning::ProposalStatus;
use crate::services::facts_pages::FactsPages;
use crate::services::{plan_build, risk};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scoring_the_seeded_demo_proposes_only_the_objects_with_new_information() {
    let dir = tempfile::TempDir::new().unwrap();
    let config = Config {
        data_dir: dir.path().to_owned(),
        ..Config::default()
    };
    let state = crate::start(config).await.unwrap();
    let data = data::demo_data().unwrap();
    let accounts = seed::accounts(&state, data, "a demo password", 2)
        .await
        .unwrap();
    let planner = accounts.by_login("planner1").unwrap().clone();
    seed::reference_data(&state, &planner, data).await.unwrap();
    let spec = Spec {
        seed: 11,
        subjects: 120,
        objects: 900,
    };
    let (reg, imported) = seed::registry(&state, &planner, spec).await.unwrap();
    assert_eq!(imported.objects, 900);
    let history = seed::history(&state, &planner, &reg).await.unwrap();
    let events: usize = reg.objects().map(|o| o.events.len()).sum();
    assert_eq!(history.events, events as u64, "every event imported once");
    assert!(history.triggered > 0, "the history fires indicators");

    let perturbed: HashSet<String> = reg
        .objects()
        .filter(|o| o.perturbed)
        .map(|o| o.key)
        .collect();
    assert!(!perturbed.is_empty());
    let mut modelled: BTreeMap<String, u64> = BTreeMap::new();
    for o in reg.objects() {
        *modelled.entry(o.modelled.as_str().to_owned()).or_default() += 1;
    }
    // Two readers in pages of 7 read every object once.
    let window = crate::model::planning::FactsWindow::on(state.today());
    let mut pages = FactsPages::with_page(&state, accounts.agency, window, 7)
        .await
        .unwrap();
    let mut read: Vec<String> = Vec::new();
    while let Some(rows) = pages.next().await.unwrap() {
        assert!(rows.len() <= 7);
        read.extend(rows.into_iter().map(|r| r.object_key));
    }
    read.sort();
    let mut keys: Vec<String> = reg.objects().map(|o| o.key).collect();
    keys.sort();
    assert_eq!(read, keys);

    let summary = risk::score_agency(&state, accounts.agency).await.unwrap();
    assert_eq!(summary.objects, 900);
    assert_eq!(summary.by_category, modelled);
    let proposals = risk::proposals(
        &state,
        &planner,
        None,
        Some(ProposalStatus::Pending),
        false,
        None,
        1_000,
    )
    .await
    .unwrap();
    let proposed: HashSet<String> = proposals.into_iter().map(|p| p.object_key).collect();
    assert_eq!(proposed, perturbed);
    assert_eq!(summary.proposals, perturbed.len() as u64);

    // The September run: the plan built with every object re-scored on the pages it reads is
    // the plan built alone, and its scoring is the scoring alone (the pending proposals are
    // not stored twice).
    let year = state.today().year() + 1;
    let entries = |id| {
        let state = state.clone();
        async move {
            state
                .store
                .plan(accounts.agency, id)
                .await
                .unwrap()
                .unwrap()
                .1
        }
    };
    // The second build replaces the first draft: its entries are read before.
    let alone = plan_build::build_year(&state, accounts.agency, year, None, false)
        .await
        .unwrap();
    assert!(alone.scoring.is_none());
    let first = (
        entries(alone.inspections_plan).await,
        entries(alone.visits_plan).await,
    );
    let both = plan_build::build_year(&state, accounts.agency, year, None, true)
        .await
        .unwrap();
    let scored = both.scoring.unwrap();
    assert_eq!(
        (scored.objects, scored.proposals, &scored.by_category),
        (900, 0, &modelled)
    );
    let second = (
        entries(both.inspections_plan).await,
        entries(both.visits_plan).await,
    );
    assert!(!first.0.is_empty() && !first.1.is_empty());
    assert_eq!(first, second);
}
