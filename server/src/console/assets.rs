//! The console's static files, compiled into the binary (so `knd-server` serves its console
//! alone, offline). Hand-written: no third-party front-end code is shipped.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

const FILES: &[(&str, &str, &str)] = &[
    (
        "console.css",
        "text/css; charset=utf-8",
        include_str!("static/console.css"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_str!("static/console.js"),
    ),
    ("icon.svg", "image/svg+xml", include_str!("static/icon.svg")),
];

pub(super) async fn file(Path(name): Path<String>) -> Response {
    let Some((_, mime, body)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        return super::not_found();
    };
    let mut resp = (StatusCode::OK, *body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    // An hour: a new release's files are picked up within the day's first hour.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    resp
}

/// Browsers ask for `/favicon.ico` whatever the page says.
pub(super) async fn icon() -> Response {
    file(Path("icon.svg".to_owned())).await
}
