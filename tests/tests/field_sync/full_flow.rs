//! The whole field flow: enroll and pull online, record an inspection with the server gone,
//! sync when it is back, and find everything on the server (receipts, blobs, projections).

use knd_inspector_core::app::ErrorKind;
use knd_inspector_core::app::views::{
    AcknowledgementInput, ActInput, FindingResultView, MeasureInput, OrderInput, PersonInput,
    RecordStateView, RemedyInput, UploadStateView, ViolationInput, WarningRequirementInput,
};
use knd_shared::receipt::Receipt;
use knd_shared::{RecordId, Sha256};
use serde_json::Value;

use crate::common::{
    PIN, SUBJECT, Seen, World, b64, chain_len, config, enrolled_app, photo, store_of,
};

fn ids(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspection_recorded_offline_reaches_the_server_whole() {
    let mut w = World::new().await;
    let mut seen = Seen::default();
    let (app, dir) = enrolled_app(&w, &w.url(""), config()).await;
    seen.ok("status", app.status());

    // Online: the assignment arrives with its checklist.
    let st = seen.ok("sync_now", app.sync_now().await);
    assert_eq!(st.last_error, None, "{st:?}");
    assert_eq!(st.online, Some(true));
    let list = seen.ok("assignments", app.assignments());
    assert_eq!(list.len(), 1, "{list:?}");
    let id = list[0].id.clone();
    assert_eq!(id, w.inspection);
    assert_eq!(list[0].subject_inn, SUBJECT);
    assert_eq!(list[0].checklist_items, 2);
    let screen = seen.ok("inspection", app.inspection(&id));
    let codes: Vec<&str> = screen.checklist.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["1", "2"]);
    assert_eq!(screen.checklist[0].requirement.as_deref(), Some("R1"));
    assert_eq!(screen.objects.len(), 1);
    assert!(!screen.started);

    // The server goes away for good (it must not be listening).
    w.stop().await;

    // Offline: the whole inspection.
    let started = seen.ok("start_inspection", app.start_inspection(&id));
    assert_eq!(started.kind, "inspection_started");
    let (p1, p2) = (photo("DSCN0010.jpg"), photo("DSCN0012.jpg"));
    // Both were taken in 2008 in Italy: the inspector is warned and keeps them (`keep`).
    let v1 = seen
        .ok(
            "add_photo",
            app.add_photo(
                &id,
                &b64(&p1),
                Some("Огнетушитель ОП-4, пломба".into()),
                knd_inspector_core::app::all_photo_warnings(),
            ),
        )
        .added
        .expect("kept");
    let v2 = seen
        .ok(
            "add_photo",
            app.add_photo(
                &id,
                &b64(&p2),
                None,
                knd_inspector_core::app::all_photo_warnings(),
            ),
        )
        .added
        .expect("kept");
    assert_eq!(v1.sha256, Sha256::digest(&p1).to_hex());
    assert_eq!(v2.sha256, Sha256::digest(&p2).to_hex());
    assert_eq!(v1.upload_state, UploadStateView::Pending);
    let f1 = seen.ok(
        "record_finding",
        app.record_finding(
            &id,
            "1",
            FindingResultView::Violation,
            Some("Огнетушитель просрочен: перезарядка 01.2024".into()),
            vec![v1.sha256.clone(), v2.sha256.clone()],
            None,
            None,
        ),
    );
    let f2 = seen.ok(
        "record_finding",
        app.record_finding(
            &id,
            "2",
            FindingResultView::Compliant,
            None,
            vec![],
            None,
            None,
        ),
    );
    let c2 = seen.ok(
        "record_finding",
        app.record_finding(
            &id,
            "2",
            FindingResultView::NotApplicable,
            Some("Выход закрыт на ремонт по распоряжению".into()),
            vec![],
            Some(f2.id.clone()),
            Some("Пункт отмечен по ошибке: выход выведен из эксплуатации".into()),
        ),
    );
    assert_eq!(
        (f1.kind.as_str(), c2.kind.as_str()),
        ("finding", "correction")
    );
    // A warning is prevention, outside a measure with interaction: a field check ends in an
    // order instead (ст.49, п.1 ч.2 ст.90).
    let refused = seen.err(
        "issue_warning",
        app.issue_warning(
            &id,
            vec![WarningRequirementInput {
                requirement: "R1".into(),
                legal_act: "Постановление Правительства РФ от 16.09.2020 № 1479".into(),
                unit: "п. 60".into(),
            }],
            "Недопустимость нарушения: обеспечить исправные огнетушители",
            vec![MeasureInput {
                what: "Перезарядить огнетушители ОП-4".into(),
                by: None,
            }],
        ),
    );
    assert_eq!(refused.kind, ErrorKind::InvalidInput, "{refused:?}");

    let draft = seen.ok("act_draft", app.act_draft(&id));
    assert_eq!(
        (draft.compliant, draft.violation_count, draft.not_applicable),
        (0, 1, 1),
        "{draft:?}"
    );
    assert!(draft.unanswered.is_empty(), "{draft:?}");
    assert_eq!(draft.violations.len(), 1);
    assert_eq!(draft.violations[0].finding, f1.id);
    assert_eq!(draft.violations[0].requirement, "R1");
    assert_eq!(
        draft.findings,
        [f1.id.clone(), c2.id.clone()],
        "the act names the current answers"
    );
    let act = ActInput {
        summary: draft.summary.clone(),
        present: vec![PersonInput {
            name: "Иванов Иван Иванович".into(),
            role: "директор филиала".into(),
        }],
        acknowledgement: AcknowledgementInput::Acknowledged,
        violations: vec![ViolationInput {
            finding: f1.id.clone(),
            remedied: false,
            legal_act: None,
            unit: None,
        }],
        not_checked: vec![],
    };

    // A wrong PIN signs nothing and counts.
    let before = chain_len(&dir);
    let e = seen.err("sign_act", app.sign_act(&id, act.clone(), "9999"));
    assert_eq!(e.kind, ErrorKind::WrongPin, "{e:?}");
    assert_eq!(chain_len(&dir), before, "a wrong PIN signed something");
    assert!(seen.ok("inspection", app.inspection(&id)).act.is_none());
    assert_eq!(seen.ok("status", app.status()).failures, 1);
    let signed = seen.ok("sign_act", app.sign_act(&id, act, PIN));
    assert_eq!(signed.kind, "act");
    assert_eq!(seen.ok("status", app.status()).failures, 0);

    // The order follows the act, naming it, with a deadline later than its date.
    let order_draft = seen.ok("order_draft", app.order_draft(&id));
    assert_eq!(order_draft.act, signed.id);
    assert_eq!(order_draft.erknm.as_deref(), Some("76202600000000000001"));
    let remedies = order_draft
        .remedies
        .iter()
        .map(|r| RemedyInput {
            requirement: r.requirement.clone(),
            legal_act: r.legal_act.clone().unwrap_or_default(),
            unit: r.unit.clone().unwrap_or_default(),
            measure: "Перезарядить огнетушители ОП-4".into(),
            deadline: "2027-03-01".into(),
        })
        .collect();
    let order = seen.ok(
        "sign_order",
        app.sign_order(&id, OrderInput { remedies }, PIN),
    );
    assert_eq!(order.kind, "order");

    let screen = seen.ok("inspection", app.inspection(&id));
    assert!(screen.started);
    assert_eq!(
        screen.act.as_ref().map(|a| a.id.clone()),
        Some(signed.id.clone())
    );
    assert_eq!(screen.photos.len(), 2);
    assert_eq!(screen.warnings.len(), 0);
    let item2 = &screen.checklist[1];
    assert_eq!(item2.history.len(), 2);
    let current = item2.current.as_ref().unwrap();
    assert_eq!(current.id, c2.id);
    assert_eq!(current.result, FindingResultView::NotApplicable);
    assert!(current.correction_reason.is_some());
    assert_eq!(
        item2.history[0].superseded_by.as_deref(),
        Some(c2.id.as_str())
    );
    assert_eq!(
        screen.checklist[0].current.as_ref().unwrap().photos.len(),
        2
    );
    // started, 2 photos, 2 findings, a correction, the act, inspection_finished, the order.
    let total = chain_len(&dir);
    assert_eq!(total, 9, "{:?}", screen.records);
    assert!(
        screen
            .records
            .iter()
            .all(|r| r.state == RecordStateView::Pending)
    );

    // Sync with the server down: an error to show, everything kept and pending.
    let st = seen.ok("sync_now", app.sync_now().await);
    assert!(st.last_error.is_some(), "{st:?}");
    assert_eq!(st.online, Some(false));
    assert_eq!(
        (st.pending + st.sent, st.receipted, st.rejected),
        (total, 0, 0),
        "{st:?}"
    );
    assert_eq!(st.photos_pending, 2);
    assert_eq!(chain_len(&dir), total);
    seen.ok("records", app.records(None));

    // The server comes back on its data and address: everything goes through.
    w.restart().await;
    let st = seen.ok("sync_now", app.sync_now().await);
    assert_eq!(st.last_error, None, "{st:?}");
    assert_eq!(
        (
            st.pending,
            st.sent,
            st.rejected,
            st.receipted,
            st.photos_pending
        ),
        (0, 0, 0, total, 0),
        "{st:?}"
    );
    assert_eq!(chain_len(&dir), total, "the chain verifies after sync");
    let records = seen.ok("records", app.records(Some(&id)));
    assert!(
        records
            .iter()
            .all(|r| r.state == RecordStateView::Receipted),
        "{records:?}"
    );
    let screen = seen.ok("inspection", app.inspection(&id));
    assert!(
        screen
            .photos
            .iter()
            .all(|p| p.upload_state == UploadStateView::Uploaded)
    );

    // Each receipt verifies against the log's key and names its record's leaf.
    let (log_size, log_key) = w.log().await;
    let store = store_of(&dir);
    let mut indexes = Vec::new();
    for r in &records {
        let (_, bytes) = store.record_state(RecordId::parse(&r.id).unwrap()).unwrap();
        let receipt = Receipt::verify(&bytes.unwrap(), &log_key).unwrap();
        assert!(receipt.index < log_size);
        indexes.push(receipt.index);
    }
    indexes.sort_unstable();
    indexes.dedup();
    assert_eq!(indexes.len(), records.len());

    // The photos are on the server, byte for byte, for the device.
    let token = store.device_token().unwrap().unwrap();
    for p in [&p1, &p2] {
        let sha = Sha256::digest(p);
        let (st, bytes) = w.get_bytes(&format!("/api/v1/blobs/{sha}"), &token).await;
        assert_eq!(st, 200);
        assert_eq!(Sha256::digest(&bytes), sha);
    }

    // The console sees the inspection once the projector has caught up.
    let device = app.status().unwrap().device_id.unwrap();
    assert_eq!(w.device_records(&device).await, total);
    let field = w
        .field_until(|v| {
            v["finished_record"].is_string()
                && v["photos"].as_array().is_some_and(|p| p.len() == 2)
                && v["documents"].as_array().is_some_and(|d| d.len() >= 2)
                && v["findings"].as_array().is_some_and(|f| f.len() == 2)
                && v["findings"][1]["supersedes"].is_string()
        })
        .await;
    assert_eq!(
        field["started_record"].as_str(),
        Some(started.id.as_str()),
        "{field:#}"
    );
    let findings = field["findings"].as_array().unwrap();
    let by_record = |id: &str| {
        findings
            .iter()
            .find(|f| f["record"] == id)
            .unwrap_or_else(|| panic!("no finding {id} in {field:#}"))
    };
    let one = by_record(&f1.id);
    assert_eq!(
        (one["item"].as_str(), one["result"].as_str()),
        (Some("1"), Some("violation"))
    );
    assert!(one["note"].as_str().unwrap().contains("просрочен"));
    assert_eq!(one["supersedes"], Value::Null);
    assert_eq!(one["history"], serde_json::json!([]));
    let mut photos = ids(one, "photos");
    photos.sort();
    let mut expected = vec![v1.sha256.clone(), v2.sha256.clone()];
    expected.sort();
    assert_eq!(photos, expected);
    // The correction is the item's current row (its own id and time), the original its history.
    let corrected = by_record(&c2.id);
    assert_eq!(corrected["item"].as_str(), Some("2"));
    assert_eq!(
        corrected["result"].as_str(),
        Some("not_applicable"),
        "{field:#}"
    );
    assert_eq!(
        corrected["supersedes"].as_str(),
        Some(f2.id.as_str()),
        "{field:#}"
    );
    assert_eq!(corrected["at"].as_str(), Some(c2.at.as_str()));
    let history = corrected["history"].as_array().unwrap();
    assert_eq!(history.len(), 1, "{field:#}");
    assert_eq!(history[0]["record"].as_str(), Some(f2.id.as_str()));
    assert_eq!(history[0]["at"].as_str(), Some(f2.at.as_str()));
    assert_eq!(history[0]["result"].as_str(), Some("compliant"));
    assert_eq!(history[0]["superseded_by"].as_str(), Some(c2.id.as_str()));
    assert!(findings.iter().all(|f| f["record"] != f2.id.as_str()));
    for p in field["photos"].as_array().unwrap() {
        let sha = p["sha256"].as_str().unwrap();
        let original = if sha == v1.sha256 { &p1 } else { &p2 };
        assert!(expected.iter().any(|e| e == sha));
        assert_eq!(p["size"].as_u64(), Some(original.len() as u64));
    }
    let documents = field["documents"].as_array().unwrap();
    let doc = |kind: &str| {
        documents
            .iter()
            .find(|d| d["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {field:#}"))
    };
    assert_eq!(doc("order")["record"].as_str(), Some(order.id.as_str()));
    assert_eq!(
        doc("order")["body"]["act"].as_str(),
        Some(signed.id.as_str())
    );
    assert_eq!(doc("act")["body"]["erknm"], "76202600000000000001");
    assert_eq!(doc("act")["body"]["violations"][0]["remedied"], false);
    assert_eq!(doc("act")["record"].as_str(), Some(signed.id.as_str()));
    // The only flags are the photos' the inspector kept despite their warnings (taken in 2008).
    let flags = field["flags"].as_array().unwrap();
    assert!(!flags.is_empty(), "{field:#}");
    assert!(
        flags.iter().all(|f| {
            ["photo_outside_dates", "photo_far_from_object"]
                .contains(&f["reason"].as_str().unwrap_or(""))
        }),
        "{field:#}"
    );

    // Nothing the commands returned carries a secret.
    crate::key::assert_no_secrets(&seen, &token, dir.path());
}
