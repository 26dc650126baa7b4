//! The server's identity, enrollment codes and devices (statements in `store/sql/devices.rs`).

use knd_shared::record::RecordKind;
use knd_shared::record::kinds::DeviceEnrolled;
use knd_shared::{AgencyId, DeviceId, Sha256, UserId};
use time::OffsetDateTime;
use tokio_postgres::{Client, GenericClient, Transaction};

use super::PgStore;
use super::cols::{execute, query_all, query_opt};
use super::insert_audit;
use super::records::append_server_record;
use crate::model::{Actor, AuditEntry, Device, NewDevice, ServerIdentity, SyncReport};
use crate::store::DeviceStore;
use crate::store::cols::Cols as _;
use crate::store::devices::{StoredCode, code_refusal};
use crate::store::sql::devices as sql;
use crate::store::{EnrollRefusal, ServerChain, StoreError, StoreResult};

pub(super) async fn server_identity(c: &Client) -> StoreResult<Option<ServerIdentity>> {
    query_opt(c, &sql::SERVER_IDENTITY, &[], sql::server_identity).await
}

pub(super) async fn init_server_identity(
    tx: &Transaction<'_>,
    id: &ServerIdentity,
    now: OffsetDateTime,
) -> StoreResult<()> {
    execute(
        tx,
        &sql::INSERT_SERVER_DEVICE,
        &[
            &id.device.as_uuid(),
            &id.public_key.to_bytes().as_slice(),
            &now,
            &Sha256::ZERO.as_bytes().as_slice(),
        ],
    )
    .await?;
    execute(
        tx,
        &sql::INSERT_SERVER_IDENTITY,
        &[
            &id.device.as_uuid(),
            &id.public_key.to_bytes().as_slice(),
            &id.log_origin,
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn create_enrollment_code(
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
        &[
            &code_hash.as_bytes().as_slice(),
            &agency.as_uuid(),
            &user.as_uuid(),
            &OffsetDateTime::now_utc(),
            &expires_at,
        ],
    )
    .await?;
    insert_audit(tx, audit).await
}

async fn device_in(
    c: &impl GenericClient,
    agency: Option<AgencyId>,
    id: DeviceId,
) -> StoreResult<Option<Device>> {
    match agency {
        Some(a) => {
            query_opt(
                c,
                &sql::AGENCY_DEVICE,
                &[&id.as_uuid(), &a.as_uuid()],
                sql::device,
            )
            .await
        }
        None => query_opt(c, &sql::DEVICE, &[&id.as_uuid()], sql::device).await,
    }
}

pub(super) async fn enroll_device(
    tx: &Transaction<'_>,
    code_hash: &Sha256,
    device: &NewDevice,
    server: &ServerChain,
    now: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<Result<Device, EnrollRefusal>> {
    let code = query_opt(tx, &sql::CODE, &[&code_hash.as_bytes().as_slice()], |r| {
        Ok((
            StoredCode {
                agency: r.id(0)?,
                expires_at: r.ts(2)?,
                used: r.opt_ts(3)?.is_some(),
            },
            r.id::<UserId>(1)?,
        ))
    })
    .await?;
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
        &[&now, &device.id.as_uuid(), &code_hash.as_bytes().as_slice()],
    )
    .await?;
    execute(
        tx,
        &sql::INSERT_DEVICE,
        &[
            &device.id.as_uuid(),
            &agency.as_uuid(),
            &user.as_uuid(),
            &device.name,
            &device.public_key.to_bytes().as_slice(),
            &device.token_hash.as_bytes().as_slice(),
            &now,
            &Sha256::ZERO.as_bytes().as_slice(),
        ],
    )
    .await?;
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
    )
    .await?;
    execute(
        tx,
        &sql::SET_ENROLLMENT_RECORD,
        &[&record.as_uuid(), &device.id.as_uuid()],
    )
    .await?;
    let mut audit = audit.clone();
    audit.agency = Some(agency);
    audit.actor = Actor::User(user);
    insert_audit(tx, &audit).await?;
    let stored = device_in(tx, None, device.id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("the new device vanished".into()))?;
    Ok(Ok(stored))
}

pub(super) async fn device_by_token(
    c: &Client,
    token_hash: &Sha256,
) -> StoreResult<Option<Device>> {
    query_opt(
        c,
        &sql::DEVICE_BY_TOKEN,
        &[&token_hash.as_bytes().as_slice()],
        sql::device,
    )
    .await
}

pub(super) async fn get_device(
    c: &Client,
    agency: Option<AgencyId>,
    id: DeviceId,
) -> StoreResult<Option<Device>> {
    device_in(c, agency, id).await
}

pub(super) async fn list_devices(c: &Client, agency: AgencyId) -> StoreResult<Vec<Device>> {
    query_all(c, &sql::DEVICES, &[&agency.as_uuid()], sql::device).await
}

pub(super) async fn revoke_device(
    tx: &Transaction<'_>,
    agency: AgencyId,
    id: DeviceId,
    now: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<Option<Device>> {
    execute(tx, &sql::REVOKE, &[&now, &id.as_uuid(), &agency.as_uuid()]).await?;
    let device = device_in(tx, Some(agency), id).await?;
    if device.is_some() {
        insert_audit(tx, audit).await?;
    }
    Ok(device)
}

#[async_trait::async_trait]
impl DeviceStore for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        query_opt(&**self.client().await?, &sql::PING, &[], |_| Ok(()))
            .await
            .map(drop)
    }

    async fn server_identity(&self) -> StoreResult<Option<ServerIdentity>> {
        server_identity(&**self.client().await?).await
    }

    async fn init_server_identity(
        &self,
        id: &ServerIdentity,
        now: OffsetDateTime,
    ) -> StoreResult<()> {
        transact!(self, |tx| init_server_identity(&tx, id, now).await?)
    }

    async fn create_enrollment_code(
        &self,
        agency: AgencyId,
        user: UserId,
        code_hash: &Sha256,
        expires_at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        transact!(self, |tx| create_enrollment_code(
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
        transact!(self, |tx| enroll_device(
            &tx, code_hash, device, server, now, audit
        )
        .await?)
    }

    async fn device_by_token(&self, token_hash: &Sha256) -> StoreResult<Option<Device>> {
        device_by_token(&**self.client().await?, token_hash).await
    }

    async fn get_device(
        &self,
        agency: Option<AgencyId>,
        id: DeviceId,
    ) -> StoreResult<Option<Device>> {
        get_device(&**self.client().await?, agency, id).await
    }

    async fn list_devices(&self, agency: AgencyId) -> StoreResult<Vec<Device>> {
        list_devices(&**self.client().await?, agency).await
    }

    async fn report_sync(&self, id: DeviceId, report: &SyncReport) -> StoreResult<()> {
        let pending = report.pending_records.and_then(|n| i64::try_from(n).ok());
        execute(
            &**self.client().await?,
            &sql::REPORT_SYNC,
            &[
                &report.synced_at,
                &pending,
                &report.clock_skew_ms,
                &id.as_uuid(),
            ],
        )
        .await
        .map(drop)
    }

    async fn revoke_device(
        &self,
        agency: AgencyId,
        id: DeviceId,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<Option<Device>> {
        transact!(self, |tx| revoke_device(&tx, agency, id, now, audit)
            .await?)
    }
}
