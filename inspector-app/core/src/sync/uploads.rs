//! Photo uploads over tus 1.0: each photo's upload location and offset are saved, so a
//! connection cut in the middle, or the app killed, continues from where the server says it
//! got to (`HEAD`), never from the start and never twice.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::sync::Mutex;

use super::api::{Api, UploadStart};
use super::{SyncConfig, SyncError, lock};
use crate::store::{PendingUpload, Store};

/// Uploads every photo not yet on the server; how many completed.
pub(super) async fn upload_all(
    store: &Mutex<Store>,
    api: &Api,
    config: &SyncConfig,
) -> Result<u32, SyncError> {
    let (pending, dir) = {
        let s = lock(store);
        (s.photos_to_upload()?, s.dir().to_owned())
    };
    let mut done = 0;
    for photo in pending {
        upload_one(store, api, config, &dir, &photo).await?;
        done += 1;
    }
    Ok(done)
}

async fn upload_one(
    store: &Mutex<Store>,
    api: &Api,
    config: &SyncConfig,
    dir: &std::path::Path,
    photo: &PendingUpload,
) -> Result<(), SyncError> {
    // Continue a saved upload if the server still has it; otherwise start one.
    let resumed = match &photo.upload_url {
        Some(location) => api
            .upload_offset(location)
            .await?
            .map(|offset| UploadStart::At {
                location: location.clone(),
                offset,
            }),
        None => None,
    };
    let (location, mut offset) = match resumed {
        Some(UploadStart::At { location, offset }) => (location, offset),
        _ => match api
            .create_upload(&photo.sha256, &photo.mime, photo.bytes)
            .await?
        {
            UploadStart::Stored => {
                lock(store).mark_uploaded(&photo.sha256)?;
                return Ok(());
            }
            UploadStart::At { location, offset } => (location, offset),
        },
    };
    lock(store).set_upload_progress(&photo.sha256, Some(&location), offset)?;
    let mut file =
        std::fs::File::open(dir.join(&photo.path)).map_err(crate::store::StoreError::Io)?;
    while offset < photo.bytes {
        let len = usize::try_from(photo.bytes - offset)
            .unwrap_or(usize::MAX)
            .min(config.chunk_bytes);
        let mut chunk = vec![0u8; len];
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(&mut chunk))
            .map_err(crate::store::StoreError::Io)?;
        offset = match api.patch_upload(&location, offset, chunk).await {
            Ok(next) => next,
            // The server is elsewhere than we thought (a request that reached it but whose
            // answer was lost): ask it.
            Err(SyncError::Server { status: 409, .. }) => api
                .upload_offset(&location)
                .await?
                .ok_or_else(|| SyncError::Protocol("the upload vanished".into()))?,
            Err(e) => return Err(e),
        };
        lock(store).set_upload_progress(&photo.sha256, Some(&location), offset)?;
    }
    lock(store).mark_uploaded(&photo.sha256)?;
    Ok(())
}
