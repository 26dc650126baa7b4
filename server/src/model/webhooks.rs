//! Webhooks a business registers, and the log of their deliveries.

use time::OffsetDateTime;
use uuid::Uuid;

use super::filings::BusinessEvent;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: Uuid,
    pub api_key: Uuid,
    pub subject_inn: String,
    pub url: String,
    pub created_at: OffsetDateTime,
    pub disabled_at: Option<OffsetDateTime>,
    /// The last event handled: delivered, or given up after the last retry.
    pub delivered_upto: i64,
    /// Failed attempts at the next event.
    pub attempts: u32,
    pub next_attempt_at: Option<OffsetDateTime>,
}

/// What one attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    /// Failed; tried again at the webhook's `next_attempt_at`.
    Retry,
    /// Failed for the last time: the next event is taken (the feed keeps this one).
    GivenUp,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Retry => "retry",
            Outcome::GivenUp => "given_up",
        }
    }
}

/// One attempt, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub webhook: Uuid,
    pub event: i64,
    pub attempt: u32,
    pub at: OffsetDateTime,
    pub outcome: String,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
}

/// An attempt to store with the webhook's state after it.
#[derive(Debug, Clone)]
pub struct Attempted {
    pub webhook: Uuid,
    pub event: i64,
    pub attempt: u32,
    pub at: OffsetDateTime,
    pub outcome: Outcome,
    pub http_status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: u64,
    /// When the next attempt may be made (a retry's backoff), else `None`.
    pub next_attempt_at: Option<OffsetDateTime>,
}

/// A webhook due an attempt, with the event it is to receive.
#[derive(Debug, Clone)]
pub struct Due {
    pub webhook: Webhook,
    pub event: BusinessEvent,
}
