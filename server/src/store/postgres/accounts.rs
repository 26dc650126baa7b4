//! Agencies, users, sessions, API keys and the audit log.

use knd_shared::{AgencyId, Sha256, UserId};
use time::OffsetDateTime;
use tokio_postgres::{Client, Row, Transaction};

use super::PgStore;
use super::{db_err, insert_audit};
use crate::model::{Agency, ApiKey, AuditEntry, AuditRecord, NewUser, Outcome, Role, User};
use crate::store::AccountStore;
use crate::store::{StoreError, StoreResult};

pub(super) async fn create_agency(
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
        "INSERT INTO agencies (id, name, created_at) VALUES ($1, $2, $3)",
        &[&agency.id.as_uuid(), &agency.name, &agency.created_at],
    )
    .await
    .map_err(db_err)?;
    let mut audit = audit.clone();
    audit.agency = Some(agency.id);
    audit.target = Some(format!("agency:{}", agency.id));
    insert_audit(tx, &audit).await?;
    Ok(agency)
}

pub(super) async fn get_agency(c: &Client, id: AgencyId) -> StoreResult<Option<Agency>> {
    let row = c
        .query_opt(
            "SELECT id, name, created_at FROM agencies WHERE id = $1",
            &[&id.as_uuid()],
        )
        .await
        .map_err(db_err)?;
    Ok(row.map(|r| Agency {
        id: r.get::<_, uuid::Uuid>(0).into(),
        name: r.get(1),
        created_at: r.get(2),
    }))
}

const USER_COLUMNS: &str = "id, agency_id, login, role, created_at";

fn to_user(r: &Row) -> StoreResult<User> {
    let role: String = r.get(3);
    Ok(User {
        id: r.get::<_, uuid::Uuid>(0).into(),
        agency: r.get::<_, uuid::Uuid>(1).into(),
        login: r.get(2),
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
        created_at: r.get(4),
    })
}

pub(super) async fn create_user(
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
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &user.id.as_uuid(),
            &user.agency.as_uuid(),
            &user.login,
            &u.password_hash,
            &user.role.as_str(),
            &user.created_at,
        ],
    )
    .await
    .map_err(db_err)?;
    let mut audit = audit.clone();
    audit.target = Some(format!("user:{}", user.id));
    insert_audit(tx, &audit).await?;
    Ok(user)
}

pub(super) async fn user_for_login(c: &Client, login: &str) -> StoreResult<Option<(User, String)>> {
    let row = c
        .query_opt(
            &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE login = $1"),
            &[&login],
        )
        .await
        .map_err(db_err)?;
    row.map(|r| Ok((to_user(&r)?, r.get(5)))).transpose()
}

pub(super) async fn get_user(
    c: &Client,
    agency: AgencyId,
    id: UserId,
) -> StoreResult<Option<User>> {
    let row = c
        .query_opt(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND agency_id = $2"),
            &[&id.as_uuid(), &agency.as_uuid()],
        )
        .await
        .map_err(db_err)?;
    row.as_ref().map(to_user).transpose()
}

pub(super) async fn list_users(c: &Client, agency: AgencyId) -> StoreResult<Vec<User>> {
    c.query(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE agency_id = $1 ORDER BY login"),
        &[&agency.as_uuid()],
    )
    .await
    .map_err(db_err)?
    .iter()
    .map(to_user)
    .collect()
}

pub(super) async fn create_session(
    tx: &Transaction<'_>,
    token_hash: &Sha256,
    user: UserId,
    expires_at: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<()> {
    let now = OffsetDateTime::now_utc();
    tx.execute("DELETE FROM sessions WHERE expires_at < $1", &[&now])
        .await
        .map_err(db_err)?;
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        &[&token_hash.as_bytes().as_slice(), &user.as_uuid(), &now, &expires_at],
    )
    .await
    .map_err(db_err)?;
    insert_audit(tx, audit).await
}

pub(super) async fn session_user(
    c: &Client,
    token_hash: &Sha256,
    now: OffsetDateTime,
) -> StoreResult<Option<User>> {
    let row = c
        .query_opt(
            "SELECT u.id, u.agency_id, u.login, u.role, u.created_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2",
            &[&token_hash.as_bytes().as_slice(), &now],
        )
        .await
        .map_err(db_err)?;
    row.as_ref().map(to_user).transpose()
}

pub(super) async fn delete_session(
    tx: &Transaction<'_>,
    token_hash: &Sha256,
    audit: &AuditEntry,
) -> StoreResult<()> {
    tx.execute(
        "DELETE FROM sessions WHERE token_hash = $1",
        &[&token_hash.as_bytes().as_slice()],
    )
    .await
    .map_err(db_err)?;
    insert_audit(tx, audit).await
}

fn to_api_key(r: &Row) -> ApiKey {
    ApiKey {
        id: r.get(0),
        subject_inn: r.get(1),
        created_at: r.get(2),
        revoked_at: r.get(3),
    }
}

pub(super) async fn create_api_key(
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
        "INSERT INTO api_keys (id, subject_inn, key_hash, created_at) VALUES ($1, $2, $3, $4)",
        &[
            &key.id,
            &key.subject_inn,
            &key_hash.as_bytes().as_slice(),
            &key.created_at,
        ],
    )
    .await
    .map_err(db_err)?;
    let mut audit = audit.clone();
    audit.target = Some(format!("api_key:{}", key.id));
    insert_audit(tx, &audit).await?;
    Ok(key)
}

pub(super) async fn api_key_by_hash(c: &Client, key_hash: &Sha256) -> StoreResult<Option<ApiKey>> {
    let row = c
        .query_opt(
            "SELECT id, subject_inn, created_at, revoked_at FROM api_keys WHERE key_hash = $1",
            &[&key_hash.as_bytes().as_slice()],
        )
        .await
        .map_err(db_err)?;
    Ok(row.as_ref().map(to_api_key))
}

pub(super) async fn revoke_api_key(
    tx: &Transaction<'_>,
    id: uuid::Uuid,
    now: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<bool> {
    let n = tx
        .execute(
            "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            &[&now, &id],
        )
        .await
        .map_err(db_err)?;
    if n > 0 {
        insert_audit(tx, audit).await?;
    }
    Ok(n > 0)
}

pub(super) async fn list_audit(
    c: &Client,
    agency: AgencyId,
    before: Option<i64>,
    limit: u32,
) -> StoreResult<Vec<AuditRecord>> {
    let rows = c
        .query(
            "SELECT id, at, agency_id, actor, action, target, outcome, detail, address
             FROM audit_log WHERE agency_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
            &[
                &agency.as_uuid(),
                &before.unwrap_or(i64::MAX),
                &i64::from(limit),
            ],
        )
        .await
        .map_err(db_err)?;
    Ok(rows
        .iter()
        .map(|r| AuditRecord {
            id: r.get(0),
            at: r.get(1),
            agency: r.get::<_, Option<uuid::Uuid>>(2).map(Into::into),
            actor: r.get(3),
            action: r.get(4),
            target: r.get(5),
            outcome: Outcome::parse(r.get(6)),
            detail: r
                .get::<_, Option<String>>(7)
                .and_then(|d| serde_json::from_str(&d).ok()),
            address: r.get(8),
        })
        .collect())
}

#[async_trait::async_trait]
impl AccountStore for PgStore {
    async fn create_agency(&self, name: &str, audit: &AuditEntry) -> StoreResult<Agency> {
        transact!(self, |tx| create_agency(&tx, name, audit).await?)
    }

    async fn get_agency(&self, id: AgencyId) -> StoreResult<Option<Agency>> {
        get_agency(&**self.client().await?, id).await
    }

    async fn create_user(&self, user: &NewUser, audit: &AuditEntry) -> StoreResult<User> {
        transact!(self, |tx| create_user(&tx, user, audit).await?)
    }

    async fn user_for_login(&self, login: &str) -> StoreResult<Option<(User, String)>> {
        user_for_login(&**self.client().await?, login).await
    }

    async fn get_user(&self, agency: AgencyId, id: UserId) -> StoreResult<Option<User>> {
        get_user(&**self.client().await?, agency, id).await
    }

    async fn list_users(&self, agency: AgencyId) -> StoreResult<Vec<User>> {
        list_users(&**self.client().await?, agency).await
    }

    async fn create_session(
        &self,
        token_hash: &Sha256,
        user: UserId,
        expires_at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        transact!(self, |tx| create_session(
            &tx, token_hash, user, expires_at, audit
        )
        .await?)
    }

    async fn session_user(
        &self,
        token_hash: &Sha256,
        now: OffsetDateTime,
    ) -> StoreResult<Option<User>> {
        session_user(&**self.client().await?, token_hash, now).await
    }

    async fn delete_session(&self, token_hash: &Sha256, audit: &AuditEntry) -> StoreResult<()> {
        transact!(self, |tx| delete_session(&tx, token_hash, audit).await?)
    }

    async fn create_api_key(
        &self,
        subject_inn: &str,
        key_hash: &Sha256,
        audit: &AuditEntry,
    ) -> StoreResult<ApiKey> {
        transact!(self, |tx| create_api_key(&tx, subject_inn, key_hash, audit)
            .await?)
    }

    async fn api_key_by_hash(&self, key_hash: &Sha256) -> StoreResult<Option<ApiKey>> {
        api_key_by_hash(&**self.client().await?, key_hash).await
    }

    async fn revoke_api_key(
        &self,
        id: uuid::Uuid,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        transact!(self, |tx| revoke_api_key(&tx, id, now, audit).await?)
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
        list_audit(&**self.client().await?, agency, before, limit).await
    }
}
