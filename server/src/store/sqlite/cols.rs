//! [`Cols`] for SQLite rows (uuids, times and dates stored as text), and the query helpers that
//! map rows with the shared row functions.

use knd_shared::calendar::iso_date;
use rusqlite::{Connection, OptionalExtension as _, Params, Row};
use time::{Date, OffsetDateTime};

use super::conn::{db_err, parse_ts, parse_uuid};
use crate::store::cols::Cols;
use crate::store::sql::Sql;
use crate::store::{StoreError, StoreResult};

impl Cols for Row<'_> {
    fn text(&self, i: usize) -> StoreResult<String> {
        self.get(i).map_err(db_err)
    }

    fn opt_text(&self, i: usize) -> StoreResult<Option<String>> {
        self.get(i).map_err(db_err)
    }

    fn i64(&self, i: usize) -> StoreResult<i64> {
        self.get(i).map_err(db_err)
    }

    fn opt_i64(&self, i: usize) -> StoreResult<Option<i64>> {
        self.get(i).map_err(db_err)
    }

    fn uuid(&self, i: usize) -> StoreResult<uuid::Uuid> {
        parse_uuid(&self.text(i)?)
    }

    fn opt_uuid(&self, i: usize) -> StoreResult<Option<uuid::Uuid>> {
        self.opt_text(i)?.as_deref().map(parse_uuid).transpose()
    }

    fn ts(&self, i: usize) -> StoreResult<OffsetDateTime> {
        parse_ts(&self.text(i)?)
    }

    fn opt_ts(&self, i: usize) -> StoreResult<Option<OffsetDateTime>> {
        self.opt_text(i)?.as_deref().map(parse_ts).transpose()
    }

    fn opt_date(&self, i: usize) -> StoreResult<Option<Date>> {
        self.opt_text(i)?
            .map(|s| {
                iso_date::parse(&s).map_err(|e| StoreError::Corrupt(format!("date {s:?}: {e}")))
            })
            .transpose()
    }

    fn bytes(&self, i: usize) -> StoreResult<Vec<u8>> {
        self.get(i).map_err(db_err)
    }

    fn bool(&self, i: usize) -> StoreResult<bool> {
        self.get(i).map_err(db_err)
    }
}

/// The first row of a statement, mapped; `None` when there is none.
pub(super) fn query_opt<T>(
    c: &Connection,
    sql: &Sql,
    params: impl Params,
    map: impl FnOnce(&Row<'_>) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    c.prepare_cached(sql.sqlite())
        .map_err(db_err)?
        .query_row(params, |r| Ok(map(r)))
        .optional()
        .map_err(db_err)?
        .transpose()
}

/// Every row of a statement, mapped.
pub(super) fn query_all<T>(
    c: &Connection,
    sql: &Sql,
    params: impl Params,
    map: impl Fn(&Row<'_>) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let mut stmt = c.prepare_cached(sql.sqlite()).map_err(db_err)?;
    let mut rows = stmt.query(params).map_err(db_err)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db_err)? {
        out.push(map(r)?);
    }
    Ok(out)
}

/// Runs a statement; how many rows it changed.
pub(super) fn execute(c: &Connection, sql: &Sql, params: impl Params) -> StoreResult<usize> {
    c.prepare_cached(sql.sqlite())
        .map_err(db_err)?
        .execute(params)
        .map_err(db_err)
}

/// A date as the SQLite schema stores it (ISO text).
pub(super) fn day(d: Date) -> String {
    iso_date::format(d)
}

pub(super) fn opt_day(d: Option<Date>) -> Option<String> {
    d.map(day)
}

/// A value stored as JSON text.
pub(super) fn text(v: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}
