//! A warning issued on the tablet, objected to by the business through the API and decided by
//! the agency: the tablet's next syncs show the objection beside the warning, then the decision.

use knd_inspector_core::app::views::{MeasureInput, RecordView, WarningRequirementInput};
use reqwest::Method;
use serde_json::json;

use crate::common::{PIN, SUBJECT, World, config, enrolled_app};

fn warning_of(records: &[RecordView]) -> &RecordView {
    records
        .iter()
        .find(|r| r.kind == "warning")
        .expect("the warning is listed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_objection_to_a_warning_reaches_the_inspectors_tablet() {
    let w = World::new().await;
    // An observation (ст.74) has no interaction: the inspector may warn (ст.49).
    let (st, v) = w
        .send(
            Method::POST,
            "/api/v1/inspections",
            &json!({
                "kind": "observation", "ground": "instruction", "control_type": "fire",
                "subject_inn": SUBJECT, "erknm": "76202600000000000002",
                "objects": ["OBJ-1"], "starts_on": "2026-12-01", "ends_on": "2026-12-31",
                "inspectors": [w.inspector_id], "status": "scheduled",
            }),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_owned();
    let (app, _dir) = enrolled_app(&w, &w.url(""), config()).await;
    app.sync_now().await.unwrap();
    app.unlock(PIN).unwrap();
    assert!(app.inspection(&id).unwrap().warning_allowed);
    let warning = app
        .issue_warning(
            &id,
            vec![WarningRequirementInput {
                requirement: "R2".into(),
                legal_act: "Постановление Правительства РФ от 16.09.2020 № 1479".into(),
                unit: "п. 27".into(),
            }],
            "Загромождение эвакуационного выхода 3 может привести к нарушению п. 27 ППР",
            vec![MeasureInput {
                what: "Освободить эвакуационный выход 3".into(),
                by: None,
            }],
        )
        .unwrap();
    let st = app.sync_now().await.unwrap();
    assert_eq!(st.last_error, None, "{st:?}");
    let state = &w.node.as_ref().unwrap().state;
    knd_server::services::projections::catch_up(state)
        .await
        .unwrap();
    assert_eq!(warning_of(&app.records(Some(&id)).unwrap()).objection, None);

    // The business objects through its API key.
    let key = knd_server::admin::issue_api_key(state, SUBJECT)
        .await
        .unwrap();
    let key = key["key"].as_str().unwrap();
    let (st, filed) = w
        .client()
        .send(
            Method::POST,
            "/api/v1/business/objections",
            key,
            &json!({"warning": warning.id, "position": "Выход 3 свободен, фото прилагаем позже"}),
        )
        .await;
    assert_eq!(st, 201, "{filed}");
    app.sync_now().await.unwrap();
    let records = app.records(Some(&id)).unwrap();
    let objection = warning_of(&records)
        .objection
        .clone()
        .expect("the objection arrived");
    assert_eq!(objection.status, "filed");
    assert_eq!(objection.filed_on, filed["received_on"].as_str().unwrap());
    assert_eq!(objection.decided_on, None);

    // The agency withdraws the warning: the tablet shows it after its next sync.
    let (st, v) = w
        .send(
            Method::POST,
            &format!(
                "/api/v1/objections/{}/decision",
                filed["id"].as_str().unwrap()
            ),
            &json!({"withdraw_warning": true}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    app.sync_now().await.unwrap();
    let records = app.records(None).unwrap();
    let objection = warning_of(&records).objection.clone().unwrap();
    assert_eq!(objection.status, "warning_withdrawn");
    assert!(objection.decided_on.is_some(), "{objection:?}");
}
