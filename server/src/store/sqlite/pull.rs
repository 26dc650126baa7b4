//! Pull's batched reads (statements in `store/sql/pull.rs`): every statement of a call runs on one
//! reader, in one read transaction, so a page is read from one snapshot.

use knd_shared::{AgencyId, InspectionId};
use rusqlite::{Connection, params};

use super::SqliteStore;
use super::cols::query_all;
use super::db_err;
use crate::model::Inspection;
use crate::store::pull::{PageDetails, PullStore, Wanted, complete};
use crate::store::sql::{pull as sql, registry};
use crate::store::{StoreError, StoreResult};

/// A set as SQLite's statements read it: a JSON array of its members' text.
fn set<T: ToString>(members: impl IntoIterator<Item = T>) -> StoreResult<String> {
    let texts: Vec<String> = members.into_iter().map(|m| m.to_string()).collect();
    serde_json::to_string(&texts).map_err(|e| StoreError::Database(e.to_string()))
}

fn inspections_by_ids(
    c: &Connection,
    agency: AgencyId,
    ids: &[InspectionId],
) -> StoreResult<Vec<Inspection>> {
    let ids_set = set(ids)?;
    let agency = agency.to_string();
    let found = query_all(c, &sql::INSPECTIONS.sqlite, params![ids_set, agency], |r| {
        sql::inspection(r)
    })?;
    with_lists_of(c, ids, found)
}

/// Fills the lists (objects, inspectors, further subjects) of the inspections `found`, three
/// statements whatever their number, and gives them back in the order of `ids`. The list
/// endpoint uses it too, so no list reads three statements per row.
pub(super) fn with_lists_of(
    c: &Connection,
    ids: &[InspectionId],
    found: Vec<Inspection>,
) -> StoreResult<Vec<Inspection>> {
    let ids_set = set(ids)?;
    let objects = query_all(c, &sql::INSPECTION_OBJECTS.sqlite, [&ids_set], |r| {
        sql::listed(r)
    })?;
    let inspectors = query_all(c, &sql::INSPECTORS.sqlite, [&ids_set], |r| {
        sql::inspector(r)
    })?;
    let others = query_all(c, &sql::OTHER_SUBJECTS.sqlite, [&ids_set], |r| {
        sql::listed(r)
    })?;
    Ok(complete(ids, found, objects, inspectors, others))
}

fn page_details(
    c: &Connection,
    agency: AgencyId,
    wanted: &Wanted,
    history_limit: u32,
) -> StoreResult<PageDetails> {
    let agency = agency.to_string();
    let objects = query_all(
        c,
        &sql::OBJECTS.sqlite,
        params![set(&wanted.objects)?, agency],
        |r| registry::object(r),
    )?;
    let subjects = query_all(
        c,
        &sql::SUBJECTS.sqlite,
        params![set(&wanted.inns)?, agency],
        |r| registry::subject(r),
    )?;
    let violations = query_all(
        c,
        &sql::PAST_VIOLATIONS.sqlite,
        params![set(&wanted.inspections)?, agency, history_limit],
        |r| sql::past_violation(r),
    )?;
    let orders = query_all(
        c,
        &sql::ORDERS.sqlite,
        params![set(&wanted.main_inns)?, agency, history_limit],
        |r| sql::document(r),
    )?;
    Ok(PageDetails::from_rows(
        objects, subjects, violations, orders,
    ))
}

/// Runs `f` in a read transaction: its statements see one snapshot (WAL gives each statement its
/// own otherwise).
fn snapshot<T>(c: &Connection, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
    let tx = c.unchecked_transaction().map_err(db_err)?;
    let out = f(&tx)?;
    tx.commit().map_err(db_err)?;
    Ok(out)
}

#[async_trait::async_trait]
impl PullStore for SqliteStore {
    async fn inspections_by_ids(
        &self,
        agency: AgencyId,
        ids: &[InspectionId],
    ) -> StoreResult<Vec<Inspection>> {
        let ids = ids.to_vec();
        self.read(move |c| snapshot(c, |c| inspections_by_ids(c, agency, &ids)))
            .await
    }

    async fn page_details(
        &self,
        agency: AgencyId,
        inspections: &[Inspection],
        history_limit: u32,
    ) -> StoreResult<PageDetails> {
        let wanted = Wanted::of(inspections);
        self.read(move |c| snapshot(c, |c| page_details(c, agency, &wanted, history_limit)))
            .await
    }
}
