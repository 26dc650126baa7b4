//! Filings on PostgreSQL (statements in `store/sql/filings.rs`). A filing or a step first locks
//! the log's state row, as every log append does: transactions with the same idempotency key
//! queue there, so the second finds the first's key, and business events are numbered in the
//! order they commit (a poller's cursor never passes an event committed later).

use knd_shared::{AgencyId, RecordId, UserId};
use time::{Date, OffsetDateTime};
use tokio_postgres::{GenericClient, Transaction};
use uuid::Uuid;

use super::PgStore;
use super::blobs::insert_attachments;
use super::cols::{execute, query_all, query_opt, text};
use super::insert_audit;
use super::planning::{add_events, cut_events};
use super::records::{append_server_record, ingest_signed};
use crate::model::filings::{
    BusinessEvent, Filing, FilingKind, FilingRecord, FilingStep, Idempotency, NewFiling, NewStep,
    RiskChange, RiskNote, Stored,
};
use crate::store::cols::Cols;
use crate::store::filings::{FilingList, FilingStore, Recorded};
use crate::store::sql::filings as sql;
use crate::store::{IngestResult, ServerChain, StoreError, StoreResult};

async fn filing(c: &impl GenericClient, id: Uuid) -> StoreResult<Option<Filing>> {
    query_opt(c, &sql::FILING, &[&id], sql::filing).await
}

async fn idempotent(
    c: &impl GenericClient,
    api_key: Uuid,
    key: &Idempotency,
) -> StoreResult<Option<Stored>> {
    let used = query_opt(c, &sql::IDEMPOTENT, &[&api_key, &key.key], |r| {
        Ok((r.hash(0)?, r.uuid(1)?, r.opt_i64(2)?))
    })
    .await?;
    let Some((request, id, step)) = used else {
        return Ok(None);
    };
    let filing = filing(c, id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("idempotency key".into()))?;
    Ok(Some(Stored::Replayed {
        filing,
        step: step.and_then(|s| u32::try_from(s).ok()),
        same: request == key.request,
    }))
}

async fn filing_of_record(c: &impl GenericClient, record: RecordId) -> StoreResult<Option<Filing>> {
    query_opt(c, &sql::FILING_OF_RECORD, &[&record.as_uuid()], sql::filing).await
}

/// Stores the record of a filing or step: the server signs its own; the business's signed one
/// joins its key's chain (for the filing's agency).
async fn record(
    tx: &Transaction<'_>,
    record: &FilingRecord,
    server: &ServerChain,
    agency: AgencyId,
    at: OffsetDateTime,
) -> StoreResult<Recorded> {
    let c = match record {
        FilingRecord::Server(r) => {
            let id = append_server_record(tx, server, Some(agency), r.kind, &r.body, at).await?;
            return Ok(Recorded::Now(id));
        }
        FilingRecord::Signed(c) => c,
    };
    Ok(match ingest_signed(tx, c, agency, &server.key, at).await? {
        IngestResult::Accepted { .. } => Recorded::Now(c.record.id),
        IngestResult::Duplicate { .. } => {
            let filing = filing_of_record(tx, c.record.id).await?.ok_or_else(|| {
                StoreError::Corrupt("a business record without its filing".into())
            })?;
            Recorded::Before(Box::new(filing))
        }
        IngestResult::Rejected(r) => Recorded::Refused(r),
    })
}

async fn lock_log(tx: &Transaction<'_>) -> StoreResult<()> {
    tx.execute("SELECT size FROM log_state WHERE id = 1 FOR UPDATE", &[])
        .await
        .map_err(super::db_err)
        .map(drop)
}

async fn take_key(
    tx: &Transaction<'_>,
    api_key: Uuid,
    key: &Idempotency,
    filing: Uuid,
    step: Option<u32>,
    at: OffsetDateTime,
) -> StoreResult<()> {
    let step = step.map(i64::from);
    execute(
        tx,
        &sql::INSERT_IDEMPOTENT,
        &[
            &api_key,
            &key.key,
            &key.request.as_bytes().as_slice(),
            &filing,
            &step,
            &at,
        ],
    )
    .await
    .map(drop)
}

async fn event(
    tx: &Transaction<'_>,
    f: &Filing,
    kind: &str,
    record: RecordId,
    data: &serde_json::Value,
    at: OffsetDateTime,
) -> StoreResult<()> {
    execute(
        tx,
        &sql::INSERT_EVENT,
        &[
            &f.subject_inn,
            &kind,
            &f.id,
            &record.as_uuid(),
            &at,
            &text(data)?,
        ],
    )
    .await
    .map(drop)
}

async fn add_filing(
    tx: &Transaction<'_>,
    n: &NewFiling,
    server: &ServerChain,
) -> StoreResult<Stored> {
    let f = &n.filing;
    lock_log(tx).await?;
    if let Some(key) = &n.idempotency
        && let Some(done) = idempotent(tx, f.api_key, key).await?
    {
        return Ok(done);
    }
    let record = match record(tx, &n.record, server, f.agency, f.received_at)
        .await?
        .id()
    {
        Ok(id) => id,
        Err(done) => return Ok(*done),
    };
    execute(
        tx,
        &sql::INSERT,
        &[
            &f.id,
            &f.agency.as_uuid(),
            &f.subject_inn,
            &f.api_key,
            &f.kind.as_str(),
            &f.target_record.map(|r| r.as_uuid()),
            &f.target_inspection.map(|i| i.as_uuid()),
            &f.target_filing,
            &text(&f.body)?,
            &f.content_sha256.as_bytes().as_slice(),
            &record.as_uuid(),
            &f.received_at,
            &f.received_on,
            &f.status,
            &f.due_on,
        ],
    )
    .await?;
    if let Some(key) = &n.idempotency {
        take_key(tx, f.api_key, key, f.id, None, f.received_at).await?;
    }
    insert_attachments(tx, f.id, &n.attachments).await?;
    risk(tx, f, n.risk.as_ref(), f.received_at).await?;
    event(tx, f, "filing.received", record, &n.event, f.received_at).await?;
    warning_change(tx, f, f.received_at).await?;
    let stored = filing(tx, f.id)
        .await?
        .ok_or_else(|| StoreError::Corrupt("filing".into()))?;
    Ok(Stored::Done(stored))
}

/// A step and the steps it carries on other filings, all or none.
async fn add_step(tx: &Transaction<'_>, n: &NewStep, server: &ServerChain) -> StoreResult<Stored> {
    let done = add_one(tx, n, server).await?;
    if matches!(done, Stored::Done(_)) {
        for then in &n.then {
            if !matches!(add_one(tx, then, server).await?, Stored::Done(_)) {
                return Err(StoreError::Stale);
            }
        }
    }
    Ok(done)
}

async fn add_one(tx: &Transaction<'_>, n: &NewStep, server: &ServerChain) -> StoreResult<Stored> {
    lock_log(tx).await?;
    let Some(before) = filing(tx, n.filing).await? else {
        return Ok(Stored::Stale);
    };
    if let Some(key) = &n.idempotency
        && let Some(done) = idempotent(tx, before.api_key, key).await?
    {
        return Ok(done);
    }
    if before.steps != n.expected_steps {
        return Ok(Stored::Stale);
    }
    let seq = n.expected_steps + 1;
    // The service says which record the step is (an agency's decision, also one the server
    // takes by the rules; or the filer's own step, which the filer may have signed).
    let record = match record(tx, &n.record, server, before.agency, n.at)
        .await?
        .id()
    {
        Ok(id) => id,
        Err(done) => return Ok(*done),
    };
    let changed = execute(
        tx,
        &sql::STEPPED,
        &[
            &n.filing,
            &n.status,
            &n.due_on,
            &n.at,
            &i64::from(n.expected_steps),
        ],
    )
    .await?;
    if changed == 0 {
        return Err(StoreError::Stale);
    }
    execute(
        tx,
        &sql::INSERT_STEP,
        &[
            &n.filing,
            &i64::from(seq),
            &text(&n.step)?,
            &n.by.map(|u| u.as_uuid()),
            &n.at,
            &record.as_uuid(),
        ],
    )
    .await?;
    if let Some(key) = &n.idempotency {
        take_key(tx, before.api_key, key, n.filing, Some(seq), n.at).await?;
    }
    insert_attachments(tx, n.filing, &n.attachments).await?;
    risk(tx, &before, n.risk.as_ref(), n.at).await?;
    if let Some(a) = &n.audit {
        insert_audit(tx, a).await?;
    }
    event(tx, &before, "filing.updated", record, &n.event, n.at).await?;
    warning_change(tx, &before, n.at).await?;
    let after = filing(tx, n.filing)
        .await?
        .ok_or_else(|| StoreError::Corrupt("filing".into()))?;
    Ok(Stored::Done(after))
}

/// What the risk model learns from a filing or step, for each of the business's objects.
async fn risk(
    tx: &Transaction<'_>,
    f: &Filing,
    note: Option<&RiskNote>,
    at: time::OffsetDateTime,
) -> StoreResult<()> {
    let Some(note) = note else { return Ok(()) };
    let objects = query_all(
        tx,
        &sql::RISK_OBJECTS,
        &[&f.agency.as_uuid(), &f.subject_inn, &note.control_type],
        |r| r.id(0),
    )
    .await?;
    match note.change {
        RiskChange::EndOn(last) => cut_events(tx, &objects, note.kind, &note.source, last).await,
        RiskChange::Add { .. } => add_events(tx, &note.events(f.agency, &objects, at))
            .await
            .map(drop),
    }
}

/// An objection (filed or decided) reaches the inspector who issued its warning: the
/// transaction's last write but its read-back (see `inspections::lock_feed`).
async fn warning_change(
    tx: &Transaction<'_>,
    f: &Filing,
    at: time::OffsetDateTime,
) -> StoreResult<()> {
    if let (FilingKind::Objection, Some(warning)) = (f.kind, f.target_record) {
        super::inspections::lock_feed(tx).await?;
        execute(
            tx,
            &sql::WARNING_CHANGE,
            &[&f.agency.as_uuid(), &at, &warning.as_uuid()],
        )
        .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl FilingStore for PgStore {
    async fn add_filing(&self, new: &NewFiling, server: &ServerChain) -> StoreResult<Stored> {
        transact!(self, |tx| add_filing(&tx, new, server).await?)
    }

    async fn add_filing_step(&self, new: &NewStep, server: &ServerChain) -> StoreResult<Stored> {
        transact!(self, |tx| add_step(&tx, new, server).await?)
    }

    async fn idempotent(&self, api_key: Uuid, key: &Idempotency) -> StoreResult<Option<Stored>> {
        idempotent(&**self.client().await?, api_key, key).await
    }

    async fn filing(&self, id: Uuid) -> StoreResult<Option<Filing>> {
        filing(&**self.client().await?, id).await
    }

    async fn filing_of_record(&self, record: RecordId) -> StoreResult<Option<Filing>> {
        filing_of_record(&**self.client().await?, record).await
    }

    async fn filing_steps(&self, id: Uuid) -> StoreResult<Vec<FilingStep>> {
        query_all(&**self.client().await?, &sql::STEPS, &[&id], sql::step).await
    }

    async fn subject_filings(
        &self,
        inn: &str,
        before: Option<Uuid>,
        limit: u32,
    ) -> StoreResult<Vec<Filing>> {
        let c = self.client().await?;
        let limit = i64::from(limit);
        match before {
            None => query_all(&**c, &sql::OF_SUBJECT_FIRST, &[&inn, &limit], sql::filing).await,
            Some(b) => {
                query_all(
                    &**c,
                    &sql::OF_SUBJECT_BEFORE,
                    &[&inn, &limit, &b],
                    sql::filing,
                )
                .await
            }
        }
    }

    async fn agency_filings(
        &self,
        agency: AgencyId,
        kind: FilingKind,
        list: &FilingList,
        limit: u32,
    ) -> StoreResult<Vec<Filing>> {
        let c = self.client().await?;
        let (a, k, limit) = (agency.as_uuid(), kind.as_str(), i64::from(limit));
        match list {
            FilingList::Open { after: None } => {
                query_all(&**c, &sql::OPEN_FIRST, &[&a, &k, &limit], sql::filing).await
            }
            FilingList::Open {
                after: Some((due, id)),
            } => {
                query_all(
                    &**c,
                    &sql::OPEN_AFTER,
                    &[&a, &k, &limit, due, id],
                    sql::filing,
                )
                .await
            }
            FilingList::Status {
                status,
                before: None,
            } => {
                query_all(
                    &**c,
                    &sql::IN_STATUS_FIRST,
                    &[&a, &k, &limit, status],
                    sql::filing,
                )
                .await
            }
            FilingList::Status {
                status,
                before: Some(id),
            } => {
                query_all(
                    &**c,
                    &sql::IN_STATUS_BEFORE,
                    &[&a, &k, &limit, status, id],
                    sql::filing,
                )
                .await
            }
        }
    }

    async fn filings_due_by(&self, agency: AgencyId, by: Date, cap: u32) -> StoreResult<u64> {
        let n: i64 = query_opt(
            &**self.client().await?,
            &sql::DUE_BY,
            &[&agency.as_uuid(), &by, &i64::from(cap)],
            |r| Ok(r.get(0)),
        )
        .await?
        .unwrap_or(0);
        u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("count {n}")))
    }

    async fn filing_record_subject(&self, record: RecordId) -> StoreResult<Option<String>> {
        query_opt(
            &**self.client().await?,
            &sql::RECORD_SUBJECT,
            &[&record.as_uuid()],
            |r| Ok(r.get(0)),
        )
        .await
    }

    async fn business_events(
        &self,
        inn: &str,
        after: i64,
        limit: u32,
    ) -> StoreResult<Vec<BusinessEvent>> {
        query_all(
            &**self.client().await?,
            &sql::EVENTS,
            &[&inn, &after, &i64::from(limit)],
            sql::event,
        )
        .await
    }

    async fn objections_to(&self, warning: RecordId) -> StoreResult<Vec<Filing>> {
        let c = self.client().await?;
        query_all(
            &**c,
            &sql::OBJECTIONS_TO,
            &[&warning.as_uuid()],
            sql::filing,
        )
        .await
    }

    async fn objections_to_warnings_of(
        &self,
        user: UserId,
        limit: u32,
    ) -> StoreResult<Vec<Filing>> {
        let c = self.client().await?;
        let limit = i64::from(limit);
        query_all(
            &**c,
            &sql::OBJECTIONS_TO_WARNINGS_OF,
            &[&user.as_uuid(), &limit],
            sql::filing,
        )
        .await
    }
}
