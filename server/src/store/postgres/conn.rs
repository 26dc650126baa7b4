//! The PostgreSQL store's plumbing: the connection pool, migrations, and the column helpers the
//! area modules share.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use time::OffsetDateTime;
use tokio_postgres::{NoTls, Transaction};

use crate::model::AuditEntry;
use crate::store::{StoreError, StoreResult, Violation};

/// Numbered, append-only migrations (`migrations/server/postgres`).
const MIGRATIONS: &[(i64, &str)] = &[
    (
        1,
        include_str!("../../../../migrations/server/postgres/0001_init.sql"),
    ),
    (
        2,
        include_str!("../../../../migrations/server/postgres/0002_registry.sql"),
    ),
    (
        3,
        include_str!("../../../../migrations/server/postgres/0003_requirements.sql"),
    ),
    (
        4,
        include_str!("../../../../migrations/server/postgres/0004_field.sql"),
    ),
    (
        5,
        include_str!("../../../../migrations/server/postgres/0005_legal.sql"),
    ),
    (
        6,
        include_str!("../../../../migrations/server/postgres/0006_versions.sql"),
    ),
    (
        7,
        include_str!("../../../../migrations/server/postgres/0007_search.sql"),
    ),
    (
        8,
        include_str!("../../../../migrations/server/postgres/0008_review.sql"),
    ),
    (
        9,
        include_str!("../../../../migrations/server/postgres/0009_planning.sql"),
    ),
    (
        10,
        include_str!("../../../../migrations/server/postgres/0010_risk_history.sql"),
    ),
    (
        11,
        include_str!("../../../../migrations/server/postgres/0011_superseded_plans.sql"),
    ),
    (
        12,
        include_str!("../../../../migrations/server/postgres/0012_filings.sql"),
    ),
    (
        13,
        include_str!("../../../../migrations/server/postgres/0013_webhooks.sql"),
    ),
    (
        14,
        include_str!("../../../../migrations/server/postgres/0014_business_uploads.sql"),
    ),
    (
        15,
        include_str!("../../../../migrations/server/postgres/0015_business_keys.sql"),
    ),
];

pub struct PgStore {
    pool: Pool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgStore")
    }
}

/// An integrity violation (SQLSTATE class 23) becomes the [`Violation`] its constraint names (the
/// text itself stays in the server log); anything else is a database failure.
pub(super) fn db_err(e: tokio_postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let sqlstate = db.code().code();
        if sqlstate.starts_with("23") {
            let violation = Violation::from_postgres(sqlstate, db.constraint());
            tracing::debug!(%db, ?violation, "constraint violation");
            return StoreError::Constraint(violation);
        }
        return StoreError::Database(db.to_string());
    }
    StoreError::Database(e.to_string())
}

fn pool_err(e: deadpool_postgres::PoolError) -> StoreError {
    StoreError::Database(e.to_string())
}

pub(super) use crate::store::cols::hash_of as hash_col;

pub(super) fn i64_of(n: u64) -> StoreResult<i64> {
    i64::try_from(n).map_err(|_| StoreError::Corrupt(format!("{n} does not fit a BIGINT")))
}

pub(super) fn u64_of(n: i64) -> StoreResult<u64> {
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("negative counter {n}")))
}

pub(super) async fn insert_audit(tx: &Transaction<'_>, e: &AuditEntry) -> StoreResult<()> {
    // Not through `cols::execute`: that module leans on this one.
    tx.execute(
        crate::store::sql::accounts::INSERT_AUDIT.pg(),
        &[
            &OffsetDateTime::now_utc(),
            &e.agency.map(|a| a.as_uuid()),
            &e.actor.label(),
            &e.action,
            &e.target,
            &e.outcome.as_str(),
            &e.detail.as_ref().map(|d| d.to_string()),
            &e.address,
        ],
    )
    .await
    .map_err(db_err)?;
    Ok(())
}

impl PgStore {
    /// Connects and applies pending migrations.
    pub async fn open(url: &str) -> StoreResult<Self> {
        let config: tokio_postgres::Config = url.parse().map_err(|e: tokio_postgres::Error| {
            StoreError::Database(format!("database url: {e}"))
        })?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .build()
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let store = Self { pool };
        store.migrate().await?;
        store.fill_grounds().await?;
        Ok(store)
    }

    /// Gives every inspection that migration 0005 left without a ground the one its note
    /// states, or unspecified (the same rule as SQLite's, in Rust).
    async fn fill_grounds(&self) -> StoreResult<()> {
        let client = self.pool.get().await.map_err(pool_err)?;
        let rows = client
            .query("SELECT id, note FROM inspections WHERE ground IS NULL", &[])
            .await
            .map_err(db_err)?;
        for r in &rows {
            let (id, note): (uuid::Uuid, String) = (r.get(0), r.get(1));
            client
                .execute(
                    "UPDATE inspections SET ground = $1 WHERE id = $2 AND ground IS NULL",
                    &[&super::super::migrated_ground(&note).as_str(), &id],
                )
                .await
                .map_err(db_err)?;
        }
        if !rows.is_empty() {
            tracing::info!(
                inspections = rows.len(),
                "grounds of old unplanned inspections read from their notes"
            );
        }
        Ok(())
    }

    async fn migrate(&self) -> StoreResult<()> {
        let mut client = self.pool.get().await.map_err(pool_err)?;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
            )
            .await
            .map_err(db_err)?;
        for (version, sql) in MIGRATIONS {
            let tx = client.transaction().await.map_err(db_err)?;
            // Two servers starting at once must not both migrate.
            tx.execute("SELECT pg_advisory_xact_lock(7352001)", &[])
                .await
                .map_err(db_err)?;
            let done = tx
                .query_opt(
                    "SELECT 1 FROM schema_migrations WHERE version = $1",
                    &[version],
                )
                .await
                .map_err(db_err)?;
            if done.is_none() {
                tx.batch_execute(sql).await.map_err(db_err)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                    &[version, &OffsetDateTime::now_utc()],
                )
                .await
                .map_err(db_err)?;
                tracing::info!(version, "applied postgres migration");
            }
            tx.commit().await.map_err(db_err)?;
        }
        Ok(())
    }

    pub(super) async fn client(&self) -> StoreResult<deadpool_postgres::Object> {
        self.pool.get().await.map_err(pool_err)
    }
}

#[cfg(test)]
mod tests {
    /// Every numbered file in the migrations folder is embedded, in order.
    #[test]
    fn every_migration_file_is_applied() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations/server/postgres");
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
