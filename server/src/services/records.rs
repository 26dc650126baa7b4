//! Stored records as their readers get them: exactly as received, to those the policy lets read.

use knd_shared::RecordId;

use crate::error::{ApiError, ApiResult};
use crate::model::StoredRecord;
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
