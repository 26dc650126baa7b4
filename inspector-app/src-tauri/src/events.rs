//! Events the shell sends the UI. Each is a core notification forwarded as it is: the shell
//! decides nothing.

use std::sync::Arc;

use knd_inspector_core::app::App;
use knd_inspector_core::app::views::SyncStatus;
use serde::Serialize;
use tauri_specta::Event as _;

/// The sync status changed: a sync started or ended, or a record was signed. Carries the new
/// status, so the header's badge updates at once instead of at its next poll.
#[derive(Debug, Clone, Serialize, specta::Type, tauri_specta::Event)]
pub(crate) struct SyncChanged {
    pub status: SyncStatus,
}

/// Forwards the core's sync ticks as [`SyncChanged`] for as long as the app runs. Ticks that
/// come while a status is being read coalesce into one event.
pub(crate) async fn forward_sync_changes(core: Arc<App>, handle: tauri::AppHandle) {
    let mut changes = core.sync_changes();
    while changes.changed().await.is_ok() {
        let app = Arc::clone(&core);
        let Ok(Ok(status)) = tauri::async_runtime::spawn_blocking(move || app.sync_status()).await
        else {
            continue; // the badge is advisory: its poll tries again
        };
        let _ = SyncChanged { status }.emit(&handle);
    }
}
