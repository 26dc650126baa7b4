//! Agencies, users, sessions, API keys and the audit log: statements and row mapping.

use super::Sql;
use crate::model::{Agency, ApiKey, AuditFilter, AuditRecord, Outcome, Role, User};
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
/// An audit query: the agency's entries below an id (`?2`), newest first, with the optional
/// filters actor `?3`, action `?4`, target `?5`, from `?6`, until `?7`; `?8` is the limit.
/// The key holds the id bound and one filter written plainly, so that its index
/// (`audit_by_actor`, `_action`, `_target`, `_time`) serves the query; the others stay optional.
macro_rules! audit_query {
    ($key_sqlite:literal, $key_pg:literal) => {
        Sql::dialects(
            concat!(
                "SELECT id, at, agency_id, actor, action, target, outcome, detail, address
                 FROM audit_log WHERE agency_id = ?1 AND ",
                $key_sqlite,
                " AND (?3 IS NULL OR actor = ?3) AND (?4 IS NULL OR action = ?4)
                 AND (?5 IS NULL OR target = ?5) AND (?6 IS NULL OR at >= ?6)
                 AND (?7 IS NULL OR at < ?7)
                 ORDER BY id DESC LIMIT ?8"
            ),
            concat!(
                "SELECT id, at, agency_id, actor, action, target, outcome, detail, address
                 FROM audit_log WHERE agency_id = $1 AND ",
                $key_pg,
                " AND ($3::TEXT IS NULL OR actor = $3) AND ($4::TEXT IS NULL OR action = $4)
                 AND ($5::TEXT IS NULL OR target = $5) AND ($6::TIMESTAMPTZ IS NULL OR at >= $6)
                 AND ($7::TIMESTAMPTZ IS NULL OR at < $7)
                 ORDER BY id DESC LIMIT $8"
            ),
        )
    };
}

static AUDIT: Sql = audit_query!("id < ?2", "id < $2");
static AUDIT_BY_TARGET: Sql = audit_query!("id < ?2 AND target = ?5", "id < $2 AND target = $5");
static AUDIT_BY_ACTOR: Sql = audit_query!("id < ?2 AND actor = ?3", "id < $2 AND actor = $3");
static AUDIT_BY_ACTION: Sql = audit_query!("id < ?2 AND action = ?4", "id < $2 AND action = $4");
/// A period: the ids of its first and last entries (from `audit_by_time`, which covers them)
/// bound the newest-first read, whatever the entries' times say about their order.
static AUDIT_BY_TIME: Sql = audit_query!(
    // One upper bound (the cursor's or the period's), so that it bounds the id range read.
    "id >= (SELECT MIN(id) FROM audit_log WHERE agency_id = ?1 AND at >= ?6 AND at < ?7)
     AND id <= min(?2 - 1,
         (SELECT MAX(id) FROM audit_log WHERE agency_id = ?1 AND at >= ?6 AND at < ?7))",
    "id >= (SELECT MIN(id) FROM audit_log
            WHERE agency_id = $1 AND at >= $6::TIMESTAMPTZ AND at < $7::TIMESTAMPTZ)
     AND id <= LEAST($2::BIGINT - 1, (SELECT MAX(id) FROM audit_log
            WHERE agency_id = $1 AND at >= $6::TIMESTAMPTZ AND at < $7::TIMESTAMPTZ))"
);

/// The longest period read through its bounds: finding them reads the period's entries in
/// `audit_by_time`, while a long period's entries are found at once reading newest first.
const TIME_KEY_SPAN: time::Duration = time::Duration::days(31);

/// The audit query for `f`: keyed on its most selective filter (an object has few entries, a
/// user more, an action, a period of up to a month), so a filter matching a few old entries of
/// a long log reads those entries rather than the log (1,000,000 entries: 300 ms → a few).
pub(crate) fn audit_query(f: &AuditFilter) -> &'static Sql {
    let short_period = matches!((f.from, f.until), (Some(a), Some(b)) if b - a <= TIME_KEY_SPAN);
    if f.target.is_some() {
        &AUDIT_BY_TARGET
    } else if f.actor.is_some() {
        &AUDIT_BY_ACTOR
    } else if f.action.is_some() {
        &AUDIT_BY_ACTION
    } else if short_period {
        &AUDIT_BY_TIME
    } else {
        &AUDIT
    }
}

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
