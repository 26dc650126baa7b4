//! The automatic sync: with no "sync now", records signed while the server is down reach it by
//! themselves once it is back, after retries that back off.

use std::sync::Arc;
use std::time::{Duration, Instant};

use knd_inspector_core::app::App;
use knd_inspector_core::app::views::FindingResultView;

use crate::common::{World, config, enrolled_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_signed_offline_sync_by_themselves_when_the_server_returns() {
    let mut w = World::new().await;
    let mut cfg = config();
    cfg.retry_base = Duration::from_millis(100);
    cfg.retry_cap = Duration::from_millis(800);
    cfg.pull_every = Duration::from_secs(3600);
    let (app, _dir) = enrolled_app(&w, &w.url(""), cfg).await;
    let app: Arc<App> = Arc::new(app);
    app.sync_now().await.unwrap();
    let id = w.inspection.clone();
    w.stop().await;

    let looping = Arc::clone(&app);
    let task = tokio::spawn(async move { looping.run_auto_sync().await });
    app.record_finding(
        &id,
        "1",
        FindingResultView::Compliant,
        None,
        vec![],
        None,
        None,
    )
    .unwrap();
    app.record_finding(
        &id,
        "2",
        FindingResultView::Violation,
        Some("выход загромождён".into()),
        vec![],
        None,
        None,
    )
    .unwrap();

    // Offline: the loop tries, fails, and schedules the next attempt later.
    let deadline = Instant::now() + Duration::from_secs(20);
    let offline = loop {
        let st = app.sync_status().unwrap();
        if st.last_error.is_some()
            && st.next_attempt_in_seconds.is_some()
            && st.online == Some(false)
        {
            break st;
        }
        assert!(Instant::now() < deadline, "no failed attempt noted: {st:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(offline.pending + offline.sent, 3, "{offline:?}");

    // Back online: everything is receipted without anyone pressing "sync now".
    w.restart().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    let synced = loop {
        let st = app.sync_status().unwrap();
        // Receipts are stored as they arrive; the sync's outcome (the error cleared in the store,
        // then "online" in memory, a moment later) is noted when it ends, so wait for all.
        if st.receipted == 3
            && st.pending == 0
            && st.sent == 0
            && st.last_error.is_none()
            && st.online == Some(true)
        {
            break st;
        }
        assert!(Instant::now() < deadline, "not synced by itself: {st:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(synced.last_error, None);
    assert_eq!(synced.online, Some(true));
    task.abort();
}
