//! The WAL copied into the database file on a connection of its own. A commit is durable once
//! its pages are in the WAL (`synchronous = FULL`); copying them into the database file as well
//! (SQLite's automatic checkpoint, run by the committing connection) made a large transaction's
//! commit half as long again — a 150,000-entry plan's by about 0.3 s — on the path of the
//! request that made it. The writer's automatic checkpoint is off and this thread checkpoints
//! after commits instead, at most a few times a second under a stream of small ones.

use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Duration;

use rusqlite::Connection;

use crate::store::{StoreError, StoreResult};

/// The pause after a checkpoint, so that a stream of small commits is checkpointed a few times
/// a second rather than after each one.
const PAUSE: Duration = Duration::from_millis(200);

pub(super) struct Checkpointer(SyncSender<()>);

impl Checkpointer {
    /// Starts the thread on `conn`; it ends when the store (the sender) is dropped.
    pub(super) fn start(conn: Connection, path: &Path) -> StoreResult<Self> {
        let (nudge, nudged) = sync_channel(1);
        let name = path.display().to_string();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&conn, &nudged, &name))
            .map_err(|e| StoreError::Database(format!("checkpoint thread: {e}")))?;
        Ok(Self(nudge))
    }

    /// After a commit: a checkpoint is asked for, unless one is already waiting.
    pub(super) fn nudge(&self) {
        let _ = self.0.try_send(());
    }
}

fn run(conn: &Connection, nudged: &Receiver<()>, name: &str) {
    while nudged.recv().is_ok() {
        // PASSIVE: copies what no reader still needs and never waits for readers or the writer.
        let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        });
        match done {
            Ok((wal, copied)) => tracing::trace!(name, wal, copied, "WAL checkpoint"),
            Err(e) => tracing::warn!(name, %e, "WAL checkpoint failed; the next commit retries"),
        }
        std::thread::sleep(PAUSE);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    /// A commit's pages reach the database file through the checkpointer alone: the writer's
    /// own automatic checkpoint is off, as the store sets it.
    #[test]
    fn a_nudge_copies_the_wal_into_the_database_file() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("db.sqlite3");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
                 CREATE TABLE t (v TEXT);",
            )
            .unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        writer
            .execute_batch(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                 INSERT INTO t SELECT printf('%.1000c', 'x') FROM n",
            )
            .unwrap();
        assert_eq!(size(), before, "the pages are in the WAL only");
        let checkpointer = Checkpointer::start(Connection::open(&path).unwrap(), &path).unwrap();
        checkpointer.nudge();
        let started = Instant::now();
        while size() < before + 2_000_000 {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no checkpoint: the database file is {} bytes",
                size()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
