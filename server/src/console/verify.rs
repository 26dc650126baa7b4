//! The public page that checks a document, without signing in: the link in a PDF's QR code
//! (`/verify/{record}?sha256=...`), and a form to check an evidence bundle file. What it says
//! comes from `services/verification.rs`: the signature, the receipt and the inclusion in the
//! current checkpoint, the record's hash against the link's, the issuer; nothing personal
//! beyond what the document itself carries.

use askama::Template;
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use knd_shared::RecordId;
use serde::Deserialize;

use super::chrome::rendered;
use super::format;
use super::i18n::Lang;
use crate::error::ApiError;
use crate::services::verification::{self, Checked};
use crate::state::AppState;

/// The largest bundle file taken.
const MAX_BUNDLE: usize = 1024 * 1024;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/verify", get(form).post(upload))
        .route("/verify/{id}", get(show))
}

struct Shown {
    kind: &'static str,
    record: String,
    sha256: String,
    signed_at: String,
    received_at: String,
    agency: String,
    subject_inn: Option<String>,
    log_index: u64,
    checkpoint_size: u64,
    verified: bool,
    failure: Option<String>,
    hash_matches: Option<bool>,
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    lang: Lang,
    shown: Option<Shown>,
    /// A verified bundle of something that is not a public document.
    verified_other: bool,
    error: Option<String>,
}

impl VerifyPage {
    fn t<'a>(&self, ru: &'a str, en: &'a str) -> &'a str {
        self.lang.t(ru, en)
    }
}

fn kind_name(lang: Lang, kind: &str) -> &'static str {
    match kind {
        "act" => lang.t("Акт контрольного мероприятия", "Inspection act"),
        "warning" => lang.t("Предостережение", "Warning"),
        "order" => lang.t("Предписание", "Order"),
        "filing_decided" => lang.t("Решение по обращению", "Decision on a filing"),
        "correction" => lang.t("Исправленный документ", "Corrected document"),
        _ => lang.t("Документ", "Document"),
    }
}

fn shown(state: &AppState, lang: Lang, c: Checked) -> Shown {
    Shown {
        kind: kind_name(lang, &c.kind),
        record: c.record.to_string(),
        sha256: c.sha256.to_hex(),
        signed_at: format::device_time(&state.zone, &c.signed_at),
        received_at: format::datetime(&state.zone, c.received_at),
        agency: c.agency.unwrap_or_default(),
        subject_inn: c.subject_inn,
        log_index: c.log_index,
        checkpoint_size: c.checkpoint_size,
        verified: c.verified.is_ok(),
        failure: c.verified.err(),
        hash_matches: c.hash_matches,
    }
}

fn page(status: StatusCode, p: VerifyPage) -> Response {
    rendered(status, &p)
}

async fn form(headers: HeaderMap) -> Response {
    page(
        StatusCode::OK,
        VerifyPage {
            lang: Lang::of(&headers),
            shown: None,
            verified_other: false,
            error: None,
        },
    )
}

#[derive(Debug, Default, Deserialize)]
struct ShowQuery {
    sha256: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Response {
    let lang = Lang::of(&headers);
    let not_found = || {
        page(
            StatusCode::NOT_FOUND,
            VerifyPage {
                lang,
                shown: None,
                verified_other: false,
                error: Some(
                    lang.t(
                        "Такого документа нет: проверьте ссылку или QR-код.",
                        "No such document: check the link or the QR code.",
                    )
                    .to_owned(),
                ),
            },
        )
    };
    let Ok(id) = RecordId::parse(&id) else {
        return not_found();
    };
    match verification::check(&state, id, q.sha256.as_deref()).await {
        Ok(c) => page(
            StatusCode::OK,
            VerifyPage {
                lang,
                shown: Some(shown(&state, lang, c)),
                verified_other: false,
                error: None,
            },
        ),
        Err(ApiError::NotFound) => not_found(),
        Err(e) => axum::response::IntoResponse::into_response(super::chrome::Failure::from(e)),
    }
}

async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let lang = Lang::of(&headers);
    let mut bytes = Vec::new();
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("bundle") {
            match field.bytes().await {
                Ok(b) if b.len() <= MAX_BUNDLE => bytes = b.to_vec(),
                _ => {}
            }
        }
    }
    let (status, shown_doc, other, error) = match verification::check_upload(&state, &bytes).await {
        Ok(Ok(Some(c))) => (StatusCode::OK, Some(shown(&state, lang, c)), false, None),
        Ok(Ok(None)) => (StatusCode::OK, None, true, None),
        Ok(Err(why)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            false,
            Some(format!(
                "{} {why}",
                lang.t("Проверка не пройдена:", "The check failed:")
            )),
        ),
        Err(e) => {
            return axum::response::IntoResponse::into_response(super::chrome::Failure::from(e));
        }
    };
    page(
        status,
        VerifyPage {
            lang,
            shown: shown_doc,
            verified_other: other,
            error,
        },
    )
}
