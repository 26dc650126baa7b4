//! Agencies, users, sessions, API keys and the audit log: statements and row mapping.

use super::Sql;
use crate::model::{Agency, ApiKey, AuditRecord, Outcome, Role, User};
use crate::store::cols::Cols;
use crate::store::{StoreError, StoreResult};
use time::OffsetDateTime;

pub(crate) static INSERT_AGENCY: Sql =
    Sql::new("INSERT INTO agencies (id, name, created_at) VALUES (?1, ?2, ?3)");
pub(crate) static AGENCY: Sql = Sql::new("SELECT id, name, created_at FROM agencies WHERE id = ?1");

pub(crate) fn agency(r: &impl Cols) -> StoreResult<Agency> {
    Ok(Agency {
        id: r.id(0)?,
        name: r.text(1)?,
        created_at: r.ts(2)?,
    })
}

pub(crate) static INSERT_USER: Sql = Sql::new(
    "INSERT INTO users (id, agency_id, login, password_hash, role, created_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
);

/// The columns [`user`] reads, in its order (and `password_hash` after them for a login).
macro_rules! user_columns {
    () => {
        "u.id, u.agency_id, u.login, u.role, u.created_at, u.disabled_at"
    };
}

pub(crate) static USER_FOR_LOGIN: Sql = Sql::new(concat!(
    "SELECT ",
    user_columns!(),
    ", u.password_hash FROM users u WHERE u.login = ?1 AND u.disabled_at IS NULL"
));
pub(crate) static USER: Sql = Sql::new(concat!(
    "SELECT ",
    user_columns!(),
    " FROM users u WHERE u.id = ?1 AND u.agency_id = ?2"
));
pub(crate) static USERS: Sql = Sql::new(concat!(
    "SELECT ",
    user_columns!(),
    " FROM users u WHERE u.agency_id = ?1 ORDER BY u.login"
));

pub(crate) fn user(r: &impl Cols) -> StoreResult<User> {
    let role = r.text(3)?;
    Ok(User {
        id: r.id(0)?,
        agency: r.id(1)?,
        login: r.text(2)?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?,
        created_at: r.ts(4)?,
        disabled_at: r.opt_ts(5)?,
    })
}

/// A user and the password hash, for a login.
/// A session's user and when the session expires.
pub(crate) fn session(r: &impl Cols) -> StoreResult<(User, OffsetDateTime)> {
    Ok((user(r)?, r.ts(6)?))
}

pub(crate) fn user_and_password(r: &impl Cols) -> StoreResult<(User, String)> {
    Ok((user(r)?, r.text(6)?))
}

/// Expired sessions are swept as new ones are made.
pub(crate) static SWEEP_SESSIONS: Sql = Sql::new("DELETE FROM sessions WHERE expires_at < ?1");
pub(crate) static INSERT_SESSION: Sql = Sql::new(
    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
);
pub(crate) static SESSION_USER: Sql = Sql::new(concat!(
    "SELECT ",
    user_columns!(),
    ", s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled_at IS NULL"
));
pub(crate) static DELETE_SESSION: Sql = Sql::new("DELETE FROM sessions WHERE token_hash = ?1");

pub(crate) static INSERT_API_KEY: Sql = Sql::new(
    "INSERT INTO api_keys (id, subject_inn, key_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
);
pub(crate) static API_KEY_BY_HASH: Sql =
    Sql::new("SELECT id, subject_inn, created_at, revoked_at FROM api_keys WHERE key_hash = ?1");
pub(crate) static REVOKE_API_KEY: Sql =
    Sql::new("UPDATE api_keys SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL");

pub(crate) fn api_key(r: &impl Cols) -> StoreResult<ApiKey> {
    Ok(ApiKey {
        id: r.uuid(0)?,
        subject_inn: r.text(1)?,
        created_at: r.ts(2)?,
        revoked_at: r.opt_ts(3)?,
    })
}

pub(crate) static INSERT_AUDIT: Sql = Sql::new(
    "INSERT INTO audit_log (at, agency_id, actor, action, target, outcome, detail, address)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
);
/// The agency's audit log below an id, newest first, each filter applied when given (see
/// `AuditFilter`).
pub(crate) static AUDIT: Sql = Sql::dialects(
    "SELECT id, at, agency_id, actor, action, target, outcome, detail, address
     FROM audit_log WHERE agency_id = ?1 AND id < ?2
       AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR action = ?4)
       AND (?5 IS NULL OR target = ?5) AND (?6 IS NULL OR at >= ?6) AND (?7 IS NULL OR at < ?7)
     ORDER BY id DESC LIMIT ?8",
    "SELECT id, at, agency_id, actor, action, target, outcome, detail, address
     FROM audit_log WHERE agency_id = $1 AND id < $2
       AND ($3::TEXT IS NULL OR actor = $3) AND ($4::TEXT IS NULL OR action = $4)
       AND ($5::TEXT IS NULL OR target = $5) AND ($6::TIMESTAMPTZ IS NULL OR at >= $6)
       AND ($7::TIMESTAMPTZ IS NULL OR at < $7)
     ORDER BY id DESC LIMIT $8",
);

pub(crate) fn audit_record(r: &impl Cols) -> StoreResult<AuditRecord> {
    Ok(AuditRecord {
        id: r.i64(0)?,
        at: r.ts(1)?,
        agency: r.opt_id(2)?,
        actor: r.text(3)?,
        action: r.text(4)?,
        target: r.opt_text(5)?,
        outcome: Outcome::parse(&r.text(6)?),
        detail: r.opt_text(7)?.and_then(|d| serde_json::from_str(&d).ok()),
        address: r.opt_text(8)?,
    })
}
