//! A business's webhooks: register one per URL (its events from then on, POSTed and signed),
//! list them, disable one, read one's delivery log.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::paging::{NoFilter, Paged};
use crate::auth::{Business, ClientAddr};
use crate::error::{ApiResult, Json, Path, Problem};
use crate::model::webhooks::{Delivery, Webhook};
use crate::services::webhooks;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct WebhookRequest {
    /// Where to POST the events: `https://...`.
    url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct WebhookView {
    id: Uuid,
    url: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    created_at: OffsetDateTime,
    active: bool,
    /// The cursor of the last event delivered or given up.
    delivered_upto: String,
    /// Failed attempts at the next event so far.
    attempts: u32,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    next_attempt_at: Option<OffsetDateTime>,
    /// The key that signs the deliveries (Standard Webhooks `whpk_`): check `webhook-signature`
    /// with it.
    public_key: String,
}

impl WebhookView {
    fn of(w: Webhook, public_key: String) -> Self {
        Self {
            id: w.id,
            url: w.url,
            created_at: w.created_at,
            active: w.disabled_at.is_none(),
            delivered_upto: w.delivered_upto.to_string(),
            attempts: w.attempts,
            next_attempt_at: w.next_attempt_at,
            public_key,
        }
    }
}

/// Registers a webhook: the business's events from now on are POSTed to it, in order, each
/// signed (headers `webhook-id`, `webhook-timestamp`, `webhook-signature`), retried with backoff
/// when the answer is not 2xx.
#[utoipa::path(post, path = "/api/v1/business/webhooks", tag = "business", security(("api_key" = [])),
    request_body = WebhookRequest, responses(
    (status = 201, body = WebhookView), (status = 401, body = Problem),
    (status = 409, body = Problem, description = "as many webhooks as a key may have"),
    (status = 422, body = Problem, description = "not an https URL"),
))]
pub(super) async fn register(
    State(state): State<AppState>,
    Business(key): Business,
    ClientAddr(address): ClientAddr,
    Json(req): Json<WebhookRequest>,
) -> ApiResult<(StatusCode, Json<WebhookView>)> {
    let w = webhooks::register(&state, &key, address.as_deref(), &req.url).await?;
    Ok((
        StatusCode::CREATED,
        Json(WebhookView::of(w, webhooks::public_key(&state))),
    ))
}

/// The API key's webhooks, newest first.
#[utoipa::path(get, path = "/api/v1/business/webhooks", tag = "business", security(("api_key" = [])),
    responses((status = 200, body = Vec<WebhookView>), (status = 401, body = Problem)))]
pub(super) async fn list(
    State(state): State<AppState>,
    Business(key): Business,
) -> ApiResult<Json<Vec<WebhookView>>> {
    let public = webhooks::public_key(&state);
    Ok(Json(
        webhooks::list(&state, &key)
            .await?
            .into_iter()
            .map(|w| WebhookView::of(w, public.clone()))
            .collect(),
    ))
}

/// Disables a webhook: nothing more is sent to it.
#[utoipa::path(delete, path = "/api/v1/business/webhooks/{id}", tag = "business", security(("api_key" = [])),
    params(("id" = Uuid, Path)), responses(
    (status = 204), (status = 401, body = Problem), (status = 404, body = Problem),
))]
pub(super) async fn disable(
    State(state): State<AppState>,
    Business(key): Business,
    ClientAddr(address): ClientAddr,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    webhooks::disable(&state, &key, address.as_deref(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct DeliveryView {
    id: i64,
    /// The event's cursor in the feed.
    event: String,
    attempt: u32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    at: OffsetDateTime,
    /// `delivered`, `retry` or `given_up`.
    outcome: String,
    http_status: Option<u16>,
    error: Option<String>,
    duration_ms: u64,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            event: d.event.to_string(),
            attempt: d.attempt,
            at: d.at,
            outcome: d.outcome,
            http_status: d.http_status,
            error: d.error,
            duration_ms: d.duration_ms,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct DeliveryPage {
    items: Vec<DeliveryView>,
    next: Option<String>,
}

/// A webhook's attempts, newest first.
#[utoipa::path(get, path = "/api/v1/business/webhooks/{id}/deliveries", tag = "business",
    security(("api_key" = [])), params(("id" = Uuid, Path), Paged<NoFilter, 500>), responses(
    (status = 200, body = DeliveryPage), (status = 401, body = Problem), (status = 404, body = Problem),
))]
pub(super) async fn deliveries(
    State(state): State<AppState>,
    Business(key): Business,
    Path(id): Path<Uuid>,
    page: Paged<NoFilter, 500>,
) -> ApiResult<Json<DeliveryPage>> {
    let before = page.cursor("a delivery id", |a| a.parse::<i64>().ok())?;
    let rows = webhooks::deliveries(&state, &key, id, before, page.limit).await?;
    let next = page.next(&rows, |d| d.id.to_string());
    Ok(Json(DeliveryPage {
        items: rows.into_iter().map(Into::into).collect(),
        next,
    }))
}
