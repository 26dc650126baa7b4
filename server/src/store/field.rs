//! Reading the projection: field data, review flags, past violations and documents.

use async_trait::async_trait;
use knd_shared::{AgencyId, InspectionId, RecordId};

use super::StoreResult;
use crate::model::{FieldData, PastViolation, ProjectedDocument, ReviewFlag};

/// Reading the projection: field data, review flags, past violations and documents.
#[async_trait]
pub trait FieldStore: Send + Sync {
    /// What has been projected for an inspection: every version of its rows.
    async fn field_data(&self, inspection: InspectionId) -> StoreResult<FieldData>;

    /// The agency's review flags, by record id after `after`.
    async fn review_flags(
        &self,
        agency: AgencyId,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Vec<ReviewFlag>>;

    /// Violations found at these objects by other inspections (current answers), newest first.
    async fn past_violations(
        &self,
        agency: AgencyId,
        objects: &[uuid::Uuid],
        exclude: InspectionId,
        limit: u32,
    ) -> StoreResult<Vec<PastViolation>>;

    /// The subject's projected documents of `kind` from the agency's inspections (current
    /// versions), newest first.
    async fn subject_documents(
        &self,
        agency: AgencyId,
        inn: &str,
        kind: &str,
        limit: u32,
    ) -> StoreResult<Vec<ProjectedDocument>>;

    /// A subject's projected documents (warnings, acts, orders) from every agency, every
    /// version (each names the version that replaces it), by record id after `after`: what the
    /// business API shows the subject.
    async fn documents_for_subject(
        &self,
        inn: &str,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Vec<ProjectedDocument>>;

    /// The projected document of a record, if it is one.
    async fn projected_document(&self, record: RecordId) -> StoreResult<Option<ProjectedDocument>>;
}
