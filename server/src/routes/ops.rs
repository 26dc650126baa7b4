use std::sync::Arc;

use axum::Extension;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;

use crate::auth::ClientAddr;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, description = "alive")))]
pub(super) async fn healthz() -> &'static str {
    "ok\n"
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "ops", responses(
    (status = 200, description = "ready"),
    (status = 503, description = "the database does not answer", body = Problem),
))]
pub(super) async fn readyz(State(state): State<AppState>) -> ApiResult<&'static str> {
    state.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        ApiError::Unavailable
    })?;
    Ok("ready\n")
}

/// Prometheus metrics: requests, latencies, records accepted and rejected by reason, log size.
/// Served to the operator only: with `metrics.token` set, to a request bearing it; otherwise to
/// a request from the machine itself.
#[utoipa::path(get, path = "/metrics", tag = "ops", responses(
    (status = 200, description = "Prometheus text format"),
    (status = 403, description = "not the operator", body = Problem),
))]
pub(super) async fn metrics(
    State(state): State<AppState>,
    ClientAddr(peer): ClientAddr,
    headers: HeaderMap,
) -> ApiResult<impl IntoResponse> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    // Through a reverse proxy on this machine the peer is a loopback address for everyone.
    let local = peer
        .as_deref()
        .filter(|_| !crate::client::forwarded(&headers));
    if !operator(state.config.metrics.token.as_deref(), bearer, local) {
        return Err(ApiError::Forbidden(
            "метрики доступны только оператору / metrics are served to the operator only".into(),
        ));
    }
    if let Ok(size) = state.store.log_size().await {
        #[allow(clippy::cast_precision_loss)]
        metrics::gauge!("knd_log_size").set(size as f64);
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    ))
}

/// Whether a `/metrics` request is the operator's: the configured token (compared in constant
/// time), or, with none configured, a loopback peer.
fn operator(token: Option<&str>, bearer: Option<&str>, peer: Option<&str>) -> bool {
    use subtle::ConstantTimeEq as _;
    match token {
        Some(t) => bearer.is_some_and(|b| bool::from(b.trim().as_bytes().ct_eq(t.as_bytes()))),
        None => peer
            .and_then(|p| p.parse::<std::net::IpAddr>().ok())
            .is_some_and(|ip| ip.is_loopback()),
    }
}

#[cfg(test)]
mod tests {
    use super::operator;

    #[test]
    fn metrics_go_to_the_operator_only() {
        assert!(operator(None, None, Some("127.0.0.1")));
        assert!(operator(None, None, Some("::1")));
        assert!(!operator(None, None, Some("10.0.0.7")));
        assert!(!operator(None, None, None));
        assert!(operator(Some("s3cret"), Some("s3cret"), Some("10.0.0.7")));
        assert!(!operator(Some("s3cret"), Some("guess"), Some("127.0.0.1")));
        assert!(!operator(Some("s3cret"), None, Some("127.0.0.1")));
    }
}

/// This API's OpenAPI 3.1 description.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "ops", responses((status = 200, description = "OpenAPI document")))]
pub(super) async fn openapi_json(
    Extension(doc): Extension<Arc<utoipa::openapi::OpenApi>>,
) -> impl IntoResponse {
    axum::Json(doc.as_ref().clone())
}
