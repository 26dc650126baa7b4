//! On-site interaction under way: the start of the interval the inspector is in now, kept
//! unsigned until it is stopped, when the interval is signed as an `interaction` record and the
//! start removed in the same transaction (so an interval is never signed twice or lost).

use knd_shared::InspectionId;
use knd_shared::record::Timestamp;
use knd_shared::record::kinds::RecordKind;
use rusqlite::{OptionalExtension as _, TransactionBehavior, params};
use serde_json::{Map, Value};

use super::records::sign_into;
use super::{Store, StoreError, StoreResult, StoredRecord};
use crate::keystore::Unlocked;

/// An interval of interaction begun and not yet stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInteraction {
    pub started_at: Timestamp,
    /// The controlled person's INN, when the measure concerns several.
    pub subject: Option<String>,
}

impl Store {
    /// The inspection's interval under way, if any.
    pub fn open_interaction(
        &self,
        inspection: InspectionId,
    ) -> StoreResult<Option<OpenInteraction>> {
        let row: Option<(String, Option<String>)> = self
            .conn
            .prepare_cached(
                "SELECT started_at, subject FROM open_interactions WHERE inspection = ?1",
            )?
            .query_row([inspection.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(at, subject)| {
            Ok(OpenInteraction {
                started_at: Timestamp::parse(&at)
                    .map_err(|e| StoreError::Corrupt(format!("open interaction: {e}")))?,
                subject,
            })
        })
        .transpose()
    }

    /// Begins an interval (one at a time per inspection), signing `first` (the inspection's
    /// `inspection_started`, if it has none) in the same transaction. `false`: one is already
    /// under way, and nothing was written.
    pub fn begin_interaction(
        &mut self,
        key: &Unlocked,
        inspection: InspectionId,
        open: &OpenInteraction,
        first: Option<(RecordKind, Map<String, Value>)>,
    ) -> StoreResult<bool> {
        let first: Vec<_> = first.into_iter().collect();
        self.check_records(key, &first)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let inserted = tx.execute(
            "INSERT INTO open_interactions (inspection, started_at, subject) VALUES (?1, ?2, ?3)
             ON CONFLICT (inspection) DO NOTHING",
            params![
                inspection.to_string(),
                open.started_at.to_string(),
                open.subject
            ],
        )?;
        if inserted == 0 {
            return Ok(false);
        }
        sign_into(&tx, key, first)?;
        tx.commit()?;
        Ok(true)
    }

    /// Signs the stopped interval (`records`: the `interaction` record) and removes its start,
    /// in one transaction. Refused (nothing written) if no interval is under way.
    pub fn end_interaction(
        &mut self,
        key: &Unlocked,
        inspection: InspectionId,
        records: Vec<(RecordKind, Map<String, Value>)>,
    ) -> StoreResult<Vec<StoredRecord>> {
        self.check_records(key, &records)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let removed = tx.execute(
            "DELETE FROM open_interactions WHERE inspection = ?1",
            [inspection.to_string()],
        )?;
        if removed == 0 {
            return Err(StoreError::Corrupt(format!(
                "no interaction under way for inspection {inspection}"
            )));
        }
        let out = sign_into(&tx, key, records)?;
        tx.commit()?;
        Ok(out)
    }
}
