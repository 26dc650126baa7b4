//! [`Cols`] for PostgreSQL rows (native types), and the query helpers that map rows with the
//! shared row functions.

use time::{Date, OffsetDateTime};
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{GenericClient, Row};

use super::conn::db_err;
use crate::store::cols::Cols;
use crate::store::sql::Sql;
use crate::store::{StoreError, StoreResult};

fn get<'a, T: FromSql<'a>>(r: &'a Row, i: usize) -> StoreResult<T> {
    r.try_get(i)
        .map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
}

impl Cols for Row {
    fn text(&self, i: usize) -> StoreResult<String> {
        get(self, i)
    }

    fn opt_text(&self, i: usize) -> StoreResult<Option<String>> {
        get(self, i)
    }

    fn i64(&self, i: usize) -> StoreResult<i64> {
        get(self, i)
    }

    fn opt_i64(&self, i: usize) -> StoreResult<Option<i64>> {
        get(self, i)
    }

    fn uuid(&self, i: usize) -> StoreResult<uuid::Uuid> {
        get(self, i)
    }

    fn opt_uuid(&self, i: usize) -> StoreResult<Option<uuid::Uuid>> {
        get(self, i)
    }

    fn ts(&self, i: usize) -> StoreResult<OffsetDateTime> {
        get(self, i)
    }

    fn opt_ts(&self, i: usize) -> StoreResult<Option<OffsetDateTime>> {
        get(self, i)
    }

    fn opt_date(&self, i: usize) -> StoreResult<Option<Date>> {
        get(self, i)
    }

    fn bytes(&self, i: usize) -> StoreResult<Vec<u8>> {
        get(self, i)
    }

    fn bool(&self, i: usize) -> StoreResult<bool> {
        get(self, i)
    }
}

/// Parameters as tokio-postgres takes them.
pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// The first row of a statement, mapped; `None` when there is none.
pub(super) async fn query_opt<T>(
    c: &impl GenericClient,
    sql: &Sql,
    params: Params<'_>,
    map: impl FnOnce(&Row) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    c.query_opt(sql.pg(), params)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(map)
        .transpose()
}

/// Every row of a statement, mapped.
pub(super) async fn query_all<T>(
    c: &impl GenericClient,
    sql: &Sql,
    params: Params<'_>,
    map: impl Fn(&Row) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    c.query(sql.pg(), params)
        .await
        .map_err(db_err)?
        .iter()
        .map(map)
        .collect()
}

/// Runs a statement; how many rows it changed.
pub(super) async fn execute(
    c: &impl GenericClient,
    sql: &Sql,
    params: Params<'_>,
) -> StoreResult<u64> {
    c.execute(sql.pg(), params).await.map_err(db_err)
}

/// A value stored as JSON text.
pub(super) fn text(v: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// A count or number stored as `INTEGER`.
pub(super) fn int(n: u32) -> StoreResult<i32> {
    i32::try_from(n).map_err(|_| StoreError::Corrupt(format!("number {n}")))
}
