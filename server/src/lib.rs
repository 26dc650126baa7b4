//! `knd-server`: stores and verifies signed field records, keeps the transparency log, and serves
//! the API and the agency's web console. A library with a thin `main.rs`, so that tests start the
//! real server on `127.0.0.1:0`.

pub mod admin;
pub mod auth;
pub mod client;
pub mod config;
mod console;
pub mod demo;
pub mod error;
pub mod keys;
pub mod model;
mod routes;
mod serve;
pub mod services;
pub mod state;
pub mod store;

use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use knd_shared::DeviceId;
use knd_shared::note::NoteSigner;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use config::Config;

use crate::error::ApiError;
use crate::model::ServerIdentity;
use crate::services::throttle::Throttle;
use crate::state::{AppState, Inner};
use crate::store::ServerChain;

/// The process-wide Prometheus recorder (a recorder can be installed once per process).
fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder was installed first; then metrics go there.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Opens the store, the key and the server's identity: everything the API needs.
pub async fn start(config: Config) -> anyhow::Result<AppState> {
    let key = keys::load_or_create(&config.data_dir)?;
    keys::check_permissions(&config.data_dir)?;
    let store = store::open(&config.database_url())
        .await
        .context("cannot open the database")?;
    let identity = match store.server_identity().await? {
        Some(id) => {
            if id.public_key != key.public_key() {
                bail!(
                    "the server key in {} does not match the database's (it signed the log); \
                     restore the original key file",
                    config.data_dir.display()
                );
            }
            if id.log_origin != config.log_origin {
                bail!(
                    "the log origin is {:?} in the database but {:?} in the configuration",
                    id.log_origin,
                    config.log_origin
                );
            }
            id
        }
        None => {
            let id = ServerIdentity {
                device: DeviceId::new(),
                public_key: key.public_key(),
                log_origin: config.log_origin.clone(),
            };
            store
                .init_server_identity(&id, OffsetDateTime::now_utc())
                .await?;
            id
        }
    };
    let note_signer = NoteSigner::new(&config.log_origin, key.clone())
        .map_err(|e| anyhow::anyhow!("log_origin {:?}: {e}", config.log_origin))?;
    let blobs = services::blobs::open_store(&config).map_err(|e| anyhow::anyhow!(e))?;
    let uploads_dir = config.data_dir.join("uploads");
    let uploads = services::upload_files::UploadFiles::open(uploads_dir.clone())
        .with_context(|| format!("cannot create {}", uploads_dir.display()))?;
    let throttle = Throttle::new(Duration::from_secs(config.auth.failed_login_window_secs));
    let proxies = client::Proxies::from_config(&config.http)?;
    let state = AppState(Arc::new(Inner {
        proxies,
        store,
        server: ServerChain { identity, key },
        note_signer,
        throttle,
        // Generous: an office behind one address may enroll many tablets with typos.
        enroll_throttle: Throttle::new(Duration::from_secs(config.auth.failed_login_window_secs)),
        checkpoint: Mutex::new(None),
        metrics: metrics_handle(),
        calendar: load_calendar(&config.calendar)?,
        zone: match &config.calendar.time_zone {
            Some(name) => knd_shared::calendar::zone::AgencyZone::parse(name)
                .map_err(|e| anyhow::anyhow!("calendar.time_zone: {e}"))?,
            None => knd_shared::calendar::zone::AgencyZone::default(),
        },
        projector: tokio::sync::Mutex::new(()),
        projector_wake: Arc::new(tokio::sync::Notify::new()),
        blobs,
        uploads,
        config,
    }));
    services::projections::spawn(&state);
    services::pull::spawn_pruning(&state);
    services::uploads::spawn_expiry(&state);
    services::plan_purge::spawn(&state);
    services::webhooks::spawn(&state);
    if state.config.planning.daily_indicators {
        services::risk_events::spawn_daily(&state);
    }
    Ok(state)
}

fn load_calendar(c: &config::CalendarConfig) -> anyhow::Result<knd_shared::calendar::Calendar> {
    let mut calendar =
        knd_shared::calendar::Calendar::embedded().allow_provisional(c.allow_provisional);
    if let Some(file) = &c.file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the calendar file {}", file.display()))?;
        let years = calendar
            .load_json(&text)
            .map_err(|e| anyhow::anyhow!("calendar file {}: {e}", file.display()))?;
        tracing::info!(?years, "calendar years loaded from file");
    }
    if let Some(region) = &c.region {
        calendar = calendar
            .with_region(region)
            .map_err(|e| anyhow::anyhow!("calendar.region: {e}"))?;
    }
    Ok(calendar)
}

/// The method as a metric label: the standard ones by name, anything else as `other`. A label
/// is a series kept for the life of the process, so nothing a client makes up may become one.
fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

async fn record_metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("knd_http_requests_total", "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("knd_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    resp
}

fn panic_response(_: Box<dyn std::any::Any + Send>) -> Response {
    ApiError::Internal("a request handler panicked".into()).into_response()
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    routes::router(state)
        .layer(middleware::from_fn(record_metrics))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(panic_response))
        // Every response: no sniffing of media types, no framing by other sites, no addresses
        // leaking in `Referer`; a page that sets its own policy keeps it.
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}

/// The OpenAPI document of the API.
pub fn openapi(state: &AppState) -> utoipa::openapi::OpenApi {
    routes::openapi(state)
}

/// Serves `state` on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let http = state.config.http.clone();
    serve::run(listener, app(state), &http, shutdown).await
}
