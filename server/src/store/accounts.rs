//! Agencies, users, sessions, API keys and the audit log.

use async_trait::async_trait;
use knd_shared::{AgencyId, Sha256, UserId};
use time::OffsetDateTime;

use super::StoreResult;
use crate::model::{Agency, ApiKey, AuditEntry, AuditFilter, AuditRecord, NewUser, User};

/// Agencies, users, sessions, API keys and the audit log.
#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn create_agency(&self, name: &str, audit: &AuditEntry) -> StoreResult<Agency>;

    async fn get_agency(&self, id: AgencyId) -> StoreResult<Option<Agency>>;

    /// Fails with [`Violation::LoginTaken`](super::Violation::LoginTaken) when the login is taken.
    async fn create_user(&self, user: &NewUser, audit: &AuditEntry) -> StoreResult<User>;

    /// The user and the password hash, for login.
    async fn user_for_login(&self, login: &str) -> StoreResult<Option<(User, String)>>;

    async fn get_user(&self, agency: AgencyId, id: UserId) -> StoreResult<Option<User>>;

    async fn list_users(&self, agency: AgencyId) -> StoreResult<Vec<User>>;

    async fn create_session(
        &self,
        token_hash: &Sha256,
        user: UserId,
        expires_at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// The user of an unexpired session, and when it expires.
    async fn session_user(
        &self,
        token_hash: &Sha256,
        now: OffsetDateTime,
    ) -> StoreResult<Option<(User, OffsetDateTime)>>;

    async fn delete_session(&self, token_hash: &Sha256, audit: &AuditEntry) -> StoreResult<()>;

    async fn create_api_key(
        &self,
        subject_inn: &str,
        key_hash: &Sha256,
        audit: &AuditEntry,
    ) -> StoreResult<ApiKey>;

    async fn api_key_by_hash(&self, key_hash: &Sha256) -> StoreResult<Option<ApiKey>>;

    /// Returns false when there is no such unrevoked key.
    async fn revoke_api_key(
        &self,
        id: uuid::Uuid,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;

    async fn audit(&self, entry: &AuditEntry) -> StoreResult<()>;

    /// Newest first, filtered; `before` is the id to continue below (keyset pagination).
    async fn list_audit(
        &self,
        agency: AgencyId,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<AuditRecord>>;
}
