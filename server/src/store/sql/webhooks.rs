//! Webhooks and their delivery log: statements and row mapping.

use super::Sql;
use crate::model::webhooks::{Delivery, Webhook};
use crate::store::cols::Cols;
use crate::store::{StoreError, StoreResult};

macro_rules! webhook_columns {
    () => {
        "SELECT w.id, w.api_key_id, w.subject_inn, w.url, w.created_at, w.disabled_at,
                w.delivered_upto, w.attempts, w.next_attempt_at
         FROM webhooks w"
    };
}

pub(crate) static ACTIVE_OF_KEY: Sql =
    Sql::new("SELECT COUNT(*) FROM webhooks WHERE api_key_id = ?1 AND disabled_at IS NULL");

/// The subject's last event id (0 when it has none).
pub(crate) static FEED_HEAD: Sql = Sql::dialects(
    "SELECT COALESCE(MAX(id), 0) FROM business_events WHERE subject_inn = ?1",
    "SELECT COALESCE(MAX(id), 0)::BIGINT FROM business_events WHERE subject_inn = $1",
);

pub(crate) static INSERT: Sql = Sql::new(
    "INSERT INTO webhooks (id, api_key_id, subject_inn, url, created_at, delivered_upto)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
);

pub(crate) static ONE: Sql = Sql::new(concat!(webhook_columns!(), " WHERE w.id = ?1"));

pub(crate) static OF_KEY: Sql = Sql::new(concat!(
    webhook_columns!(),
    " WHERE w.api_key_id = ?1 ORDER BY w.created_at DESC, w.id DESC"
));

pub(crate) static DISABLE: Sql = Sql::new(
    "UPDATE webhooks SET disabled_at = ?3 WHERE api_key_id = ?1 AND id = ?2 AND disabled_at IS NULL",
);

/// Active webhooks without a pending backoff whose subject has an event past the cursor, with
/// that event's id (column 9).
pub(crate) static DUE: Sql = Sql::new(
    "SELECT w.id, w.api_key_id, w.subject_inn, w.url, w.created_at, w.disabled_at,
            w.delivered_upto, w.attempts, w.next_attempt_at,
            (SELECT MIN(e.id) FROM business_events e
             WHERE e.subject_inn = w.subject_inn AND e.id > w.delivered_upto)
     FROM webhooks w
     WHERE w.disabled_at IS NULL AND (w.next_attempt_at IS NULL OR w.next_attempt_at <= ?1)
       AND EXISTS (SELECT 1 FROM business_events e
                   WHERE e.subject_inn = w.subject_inn AND e.id > w.delivered_upto)
     ORDER BY w.id LIMIT ?2",
);

pub(crate) static LOG: Sql = Sql::new(
    "INSERT INTO webhook_deliveries (webhook_id, event_id, attempt, at, outcome, http_status,
         error, duration_ms)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
);

/// Past the event (delivered or given up).
pub(crate) static PASSED: Sql = Sql::new(
    "UPDATE webhooks SET delivered_upto = ?2, attempts = 0, next_attempt_at = NULL
     WHERE id = ?1 AND delivered_upto < ?2",
);

/// One more failed attempt, the next at `?3`.
pub(crate) static FAILED: Sql =
    Sql::new("UPDATE webhooks SET attempts = ?2, next_attempt_at = ?3 WHERE id = ?1");

pub(crate) static DELIVERIES_FIRST: Sql = Sql::new(
    "SELECT id, webhook_id, event_id, attempt, at, outcome, http_status, error, duration_ms
     FROM webhook_deliveries WHERE webhook_id = ?1 ORDER BY id DESC LIMIT ?2",
);

pub(crate) static DELIVERIES_BEFORE: Sql = Sql::new(
    "SELECT id, webhook_id, event_id, attempt, at, outcome, http_status, error, duration_ms
     FROM webhook_deliveries WHERE webhook_id = ?1 AND id < ?3 ORDER BY id DESC LIMIT ?2",
);

fn small(n: i64, what: &str) -> StoreResult<u32> {
    u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("{what} {n}")))
}

/// A row of `webhook_columns!`.
pub(crate) fn webhook(r: &impl Cols) -> StoreResult<Webhook> {
    Ok(Webhook {
        id: r.uuid(0)?,
        api_key: r.uuid(1)?,
        subject_inn: r.text(2)?,
        url: r.text(3)?,
        created_at: r.ts(4)?,
        disabled_at: r.opt_ts(5)?,
        delivered_upto: r.i64(6)?,
        attempts: small(r.i64(7)?, "attempts")?,
        next_attempt_at: r.opt_ts(8)?,
    })
}

pub(crate) fn delivery(r: &impl Cols) -> StoreResult<Delivery> {
    Ok(Delivery {
        id: r.i64(0)?,
        webhook: r.uuid(1)?,
        event: r.i64(2)?,
        attempt: small(r.i64(3)?, "attempt")?,
        at: r.ts(4)?,
        outcome: r.text(5)?,
        http_status: r
            .opt_i64(6)?
            .map(|s| u16::try_from(s).map_err(|_| StoreError::Corrupt(format!("status {s}"))))
            .transpose()?,
        error: r.opt_text(7)?,
        duration_ms: u64::try_from(r.i64(8)?).unwrap_or(0),
    })
}
