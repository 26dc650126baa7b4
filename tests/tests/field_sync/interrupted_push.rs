//! Pushes cut short: the answer lost after the server stored the batch, and the server killed
//! while the request is in flight. The next sync receipts every record exactly once.

use std::sync::Mutex;
use std::time::Duration;

use knd_inspector_core::sync::{SyncConfig, sync_once};
use knd_tests::{Fault, Proxy};

use crate::common::{World, add_notes, chain_len, check_receipts, config, enrolled_app, store_of};

const N: usize = 300;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_whose_answer_is_lost_is_receipted_once_on_retry() {
    let w = World::new().await;
    let proxy = Proxy::start(w.addr).await.unwrap();
    let (app, dir) = enrolled_app(&w, &proxy.url(), config()).await;
    let st = app.sync_now().await.unwrap();
    assert_eq!(st.last_error, None, "{st:?}");
    let device = app.status().unwrap().device_id.unwrap();
    let body = add_notes(&dir, &w.inspection, N);
    assert!(body > 50_000, "{body}");
    let (log_before, _) = w.log().await;

    // The batch reaches the server whole; its answer is cut.
    proxy.set(Fault::CutDownstreamAfterUpstream(10_000));
    let st = app.sync_now().await.unwrap();
    assert!(st.last_error.is_some(), "{st:?}");
    assert_eq!(st.receipted, 0, "{st:?}");
    assert_eq!(st.pending + st.sent, N as u64, "{st:?}");
    assert!(proxy.upstream_bytes() >= body as u64);
    assert_eq!(
        w.device_records(&device).await,
        N as u64,
        "the server stored the batch"
    );
    assert_eq!(w.log().await.0, log_before + N as u64);

    // Again through a healthy link: every record answered `duplicate` with its receipt.
    proxy.set(Fault::None);
    let store = Mutex::new(store_of(&dir));
    let report = sync_once(&store, &SyncConfig::default()).await.unwrap();
    assert_eq!(
        (report.accepted, report.duplicates),
        (0, N as u64),
        "{report:?}"
    );
    let st = app.sync_status().unwrap();
    assert_eq!(
        (st.pending, st.sent, st.rejected, st.receipted),
        (0, 0, 0, N as u64),
        "{st:?}"
    );
    assert_eq!(st.last_error, None, "{st:?}");
    assert_eq!(w.device_records(&device).await, chain_len(&dir));
    assert_eq!(
        w.log().await.0,
        log_before + N as u64,
        "the log grew on the retry"
    );
    let receipts = check_receipts(&w, &dir).await;
    assert!(receipts.iter().all(|r| r.index >= log_before));

    // Syncing once more sends nothing.
    let report = sync_once(&store, &SyncConfig::default()).await.unwrap();
    assert_eq!((report.accepted, report.duplicates), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_during_a_push_loses_and_duplicates_nothing() {
    let mut w = World::new().await;
    let proxy = Proxy::start(w.addr).await.unwrap();
    let (app, dir) = enrolled_app(&w, &proxy.url(), config()).await;
    assert_eq!(app.sync_now().await.unwrap().last_error, None);
    let device = app.status().unwrap().device_id.unwrap();
    let (log_before, _) = w.log().await;

    // 1. Killed while the request is half sent (the proxy holds the rest).
    let body = add_notes(&dir, &w.inspection, N) as u64;
    proxy.set(Fault::HoldUpstreamAfter(body / 2));
    let (st, ()) = tokio::join!(app.sync_now(), async {
        assert!(proxy.wait_upstream(body / 2, Duration::from_secs(20)).await);
        w.stop().await;
    });
    let st = st.unwrap();
    assert!(st.last_error.is_some(), "{st:?}");
    assert_eq!(st.receipted, 0);
    w.restart().await;
    assert_eq!(
        w.device_records(&device).await,
        0,
        "half a request stored something"
    );
    proxy.set(Fault::None);
    let st = app.sync_now().await.unwrap();
    assert_eq!(st.last_error, None, "{st:?}");
    assert_eq!(
        (st.pending, st.sent, st.receipted),
        (0, 0, N as u64),
        "{st:?}"
    );

    // 2. Killed the moment the whole batch has arrived, while the server works on it; its
    //    answer is held, so the device cannot have it.
    let body = add_notes(&dir, &w.inspection, N) as u64;
    proxy.set(Fault::HoldDownstreamAfterUpstream(10_000));
    let (st, ()) = tokio::join!(app.sync_now(), async {
        assert!(proxy.wait_upstream(body, Duration::from_secs(20)).await);
        w.stop().await;
    });
    let st = st.unwrap();
    assert!(st.last_error.is_some(), "{st:?}");
    assert_eq!(st.receipted, N as u64, "{st:?}");
    w.restart().await;
    let stored = w.device_records(&device).await;
    assert!(stored == N as u64 || stored == 2 * N as u64, "{stored}");
    proxy.set(Fault::None);
    let st = app.sync_now().await.unwrap();
    assert_eq!(st.last_error, None, "{st:?}");
    assert_eq!((st.pending, st.sent, st.rejected), (0, 0, 0), "{st:?}");
    assert_eq!(st.receipted, 2 * N as u64);

    assert_eq!(chain_len(&dir), 2 * N as u64);
    assert_eq!(w.device_records(&device).await, 2 * N as u64);
    assert_eq!(
        w.log().await.0,
        log_before + 2 * N as u64,
        "a record was logged twice"
    );
    check_receipts(&w, &dir).await;
}
