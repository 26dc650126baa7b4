//! Webhooks and their delivery log (statements in `sql/webhooks.rs`).

use async_trait::async_trait;
use time::OffsetDateTime;
use uuid::Uuid;

use super::StoreResult;
use crate::model::AuditEntry;
use crate::model::webhooks::{Attempted, Delivery, Due, Webhook};

#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Stores a webhook that starts after the subject's last event (what came before is in
    /// the feed), at most `max` active ones per API key; `None` (nothing stored) past it.
    async fn add_webhook(
        &self,
        webhook: &Webhook,
        max: u32,
        audit: &AuditEntry,
    ) -> StoreResult<Option<Webhook>>;

    /// An API key's webhooks, newest first.
    async fn webhooks_of(&self, api_key: Uuid) -> StoreResult<Vec<Webhook>>;

    /// Disables an active webhook of the API key; false when there is none.
    async fn disable_webhook(
        &self,
        api_key: Uuid,
        id: Uuid,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;

    /// Active webhooks due an attempt at `now` (no backoff pending) that have an event after
    /// their cursor, each with that event; at most `limit`.
    async fn due_webhooks(&self, now: OffsetDateTime, limit: u32) -> StoreResult<Vec<Due>>;

    /// Logs an attempt and moves the webhook on: past the event when delivered or given up,
    /// else one more attempt counted and the next one's time set.
    async fn record_attempt(&self, attempt: &Attempted) -> StoreResult<()>;

    /// A webhook's attempts, newest first, before the id.
    async fn deliveries(
        &self,
        webhook: Uuid,
        before: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Delivery>>;
}
