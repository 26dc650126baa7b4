//! The PostgreSQL store (production). Filled in below.

use super::{StoreError, StoreResult};

#[derive(Debug)]
pub struct PgStore;

impl PgStore {
    pub async fn open(url: &str) -> StoreResult<Self> {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}

pub async fn open(url: &str) -> StoreResult<std::sync::Arc<dyn super::Store>> {
    PgStore::open(url).await?;
    Err(StoreError::UnsupportedUrl(url.to_owned()))
}
