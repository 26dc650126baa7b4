//! Agencies, users, sessions, API keys and the audit log (statements in `store/sql/accounts.rs`).

use knd_shared::{AgencyId, Sha256, UserId};
use time::OffsetDateTime;
use tokio_postgres::{Client, Transaction};

use super::PgStore;
use super::cols::{execute, query_all, query_opt};
use super::insert_audit;
use crate::model::{Agency, ApiKey, AuditEntry, AuditFilter, AuditRecord, NewUser, User};
use crate::store::AccountStore;
use crate::store::StoreResult;
use crate::store::sql::accounts as sql;

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
    execute(
        tx,
        &sql::INSERT_AGENCY,
        &[&agency.id.as_uuid(), &agency.name, &agency.created_at],
    )
    .await?;
    let mut audit = audit.clone();
    audit.agency = Some(agency.id);
    audit.target = Some(format!("agency:{}", agency.id));
    insert_audit(tx, &audit).await?;
    Ok(agency)
}

pub(super) async fn get_agency(c: &Client, id: AgencyId) -> StoreResult<Option<Agency>> {
    query_opt(c, &sql::AGENCY, &[&id.as_uuid()], sql::agency).await
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
        disabled_at: None,
    };
    execute(
        tx,
        &sql::INSERT_USER,
        &[
            &user.id.as_uuid(),
            &user.agency.as_uuid(),
            &user.login,
            &u.password_hash,
            &user.role.as_str(),
            &user.created_at,
        ],
    )
    .await?;
    let mut audit = audit.clone();
    audit.target = Some(format!("user:{}", user.id));
    insert_audit(tx, &audit).await?;
    Ok(user)
}

pub(super) async fn user_for_login(c: &Client, login: &str) -> StoreResult<Option<(User, String)>> {
    query_opt(c, &sql::USER_FOR_LOGIN, &[&login], sql::user_and_password).await
}

pub(super) async fn get_user(
    c: &impl tokio_postgres::GenericClient,
    agency: AgencyId,
    id: UserId,
) -> StoreResult<Option<User>> {
    query_opt(
        c,
        &sql::USER,
        &[&id.as_uuid(), &agency.as_uuid()],
        sql::user,
    )
    .await
}

pub(super) async fn list_users(c: &Client, agency: AgencyId) -> StoreResult<Vec<User>> {
    query_all(c, &sql::USERS, &[&agency.as_uuid()], sql::user).await
}

pub(super) async fn create_session(
    tx: &Transaction<'_>,
    token_hash: &Sha256,
    user: UserId,
    expires_at: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<()> {
    let now = OffsetDateTime::now_utc();
    execute(tx, &sql::SWEEP_SESSIONS, &[&now]).await?;
    execute(
        tx,
        &sql::INSERT_SESSION,
        &[
            &token_hash.as_bytes().as_slice(),
            &user.as_uuid(),
            &now,
            &expires_at,
        ],
    )
    .await?;
    insert_audit(tx, audit).await
}

pub(super) async fn session_user(
    c: &Client,
    token_hash: &Sha256,
    now: OffsetDateTime,
) -> StoreResult<Option<(User, OffsetDateTime)>> {
    query_opt(
        c,
        &sql::SESSION_USER,
        &[&token_hash.as_bytes().as_slice(), &now],
        sql::session,
    )
    .await
}

pub(super) async fn delete_session(
    tx: &Transaction<'_>,
    token_hash: &Sha256,
    audit: &AuditEntry,
) -> StoreResult<()> {
    execute(
        tx,
        &sql::DELETE_SESSION,
        &[&token_hash.as_bytes().as_slice()],
    )
    .await?;
    insert_audit(tx, audit).await
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
    execute(
        tx,
        &sql::INSERT_API_KEY,
        &[
            &key.id,
            &key.subject_inn,
            &key_hash.as_bytes().as_slice(),
            &key.created_at,
        ],
    )
    .await?;
    let mut audit = audit.clone();
    audit.target = Some(format!("api_key:{}", key.id));
    insert_audit(tx, &audit).await?;
    Ok(key)
}

pub(super) async fn api_key_by_hash(c: &Client, key_hash: &Sha256) -> StoreResult<Option<ApiKey>> {
    query_opt(
        c,
        &sql::API_KEY_BY_HASH,
        &[&key_hash.as_bytes().as_slice()],
        sql::api_key,
    )
    .await
}

pub(super) async fn revoke_api_key(
    tx: &Transaction<'_>,
    id: uuid::Uuid,
    now: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<bool> {
    let n = execute(tx, &sql::REVOKE_API_KEY, &[&now, &id]).await?;
    if n > 0 {
        insert_audit(tx, audit).await?;
    }
    Ok(n > 0)
}

pub(super) async fn list_audit(
    c: &Client,
    agency: AgencyId,
    f: &AuditFilter,
    before: Option<i64>,
    limit: u32,
) -> StoreResult<Vec<AuditRecord>> {
    query_all(
        c,
        sql::audit_query(f),
        &[
            &agency.as_uuid(),
            &before.unwrap_or(i64::MAX),
            &f.actor,
            &f.action,
            &f.target,
            &f.from,
            &f.until,
            &i64::from(limit),
        ],
        sql::audit_record,
    )
    .await
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
    ) -> StoreResult<Option<(User, OffsetDateTime)>> {
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
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRecord>> {
        list_audit(&**self.client().await?, agency, filter, before, limit).await
    }
}
