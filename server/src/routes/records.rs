use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::IntoResponse;
use knd_shared::RecordId;

use crate::auth::{Business, Caller, DeviceCaller};
use crate::error::{ApiError, ApiResult, Json, Path, Problem};
use crate::model::StoredRecord;
use crate::services::policy::RecordReader;
use crate::services::{records, transparency};
use crate::state::AppState;

/// A reader of records: a console user of the record's agency (inspectors: their devices'
/// records only), the device that signed it, or the business a warning, act or order is
/// addressed to.
pub(super) enum Reader {
    User(Caller),
    Device(Box<DeviceCaller>),
    Business(Business),
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Ok(d) = DeviceCaller::from_request_parts(parts, state).await {
            return Ok(Reader::Device(Box::new(d)));
        }
        if let Ok(b) = Business::from_request_parts(parts, state).await {
            return Ok(Reader::Business(b));
        }
        Caller::from_request_parts(parts, state)
            .await
            .map(Reader::User)
    }
}

async fn visible(state: &AppState, reader: &Reader, id: RecordId) -> ApiResult<StoredRecord> {
    let (who, address) = match reader {
        Reader::User(c) => (RecordReader::User(&c.user), c.address.as_deref()),
        Reader::Device(d) => (RecordReader::Device(&d.0), None),
        Reader::Business(Business(key)) => (RecordReader::Business(key), None),
    };
    records::read(state, who, address, id).await
}

/// A record exactly as the device sent it.
#[utoipa::path(get, path = "/api/v1/records/{id}", tag = "records", security(("session" = []), ("device_token" = []), ("api_key" = [])), params(("id" = uuid::Uuid, Path)), responses(
    (status = 200, content_type = "application/json", description = "the record's bytes as received"),
    (status = 404, body = Problem),
))]
pub(super) async fn get_record(
    State(state): State<AppState>,
    reader: Reader,
    Path(id): Path<RecordId>,
) -> ApiResult<impl IntoResponse> {
    let record = visible(&state, &reader, id).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], record.bytes))
}

/// The record with its receipt, inclusion proof, checkpoint and the server's enrollment of its
/// device: checkable offline with `knd verify bundle FILE --log-key KEY`.
#[utoipa::path(get, path = "/api/v1/records/{id}/bundle", tag = "records", security(("session" = []), ("device_token" = []), ("api_key" = [])), params(("id" = uuid::Uuid, Path)), responses(
    (status = 200, description = "an evidence bundle"), (status = 404, body = Problem),
))]
pub(super) async fn get_bundle(
    State(state): State<AppState>,
    reader: Reader,
    Path(id): Path<RecordId>,
) -> ApiResult<impl IntoResponse> {
    let record = visible(&state, &reader, id).await?;
    let bundle = transparency::bundle(&state, &record).await?;
    Ok(Json(bundle))
}

/// A document as PDF (an act, a warning, an order, or the agency's decision on a filing), with a
/// QR code of its public verification page; 404 for a record that is not a document.
#[utoipa::path(get, path = "/api/v1/records/{id}/pdf", tag = "records", security(("session" = []), ("device_token" = []), ("api_key" = [])), params(("id" = uuid::Uuid, Path)), responses(
    (status = 200, content_type = "application/pdf", description = "the document"),
    (status = 404, body = Problem),
))]
pub(super) async fn get_pdf(
    State(state): State<AppState>,
    reader: Reader,
    Path(id): Path<RecordId>,
) -> ApiResult<impl IntoResponse> {
    let record = visible(&state, &reader, id).await?;
    let pdf = crate::services::document_pdf::render(&state, &record).await?;
    let disposition = format!("inline; filename=\"{id}.pdf\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    ))
}
