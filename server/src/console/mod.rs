//! The agency's web console: server-rendered pages at `/`, in Russian with an English switch.
//!
//! Handlers here translate between HTML and the services, like the API's routes do between
//! JSON and the services: they never call the store, and the policy module decides what each
//! role sees (the navigation only hides what a role may not use). Templates are askama files in
//! `templates/` (checked at compile time), static files in `static/`, all compiled into the
//! binary. Pages work without JavaScript; `static/console.js` only enhances them, under a
//! Content-Security-Policy that allows no inline script or style.
//!
//! Adding a page: a handler module, its template (extending `layout.html`, given a
//! [`chrome::Chrome`]), a route in [`router`], and a line in `chrome::SECTIONS` if it is a
//! section of its own.

mod assets;
mod audit;
mod audit_names;
mod calendar;
mod chart;
mod chrome;
mod devices;
mod documents;
mod evidence;
mod filing;
mod filings;
mod format;
mod i18n;
mod inspection_forms;
mod inspection_new;
mod inspection_view;
mod inspections;
mod login;
mod map;
mod names;
mod object;
mod plan_capacity;
mod plan_entries;
mod plan_entry;
mod plan_forms;
mod plan_names;
mod plan_view;
mod plan_views;
mod planning_absences;
mod planning_settings;
mod plans;
mod registry;
mod registry_forms;
mod registry_import;
mod review;
mod review_names;
mod risk;
mod risk_event;
mod risk_indicators;
mod risk_matrix;
mod risk_model;
mod risk_model_form;
mod risk_model_view;
mod risk_names;
mod risk_object;
mod risk_proposal;
mod session;
mod today;
mod users;
mod verify;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

pub(crate) use session::Viewer;

use crate::state::AppState;

/// What a console page may load: its own scripts, styles and images, nothing inline, nothing
/// from elsewhere; forms post only here; no framing.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

async fn page_headers(req: Request, next: Next) -> Response {
    let static_file = req.uri().path().starts_with("/static/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    // Links within the console keep their origin (browsers then send `Origin` with form posts,
    // which `session::same_origin` checks); nothing leaks to other sites.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !static_file && !h.contains_key(header::CACHE_CONTROL) {
        // Pages show an agency's data: kept out of shared caches and the back-forward cache.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// The console's routes (merged beside the API's).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(today::page_handler))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/lang/{code}", get(login::switch_lang))
        .route("/static/{file}", get(assets::file))
        .route("/favicon.ico", get(assets::icon))
        .merge(registry::routes())
        .merge(inspections::routes())
        .merge(review::routes())
        .merge(devices::routes())
        .merge(audit::routes())
        .merge(users::routes())
        .merge(plans::routes())
        .merge(planning_absences::routes())
        .merge(planning_settings::routes())
        .merge(risk::routes())
        .merge(filings::routes())
        .merge(verify::routes())
        .layer(middleware::from_fn(page_headers))
}

/// The answer to a path that is neither the API's nor a page: an HTML page for a browser.
pub(crate) fn not_found() -> Response {
    use axum::response::IntoResponse as _;
    chrome::Failure::Api(crate::error::ApiError::NotFound).into_response()
}

/// A path that is no page: to the login page when not signed in (which pages exist is not
/// told to strangers), else "not found".
pub(crate) async fn fallback(viewer: Result<session::Viewer, chrome::Failure>) -> Response {
    use axum::response::IntoResponse as _;
    match viewer {
        Ok(_) => not_found(),
        Err(sign_in) => sign_in.into_response(),
    }
}
