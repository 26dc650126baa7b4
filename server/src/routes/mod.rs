//! The HTTP API under `/api/v1`. Handlers only translate between HTTP and the services.

mod accounts;
mod audit;
mod business_keys;
mod declarations;
mod devices;
mod field;
mod filing_views;
mod filings;
mod inspections;
mod log;
mod ops;
mod paging;
mod plans;
mod projected;
mod records;
mod registry;
mod review;
mod risk;
mod sync;
mod tus;
mod uploads;
mod users;
mod webhooks;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::middleware;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::state::AppState;

/// Every operation may answer with these problem documents (RFC 9457, `application/problem+json`):
/// they are added to each operation here rather than repeated on every handler.
fn add_problem_responses(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |why: &str| {
        ResponseBuilder::new()
            .description(why)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    let common = [
        ("400", "the request is malformed"),
        ("401", "no valid credentials"),
        ("403", "the caller's role does not allow it"),
        ("404", "not found, or not visible to the caller"),
        ("413", "the body is too large"),
        ("422", "well-formed, but refused"),
        ("429", "too many attempts"),
        ("500", "internal error"),
        ("503", "the database is not available"),
    ];
    for item in openapi.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            // Problems documented by handlers keep their description, with the right media type.
            for (code, resp) in op.responses.responses.iter_mut() {
                if code.as_str() >= "400" {
                    if let utoipa::openapi::RefOr::T(r) = resp {
                        if let Some(json) = r.content.shift_remove("application/json") {
                            r.content
                                .insert("application/problem+json".to_owned(), json);
                        }
                    }
                }
            }
            for (code, why) in common {
                op.responses
                    .responses
                    .entry(code.to_owned())
                    .or_insert_with(|| problem(why).into());
            }
        }
    }
}

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
        (name = "registry", description = "Control types, subjects and control objects"),
        (name = "inspections", description = "Inspections (КНМ): planning, assignment, status"),
        (name = "planning", description = "Risk categories, risk indicators and the annual plan"),
        (name = "business", description = "The API of controlled persons"),
        (name = "filings", description = "Objections and pre-trial appeals: the agency's inbox and decisions"),
        (name = "uploads", description = "Resumable photo uploads (tus 1.0) and blob downloads"),
        (name = "ops", description = "Health and metrics"),
    )
)]
struct ApiDoc;

/// Answers 413 to a body declared larger than `limit` without handing it to the handler, and reads
/// (and discards) what the client keeps sending, up to a bound: closing a connection with unread
/// data resets it, and the client would see a broken connection instead of the 413.
async fn refuse_oversized(
    axum::extract::State(limit): axum::extract::State<usize>,
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    use http_body_util::BodyExt as _;
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(len) if len > limit => {
            let mut body = req.into_body();
            let cap = len.min(limit.saturating_mul(4).max(8 << 20));
            let drain = async {
                let mut read = 0usize;
                while read < cap {
                    match body.frame().await {
                        Some(Ok(frame)) => read += frame.data_ref().map_or(0, |d| d.len()),
                        _ => break,
                    }
                }
            };
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), drain).await;
            ApiError::PayloadTooLarge.into_response()
        }
        _ => next.run(req).await,
    }
}

/// The API router and its OpenAPI description, built together so that every route is documented.
fn api(state: &AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let limits = &state.config.limits;
    let push = OpenApiRouter::new()
        .routes(utoipa_axum::routes!(sync::push))
        .routes(utoipa_axum::routes!(registry::import_subjects))
        .routes(utoipa_axum::routes!(registry::import_objects))
        .routes(utoipa_axum::routes!(risk::import_events))
        .layer(DefaultBodyLimit::max(limits.max_push_bytes))
        .layer(middleware::from_fn_with_state(
            limits.max_push_bytes,
            refuse_oversized,
        ));
    let rest = OpenApiRouter::new()
        .routes(utoipa_axum::routes!(accounts::login))
        .routes(utoipa_axum::routes!(accounts::logout))
        .routes(utoipa_axum::routes!(accounts::me))
        .routes(utoipa_axum::routes!(
            accounts::list_users,
            accounts::create_user
        ))
        .routes(utoipa_axum::routes!(accounts::get_user))
        .routes(utoipa_axum::routes!(users::set_role))
        .routes(utoipa_axum::routes!(users::disable))
        .routes(utoipa_axum::routes!(users::enable))
        .routes(utoipa_axum::routes!(users::set_password))
        .routes(utoipa_axum::routes!(accounts::business_me))
        .routes(utoipa_axum::routes!(accounts::business_documents))
        .routes(utoipa_axum::routes!(filings::file_objection))
        .routes(utoipa_axum::routes!(filings::file_appeal))
        .routes(utoipa_axum::routes!(filings::filer_step))
        .routes(utoipa_axum::routes!(filings::business_filings))
        .routes(utoipa_axum::routes!(filings::business_filing))
        .routes(utoipa_axum::routes!(filings::business_events))
        .routes(utoipa_axum::routes!(
            business_keys::register,
            business_keys::list
        ))
        .routes(utoipa_axum::routes!(
            business_keys::get,
            business_keys::revoke
        ))
        .routes(utoipa_axum::routes!(business_keys::file))
        .routes(utoipa_axum::routes!(webhooks::register, webhooks::list))
        .routes(utoipa_axum::routes!(webhooks::disable))
        .routes(utoipa_axum::routes!(webhooks::deliveries))
        .routes(utoipa_axum::routes!(filings::appeals_inbox))
        .routes(utoipa_axum::routes!(filings::objections_inbox))
        .routes(utoipa_axum::routes!(filings::get_appeal))
        .routes(utoipa_axum::routes!(filings::get_objection))
        .routes(utoipa_axum::routes!(filings::appeal_step))
        .routes(utoipa_axum::routes!(filings::decide_objection))
        .routes(utoipa_axum::routes!(declarations::questionnaire))
        .routes(utoipa_axum::routes!(declarations::file_self_assessment))
        .routes(utoipa_axum::routes!(declarations::file_declaration))
        .routes(utoipa_axum::routes!(declarations::declaration_step))
        .routes(utoipa_axum::routes!(declarations::registry))
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
        .routes(utoipa_axum::routes!(records::get_pdf))
        .routes(utoipa_axum::routes!(audit::list))
        .routes(utoipa_axum::routes!(registry::put_control_type))
        .routes(utoipa_axum::routes!(registry::list_control_types))
        .routes(utoipa_axum::routes!(registry::list_subjects))
        .routes(utoipa_axum::routes!(registry::list_objects))
        .routes(utoipa_axum::routes!(registry::put_requirement))
        .routes(utoipa_axum::routes!(registry::list_requirements))
        .routes(utoipa_axum::routes!(
            registry::put_checklist,
            registry::get_checklist
        ))
        .routes(utoipa_axum::routes!(registry::decide_risk))
        .routes(utoipa_axum::routes!(registry::put_subject))
        .routes(utoipa_axum::routes!(registry::put_object))
        .routes(utoipa_axum::routes!(inspections::create, inspections::list))
        .routes(utoipa_axum::routes!(inspections::get, inspections::change))
        .routes(utoipa_axum::routes!(inspections::set_status))
        .routes(utoipa_axum::routes!(field::field))
        .routes(utoipa_axum::routes!(inspections::review_flags))
        .routes(utoipa_axum::routes!(review::resolve))
        .routes(utoipa_axum::routes!(sync::pull))
        .routes(utoipa_axum::routes!(risk::score))
        .routes(utoipa_axum::routes!(risk::proposals))
        .routes(utoipa_axum::routes!(risk::proposal))
        .routes(utoipa_axum::routes!(risk::decide))
        .routes(utoipa_axum::routes!(risk::record_event))
        .routes(utoipa_axum::routes!(risk::triggers))
        .routes(utoipa_axum::routes!(risk::run_indicators))
        .routes(utoipa_axum::routes!(risk::object_risk))
        .routes(utoipa_axum::routes!(risk::get_rules, risk::put_rules))
        .routes(utoipa_axum::routes!(risk::versions))
        .routes(utoipa_axum::routes!(
            plans::get_settings,
            plans::put_settings
        ))
        .routes(utoipa_axum::routes!(plans::absences, plans::set_absence))
        .routes(utoipa_axum::routes!(plans::list, plans::build))
        .routes(utoipa_axum::routes!(plans::get))
        .routes(utoipa_axum::routes!(plans::entries))
        .routes(utoipa_axum::routes!(plans::step))
        .routes(utoipa_axum::routes!(plans::amend, plans::amendments))
        .routes(utoipa_axum::routes!(plans::export))
        .routes(utoipa_axum::routes!(ops::openapi_json))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(middleware::from_fn_with_state(
            limits.max_body_bytes,
            refuse_oversized,
        ));
    let ops = OpenApiRouter::new()
        .routes(utoipa_axum::routes!(ops::healthz))
        .routes(utoipa_axum::routes!(ops::readyz))
        .routes(utoipa_axum::routes!(ops::metrics));
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(push)
        .merge(rest)
        .merge(ops)
        // Uploads stream their bodies to disk under their own limits (blobs.max_file_bytes).
        .merge(uploads::router())
        .split_for_parts();
    // After the merge: the routes' operations exist only now.
    add_problem_responses(&mut doc);
    (router, doc)
}

/// The OpenAPI document (served at `/api/v1/openapi.json`).
pub(crate) fn openapi(state: &AppState) -> utoipa::openapi::OpenApi {
    api(state).1
}

pub(crate) fn router(state: AppState) -> Router {
    let (api, doc) = api(&state);
    let doc = std::sync::Arc::new(doc);
    api.layer(axum::Extension(doc))
        .merge(crate::console::router())
        .fallback(
            |State(state): State<AppState>, req: axum::extract::Request| async move {
                use axum::extract::FromRequestParts as _;
                use axum::response::IntoResponse as _;
                // The API's clients read problem documents; a browser on a page path reads a page.
                if req.uri().path().starts_with("/api/") {
                    return ApiError::NotFound.into_response();
                }
                let (mut parts, _) = req.into_parts();
                let viewer = crate::console::Viewer::from_request_parts(&mut parts, &state).await;
                crate::console::fallback(viewer).await
            },
        )
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .with_state(state)
}
