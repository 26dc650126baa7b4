//! The store's side of the administration, on both backends: a resolution is written once and
//! only for a flag of the agency, a user change reaches only the agency's users and ends
//! sessions, a device's report keeps what a later call does not say.

use knd_server::model::{Actor, AuditEntry, Decision, Outcome, Role, SyncReport, UserChange};
use knd_server::store::NewResolution;
use knd_shared::record::RecordKind;
use serde_json::json;

use super::{flags_of, user_named};
use crate::common::Backend;
use crate::field::field;
use crate::on_both;
use crate::projections::id_of;

fn entry(action: &str) -> AuditEntry {
    AuditEntry {
        agency: None,
        actor: Actor::Operator,
        action: action.into(),
        target: None,
        outcome: Outcome::Ok,
        detail: None,
        address: None,
    }
}

async fn the_store_keeps_its_word(backend: Backend) {
    let mut f = field(backend).await;
    let s = &f.w.server;
    let store = &s.state.store;
    let admin = user_named(s, "admin1").await;
    let other = s.agency("Управление надзора №2").await;
    let d = &mut f.w.device;
    let warning = d.sign(
        RecordKind::Warning,
        &json!({"subject": "500100732259", "requirements": ["R2"], "text": "Предостережение",
                "measures": [{"what": "Освободить выход", "by": "2026-12-10"}]}),
    );
    assert_eq!(s.push(d, std::slice::from_ref(&warning)).await.0, 200);
    let record = id_of(&warning);
    knd_server::services::projections::catch_up(&s.state)
        .await
        .unwrap();
    flags_of(s, &f.w.admin, &[&record]).await;
    let resolution = |reason: &str| NewResolution {
        record: knd_shared::RecordId::parse(&record).unwrap(),
        reason: reason.into(),
        decision: Decision::Accepted,
        note: None,
        by: admin.id,
    };
    let flag = resolution("document_unknown_subject");
    let audit = entry("review_flag.resolve");
    assert!(
        !store.resolve_flag(other, &flag, &audit).await.unwrap(),
        "another agency's flag"
    );
    assert!(
        !store
            .resolve_flag(admin.agency, &resolution("no_such"), &audit)
            .await
            .unwrap()
    );
    assert!(
        store
            .resolve_flag(admin.agency, &flag, &audit)
            .await
            .unwrap()
    );
    assert!(
        !store
            .resolve_flag(admin.agency, &flag, &audit)
            .await
            .unwrap(),
        "once"
    );
    let item = store
        .review_item(admin.agency, flag.record, &flag.reason)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item.resolution.unwrap().by_login, "admin1");
    assert_eq!(store.waiting_flags(admin.agency, 10).await.unwrap(), 0);

    // User changes: only the agency's users; disabling ends the sessions.
    let inspector = user_named(s, "inspector1").await;
    let change = entry("user.disable");
    assert!(
        store
            .change_user(other, inspector.id, &UserChange::Disable, &change)
            .await
            .unwrap()
            .is_none()
    );
    let (st, _) = s.get("/api/v1/auth/me", &f.w.inspector).await;
    assert_eq!(st, 200);
    let disabled = store
        .change_user(admin.agency, inspector.id, &UserChange::Disable, &change)
        .await
        .unwrap()
        .unwrap();
    assert!(disabled.disabled_at.is_some());
    assert_eq!(s.get("/api/v1/auth/me", &f.w.inspector).await.0, 401);
    assert!(
        store.user_for_login("inspector1").await.unwrap().is_none(),
        "no sign-in"
    );
    let role = store
        .change_user(
            admin.agency,
            inspector.id,
            &UserChange::Role(Role::Reviewer),
            &change,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(role.role, Role::Reviewer);
    let enabled = store
        .change_user(admin.agency, inspector.id, &UserChange::Enable, &change)
        .await
        .unwrap()
        .unwrap();
    assert!(enabled.disabled_at.is_none());

    // A device's report: a later call without the headers keeps what was said.
    let said = SyncReport {
        synced_at: Some(time::OffsetDateTime::now_utc()),
        pending_records: Some(4),
        clock_skew_ms: Some(-1500),
    };
    store.report_sync(f.device2.id, &said).await.unwrap();
    let quiet = SyncReport {
        synced_at: Some(time::OffsetDateTime::now_utc()),
        ..SyncReport::default()
    };
    store.report_sync(f.device2.id, &quiet).await.unwrap();
    let device = store.get_device(None, f.device2.id).await.unwrap().unwrap();
    assert_eq!(device.sync.pending_records, Some(4));
    assert_eq!(device.sync.clock_skew_ms, Some(-1500));
    assert!(device.sync.synced_at >= said.synced_at);
}
on_both!(the_store_keeps_its_word);
