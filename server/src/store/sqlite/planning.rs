//! Risk-scored planning (statements in `store/sql/planning.rs`).

use knd_shared::{AgencyId, ObjectId, RecordId, UserId};
use rusqlite::{Connection, Transaction, params};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::SqliteStore;
use super::cols::{day, execute, opt_day, query_all, query_opt, text};
use super::plans::{change_plan, purge_step, save_draft};
use super::records::append_server_record;
use super::{insert_audit, ts};
use crate::model::AuditEntry;
use crate::model::planning::{
    Absence, CategoryProposal, FactsWindow, IndicatorTrigger, ObjectFactsRow, Plan, PlanAmendment,
    PlanEntry, ProposalDecision, ProposalStatus, RiskEvent,
};
use crate::store::PurgeStep;
use crate::store::sql::planning as sql;
use crate::store::sql::{Sql, facts};
use crate::store::{PlanChange, PlanningStore, ServerChain, ServerRecord, StoreError, StoreResult};

pub(super) fn add_events(
    tx: &Transaction<'_>,
    events: &[RiskEvent],
    audit: Option<&AuditEntry>,
) -> StoreResult<u64> {
    let mut n = 0u64;
    for e in events {
        n += execute(
            tx,
            &sql::INSERT_EVENT,
            params![
                e.id.to_string(),
                e.agency.to_string(),
                e.object.to_string(),
                e.kind,
                day(e.occurred_on),
                opt_day(e.due_on),
                e.passed,
                e.source,
                e.note,
                ts(e.recorded_at)
            ],
        )? as u64;
    }
    if n > 0 {
        let objects: std::collections::BTreeSet<String> =
            events.iter().map(|e| e.object.to_string()).collect();
        execute(tx, &REWRITE_HISTORY, params![text(&objects)?])?;
    }
    if let Some(a) = audit {
        insert_audit(tx, a)?;
    }
    Ok(n)
}

/// Ends the objects' event of `kind` and `source` on `last` (when there is one) and rewrites
/// their histories.
pub(super) fn cut_events(
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
            params![day(last), o.to_string(), kind, source],
        )?;
    }
    if !objects.is_empty() {
        let ids: Vec<String> = objects.iter().map(ToString::to_string).collect();
        execute(tx, &REWRITE_HISTORY, params![text(&ids)?])?;
    }
    Ok(())
}

/// Rewrites the history of the objects listed (a JSON array of ids) from their events.
static REWRITE_HISTORY: Sql = Sql::only(concat!(
    "UPDATE control_objects SET risk_history = (
         SELECT json_group_array(json_array(e.kind, e.occurred_on, e.due_on, e.passed))
         FROM risk_events e WHERE e.object_id = control_objects.id AND e.kind IN ",
    facts::history_kinds!(),
    ")
     WHERE id IN (SELECT value FROM json_each(?1))"
));

fn facts_page(
    c: &Connection,
    agency: AgencyId,
    after: Option<ObjectId>,
    limit: u32,
    w: FactsWindow,
) -> StoreResult<Vec<ObjectFactsRow>> {
    let after = after.map_or(sql::FIRST_ID.to_string(), |a| a.to_string());
    let text = crate::model::planning::WindowText::new(&w);
    let mut rows = query_all(
        c,
        &facts::FACTS_OBJECTS,
        params![agency.to_string(), after, limit],
        |r| facts::facts_object(r, &text),
    )?;
    let Some(last) = rows.last().map(|r| r.object.to_string()) else {
        return Ok(rows);
    };
    let triggers = query_all(
        c,
        &facts::FACTS_TRIGGERS,
        params![after, last, day(w.years_back[0])],
        |r| facts::trigger_count(r),
    )?;
    facts::merge_triggers(&mut rows, triggers);
    Ok(rows)
}

fn propose(tx: &Transaction<'_>, proposals: &[CategoryProposal]) -> StoreResult<u64> {
    let mut n = 0u64;
    for p in proposals {
        execute(
            tx,
            &sql::SUPERSEDE_PROPOSAL,
            params![p.object.to_string(), p.proposed.as_str()],
        )?;
        n += execute(
            tx,
            &sql::INSERT_PROPOSAL,
            params![
                p.id.to_string(),
                p.agency.to_string(),
                p.object.to_string(),
                p.control_type.to_string(),
                p.current.map(|c| c.as_str()),
                p.proposed.as_str(),
                text(&p.explanation)?,
                day(p.proposed_on),
                day(p.due_on)
            ],
        )? as u64;
    }
    Ok(n)
}

fn proposal(c: &Connection, agency: AgencyId, id: Uuid) -> StoreResult<Option<CategoryProposal>> {
    query_opt(
        c,
        &sql::PROPOSAL,
        params![agency.to_string(), id.to_string()],
        |r| sql::proposal(r),
    )
}

fn decide(
    tx: &Transaction<'_>,
    agency: AgencyId,
    id: Uuid,
    d: &ProposalDecision,
    record: Option<ServerRecord>,
    server: &ServerChain,
    audit: &AuditEntry,
) -> StoreResult<Option<CategoryProposal>> {
    let Some(p) = proposal(tx, agency, id)? else {
        return Ok(None);
    };
    if p.status != ProposalStatus::Pending {
        return Ok(None);
    }
    let record_id = match (&record, d.confirm) {
        (Some(r), true) => Some(append_server_record(
            tx,
            server,
            Some(agency),
            r.kind,
            &r.body,
            d.at,
        )?),
        _ => None,
    };
    let status = if d.confirm { "confirmed" } else { "rejected" };
    execute(
        tx,
        &sql::DECIDE_PROPOSAL,
        params![
            agency.to_string(),
            id.to_string(),
            status,
            d.by.to_string(),
            ts(d.at),
            d.reason,
            record_id.map(|r| r.to_string())
        ],
    )?;
    if d.confirm {
        execute(
            tx,
            &sql::SET_CATEGORY,
            params![
                p.object.to_string(),
                p.proposed.as_str(),
                day(d.decided_on),
                d.reason,
                ts(d.at)
            ],
        )?;
        super::inspections::reference_changed(tx, agency)?;
    }
    insert_audit(tx, audit)?;
    proposal(tx, agency, id)
}

#[async_trait::async_trait]
impl PlanningStore for SqliteStore {
    async fn add_risk_events(
        &self,
        events: &[RiskEvent],
        audit: Option<&AuditEntry>,
    ) -> StoreResult<u64> {
        let (events, audit) = (events.to_vec(), audit.cloned());
        self.transact(move |tx| add_events(tx, &events, audit.as_ref()))
            .await
    }

    async fn object_events(
        &self,
        object: ObjectId,
        kind: Option<&str>,
    ) -> StoreResult<Vec<RiskEvent>> {
        let kind = kind.unwrap_or_default().to_owned();
        self.read(move |c| {
            query_all(
                c,
                &sql::OBJECT_EVENTS,
                params![object.to_string(), kind],
                |r| sql::event(r),
            )
        })
        .await
    }

    async fn facts_page(
        &self,
        agency: AgencyId,
        after: Option<ObjectId>,
        limit: u32,
        window: FactsWindow,
    ) -> StoreResult<Vec<ObjectFactsRow>> {
        self.read(move |c| facts_page(c, agency, after, limit, window))
            .await
    }

    async fn indicator_events(
        &self,
        agency: AgencyId,
        since: Date,
    ) -> StoreResult<Vec<(ObjectId, Uuid, String, Uuid, Date)>> {
        use crate::store::cols::Cols as _;
        self.read(move |c| {
            query_all(
                c,
                &sql::INDICATOR_EVENTS,
                params![agency.to_string(), day(since)],
                |r| Ok((r.id(0)?, r.uuid(1)?, r.text(2)?, r.uuid(3)?, r.date(4)?)),
            )
        })
        .await
    }

    async fn last_triggers(&self, agency: AgencyId) -> StoreResult<Vec<(ObjectId, String, Date)>> {
        use crate::store::cols::Cols as _;
        self.read(move |c| {
            query_all(c, &sql::LAST_TRIGGERS, params![agency.to_string()], |r| {
                Ok((r.id(0)?, r.text(1)?, r.date(2)?))
            })
        })
        .await
    }

    async fn add_trigger(&self, t: &IndicatorTrigger) -> StoreResult<bool> {
        let t = t.clone();
        self.transact(move |tx| {
            Ok(execute(
                tx,
                &sql::INSERT_TRIGGER,
                params![
                    t.id.to_string(),
                    t.agency.to_string(),
                    t.object.to_string(),
                    t.control_type.to_string(),
                    t.rule_code,
                    t.rule_name,
                    day(t.triggered_on),
                    text(&t.evidence)?,
                    ts(t.recorded_at)
                ],
            )? > 0)
        })
        .await
    }

    async fn last_trigger(&self, object: ObjectId, rule: &str) -> StoreResult<Option<Date>> {
        let rule = rule.to_owned();
        self.read(move |c| {
            Ok(query_opt(
                c,
                &sql::LAST_TRIGGER,
                params![object.to_string(), rule],
                |r| crate::store::cols::Cols::opt_date(r, 0),
            )?
            .flatten())
        })
        .await
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
        let object = object.map_or(sql::FIRST_ID.to_string(), |o| o.to_string());
        self.read(move |c| {
            query_all(
                c,
                &sql::TRIGGERS,
                params![
                    agency.to_string(),
                    object,
                    day(on),
                    id.to_string(),
                    limit,
                    all
                ],
                |r| sql::trigger(r),
            )
        })
        .await
    }

    async fn link_trigger(
        &self,
        agency: AgencyId,
        trigger: Uuid,
        inspection: Uuid,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        let audit = audit.clone();
        self.transact(move |tx| {
            let n = execute(
                tx,
                &sql::LINK_TRIGGER,
                params![
                    agency.to_string(),
                    trigger.to_string(),
                    inspection.to_string()
                ],
            )?;
            if n > 0 {
                insert_audit(tx, &audit)?;
            }
            Ok(n > 0)
        })
        .await
    }

    async fn propose_categories(&self, proposals: &[CategoryProposal]) -> StoreResult<u64> {
        let proposals = proposals.to_vec();
        self.transact(move |tx| propose(tx, &proposals)).await
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
        self.read(move |c| {
            query_all(
                c,
                &sql::PROPOSALS,
                params![
                    agency.to_string(),
                    status,
                    day(before),
                    day(on),
                    id.to_string(),
                    limit
                ],
                |r| sql::proposal(r),
            )
        })
        .await
    }

    async fn proposal(&self, agency: AgencyId, id: Uuid) -> StoreResult<Option<CategoryProposal>> {
        self.read(move |c| proposal(c, agency, id)).await
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
        let (d, server, audit) = (decision.clone(), server.clone(), audit.clone());
        self.transact(move |tx| decide(tx, agency, id, &d, record, &server, &audit))
            .await
    }

    async fn absences(&self, agency: AgencyId, from: Date, to: Date) -> StoreResult<Vec<Absence>> {
        self.read(move |c| {
            query_all(
                c,
                &sql::ABSENCES,
                params![agency.to_string(), day(from), day(to)],
                |r| sql::absence(r),
            )
        })
        .await
    }

    async fn set_absences(
        &self,
        user: UserId,
        days: &[Date],
        reason: Option<&str>,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        let (days, reason, audit) = (days.to_vec(), reason.map(str::to_owned), audit.clone());
        self.transact(move |tx| {
            for d in &days {
                match &reason {
                    Some(r) => {
                        execute(tx, &sql::SET_ABSENCE, params![user.to_string(), day(*d), r])?
                    }
                    None => execute(tx, &sql::CLEAR_ABSENCE, params![user.to_string(), day(*d)])?,
                };
            }
            insert_audit(tx, &audit)
        })
        .await
    }

    async fn planning_settings(&self, agency: AgencyId) -> StoreResult<Option<serde_json::Value>> {
        self.read(move |c| {
            query_opt(c, &sql::SETTINGS, params![agency.to_string()], |r| {
                sql::settings(r)
            })
        })
        .await
    }

    async fn set_planning_settings(
        &self,
        agency: AgencyId,
        settings: &serde_json::Value,
        audit: &AuditEntry,
    ) -> StoreResult<()> {
        let (settings, audit) = (text(settings)?, audit.clone());
        self.transact(move |tx| {
            execute(
                tx,
                &sql::SET_SETTINGS,
                params![agency.to_string(), settings, ts(OffsetDateTime::now_utc())],
            )?;
            insert_audit(tx, &audit)
        })
        .await
    }

    async fn save_draft_plan(
        &self,
        plan: &Plan,
        entries: Vec<PlanEntry<String>>,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        let (plan, audit) = (plan.clone(), audit.clone());
        self.transact(move |tx| save_draft(tx, &plan, &entries, &audit))
            .await
    }

    async fn purge_step(&self, from: u32, batch: u32) -> StoreResult<PurgeStep> {
        self.transact(move |tx| purge_step(tx, from, batch)).await
    }

    async fn plans(&self, agency: AgencyId) -> StoreResult<Vec<Plan>> {
        self.read(move |c| {
            query_all(c, &sql::PLANS, params![agency.to_string()], |r| {
                sql::plan(r)
            })
        })
        .await
    }

    async fn plan(
        &self,
        agency: AgencyId,
        id: Uuid,
    ) -> StoreResult<Option<(Plan, Vec<PlanEntry>)>> {
        self.read(move |c| {
            let Some(plan) = query_opt(
                c,
                &sql::PLAN,
                params![agency.to_string(), id.to_string()],
                |r| sql::plan(r),
            )?
            else {
                return Ok(None);
            };
            let entries = query_all(c, &sql::ENTRIES, params![id.to_string()], |r| sql::entry(r))?;
            Ok(Some((plan, entries)))
        })
        .await
    }

    async fn change_plan(
        &self,
        change: &PlanChange,
        expected_version: u32,
        server: &ServerChain,
        audit: &AuditEntry,
    ) -> StoreResult<Option<Option<RecordId>>> {
        let (change, server, audit) = (change.clone(), server.clone(), audit.clone());
        match self
            .transact(move |tx| change_plan(tx, &change, expected_version, &server, &audit))
            .await
        {
            Err(StoreError::Stale) => Ok(None),
            other => other,
        }
    }

    async fn amendments(&self, plan: Uuid) -> StoreResult<Vec<PlanAmendment>> {
        self.read(move |c| {
            query_all(c, &sql::AMENDMENTS, params![plan.to_string()], |r| {
                sql::amendment(r)
            })
        })
        .await
    }

    async fn rules_versions(
        &self,
        control_type: Uuid,
    ) -> StoreResult<Vec<crate::model::planning::RulesVersion>> {
        self.read(move |c| {
            query_all(
                c,
                &sql::RULES_VERSIONS,
                params![control_type.to_string()],
                |r| sql::rules_version(r),
            )
        })
        .await
    }

    async fn facts_midpoint(&self, agency: AgencyId) -> StoreResult<Option<ObjectId>> {
        self.read(move |c| {
            query_opt(
                c,
                &facts::FACTS_MIDPOINT,
                params![agency.to_string()],
                |r| crate::store::cols::Cols::id(r, 0),
            )
        })
        .await
    }

    async fn agencies(&self) -> StoreResult<Vec<AgencyId>> {
        self.read(|c| {
            query_all(c, &sql::AGENCIES, [], |r| {
                crate::store::cols::Cols::id(r, 0)
            })
        })
        .await
    }
}
