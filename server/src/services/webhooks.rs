//! Webhooks a business registers per API key: every event of its feed (`business_events`) is
//! POSTed to it in order, signed with the server's Ed25519 key by the Standard Webhooks scheme
//! (`v1a`, `knd_shared::webhook`; the key as `whpk_...` is in the registration's answer). A
//! failed attempt (no answer, or not 2xx) is tried again after the configured waits; after the
//! last, that event is given up and the next taken (the feed keeps it). Every attempt is in the
//! delivery log. Delivery is at least once: `webhook-id` is the event's, the same on every
//! retry, so a receiver drops what it has seen. Redirects are not followed and plain `http://`
//! is refused unless the configuration allows it, so a registered URL cannot be turned against
//! the server's own network by a redirect.

use std::time::{Duration, Instant};

use knd_shared::webhook;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::model::webhooks::{Attempted, Delivery, Due, Outcome, Webhook};
use crate::model::{Actor, ApiKey};
use crate::services::accounts;
use crate::state::AppState;

const MAX_URL: usize = 2000;

/// The server's webhook public key, as receivers configure it.
pub fn public_key(state: &AppState) -> String {
    webhook::public_key_text(&state.server.key.public_key())
}

fn check_url(state: &AppState, url: &str) -> ApiResult<String> {
    let bad = |why_ru: &str, why_en: &str| {
        ApiError::Unprocessable(format!("адрес вебхука {why_ru} / the webhook URL {why_en}"))
    };
    if url.len() > MAX_URL {
        return Err(bad("длиннее 2000 знаков", "is longer than 2000 characters"));
    }
    let parsed = reqwest::Url::parse(url).map_err(|_| bad("не разбирается", "does not parse"))?;
    let http_allowed = state.config.webhooks.allow_http;
    match parsed.scheme() {
        "https" => {}
        "http" if http_allowed => {}
        _ => return Err(bad("должен начинаться с https://", "must be https://")),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() || parsed.host().is_none() {
        return Err(bad(
            "не может содержать учётные данные и должен называть узел",
            "may carry no credentials and must name a host",
        ));
    }
    Ok(parsed.to_string())
}

/// Registers a webhook for the API key's subject: it receives the events after now.
pub async fn register(
    state: &AppState,
    key: &ApiKey,
    address: Option<&str>,
    url: &str,
) -> ApiResult<Webhook> {
    let url = check_url(state, url)?;
    let w = Webhook {
        id: Uuid::now_v7(),
        api_key: key.id,
        subject_inn: key.subject_inn.clone(),
        url,
        created_at: OffsetDateTime::now_utc(),
        disabled_at: None,
        delivered_upto: 0,
        attempts: 0,
        next_attempt_at: None,
    };
    let mut audit = accounts::audit(Actor::ApiKey(key.id), None, "webhook.register", address);
    audit.target = Some(format!("webhook:{}", w.id));
    audit.detail = Some(json!({ "url": w.url }));
    let max = state.config.webhooks.max_per_key;
    state
        .store
        .add_webhook(&w, max, &audit)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict(format!(
                "у ключа уже {max} вебхуков — отключите один / this key has {max} webhooks already: disable one"
            ))
        })
}

pub async fn list(state: &AppState, key: &ApiKey) -> ApiResult<Vec<Webhook>> {
    Ok(state.store.webhooks_of(key.id).await?)
}

/// Disables a webhook of the key (404 for another key's or one disabled already).
pub async fn disable(
    state: &AppState,
    key: &ApiKey,
    address: Option<&str>,
    id: Uuid,
) -> ApiResult<()> {
    let mut audit = accounts::audit(Actor::ApiKey(key.id), None, "webhook.disable", address);
    audit.target = Some(format!("webhook:{id}"));
    let done = state
        .store
        .disable_webhook(key.id, id, OffsetDateTime::now_utc(), &audit)
        .await?;
    if done {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// A webhook's delivery log, newest first (404 for another key's webhook).
pub async fn deliveries(
    state: &AppState,
    key: &ApiKey,
    id: Uuid,
    before: Option<i64>,
    limit: u32,
) -> ApiResult<Vec<Delivery>> {
    if !state
        .store
        .webhooks_of(key.id)
        .await?
        .iter()
        .any(|w| w.id == id)
    {
        return Err(ApiError::NotFound);
    }
    Ok(state.store.deliveries(id, before, limit).await?)
}

/// The body of an event's delivery.
fn payload(due: &Due) -> Vec<u8> {
    let e = &due.event;
    let mut data = e.data.clone();
    if let Some(m) = data.as_object_mut() {
        m.insert("cursor".into(), json!(e.id.to_string()));
        if let Some(r) = e.record {
            m.insert("record".into(), json!(r));
        }
    }
    let at =
        e.at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
    serde_json::to_vec(&json!({ "type": e.kind, "timestamp": at, "data": data }))
        .unwrap_or_default()
}

/// One attempt at a due webhook's next event: what it came to.
async fn attempt(state: &AppState, http: &reqwest::Client, due: &Due) -> Attempted {
    let body = payload(due);
    let id = format!("evt_{}", due.event.id);
    let now = OffsetDateTime::now_utc();
    let started = Instant::now();
    let signature = webhook::sign(&state.server.key, &id, now.unix_timestamp(), &body);
    let result = match signature {
        Err(e) => Err(e.to_string()),
        Ok(sig) => http
            .post(&due.webhook.url)
            .header(webhook::ID_HEADER, &id)
            .header(webhook::TIMESTAMP_HEADER, now.unix_timestamp().to_string())
            .header(webhook::SIGNATURE_HEADER, sig)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .map_err(|e| {
                if e.is_timeout() {
                    "нет ответа в срок / timed out".to_owned()
                } else if e.is_connect() {
                    "не удалось соединиться / could not connect".to_owned()
                } else {
                    "ошибка запроса / request failed".to_owned()
                }
            }),
    };
    let attempt = due.webhook.attempts + 1;
    let (status, error) = match result {
        Ok(s) => (Some(s), None),
        Err(e) => (None, Some(e)),
    };
    let delivered = status.is_some_and(|s| (200..300).contains(&s));
    let waits = &state.config.webhooks.retry_seconds;
    let (outcome, next) = if delivered {
        (Outcome::Delivered, None)
    } else {
        match waits.get(due.webhook.attempts as usize) {
            Some(wait) => (Outcome::Retry, Some(now + Duration::from_secs(*wait))),
            None => (Outcome::GivenUp, None),
        }
    };
    Attempted {
        webhook: due.webhook.id,
        event: due.event.id,
        attempt,
        at: now,
        outcome,
        http_status: status,
        error: error
            .or_else(|| (!delivered).then(|| "ответ не 2xx / the answer was not 2xx".to_owned())),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        next_attempt_at: next,
    }
}

/// The delivery client: no redirects, the configured timeout.
pub fn client(state: &AppState) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(state.config.webhooks.timeout_seconds))
        .build()
        .unwrap_or_default()
}

/// Makes one attempt at every webhook due now (at most 50); how many were attempted.
pub async fn deliver_due(state: &AppState, http: &reqwest::Client) -> ApiResult<usize> {
    let due = state
        .store
        .due_webhooks(OffsetDateTime::now_utc(), 50)
        .await?;
    for d in &due {
        let a = attempt(state, http, d).await;
        state.store.record_attempt(&a).await?;
    }
    Ok(due.len())
}

/// The delivery task: attempts what is due, then waits a second when nothing was.
pub fn spawn(state: &AppState) {
    if !state.config.webhooks.deliver {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        let http = client(&state);
        loop {
            match deliver_due(&state, &http).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook delivery"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}
