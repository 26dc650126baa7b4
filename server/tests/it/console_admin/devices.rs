//! Devices: what they report on sync, enrollment codes shown once, revocation by role.

use knd_server::model::Role;

use super::{invalid_field, signed_in};
use crate::common::Backend;
use crate::field::field;
use crate::on_both;

async fn devices_show_what_they_report(backend: Backend) {
    let f = field(backend).await;
    let s = &f.w.server;
    s.user(f.w.agency, "auditor1", Role::Auditor).await;
    // The device says it holds 3 unsent records and its clock is 2 minutes ahead.
    let ahead = time::OffsetDateTime::now_utc() + time::Duration::seconds(125);
    let resp = s
        .http
        .get(s.url("/api/v1/sync/pull?limit=1"))
        .bearer_auth(&f.w.device.token)
        .header("x-knd-pending", "3")
        .header(
            "x-knd-device-time",
            ahead
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (st, v) = s
        .get(&format!("/api/v1/devices/{}", f.w.device.id), &f.w.admin)
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["pending_records"], 3);
    let skew = v["clock_skew_ms"].as_i64().unwrap();
    assert!((120_000..=126_000).contains(&skew), "{v}");
    assert!(v["synced_at"].is_string());
    // A push without the headers keeps what was said and moves the time.
    let (st, _) = s.push(&f.w.device, &[]).await;
    assert_eq!(st, 200);
    let (_, v2) = s
        .get(&format!("/api/v1/devices/{}", f.w.device.id), &f.w.admin)
        .await;
    assert_eq!(v2["pending_records"], 3);

    let mut admin = signed_in(s, "admin1").await;
    let page = admin.get("/devices").await;
    assert_eq!(page.status, 200);
    assert!(page.shows("+2 мин 0"), "{}", page.body);
    assert!(page.shows("ждут отправки"));
    let attention = admin.get("/devices?attention=1").await;
    assert!(
        attention.body.contains("Планшет 7"),
        "unsent records need attention"
    );

    // The inspector sees their own device; the second inspector theirs only.
    let mut insp = signed_in(s, "inspector1").await;
    let own = insp.get("/devices").await;
    assert_eq!(own.status, 200);
    assert_eq!(own.body.matches("<tr>").count() - 1, 1, "{}", own.body);
    assert!(!own.shows("Выдать код") && !own.shows("Отозвать"));

    // An enrollment code, shown once; a form without an inspector is refused beside its field.
    let bad = admin.post("/devices/code", &[("user_id", "")]).await;
    assert_eq!(bad.status, 422);
    assert!(invalid_field(&bad, "user_id"));
    let issued = admin
        .post("/devices/code", &[("user_id", &f.w.inspector_id)])
        .await;
    assert_eq!(issued.status, 200, "{}", issued.body);
    assert!(issued.shows("Код показывается один раз"));

    // An auditor cannot revoke; an admin can.
    let mut aud = signed_in(s, "auditor1").await;
    aud.get("/devices").await;
    let path = format!("/devices/{}/revoke", f.device2.id);
    assert_eq!(aud.post(&path, &[]).await.status, 403);
    admin.get("/devices").await;
    let revoked = admin.post(&path, &[]).await;
    assert_eq!(revoked.status, 303);
    let after = admin.get("/devices?revoked=1").await;
    assert!(after.shows("Отозвано"));
}
on_both!(devices_show_what_they_report);
