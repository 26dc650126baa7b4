//! The PostgreSQL store (production: replication, backups, and Postgres-compatible distributed
//! engines). A deadpool of tokio-postgres connections; log appends are serialised by locking the
//! single `log_state` row, which every appending transaction takes first.

/// Runs the body in a transaction on a pooled connection and commits it.
macro_rules! transact {
    ($self:ident, |$tx:ident| $body:expr) => {{
        let mut client = $self.client().await?;
        let $tx = client.transaction().await.map_err(super::db_err)?;
        let out = $body;
        $tx.commit().await.map_err(super::db_err)?;
        Ok(out)
    }};
}

/// The change feed's advisory lock (`inspections::lock_feed`), "kndfeed" in ASCII.
pub const FEED_LOCK: i64 = 0x006b_6e64_6665_6564;

mod accounts;
mod blobs;
mod business_keys;
mod checklists;
mod cols;
mod conn;
mod devices;
mod field;
mod filings;
mod inspections;
mod planning;
mod plans;
mod projections;
mod pull;
mod records;
mod registry;
mod review;
mod search;
mod users;
mod webhooks;

use std::sync::Arc;

use super::{Store, StoreResult};

pub use conn::PgStore;
use conn::{db_err, hash_col, i64_of, insert_audit, u64_of};

pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    Ok(Arc::new(PgStore::open(url).await?))
}
