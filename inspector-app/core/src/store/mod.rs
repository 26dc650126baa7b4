//! The device's offline store: one SQLite file per device profile (rusqlite, WAL,
//! `synchronous=FULL`), migrations embedded from `migrations/inspector/`.
//!
//! A profile folder holds `store.sqlite3`, the `photos/` folder (originals and thumbnails, named
//! by SHA-256) and the sealed key ([`crate::keystore`]). SQL lives only in this module.

mod interactions;
mod listing;
mod photos;
mod pulled;
mod records;
mod sync;
#[cfg(test)]
mod tests;

use std::io;
use std::path::{Path, PathBuf};

use knd_shared::record::RecordError;
use knd_shared::record::kinds::BodyError;
use knd_shared::{DeviceId, PublicKey, RecordId};
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

pub use interactions::OpenInteraction;
pub use listing::RecordRow;
pub use photos::PhotoRow;
pub use records::{
    ChainReport, FindingView, InspectionView, OutboxItem, RecordState, StoredRecord,
};
pub use sync::{PendingUpload, PulledPage, RecordCounts};

use crate::photo::PhotoError;

/// The database file inside a profile folder.
pub const DB_FILE: &str = "store.sqlite3";
/// The photo folder inside a profile folder.
pub const PHOTOS_DIR: &str = "photos";

/// Numbered, append-only migrations (`migrations/inspector`).
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../../../migrations/inspector/0001_init.sql"),
    ),
    (
        2,
        include_str!("../../../../migrations/inspector/0002_sync.sql"),
    ),
    (
        3,
        include_str!("../../../../migrations/inspector/0003_interactions.sql"),
    ),
    (
        4,
        include_str!("../../../../migrations/inspector/0004_photo_warnings.sql"),
    ),
    (
        5,
        include_str!("../../../../migrations/inspector/0005_warning_objections.sql"),
    ),
];

/// Why a store operation failed. Messages are Russian first, then English.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("на устройстве закончилось место / the device storage is full")]
    DiskFull,
    #[error("ошибка базы данных / database error: {0}")]
    Database(rusqlite::Error),
    #[error("ошибка ввода-вывода / i/o error: {0}")]
    Io(#[from] io::Error),
    #[error("устройство не зарегистрировано / the device is not enrolled")]
    NotEnrolled,
    #[error("устройство уже зарегистрировано / the device is already enrolled")]
    AlreadyEnrolled,
    #[error(
        "ключ принадлежит другому устройству / the unlocked key belongs to another device: {0}"
    )]
    WrongDevice(DeviceId),
    #[error(
        "такую запись подписывает не устройство, а сервер или контролируемое лицо / \
         {0} records are signed by the server or a controlled person, not a device"
    )]
    ServerKind(&'static str),
    #[error("содержимое записи неверно / invalid record body: {0}")]
    Body(#[from] BodyError),
    #[error("запись не подписана / the record could not be signed: {0}")]
    Record(#[from] RecordError),
    #[error(
        "цепочка записей нарушена на записи {seq} / the record chain is broken at seq {seq}: {reason}"
    )]
    Chain { seq: u64, reason: String },
    #[error("запись не найдена / unknown record {0}")]
    UnknownRecord(RecordId),
    #[error("квитанция не прошла проверку / the receipt failed verification: {0}")]
    Receipt(String),
    #[error(transparent)]
    Photo(#[from] PhotoError),
    #[error("эта фотография уже добавлена / this photo was already added (sha256 {0})")]
    PhotoExists(String),
    #[error("неверные данные в базе / invalid data in the store: {0}")]
    Corrupt(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            if f.code == rusqlite::ErrorCode::DiskFull {
                return StoreError::DiskFull;
            }
        }
        StoreError::Database(e)
    }
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// The enrolled device profile (what enrollment answered, DESIGN.md section 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub server_url: String,
    pub device: DeviceId,
    pub device_public_key: PublicKey,
    pub server_public_key: PublicKey,
    /// The transparency log's origin line, for checkpoints.
    pub log_origin: String,
    pub device_name: String,
    pub enrolled_at: knd_shared::record::Timestamp,
}

/// Sync bookkeeping shown on the sync screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub pull_cursor: Option<String>,
    pub last_sync_at: Option<String>,
    pub last_error: Option<String>,
    /// Server clock minus device clock, in milliseconds.
    pub clock_skew_ms: Option<i64>,
    /// When the server last answered (a pull or a push).
    pub last_contact_at: Option<String>,
}

/// The offline store of one device profile.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    dir: PathBuf,
    /// The enrolled profile, cached (it changes only at enrollment).
    profile: Option<Profile>,
}

impl Store {
    /// Opens (creating if needed) the store in the profile folder `dir` and applies pending
    /// migrations.
    pub fn open(dir: &Path) -> StoreResult<Self> {
        std::fs::create_dir_all(dir.join(PHOTOS_DIR))?;
        let mut conn = Connection::open(dir.join(DB_FILE))?;
        // WAL: readers do not block the writer. FULL: a commit is on disk when it returns, so a
        // record shown as saved survives a power cut. Foreign keys for photos → records.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;",
        )?;
        migrate(&mut conn)?;
        let mut store = Self {
            conn,
            dir: dir.to_owned(),
            profile: None,
        };
        store.profile = store.read_profile()?;
        Ok(store)
    }

    /// The profile folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The enrolled profile, if any.
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }

    fn enrolled(&self) -> StoreResult<&Profile> {
        self.profile.as_ref().ok_or(StoreError::NotEnrolled)
    }

    /// Saves the profile at enrollment; a profile is written once.
    pub fn save_profile(&mut self, profile: &Profile) -> StoreResult<()> {
        if self.profile.is_some() {
            return Err(StoreError::AlreadyEnrolled);
        }
        self.conn.execute(
            "INSERT INTO profile (id, server_url, device_id, device_public_key, server_public_key,
                                  log_origin, device_name, enrolled_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                profile.server_url,
                profile.device.to_string(),
                profile.device_public_key.to_hex(),
                profile.server_public_key.to_hex(),
                profile.log_origin,
                profile.device_name,
                profile.enrolled_at.to_string(),
            ],
        )?;
        self.profile = Some(profile.clone());
        Ok(())
    }

    fn read_profile(&self) -> StoreResult<Option<Profile>> {
        let row = self
            .conn
            .query_row(
                "SELECT server_url, device_id, device_public_key, server_public_key, log_origin,
                        device_name, enrolled_at FROM profile WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((url, device, dkey, skey, origin, name, at)) = row else {
            return Ok(None);
        };
        let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("profile: {e}"));
        Ok(Some(Profile {
            server_url: url,
            device: DeviceId::parse(&device).map_err(|e| corrupt(&e))?,
            device_public_key: PublicKey::parse_hex(&dkey).map_err(|e| corrupt(&e))?,
            server_public_key: PublicKey::parse_hex(&skey).map_err(|e| corrupt(&e))?,
            log_origin: origin,
            device_name: name,
            enrolled_at: knd_shared::record::Timestamp::parse(&at).map_err(|e| corrupt(&e))?,
        }))
    }

    /// Test hook: caps the database at `pages` pages, so the next write that needs more fails as
    /// on a full disk (SQLITE_FULL); 0 lifts the cap again.
    #[cfg(test)]
    pub(crate) fn limit_pages(&self, pages: u64) -> StoreResult<()> {
        let pages = if pages == 0 { 1 << 30 } else { pages };
        self.conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
        Ok(())
    }

    /// Sync bookkeeping.
    pub fn sync_state(&self) -> StoreResult<SyncState> {
        Ok(self.conn.query_row(
            "SELECT pull_cursor, last_sync_at, last_error, clock_skew_ms, last_contact_at
             FROM sync_state WHERE id = 1",
            [],
            |r| {
                Ok(SyncState {
                    pull_cursor: r.get(0)?,
                    last_sync_at: r.get(1)?,
                    last_error: r.get(2)?,
                    clock_skew_ms: r.get(3)?,
                    last_contact_at: r.get(4)?,
                })
            },
        )?)
    }

    /// Replaces the sync bookkeeping.
    pub fn set_sync_state(&mut self, state: &SyncState) -> StoreResult<()> {
        self.conn.execute(
            "UPDATE sync_state SET pull_cursor = ?1, last_sync_at = ?2, last_error = ?3,
                                   clock_skew_ms = ?4 WHERE id = 1",
            params![
                state.pull_cursor,
                state.last_sync_at,
                state.last_error,
                state.clock_skew_ms
            ],
        )?;
        Ok(())
    }
}

fn migrate(conn: &mut Connection) -> StoreResult<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)",
    )?;
    for (version, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done: Option<i64> = tx
            .query_row(
                "SELECT version FROM schema_migrations WHERE version = ?1",
                [version],
                |r| r.get(0),
            )
            .optional()?;
        if done.is_none() {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                params![version, knd_shared::record::Timestamp::now().to_string()],
            )?;
        }
        tx.commit()?;
    }
    Ok(())
}
