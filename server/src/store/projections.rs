//! The projector: what it reads while judging records and what it writes.

use async_trait::async_trait;
use knd_shared::{InspectionId, RecordId, UserId};
use time::OffsetDateTime;

use super::StoreResult;
use crate::model::{InspectionAt, ProjOp, ProjectionPosition, RowKind};

/// The projector: what it reads while judging records and what it writes.
#[async_trait]
pub trait ProjectionStore: Send + Sync {
    /// Where the projector stands in the log.
    async fn projection_position(&self) -> StoreResult<ProjectionPosition>;

    /// The inspection as it was at `at`, and whether `user` was assigned to it then.
    async fn inspection_at(
        &self,
        id: InspectionId,
        at: OffsetDateTime,
        user: Option<UserId>,
    ) -> StoreResult<Option<InspectionAt>>;

    /// Whether another act than `except` is projected for the inspection (corrections of an
    /// act are versions of it, not other acts).
    async fn other_act(&self, inspection: InspectionId, except: RecordId) -> StoreResult<bool>;

    /// The correction that replaces the projected row of `record` in `table`, if any.
    async fn superseded_by(
        &self,
        table: RowKind,
        record: RecordId,
    ) -> StoreResult<Option<RecordId>>;

    /// Applies the projector's writes in order and moves the projection to `upto`, in one
    /// transaction.
    async fn apply_projection(&self, ops: &[ProjOp], upto: u64) -> StoreResult<()>;

    /// Empties every projection table and review flag, for a rebuild from the records; what was
    /// projected before is replayed without moving inspections along.
    async fn reset_projections(&self) -> StoreResult<()>;

    /// Every projection row as text, in a fixed order (to compare a rebuild with the original).
    async fn projection_dump(&self) -> StoreResult<Vec<String>>;
}
