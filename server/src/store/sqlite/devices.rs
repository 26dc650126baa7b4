//! The server's identity, enrollment codes and devices (statements in `store/sql/devices.rs`).

use knd_shared::record::RecordKind;
use knd_shared::record::kinds::DeviceEnrolled;
use knd_shared::{AgencyId, DeviceId, Sha256, UserId};
use rusqlite::{Connection, Transaction, params};
use time::OffsetDateTime;

use super::SqliteStore;
use super::cols::{execute, query_all, query_opt};
use super::records::append_server_record;
use super::{insert_audit, ts};
use crate::model::{AuditEntry, Device, NewDevice, ServerIdentity, SyncReport};
use crate::store::DeviceStore;
use crate::store::cols::Cols as _;
use crate::store::devices::{StoredCode, code_refusal};
use crate::store::sql::devices as sql;
use crate::store::{EnrollRefusal, ServerChain, StoreError, StoreResult};

pub(super) fn server_identity(c: &Connection) -> StoreResult<Option<ServerIdentity>> {
    query_opt(c, &sql::SERVER_IDENTITY, [], |r| sql::server_identity(r))
}

pub(super) fn init_server_identity(
    tx: &Transaction<'_>,
    id: &ServerIdentity,
    now: OffsetDateTime,
) -> StoreResult<()> {
    execute(
        tx,
        &sql::INSERT_SERVER_DEVICE,
        params![
            id.device.to_string(),
            id.public_key.to_bytes().as_slice(),
            ts(now),
            Sha256::ZERO.as_bytes().as_slice()
        ],
    )?;
    execute(
        tx,
        &sql::INSERT_SERVER_IDENTITY,
        params![
            id.device.to_string(),
            id.public_key.to_bytes().as_slice(),
            id.log_origin
        ],
    )?;
    Ok(())
}

pub(super) fn create_enrollment_code(
    tx: &Transaction<'_>,
    agency: AgencyId,
    user: UserId,
    code_hash: &Sha256,
    expires_at: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<()> {
    execute(
        tx,
        &sql::INSERT_CODE,
        params![
            code_hash.as_bytes().as_slice(),
            agency.to_string(),
            user.to_string(),
            ts(OffsetDateTime::now_utc()),
            ts(expires_at)
        ],
    )?;
    insert_audit(tx, audit)
}

pub(super) fn enroll_device(
    tx: &Transaction<'_>,
    code_hash: &Sha256,
    device: &NewDevice,
    server: &ServerChain,
    now: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<Result<Device, EnrollRefusal>> {
    let code = query_opt(tx, &sql::CODE, [code_hash.as_bytes().as_slice()], |r| {
        Ok((
            StoredCode {
                agency: r.id(0)?,
                expires_at: r.ts(2)?,
                used: r.opt_ts(3)?.is_some(),
            },
            r.id::<UserId>(1)?,
        ))
    })?;
    let Some((code, user)) = code else {
        return Ok(Err(EnrollRefusal::UnknownCode));
    };
    if let Some(refusal) = code_refusal(&code, now) {
        return Ok(Err(refusal));
    }
    let agency = code.agency;
    execute(
        tx,
        &sql::USE_CODE,
        params![
            ts(now),
            device.id.to_string(),
            code_hash.as_bytes().as_slice()
        ],
    )?;
    execute(
        tx,
        &sql::INSERT_DEVICE,
        params![
            device.id.to_string(),
            agency.to_string(),
            user.to_string(),
            device.name,
            device.public_key.to_bytes().as_slice(),
            device.token_hash.as_bytes().as_slice(),
            ts(now),
            Sha256::ZERO.as_bytes().as_slice()
        ],
    )?;
    let body = DeviceEnrolled {
        device: device.id,
        public_key: device.public_key,
        name: device.name.clone(),
        user: Some(user),
        subject: None,
    };
    let record = append_server_record(
        tx,
        server,
        Some(agency),
        RecordKind::DeviceEnrolled,
        &body,
        now,
    )?;
    execute(
        tx,
        &sql::SET_ENROLLMENT_RECORD,
        params![record.to_string(), device.id.to_string()],
    )?;
    let mut audit = audit.clone();
    audit.agency = Some(agency);
    audit.actor = crate::model::Actor::User(user);
    insert_audit(tx, &audit)?;
    get_device(tx, None, device.id)?
        .ok_or_else(|| StoreError::Corrupt("the new device vanished".into()))
        .map(Ok)
}

pub(super) fn device_by_token(c: &Connection, token_hash: &Sha256) -> StoreResult<Option<Device>> {
    query_opt(
        c,
        &sql::DEVICE_BY_TOKEN,
        [token_hash.as_bytes().as_slice()],
        |r| sql::device(r),
    )
}

pub(super) fn get_device(
    c: &Connection,
    agency: Option<AgencyId>,
    id: DeviceId,
) -> StoreResult<Option<Device>> {
    match agency {
        Some(a) => query_opt(
            c,
            &sql::AGENCY_DEVICE,
            [id.to_string(), a.to_string()],
            |r| sql::device(r),
        ),
        None => query_opt(c, &sql::DEVICE, [id.to_string()], |r| sql::device(r)),
    }
}

pub(super) fn list_devices(c: &Connection, agency: AgencyId) -> StoreResult<Vec<Device>> {
    query_all(c, &sql::DEVICES, [agency.to_string()], |r| sql::device(r))
}

pub(super) fn revoke_device(
    tx: &Transaction<'_>,
    agency: AgencyId,
    id: DeviceId,
    now: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<Option<Device>> {
    execute(
        tx,
        &sql::REVOKE,
        params![ts(now), id.to_string(), agency.to_string()],
    )?;
    let device = get_device(tx, Some(agency), id)?;
    if device.is_some() {
        insert_audit(tx, audit)?;
    }
    Ok(device)
}

#[async_trait::async_trait]
impl DeviceStore for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.read(|c| query_opt(c, &sql::PING, [], |_| Ok(())).map(drop))
            .await
    }

    async fn server_identity(&self) -> StoreResult<Option<ServerIdentity>> {
        self.read(server_identity).await
    }

    async fn init_server_identity(
        &self,
        id: &ServerIdentity,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        let id = id.clone();
        self.transact(move |tx| init_server_identity(tx, &id, now))
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
            create_enrollment_code(tx, agency, user, &code_hash, expires_at, &audit)
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
        self.transact(move |tx| enroll_device(tx, &code_hash, &device, &server, now, &audit))
            .await
    }

    async fn device_by_token(&self, token_hash: &Sha256) -> StoreResult<Option<Device>> {
        let token_hash = *token_hash;
        self.read(move |c| device_by_token(c, &token_hash)).await
    }

    async fn get_device(
        &self,
        agency: Option<AgencyId>,
        id: DeviceId,
    ) -> StoreResult<Option<Device>> {
        self.read(move |c| get_device(c, agency, id)).await
    }

    async fn list_devices(&self, agency: AgencyId) -> StoreResult<Vec<Device>> {
        self.read(move |c| list_devices(c, agency)).await
    }

    async fn report_sync(&self, id: DeviceId, report: &SyncReport) -> StoreResult<()> {
        let r = *report;
        self.transact(move |tx| {
            execute(
                tx,
                &sql::REPORT_SYNC,
                params![
                    r.synced_at.map(ts),
                    r.pending_records.and_then(|n| i64::try_from(n).ok()),
                    r.clock_skew_ms,
                    id.to_string()
                ],
            )
            .map(drop)
        })
        .await
    }

    async fn revoke_device(
        &self,
        agency: AgencyId,
        id: DeviceId,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<Option<Device>> {
        let audit = audit.clone();
        self.transact(move |tx| revoke_device(tx, agency, id, now, &audit))
            .await
    }
}
