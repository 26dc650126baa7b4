//! Blobs (photos): their bytes live in an object store (a directory by default, or an
//! S3-compatible bucket), each under its SHA-256; the database knows which exist and who uploaded
//! them. Content addressing makes a second copy of the same photo free.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use knd_shared::{AgencyId, Sha256};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload, WriteMultipart};
use tokio::io::AsyncReadExt as _;

use crate::config::{BlobStoreKind, Config};
use crate::error::{ApiError, ApiResult};
use crate::model::Blob;
use crate::state::AppState;

/// Files up to this size are stored with one PUT; larger ones as a multipart upload streamed from
/// the file, so that a large file is never wholly in memory.
const SINGLE_PUT_MAX: u64 = 8 << 20;
/// S3 wants parts of at least 5 MiB (all but the last).
const PART_SIZE: usize = 8 << 20;
/// Parts in flight at once during a multipart upload.
const PARTS_IN_FLIGHT: usize = 2;

/// Opens the object store the configuration names.
pub fn open_store(config: &Config) -> Result<Arc<dyn ObjectStore>, String> {
    let blobs = &config.blobs;
    match blobs.store {
        BlobStoreKind::Local => {
            let dir = blobs.local_dir(&config.data_dir);
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let store = LocalFileSystem::new_with_prefix(&dir)
                .map_err(|e| format!("blob directory {}: {e}", dir.display()))?;
            Ok(Arc::new(store))
        }
        BlobStoreKind::S3 => {
            let s3 = &blobs.s3;
            if s3.bucket.is_empty() {
                return Err("blobs.store is s3 but blobs.s3.bucket is not set".into());
            }
            let mut builder = object_store::aws::AmazonS3Builder::new()
                .with_bucket_name(&s3.bucket)
                .with_region(&s3.region)
                .with_allow_http(s3.allow_http);
            if let Some(endpoint) = &s3.endpoint {
                builder = builder.with_endpoint(endpoint);
            }
            // Without keys, the builder looks for instance credentials (IAM roles).
            if let Some(key) = &s3.access_key_id {
                builder = builder.with_access_key_id(key);
            }
            if let Some(secret) = &s3.secret_access_key {
                builder = builder.with_secret_access_key(secret);
            }
            let store = builder
                .build()
                .map_err(|e| format!("blob store s3 bucket {:?}: {e}", s3.bucket))?;
            Ok(Arc::new(store))
        }
    }
}

/// Where a blob's bytes live: `sha256/ab/abcd…`, two hex digits of fan-out so that no directory
/// of a local store holds millions of files.
pub fn location(sha256: &Sha256) -> ObjectPath {
    let hex = sha256.to_hex();
    ObjectPath::from(format!("sha256/{}/{hex}", &hex[..2]))
}

fn store_err(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("blob store: {e}"))
}

/// Copies a verified file into the object store under its SHA-256. An object already there with
/// the same size is the same content, and is kept.
pub async fn put_file(
    store: &dyn ObjectStore,
    sha256: &Sha256,
    file: &Path,
    size: u64,
) -> ApiResult<()> {
    let at = location(sha256);
    match store.head(&at).await {
        Ok(meta) if meta.size == size => return Ok(()),
        Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
        Err(e) => return Err(store_err(e)),
    }
    if size <= SINGLE_PUT_MAX {
        let bytes = tokio::fs::read(file).await.map_err(store_err)?;
        store
            .put(&at, PutPayload::from(Bytes::from(bytes)))
            .await
            .map_err(store_err)?;
        return Ok(());
    }
    let upload = store.put_multipart(&at).await.map_err(store_err)?;
    let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
    match copy_into(&mut writer, file).await {
        Ok(()) => {
            writer.finish().await.map_err(store_err)?;
            Ok(())
        }
        Err(e) => {
            // Do not leave half an upload in the bucket.
            let _ = writer.abort().await;
            Err(e)
        }
    }
}

async fn copy_into(writer: &mut WriteMultipart, file: &Path) -> ApiResult<()> {
    let mut f = tokio::fs::File::open(file).await.map_err(store_err)?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).await.map_err(store_err)?;
        if n == 0 {
            return Ok(());
        }
        writer
            .wait_for_capacity(PARTS_IN_FLIGHT)
            .await
            .map_err(store_err)?;
        writer.write(&buf[..n]);
    }
}

/// The blob, when `agency` may read it: one of its devices uploaded it, or one of its photo
/// records names it. Otherwise 404, whether or not the blob exists, so that nobody learns which
/// photos another agency holds.
pub async fn visible(state: &AppState, agency: AgencyId, sha256: &Sha256) -> ApiResult<Blob> {
    if !state.store.blob_visible(agency, sha256).await? {
        return Err(ApiError::NotFound);
    }
    // A photo record may name a blob that was never uploaded (yet): not found either.
    state.store.blob(sha256).await?.ok_or(ApiError::NotFound)
}

/// A stored blob the business with ИНН `inn` uploaded; otherwise 404 as for any unknown blob.
pub async fn visible_to_business(state: &AppState, inn: &str, sha256: &Sha256) -> ApiResult<Blob> {
    if !state.store.business_blob_visible(inn, sha256).await? {
        return Err(ApiError::NotFound);
    }
    state.store.blob(sha256).await?.ok_or(ApiError::NotFound)
}

/// A stored blob's bytes, streamed from the object store.
pub async fn bytes(
    state: &AppState,
    blob: &Blob,
) -> ApiResult<BoxStream<'static, object_store::Result<Bytes>>> {
    let got = state
        .blobs
        .get(&location(&blob.sha256))
        .await
        .map_err(|e| {
            store_err(format!(
                "blob {} is recorded but cannot be read: {e}",
                blob.sha256
            ))
        })?;
    Ok(got.into_stream())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_fan_out_by_their_first_byte() {
        let sha = Sha256::digest(b"photo");
        let hex = sha.to_hex();
        assert_eq!(
            location(&sha).as_ref(),
            format!("sha256/{}/{hex}", &hex[..2])
        );
    }

    #[test]
    fn the_store_comes_from_the_configuration() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut config = Config {
            data_dir: dir.path().to_owned(),
            ..Config::default()
        };
        open_store(&config).unwrap();
        assert!(
            dir.path().join("blobs").is_dir(),
            "DATA_DIR/blobs by default"
        );
        // S3 is built without contacting the endpoint; a bucket is required.
        config.blobs.store = BlobStoreKind::S3;
        assert!(open_store(&config).unwrap_err().contains("bucket"));
        config.blobs.s3.bucket = "photos".into();
        config.blobs.s3.endpoint = Some("http://127.0.0.1:9000".into());
        config.blobs.s3.allow_http = true;
        config.blobs.s3.access_key_id = Some("minio".into());
        config.blobs.s3.secret_access_key = Some("minio-secret".into());
        let store = open_store(&config).unwrap();
        assert!(store.to_string().contains("photos"), "{store}");
    }
}
