//! Unfinished uploads on disk, and who may touch one at a time.
//!
//! Each upload is two files under `DATA_DIR/uploads/OWNER/` (a device's id, or `business-` and
//! a business's API key id): `ID.part` holds the bytes received
//! so far (its length *is* the upload's offset, as in tusd's filestore, so a connection dropped
//! mid-request keeps what arrived) and `ID.json` says what the upload is. Both survive a restart.
//! Only one request works on an upload at a time; a newer request asks an older one still reading
//! a body (often from a connection that died without a word) to stop, as tusd does.

use std::collections::HashMap;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use knd_shared::{AgencyId, DeviceId, Sha256};
use serde::{Deserialize, Serialize};
use tokio::sync::{OwnedMutexGuard, watch};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::model::BlobUploader;

/// How long a request waits for another one on the same upload to finish by itself: a request
/// whose connection just closed needs a moment to write what it received.
const GRACE: Duration = Duration::from_secs(2);
/// How long it then waits after asking the other one to stop.
const LOCK_WAIT: Duration = Duration::from_secs(20);

/// What an upload is, as written next to its bytes when it is created.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadInfo {
    pub id: Uuid,
    /// A device's upload, for its agency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<DeviceId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<AgencyId>,
    /// A business's upload: its API key and ИНН.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business: Option<(Uuid, String)>,
    /// The declared size (`Upload-Length`).
    pub length: u64,
    /// The declared SHA-256, checked when the last byte arrives.
    pub sha256: Sha256,
    pub mime: String,
    pub filename: Option<String>,
    /// RFC 3339.
    pub created: String,
}

impl UploadInfo {
    /// Who is uploading, as the blob's uploader will be recorded.
    pub fn uploader(&self) -> ApiResult<BlobUploader> {
        match (self.device, self.agency, &self.business) {
            (Some(device), Some(agency), None) => Ok(BlobUploader::Device { agency, device }),
            (None, None, Some((api_key, inn))) => Ok(BlobUploader::Business {
                api_key: *api_key,
                subject_inn: inn.clone(),
            }),
            _ => Err(ApiError::Internal(format!(
                "upload {}: neither a device's nor a business's",
                self.id
            ))),
        }
    }
}

/// Whose unfinished uploads a directory holds: a device's, or a business's API key's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadOwner {
    Device(DeviceId),
    Business(Uuid),
}

impl UploadOwner {
    fn dir_name(self) -> String {
        match self {
            Self::Device(d) => d.to_string(),
            Self::Business(key) => format!("business-{key}"),
        }
    }

    /// The key its creations are serialised under.
    pub fn lock_key(self) -> Uuid {
        match self {
            Self::Device(d) => d.as_uuid(),
            Self::Business(key) => key,
        }
    }
}

/// The two files of one upload.
#[derive(Debug, Clone)]
pub struct UploadPaths {
    pub part: PathBuf,
    pub info: PathBuf,
}

struct Slot {
    lock: Arc<tokio::sync::Mutex<()>>,
    /// Bumped by a request that wants the upload while another holds it.
    interrupt: watch::Sender<u64>,
}

/// Exclusive use of one upload (or of a device's list of uploads, while creating one).
pub struct Held {
    _guard: OwnedMutexGuard<()>,
    slot: Arc<Slot>,
}

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Held")
    }
}

impl Held {
    /// Changes when a newer request asks this one to stop.
    pub fn interrupted(&self) -> watch::Receiver<u64> {
        self.slot.interrupt.subscribe()
    }
}

/// The uploads directory and the locks of the uploads in use.
pub struct UploadFiles {
    dir: PathBuf,
    slots: Mutex<HashMap<Uuid, Arc<Slot>>>,
}

impl std::fmt::Debug for UploadFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadFiles")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn io_err(what: &Path, e: std::io::Error) -> ApiError {
    ApiError::Internal(format!("{}: {e}", what.display()))
}

impl UploadFiles {
    /// Uses (creating it if needed) `dir` for unfinished uploads.
    pub fn open(dir: PathBuf) -> std::io::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self {
            dir,
            slots: Mutex::new(HashMap::new()),
        })
    }

    fn owner_dir(&self, owner: UploadOwner) -> PathBuf {
        self.dir.join(owner.dir_name())
    }

    /// The files of `owner`'s upload `id`: another owner's upload is simply not there.
    pub fn paths(&self, owner: UploadOwner, id: Uuid) -> UploadPaths {
        let dir = self.owner_dir(owner);
        UploadPaths {
            part: dir.join(format!("{id}.part")),
            info: dir.join(format!("{id}.json")),
        }
    }

    /// Waits (boundedly) for exclusive use of `key`, an upload's or a device's id. A request that
    /// still holds it after a grace period is asked to stop: its client has most likely given up
    /// on a connection that died without a word, and is now resuming.
    pub async fn acquire(&self, key: Uuid) -> ApiResult<Held> {
        let slot = self.slot(key);
        let lock = || Arc::clone(&slot.lock).lock_owned();
        let guard = match tokio::time::timeout(GRACE, lock()).await {
            Ok(guard) => guard,
            Err(_) => {
                slot.interrupt.send_modify(|n| *n = n.wrapping_add(1));
                tokio::time::timeout(LOCK_WAIT, lock()).await.map_err(|_| {
                    ApiError::Conflict(
                        "another request is still working on this upload; retry later".into(),
                    )
                })?
            }
        };
        Ok(Held {
            _guard: guard,
            slot,
        })
    }

    /// The lock slot of `key`.
    fn slot(&self, key: Uuid) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        // Slots nobody holds or waits for are only in the map.
        slots.retain(|_, s| Arc::strong_count(s) > 1);
        Arc::clone(slots.entry(key).or_insert_with(|| {
            Arc::new(Slot {
                lock: Arc::new(tokio::sync::Mutex::new(())),
                interrupt: watch::Sender::new(0),
            })
        }))
    }

    /// Exclusive use of `key` if nobody holds it now (a sweep never waits on a live request).
    fn try_acquire(&self, key: Uuid) -> Option<Held> {
        let slot = self.slot(key);
        let guard = Arc::clone(&slot.lock).try_lock_owned().ok()?;
        Some(Held {
            _guard: guard,
            slot,
        })
    }

    /// Deletes every upload no byte reached for `ttl` (by its `.part` file's modification time),
    /// except one a request holds now; how many. Runs hourly and before a device's uploads are
    /// counted.
    pub async fn expire(&self, owner: Option<UploadOwner>, ttl: Duration) -> ApiResult<usize> {
        let dirs = match owner {
            Some(o) => vec![self.owner_dir(o)],
            None => subdirs(&self.dir).await?,
        };
        let mut removed = 0;
        for dir in dirs {
            for id in upload_ids(&dir).await? {
                let paths = UploadPaths {
                    part: dir.join(format!("{id}.part")),
                    info: dir.join(format!("{id}.json")),
                };
                if !idle_for(&paths, ttl).await {
                    continue;
                }
                let Some(_held) = self.try_acquire(id) else {
                    continue;
                };
                // Checked again under the lock: a byte may have just arrived.
                if idle_for(&paths, ttl).await {
                    remove(&paths).await?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }

    /// How many unfinished uploads `owner` has.
    pub async fn count(&self, owner: UploadOwner) -> ApiResult<usize> {
        Ok(upload_ids(&self.owner_dir(owner)).await?.len())
    }
}

/// The entries of `dir` (none when it does not exist).
async fn entries(dir: &Path) -> ApiResult<Vec<tokio::fs::DirEntry>> {
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(dir, e)),
    };
    let mut out = Vec::new();
    while let Some(e) = entries.next_entry().await.map_err(|e| io_err(dir, e))? {
        out.push(e);
    }
    Ok(out)
}

async fn subdirs(dir: &Path) -> ApiResult<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in entries(dir).await? {
        if e.file_type().await.is_ok_and(|t| t.is_dir()) {
            out.push(e.path());
        }
    }
    Ok(out)
}

/// The ids of the uploads in an owner's directory (those with an info file).
async fn upload_ids(dir: &Path) -> ApiResult<Vec<Uuid>> {
    Ok(entries(dir)
        .await?
        .iter()
        .filter_map(|e| {
            let name = e.file_name();
            name.to_string_lossy()
                .strip_suffix(".json")
                .and_then(|s| s.parse().ok())
        })
        .collect())
}

/// When the upload last received a byte (or was created): its `.part` file's modification time.
pub async fn last_active(paths: &UploadPaths) -> ApiResult<std::time::SystemTime> {
    let meta = match tokio::fs::metadata(&paths.part).await {
        Ok(m) => m,
        // Without its bytes file, the info file's time.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => tokio::fs::metadata(&paths.info)
            .await
            .map_err(|e| io_err(&paths.info, e))?,
        Err(e) => return Err(io_err(&paths.part, e)),
    };
    meta.modified().map_err(|e| io_err(&paths.part, e))
}

/// Whether no byte reached the upload for `ttl`.
pub async fn idle_for(paths: &UploadPaths, ttl: Duration) -> bool {
    last_active(paths)
        .await
        .is_ok_and(|t| t.elapsed().is_ok_and(|idle| idle >= ttl))
}

/// Creates the empty `.part` file, then the info file (written aside and renamed, so that an info
/// file is always whole: it is what makes the upload exist).
pub async fn create(paths: &UploadPaths, info: &UploadInfo) -> ApiResult<()> {
    let json = serde_json::to_vec(info).map_err(|e| ApiError::Internal(e.to_string()))?;
    let paths = paths.clone();
    tokio::task::spawn_blocking(move || {
        if let Some(dir) = paths.part.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&paths.part)
            .map_err(|e| io_err(&paths.part, e))?;
        let tmp = paths.info.with_extension("json.tmp");
        let mut f = std::fs::File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
        f.write_all(&json).map_err(|e| io_err(&tmp, e))?;
        f.sync_all().map_err(|e| io_err(&tmp, e))?;
        std::fs::rename(&tmp, &paths.info).map_err(|e| io_err(&paths.info, e))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
}

/// The upload's info, or `None` when there is no such upload.
pub async fn read_info(paths: &UploadPaths) -> ApiResult<Option<UploadInfo>> {
    match tokio::fs::read(&paths.info).await {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| ApiError::Internal(format!("{}: {e}", paths.info.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(&paths.info, e)),
    }
}

/// The upload's offset: the length of its `.part` file.
pub async fn offset(paths: &UploadPaths) -> ApiResult<u64> {
    tokio::fs::metadata(&paths.part)
        .await
        .map(|m| m.len())
        .map_err(|e| io_err(&paths.part, e))
}

/// Forgets an upload: the info file first (the upload no longer exists), then its bytes.
pub async fn remove(paths: &UploadPaths) -> ApiResult<()> {
    for p in [&paths.info, &paths.part] {
        match tokio::fs::remove_file(p).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err(p, e)),
        }
    }
    Ok(())
}

/// Appends a request's bytes to an upload's `.part` file, chunk by chunk as they arrive. Each
/// write runs on tokio's blocking pool and carries the upload's lock with it: when the request is
/// dropped with its connection, a write under way still lands before the lock is released, so the
/// offset the next request reads is exact. No thread waits on the network.
pub struct PartWriter {
    open: Option<(std::fs::File, Held)>,
    /// The offset before this request.
    start: u64,
}

impl std::fmt::Debug for PartWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartWriter")
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

fn gone() -> std::io::Error {
    std::io::Error::other("the part file was lost by an earlier failure")
}

impl PartWriter {
    /// Opens `part` to append at `start`, its current length.
    pub async fn open(part: &Path, start: u64, held: Held) -> std::io::Result<Self> {
        let part = part.to_owned();
        let file = tokio::task::spawn_blocking(move || {
            std::fs::OpenOptions::new().append(true).open(part)
        })
        .await
        .map_err(std::io::Error::other)??;
        Ok(Self {
            open: Some((file, held)),
            start,
        })
    }

    async fn run<T: Send + 'static>(
        &mut self,
        op: impl FnOnce(&mut std::fs::File) -> std::io::Result<T> + Send + 'static,
    ) -> std::io::Result<T> {
        let (mut file, held) = self.open.take().ok_or_else(gone)?;
        let (file, held, result) = tokio::task::spawn_blocking(move || {
            let result = op(&mut file);
            (file, held, result)
        })
        .await
        .map_err(std::io::Error::other)?;
        self.open = Some((file, held));
        result
    }

    pub async fn write(&mut self, bytes: Bytes) -> std::io::Result<()> {
        self.run(move |f| {
            f.write_all(&bytes)?;
            metrics::counter!("knd_upload_bytes_total").increment(bytes.len() as u64);
            Ok(())
        })
        .await
    }

    /// Takes back this request's bytes: the upload is as it was before it.
    pub async fn undo(&mut self) -> std::io::Result<()> {
        let start = self.start;
        self.run(move |f| {
            f.set_len(start)?;
            f.sync_data()
        })
        .await
    }

    /// Flushes the bytes to disk; gives the lock back for what follows.
    pub async fn finish(mut self) -> std::io::Result<Held> {
        self.run(|f| f.sync_data()).await?;
        let (_, held) = self.open.take().ok_or_else(gone)?;
        Ok(held)
    }
}

/// The SHA-256 and the length of a file, read in 1 MiB blocks.
pub fn hash_file(path: &Path) -> std::io::Result<(Sha256, u64)> {
    use sha2::Digest as _;
    let mut f = std::fs::File::open(path)?;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        len += n as u64;
    }
    Ok((Sha256::from_bytes(hasher.finalize().into()), len))
}
