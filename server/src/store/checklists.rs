//! Mandatory requirements and checklists of the control types.

use async_trait::async_trait;
use knd_shared::AgencyId;

use super::StoreResult;
use crate::model::{AuditEntry, Checklist, NewChecklistItem, Requirement};

/// Mandatory requirements and checklists of the control types.
#[async_trait]
pub trait ChecklistStore: Send + Sync {
    /// Creates or updates (by code) a requirement of the agency's control type `type_code`;
    /// `None` when the agency has no such control type.
    async fn put_requirement(
        &self,
        agency: AgencyId,
        type_code: &str,
        r: &Requirement,
        audit: &AuditEntry,
    ) -> StoreResult<Option<()>>;

    /// The requirements of a control type, by code; `None` when there is no such control type.
    async fn list_requirements(
        &self,
        agency: AgencyId,
        type_code: &str,
    ) -> StoreResult<Option<Vec<Requirement>>>;

    /// Creates or replaces (by code) a checklist. `Some(Err(codes))` names requirement codes that do
    /// not exist (nothing is stored); `None` when there is no such control type.
    async fn put_checklist(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
        name: &str,
        items: &[NewChecklistItem],
        audit: &AuditEntry,
    ) -> StoreResult<Option<Result<(), Vec<String>>>>;

    async fn get_checklist(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
    ) -> StoreResult<Option<Checklist>>;

    /// The id of a checklist of the agency's control type.
    async fn checklist_id(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
    ) -> StoreResult<Option<uuid::Uuid>>;
}
