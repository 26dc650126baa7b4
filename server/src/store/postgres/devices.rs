//! The server's identity, enrollment codes and devices.

use knd_shared::record::kinds::DeviceEnrolled;
use knd_shared::record::{ChainHead, RecordKind};
use knd_shared::{AgencyId, DeviceId, PublicKey, Sha256, UserId};
use time::OffsetDateTime;
use tokio_postgres::{Client, GenericClient, Row, Transaction};

use super::PgStore;
use super::records::append_server_record;
use super::{db_err, hash_col, insert_audit, u64_of};
use crate::model::{Actor, AuditEntry, Device, NewDevice, ServerIdentity};
use crate::store::DeviceStore;
use crate::store::{EnrollRefusal, ServerChain, StoreError, StoreResult};

fn key_col(b: &[u8]) -> StoreResult<PublicKey> {
    <[u8; 32]>::try_from(b)
        .ok()
        .and_then(|k| PublicKey::from_bytes(&k).ok())
        .ok_or_else(|| StoreError::Corrupt("stored public key is invalid".into()))
}

pub(super) async fn server_identity(c: &Client) -> StoreResult<Option<ServerIdentity>> {
    let row = c
        .query_opt(
            "SELECT device_id, public_key, log_origin FROM server_identity WHERE id = 1",
            &[],
        )
        .await
        .map_err(db_err)?;
    row.map(|r| {
        Ok(ServerIdentity {
            device: r.get::<_, uuid::Uuid>(0).into(),
            public_key: key_col(r.get(1))?,
            log_origin: r.get(2),
        })
    })
    .transpose()
}

pub(super) async fn init_server_identity(
    tx: &Transaction<'_>,
    id: &ServerIdentity,
    now: OffsetDateTime,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO devices (id, name, public_key, enrolled_at, head_seq, head_hash)
         VALUES ($1, 'server', $2, $3, 0, $4)",
        &[
            &id.device.as_uuid(),
            &id.public_key.to_bytes().as_slice(),
            &now,
            &Sha256::ZERO.as_bytes().as_slice(),
        ],
    )
    .await
    .map_err(db_err)?;
    tx.execute(
        "INSERT INTO server_identity (id, device_id, public_key, log_origin) VALUES (1, $1, $2, $3)",
        &[&id.device.as_uuid(), &id.public_key.to_bytes().as_slice(), &id.log_origin],
    )
    .await
    .map_err(db_err)?;
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
    tx.execute(
        "INSERT INTO enrollment_codes (code_hash, agency_id, user_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &code_hash.as_bytes().as_slice(),
            &agency.as_uuid(),
            &user.as_uuid(),
            &OffsetDateTime::now_utc(),
            &expires_at,
        ],
    )
    .await
    .map_err(db_err)?;
    insert_audit(tx, audit).await
}

const DEVICE_COLUMNS: &str = "id, agency_id, user_id, name, public_key, enrolled_at, revoked_at, \
                              last_seen_at, head_seq, head_hash, enrollment_record";

fn to_device(r: &Row) -> StoreResult<Device> {
    Ok(Device {
        id: r.get::<_, uuid::Uuid>(0).into(),
        agency: r.get::<_, Option<uuid::Uuid>>(1).map(Into::into),
        user: r.get::<_, Option<uuid::Uuid>>(2).map(Into::into),
        name: r.get(3),
        public_key: key_col(r.get(4))?,
        enrolled_at: r.get(5),
        revoked_at: r.get(6),
        last_seen_at: r.get(7),
        head: ChainHead {
            seq: u64_of(r.get(8))?,
            hash: hash_col(r.get(9))?,
        },
        enrollment_record: r.get::<_, Option<uuid::Uuid>>(10).map(Into::into),
    })
}

async fn device_in(
    c: &impl GenericClient,
    agency: Option<AgencyId>,
    id: DeviceId,
) -> StoreResult<Option<Device>> {
    let row = match agency {
        Some(a) => {
            c.query_opt(
                &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1 AND agency_id = $2"),
                &[&id.as_uuid(), &a.as_uuid()],
            )
            .await
        }
        None => {
            c.query_opt(
                &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1"),
                &[&id.as_uuid()],
            )
            .await
        }
    }
    .map_err(db_err)?;
    row.as_ref().map(to_device).transpose()
}

pub(super) async fn enroll_device(
    tx: &Transaction<'_>,
    code_hash: &Sha256,
    device: &NewDevice,
    server: &ServerChain,
    now: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<Result<Device, EnrollRefusal>> {
    // FOR UPDATE: two devices racing with one code cannot both use it.
    let code = tx
        .query_opt(
            "SELECT agency_id, user_id, expires_at, used_at FROM enrollment_codes
             WHERE code_hash = $1 FOR UPDATE",
            &[&code_hash.as_bytes().as_slice()],
        )
        .await
        .map_err(db_err)?;
    let Some(code) = code else {
        return Ok(Err(EnrollRefusal::UnknownCode));
    };
    let agency: AgencyId = code.get::<_, uuid::Uuid>(0).into();
    let user: UserId = code.get::<_, uuid::Uuid>(1).into();
    let expires: OffsetDateTime = code.get(2);
    let used: Option<OffsetDateTime> = code.get(3);
    if used.is_some() {
        return Ok(Err(EnrollRefusal::CodeUsed(agency)));
    }
    if expires <= now {
        return Ok(Err(EnrollRefusal::CodeExpired(agency)));
    }
    tx.execute(
        "UPDATE enrollment_codes SET used_at = $1, device_id = $2 WHERE code_hash = $3",
        &[&now, &device.id.as_uuid(), &code_hash.as_bytes().as_slice()],
    )
    .await
    .map_err(db_err)?;
    tx.execute(
        "INSERT INTO devices (id, agency_id, user_id, name, public_key, token_hash, enrolled_at, head_seq, head_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)",
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
    .await
    .map_err(db_err)?;
    let body = DeviceEnrolled {
        device: device.id,
        public_key: device.public_key,
        name: device.name.clone(),
        user,
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
    tx.execute(
        "UPDATE devices SET enrollment_record = $1 WHERE id = $2",
        &[&record.as_uuid(), &device.id.as_uuid()],
    )
    .await
    .map_err(db_err)?;
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
    let row = c
        .query_opt(
            &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = $1"),
            &[&token_hash.as_bytes().as_slice()],
        )
        .await
        .map_err(db_err)?;
    row.as_ref().map(to_device).transpose()
}

pub(super) async fn get_device(
    c: &Client,
    agency: Option<AgencyId>,
    id: DeviceId,
) -> StoreResult<Option<Device>> {
    device_in(c, agency, id).await
}

pub(super) async fn list_devices(c: &Client, agency: AgencyId) -> StoreResult<Vec<Device>> {
    c.query(
        &format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE agency_id = $1 ORDER BY enrolled_at, id"
        ),
        &[&agency.as_uuid()],
    )
    .await
    .map_err(db_err)?
    .iter()
    .map(to_device)
    .collect()
}

pub(super) async fn revoke_device(
    tx: &Transaction<'_>,
    agency: AgencyId,
    id: DeviceId,
    now: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<Option<Device>> {
    tx.execute(
        "UPDATE devices SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND agency_id = $3",
        &[&now, &id.as_uuid(), &agency.as_uuid()],
    )
    .await
    .map_err(db_err)?;
    let device = device_in(tx, Some(agency), id).await?;
    if device.is_some() {
        insert_audit(tx, audit).await?;
    }
    Ok(device)
}

#[async_trait::async_trait]
impl DeviceStore for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        self.client()
            .await?
            .execute("SELECT 1", &[])
            .await
            .map_err(db_err)?;
        Ok(())
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
