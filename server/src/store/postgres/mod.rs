//! The PostgreSQL store (production: replication, backups, and Postgres-compatible distributed
//! engines). A deadpool of tokio-postgres connections; log appends are serialised by locking the
//! single `log_state` row, which every appending transaction takes first.

mod accounts;
mod blobs;
mod checklists;
mod conn;
mod devices;
mod inspections;
mod projections;
mod records;
mod registry;

use std::sync::Arc;

use async_trait::async_trait;
use knd_shared::{
    AgencyId, DeviceId, DeviceKey, InspectionId, RecordId, RiskCategory, Sha256, UserId,
};
use time::{Date, OffsetDateTime};

use super::{Candidate, EnrollRefusal, IngestResult, ServerChain, Store, StoreResult};
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

pub use conn::PgStore;
use conn::{db_err, hash_col, i64_of, insert_audit, u64_of};

pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(PgStore::open(url).await?))
}

/// Runs the body in a transaction on a pooled connection and commits it.
macro_rules! transact {
    ($self:ident, |$tx:ident| $body:expr) => {{
        let mut client = $self.client().await?;
        let $tx = client.transaction().await.map_err(db_err)?;
        let out = $body;
        $tx.commit().await.map_err(db_err)?;
        Ok(out)
    }};
}

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        self.client()
            .await?
            .execute("SELECT 1", &[])
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn server_identity(&self) -> StoreResult<Option<ServerIdentity>> {
        devices::server_identity(&**self.client().await?).await
    }

    async fn init_server_identity(
        &self,
        id: &ServerIdentity,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        transact!(self, |tx| devices::init_server_identity(&tx, id, now)
            .await?)
    }

    async fn create_agency(&self, name: &str, audit: &AuditEntry) -> StoreResult<Agency> {
        transact!(self, |tx| accounts::create_agency(&tx, name, audit).await?)
    }

    async fn get_agency(&self, id: AgencyId) -> StoreResult<Option<Agency>> {
        accounts::get_agency(&**self.client().await?, id).await
    }

    async fn create_user(&self, user: &NewUser, audit: &AuditEntry) -> StoreResult<User> {
        transact!(self, |tx| accounts::create_user(&tx, user, audit).await?)
    }

    async fn user_for_login(&self, login: &str) -> StoreResult<Option<(User, String)>> {
        accounts::user_for_login(&**self.client().await?, login).await
    }

    async fn get_user(&self, agency: AgencyId, id: UserId) -> StoreResult<Option<User>> {
        accounts::get_user(&**self.client().await?, agency, id).await
    }

    async fn list_users(&self, agency: AgencyId) -> StoreResult<Vec<User>> {
        accounts::list_users(&**self.client().await?, agency).await
    }

    async fn create_session(
        &self,
        token_hash: &Sha256,
        user: UserId,
        expires_at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        transact!(self, |tx| accounts::create_session(
            &tx, token_hash, user, expires_at, audit
        )
        .await?)
    }

    async fn session_user(
        &self,
        token_hash: &Sha256,
        now: OffsetDateTime,
    ) -> StoreResult<Option<User>> {
        accounts::session_user(&**self.client().await?, token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &Sha256, audit: &AuditEntry) -> StoreResult<()> {
        transact!(self, |tx| accounts::delete_session(&tx, token_hash, audit)
            .await?)
    }

    async fn create_api_key(
        &self,
        subject_inn: &str,
        key_hash: &Sha256,
        audit: &AuditEntry,
    ) -> StoreResult<ApiKey> {
        transact!(self, |tx| accounts::create_api_key(
            &tx,
            subject_inn,
            key_hash,
            audit
        )
        .await?)
    }

    async fn api_key_by_hash(&self, key_hash: &Sha256) -> StoreResult<Option<ApiKey>> {
        accounts::api_key_by_hash(&**self.client().await?, key_hash).await
    }

    async fn revoke_api_key(
        &self,
        id: uuid::Uuid,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        transact!(self, |tx| accounts::revoke_api_key(&tx, id, now, audit)
            .await?)
    }

    async fn create_enrollment_code(
        &self,
        agency: AgencyId,
        user: UserId,
        code_hash: &Sha256,
        expires_at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        transact!(self, |tx| devices::create_enrollment_code(
            &tx, agency, user, code_hash, expires_at, audit
        )
        .await?)
    }

    async fn enroll_device(
        &self,
        code_hash: &Sha256,
        device: &NewDevice,
        server: &ServerChain,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<Result<Device, EnrollRefusal>> {
        transact!(self, |tx| devices::enroll_device(
            &tx, code_hash, device, server, now, audit
        )
        .await?)
    }

    async fn device_by_token(&self, token_hash: &Sha256) -> StoreResult<Option<Device>> {
        devices::device_by_token(&**self.client().await?, token_hash).await
    }

    async fn get_device(
        &self,
        agency: Option<AgencyId>,
        id: DeviceId,
    ) -> StoreResult<Option<Device>> {
        devices::get_device(&**self.client().await?, agency, id).await
    }

    async fn list_devices(&self, agency: AgencyId) -> StoreResult<Vec<Device>> {
        devices::list_devices(&**self.client().await?, agency).await
    }

    async fn revoke_device(
        &self,
        agency: AgencyId,
        id: DeviceId,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<Option<Device>> {
        transact!(self, |tx| devices::revoke_device(
            &tx, agency, id, now, audit
        )
        .await?)
    }

    async fn ingest(
        &self,
        device: DeviceId,
        batch: Vec<Candidate>,
        server_key: &DeviceKey,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<IngestResult>> {
        transact!(self, |tx| records::ingest(
            &tx, device, &batch, server_key, now
        )
        .await?)
    }

    async fn get_record(&self, id: RecordId) -> StoreResult<Option<StoredRecord>> {
        records::get_record(&**self.client().await?, id).await
    }

    async fn log_size(&self) -> StoreResult<u64> {
        records::log_size(&**self.client().await?).await
    }

    async fn log_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Sha256>> {
        records::log_hashes(&**self.client().await?, indexes).await
    }

    async fn leaf_index(&self, record_hash: &Sha256) -> StoreResult<Option<u64>> {
        records::leaf_index(&**self.client().await?, record_hash).await
    }

    async fn put_control_type(
        &self,
        agency: AgencyId,
        code: &str,
        name: &str,
        rules: &ControlTypeRules,
        audit: &AuditEntry,
    ) -> StoreResult<ControlType> {
        transact!(self, |tx| registry::put_control_type(
            &tx, agency, code, name, rules, audit
        )
        .await?)
    }

    async fn list_control_types(&self, agency: AgencyId) -> StoreResult<Vec<ControlType>> {
        registry::list_control_types(&**self.client().await?, agency).await
    }

    async fn import_subjects(
        &self,
        agency: AgencyId,
        rows: &[NewSubject],
        audit: &AuditEntry,
    ) -> StoreResult<ImportCounts> {
        transact!(self, |tx| registry::import_subjects(
            &tx, agency, rows, audit
        )
        .await?)
    }

    async fn import_objects(
        &self,
        agency: AgencyId,
        rows: &[NewObject],
        audit: &AuditEntry,
    ) -> StoreResult<ImportCounts> {
        transact!(self, |tx| registry::import_objects(
            &tx, agency, rows, audit
        )
        .await?)
    }

    async fn known_inns(&self, agency: AgencyId, inns: &[String]) -> StoreResult<Vec<String>> {
        registry::known_inns(&**self.client().await?, agency, inns).await
    }

    async fn list_subjects(
        &self,
        agency: AgencyId,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Subject>> {
        registry::list_subjects(&**self.client().await?, agency, after, limit).await
    }

    async fn list_objects(
        &self,
        agency: AgencyId,
        district: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ControlObject>> {
        registry::list_objects(&**self.client().await?, agency, district, after, limit).await
    }

    async fn put_requirement(
        &self,
        agency: AgencyId,
        type_code: &str,
        r: &Requirement,
        audit: &AuditEntry,
    ) -> StoreResult<Option<()>> {
        transact!(self, |tx| checklists::put_requirement(
            &tx, agency, type_code, r, audit
        )
        .await?)
    }

    async fn list_requirements(
        &self,
        agency: AgencyId,
        type_code: &str,
    ) -> StoreResult<Option<Vec<Requirement>>> {
        checklists::list_requirements(&**self.client().await?, agency, type_code).await
    }

    async fn put_checklist(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
        name: &str,
        items: &[NewChecklistItem],
        audit: &AuditEntry,
    ) -> StoreResult<Option<Result<(), Vec<String>>>> {
        transact!(self, |tx| checklists::put_checklist(
            &tx, agency, type_code, code, name, items, audit
        )
        .await?)
    }

    async fn get_checklist(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
    ) -> StoreResult<Option<Checklist>> {
        checklists::get_checklist(&**self.client().await?, agency, type_code, code).await
    }

    async fn subject_by_inn(&self, agency: AgencyId, inn: &str) -> StoreResult<Option<Subject>> {
        registry::subject_by_inn(&**self.client().await?, agency, inn).await
    }

    async fn objects_by_keys(
        &self,
        agency: AgencyId,
        keys: &[String],
    ) -> StoreResult<Vec<ControlObject>> {
        registry::objects_by_keys(&**self.client().await?, agency, keys).await
    }

    async fn decide_risk(
        &self,
        agency: AgencyId,
        object_key: &str,
        category: RiskCategory,
        decided_on: Date,
        reason: &str,
        attributes: Option<&serde_json::Value>,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        transact!(self, |tx| registry::decide_risk(
            &tx, agency, object_key, category, decided_on, reason, attributes, audit
        )
        .await?)
    }

    async fn save_inspection(
        &self,
        inspection: &Inspection,
        prev: Option<&Inspection>,
        what: &str,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        transact!(self, |tx| inspections::save_inspection(
            &tx, inspection, prev, what, audit
        )
        .await?)
    }

    async fn get_inspection(
        &self,
        agency: Option<AgencyId>,
        id: InspectionId,
    ) -> StoreResult<Option<Inspection>> {
        inspections::get_inspection(&**self.client().await?, agency, id).await
    }

    async fn list_inspections(
        &self,
        agency: AgencyId,
        filter: &InspectionFilter,
        after: Option<(Date, InspectionId)>,
        limit: u32,
    ) -> StoreResult<Vec<Inspection>> {
        inspections::list_inspections(&**self.client().await?, agency, filter, after, limit).await
    }

    async fn changes_for(
        &self,
        agency: AgencyId,
        user: UserId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<Change>> {
        inspections::changes_for(&**self.client().await?, agency, user, after, limit).await
    }

    async fn feed_bounds(&self) -> StoreResult<(i64, i64)> {
        inspections::feed_bounds(&**self.client().await?).await
    }

    async fn prune_changes(&self, before: OffsetDateTime) -> StoreResult<u64> {
        transact!(self, |tx| inspections::prune_changes(&tx, before).await?)
    }

    async fn assigned_inspections(
        &self,
        user: UserId,
        after: Option<InspectionId>,
        limit: u32,
    ) -> StoreResult<Vec<InspectionId>> {
        inspections::assigned_inspections(&**self.client().await?, user, after, limit).await
    }

    async fn checklist_id(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
    ) -> StoreResult<Option<uuid::Uuid>> {
        Ok(self
            .client()
            .await?
            .query_opt(
                "SELECT c.id FROM checklists c JOIN control_types t ON t.id = c.control_type_id
                 WHERE t.agency_id = $1 AND t.code = $2 AND c.code = $3",
                &[&agency.as_uuid(), &type_code, &code],
            )
            .await
            .map_err(db_err)?
            .map(|r| r.get(0)))
    }

    async fn records_from(&self, from: u64, limit: u32) -> StoreResult<Vec<StoredRecord>> {
        records::records_from(&**self.client().await?, from, limit).await
    }

    async fn projection_position(&self) -> StoreResult<ProjectionPosition> {
        projections::projection_position(&**self.client().await?).await
    }

    async fn inspection_at(
        &self,
        id: InspectionId,
        at: OffsetDateTime,
        user: Option<UserId>,
    ) -> StoreResult<Option<InspectionAt>> {
        projections::inspection_at(&**self.client().await?, id, at, user).await
    }

    async fn other_act(&self, inspection: InspectionId, except: RecordId) -> StoreResult<bool> {
        projections::other_act(&**self.client().await?, inspection, except).await
    }

    async fn superseded_by(
        &self,
        table: RowKind,
        record: RecordId,
    ) -> StoreResult<Option<RecordId>> {
        projections::superseded_by(&**self.client().await?, table, record).await
    }

    async fn apply_projection(&self, ops: &[ProjOp], upto: u64) -> StoreResult<()> {
        transact!(self, |tx| projections::apply_projection(&tx, ops, upto)
            .await?)
    }

    async fn reset_projections(&self) -> StoreResult<()> {
        transact!(self, |tx| projections::reset_projections(&tx).await?)
    }

    async fn projection_dump(&self) -> StoreResult<Vec<String>> {
        projections::projection_dump(&**self.client().await?).await
    }

    async fn field_data(&self, inspection: InspectionId) -> StoreResult<FieldData> {
        // One snapshot for all its parts: the projector commits while a reviewer reads, and a
        // flag must not be read without the row it is about.
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(db_err)?;
        let data = projections::field_data(&*tx, inspection).await?;
        tx.commit().await.map_err(db_err)?;
        Ok(data)
    }

    async fn review_flags(
        &self,
        agency: AgencyId,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Vec<ReviewFlag>> {
        projections::review_flags(&**self.client().await?, agency, after, limit).await
    }

    async fn past_violations(
        &self,
        agency: AgencyId,
        objects: &[uuid::Uuid],
        exclude: InspectionId,
        limit: u32,
    ) -> StoreResult<Vec<PastViolation>> {
        projections::past_violations(&**self.client().await?, agency, objects, exclude, limit).await
    }

    async fn subject_documents(
        &self,
        agency: AgencyId,
        inn: &str,
        kind: &str,
        limit: u32,
    ) -> StoreResult<Vec<ProjectedDocument>> {
        projections::subject_documents(&**self.client().await?, agency, inn, kind, limit).await
    }

    async fn documents_for_subject(
        &self,
        inn: &str,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Vec<ProjectedDocument>> {
        projections::documents_for_subject(&**self.client().await?, inn, after, limit).await
    }

    async fn projected_document(&self, record: RecordId) -> StoreResult<Option<ProjectedDocument>> {
        projections::projected_document(&**self.client().await?, record).await
    }

    async fn audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        transact!(self, |tx| insert_audit(&tx, entry).await?)
    }

    async fn list_audit(
        &self,
        agency: AgencyId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRecord>> {
        accounts::list_audit(&**self.client().await?, agency, before, limit).await
    }
    async fn blob(&self, sha256: &Sha256) -> StoreResult<Option<Blob>> {
        blobs::blob(&**self.client().await?, sha256).await
    }

    async fn record_blob(
        &self,
        blob: &Blob,
        by: BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        transact!(self, |tx| blobs::record_blob(&tx, blob, by, at, audit)
            .await?)
    }

    async fn add_blob_upload(
        &self,
        sha256: &Sha256,
        by: BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        transact!(self, |tx| blobs::add_blob_upload(
            &tx, sha256, by, at, audit
        )
        .await?)
    }

    async fn blob_visible(&self, agency: AgencyId, sha256: &Sha256) -> StoreResult<bool> {
        blobs::blob_visible(&**self.client().await?, agency, sha256).await
    }
}
