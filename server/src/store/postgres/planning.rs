//! Risk-scored planning (statements in `store/sql/planning.rs`).

use knd_shared::{AgencyId, ObjectId, RecordId, UserId};
use time::{Date, OffsetDateTime};
use tokio_postgres::Transaction;
use uuid::Uuid;

use super::PgStore;
use super::cols::{execute, query_all, query_opt, text};
use super::insert_audit;
use super::plans::{change_plan, purge_step, save_draft};
use super::records::append_server_record;
use crate::model::AuditEntry;
use crate::model::planning::{
    Absence, CategoryProposal, FactsWindow, IndicatorTrigger, ObjectFactsRow, Plan, PlanAmendment,
    PlanEntry, ProposalDecision, ProposalStatus, RiskEvent,
};
use crate::store::PurgeStep;
use crate::store::cols::Cols;
use crate::store::sql::planning as sql;
use crate::store::sql::{Sql, facts};
use crate::store::{PlanChange, PlanningStore, ServerChain, ServerRecord, StoreResult};

/// Events inserted per statement.
const EVENTS_CHUNK: usize = 5_000;

/// Events in one statement of arrays (one already stored is skipped, as [`sql::INSERT_EVENT`]
/// does); the number stored.
async fn insert_events(tx: &Transaction<'_>, events: &[RiskEvent]) -> StoreResult<u64> {
    let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    let agencies: Vec<Uuid> = events.iter().map(|e| e.agency.as_uuid()).collect();
    let objects: Vec<Uuid> = events.iter().map(|e| e.object.as_uuid()).collect();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    let occurred: Vec<Date> = events.iter().map(|e| e.occurred_on).collect();
    let due: Vec<Option<Date>> = events.iter().map(|e| e.due_on).collect();
    let passed: Vec<Option<bool>> = events.iter().map(|e| e.passed).collect();
    let sources: Vec<&str> = events.iter().map(|e| e.source.as_str()).collect();
    let notes: Vec<&str> = events.iter().map(|e| e.note.as_str()).collect();
    let recorded: Vec<OffsetDateTime> = events.iter().map(|e| e.recorded_at).collect();
    execute(
        tx,
        &INSERT_EVENTS,
        &[
            &ids, &agencies, &objects, &kinds, &occurred, &due, &passed, &sources, &notes,
            &recorded,
        ],
    )
    .await
}

static INSERT_EVENTS: Sql = Sql::only(
    "INSERT INTO risk_events (id, agency_id, object_id, kind, occurred_on, due_on, passed, source,
                              note, recorded_at)
     SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::date[], $6::date[],
                          $7::bool[], $8::text[], $9::text[], $10::timestamptz[])
     ON CONFLICT DO NOTHING",
);

/// [`sql::SUPERSEDE_PROPOSAL`] for many objects at once.
static SUPERSEDE_PROPOSALS: Sql = Sql::only(
    "UPDATE category_proposals p SET status = 'superseded'
     FROM UNNEST($1::uuid[], $2::text[]) AS u(object_id, proposed)
     WHERE p.object_id = u.object_id AND p.status = 'pending' AND p.proposed <> u.proposed",
);

/// [`sql::INSERT_PROPOSAL`] for many objects at once.
static INSERT_PROPOSALS: Sql = Sql::only(
    "INSERT INTO category_proposals (id, agency_id, object_id, control_type_id, current_category,
                                     proposed, explanation, proposed_on, due_on, status)
     SELECT u.*, 'pending' FROM UNNEST($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[],
                                       $5::text[], $6::text[], $7::text[], $8::date[],
                                       $9::date[]) AS u
     ON CONFLICT DO NOTHING",
);

/// Rewrites the history of the objects listed from their events.
static REWRITE_HISTORY: Sql = Sql::only(concat!(
    "UPDATE control_objects o SET risk_history = COALESCE((
         SELECT json_agg(json_build_array(e.kind, e.occurred_on, e.due_on, e.passed))::text
         FROM risk_events e WHERE e.object_id = o.id AND e.kind IN ",
    facts::history_kinds!(),
    "), '[]')
     WHERE o.id = ANY($1)"
));

async fn proposal(
    c: &impl tokio_postgres::GenericClient,
    agency: AgencyId,
    id: Uuid,
) -> StoreResult<Option<CategoryProposal>> {
    query_opt(c, &sql::PROPOSAL, &[&agency.as_uuid(), &id], sql::proposal).await
}

async fn decide(
    tx: &Transaction<'_>,
    agency: AgencyId,
    id: Uuid,
    d: &ProposalDecision,
    record: Option<ServerRecord>,
    server: &ServerChain,
    audit: &AuditEntry,
) -> StoreResult<Option<CategoryProposal>> {
    let Some(p) = proposal(tx, agency, id).await? else {
        return Ok(None);
    };
    if p.status != ProposalStatus::Pending {
        return Ok(None);
    }
    let record_id = match (&record, d.confirm) {
        (Some(r), true) => Some(
            append_server_record(tx, server, Some(agency), r.kind, &r.body, d.at)
                .await?
                .as_uuid(),
        ),
        _ => None,
    };
    let status = if d.confirm { "confirmed" } else { "rejected" };
    execute(
        tx,
        &sql::DECIDE_PROPOSAL,
        &[
            &agency.as_uuid(),
            &id,
            &status,
            &d.by.as_uuid(),
            &d.at,
            &d.reason,
            &record_id,
        ],
    )
    .await?;
    if d.confirm {
        execute(
            tx,
            &sql::SET_CATEGORY,
            &[
                &p.object.as_uuid(),
                &p.proposed.as_str(),
                &d.decided_on,
                &d.reason,
                &d.at,
            ],
        )
        .await?;
        super::inspections::reference_changed(tx, agency).await?;
    }
    insert_audit(tx, audit).await?;
    proposal(tx, agency, id).await
}

/// Ends the objects' event of `kind` and `source` on `last` (when there is one) and rewrites
/// their histories.
pub(super) async fn cut_events(
    tx: &Transaction<'_>,
    objects: &[ObjectId],
    kind: &str,
    source: &str,
    last: Date,
) -> StoreResult<()> {
    for o in objects {
        execute(
            tx,
            &sql::CUT_RISK_EVENT,
            &[&last, &o.as_uuid(), &kind, &source],
        )
        .await?;
    }
    if !objects.is_empty() {
        let ids: Vec<Uuid> = objects.iter().map(|o| o.as_uuid()).collect();
        execute(tx, &REWRITE_HISTORY, &[&ids]).await?;
    }
    Ok(())
}

/// Stores events (one already stored is skipped) and rewrites their objects' histories: the
/// number stored.
pub(super) async fn add_events(tx: &Transaction<'_>, events: &[RiskEvent]) -> StoreResult<u64> {
    let mut n = 0;
    for chunk in events.chunks(EVENTS_CHUNK) {
        n += insert_events(tx, chunk).await?;
    }
    if n > 0 {
        let mut objects: Vec<Uuid> = events.iter().map(|e| e.object.as_uuid()).collect();
        objects.sort_unstable();
        objects.dedup();
        execute(tx, &REWRITE_HISTORY, &[&objects]).await?;
    }
    Ok(n)
}

#[async_trait::async_trait]
impl PlanningStore for PgStore {
    async fn add_risk_events(
        &self,
        events: &[RiskEvent],
        audit: Option<&AuditEntry>,
    ) -> StoreResult<u64> {
        transact!(self, |tx| {
            let n = add_events(&tx, events).await?;
            if let Some(a) = audit {
                insert_audit(&tx, a).await?;
            }
            n
        })
    }

    async fn object_events(
        &self,
        object: ObjectId,
        kind: Option<&str>,
    ) -> StoreResult<Vec<RiskEvent>> {
        query_all(
            &**self.client().await?,
            &sql::OBJECT_EVENTS,
            &[&object.as_uuid(), &kind.unwrap_or_default()],
            sql::event,
        )
        .await
    }

    async fn facts_page(
        &self,
        agency: AgencyId,
        after: Option<ObjectId>,
        limit: u32,
        w: FactsWindow,
    ) -> StoreResult<Vec<ObjectFactsRow>> {
        let c = self.client().await?;
        let after = after.map_or(sql::FIRST_ID, |a| a.as_uuid());
        let text = crate::model::planning::WindowText::new(&w);
        let mut rows = query_all(
            &**c,
            &facts::FACTS_OBJECTS,
            &[&agency.as_uuid(), &after, &i64::from(limit)],
            |r| facts::facts_object(r, &text),
        )
        .await?;
        let Some(last) = rows.last().map(|r| r.object.as_uuid()) else {
            return Ok(rows);
        };
        let triggers = query_all(
            &**c,
            &facts::FACTS_TRIGGERS,
            &[&after, &last, &w.years_back[0]],
            facts::trigger_count,
        )
        .await?;
        facts::merge_triggers(&mut rows, triggers);
        Ok(rows)
    }

    async fn indicator_events(
        &self,
        agency: AgencyId,
        since: Date,
    ) -> StoreResult<Vec<(ObjectId, Uuid, String, Uuid, Date)>> {
        query_all(
            &**self.client().await?,
            &sql::INDICATOR_EVENTS,
            &[&agency.as_uuid(), &since],
            |r| Ok((r.id(0)?, r.uuid(1)?, r.text(2)?, r.uuid(3)?, r.date(4)?)),
        )
        .await
    }

    async fn last_triggers(&self, agency: AgencyId) -> StoreResult<Vec<(ObjectId, String, Date)>> {
        query_all(
            &**self.client().await?,
            &sql::LAST_TRIGGERS,
            &[&agency.as_uuid()],
            |r| Ok((r.id(0)?, r.text(1)?, r.date(2)?)),
        )
        .await
    }

    async fn add_trigger(&self, t: &IndicatorTrigger) -> StoreResult<bool> {
        let n = execute(
            &**self.client().await?,
            &sql::INSERT_TRIGGER,
            &[
                &t.id,
                &t.agency.as_uuid(),
                &t.object.as_uuid(),
                &t.control_type,
                &t.rule_code,
                &t.rule_name,
                &t.triggered_on,
                &text(&t.evidence)?,
                &t.recorded_at,
            ],
        )
        .await?;
        Ok(n > 0)
    }

    async fn last_trigger(&self, object: ObjectId, rule: &str) -> StoreResult<Option<Date>> {
        Ok(query_opt(
            &**self.client().await?,
            &sql::LAST_TRIGGER,
            &[&object.as_uuid(), &rule],
            |r| r.opt_date(0),
        )
        .await?
        .flatten())
    }

    async fn triggers(
        &self,
        agency: AgencyId,
        object: Option<ObjectId>,
        after: Option<(Date, Uuid)>,
        limit: u32,
    ) -> StoreResult<Vec<IndicatorTrigger>> {
        let (on, id) = after.unwrap_or((Date::MAX, Uuid::max()));
        let all = object.is_none();
        let object = object.map_or(sql::FIRST_ID, |o| o.as_uuid());
        query_all(
            &**self.client().await?,
            &sql::TRIGGERS,
            &[
                &agency.as_uuid(),
                &object,
                &on,
                &id,
                &i64::from(limit),
                &all,
            ],
            sql::trigger,
        )
        .await
    }

    async fn link_trigger(
        &self,
        agency: AgencyId,
        trigger: Uuid,
        inspection: Uuid,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        transact!(self, |tx| {
            let n = execute(
                &*tx,
                &sql::LINK_TRIGGER,
                &[&agency.as_uuid(), &trigger, &inspection],
            )
            .await?;
            if n > 0 {
                insert_audit(&tx, audit).await?;
            }
            n > 0
        })
    }

    async fn propose_categories(&self, proposals: &[CategoryProposal]) -> StoreResult<u64> {
        let objects: Vec<Uuid> = proposals.iter().map(|p| p.object.as_uuid()).collect();
        let proposed: Vec<&str> = proposals.iter().map(|p| p.proposed.as_str()).collect();
        let ids: Vec<Uuid> = proposals.iter().map(|p| p.id).collect();
        let agencies: Vec<Uuid> = proposals.iter().map(|p| p.agency.as_uuid()).collect();
        let types: Vec<Uuid> = proposals.iter().map(|p| p.control_type).collect();
        let current: Vec<Option<&str>> = proposals
            .iter()
            .map(|p| p.current.map(|c| c.as_str()))
            .collect();
        let explanations = proposals
            .iter()
            .map(|p| text(&p.explanation))
            .collect::<StoreResult<Vec<_>>>()?;
        let proposed_on: Vec<Date> = proposals.iter().map(|p| p.proposed_on).collect();
        let due_on: Vec<Date> = proposals.iter().map(|p| p.due_on).collect();
        transact!(self, |tx| {
            execute(&*tx, &SUPERSEDE_PROPOSALS, &[&objects, &proposed]).await?;
            execute(
                &*tx,
                &INSERT_PROPOSALS,
                &[
                    &ids,
                    &agencies,
                    &objects,
                    &types,
                    &current,
                    &proposed,
                    &explanations,
                    &proposed_on,
                    &due_on,
                ],
            )
            .await?
        })
    }

    async fn proposals(
        &self,
        agency: AgencyId,
        status: Option<ProposalStatus>,
        overdue_on: Option<Date>,
        after: Option<(Date, Uuid)>,
        limit: u32,
    ) -> StoreResult<Vec<CategoryProposal>> {
        let status = status.map_or("all", ProposalStatus::as_str);
        let before = overdue_on.unwrap_or(Date::MAX);
        let (on, id) = after.unwrap_or((sql::FIRST_DAY, Uuid::nil()));
        query_all(
            &**self.client().await?,
            &sql::PROPOSALS,
            &[
                &agency.as_uuid(),
                &status,
                &before,
                &on,
                &id,
                &i64::from(limit),
            ],
            sql::proposal,
        )
        .await
    }

    async fn proposal(&self, agency: AgencyId, id: Uuid) -> StoreResult<Option<CategoryProposal>> {
        proposal(&**self.client().await?, agency, id).await
    }

    async fn decide_proposal(
        &self,
        agency: AgencyId,
        id: Uuid,
        decision: &ProposalDecision,
        record: Option<ServerRecord>,
        server: &ServerChain,
        audit: &AuditEntry,
    ) -> StoreResult<Option<CategoryProposal>> {
        transact!(self, |tx| decide(
            &tx, agency, id, decision, record, server, audit
        )
        .await?)
    }

    async fn absences(&self, agency: AgencyId, from: Date, to: Date) -> StoreResult<Vec<Absence>> {
        query_all(
            &**self.client().await?,
            &sql::ABSENCES,
            &[&agency.as_uuid(), &from, &to],
            sql::absence,
        )
        .await
    }

    async fn set_absences(
        &self,
        user: UserId,
        days: &[Date],
        reason: Option<&str>,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        transact!(self, |tx| {
            for d in days {
                match reason {
                    Some(r) => execute(&*tx, &sql::SET_ABSENCE, &[&user.as_uuid(), d, &r]).await?,
                    None => execute(&*tx, &sql::CLEAR_ABSENCE, &[&user.as_uuid(), d]).await?,
                };
            }
            insert_audit(&tx, audit).await?
        })
    }

    async fn planning_settings(&self, agency: AgencyId) -> StoreResult<Option<serde_json::Value>> {
        query_opt(
            &**self.client().await?,
            &sql::SETTINGS,
            &[&agency.as_uuid()],
            sql::settings,
        )
        .await
    }

    async fn set_planning_settings(
        &self,
        agency: AgencyId,
        settings: &serde_json::Value,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        let settings = text(settings)?;
        transact!(self, |tx| {
            execute(
                &*tx,
                &sql::SET_SETTINGS,
                &[&agency.as_uuid(), &settings, &OffsetDateTime::now_utc()],
            )
            .await?;
            insert_audit(&tx, audit).await?
        })
    }

    async fn save_draft_plan(
        &self,
        plan: &Plan,
        entries: Vec<PlanEntry<String>>,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        transact!(self, |tx| save_draft(&tx, plan, &entries, audit).await?)
    }

    async fn purge_step(&self, from: u32, batch: u32) -> StoreResult<PurgeStep> {
        transact!(self, |tx| purge_step(&tx, from, batch).await?)
    }

    async fn plans(&self, agency: AgencyId) -> StoreResult<Vec<Plan>> {
        query_all(
            &**self.client().await?,
            &sql::PLANS,
            &[&agency.as_uuid()],
            sql::plan,
        )
        .await
    }

    async fn plan(
        &self,
        agency: AgencyId,
        id: Uuid,
    ) -> StoreResult<Option<(Plan, Vec<PlanEntry>)>> {
        let c = self.client().await?;
        let Some(plan) = query_opt(&**c, &sql::PLAN, &[&agency.as_uuid(), &id], sql::plan).await?
        else {
            return Ok(None);
        };
        let entries = query_all(&**c, &sql::ENTRIES, &[&id], sql::entry).await?;
        Ok(Some((plan, entries)))
    }

    async fn change_plan(
        &self,
        change: &PlanChange,
        expected_version: u32,
        server: &ServerChain,
        audit: &AuditEntry,
    ) -> StoreResult<Option<Option<RecordId>>> {
        transact!(self, |tx| change_plan(
            &tx,
            change,
            expected_version,
            server,
            audit
        )
        .await?)
    }

    async fn amendments(&self, plan: Uuid) -> StoreResult<Vec<PlanAmendment>> {
        query_all(
            &**self.client().await?,
            &sql::AMENDMENTS,
            &[&plan],
            sql::amendment,
        )
        .await
    }

    async fn rules_versions(
        &self,
        control_type: Uuid,
    ) -> StoreResult<Vec<crate::model::planning::RulesVersion>> {
        query_all(
            &**self.client().await?,
            &sql::RULES_VERSIONS,
            &[&control_type],
            sql::rules_version,
        )
        .await
    }

    async fn facts_midpoint(&self, agency: AgencyId) -> StoreResult<Option<ObjectId>> {
        query_opt(
            &**self.client().await?,
            &facts::FACTS_MIDPOINT,
            &[&agency.as_uuid()],
            |r| r.id(0),
        )
        .await
    }

    async fn agencies(&self) -> StoreResult<Vec<AgencyId>> {
        query_all(&**self.client().await?, &sql::AGENCIES, &[], |r| r.id(0)).await
    }
}
