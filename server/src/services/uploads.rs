//! Resumable uploads of photos (the domain side of tus 1.0, DESIGN.md section 5 "Blobs"): a device
//! declares a file's size and SHA-256, sends its bytes in as many requests as its connection
//! allows, and the server stores the blob once the bytes are all there and hash right. A
//! business uploads the files its filings carry the same way, with its API key.
//!
//! - A blob already stored is not uploaded again by an agency that may already read it (it
//!   uploaded it before): creating the upload completes at once.
//!   Any other agency sends the bytes like a new upload, so knowing a hash never opens a photo.
//! - A mismatch of size or hash discards the upload: nothing reaches the object store or the
//!   database.
//! - A device (or a business's API key) holds at most `blobs.max_uploads_per_device` unfinished
//!   uploads; a file may not be larger than `blobs.max_file_bytes`.
//! - An upload no byte reached for `blobs.upload_expiry_hours` expires (tus `expiration`): it is
//!   deleted by the hourly sweep or when next touched, and answers 404 (the app starts again).

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _};
use knd_shared::Sha256;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::model::{ApiKey, Blob, BlobUploader, Device};
use crate::services::accounts;
use crate::services::blobs;
use crate::services::upload_files::{self, Held, PartWriter, UploadInfo, UploadOwner, UploadPaths};
use crate::state::AppState;

/// What a device declares when it starts an upload.
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub length: u64,
    pub sha256: Sha256,
    pub mime: Option<String>,
    pub filename: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// Send the bytes to this upload, before it expires unless a byte arrives.
    Started { id: Uuid, expires: SystemTime },
    /// The blob is already stored; nothing to send.
    AlreadyStored,
}

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub offset: u64,
    pub length: u64,
    /// When an unfinished upload expires unless another byte arrives (tus `expiration`).
    pub expires: Option<SystemTime>,
}

/// How long an unfinished upload lives without a byte arriving.
fn ttl(state: &AppState) -> Duration {
    Duration::from_secs(state.config.blobs.upload_expiry_hours.saturating_mul(3600))
}

/// The progress of `info`'s upload at `offset`, with its expiry while unfinished.
async fn progress_of(
    state: &AppState,
    paths: &UploadPaths,
    info: &UploadInfo,
    offset: u64,
) -> ApiResult<Progress> {
    let expires = if offset < info.length {
        Some(upload_files::last_active(paths).await? + ttl(state))
    } else {
        None
    };
    Ok(Progress {
        offset,
        length: info.length,
        expires,
    })
}

/// Deletes the uploads no byte reached for `blobs.upload_expiry_hours`, every hour.
pub fn spawn_expiry(state: &AppState) {
    let weak = std::sync::Arc::downgrade(&state.0);
    tokio::spawn(async move {
        loop {
            let Some(inner) = weak.upgrade() else { return };
            let state = AppState(inner);
            match state.uploads.expire(None, ttl(&state)).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(expired = n, "unfinished uploads expired"),
                Err(e) => tracing::error!(error = %e, "expiring uploads failed"),
            }
            drop(state);
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
}

fn refused(reason: &'static str) {
    metrics::counter!("knd_uploads_total", "outcome" => "refused", "reason" => reason).increment(1);
}

/// Who uploads: a device of an agency (photos), or a business by its API key (the files its
/// filings carry).
#[derive(Debug, Clone, Copy)]
pub enum Client<'a> {
    Device(&'a Device),
    Business(&'a ApiKey),
}

impl Client<'_> {
    /// The uploader the blob will name; a revoked device uploads nothing.
    fn uploader(self) -> ApiResult<BlobUploader> {
        match self {
            Client::Device(device) => {
                let (agency, _) = super::policy::working_device(device)?;
                Ok(BlobUploader::Device {
                    agency,
                    device: device.id,
                })
            }
            Client::Business(key) => Ok(BlobUploader::Business {
                api_key: key.id,
                subject_inn: key.subject_inn.clone(),
            }),
        }
    }

    fn owner(self) -> UploadOwner {
        match self {
            Client::Device(device) => UploadOwner::Device(device.id),
            Client::Business(key) => UploadOwner::Business(key.id),
        }
    }
}

/// Whether the uploader may already read the blob (and so need not send its bytes).
async fn may_read(state: &AppState, by: &BlobUploader, sha256: &Sha256) -> ApiResult<bool> {
    Ok(match by {
        BlobUploader::Device { agency, .. } => state.store.blob_visible(*agency, sha256).await?,
        BlobUploader::Business { subject_inn, .. } => {
            state
                .store
                .business_blob_visible(subject_inn, sha256)
                .await?
        }
    })
}

/// A media type as `type/subtype` in lowercase; anything else is refused rather than served
/// back later as a Content-Type.
fn media_type(mime: Option<&str>) -> ApiResult<String> {
    let Some(mime) = mime.map(str::trim) else {
        return Ok("application/octet-stream".into());
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    match mime.split_once('/') {
        Some((t, s)) if mime.len() <= 127 && token(t) && token(s) => Ok(mime.to_ascii_lowercase()),
        _ => Err(ApiError::Unprocessable(format!(
            "mime {mime:?} is not a media type such as image/jpeg"
        ))),
    }
}

fn file_name(name: Option<String>) -> ApiResult<Option<String>> {
    match name {
        Some(n) if n.chars().count() > 255 || n.chars().any(char::is_control) => {
            Err(ApiError::Unprocessable(
                "filename: at most 255 characters, no control characters".into(),
            ))
        }
        other => Ok(other),
    }
}

fn audit_entry(
    by: &BlobUploader,
    blob: &Blob,
    address: Option<&str>,
    detail: serde_json::Value,
) -> crate::model::AuditEntry {
    let mut entry = accounts::audit(by.actor(), by.agency(), "blob.upload", address);
    entry.target = Some(blob.sha256.to_hex());
    entry.detail = Some(detail);
    entry
}

/// Starts an upload, or completes it at once when the blob is already stored.
pub async fn create(
    state: &AppState,
    client: Client<'_>,
    address: Option<&str>,
    new: NewUpload,
) -> ApiResult<Created> {
    let by = client.uploader()?;
    let max = state.config.blobs.max_file_bytes;
    if new.length > max {
        refused("too_large");
        return Err(ApiError::UploadTooLarge(format!(
            "the file is {} bytes, more than the limit of {max}",
            new.length
        )));
    }
    if new.length == 0 {
        return Err(ApiError::Unprocessable(
            "пустой файл не принимается / an empty file is not accepted".into(),
        ));
    }
    let mime = media_type(new.mime.as_deref())?;
    let filename = file_name(new.filename)?;
    // Deduplication answers at once only to an agency (or business) that may already read the
    // blob: anyone else proves they hold the bytes by sending them (a hash alone must not open a
    // photo).
    let known = match state.store.blob(&new.sha256).await? {
        Some(blob) if may_read(state, &by, &blob.sha256).await? => Some(blob),
        _ => None,
    };
    if let Some(blob) = known {
        if blob.size != new.length {
            refused("size_mismatch");
            return Err(ApiError::ChecksumMismatch(format!(
                "a blob with SHA-256 {} is stored with {} bytes, not {}",
                blob.sha256, blob.size, new.length
            )));
        }
        let audit = audit_entry(
            &by,
            &blob,
            address,
            serde_json::json!({"size": blob.size, "deduplicated": true}),
        );
        if state
            .store
            .add_blob_upload(&blob.sha256, &by, OffsetDateTime::now_utc(), &audit)
            .await?
        {
            metrics::counter!("knd_uploads_total", "outcome" => "deduplicated").increment(1);
            return Ok(Created::AlreadyStored);
        }
    }
    // One creation per owner at a time, so that two cannot both pass the count.
    let owner = client.owner();
    let _held = state.uploads.acquire(owner.lock_key()).await?;
    // Expired uploads do not count: an abandoned one must not block the device forever.
    state.uploads.expire(Some(owner), ttl(state)).await?;
    let limit = state.config.blobs.max_uploads_per_device;
    if state.uploads.count(owner).await? >= limit {
        refused("too_many");
        return Err(ApiError::TooManyUploads(limit));
    }
    let id = Uuid::now_v7();
    let (device, agency, business) = match &by {
        BlobUploader::Device { agency, device } => (Some(*device), Some(*agency), None),
        BlobUploader::Business {
            api_key,
            subject_inn,
        } => (None, None, Some((*api_key, subject_inn.clone()))),
    };
    let info = UploadInfo {
        id,
        device,
        agency,
        business,
        length: new.length,
        sha256: new.sha256,
        mime,
        filename,
        created: OffsetDateTime::now_utc()
            .format(&Rfc3339)
            .map_err(|e| ApiError::Internal(e.to_string()))?,
    };
    upload_files::create(&state.uploads.paths(owner, id), &info).await?;
    metrics::counter!("knd_uploads_total", "outcome" => "started").increment(1);
    Ok(Created::Started {
        id,
        expires: SystemTime::now() + ttl(state),
    })
}

/// Takes the client's upload `id` for this request; another's upload is not found.
async fn open(
    state: &AppState,
    client: Client<'_>,
    id: Uuid,
) -> ApiResult<(Held, UploadInfo, UploadPaths)> {
    client.uploader()?;
    let paths = state.uploads.paths(client.owner(), id);
    // Before taking the lock: a request for another's upload must not interrupt it.
    if !tokio::fs::try_exists(&paths.info).await.unwrap_or(false) {
        return Err(ApiError::NotFound);
    }
    let held = state.uploads.acquire(id).await?;
    let info = upload_files::read_info(&paths)
        .await?
        .ok_or(ApiError::NotFound)?;
    // Expired (the hourly sweep has not come by yet): gone, as if it had.
    let offset = upload_files::offset(&paths).await?;
    if offset < info.length && upload_files::idle_for(&paths, ttl(state)).await {
        upload_files::remove(&paths).await?;
        metrics::counter!("knd_uploads_total", "outcome" => "expired").increment(1);
        return Err(ApiError::NotFound);
    }
    Ok((held, info, paths))
}

/// Where the upload stands. An upload with all its bytes that was not stored yet (its last request
/// failed midway) is stored now, so that "complete" always means stored.
pub async fn progress(
    state: &AppState,
    client: Client<'_>,
    address: Option<&str>,
    id: Uuid,
) -> ApiResult<Progress> {
    let (held, info, paths) = open(state, client, id).await?;
    let offset = upload_files::offset(&paths).await?;
    let progress = progress_of(state, &paths, &info, offset).await?;
    if offset == info.length {
        finish(state, held, info.clone(), paths, address).await?;
    }
    Ok(progress)
}

/// Appends a request's body at `offset`, which must be the upload's offset. Bytes are written as
/// they arrive, so what arrived before a dropped connection is kept. `declared` is the body's
/// Content-Length, when known: a body that would pass the upload's length is refused before any
/// of it is read.
pub async fn append<S, E>(
    state: &AppState,
    client: Client<'_>,
    address: Option<&str>,
    id: Uuid,
    offset: u64,
    declared: Option<u64>,
    mut body: S,
) -> ApiResult<Progress>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let (held, info, paths) = open(state, client, id).await?;
    let start = upload_files::offset(&paths).await?;
    if offset != start {
        return Err(ApiError::Conflict(format!(
            "Upload-Offset is {offset} but the upload is at {start}"
        )));
    }
    let room = info.length - start.min(info.length);
    let too_long = || {
        refused("past_length");
        ApiError::UploadTooLarge(format!(
            "the body would pass the upload's length: {room} bytes remain of {}",
            info.length
        ))
    };
    if declared.is_some_and(|n| n > room) {
        return Err(too_long());
    }
    let mut interrupted = held.interrupted();
    let io = |e: std::io::Error| ApiError::Internal(format!("{}: {e}", paths.part.display()));
    let mut writer = PartWriter::open(&paths.part, start, held)
        .await
        .map_err(io)?;
    let mut received = 0u64;
    let ending = loop {
        let next = tokio::select! {
            biased;
            _ = interrupted.changed() => break Err(ApiError::Conflict(
                "a newer request for this upload took over; ask for its offset".into(),
            )),
            next = body.next() => next,
        };
        match next {
            None => break Ok(()),
            Some(Err(e)) => {
                break Err(ApiError::BadRequest(format!(
                    "the body ended early ({e}); the bytes received are kept"
                )));
            }
            Some(Ok(bytes)) => {
                received += bytes.len() as u64;
                if received > room {
                    writer.undo().await.map_err(io)?;
                    break Err(too_long());
                }
                writer.write(bytes).await.map_err(io)?;
            }
        }
    };
    let held = writer.finish().await.map_err(io)?;
    ending?;
    let offset = upload_files::offset(&paths).await?;
    let progress = progress_of(state, &paths, &info, offset).await?;
    if offset == info.length {
        finish(state, held, info.clone(), paths, address).await?;
    }
    Ok(progress)
}

/// Abandons an upload (tus termination): its bytes are deleted.
pub async fn delete(state: &AppState, client: Client<'_>, id: Uuid) -> ApiResult<()> {
    let (_held, _, paths) = open(state, client, id).await?;
    upload_files::remove(&paths).await?;
    metrics::counter!("knd_uploads_total", "outcome" => "deleted").increment(1);
    Ok(())
}

/// Checks and stores a complete upload, holding it throughout. Runs as its own task: a client that
/// hangs up after its last byte must not leave the upload half stored.
async fn finish(
    state: &AppState,
    held: Held,
    info: UploadInfo,
    paths: UploadPaths,
    address: Option<&str>,
) -> ApiResult<()> {
    let (state, address) = (state.clone(), address.map(str::to_owned));
    tokio::spawn(async move {
        let result = store_upload(&state, &info, &paths, address.as_deref()).await;
        drop(held);
        result
    })
    .await
    .map_err(|e| ApiError::Internal(format!("finishing an upload: {e}")))?
}

async fn store_upload(
    state: &AppState,
    info: &UploadInfo,
    paths: &UploadPaths,
    address: Option<&str>,
) -> ApiResult<()> {
    let part = paths.part.clone();
    let (sha256, size) = tokio::task::spawn_blocking(move || upload_files::hash_file(&part))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(format!("{}: {e}", paths.part.display())))?;
    if size != info.length || sha256 != info.sha256 {
        upload_files::remove(paths).await?;
        refused("checksum");
        return Err(ApiError::ChecksumMismatch(format!(
            "the {size} bytes received hash to SHA-256 {sha256}, not to the declared {}; \
             the upload is discarded",
            info.sha256
        )));
    }
    blobs::put_file(state.blobs.as_ref(), &sha256, &paths.part, size).await?;
    let blob = Blob {
        sha256,
        size,
        mime: info.mime.clone(),
    };
    let by = info.uploader()?;
    let audit = audit_entry(
        &by,
        &blob,
        address,
        serde_json::json!({"size": size, "mime": blob.mime, "upload": info.id}),
    );
    state
        .store
        .record_blob(&blob, &by, OffsetDateTime::now_utc(), &audit)
        .await?;
    upload_files::remove(paths).await?;
    metrics::counter!("knd_uploads_total", "outcome" => "completed").increment(1);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert_eq!(media_type(None).unwrap(), "application/octet-stream");
        assert_eq!(media_type(Some("Image/JPEG")).unwrap(), "image/jpeg");
        assert_eq!(media_type(Some("image/svg+xml")).unwrap(), "image/svg+xml");
        for bad in [
            "",
            "jpeg",
            "image/",
            "/jpeg",
            "text/html; charset=utf-8",
            "a/b/c",
        ] {
            assert!(media_type(Some(bad)).is_err(), "{bad}");
        }
    }
}
