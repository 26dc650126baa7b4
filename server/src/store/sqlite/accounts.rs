//! Agencies, users, sessions, API keys and the audit log (statements in `store/sql/accounts.rs`).

use knd_shared::{AgencyId, Sha256, UserId};
use rusqlite::{Connection, Transaction, params};
use time::OffsetDateTime;

use super::SqliteStore;
use super::cols::{execute, query_all, query_opt};
use super::{insert_audit, ts};
use crate::model::{Agency, ApiKey, AuditEntry, AuditFilter, AuditRecord, NewUser, User};
use crate::store::AccountStore;
use crate::store::StoreResult;
use crate::store::sql::accounts as sql;

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
    execute(
        tx,
        &sql::INSERT_AGENCY,
        params![agency.id.to_string(), agency.name, ts(agency.created_at)],
    )?;
    let mut audit = audit.clone();
    audit.agency = Some(agency.id);
    audit.target = Some(format!("agency:{}", agency.id));
    insert_audit(tx, &audit)?;
    Ok(agency)
}

pub(super) fn get_agency(c: &Connection, id: AgencyId) -> StoreResult<Option<Agency>> {
    query_opt(c, &sql::AGENCY, [id.to_string()], |r| sql::agency(r))
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
        disabled_at: None,
    };
    execute(
        tx,
        &sql::INSERT_USER,
        params![
            user.id.to_string(),
            user.agency.to_string(),
            user.login,
            u.password_hash,
            user.role.as_str(),
            ts(user.created_at)
        ],
    )?;
    let mut audit = audit.clone();
    audit.target = Some(format!("user:{}", user.id));
    insert_audit(tx, &audit)?;
    Ok(user)
}

pub(super) fn user_for_login(c: &Connection, login: &str) -> StoreResult<Option<(User, String)>> {
    query_opt(c, &sql::USER_FOR_LOGIN, [login], |r| {
        sql::user_and_password(r)
    })
}

pub(super) fn get_user(c: &Connection, agency: AgencyId, id: UserId) -> StoreResult<Option<User>> {
    query_opt(c, &sql::USER, [id.to_string(), agency.to_string()], |r| {
        sql::user(r)
    })
}

pub(super) fn list_users(c: &Connection, agency: AgencyId) -> StoreResult<Vec<User>> {
    query_all(c, &sql::USERS, [agency.to_string()], |r| sql::user(r))
}

pub(super) fn create_session(
    tx: &Transaction<'_>,
    token_hash: &Sha256,
    user: UserId,
    expires_at: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<()> {
    let now = ts(OffsetDateTime::now_utc());
    execute(tx, &sql::SWEEP_SESSIONS, [&now])?;
    execute(
        tx,
        &sql::INSERT_SESSION,
        params![
            token_hash.as_bytes().as_slice(),
            user.to_string(),
            now,
            ts(expires_at)
        ],
    )?;
    insert_audit(tx, audit)
}

pub(super) fn session_user(
    c: &Connection,
    token_hash: &Sha256,
    now: OffsetDateTime,
) -> StoreResult<Option<(User, OffsetDateTime)>> {
    query_opt(
        c,
        &sql::SESSION_USER,
        params![token_hash.as_bytes().as_slice(), ts(now)],
        |r| sql::session(r),
    )
}

pub(super) fn delete_session(
    tx: &Transaction<'_>,
    token_hash: &Sha256,
    audit: &AuditEntry,
) -> StoreResult<()> {
    execute(tx, &sql::DELETE_SESSION, [token_hash.as_bytes().as_slice()])?;
    insert_audit(tx, audit)
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
    execute(
        tx,
        &sql::INSERT_API_KEY,
        params![
            key.id.to_string(),
            key.subject_inn,
            key_hash.as_bytes().as_slice(),
            ts(key.created_at)
        ],
    )?;
    let mut audit = audit.clone();
    audit.target = Some(format!("api_key:{}", key.id));
    insert_audit(tx, &audit)?;
    Ok(key)
}

pub(super) fn api_key_by_hash(c: &Connection, key_hash: &Sha256) -> StoreResult<Option<ApiKey>> {
    query_opt(
        c,
        &sql::API_KEY_BY_HASH,
        [key_hash.as_bytes().as_slice()],
        |r| sql::api_key(r),
    )
}

pub(super) fn revoke_api_key(
    tx: &Transaction<'_>,
    id: uuid::Uuid,
    now: OffsetDateTime,
    audit: &AuditEntry,
) -> StoreResult<bool> {
    let n = execute(tx, &sql::REVOKE_API_KEY, params![ts(now), id.to_string()])?;
    if n > 0 {
        insert_audit(tx, audit)?;
    }
    Ok(n > 0)
}

pub(super) fn list_audit(
    c: &Connection,
    agency: AgencyId,
    f: &AuditFilter,
    before: Option<i64>,
    limit: u32,
) -> StoreResult<Vec<AuditRecord>> {
    query_all(
        c,
        sql::audit_query(f),
        params![
            agency.to_string(),
            before.unwrap_or(i64::MAX),
            f.actor,
            f.action,
            f.target,
            f.from.map(ts),
            f.until.map(ts),
            limit
        ],
        |r| sql::audit_record(r),
    )
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
    ) -> StoreResult<Option<(User, OffsetDateTime)>> {
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
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRecord>> {
        let filter = filter.clone();
        self.read(move |c| list_audit(c, agency, &filter, before, limit))
            .await
    }
}
