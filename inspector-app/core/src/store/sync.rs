//! What the sync client reads and writes: the device token, pull pages, rejections, photo
//! uploads and the counts the sync screen shows.

use knd_shared::record::Timestamp;
use knd_shared::{InspectionId, RecordId};
use rusqlite::{OptionalExtension as _, TransactionBehavior, params};
use serde_json::Value;

use super::{Store, StoreError, StoreResult, pulled};

/// One pull page as the device applies it (DESIGN.md section 5). Bodies stay JSON as pulled.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PulledPage {
    pub assignments: Vec<(InspectionId, Value)>,
    /// `(control type / code, checklist)`.
    pub checklists: Vec<(String, Value)>,
    pub removed: Vec<InspectionId>,
    /// `(year, the calendar year's JSON)`.
    pub calendar: Vec<(i32, String)>,
    /// `(warning record id, the objection's standing as JSON)`.
    pub warnings: Vec<(String, String)>,
}

/// A photo whose bytes have not reached the server yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingUpload {
    pub sha256: String,
    /// Relative to the profile folder.
    pub path: String,
    pub mime: String,
    pub bytes: u64,
    /// The tus upload's path on the server, once created.
    pub upload_url: Option<String>,
}

/// How many records are where (the sync screen's counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordCounts {
    pub pending: u64,
    pub sent: u64,
    pub receipted: u64,
    /// Refused by the server (still in the outbox, shown with the reason).
    pub rejected: u64,
    pub photos_pending: u64,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Store {
    /// The device's sync token, saved at enrollment.
    pub fn device_token(&self) -> StoreResult<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT device_token FROM profile WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?
            .flatten())
    }

    /// Saves the sync token (enrollment, once the profile row exists).
    pub fn set_device_token(&mut self, token: &str) -> StoreResult<()> {
        let n = self
            .conn
            .execute("UPDATE profile SET device_token = ?1 WHERE id = 1", [token])?;
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::NotEnrolled)
        }
    }

    /// Applies one pull page in one transaction: a crash leaves the page applied or not.
    /// `snapshot_ends` with the set of inspections a finished snapshot sent: every other
    /// assignment is dropped (the server no longer gives it to this inspector).
    pub fn apply_pull_page(
        &mut self,
        page: &PulledPage,
        snapshot_ends: Option<&[InspectionId]>,
    ) -> StoreResult<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (id, body) in &page.assignments {
            pulled::upsert_assignment(&tx, *id, body)?;
        }
        for (id, body) in &page.checklists {
            pulled::upsert_checklist(&tx, id, body)?;
        }
        for id in &page.removed {
            tx.execute(
                "DELETE FROM assignments WHERE inspection = ?1",
                [id.to_string()],
            )?;
        }
        for (year, body) in &page.calendar {
            pulled::upsert_calendar_year(&tx, *year, body)?;
        }
        for (warning, body) in &page.warnings {
            tx.execute(
                "INSERT INTO warning_objections (warning, body) VALUES (?1, ?2)
                 ON CONFLICT (warning) DO UPDATE SET body = excluded.body",
                params![warning, body],
            )?;
        }
        if let Some(kept) = snapshot_ends {
            let kept: std::collections::HashSet<String> =
                kept.iter().map(ToString::to_string).collect();
            let all: Vec<String> = tx
                .prepare("SELECT inspection FROM assignments")?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for id in all.iter().filter(|id| !kept.contains(*id)) {
                tx.execute("DELETE FROM assignments WHERE inspection = ?1", [id])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Notes the server's refusal of a record. The record stays in the outbox.
    pub fn mark_rejected(&mut self, id: RecordId, reason: &str, detail: &str) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE records SET state = 'pending', rejected_reason = ?2, rejected_detail = ?3
             WHERE id = ?1 AND state <> 'receipted'",
            params![id.to_string(), reason, detail],
        )?;
        Ok(())
    }

    /// The first rejected record, if any: `(seq, reason, detail)`.
    pub fn first_rejection(&self) -> StoreResult<Option<(u64, String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT seq, rejected_reason, coalesce(rejected_detail, '') FROM records
                 WHERE rejected_reason IS NOT NULL AND state <> 'receipted' ORDER BY seq LIMIT 1",
                [],
                |r| Ok((count(r.get(0)?), r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// Photos still to upload, oldest first.
    pub fn photos_to_upload(&self) -> StoreResult<Vec<PendingUpload>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT sha256, path, mime, bytes, upload_url FROM photos
             WHERE upload_state <> 'uploaded' ORDER BY record_seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(PendingUpload {
                sha256: r.get(0)?,
                path: r.get(1)?,
                mime: r.get(2)?,
                bytes: r.get(3)?,
                upload_url: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Remembers a photo's tus upload (so a restart continues it) and how far it got.
    pub fn set_upload_progress(
        &mut self,
        sha256: &str,
        upload_url: Option<&str>,
        offset: u64,
    ) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE photos SET upload_state = 'uploading', upload_url = ?2, upload_offset = ?3
             WHERE sha256 = ?1 AND upload_state <> 'uploaded'",
            params![
                sha256,
                upload_url,
                i64::try_from(offset).unwrap_or(i64::MAX)
            ],
        )?;
        Ok(())
    }

    /// The server holds the photo's bytes (checked against its SHA-256 there).
    pub fn mark_uploaded(&mut self, sha256: &str) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE photos SET upload_state = 'uploaded', upload_url = NULL,
                               upload_offset = bytes WHERE sha256 = ?1",
            [sha256],
        )?;
        Ok(())
    }

    /// Counts of records by delivery state, and photos not uploaded.
    pub fn record_counts(&self) -> StoreResult<RecordCounts> {
        let (pending, sent, receipted, rejected): (i64, i64, i64, i64) = self.conn.query_row(
            "SELECT coalesce(sum(state = 'pending' AND rejected_reason IS NULL), 0),
                    coalesce(sum(state = 'sent'), 0),
                    coalesce(sum(state = 'receipted'), 0),
                    coalesce(sum(state <> 'receipted' AND rejected_reason IS NOT NULL), 0)
             FROM records",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        let photos: i64 = self.conn.query_row(
            "SELECT count(*) FROM photos WHERE upload_state <> 'uploaded'",
            [],
            |r| r.get(0),
        )?;
        Ok(RecordCounts {
            pending: count(pending),
            sent: count(sent),
            receipted: count(receipted),
            rejected: count(rejected),
            photos_pending: count(photos),
        })
    }

    /// Records when the server was last reached and the clock difference it showed.
    pub fn note_contact(&mut self, clock_skew_ms: Option<i64>) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE sync_state SET last_contact_at = ?1,
                                   clock_skew_ms = coalesce(?2, clock_skew_ms) WHERE id = 1",
            params![Timestamp::now().to_string(), clock_skew_ms],
        )?;
        Ok(())
    }

    /// Ends a sync attempt: the pull cursor reached (if it moved), the time of a successful
    /// sync, or the error that stopped it.
    pub fn finish_sync(&mut self, cursor: Option<&str>, error: Option<&str>) -> StoreResult<()> {
        if let Some(cursor) = cursor {
            self.conn.execute(
                "UPDATE sync_state SET pull_cursor = ?1 WHERE id = 1",
                [cursor],
            )?;
        }
        match error {
            None => self.conn.execute(
                "UPDATE sync_state SET last_sync_at = ?1, last_error = NULL WHERE id = 1",
                [Timestamp::now().to_string()],
            )?,
            Some(e) => self
                .conn
                .execute("UPDATE sync_state SET last_error = ?1 WHERE id = 1", [e])?,
        };
        Ok(())
    }

    /// Saves the pull cursor after a page outside a snapshot was applied.
    pub fn set_pull_cursor(&mut self, cursor: &str) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE sync_state SET pull_cursor = ?1 WHERE id = 1",
            [cursor],
        )?;
        Ok(())
    }
}

impl Store {
    /// Saves what enrollment gave, the profile and the sync token, in one transaction.
    pub fn save_enrollment(&mut self, profile: &super::Profile, token: &str) -> StoreResult<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let saved = self
            .save_profile(profile)
            .and_then(|()| self.set_device_token(token));
        match saved {
            Ok(()) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(())
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                self.profile = None;
                Err(e)
            }
        }
    }
}
