//! Sync in the background and on demand. One sync runs at a time; after a failure the next
//! automatic attempt waits with exponential backoff and jitter, a new record or "sync now"
//! wakes the loop, and with nothing to push the device still pulls every `pull_every`.
//!
//! Whoever shows the sync state (the Tauri shell, for the header's badge) subscribes to
//! [`App::sync_changes`]: it ticks when a sync starts or ends and when something is signed.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tokio::sync::{Notify, watch};

use super::views::SyncStatus;
use super::{App, AppError, AppResult, locked};
use crate::sync::{self, Backoff, SyncReport};

/// The automatic sync's shared state.
#[derive(Debug)]
pub(super) struct SyncControl {
    /// Ticks on every change a sync status would show (see [`App::sync_changes`]).
    changed: watch::Sender<u64>,
    wake: Notify,
    /// Held while a sync runs (automatic or manual), so two never interleave.
    running: tokio::sync::Mutex<()>,
    syncing: AtomicBool,
    /// `Some(true)` after the server answered, `Some(false)` after it could not be reached.
    online: Mutex<Option<bool>>,
    next_attempt: Mutex<Option<Instant>>,
}

impl Default for SyncControl {
    fn default() -> Self {
        Self {
            changed: watch::Sender::new(0),
            wake: Notify::default(),
            running: tokio::sync::Mutex::default(),
            syncing: AtomicBool::default(),
            online: Mutex::default(),
            next_attempt: Mutex::default(),
        }
    }
}

impl SyncControl {
    /// Something changed (a record signed, the app unlocked): sync soon.
    pub(super) fn wake(&self) {
        self.changed();
        self.wake.notify_one();
    }

    fn changed(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }
}

impl App {
    /// Runs one sync now, whatever the backoff says; the status afterwards (an error is in
    /// `last_error`, not a failure of the command: being offline is normal).
    pub async fn sync_now(&self) -> AppResult<SyncStatus> {
        let _ = self.sync_locked().await;
        *locked(&self.sync.next_attempt) = None;
        self.sync.changed();
        self.sync_status()
    }

    /// Ticks when the sync status may have changed: a sync started or ended (automatic or
    /// "sync now"), a record was signed, the session was unlocked. Changes between two looks
    /// coalesce; read [`App::sync_status`] after each tick.
    pub fn sync_changes(&self) -> watch::Receiver<u64> {
        self.sync.changed.subscribe()
    }

    async fn sync_locked(&self) -> Result<SyncReport, sync::SyncError> {
        let _guard = self.sync.running.lock().await;
        self.sync.syncing.store(true, Ordering::SeqCst);
        self.sync.changed();
        // The error is kept with its kind, for the sync screen to translate.
        let result = sync::sync_recorded(&self.store, &self.config.sync, |e| {
            AppError::from(e).to_json()
        })
        .await;
        self.sync.syncing.store(false, Ordering::SeqCst);
        *locked(&self.sync.online) = Some(match &result {
            Ok(_) => true,
            Err(e) => !e.is_offline(),
        });
        self.sync.changed();
        result
    }

    /// The sync screen: counts, last sync, last error, clock skew, and what runs now.
    pub fn sync_status(&self) -> AppResult<SyncStatus> {
        let (counts, state) = {
            let s = self.store();
            (s.record_counts()?, s.sync_state()?)
        };
        let next = locked(&self.sync.next_attempt)
            .map(|at| at.saturating_duration_since(Instant::now()).as_secs());
        Ok(SyncStatus {
            pending: counts.pending,
            sent: counts.sent,
            receipted: counts.receipted,
            rejected: counts.rejected,
            photos_pending: counts.photos_pending,
            last_sync_at: state.last_sync_at,
            last_error: state.last_error,
            clock_skew_ms: state.clock_skew_ms,
            syncing: self.sync.syncing.load(Ordering::SeqCst),
            online: *locked(&self.sync.online),
            next_attempt_in_seconds: next,
        })
    }

    fn has_work(&self) -> bool {
        let s = self.store();
        s.device_token().ok().flatten().is_some()
            && s.record_counts()
                .is_ok_and(|c| c.pending + c.sent + c.rejected + c.photos_pending > 0)
    }

    fn enrolled(&self) -> bool {
        self.store().device_token().ok().flatten().is_some()
    }

    /// The background loop; run it on the app's async runtime for as long as the app lives.
    pub async fn run_auto_sync(&self) {
        let mut backoff = Backoff::new(self.config.retry_base, self.config.retry_cap);
        let mut last_pull: Option<Instant> = None;
        loop {
            let due = locked(&self.sync.next_attempt).is_none_or(|at| Instant::now() >= at);
            let pull_due = last_pull.is_none_or(|t| t.elapsed() >= self.config.pull_every);
            if self.enrolled() && due && (self.has_work() || pull_due) {
                match self.sync_locked().await {
                    Ok(_) => {
                        backoff.succeed();
                        last_pull = Some(Instant::now());
                        *locked(&self.sync.next_attempt) = None;
                    }
                    Err(e) => {
                        let wait = backoff.fail();
                        log_failure(&e);
                        *locked(&self.sync.next_attempt) = Some(Instant::now() + wait);
                        // The next attempt's time is part of the status too.
                        self.sync.changed();
                    }
                }
            }
            let sleep = match *locked(&self.sync.next_attempt) {
                Some(at) => at.saturating_duration_since(Instant::now()),
                None => self.config.pull_every,
            };
            tokio::select! {
                () = tokio::time::sleep(sleep) => {}
                () = self.sync.wake.notified() => {}
            }
        }
    }
}

/// The failure is already in the store's `last_error` for the sync screen; this only helps a
/// developer watching the console.
fn log_failure(e: &sync::SyncError) {
    if cfg!(debug_assertions) {
        // Debug, not Display: the transport's own words (`cause`) are for the developer.
        eprintln!("sync: {e:?}");
    }
}
