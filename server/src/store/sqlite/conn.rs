//! The SQLite store's plumbing: opening the file, migrations, the writer and reader connections,
//! and the column helpers the area modules share.

use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use rusqlite::{Connection, OptionalExtension as _, params};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::model::AuditEntry;
use crate::store::{StoreError, StoreResult, Violation};

/// Numbered, append-only migrations (`migrations/server/sqlite`).
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../../../migrations/server/sqlite/0001_init.sql"),
    ),
    (
        2,
        include_str!("../../../../migrations/server/sqlite/0002_registry.sql"),
    ),
    (
        3,
        include_str!("../../../../migrations/server/sqlite/0003_requirements.sql"),
    ),
    (
        4,
        include_str!("../../../../migrations/server/sqlite/0004_field.sql"),
    ),
    (
        5,
        include_str!("../../../../migrations/server/sqlite/0005_legal.sql"),
    ),
    (
        6,
        include_str!("../../../../migrations/server/sqlite/0006_versions.sql"),
    ),
    (
        7,
        include_str!("../../../../migrations/server/sqlite/0007_search.sql"),
    ),
    (
        8,
        include_str!("../../../../migrations/server/sqlite/0008_review.sql"),
    ),
    (
        9,
        include_str!("../../../../migrations/server/sqlite/0009_planning.sql"),
    ),
    (
        10,
        include_str!("../../../../migrations/server/sqlite/0010_risk_history.sql"),
    ),
    (
        11,
        include_str!("../../../../migrations/server/sqlite/0011_superseded_plans.sql"),
    ),
    (
        12,
        include_str!("../../../../migrations/server/sqlite/0012_filings.sql"),
    ),
    (
        13,
        include_str!("../../../../migrations/server/sqlite/0013_webhooks.sql"),
    ),
    (
        14,
        include_str!("../../../../migrations/server/sqlite/0014_business_uploads.sql"),
    ),
    (
        15,
        include_str!("../../../../migrations/server/sqlite/0015_business_keys.sql"),
    ),
];

const READERS: usize = 4;

pub struct SqliteStore {
    writer: Arc<Mutex<Connection>>,
    checkpointer: Arc<super::checkpoint::Checkpointer>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: AtomicUsize,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteStore")
    }
}

/// A constraint violation becomes the [`Violation`] its message names (the text itself stays in
/// the server log); anything else is a database failure.
pub(super) fn db_err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, msg) = &e {
        if f.code == rusqlite::ErrorCode::ConstraintViolation {
            let violation = Violation::from_sqlite(msg.as_deref().unwrap_or_default());
            tracing::debug!(%e, ?violation, "constraint violation");
            return StoreError::Constraint(violation);
        }
    }
    StoreError::Database(e.to_string())
}

fn connect(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open(path).map_err(db_err)?;
    // FULL: a commit is on disk before the push that caused it is acknowledged.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;",
    )
    .map_err(db_err)?;
    Ok(conn)
}

/// Applies the pending migrations with foreign keys off (a migration that rebuilds a table, as
/// SQLite's documented way to change a constraint does, drops the table others refer to), then
/// checks every foreign key before turning them back on.
fn migrate(conn: &mut Connection) -> StoreResult<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
         PRAGMA foreign_keys = OFF;",
    )
    .map_err(db_err)?;
    // Checked only after a migration ran: the check reads every table.
    let broken: Option<String> = if apply_migrations(conn)? > 0 {
        conn.query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()
            .map_err(db_err)?
    } else {
        None
    };
    if let Some(table) = broken {
        return Err(StoreError::Database(format!(
            "a migration left a broken foreign key in {table}"
        )));
    }
    conn.execute_batch("PRAGMA foreign_keys = ON;")
        .map_err(db_err)
}

/// The pending migrations, each in a transaction of its own; how many ran.
fn apply_migrations(conn: &mut Connection) -> StoreResult<usize> {
    let mut applied = 0;
    for (version, sql) in MIGRATIONS {
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(db_err)?;
        let done: Option<i64> = tx
            .query_row(
                "SELECT version FROM schema_migrations WHERE version = ?1",
                [version],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)?;
        if done.is_none() {
            tx.execute_batch(sql).map_err(db_err)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                params![version, ts(OffsetDateTime::now_utc())],
            )
            .map_err(db_err)?;
            tracing::info!(version, "applied sqlite migration");
            applied += 1;
        }
        tx.commit().map_err(db_err)?;
    }
    Ok(applied)
}

/// Gives every inspection that migration 0005 left without a ground the one its note states, or
/// unspecified (SQLite's `lower()` knows only ASCII, so the note is read in Rust).
fn fill_grounds(conn: &mut Connection) -> StoreResult<()> {
    let tx = conn.transaction().map_err(db_err)?;
    let rows: Vec<(String, String)> = tx
        .prepare("SELECT id, note FROM inspections WHERE ground IS NULL")
        .map_err(db_err)?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(db_err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(db_err)?;
    for (id, note) in &rows {
        tx.execute(
            "UPDATE inspections SET ground = ?1 WHERE id = ?2",
            rusqlite::params![super::super::migrated_ground(note).as_str(), id],
        )
        .map_err(db_err)?;
    }
    tx.commit().map_err(db_err)?;
    if !rows.is_empty() {
        tracing::info!(
            inspections = rows.len(),
            "grounds of old unplanned inspections read from their notes"
        );
    }
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &str) -> StoreResult<Self> {
        let path = Path::new(path).to_owned();
        tokio::task::spawn_blocking(move || {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Database(format!("{}: {e}", dir.display())))?;
            }
            let mut writer = connect(&path)?;
            // The writer's page cache holds a large transaction's pages (a plan of 150,000
            // entries, an import) instead of spilling them to the WAL and reading them back
            // mid-transaction; readers keep SQLite's default.
            writer
                .execute_batch("PRAGMA cache_size = -131072; PRAGMA wal_autocheckpoint = 0;")
                .map_err(db_err)?;
            migrate(&mut writer)?;
            fill_grounds(&mut writer)?;
            let readers = (0..READERS)
                .map(|_| connect(&path).map(Mutex::new))
                .collect::<StoreResult<Vec<_>>>()?;
            // What the migrations wrote is checkpointed at once.
            let checkpointer = super::checkpoint::Checkpointer::start(connect(&path)?, &path)?;
            checkpointer.nudge();
            Ok(Self {
                writer: Arc::new(Mutex::new(writer)),
                checkpointer: Arc::new(checkpointer),
                readers: Arc::new(readers),
                next_reader: AtomicUsize::new(0),
            })
        })
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?
    }

    pub(super) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let writer = Arc::clone(&self.writer);
        let checkpointer = Arc::clone(&self.checkpointer);
        tokio::task::spawn_blocking(move || {
            // A panic inside a write drops (rolls back) its transaction; the connection is fine.
            let mut conn = writer.lock().unwrap_or_else(|p| p.into_inner());
            let out = f(&mut conn);
            checkpointer.nudge();
            out
        })
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?
    }

    pub(super) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let readers = Arc::clone(&self.readers);
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % readers.len();
        tokio::task::spawn_blocking(move || {
            let conn = readers[i].lock().unwrap_or_else(|p| p.into_inner());
            f(&conn)
        })
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?
    }

    /// Runs `f` in an immediate (write-locking) transaction, committing on success.
    pub(super) async fn transact<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.write(move |conn| {
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(db_err)?;
            let out = f(&tx)?;
            tx.commit().map_err(db_err)?;
            Ok(out)
        })
        .await
    }
}

/// Fixed-width UTC text (nanoseconds always written), so that comparing the text in SQL compares
/// the times.
const TS_FORMAT: &[time::format_description::FormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:9]Z"
);

pub(super) fn ts(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(TS_FORMAT)
        .unwrap_or_default()
}

pub(super) fn parse_ts(s: &str) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).map_err(|e| StoreError::Corrupt(format!("time {s:?}: {e}")))
}

pub(super) fn parse_uuid(s: &str) -> StoreResult<uuid::Uuid> {
    uuid::Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(format!("uuid {s:?}: {e}")))
}

pub(super) use crate::store::cols::hash_of as hash_col;

pub(super) fn insert_audit(tx: &rusqlite::Transaction<'_>, e: &AuditEntry) -> StoreResult<()> {
    // Not through `cols::execute`: that module leans on this one.
    tx.execute(
        crate::store::sql::accounts::INSERT_AUDIT.sqlite(),
        params![
            ts(OffsetDateTime::now_utc()),
            e.agency.map(|a| a.to_string()),
            e.actor.label(),
            e.action,
            e.target,
            e.outcome.as_str(),
            e.detail.as_ref().map(|d| d.to_string()),
            e.address,
        ],
    )
    .map_err(db_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Every numbered file in the migrations folder is embedded, in order.
    #[test]
    fn every_migration_file_is_applied() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/server/sqlite");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        assert_eq!(files.len(), super::MIGRATIONS.len(), "{files:?}");
        // Numbers only grow; one may be skipped while parallel branches each take their own.
        let mut previous = 0;
        for (f, (version, _)) in files.iter().zip(super::MIGRATIONS) {
            assert!(*version > previous, "{f}");
            previous = *version;
            assert!(f.starts_with(&format!("{:04}_", version)), "{f}");
        }
    }
}
