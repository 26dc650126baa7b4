//! The server's identity, enrollment codes and devices.

use knd_shared::record::kinds::DeviceEnrolled;
use knd_shared::record::{ChainHead, RecordKind};
use knd_shared::{AgencyId, DeviceId, PublicKey, Sha256, UserId};
use rusqlite::{Connection, OptionalExtension as _, Row, Transaction, params};
use time::OffsetDateTime;

use super::SqliteStore;
use super::records::append_server_record;
use super::{db_err, hash_col, insert_audit, parse_ts, parse_uuid, ts};
use crate::model::{AuditEntry, Device, NewDevice, ServerIdentity};
use crate::store::DeviceStore;
use crate::store::{EnrollRefusal, ServerChain, StoreError, StoreResult};

pub(super) fn server_identity(c: &Connection) -> StoreResult<Option<ServerIdentity>> {
    let row: Option<(String, Vec<u8>, String)> = c
        .query_row(
            "SELECT device_id, public_key, log_origin FROM server_identity WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(db_err)?;
    row.map(|(device, key, origin)| {
        Ok(ServerIdentity {
            device: parse_uuid(&device)?.into(),
            public_key: key_col(&key)?,
            log_origin: origin,
        })
    })
    .transpose()
}

pub(super) fn init_server_identity(
    tx: &Transaction<'_>,
    id: &ServerIdentity,
    now: OffsetDateTime,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO devices (id, name, public_key, enrolled_at, head_seq, head_hash)
         VALUES (?1, 'server', ?2, ?3, 0, ?4)",
        params![
            id.device.to_string(),
            id.public_key.to_bytes().as_slice(),
            ts(now),
            Sha256::ZERO.as_bytes().as_slice()
        ],
    )
    .map_err(db_err)?;
    tx.execute(
        "INSERT INTO server_identity (id, device_id, public_key, log_origin) VALUES (1, ?1, ?2, ?3)",
        params![
            id.device.to_string(),
            id.public_key.to_bytes().as_slice(),
            id.log_origin
        ],
    )
    .map_err(db_err)?;
    Ok(())
}

fn key_col(b: &[u8]) -> StoreResult<PublicKey> {
    <[u8; 32]>::try_from(b)
        .ok()
        .and_then(|k| PublicKey::from_bytes(&k).ok())
        .ok_or_else(|| StoreError::Corrupt("stored public key is invalid".into()))
}

pub(super) fn create_enrollment_code(
    tx: &Transaction<'_>,
    agency: AgencyId,
    user: UserId,
    code_hash: &Sha256,
    expires_at: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO enrollment_codes (code_hash, agency_id, user_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            code_hash.as_bytes().as_slice(),
            agency.to_string(),
            user.to_string(),
            ts(OffsetDateTime::now_utc()),
            ts(expires_at)
        ],
    )
    .map_err(db_err)?;
    insert_audit(tx, audit)
}

const DEVICE_COLUMNS: &str = "id, agency_id, user_id, name, public_key, enrolled_at, revoked_at, \
                              last_seen_at, head_seq, head_hash, enrollment_record";

type DeviceRow = (
    String,
    Option<String>,
    Option<String>,
    String,
    Vec<u8>,
    String,
    Option<String>,
    Option<String>,
    i64,
    Vec<u8>,
    Option<String>,
);

fn device_row(r: &Row<'_>) -> rusqlite::Result<DeviceRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
    ))
}

fn to_device(row: DeviceRow) -> StoreResult<Device> {
    let (id, agency, user, name, key, enrolled, revoked, seen, seq, hash, enrollment) = row;
    Ok(Device {
        id: parse_uuid(&id)?.into(),
        agency: agency
            .as_deref()
            .map(parse_uuid)
            .transpose()?
            .map(Into::into),
        user: user.as_deref().map(parse_uuid).transpose()?.map(Into::into),
        name,
        public_key: key_col(&key)?,
        enrolled_at: parse_ts(&enrolled)?,
        revoked_at: revoked.as_deref().map(parse_ts).transpose()?,
        last_seen_at: seen.as_deref().map(parse_ts).transpose()?,
        head: ChainHead {
            seq: seq as u64,
            hash: hash_col(&hash)?,
        },
        enrollment_record: enrollment
            .as_deref()
            .map(parse_uuid)
            .transpose()?
            .map(Into::into),
    })
}

pub(super) fn enroll_device(
    tx: &Transaction<'_>,
    code_hash: &Sha256,
    device: &NewDevice,
    server: &ServerChain,
    now: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<Result<Device, EnrollRefusal>> {
    let code: Option<(String, String, String, Option<String>)> = tx
        .query_row(
            "SELECT agency_id, user_id, expires_at, used_at FROM enrollment_codes WHERE code_hash = ?1",
            [code_hash.as_bytes().as_slice()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(db_err)?;
    let Some((agency, user, expires, used)) = code else {
        return Ok(Err(EnrollRefusal::UnknownCode));
    };
    let agency: AgencyId = parse_uuid(&agency)?.into();
    if used.is_some() {
        return Ok(Err(EnrollRefusal::CodeUsed(agency)));
    }
    if parse_ts(&expires)? <= now {
        return Ok(Err(EnrollRefusal::CodeExpired(agency)));
    }
    let user: UserId = parse_uuid(&user)?.into();
    tx.execute(
        "UPDATE enrollment_codes SET used_at = ?1, device_id = ?2 WHERE code_hash = ?3",
        params![
            ts(now),
            device.id.to_string(),
            code_hash.as_bytes().as_slice()
        ],
    )
    .map_err(db_err)?;
    tx.execute(
        "INSERT INTO devices (id, agency_id, user_id, name, public_key, token_hash, enrolled_at, head_seq, head_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8)",
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
    )
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
    )?;
    tx.execute(
        "UPDATE devices SET enrollment_record = ?1 WHERE id = ?2",
        params![record.to_string(), device.id.to_string()],
    )
    .map_err(db_err)?;
    let mut audit = audit.clone();
    audit.agency = Some(agency);
    audit.actor = crate::model::Actor::User(user);
    insert_audit(tx, &audit)?;
    let stored = tx
        .query_row(
            &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1"),
            [device.id.to_string()],
            device_row,
        )
        .map_err(db_err)?;
    to_device(stored).map(Ok)
}

pub(super) fn device_by_token(c: &Connection, token_hash: &Sha256) -> StoreResult<Option<Device>> {
    c.query_row(
        &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE token_hash = ?1"),
        [token_hash.as_bytes().as_slice()],
        device_row,
    )
    .optional()
    .map_err(db_err)?
    .map(to_device)
    .transpose()
}

pub(super) fn get_device(
    c: &Connection,
    agency: Option<AgencyId>,
    id: DeviceId,
) -> StoreResult<Option<Device>> {
    let row = match agency {
        Some(a) => c.query_row(
            &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1 AND agency_id = ?2"),
            [id.to_string(), a.to_string()],
            device_row,
        ),
        None => c.query_row(
            &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1"),
            [id.to_string()],
            device_row,
        ),
    };
    row.optional().map_err(db_err)?.map(to_device).transpose()
}

pub(super) fn list_devices(c: &Connection, agency: AgencyId) -> StoreResult<Vec<Device>> {
    let mut stmt = c
        .prepare(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE agency_id = ?1 ORDER BY enrolled_at, id"
        ))
        .map_err(db_err)?;
    let rows = stmt
        .query_map([agency.to_string()], device_row)
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_err)?;
    rows.into_iter().map(to_device).collect()
}

pub(super) fn revoke_device(
    tx: &Transaction<'_>,
    agency: AgencyId,
    id: DeviceId,
    now: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<Option<Device>> {
    tx.execute(
        "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?1) WHERE id = ?2 AND agency_id = ?3",
        params![ts(now), id.to_string(), agency.to_string()],
    )
    .map_err(db_err)?;
    let device = tx
        .query_row(
            &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1 AND agency_id = ?2"),
            [id.to_string(), agency.to_string()],
            device_row,
        )
        .optional()
        .map_err(db_err)?
        .map(to_device)
        .transpose()?;
    if device.is_some() {
        insert_audit(tx, audit)?;
    }
    Ok(device)
}

#[async_trait::async_trait]
impl DeviceStore for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.read(|c| c.query_row("SELECT 1", [], |_| Ok(())).map_err(db_err))
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
