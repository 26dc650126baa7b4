//! The HTTP API under `/api/v1`. Handlers only translate between HTTP and the services.

mod accounts;
mod audit;
mod devices;
mod log;
mod ops;
mod records;
mod sync;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::state::AppState;

/// The three kinds of credentials, each a bearer token with its own prefix.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let bearer = |what: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(what.to_owned()))
                    .build(),
            )
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            bearer("a console session token (kss_...) from POST /api/v1/auth/login; the console sends the knd_session cookie instead"),
        );
        components.add_security_scheme(
            "device_token",
            bearer("a device token (kdt_...) from enrollment"),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "x-api-key",
                "a business API key (kak_...); also accepted as a bearer token",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    modifiers(&Security),
    info(
        title = "KND inspector toolkit API",
        description = "State control and oversight under 248-FZ: signed field records, the transparency log, \
                       agencies, users and devices. Errors are RFC 9457 problem documents.",
    ),
    tags(
        (name = "auth", description = "Console sessions"),
        (name = "accounts", description = "Users of an agency"),
        (name = "devices", description = "Enrollment and management of field devices"),
        (name = "sync", description = "Field devices push signed records"),
        (name = "log", description = "The transparency log: checkpoints and proofs"),
        (name = "records", description = "Stored records and their evidence bundles"),
        (name = "audit", description = "Who changed what"),
        (name = "business", description = "The API of controlled persons"),
        (name = "ops", description = "Health and metrics"),
    )
)]
struct ApiDoc;

/// The API router and its OpenAPI description, built together so that every route is documented.
fn api(state: &AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let limits = &state.config.limits;
    let push = OpenApiRouter::new()
        .routes(utoipa_axum::routes!(sync::push))
        .layer(DefaultBodyLimit::max(limits.max_push_bytes));
    let rest = OpenApiRouter::new()
        .routes(utoipa_axum::routes!(accounts::login))
        .routes(utoipa_axum::routes!(accounts::logout))
        .routes(utoipa_axum::routes!(accounts::me))
        .routes(utoipa_axum::routes!(
            accounts::list_users,
            accounts::create_user
        ))
        .routes(utoipa_axum::routes!(accounts::get_user))
        .routes(utoipa_axum::routes!(accounts::business_me))
        .routes(utoipa_axum::routes!(devices::create_enrollment_code))
        .routes(utoipa_axum::routes!(devices::enroll))
        .routes(utoipa_axum::routes!(devices::list_devices))
        .routes(utoipa_axum::routes!(devices::get_device))
        .routes(utoipa_axum::routes!(devices::revoke_device))
        .routes(utoipa_axum::routes!(log::info))
        .routes(utoipa_axum::routes!(log::checkpoint))
        .routes(utoipa_axum::routes!(log::inclusion))
        .routes(utoipa_axum::routes!(log::consistency))
        .routes(utoipa_axum::routes!(records::get_record))
        .routes(utoipa_axum::routes!(records::get_bundle))
        .routes(utoipa_axum::routes!(audit::list))
        .routes(utoipa_axum::routes!(ops::openapi_json))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes));
    let ops = OpenApiRouter::new()
        .routes(utoipa_axum::routes!(ops::healthz))
        .routes(utoipa_axum::routes!(ops::readyz))
        .routes(utoipa_axum::routes!(ops::metrics));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(push)
        .merge(rest)
        .merge(ops)
        .split_for_parts()
}

/// The OpenAPI document (served at `/api/v1/openapi.json`).
pub(crate) fn openapi(state: &AppState) -> utoipa::openapi::OpenApi {
    api(state).1
}

pub(crate) fn router(state: AppState) -> Router {
    let (api, doc) = api(&state);
    let doc = std::sync::Arc::new(doc);
    api.layer(axum::Extension(doc))
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async {
            ApiError::BadRequest("method not allowed on this path".into())
        })
        .with_state(state)
}
