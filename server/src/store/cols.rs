//! Reading a row's columns the same way on both backends, so that each row mapping is written
//! once (`store/sql/<area>.rs`). SQLite keeps uuids, times and dates as text and booleans as
//! integers; PostgreSQL has the types: the implementations hide that.

use knd_shared::Sha256;
use time::{Date, OffsetDateTime};

use super::{StoreError, StoreResult};

/// The columns of one result row, by position.
pub(crate) trait Cols {
    fn text(&self, i: usize) -> StoreResult<String>;
    fn opt_text(&self, i: usize) -> StoreResult<Option<String>>;
    fn i64(&self, i: usize) -> StoreResult<i64>;
    fn opt_i64(&self, i: usize) -> StoreResult<Option<i64>>;
    fn uuid(&self, i: usize) -> StoreResult<uuid::Uuid>;
    fn opt_uuid(&self, i: usize) -> StoreResult<Option<uuid::Uuid>>;
    fn ts(&self, i: usize) -> StoreResult<OffsetDateTime>;
    fn opt_ts(&self, i: usize) -> StoreResult<Option<OffsetDateTime>>;
    fn opt_date(&self, i: usize) -> StoreResult<Option<Date>>;
    fn bytes(&self, i: usize) -> StoreResult<Vec<u8>>;
    fn bool(&self, i: usize) -> StoreResult<bool>;

    /// An id newtype (`UserId`, `AgencyId`, ...).
    fn id<T: From<uuid::Uuid>>(&self, i: usize) -> StoreResult<T> {
        Ok(self.uuid(i)?.into())
    }

    fn opt_id<T: From<uuid::Uuid>>(&self, i: usize) -> StoreResult<Option<T>> {
        Ok(self.opt_uuid(i)?.map(Into::into))
    }

    fn hash(&self, i: usize) -> StoreResult<Sha256> {
        hash_of(&self.bytes(i)?)
    }

    fn u64(&self, i: usize) -> StoreResult<u64> {
        let n = self.i64(i)?;
        u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("negative counter {n}")))
    }

    fn date(&self, i: usize) -> StoreResult<Date> {
        self.opt_date(i)?
            .ok_or_else(|| StoreError::Corrupt(format!("column {i}: date is null")))
    }
}

pub(crate) fn hash_of(b: &[u8]) -> StoreResult<Sha256> {
    <[u8; 32]>::try_from(b)
        .map(Sha256::from_bytes)
        .map_err(|_| StoreError::Corrupt("hash column is not 32 bytes".into()))
}
