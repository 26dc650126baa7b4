//! Filings on SQLite (statements in `store/sql/filings.rs`). The one writer serialises every
//! transaction, so an idempotency key is checked and taken in the transaction that uses it.

use knd_shared::{AgencyId, RecordId, UserId};
use rusqlite::{Connection, Transaction, params};
use time::Date;
use uuid::Uuid;

use super::SqliteStore;
use super::blobs::insert_attachments;
use super::cols::{day, execute, opt_day, query_all, query_opt, text};
use super::planning::{add_events, cut_events};
use super::records::{append_server_record, ingest_signed};
use super::{insert_audit, ts};
use crate::model::filings::{
    BusinessEvent, Filing, FilingKind, FilingRecord, FilingStep, Idempotency, NewFiling, NewStep,
    RiskChange, RiskNote, Stored,
};
use crate::store::cols::Cols as _;
use crate::store::filings::{FilingList, FilingStore, Recorded};
use crate::store::sql::filings as sql;
use crate::store::{IngestResult, ServerChain, StoreError, StoreResult};

fn filing(c: &Connection, id: Uuid) -> StoreResult<Option<Filing>> {
    query_opt(c, &sql::FILING, [id.to_string()], |r| sql::filing(r))
}

fn idempotent(c: &Connection, api_key: Uuid, key: &Idempotency) -> StoreResult<Option<Stored>> {
    let used = query_opt(
        c,
        &sql::IDEMPOTENT,
        params![api_key.to_string(), key.key],
        |r| {
            use crate::store::cols::Cols;
            Ok((r.hash(0)?, r.uuid(1)?, r.opt_i64(2)?))
        },
    )?;
    let Some((request, id, step)) = used else {
        return Ok(None);
    };
    let filing = filing(c, id)?.ok_or_else(|| StoreError::Corrupt("idempotency key".into()))?;
    Ok(Some(Stored::Replayed {
        filing,
        step: step.and_then(|s| u32::try_from(s).ok()),
        same: request == key.request,
    }))
}

fn take_key(
    tx: &Transaction<'_>,
    api_key: Uuid,
    key: &Idempotency,
    filing: Uuid,
    step: Option<u32>,
    at: time::OffsetDateTime,
) -> StoreResult<()> {
    execute(
        tx,
        &sql::INSERT_IDEMPOTENT,
        params![
            api_key.to_string(),
            key.key,
            key.request.as_bytes().as_slice(),
            filing.to_string(),
            step,
            ts(at)
        ],
    )
    .map(drop)
}

fn event(
    tx: &Transaction<'_>,
    f: &Filing,
    kind: &str,
    record: RecordId,
    data: &serde_json::Value,
    at: time::OffsetDateTime,
) -> StoreResult<()> {
    execute(
        tx,
        &sql::INSERT_EVENT,
        params![
            f.subject_inn,
            kind,
            f.id.to_string(),
            record.to_string(),
            ts(at),
            text(data)?
        ],
    )
    .map(drop)
}

fn filing_of_record(c: &Connection, record: RecordId) -> StoreResult<Option<Filing>> {
    query_opt(c, &sql::FILING_OF_RECORD, [record.to_string()], |r| {
        sql::filing(r)
    })
}

/// Stores the record of a filing or step: the server signs its own; the business's signed one
/// joins its key's chain (for the filing's agency).
fn record(
    tx: &Transaction<'_>,
    record: &FilingRecord,
    server: &ServerChain,
    agency: AgencyId,
    at: time::OffsetDateTime,
) -> StoreResult<Recorded> {
    let c = match record {
        FilingRecord::Server(r) => {
            let id = append_server_record(tx, server, Some(agency), r.kind, &r.body, at)?;
            return Ok(Recorded::Now(id));
        }
        FilingRecord::Signed(c) => c,
    };
    Ok(match ingest_signed(tx, c, agency, &server.key, at)? {
        IngestResult::Accepted { .. } => Recorded::Now(c.record.id),
        IngestResult::Duplicate { .. } => {
            let filing = filing_of_record(tx, c.record.id)?.ok_or_else(|| {
                StoreError::Corrupt("a business record without its filing".into())
            })?;
            Recorded::Before(Box::new(filing))
        }
        IngestResult::Rejected(r) => Recorded::Refused(r),
    })
}

fn add_filing(tx: &Transaction<'_>, n: &NewFiling, server: &ServerChain) -> StoreResult<Stored> {
    let f = &n.filing;
    if let Some(key) = &n.idempotency
        && let Some(done) = idempotent(tx, f.api_key, key)?
    {
        return Ok(done);
    }
    let record = match record(tx, &n.record, server, f.agency, f.received_at)?.id() {
        Ok(id) => id,
        Err(done) => return Ok(*done),
    };
    execute(
        tx,
        &sql::INSERT,
        params![
            f.id.to_string(),
            f.agency.to_string(),
            f.subject_inn,
            f.api_key.to_string(),
            f.kind.as_str(),
            f.target_record.map(|r| r.to_string()),
            f.target_inspection.map(|i| i.to_string()),
            f.target_filing.map(|i| i.to_string()),
            text(&f.body)?,
            f.content_sha256.as_bytes().as_slice(),
            record.to_string(),
            ts(f.received_at),
            day(f.received_on),
            f.status,
            opt_day(f.due_on),
        ],
    )?;
    if let Some(key) = &n.idempotency {
        take_key(tx, f.api_key, key, f.id, None, f.received_at)?;
    }
    insert_attachments(tx, f.id, &n.attachments)?;
    warning_change(tx, f, f.received_at)?;
    risk(tx, f, n.risk.as_ref(), f.received_at)?;
    event(tx, f, "filing.received", record, &n.event, f.received_at)?;
    let stored = filing(tx, f.id)?.ok_or_else(|| StoreError::Corrupt("filing".into()))?;
    Ok(Stored::Done(stored))
}

/// A step and the steps it carries on other filings, all or none.
fn add_step(tx: &Transaction<'_>, n: &NewStep, server: &ServerChain) -> StoreResult<Stored> {
    let done = add_one(tx, n, server)?;
    if matches!(done, Stored::Done(_)) {
        for then in &n.then {
            if !matches!(add_one(tx, then, server)?, Stored::Done(_)) {
                return Err(StoreError::Stale);
            }
        }
    }
    Ok(done)
}

fn add_one(tx: &Transaction<'_>, n: &NewStep, server: &ServerChain) -> StoreResult<Stored> {
    let Some(before) = filing(tx, n.filing)? else {
        return Ok(Stored::Stale);
    };
    if let Some(key) = &n.idempotency
        && let Some(done) = idempotent(tx, before.api_key, key)?
    {
        return Ok(done);
    }
    if before.steps != n.expected_steps {
        return Ok(Stored::Stale);
    }
    let seq = n.expected_steps + 1;
    // The service says which record the step is (an agency's decision, also one the server
    // takes by the rules; or the filer's own step, which the filer may have signed).
    let record = match record(tx, &n.record, server, before.agency, n.at)?.id() {
        Ok(id) => id,
        Err(done) => return Ok(*done),
    };
    let changed = execute(
        tx,
        &sql::STEPPED,
        params![
            n.filing.to_string(),
            n.status,
            opt_day(n.due_on),
            ts(n.at),
            n.expected_steps
        ],
    )?;
    if changed == 0 {
        return Err(StoreError::Stale);
    }
    execute(
        tx,
        &sql::INSERT_STEP,
        params![
            n.filing.to_string(),
            seq,
            text(&n.step)?,
            n.by.map(|u| u.to_string()),
            ts(n.at),
            record.to_string()
        ],
    )?;
    if let Some(key) = &n.idempotency {
        take_key(tx, before.api_key, key, n.filing, Some(seq), n.at)?;
    }
    insert_attachments(tx, n.filing, &n.attachments)?;
    warning_change(tx, &before, n.at)?;
    risk(tx, &before, n.risk.as_ref(), n.at)?;
    if let Some(a) = &n.audit {
        insert_audit(tx, a)?;
    }
    event(tx, &before, "filing.updated", record, &n.event, n.at)?;
    let after = filing(tx, n.filing)?.ok_or_else(|| StoreError::Corrupt("filing".into()))?;
    Ok(Stored::Done(after))
}

/// What the risk model learns from a filing or step, for each of the business's objects.
fn risk(
    tx: &Transaction<'_>,
    f: &Filing,
    note: Option<&RiskNote>,
    at: time::OffsetDateTime,
) -> StoreResult<()> {
    let Some(note) = note else { return Ok(()) };
    let objects = query_all(
        tx,
        &sql::RISK_OBJECTS,
        params![f.agency.to_string(), f.subject_inn, note.control_type],
        |r| r.id(0),
    )?;
    match note.change {
        RiskChange::EndOn(last) => cut_events(tx, &objects, note.kind, &note.source, last),
        RiskChange::Add { .. } => {
            add_events(tx, &note.events(f.agency, &objects, at), None).map(drop)
        }
    }
}

/// An objection (filed or decided) reaches the inspector who issued its warning.
fn warning_change(tx: &Transaction<'_>, f: &Filing, at: time::OffsetDateTime) -> StoreResult<()> {
    if let (FilingKind::Objection, Some(warning)) = (f.kind, f.target_record) {
        execute(
            tx,
            &sql::WARNING_CHANGE,
            params![f.agency.to_string(), ts(at), warning.to_string()],
        )?;
    }
    Ok(())
}

fn agency_filings(
    c: &Connection,
    agency: AgencyId,
    kind: FilingKind,
    list: &FilingList,
    limit: u32,
) -> StoreResult<Vec<Filing>> {
    let (a, k) = (agency.to_string(), kind.as_str());
    let map = |r: &rusqlite::Row<'_>| sql::filing(r);
    match list {
        FilingList::Open { after: None } => {
            query_all(c, &sql::OPEN_FIRST, params![a, k, limit], map)
        }
        FilingList::Open {
            after: Some((due, id)),
        } => query_all(
            c,
            &sql::OPEN_AFTER,
            params![a, k, limit, day(*due), id.to_string()],
            map,
        ),
        FilingList::Status {
            status,
            before: None,
        } => query_all(c, &sql::IN_STATUS_FIRST, params![a, k, limit, status], map),
        FilingList::Status {
            status,
            before: Some(id),
        } => query_all(
            c,
            &sql::IN_STATUS_BEFORE,
            params![a, k, limit, status, id.to_string()],
            map,
        ),
    }
}

#[async_trait::async_trait]
impl FilingStore for SqliteStore {
    async fn add_filing(&self, new: &NewFiling, server: &ServerChain) -> StoreResult<Stored> {
        let (new, server) = (new.clone(), server.clone());
        self.transact(move |tx| add_filing(tx, &new, &server)).await
    }

    async fn add_filing_step(&self, new: &NewStep, server: &ServerChain) -> StoreResult<Stored> {
        let (new, server) = (new.clone(), server.clone());
        self.transact(move |tx| add_step(tx, &new, &server)).await
    }

    async fn idempotent(&self, api_key: Uuid, key: &Idempotency) -> StoreResult<Option<Stored>> {
        let key = key.clone();
        self.read(move |c| idempotent(c, api_key, &key)).await
    }

    async fn filing(&self, id: Uuid) -> StoreResult<Option<Filing>> {
        self.read(move |c| filing(c, id)).await
    }

    async fn filing_of_record(&self, record: RecordId) -> StoreResult<Option<Filing>> {
        self.read(move |c| filing_of_record(c, record)).await
    }

    async fn filing_steps(&self, id: Uuid) -> StoreResult<Vec<FilingStep>> {
        self.read(move |c| query_all(c, &sql::STEPS, [id.to_string()], |r| sql::step(r)))
            .await
    }

    async fn subject_filings(
        &self,
        inn: &str,
        before: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Filing>> {
        let inn = inn.to_owned();
        self.read(move |c| match before {
            None => query_all(c, &sql::OF_SUBJECT_FIRST, params![inn, limit], |r| {
                sql::filing(r)
            }),
            Some(b) => query_all(
                c,
                &sql::OF_SUBJECT_BEFORE,
                params![inn, limit, b.to_string()],
                |r| sql::filing(r),
            ),
        })
        .await
    }

    async fn agency_filings(
        &self,
        agency: AgencyId,
        kind: FilingKind,
        list: &FilingList,
        limit: u32,
    ) -> StoreResult<Vec<Filing>> {
        let list = list.clone();
        self.read(move |c| agency_filings(c, agency, kind, &list, limit))
            .await
    }

    async fn filings_due_by(&self, agency: AgencyId, by: Date, cap: u32) -> StoreResult<u64> {
        self.read(move |c| {
            let n: i64 = query_opt(
                c,
                &sql::DUE_BY,
                params![agency.to_string(), day(by), cap],
                |r| r.get(0).map_err(super::db_err),
            )?
            .unwrap_or(0);
            u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("count {n}")))
        })
        .await
    }

    async fn filing_record_subject(&self, record: RecordId) -> StoreResult<Option<String>> {
        self.read(move |c| {
            query_opt(c, &sql::RECORD_SUBJECT, [record.to_string()], |r| {
                r.get(0).map_err(super::db_err)
            })
        })
        .await
    }

    async fn business_events(
        &self,
        inn: &str,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<BusinessEvent>> {
        let inn = inn.to_owned();
        self.read(move |c| {
            query_all(c, &sql::EVENTS, params![inn, after, limit], |r| {
                sql::event(r)
            })
        })
        .await
    }

    async fn objections_to(&self, warning: RecordId) -> StoreResult<Vec<Filing>> {
        self.read(move |c| {
            query_all(c, &sql::OBJECTIONS_TO, [warning.to_string()], |r| {
                sql::filing(r)
            })
        })
        .await
    }

    async fn objections_to_warnings_of(
        &self,
        user: UserId,
        limit: u32,
    ) -> StoreResult<Vec<Filing>> {
        self.read(move |c| {
            query_all(
                c,
                &sql::OBJECTIONS_TO_WARNINGS_OF,
                params![user.to_string(), limit],
                |r| sql::filing(r),
            )
        })
        .await
    }
}
