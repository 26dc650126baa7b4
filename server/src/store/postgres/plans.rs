//! Annual plans on PostgreSQL: a draft superseding the previous one (its entries in statements
//! of arrays; the old draft's deleted afterwards, a batch a transaction), and a change of a plan (its header, the entries that changed, an amendment and
//! the server's record) in one transaction (statements in `store/sql/planning.rs`).

use knd_shared::RecordId;
use time::{Date, OffsetDateTime};
use tokio_postgres::Transaction;
use uuid::Uuid;

use super::cols::{execute, int, query_opt, text};
use super::insert_audit;
use super::records::append_server_record;
use crate::model::AuditEntry;
use crate::model::planning::{Plan, PlanEntry};
use crate::store::cols::Cols;
use crate::store::planning::{purge_batch, purge_resume};
use crate::store::sql::Sql;
use crate::store::sql::planning as sql;
use crate::store::{PlanChange, PurgeStep, ServerChain, StoreResult};

async fn upsert_entry(tx: &Transaction<'_>, plan: Uuid, e: &PlanEntry) -> StoreResult<()> {
    execute(
        tx,
        &sql::UPSERT_ENTRY,
        &[
            &plan,
            &int(e.no)?,
            &e.subject.as_uuid(),
            &e.control_type,
            &text(&e.objects)?,
            &e.category.as_str(),
            &e.kind.as_str(),
            &e.district,
            &e.status.as_str(),
            &e.starts_on,
            &e.ends_on,
            &text(&e.inspectors)?,
            &text(&e.why)?,
            &e.inspection,
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn save_draft(
    tx: &Transaction<'_>,
    p: &Plan,
    entries: &[PlanEntry<String>],
    audit: &AuditEntry,
) -> StoreResult<bool> {
    let existing = query_opt(
        tx,
        &sql::PLAN_STATUS,
        &[&p.agency.as_uuid(), &p.year, &p.kind.as_str()],
        |r| Ok((r.uuid(0)?, r.text(1)?)),
    )
    .await?;
    if let Some((id, status)) = existing {
        if status != "draft" {
            return Ok(false);
        }
        execute(tx, &sql::SUPERSEDE_PLAN, &[&id, &p.built_at]).await?;
    }
    execute(
        tx,
        &sql::INSERT_PLAN,
        &[
            &p.id,
            &p.agency.as_uuid(),
            &p.year,
            &p.kind.as_str(),
            &p.status.as_str(),
            &int(p.version)?,
            &text(&p.summary)?,
            &p.built_by.map(|u| u.as_uuid()),
            &p.built_at,
            &p.sent_on,
            &p.approved_on,
            &p.approved_by,
            &p.published_on,
            &p.record.map(|r| r.as_uuid()),
        ],
    )
    .await?;
    for chunk in entries.chunks(ENTRIES_CHUNK) {
        insert_entries(tx, p.id, chunk).await?;
    }
    insert_audit(tx, audit).await?;
    Ok(true)
}

/// Entries inserted per statement.
const ENTRIES_CHUNK: usize = 5_000;

static INSERT_ENTRIES: Sql = Sql::only(
    "INSERT INTO plan_entries (plan_id, entry_no, subject_id, control_type_id, objects, category,
                               kind, district, status, starts_on, ends_on, inspectors, why,
                               inspection_id)
     SELECT $1, * FROM UNNEST($2::int4[], $3::uuid[], $4::uuid[], $5::text[], $6::text[],
                              $7::text[], $8::text[], $9::text[], $10::date[], $11::date[],
                              $12::text[], $13::text[], $14::uuid[])",
);

/// A new draft's entries in one statement of arrays.
async fn insert_entries(
    tx: &Transaction<'_>,
    plan: Uuid,
    entries: &[PlanEntry<String>],
) -> StoreResult<()> {
    let mut no = Vec::with_capacity(entries.len());
    for e in entries {
        no.push(int(e.no)?);
    }
    let subjects: Vec<Uuid> = entries.iter().map(|e| e.subject.as_uuid()).collect();
    let types: Vec<Uuid> = entries.iter().map(|e| e.control_type).collect();
    let objects = entries
        .iter()
        .map(|e| text(&e.objects))
        .collect::<StoreResult<Vec<_>>>()?;
    let categories: Vec<&str> = entries.iter().map(|e| e.category.as_str()).collect();
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    let districts: Vec<&str> = entries.iter().map(|e| e.district.as_str()).collect();
    let statuses: Vec<&str> = entries.iter().map(|e| e.status.as_str()).collect();
    let starts: Vec<Option<Date>> = entries.iter().map(|e| e.starts_on).collect();
    let ends: Vec<Option<Date>> = entries.iter().map(|e| e.ends_on).collect();
    let inspectors = entries
        .iter()
        .map(|e| text(&e.inspectors))
        .collect::<StoreResult<Vec<_>>>()?;
    let why: Vec<&str> = entries.iter().map(|e| e.why.as_str()).collect();
    let measures: Vec<Option<Uuid>> = entries.iter().map(|e| e.inspection).collect();
    execute(
        tx,
        &INSERT_ENTRIES,
        &[
            &plan,
            &no,
            &subjects,
            &types,
            &objects,
            &categories,
            &kinds,
            &districts,
            &statuses,
            &starts,
            &ends,
            &inspectors,
            &why,
            &measures,
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn change_plan(
    tx: &Transaction<'_>,
    change: &PlanChange,
    expected: u32,
    server: &ServerChain,
    audit: &AuditEntry,
) -> StoreResult<Option<Option<RecordId>>> {
    let p = &change.plan;
    let record = match &change.record {
        Some(r) => Some(
            append_server_record(
                tx,
                server,
                Some(p.agency),
                r.kind,
                &r.body,
                OffsetDateTime::now_utc(),
            )
            .await?,
        ),
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
        &[
            &p.id,
            &int(expected)?,
            &p.status.as_str(),
            &int(p.version)?,
            &text(&p.summary)?,
            &p.sent_on,
            &p.approved_on,
            &p.approved_by,
            &p.published_on,
            &plan_record.map(|r| r.as_uuid()),
        ],
    )
    .await?;
    if changed == 0 {
        return Ok(None);
    }
    for e in &change.entries {
        upsert_entry(tx, p.id, e).await?;
    }
    if let (Some(a), Some(rid)) = (&change.amendment, record) {
        execute(
            tx,
            &sql::INSERT_AMENDMENT,
            &[
                &a.plan,
                &int(a.version)?,
                &int(a.entry)?,
                &text(&a.change)?,
                &a.reason,
                &a.made_by.map(|u| u.as_uuid()),
                &a.made_at,
                &rid.as_uuid(),
            ],
        )
        .await?;
    }
    insert_audit(tx, audit).await?;
    Ok(Some(record))
}

/// One step of a purge of superseded drafts ([`crate::store::PlanningStore::purge_step`]).
pub(super) async fn purge_step(
    tx: &Transaction<'_>,
    from: u32,
    batch: u32,
) -> StoreResult<PurgeStep> {
    let Some(id) = query_opt(tx, &sql::SUPERSEDED_PLAN, &[], |r| r.uuid(0)).await? else {
        return Ok(PurgeStep::Done);
    };
    let last: Option<i64> = query_opt(tx, &sql::LAST_ENTRY, &[&id], |r| r.opt_i64(0))
        .await?
        .flatten();
    let Some(last) = last else {
        execute(tx, &sql::DELETE_SUPERSEDED_PLAN, &[&id]).await?;
        return Ok(PurgeStep::PlanDeleted);
    };
    let from = match purge_resume(from, last) {
        Some(from) => from,
        None => query_opt(tx, &sql::FIRST_ENTRY, &[&id], |r| r.opt_i64(0))
            .await?
            .flatten()
            .unwrap_or(1),
    };
    let (to, done) = purge_batch(from, batch);
    let rows = execute(tx, &sql::DELETE_ENTRY_RANGE, &[&id, &from, &to]).await?;
    Ok(done(rows))
}
