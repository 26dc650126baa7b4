//! Storage: one [`Store`] trait, an SQLite implementation (the embedded default) and a PostgreSQL
//! one, chosen by the database URL. SQL lives only below this module and in `migrations/`.
//!
//! Every state-changing method takes the [`AuditEntry`] that describes it and writes it in the
//! same transaction, so the audit log cannot miss a change that happened.

mod ingest_rules;
mod log_append;
pub mod postgres;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use knd_shared::record::VerifiedRecord;
use knd_shared::{
    AgencyId, DeviceId, DeviceKey, InspectionId, RecordId, RiskCategory, Sha256, UserId,
};
use time::{Date, OffsetDateTime};

pub use ingest_rules::{IngestResult, Rejection};

use knd_shared::registry::ControlTypeRules;

use crate::model::{
    Agency, ApiKey, AuditEntry, AuditRecord, Change, Checklist, ControlObject, ControlType, Device,
    ImportCounts, Inspection, InspectionFilter, NewChecklistItem, NewDevice, NewObject, NewSubject,
    NewUser, Requirement, ServerIdentity, StoredRecord, Subject, User,
};
use crate::model::{Blob, BlobUploader};
use crate::model::{
    FieldData, InspectionAt, PastViolation, ProjOp, ProjectedDocument, ProjectionPosition,
    ReviewFlag, RowKind,
};

/// A storage failure. Callers treat these as server errors (500), except [`StoreError::Conflict`].
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database: {0}")]
    Database(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("unsupported database url {0:?}: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A record that passed the signature and body checks, waiting for the chain and log.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub record: VerifiedRecord,
    /// Exactly as received.
    pub bytes: Vec<u8>,
}

/// The server's own chain, for records of the agency's decisions.
#[derive(Debug, Clone)]
pub struct ServerChain {
    pub identity: ServerIdentity,
    pub key: DeviceKey,
}

/// Why an enrollment code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollRefusal {
    UnknownCode,
    /// The code was for this agency's user, so the refusal goes to its audit log.
    CodeUsed(AgencyId),
    CodeExpired(AgencyId),
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// The server's identity, once initialised.
    async fn server_identity(&self) -> StoreResult<Option<ServerIdentity>>;
    /// Records the server's identity and its chain's device row (first start).
    async fn init_server_identity(
        &self,
        id: &ServerIdentity,
        now: OffsetDateTime,
    ) -> StoreResult<()>;

    async fn create_agency(&self, name: &str, audit: &AuditEntry) -> StoreResult<Agency>;
    async fn get_agency(&self, id: AgencyId) -> StoreResult<Option<Agency>>;

    /// Fails with [`StoreError::Conflict`] when the login is taken.
    async fn create_user(&self, user: &NewUser, audit: &AuditEntry) -> StoreResult<User>;
    /// The user and the password hash, for login.
    async fn user_for_login(&self, login: &str) -> StoreResult<Option<(User, String)>>;
    async fn get_user(&self, agency: AgencyId, id: UserId) -> StoreResult<Option<User>>;
    async fn list_users(&self, agency: AgencyId) -> StoreResult<Vec<User>>;

    async fn create_session(
        &self,
        token_hash: &Sha256,
        user: UserId,
        expires_at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()>;
    /// The user of an unexpired session.
    async fn session_user(
        &self,
        token_hash: &Sha256,
        now: OffsetDateTime,
    ) -> StoreResult<Option<User>>;
    async fn delete_session(&self, token_hash: &Sha256, audit: &AuditEntry) -> StoreResult<()>;

    async fn create_api_key(
        &self,
        subject_inn: &str,
        key_hash: &Sha256,
        audit: &AuditEntry,
    ) -> StoreResult<ApiKey>;
    async fn api_key_by_hash(&self, key_hash: &Sha256) -> StoreResult<Option<ApiKey>>;
    /// Returns false when there is no such unrevoked key.
    async fn revoke_api_key(
        &self,
        id: uuid::Uuid,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;

    async fn create_enrollment_code(
        &self,
        agency: AgencyId,
        user: UserId,
        code_hash: &Sha256,
        expires_at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()>;
    /// In one transaction: uses the code, creates the device, and appends the server's
    /// `device_enrolled` record (body from `enrolled_body`) to its chain and the log.
    async fn enroll_device(
        &self,
        code_hash: &Sha256,
        device: &NewDevice,
        server: &ServerChain,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<Result<Device, EnrollRefusal>>;

    async fn device_by_token(&self, token_hash: &Sha256) -> StoreResult<Option<Device>>;
    /// A device of `agency` (or any device when `agency` is `None`).
    async fn get_device(
        &self,
        agency: Option<AgencyId>,
        id: DeviceId,
    ) -> StoreResult<Option<Device>>;
    async fn list_devices(&self, agency: AgencyId) -> StoreResult<Vec<Device>>;
    /// Revokes a device of `agency`; `None` when it does not exist there.
    async fn revoke_device(
        &self,
        agency: AgencyId,
        id: DeviceId,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<Option<Device>>;

    /// In one transaction: for each candidate in order, decide duplicate / conflict / chain fit,
    /// store the accepted ones, append them to the log and sign their receipts with `server_key`.
    async fn ingest(
        &self,
        device: DeviceId,
        batch: Vec<Candidate>,
        server_key: &DeviceKey,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<IngestResult>>;

    async fn get_record(&self, id: RecordId) -> StoreResult<Option<StoredRecord>>;
    async fn log_size(&self) -> StoreResult<u64>;
    /// Stored hashes of the log by stored-hash index (see `knd_shared::log`).
    async fn log_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Sha256>>;
    /// The log index of a record hash.
    async fn leaf_index(&self, record_hash: &Sha256) -> StoreResult<Option<u64>>;

    /// Creates the agency's control type with this code, or updates its name and rules.
    async fn put_control_type(
        &self,
        agency: AgencyId,
        code: &str,
        name: &str,
        rules: &ControlTypeRules,
        audit: &AuditEntry,
    ) -> StoreResult<ControlType>;
    async fn list_control_types(&self, agency: AgencyId) -> StoreResult<Vec<ControlType>>;
    /// Inserts or updates (by INN) in one transaction.
    async fn import_subjects(
        &self,
        agency: AgencyId,
        rows: &[NewSubject],
        audit: &AuditEntry,
    ) -> StoreResult<ImportCounts>;
    /// Inserts or updates (by object key) in one transaction. Every row's subject INN and control
    /// type code must exist in the agency (the caller checked; otherwise nothing is imported).
    async fn import_objects(
        &self,
        agency: AgencyId,
        rows: &[NewObject],
        audit: &AuditEntry,
    ) -> StoreResult<ImportCounts>;
    /// Which of `inns` the agency has subjects for.
    async fn known_inns(&self, agency: AgencyId, inns: &[String]) -> StoreResult<Vec<String>>;
    /// Subjects in INN order after `after` (keyset pagination).
    async fn list_subjects(
        &self,
        agency: AgencyId,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Subject>>;
    /// Objects in key order after `after`, optionally of one district.
    async fn list_objects(
        &self,
        agency: AgencyId,
        district: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ControlObject>>;

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

    /// The agency's subject with this INN.
    async fn subject_by_inn(&self, agency: AgencyId, inn: &str) -> StoreResult<Option<Subject>>;
    /// The agency's objects with these keys (those that exist), in key order.
    async fn objects_by_keys(
        &self,
        agency: AgencyId,
        keys: &[String],
    ) -> StoreResult<Vec<ControlObject>>;
    /// Records a risk-category decision on an object (and optionally its attributes); false when
    /// the agency has no such object.
    #[allow(clippy::too_many_arguments)]
    async fn decide_risk(
        &self,
        agency: AgencyId,
        object_key: &str,
        category: RiskCategory,
        decided_on: Date,
        reason: &str,
        attributes: Option<&serde_json::Value>,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;

    /// Writes an inspection (new when `prev` is `None`; otherwise refused with
    /// [`StoreError::Conflict`] if the stored one is no longer `prev`): its objects, assignment and
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

    /// The id of a checklist of the agency's control type.
    async fn checklist_id(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
    ) -> StoreResult<Option<uuid::Uuid>>;

    /// Stored records from log index `from` on, in log order.
    async fn records_from(&self, from: u64, limit: u32) -> StoreResult<Vec<StoredRecord>>;
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

    async fn audit(&self, entry: &AuditEntry) -> StoreResult<()>;
    /// Newest first; `before` is the id to continue below (keyset pagination).
    async fn list_audit(
        &self,
        agency: AgencyId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRecord>>;

    /// A stored blob's size and media type.
    async fn blob(&self, sha256: &Sha256) -> StoreResult<Option<Blob>>;
    /// Records a blob whose bytes are now in the object store, and its uploader, with the audit
    /// entry. Idempotent: a blob or an agency's upload already recorded stays as it was.
    async fn record_blob(
        &self,
        blob: &Blob,
        by: BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()>;
    /// Records another uploader of a stored blob; false (nothing written) when there is no such
    /// blob.
    async fn add_blob_upload(
        &self,
        sha256: &Sha256,
        by: BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;
    /// Whether `agency` may read the blob: one of its devices uploaded it (sent every byte, or
    /// had sent it before). A photo record naming a hash is not enough: anyone can sign one.
    async fn blob_visible(&self, agency: AgencyId, sha256: &Sha256) -> StoreResult<bool>;
}

/// Opens the store the URL names and applies pending migrations.
/// The interaction limit of an inspection from its stored kind and size class (both backends).
pub(crate) fn limit_of(kind: &str, size: Option<&str>) -> StoreResult<Option<u32>> {
    let kind = knd_shared::InspectionKind::parse(kind)
        .ok_or_else(|| StoreError::Corrupt(format!("kind {kind:?}")))?;
    let size = size
        .map(|s| {
            knd_shared::registry::SizeClass::parse(s)
                .ok_or_else(|| StoreError::Corrupt(format!("size class {s:?}")))
        })
        .transpose()?;
    Ok(crate::model::interaction_limit_minutes(kind, size))
}

/// The ground of an inspection created before grounds existed (NULL after migration 0005): the
/// one its note states, or unspecified (it then needs a correction). Both backends call it.
pub(crate) fn migrated_ground(note: &str) -> knd_shared::Ground {
    knd_shared::Ground::from_note(note).unwrap_or(knd_shared::Ground::Unspecified)
}

pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        Ok(Arc::new(sqlite::SqliteStore::open(path).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        postgres::open(url).await
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}

/// The projection table of a kind of row.
pub(crate) fn table_of(kind: RowKind) -> &'static str {
    match kind {
        RowKind::Finding => "proj_findings",
        RowKind::Photo => "proj_photos",
        RowKind::Document => "proj_documents",
    }
}
