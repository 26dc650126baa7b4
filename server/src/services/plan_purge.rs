//! Deleting superseded draft plans. A rebuilt draft supersedes the previous one in the
//! transaction that stores it (the old one vanishes from every read at once); its entries, as
//! many as the new draft's, are deleted afterwards a batch a transaction, so the planner's build
//! does not wait on them and a device's push waits at most one batch.

use crate::state::AppState;
use crate::store::{PurgeStep, Store, StoreResult};

/// Entries deleted per transaction: a few milliseconds of the writer each.
pub const BATCH: u32 = 2_000;

/// One purge at a time in this process: on PostgreSQL a second one would wait on the first's row
/// locks, then find its batch gone and stop as though nothing were left. (Another server process
/// purging at once only ends one of them early; the rest goes with the next build or start.)
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Deletes every superseded draft with its entries (after any purge already running); the rows
/// this call deleted.
pub async fn purge(store: &dyn Store) -> StoreResult<u64> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (mut rows, mut from) = (0, 1);
    loop {
        match store.purge_step(from, BATCH).await? {
            PurgeStep::Entries { rows: n, next } => (rows, from) = (rows + n, next),
            PurgeStep::PlanDeleted => from = 1,
            PurgeStep::Done => return Ok(rows),
        }
    }
}

/// Purges in the background (after a build; at start, what a stop interrupted).
pub fn spawn(state: &AppState) {
    let store = state.store.clone();
    tokio::spawn(async move {
        match purge(&*store).await {
            Ok(0) => {}
            Ok(rows) => tracing::info!(rows, "superseded draft plans deleted"),
            Err(e) => {
                tracing::warn!(%e, "deleting superseded draft plans failed; retried after the next build or start")
            }
        }
    });
}
