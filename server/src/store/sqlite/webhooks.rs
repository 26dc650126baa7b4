//! Webhooks on SQLite (statements in `store/sql/webhooks.rs`).

use rusqlite::{Connection, Transaction, params};
use time::OffsetDateTime;
use uuid::Uuid;

use super::SqliteStore;
use super::cols::{execute, query_all, query_opt};
use super::{db_err, insert_audit, ts};
use crate::model::AuditEntry;
use crate::model::webhooks::{Attempted, Delivery, Due, Outcome, Webhook};
use crate::store::cols::Cols;
use crate::store::sql::{filings as events, webhooks as sql};
use crate::store::{StoreError, StoreResult, WebhookStore};

fn count(
    c: &Connection,
    sql: &crate::store::sql::Sql,
    p: impl rusqlite::Params,
) -> StoreResult<i64> {
    Ok(query_opt(c, sql, p, |r| r.get(0).map_err(db_err))?.unwrap_or(0))
}

fn add(
    tx: &Transaction<'_>,
    w: &Webhook,
    max: u32,
    audit: &AuditEntry,
) -> StoreResult<Option<Webhook>> {
    if count(tx, &sql::ACTIVE_OF_KEY, [w.api_key.to_string()])? >= i64::from(max) {
        return Ok(None);
    }
    let head = count(tx, &sql::FEED_HEAD, [w.subject_inn.as_str()])?;
    execute(
        tx,
        &sql::INSERT,
        params![
            w.id.to_string(),
            w.api_key.to_string(),
            w.subject_inn,
            w.url,
            ts(w.created_at),
            head
        ],
    )?;
    insert_audit(tx, audit)?;
    query_opt(tx, &sql::ONE, [w.id.to_string()], |r| sql::webhook(r))
}

fn due(c: &Connection, now: OffsetDateTime, limit: u32) -> StoreResult<Vec<Due>> {
    let rows = query_all(c, &sql::DUE, params![ts(now), limit], |r| {
        Ok((sql::webhook(r)?, r.i64(9)?))
    })?;
    let mut out = Vec::with_capacity(rows.len());
    for (webhook, event) in rows {
        let event = query_opt(c, &events::EVENT_BY_ID, [event], |r| events::event(r))?
            .ok_or_else(|| StoreError::Corrupt("webhook event".into()))?;
        out.push(Due { webhook, event });
    }
    Ok(out)
}

fn record(tx: &Transaction<'_>, a: &Attempted) -> StoreResult<()> {
    execute(
        tx,
        &sql::LOG,
        params![
            a.webhook.to_string(),
            a.event,
            a.attempt,
            ts(a.at),
            a.outcome.as_str(),
            a.http_status,
            a.error,
            i64::try_from(a.duration_ms).unwrap_or(i64::MAX)
        ],
    )?;
    match a.outcome {
        Outcome::Delivered | Outcome::GivenUp => {
            execute(tx, &sql::PASSED, params![a.webhook.to_string(), a.event])?;
        }
        Outcome::Retry => {
            execute(
                tx,
                &sql::FAILED,
                params![a.webhook.to_string(), a.attempt, a.next_attempt_at.map(ts)],
            )?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl WebhookStore for SqliteStore {
    async fn add_webhook(
        &self,
        webhook: &Webhook,
        max: u32,
        audit: &AuditEntry,
    ) -> StoreResult<Option<Webhook>> {
        let (w, a) = (webhook.clone(), audit.clone());
        self.transact(move |tx| add(tx, &w, max, &a)).await
    }

    async fn webhooks_of(&self, api_key: Uuid) -> StoreResult<Vec<Webhook>> {
        self.read(move |c| query_all(c, &sql::OF_KEY, [api_key.to_string()], |r| sql::webhook(r)))
            .await
    }

    async fn disable_webhook(
        &self,
        api_key: Uuid,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        let a = audit.clone();
        self.transact(move |tx| {
            let n = execute(
                tx,
                &sql::DISABLE,
                params![api_key.to_string(), id.to_string(), ts(at)],
            )?;
            if n > 0 {
                insert_audit(tx, &a)?;
            }
            Ok(n > 0)
        })
        .await
    }

    async fn due_webhooks(&self, now: OffsetDateTime, limit: u32) -> StoreResult<Vec<Due>> {
        self.read(move |c| due(c, now, limit)).await
    }

    async fn record_attempt(&self, attempt: &Attempted) -> StoreResult<()> {
        let a = attempt.clone();
        self.transact(move |tx| record(tx, &a)).await
    }

    async fn deliveries(
        &self,
        webhook: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>> {
        self.read(move |c| match before {
            None => query_all(
                c,
                &sql::DELIVERIES_FIRST,
                params![webhook.to_string(), limit],
                |r| sql::delivery(r),
            ),
            Some(b) => query_all(
                c,
                &sql::DELIVERIES_BEFORE,
                params![webhook.to_string(), limit, b],
                |r| sql::delivery(r),
            ),
        })
        .await
    }
}
