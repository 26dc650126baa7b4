//! The SQLite store: the embedded default. One writer connection (SQLite has one writer at a time
//! anyway) and a few readers, in WAL mode; every call runs on tokio's blocking pool.

mod accounts;
mod blobs;
mod checklists;
mod conn;
mod devices;
mod inspections;
mod projections;
mod records;
mod registry;

use async_trait::async_trait;
use knd_shared::{
    AgencyId, DeviceId, DeviceKey, InspectionId, RecordId, RiskCategory, Sha256, UserId,
};
use rusqlite::{OptionalExtension as _, params};
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

pub use conn::SqliteStore;
use conn::{db_err, hash_col, insert_audit, parse_ts, parse_uuid, ts};

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.read(|c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(db_err))
            .await
    }

    async fn server_identity(&self) -> StoreResult<Option<ServerIdentity>> {
        self.read(devices::server_identity).await
    }

    async fn init_server_identity(
        &self,
        id: &ServerIdentity,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let id = id.clone();
        self.transact(move |tx| devices::init_server_identity(tx, &id, now))
            .await
    }

    async fn create_agency(&self, name: &str, audit: &AuditEntry) -> StoreResult<Agency> {
        let (name, audit) = (name.to_owned(), audit.clone());
        self.transact(move |tx| accounts::create_agency(tx, &name, &audit))
            .await
    }

    async fn get_agency(&self, id: AgencyId) -> StoreResult<Option<Agency>> {
        self.read(move |c| accounts::get_agency(c, id)).await
    }

    async fn create_user(&self, user: &NewUser, audit: &AuditEntry) -> StoreResult<User> {
        let (user, audit) = (user.clone(), audit.clone());
        self.transact(move |tx| accounts::create_user(tx, &user, &audit))
            .await
    }

    async fn user_for_login(&self, login: &str) -> StoreResult<Option<(User, String)>> {
        let login = login.to_owned();
        self.read(move |c| accounts::user_for_login(c, &login))
            .await
    }

    async fn get_user(&self, agency: AgencyId, id: UserId) -> StoreResult<Option<User>> {
        self.read(move |c| accounts::get_user(c, agency, id)).await
    }

    async fn list_users(&self, agency: AgencyId) -> StoreResult<Vec<User>> {
        self.read(move |c| accounts::list_users(c, agency)).await
    }

    async fn create_session(
        &self,
        token_hash: &Sha256,
        user: UserId,
        expires_at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        let (token_hash, audit) = (*token_hash, audit.clone());
        self.transact(move |tx| accounts::create_session(tx, &token_hash, user, expires_at, &audit))
            .await
    }

    async fn session_user(
        &self,
        token_hash: &Sha256,
        now: OffsetDateTime,
    ) -> StoreResult<Option<User>> {
        let token_hash = *token_hash;
        self.read(move |c| accounts::session_user(c, &token_hash, now))
            .await
    }

    async fn delete_session(&self, token_hash: &Sha256, audit: &AuditEntry) -> StoreResult<()> {
        let (token_hash, audit) = (*token_hash, audit.clone());
        self.transact(move |tx| accounts::delete_session(tx, &token_hash, &audit))
            .await
    }

    async fn create_api_key(
        &self,
        subject_inn: &str,
        key_hash: &Sha256,
        audit: &AuditEntry,
    ) -> StoreResult<ApiKey> {
        let (inn, key_hash, audit) = (subject_inn.to_owned(), *key_hash, audit.clone());
        self.transact(move |tx| accounts::create_api_key(tx, &inn, &key_hash, &audit))
            .await
    }

    async fn api_key_by_hash(&self, key_hash: &Sha256) -> StoreResult<Option<ApiKey>> {
        let key_hash = *key_hash;
        self.read(move |c| accounts::api_key_by_hash(c, &key_hash))
            .await
    }

    async fn revoke_api_key(
        &self,
        id: uuid::Uuid,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        let audit = audit.clone();
        self.transact(move |tx| accounts::revoke_api_key(tx, id, now, &audit))
            .await
    }

    async fn create_enrollment_code(
        &self,
        agency: AgencyId,
        user: UserId,
        code_hash: &Sha256,
        expires_at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        let (code_hash, audit) = (*code_hash, audit.clone());
        self.transact(move |tx| {
            devices::create_enrollment_code(tx, agency, user, &code_hash, expires_at, &audit)
        })
        .await
    }

    async fn enroll_device(
        &self,
        code_hash: &Sha256,
        device: &NewDevice,
        server: &ServerChain,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<Result<Device, EnrollRefusal>> {
        let (code_hash, device, server, audit) =
            (*code_hash, device.clone(), server.clone(), audit.clone());
        self.transact(move |tx| {
            devices::enroll_device(tx, &code_hash, &device, &server, now, &audit)
        })
        .await
    }

    async fn device_by_token(&self, token_hash: &Sha256) -> StoreResult<Option<Device>> {
        let token_hash = *token_hash;
        self.read(move |c| devices::device_by_token(c, &token_hash))
            .await
    }

    async fn get_device(
        &self,
        agency: Option<AgencyId>,
        id: DeviceId,
    ) -> StoreResult<Option<Device>> {
        self.read(move |c| devices::get_device(c, agency, id)).await
    }

    async fn list_devices(&self, agency: AgencyId) -> StoreResult<Vec<Device>> {
        self.read(move |c| devices::list_devices(c, agency)).await
    }

    async fn revoke_device(
        &self,
        agency: AgencyId,
        id: DeviceId,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<Option<Device>> {
        let audit = audit.clone();
        self.transact(move |tx| devices::revoke_device(tx, agency, id, now, &audit))
            .await
    }

    async fn ingest(
        &self,
        device: DeviceId,
        batch: Vec<Candidate>,
        server_key: &DeviceKey,
        now: OffsetDateTime,
    ) -> StoreResult<Vec<IngestResult>> {
        let key = server_key.clone();
        self.transact(move |tx| records::ingest(tx, device, &batch, &key, now))
            .await
    }

    async fn get_record(&self, id: RecordId) -> StoreResult<Option<StoredRecord>> {
        self.read(move |c| records::get_record(c, id)).await
    }

    async fn log_size(&self) -> StoreResult<u64> {
        self.read(records::log_size).await
    }

    async fn log_hashes(&self, indexes: &[u64]) -> StoreResult<Vec<Sha256>> {
        let indexes = indexes.to_vec();
        self.read(move |c| records::log_hashes(c, &indexes)).await
    }

    async fn leaf_index(&self, record_hash: &Sha256) -> StoreResult<Option<u64>> {
        let h = *record_hash;
        self.read(move |c| records::leaf_index(c, &h)).await
    }

    async fn put_control_type(
        &self,
        agency: AgencyId,
        code: &str,
        name: &str,
        rules: &ControlTypeRules,
        audit: &AuditEntry,
    ) -> StoreResult<ControlType> {
        let (code, name, rules, audit) = (
            code.to_owned(),
            name.to_owned(),
            rules.clone(),
            audit.clone(),
        );
        self.transact(move |tx| {
            registry::put_control_type(tx, agency, &code, &name, &rules, &audit)
        })
        .await
    }

    async fn list_control_types(&self, agency: AgencyId) -> StoreResult<Vec<ControlType>> {
        self.read(move |c| registry::list_control_types(c, agency))
            .await
    }

    async fn import_subjects(
        &self,
        agency: AgencyId,
        rows: &[NewSubject],
        audit: &AuditEntry,
    ) -> StoreResult<ImportCounts> {
        let (rows, audit) = (rows.to_vec(), audit.clone());
        self.transact(move |tx| registry::import_subjects(tx, agency, &rows, &audit))
            .await
    }

    async fn import_objects(
        &self,
        agency: AgencyId,
        rows: &[NewObject],
        audit: &AuditEntry,
    ) -> StoreResult<ImportCounts> {
        let (rows, audit) = (rows.to_vec(), audit.clone());
        self.transact(move |tx| registry::import_objects(tx, agency, &rows, &audit))
            .await
    }

    async fn known_inns(&self, agency: AgencyId, inns: &[String]) -> StoreResult<Vec<String>> {
        let inns = inns.to_vec();
        self.read(move |c| registry::known_inns(c, agency, &inns))
            .await
    }

    async fn list_subjects(
        &self,
        agency: AgencyId,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Subject>> {
        let after = after.map(str::to_owned);
        self.read(move |c| registry::list_subjects(c, agency, after.as_deref(), limit))
            .await
    }

    async fn list_objects(
        &self,
        agency: AgencyId,
        district: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ControlObject>> {
        let (district, after) = (district.map(str::to_owned), after.map(str::to_owned));
        self.read(move |c| {
            registry::list_objects(c, agency, district.as_deref(), after.as_deref(), limit)
        })
        .await
    }

    async fn put_requirement(
        &self,
        agency: AgencyId,
        type_code: &str,
        r: &Requirement,
        audit: &AuditEntry,
    ) -> StoreResult<Option<()>> {
        let (code, r, audit) = (type_code.to_owned(), r.clone(), audit.clone());
        self.transact(move |tx| checklists::put_requirement(tx, agency, &code, &r, &audit))
            .await
    }

    async fn list_requirements(
        &self,
        agency: AgencyId,
        type_code: &str,
    ) -> StoreResult<Option<Vec<Requirement>>> {
        let code = type_code.to_owned();
        self.read(move |c| checklists::list_requirements(c, agency, &code))
            .await
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
        let (t, c, n, items, audit) = (
            type_code.to_owned(),
            code.to_owned(),
            name.to_owned(),
            items.to_vec(),
            audit.clone(),
        );
        self.transact(move |tx| checklists::put_checklist(tx, agency, &t, &c, &n, &items, &audit))
            .await
    }

    async fn get_checklist(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
    ) -> StoreResult<Option<Checklist>> {
        let (t, c) = (type_code.to_owned(), code.to_owned());
        self.read(move |conn| checklists::get_checklist(conn, agency, &t, &c))
            .await
    }

    async fn subject_by_inn(&self, agency: AgencyId, inn: &str) -> StoreResult<Option<Subject>> {
        let inn = inn.to_owned();
        self.read(move |c| registry::subject_by_inn(c, agency, &inn))
            .await
    }

    async fn objects_by_keys(
        &self,
        agency: AgencyId,
        keys: &[String],
    ) -> StoreResult<Vec<ControlObject>> {
        let keys = keys.to_vec();
        self.read(move |c| registry::objects_by_keys(c, agency, &keys))
            .await
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
        let (key, reason, attributes, audit) = (
            object_key.to_owned(),
            reason.to_owned(),
            attributes.cloned(),
            audit.clone(),
        );
        self.transact(move |tx| {
            registry::decide_risk(
                tx,
                agency,
                &key,
                category,
                decided_on,
                &reason,
                attributes.as_ref(),
                &audit,
            )
        })
        .await
    }

    async fn save_inspection(
        &self,
        inspection: &Inspection,
        prev: Option<&Inspection>,
        what: &str,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        let (i, p, w, a) = (
            inspection.clone(),
            prev.cloned(),
            what.to_owned(),
            audit.clone(),
        );
        self.transact(move |tx| inspections::save_inspection(tx, &i, p.as_ref(), &w, &a))
            .await
    }

    async fn get_inspection(
        &self,
        agency: Option<AgencyId>,
        id: InspectionId,
    ) -> StoreResult<Option<Inspection>> {
        self.read(move |c| inspections::get_inspection(c, agency, id))
            .await
    }

    async fn list_inspections(
        &self,
        agency: AgencyId,
        filter: &InspectionFilter,
        after: Option<(Date, InspectionId)>,
        limit: u32,
    ) -> StoreResult<Vec<Inspection>> {
        let f = filter.clone();
        self.read(move |c| inspections::list_inspections(c, agency, &f, after, limit))
            .await
    }

    async fn changes_for(
        &self,
        agency: AgencyId,
        user: UserId,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<Change>> {
        self.read(move |c| inspections::changes_for(c, agency, user, after, limit))
            .await
    }

    async fn feed_bounds(&self) -> StoreResult<(i64, i64)> {
        self.read(inspections::feed_bounds).await
    }

    async fn prune_changes(&self, before: OffsetDateTime) -> StoreResult<u64> {
        self.transact(move |tx| inspections::prune_changes(tx, before))
            .await
    }

    async fn assigned_inspections(
        &self,
        user: UserId,
        after: Option<InspectionId>,
        limit: u32,
    ) -> StoreResult<Vec<InspectionId>> {
        self.read(move |c| inspections::assigned_inspections(c, user, after, limit))
            .await
    }

    async fn checklist_id(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
    ) -> StoreResult<Option<uuid::Uuid>> {
        let (t, c) = (type_code.to_owned(), code.to_owned());
        self.read(move |conn| {
            conn.query_row(
                "SELECT c.id FROM checklists c JOIN control_types t ON t.id = c.control_type_id
                 WHERE t.agency_id = ?1 AND t.code = ?2 AND c.code = ?3",
                params![agency.to_string(), t, c],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(db_err)?
            .as_deref()
            .map(parse_uuid)
            .transpose()
        })
        .await
    }

    async fn records_from(&self, from: u64, limit: u32) -> StoreResult<Vec<StoredRecord>> {
        self.read(move |c| records::records_from(c, from, limit))
            .await
    }

    async fn projection_position(&self) -> StoreResult<ProjectionPosition> {
        self.read(projections::projection_position).await
    }

    async fn inspection_at(
        &self,
        id: InspectionId,
        at: OffsetDateTime,
        user: Option<UserId>,
    ) -> StoreResult<Option<InspectionAt>> {
        self.read(move |c| projections::inspection_at(c, id, at, user))
            .await
    }

    async fn other_act(&self, inspection: InspectionId, except: RecordId) -> StoreResult<bool> {
        self.read(move |c| projections::other_act(c, inspection, except))
            .await
    }

    async fn superseded_by(
        &self,
        table: RowKind,
        record: RecordId,
    ) -> StoreResult<Option<RecordId>> {
        self.read(move |c| projections::superseded_by(c, table, record))
            .await
    }

    async fn apply_projection(&self, ops: &[ProjOp], upto: u64) -> StoreResult<()> {
        let ops = ops.to_vec();
        self.transact(move |tx| projections::apply_projection(tx, &ops, upto))
            .await
    }

    async fn reset_projections(&self) -> StoreResult<()> {
        self.transact(projections::reset_projections).await
    }

    async fn projection_dump(&self) -> StoreResult<Vec<String>> {
        self.read(projections::projection_dump).await
    }

    async fn field_data(&self, inspection: InspectionId) -> StoreResult<FieldData> {
        // One snapshot for all its parts (WAL gives each statement its own otherwise): a flag is
        // never read without the row it is about.
        self.read(move |c| {
            let tx = c.unchecked_transaction().map_err(db_err)?;
            let data = projections::field_data(&tx, inspection)?;
            tx.commit().map_err(db_err)?;
            Ok(data)
        })
        .await
    }

    async fn review_flags(
        &self,
        agency: AgencyId,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Vec<ReviewFlag>> {
        self.read(move |c| projections::review_flags(c, agency, after, limit))
            .await
    }

    async fn past_violations(
        &self,
        agency: AgencyId,
        objects: &[uuid::Uuid],
        exclude: InspectionId,
        limit: u32,
    ) -> StoreResult<Vec<PastViolation>> {
        let objects = objects.to_vec();
        self.read(move |c| projections::past_violations(c, agency, &objects, exclude, limit))
            .await
    }

    async fn subject_documents(
        &self,
        agency: AgencyId,
        inn: &str,
        kind: &str,
        limit: u32,
    ) -> StoreResult<Vec<ProjectedDocument>> {
        let (inn, kind) = (inn.to_owned(), kind.to_owned());
        self.read(move |c| projections::subject_documents(c, agency, &inn, &kind, limit))
            .await
    }

    async fn documents_for_subject(
        &self,
        inn: &str,
        after: Option<RecordId>,
        limit: u32,
    ) -> StoreResult<Vec<ProjectedDocument>> {
        let inn = inn.to_owned();
        self.read(move |c| projections::documents_for_subject(c, &inn, after, limit))
            .await
    }

    async fn projected_document(&self, record: RecordId) -> StoreResult<Option<ProjectedDocument>> {
        self.read(move |c| projections::projected_document(c, record))
            .await
    }

    async fn audit(&self, entry: &AuditEntry) -> StoreResult<()> {
        let entry = entry.clone();
        self.transact(move |tx| insert_audit(tx, &entry)).await
    }

    async fn list_audit(
        &self,
        agency: AgencyId,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRecord>> {
        self.read(move |c| accounts::list_audit(c, agency, before, limit))
            .await
    }
    async fn blob(&self, sha256: &Sha256) -> StoreResult<Option<Blob>> {
        let sha256 = *sha256;
        self.read(move |c| blobs::blob(c, &sha256)).await
    }

    async fn record_blob(
        &self,
        blob: &Blob,
        by: BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        let (blob, audit) = (blob.clone(), audit.clone());
        self.transact(move |tx| blobs::record_blob(tx, &blob, by, at, &audit))
            .await
    }

    async fn add_blob_upload(
        &self,
        sha256: &Sha256,
        by: BlobUploader,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        let (sha256, audit) = (*sha256, audit.clone());
        self.transact(move |tx| blobs::add_blob_upload(tx, &sha256, by, at, &audit))
            .await
    }

    async fn blob_visible(&self, agency: AgencyId, sha256: &Sha256) -> StoreResult<bool> {
        let sha256 = *sha256;
        self.read(move |c| blobs::blob_visible(c, agency, &sha256))
            .await
    }
}
