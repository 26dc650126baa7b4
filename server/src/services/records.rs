//! Stored records as their readers get them: exactly as received, to those the policy lets read.

use knd_shared::RecordId;

use crate::error::{ApiError, ApiResult};
use crate::model::{ApiKey, ProjectedDocument, StoredRecord};
use crate::services::accounts;
use crate::services::policy::{self, RecordReader};
use crate::state::AppState;

/// The record `id` if `reader` may read it; otherwise 404, as for a record that does not exist
/// (a user's attempt is audited).
pub async fn read(
    state: &AppState,
    reader: RecordReader<'_>,
    address: Option<&str>,
    id: RecordId,
) -> ApiResult<StoredRecord> {
    if let Some(record) = state.store.get_record(id).await? {
        if policy::may_read_record(state, reader, &record).await? {
            return Ok(record);
        }
    }
    if let RecordReader::User(user) = reader {
        accounts::audit_denied(state, user, "record.read", format!("record:{id}"), address).await?;
    }
    Err(ApiError::NotFound)
}

/// The warnings, acts and orders addressed to a business (by its key's ИНН), from every agency,
/// by record id after `after`.
pub async fn documents_for(
    state: &AppState,
    key: &ApiKey,
    after: Option<RecordId>,
    limit: u32,
) -> ApiResult<Vec<ProjectedDocument>> {
    Ok(state
        .store
        .documents_for_subject(&key.subject_inn, after, limit)
        .await?)
}
