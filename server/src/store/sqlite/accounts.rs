//! Agencies, users, sessions, API keys and the audit log.

use knd_shared::{AgencyId, Sha256, UserId};
use rusqlite::{Connection, OptionalExtension as _, Row, Transaction, params};
use time::OffsetDateTime;

use super::SqliteStore;
use super::{db_err, insert_audit, parse_ts, parse_uuid, ts};
use crate::model::{Agency, ApiKey, AuditEntry, AuditRecord, NewUser, Outcome, Role, User};
use crate::store::AccountStore;
use crate::store::{StoreError, StoreResult};

pub(super) fn create_agency(
    tx: &Transaction<'_>,
    name: &str,
    audit: &AuditEntry,
) -> StoreResult<Agency> {
    let agency = Agency {
        id: AgencyId::new(),
        name: name.to_owned(),
        created_at: OffsetDateTime::now_utc(),
    };
    tx.execute(
        "INSERT INTO agencies (id, name, created_at) VALUES (?1, ?2, ?3)",
        params![agency.id.to_string(), agency.name, ts(agency.created_at)],
    )
    .map_err(db_err)?;
    let mut audit = audit.clone();
    audit.agency = Some(agency.id);
    audit.target = Some(format!("agency:{}", agency.id));
    insert_audit(tx, &audit)?;
    Ok(agency)
}

pub(super) fn get_agency(c: &Connection, id: AgencyId) -> StoreResult<Option<Agency>> {
    c.query_row(
        "SELECT id, name, created_at FROM agencies WHERE id = ?1",
        [id.to_string()],
        |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        },
    )
    .optional()
    .map_err(db_err)?
    .map(|(id, name, at)| {
        Ok(Agency {
            id: parse_uuid(&id)?.into(),
            name,
            created_at: parse_ts(&at)?,
        })
    })
    .transpose()
}

const USER_COLUMNS: &str = "id, agency_id, login, role, created_at";

type UserRow = (String, String, String, String, String);

fn user_row(r: &Row<'_>) -> rusqlite::Result<UserRow> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn to_user((id, agency, login, role, at): UserRow) -> StoreResult<User> {
    Ok(User {
        id: parse_uuid(&id)?.into(),
        agency: parse_uuid(&agency)?.into(),
        login,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
        created_at: parse_ts(&at)?,
    })
}

pub(super) fn create_user(
    tx: &Transaction<'_>,
    u: &NewUser,
    audit: &AuditEntry,
) -> StoreResult<User> {
    let user = User {
        id: UserId::new(),
        agency: u.agency,
        login: u.login.clone(),
        role: u.role,
        created_at: OffsetDateTime::now_utc(),
    };
    tx.execute(
        "INSERT INTO users (id, agency_id, login, password_hash, role, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            user.id.to_string(),
            user.agency.to_string(),
            user.login,
            u.password_hash,
            user.role.as_str(),
            ts(user.created_at)
        ],
    )
    .map_err(db_err)?;
    let mut audit = audit.clone();
    audit.target = Some(format!("user:{}", user.id));
    insert_audit(tx, &audit)?;
    Ok(user)
}

pub(super) fn user_for_login(c: &Connection, login: &str) -> StoreResult<Option<(User, String)>> {
    c.query_row(
        &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE login = ?1"),
        [login],
        |r| Ok((user_row(r)?, r.get::<_, String>(5)?)),
    )
    .optional()
    .map_err(db_err)?
    .map(|(row, hash)| Ok((to_user(row)?, hash)))
    .transpose()
}

pub(super) fn get_user(c: &Connection, agency: AgencyId, id: UserId) -> StoreResult<Option<User>> {
    c.query_row(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1 AND agency_id = ?2"),
        [id.to_string(), agency.to_string()],
        user_row,
    )
    .optional()
    .map_err(db_err)?
    .map(to_user)
    .transpose()
}

pub(super) fn list_users(c: &Connection, agency: AgencyId) -> StoreResult<Vec<User>> {
    let mut stmt = c
        .prepare(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE agency_id = ?1 ORDER BY login"
        ))
        .map_err(db_err)?;
    let rows = stmt
        .query_map([agency.to_string()], user_row)
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_err)?;
    rows.into_iter().map(to_user).collect()
}

pub(super) fn create_session(
    tx: &Transaction<'_>,
    token_hash: &Sha256,
    user: UserId,
    expires_at: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<()> {
    // Expired sessions are swept as new ones are made.
    tx.execute(
        "DELETE FROM sessions WHERE expires_at < ?1",
        [ts(OffsetDateTime::now_utc())],
    )
    .map_err(db_err)?;
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            token_hash.as_bytes().as_slice(),
            user.to_string(),
            ts(OffsetDateTime::now_utc()),
            ts(expires_at)
        ],
    )
    .map_err(db_err)?;
    insert_audit(tx, audit)
}

pub(super) fn session_user(
    c: &Connection,
    token_hash: &Sha256,
    now: OffsetDateTime,
) -> StoreResult<Option<User>> {
    c.query_row(
        "SELECT u.id, u.agency_id, u.login, u.role, u.created_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ?1 AND s.expires_at > ?2",
        params![token_hash.as_bytes().as_slice(), ts(now)],
        user_row,
    )
    .optional()
    .map_err(db_err)?
    .map(to_user)
    .transpose()
}

pub(super) fn delete_session(
    tx: &Transaction<'_>,
    token_hash: &Sha256,
    audit: &AuditEntry,
) -> StoreResult<()> {
    tx.execute(
        "DELETE FROM sessions WHERE token_hash = ?1",
        [token_hash.as_bytes().as_slice()],
    )
    .map_err(db_err)?;
    insert_audit(tx, audit)
}

type ApiKeyRow = (String, String, String, Option<String>);

fn to_api_key((id, inn, at, revoked): ApiKeyRow) -> StoreResult<ApiKey> {
    Ok(ApiKey {
        id: parse_uuid(&id)?,
        subject_inn: inn,
        created_at: parse_ts(&at)?,
        revoked_at: revoked.as_deref().map(parse_ts).transpose()?,
    })
}

pub(super) fn create_api_key(
    tx: &Transaction<'_>,
    inn: &str,
    key_hash: &Sha256,
    audit: &AuditEntry,
) -> StoreResult<ApiKey> {
    let key = ApiKey {
        id: uuid::Uuid::now_v7(),
        subject_inn: inn.to_owned(),
        created_at: OffsetDateTime::now_utc(),
        revoked_at: None,
    };
    tx.execute(
        "INSERT INTO api_keys (id, subject_inn, key_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            key.id.to_string(),
            key.subject_inn,
            key_hash.as_bytes().as_slice(),
            ts(key.created_at)
        ],
    )
    .map_err(db_err)?;
    let mut audit = audit.clone();
    audit.target = Some(format!("api_key:{}", key.id));
    insert_audit(tx, &audit)?;
    Ok(key)
}

pub(super) fn api_key_by_hash(c: &Connection, key_hash: &Sha256) -> StoreResult<Option<ApiKey>> {
    c.query_row(
        "SELECT id, subject_inn, created_at, revoked_at FROM api_keys WHERE key_hash = ?1",
        [key_hash.as_bytes().as_slice()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .optional()
    .map_err(db_err)?
    .map(to_api_key)
    .transpose()
}

pub(super) fn revoke_api_key(
    tx: &Transaction<'_>,
    id: uuid::Uuid,
    now: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<bool> {
    let n = tx
        .execute(
            "UPDATE api_keys SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
            params![ts(now), id.to_string()],
        )
        .map_err(db_err)?;
    if n > 0 {
        insert_audit(tx, audit)?;
    }
    Ok(n > 0)
}

pub(super) fn list_audit(
    c: &Connection,
    agency: AgencyId,
    before: Option<i64>,
    limit: u32,
) -> StoreResult<Vec<AuditRecord>> {
    let mut stmt = c
        .prepare(
            "SELECT id, at, agency_id, actor, action, target, outcome, detail, address
             FROM audit_log WHERE agency_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
        )
        .map_err(db_err)?;
    type Row9 = (
        i64,
        String,
        Option<String>,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
    );
    let rows = stmt
        .query_map(
            params![agency.to_string(), before.unwrap_or(i64::MAX), limit],
            |r| {
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
                ))
            },
        )
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<Row9>>>()
        .map_err(db_err)?;
    rows.into_iter()
        .map(
            |(id, at, agency, actor, action, target, outcome, detail, address)| {
                Ok(AuditRecord {
                    id,
                    at: parse_ts(&at)?,
                    agency: agency
                        .as_deref()
                        .map(parse_uuid)
                        .transpose()?
                        .map(Into::into),
                    actor,
                    action,
                    target,
                    outcome: Outcome::parse(&outcome),
                    detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
                    address,
                })
            },
        )
        .collect()
}

#[async_trait::async_trait]
impl AccountStore for SqliteStore {
    async fn create_agency(&self, name: &str, audit: &AuditEntry) -> StoreResult<Agency> {
        let (name, audit) = (name.to_owned(), audit.clone());
        self.transact(move |tx| create_agency(tx, &name, &audit))
            .await
    }

    async fn get_agency(&self, id: AgencyId) -> StoreResult<Option<Agency>> {
        self.read(move |c| get_agency(c, id)).await
    }

    async fn create_user(&self, user: &NewUser, audit: &AuditEntry) -> StoreResult<User> {
        let (user, audit) = (user.clone(), audit.clone());
        self.transact(move |tx| create_user(tx, &user, &audit))
            .await
    }

    async fn user_for_login(&self, login: &str) -> StoreResult<Option<(User, String)>> {
        let login = login.to_owned();
        self.read(move |c| user_for_login(c, &login)).await
    }

    async fn get_user(&self, agency: AgencyId, id: UserId) -> StoreResult<Option<User>> {
        self.read(move |c| get_user(c, agency, id)).await
    }

    async fn list_users(&self, agency: AgencyId) -> StoreResult<Vec<User>> {
        self.read(move |c| list_users(c, agency)).await
    }

    async fn create_session(
        &self,
        token_hash: &Sha256,
        user: UserId,
        expires_at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        let (token_hash, audit) = (*token_hash, audit.clone());
        self.transact(move |tx| create_session(tx, &token_hash, user, expires_at, &audit))
            .await
    }

    async fn session_user(
        &self,
        token_hash: &Sha256,
        now: OffsetDateTime,
    ) -> StoreResult<Option<User>> {
        let token_hash = *token_hash;
        self.read(move |c| session_user(c, &token_hash, now)).await
    }

    async fn delete_session(&self, token_hash: &Sha256, audit: &AuditEntry) -> StoreResult<()> {
        let (token_hash, audit) = (*token_hash, audit.clone());
        self.transact(move |tx| delete_session(tx, &token_hash, &audit))
            .await
    }

    async fn create_api_key(
        &self,
        subject_inn: &str,
        key_hash: &Sha256,
        audit: &AuditEntry,
    ) -> StoreResult<ApiKey> {
        let (inn, key_hash, audit) = (subject_inn.to_owned(), *key_hash, audit.clone());
        self.transact(move |tx| create_api_key(tx, &inn, &key_hash, &audit))
            .await
    }

    async fn api_key_by_hash(&self, key_hash: &Sha256) -> StoreResult<Option<ApiKey>> {
        let key_hash = *key_hash;
        self.read(move |c| api_key_by_hash(c, &key_hash)).await
    }

    async fn revoke_api_key(
        &self,
        id: uuid::Uuid,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        let audit = audit.clone();
        self.transact(move |tx| revoke_api_key(tx, id, now, &audit))
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
        self.read(move |c| list_audit(c, agency, before, limit))
            .await
    }
}
