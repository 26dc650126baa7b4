//! Photo uploads over tus 1.0 (core + creation + termination) and blob downloads; a business
//! uploads its filings' attachments the same way with its API key.
//!
//! A device creates an upload with the file's size and SHA-256, sends its bytes in PATCH requests,
//! and after a dropped connection asks (HEAD) where to continue. When the creation answers with
//! `Upload-Offset` equal to `Upload-Length` (200, `Location` naming the blob), the blob is already
//! stored and nothing is to be sent. A complete upload whose bytes do not hash to the declared
//! SHA-256 is answered 422 `urn:knd:problem:checksum-mismatch` and discarded.

use axum::body::{Body, BodyDataStream};
use axum::extract::{FromRequestParts, State};
use axum::http::header::{self, AUTHORIZATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use knd_shared::{AgencyId, Sha256};
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use super::tus::{self, UPLOAD_LENGTH, UPLOAD_OFFSET};
use crate::auth::{Business, Caller, ClientAddr, DeviceCaller};
use crate::error::{ApiError, ApiResult, Path, Problem};
use crate::model::{ApiKey, Device};
use crate::services::tokens::TokenKind;
use crate::services::uploads::{self, Client, Created, NewUpload};
use crate::services::{blobs, policy};
use crate::state::AppState;

/// The tus routes and the blob download. Upload bodies are streamed to disk and bounded by
/// `blobs.max_file_bytes` and the upload's own length, not by the generic body limit.
pub(super) fn router() -> OpenApiRouter<AppState> {
    let tus = OpenApiRouter::new()
        .routes(utoipa_axum::routes!(discover, create))
        .routes(utoipa_axum::routes!(head, patch, delete))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(middleware::from_fn(tus::protocol));
    let download = OpenApiRouter::new().routes(utoipa_axum::routes!(get_blob));
    tus.merge(download)
}

fn header_value(v: impl ToString) -> ApiResult<HeaderValue> {
    HeaderValue::from_str(&v.to_string()).map_err(|e| ApiError::Internal(e.to_string()))
}

/// tus discovery: the version, extensions and largest file this server takes.
#[utoipa::path(options, path = "/api/v1/uploads", tag = "uploads", responses(
    (status = 204, description = "what this tus server supports", headers(
        ("Tus-Resumable" = String, description = "1.0.0"),
        ("Tus-Version" = String, description = "1.0.0"),
        ("Tus-Extension" = String, description = "creation,termination,expiration"),
        ("Tus-Max-Size" = u64, description = "the largest Upload-Length accepted, in bytes"),
    )),
))]
pub(super) async fn discover(State(state): State<AppState>) -> ApiResult<Response> {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    h.insert(tus::TUS_VERSION, HeaderValue::from_static(tus::VERSION));
    h.insert(
        tus::TUS_EXTENSION,
        HeaderValue::from_static(tus::EXTENSIONS),
    );
    h.insert(
        tus::TUS_MAX_SIZE,
        header_value(state.config.blobs.max_file_bytes)?,
    );
    Ok(resp)
}

/// Creates an upload (tus creation). `Upload-Metadata` must carry `sha256` (the file's SHA-256,
/// lowercase hex) and may carry `mime` and `filename`. A file already stored completes at once:
/// 200 with `Upload-Offset` = `Upload-Length` and `Location` naming the blob.
#[utoipa::path(post, path = "/api/v1/uploads", tag = "uploads", security(("device_token" = []), ("api_key" = [])),
    params(
        ("Tus-Resumable" = String, Header, description = "1.0.0"),
        ("Upload-Length" = u64, Header, description = "the file's size in bytes"),
        ("Upload-Metadata" = String, Header, description = "tus metadata: `sha256` (required), `mime`, `filename`, each base64"),
    ),
    responses(
        (status = 201, description = "send the bytes to Location", headers(
            ("Location" = String, description = "/api/v1/uploads/{id}"),
            ("Upload-Offset" = u64, description = "0"),
        )),
        (status = 200, description = "the blob is already stored: nothing to send", headers(
            ("Location" = String, description = "/api/v1/blobs/{sha256}"),
            ("Upload-Offset" = u64, description = "equal to Upload-Length"),
        )),
        (status = 412, description = "Tus-Resumable missing or not 1.0.0", body = Problem),
        (status = 413, description = "Upload-Length is over blobs.max_file_bytes", body = Problem),
        (status = 422, description = "a blob with this SHA-256 is stored with another size", body = Problem),
        (status = 429, description = "the device has as many unfinished uploads as it may", body = Problem),
    ))]
pub(super) async fn create(
    State(state): State<AppState>,
    who: Uploader,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if headers.contains_key(tus::UPLOAD_DEFER_LENGTH) {
        return Err(ApiError::BadRequest(
            "Upload-Defer-Length is not supported: send Upload-Length".into(),
        ));
    }
    let length = tus::number(&headers, &UPLOAD_LENGTH)?
        .ok_or_else(|| ApiError::BadRequest("Upload-Length is required".into()))?;
    let meta = tus::metadata(&headers)?;
    let sha256 = tus::text(&meta, "sha256")?
        .ok_or_else(|| ApiError::BadRequest("Upload-Metadata must carry sha256".into()))?;
    let sha256 = Sha256::parse(&sha256)
        .map_err(|_| ApiError::BadRequest("sha256 must be 64 lowercase hex characters".into()))?;
    let new = NewUpload {
        length,
        sha256,
        mime: tus::text(&meta, "mime")?,
        filename: tus::text(&meta, "filename")?,
    };
    let created = uploads::create(&state, who.client(), address.as_deref(), new).await?;
    let (status, location, offset, expires) = match created {
        Created::Started { id, expires } => (
            StatusCode::CREATED,
            format!("/api/v1/uploads/{id}"),
            0,
            Some(expires),
        ),
        Created::AlreadyStored => (
            StatusCode::OK,
            format!("/api/v1/blobs/{sha256}"),
            length,
            None,
        ),
    };
    let mut resp = status.into_response();
    let h = resp.headers_mut();
    if let Some(at) = expires {
        h.insert(
            tus::UPLOAD_EXPIRES,
            header_value(httpdate::fmt_http_date(at))?,
        );
    }
    h.insert(header::LOCATION, header_value(location)?);
    h.insert(UPLOAD_OFFSET, header_value(offset)?);
    h.insert(UPLOAD_LENGTH, header_value(length)?);
    Ok(resp)
}

fn progress_response(status: StatusCode, p: uploads::Progress) -> ApiResult<Response> {
    let mut resp = status.into_response();
    let h = resp.headers_mut();
    h.insert(UPLOAD_OFFSET, header_value(p.offset)?);
    h.insert(UPLOAD_LENGTH, header_value(p.length)?);
    if let Some(at) = p.expires {
        h.insert(
            tus::UPLOAD_EXPIRES,
            header_value(httpdate::fmt_http_date(at))?,
        );
    }
    // tus 1.0 core: the offset must not be cached.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

/// Where an upload stands, e.g. after a dropped connection: continue from `Upload-Offset`.
/// Only the device that created the upload sees it.
#[utoipa::path(head, path = "/api/v1/uploads/{id}", tag = "uploads", security(("device_token" = []), ("api_key" = [])),
    params(("id" = Uuid, Path), ("Tus-Resumable" = String, Header, description = "1.0.0")),
    responses(
        (status = 200, description = "the upload's offset and length", headers(
            ("Upload-Offset" = u64), ("Upload-Length" = u64), ("Cache-Control" = String, description = "no-store"),
        )),
        (status = 404, description = "no such upload of this device (or it is finished)"),
    ))]
pub(super) async fn head(
    State(state): State<AppState>,
    who: Uploader,
    ClientAddr(address): ClientAddr,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    let p = uploads::progress(&state, who.client(), address.as_deref(), id).await?;
    progress_response(StatusCode::OK, p)
}

/// Appends bytes at `Upload-Offset`, which must be the upload's offset. The last byte completes
/// the upload: its size and SHA-256 are checked and the blob is stored before the answer.
#[utoipa::path(patch, path = "/api/v1/uploads/{id}", tag = "uploads", security(("device_token" = []), ("api_key" = [])),
    params(
        ("id" = Uuid, Path),
        ("Tus-Resumable" = String, Header, description = "1.0.0"),
        ("Upload-Offset" = u64, Header, description = "the upload's current offset"),
    ),
    request_body(content = String, content_type = "application/offset+octet-stream", description = "the next bytes of the file"),
    responses(
        (status = 204, description = "the bytes are on disk", headers(("Upload-Offset" = u64))),
        (status = 404, description = "no such upload of this device (or it is finished)", body = Problem),
        (status = 409, description = "Upload-Offset is not the upload's offset", body = Problem),
        (status = 413, description = "the body would pass Upload-Length", body = Problem),
        (status = 415, description = "Content-Type is not application/offset+octet-stream", body = Problem),
        (status = 422, description = "the complete file does not match its SHA-256: discarded", body = Problem),
    ))]
pub(super) async fn patch(
    State(state): State<AppState>,
    who: Result<Uploader, ApiError>,
    ClientAddr(address): ClientAddr,
    id: Result<Path<Uuid>, ApiError>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Response> {
    let mut body = body.into_data_stream();
    let result = append(&state, who, address, id, &headers, &mut body).await;
    if result.is_err() {
        tus::drain_later(&headers, body, tus::DRAIN_CAP);
    }
    result
}

async fn append(
    state: &AppState,
    who: Result<Uploader, ApiError>,
    address: Option<String>,
    id: Result<Path<Uuid>, ApiError>,
    headers: &HeaderMap,
    body: &mut BodyDataStream,
) -> ApiResult<Response> {
    let (who, Path(id)) = (who?, id?);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type != tus::OFFSET_OCTET_STREAM {
        return Err(ApiError::UnsupportedMediaType(format!(
            "a PATCH body must be Content-Type: {}",
            tus::OFFSET_OCTET_STREAM
        )));
    }
    let offset = tus::number(headers, &UPLOAD_OFFSET)?
        .ok_or_else(|| ApiError::BadRequest("Upload-Offset is required".into()))?;
    let declared = tus::number(headers, &header::CONTENT_LENGTH)?;
    let p = uploads::append(
        state,
        who.client(),
        address.as_deref(),
        id,
        offset,
        declared,
        body,
    )
    .await?;
    progress_response(StatusCode::NO_CONTENT, p)
}

/// Abandons an upload (tus termination) and deletes its bytes.
#[utoipa::path(delete, path = "/api/v1/uploads/{id}", tag = "uploads", security(("device_token" = []), ("api_key" = [])),
    params(("id" = Uuid, Path), ("Tus-Resumable" = String, Header, description = "1.0.0")),
    responses((status = 204, description = "deleted")))]
pub(super) async fn delete(
    State(state): State<AppState>,
    who: Uploader,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    uploads::delete(&state, who.client(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What kind of token the request's bearer credential is, if any.
fn bearer_kind(parts: &Parts) -> Option<TokenKind> {
    parts
        .headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .and_then(TokenKind::of)
}

/// Whether the request carries a business's API key (as a bearer token or `X-API-Key`).
fn has_api_key(parts: &Parts) -> bool {
    bearer_kind(parts) == Some(TokenKind::ApiKey) || parts.headers.contains_key("x-api-key")
}

/// Who uploads: a device by its token, or a business by its API key.
pub(super) enum Uploader {
    Device(Box<Device>),
    Business(ApiKey),
}

impl Uploader {
    fn client(&self) -> Client<'_> {
        match self {
            Uploader::Device(d) => Client::Device(d),
            Uploader::Business(k) => Client::Business(k),
        }
    }
}

impl FromRequestParts<AppState> for Uploader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if has_api_key(parts) {
            let Business(key) = Business::from_request_parts(parts, state).await?;
            return Ok(Uploader::Business(key));
        }
        let DeviceCaller(device) = DeviceCaller::from_request_parts(parts, state).await?;
        Ok(Uploader::Device(Box::new(device)))
    }
}

/// Who reads a blob: a device or a console user, on behalf of their agency; or a business, which
/// reads only what it uploaded itself.
pub(super) enum Reader {
    Agency(AgencyId),
    Business(String),
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if has_api_key(parts) {
            let Business(key) = Business::from_request_parts(parts, state).await?;
            return Ok(Reader::Business(key.subject_inn));
        }
        if bearer_kind(parts) == Some(TokenKind::Device) {
            let DeviceCaller(device) = DeviceCaller::from_request_parts(parts, state).await?;
            return match device.agency {
                // The server's own chain reads no blobs: nothing to find for it.
                None => Err(ApiError::NotFound),
                Some(_) => Ok(Reader::Agency(policy::working_device(&device)?.0)),
            };
        }
        let caller = Caller::from_request_parts(parts, state).await?;
        Ok(Reader::Agency(caller.user.agency))
    }
}

/// A blob's bytes, to a device or console user of an agency that uploaded it or received a
/// filing carrying it, or to the business that uploaded it; anyone else gets 404, as for a blob
/// that does not exist.
#[utoipa::path(get, path = "/api/v1/blobs/{sha256}", tag = "uploads",
    security(("device_token" = []), ("session" = []), ("api_key" = [])),
    params(("sha256" = String, Path, description = "the blob's SHA-256, lowercase hex")),
    responses(
        (status = 200, description = "the bytes, with the media type given at upload", content_type = "application/octet-stream", body = String, headers(
            ("ETag" = String, description = "the SHA-256, quoted"),
            ("Cache-Control" = String, description = "private, immutable"),
        )),
        (status = 304, description = "If-None-Match named this blob"),
        (status = 404, description = "no such blob, or not visible to the caller", body = Problem),
    ))]
pub(super) async fn get_blob(
    State(state): State<AppState>,
    reader: Reader,
    Path(sha256): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let sha256 = Sha256::parse(&sha256).map_err(|_| ApiError::NotFound)?;
    let etag = format!("\"{sha256}\"");
    let blob = match reader {
        Reader::Agency(agency) => blobs::visible(&state, agency, &sha256).await?,
        Reader::Business(inn) => blobs::visible_to_business(&state, &inn, &sha256).await?,
    };
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut resp = if cached {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let bytes = blobs::bytes(&state, &blob).await?;
        let mut resp = Body::from_stream(bytes).into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_LENGTH, header_value(blob.size)?);
        h.insert(header::CONTENT_TYPE, header_value(&blob.mime)?);
        resp
    };
    let h = resp.headers_mut();
    h.insert(header::ETAG, header_value(etag)?);
    // Content-addressed: the bytes under this name never change.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    // The media type came from a device: never let a browser run it as a page.
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(resp)
}
