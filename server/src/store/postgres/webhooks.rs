//! Webhooks on PostgreSQL (statements in `store/sql/webhooks.rs`). Adding one locks its API
//! key's row, so two registrations at once cannot both pass the cap.

use time::OffsetDateTime;
use tokio_postgres::GenericClient;
use uuid::Uuid;

use super::PgStore;
use super::cols::{execute, query_all, query_opt};
use super::insert_audit;
use crate::model::AuditEntry;
use crate::model::webhooks::{Attempted, Delivery, Due, Outcome, Webhook};
use crate::store::cols::Cols;
use crate::store::sql::{filings as events, webhooks as sql};
use crate::store::{StoreError, StoreResult, WebhookStore};

async fn due(c: &impl GenericClient, now: OffsetDateTime, limit: u32) -> StoreResult<Vec<Due>> {
    let rows = query_all(c, &sql::DUE, &[&now, &i64::from(limit)], |r| {
        Ok((sql::webhook(r)?, r.i64(9)?))
    })
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (webhook, event) in rows {
        let event = query_opt(c, &events::EVENT_BY_ID, &[&event], events::event)
            .await?
            .ok_or_else(|| StoreError::Corrupt("webhook event".into()))?;
        out.push(Due { webhook, event });
    }
    Ok(out)
}

#[async_trait::async_trait]
impl WebhookStore for PgStore {
    async fn add_webhook(
        &self,
        w: &Webhook,
        max: u32,
        audit: &AuditEntry,
    ) -> StoreResult<Option<Webhook>> {
        transact!(self, |tx| {
            tx.execute(
                "SELECT 1 FROM api_keys WHERE id = $1 FOR UPDATE",
                &[&w.api_key],
            )
            .await
            .map_err(super::db_err)?;
            let active: i64 = query_opt(&*tx, &sql::ACTIVE_OF_KEY, &[&w.api_key], |r| Ok(r.get(0)))
                .await?
                .unwrap_or(0);
            if active >= i64::from(max) {
                None
            } else {
                let head: i64 =
                    query_opt(&*tx, &sql::FEED_HEAD, &[&w.subject_inn], |r| Ok(r.get(0)))
                        .await?
                        .unwrap_or(0);
                execute(
                    &*tx,
                    &sql::INSERT,
                    &[
                        &w.id,
                        &w.api_key,
                        &w.subject_inn,
                        &w.url,
                        &w.created_at,
                        &head,
                    ],
                )
                .await?;
                insert_audit(&tx, audit).await?;
                query_opt(&*tx, &sql::ONE, &[&w.id], sql::webhook).await?
            }
        })
    }

    async fn webhooks_of(&self, api_key: Uuid) -> StoreResult<Vec<Webhook>> {
        query_all(
            &**self.client().await?,
            &sql::OF_KEY,
            &[&api_key],
            sql::webhook,
        )
        .await
    }

    async fn disable_webhook(
        &self,
        api_key: Uuid,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        transact!(self, |tx| {
            let n = execute(&*tx, &sql::DISABLE, &[&api_key, &id, &at]).await?;
            if n > 0 {
                insert_audit(&tx, audit).await?;
            }
            n > 0
        })
    }

    async fn due_webhooks(&self, now: OffsetDateTime, limit: u32) -> StoreResult<Vec<Due>> {
        due(&**self.client().await?, now, limit).await
    }

    async fn record_attempt(&self, a: &Attempted) -> StoreResult<()> {
        let status = a.http_status.map(i64::from);
        let duration = i64::try_from(a.duration_ms).unwrap_or(i64::MAX);
        transact!(self, |tx| {
            execute(
                &*tx,
                &sql::LOG,
                &[
                    &a.webhook,
                    &a.event,
                    &i64::from(a.attempt),
                    &a.at,
                    &a.outcome.as_str(),
                    &status,
                    &a.error,
                    &duration,
                ],
            )
            .await?;
            match a.outcome {
                Outcome::Delivered | Outcome::GivenUp => {
                    execute(&*tx, &sql::PASSED, &[&a.webhook, &a.event]).await?;
                }
                Outcome::Retry => {
                    execute(
                        &*tx,
                        &sql::FAILED,
                        &[&a.webhook, &i64::from(a.attempt), &a.next_attempt_at],
                    )
                    .await?;
                }
            }
        })
    }

    async fn deliveries(
        &self,
        webhook: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>> {
        let c = self.client().await?;
        let limit = i64::from(limit);
        match before {
            None => {
                query_all(
                    &**c,
                    &sql::DELIVERIES_FIRST,
                    &[&webhook, &limit],
                    sql::delivery,
                )
                .await
            }
            Some(b) => {
                query_all(
                    &**c,
                    &sql::DELIVERIES_BEFORE,
                    &[&webhook, &limit, &b],
                    sql::delivery,
                )
                .await
            }
        }
    }
}
