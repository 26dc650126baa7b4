//! Annual plans on SQLite: a draft superseding the previous one (whose entries are deleted
//! afterwards, a batch a transaction), and a change of a plan (its
//! header, the entries that changed, an amendment and the server's record) in one transaction
//! (statements in `store/sql/planning.rs`).

use knd_shared::RecordId;
use rusqlite::{Statement, ToSql, Transaction, params};
use time::OffsetDateTime;
use uuid::Uuid;

use super::cols::{execute, opt_day, query_opt, text};
use super::records::append_server_record;
use super::{db_err, insert_audit, ts};
use crate::model::AuditEntry;
use crate::model::planning::{Plan, PlanEntry, WhyJson};
use crate::store::planning::{purge_batch, purge_resume};
use crate::store::sql::Sql;
use crate::store::sql::planning as sql;
use crate::store::{PlanChange, PurgeStep, ServerChain, StoreError, StoreResult};

pub(super) fn save_draft(
    tx: &Transaction<'_>,
    plan: &Plan,
    entries: &[PlanEntry<String>],
    audit: &AuditEntry,
) -> StoreResult<bool> {
    let existing = query_opt(
        tx,
        &sql::PLAN_STATUS,
        params![plan.agency.to_string(), plan.year, plan.kind.as_str()],
        |r| {
            Ok((
                r.get::<_, String>(0).map_err(super::db_err)?,
                r.get::<_, String>(1).map_err(super::db_err)?,
            ))
        },
    )?;
    if let Some((id, status)) = existing {
        if status != "draft" {
            return Ok(false);
        }
        execute(tx, &sql::SUPERSEDE_PLAN, params![id, ts(plan.built_at)])?;
    }
    insert_plan(tx, plan)?;
    insert_entries(tx, plan.id, entries)?;
    insert_audit(tx, audit)?;
    Ok(true)
}

fn insert_plan(tx: &Transaction<'_>, p: &Plan) -> StoreResult<()> {
    execute(
        tx,
        &sql::INSERT_PLAN,
        params![
            p.id.to_string(),
            p.agency.to_string(),
            p.year,
            p.kind.as_str(),
            p.status.as_str(),
            p.version,
            text(&p.summary)?,
            p.built_by.map(|u| u.to_string()),
            ts(p.built_at),
            opt_day(p.sent_on),
            opt_day(p.approved_on),
            p.approved_by,
            opt_day(p.published_on),
            p.record.map(|r| r.to_string())
        ],
    )?;
    Ok(())
}

/// Rows per statement of a new draft: one statement a row spent more in SQLite's work per
/// statement (a cursor on the table, its indexes and the foreign keys' tables, each sought from
/// its root) than in the rows themselves.
const ROWS_PER_INSERT: usize = 64;

/// `INSERT ... VALUES` of `rows` rows of an entry's 14 columns.
fn insert_sql(rows: usize) -> String {
    let row = |i: usize| {
        let p: Vec<String> = (1..=14).map(|c| format!("?{}", i * 14 + c)).collect();
        format!("({})", p.join(", "))
    };
    let values: Vec<String> = (0..rows).map(row).collect();
    format!("{}{}", sql::INSERT_ENTRIES_HEAD, values.join(",\n"))
}

/// A new draft's entries, [`ROWS_PER_INSERT`] to a statement.
fn insert_entries(
    tx: &Transaction<'_>,
    plan: Uuid,
    entries: &[PlanEntry<String>],
) -> StoreResult<()> {
    static FULL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let full = FULL.get_or_init(|| insert_sql(ROWS_PER_INSERT));
    let plan = plan.to_string();
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        let rest;
        let sql = if chunk.len() == ROWS_PER_INSERT {
            full
        } else {
            rest = insert_sql(chunk.len());
            &rest
        };
        let mut stmt = tx.prepare_cached(sql).map_err(db_err)?;
        for (i, e) in chunk.iter().enumerate() {
            bind_entry(&mut stmt, i * 14, &plan, e)?;
        }
        stmt.raw_execute().map_err(db_err)?;
    }
    Ok(())
}

/// An entry's 14 columns bound from parameter `at + 1` on, in `INSERT_ENTRIES_HEAD`'s order
/// (the upsert's too).
fn bind_entry<W: WhyJson>(
    stmt: &mut Statement<'_>,
    at: usize,
    plan: &str,
    e: &PlanEntry<W>,
) -> StoreResult<()> {
    let why = e
        .why
        .json()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let values: [&dyn ToSql; 14] = [
        &plan,
        &e.no,
        &e.subject.to_string(),
        &e.control_type.to_string(),
        &text(&e.objects)?,
        &e.category.as_str(),
        &e.kind.as_str(),
        &e.district,
        &e.status.as_str(),
        &opt_day(e.starts_on),
        &opt_day(e.ends_on),
        &text(&e.inspectors)?,
        &why.as_ref(),
        &e.inspection.map(|i| i.to_string()),
    ];
    for (c, v) in values.into_iter().enumerate() {
        stmt.raw_bind_parameter(at + c + 1, v).map_err(db_err)?;
    }
    Ok(())
}

fn upsert_entry(tx: &Transaction<'_>, plan: Uuid, e: &PlanEntry) -> StoreResult<()> {
    let mut stmt = tx
        .prepare_cached(sql::UPSERT_ENTRY.sqlite())
        .map_err(db_err)?;
    bind_entry(&mut stmt, 0, &plan.to_string(), e)?;
    stmt.raw_execute().map_err(db_err)?;
    Ok(())
}

pub(super) fn change_plan(
    tx: &Transaction<'_>,
    change: &PlanChange,
    expected: u32,
    server: &ServerChain,
    audit: &AuditEntry,
) -> StoreResult<Option<Option<RecordId>>> {
    let p = &change.plan;
    let record = match &change.record {
        Some(r) => Some(append_server_record(
            tx,
            server,
            Some(p.agency),
            r.kind,
            &r.body,
            OffsetDateTime::now_utc(),
        )?),
        None => None,
    };
    let plan_record = if change.amendment.is_none() {
        record.or(p.record)
    } else {
        p.record
    };
    let changed = execute(
        tx,
        &sql::UPDATE_PLAN,
        params![
            p.id.to_string(),
            expected,
            p.status.as_str(),
            p.version,
            text(&p.summary)?,
            opt_day(p.sent_on),
            opt_day(p.approved_on),
            p.approved_by,
            opt_day(p.published_on),
            plan_record.map(|r| r.to_string())
        ],
    )?;
    if changed == 0 {
        return Err(StoreError::Stale);
    }
    for e in &change.entries {
        upsert_entry(tx, p.id, e)?;
    }
    if let (Some(a), Some(rid)) = (&change.amendment, record) {
        execute(
            tx,
            &sql::INSERT_AMENDMENT,
            params![
                a.plan.to_string(),
                a.version,
                a.entry,
                text(&a.change)?,
                a.reason,
                a.made_by.map(|u| u.to_string()),
                ts(a.made_at),
                rid.to_string()
            ],
        )?;
    }
    insert_audit(tx, audit)?;
    Ok(Some(record))
}

/// One step of a purge of superseded drafts ([`crate::store::PlanningStore::purge_step`]).
pub(super) fn purge_step(tx: &Transaction<'_>, from: u32, batch: u32) -> StoreResult<PurgeStep> {
    let Some(id) = query_opt(tx, &sql::SUPERSEDED_PLAN, [], |r| {
        r.get::<_, String>(0).map_err(db_err)
    })?
    else {
        return Ok(PurgeStep::Done);
    };
    let entry = |q: &Sql| -> StoreResult<Option<i64>> {
        Ok(query_opt(tx, q, params![id], |r| {
            r.get::<_, Option<i64>>(0).map_err(db_err)
        })?
        .flatten())
    };
    let Some(last) = entry(&sql::LAST_ENTRY)? else {
        execute(tx, &sql::DELETE_SUPERSEDED_PLAN, params![id])?;
        return Ok(PurgeStep::PlanDeleted);
    };
    let from = match purge_resume(from, last) {
        Some(from) => from,
        None => entry(&sql::FIRST_ENTRY)?.unwrap_or(1),
    };
    let (to, done) = purge_batch(from, batch);
    let rows = execute(tx, &sql::DELETE_ENTRY_RANGE, params![id, from, to])?;
    Ok(done(rows as u64))
}
