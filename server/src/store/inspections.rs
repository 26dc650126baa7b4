//! Inspections, their assignments and the inspectors' change feed.

use async_trait::async_trait;
use knd_shared::{AgencyId, InspectionId, UserId};
use time::{Date, OffsetDateTime};

use super::StoreResult;
use crate::model::{AuditEntry, Change, Inspection, InspectionFilter};

/// Inspections, their assignments and the inspectors' change feed.
#[async_trait]
pub trait InspectionStore: Send + Sync {
    /// Writes an inspection (new when `prev` is `None`; otherwise refused with
    /// [`StoreError::Stale`](super::StoreError::Stale) if the stored one is no longer `prev`): its objects, assignment and
    /// status history, a change-feed entry for each inspector it concerns, and the audit entry.
    async fn save_inspection(
        &self,
        inspection: &Inspection,
        prev: Option<&Inspection>,
        what: &str,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// An inspection of `agency` (any agency when `None`).
    async fn get_inspection(
        &self,
        agency: Option<AgencyId>,
        id: InspectionId,
    ) -> StoreResult<Option<Inspection>>;

    /// By start date then id, after `after` (keyset pagination).
    async fn list_inspections(
        &self,
        agency: AgencyId,
        filter: &InspectionFilter,
        after: Option<(Date, InspectionId)>,
        limit: u32,
    ) -> StoreResult<Vec<Inspection>>;

    /// The inspector's change feed after `after`, oldest first (and the agency-wide entries).
    async fn changes_for(
        &self,
        agency: AgencyId,
        user: UserId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<Change>>;

    /// (floor, newest): cursors below the floor were pruned away and need a snapshot.
    async fn feed_bounds(&self) -> StoreResult<(i64, i64)>;

    /// Deletes feed entries older than `before`, raising the floor; returns how many.
    async fn prune_changes(&self, before: OffsetDateTime) -> StoreResult<u64>;

    /// The inspections the user is assigned to now that devices carry, by id after `after`.
    async fn assigned_inspections(
        &self,
        user: UserId,
        after: Option<InspectionId>,
        limit: u32,
    ) -> StoreResult<Vec<InspectionId>>;
}
