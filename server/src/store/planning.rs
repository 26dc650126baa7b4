//! Risk-scored planning: risk events, the facts the model reads, triggered indicators, category
//! proposals and their decisions, inspector absences, planning settings, annual plans.

use async_trait::async_trait;
use knd_shared::record::RecordKind;
use knd_shared::{AgencyId, ObjectId, RecordId, UserId};
use time::Date;
use uuid::Uuid;

use super::{ServerChain, StoreResult};
use crate::model::AuditEntry;
use crate::model::planning::{
    Absence, CategoryProposal, FactsWindow, IndicatorTrigger, ObjectFactsRow, Plan, PlanAmendment,
    PlanEntry, ProposalDecision, ProposalStatus, RiskEvent, RulesVersion,
};

/// A record the server signs on its own chain within the same transaction as the change it
/// attests.
#[derive(Debug, Clone)]
pub struct ServerRecord {
    pub kind: RecordKind,
    pub body: serde_json::Value,
}

/// What one step of a purge of superseded drafts did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurgeStep {
    /// `rows` entries deleted; the next step starts at entry `next`.
    Entries { rows: u64, next: u32 },
    /// A draft whose entries were gone deleted; the next one starts at entry 1.
    PlanDeleted,
    /// Nothing superseded is left.
    Done,
}

/// Where a purge step of a draft whose last entry is `last` resumes, asked to start at `from`
/// (the previous step's `next`): there, or — past the last entry, as after a restart or with
/// another draft — at the draft's first entry (`None`: the backend reads it).
pub(crate) fn purge_resume(from: u32, last: i64) -> Option<i64> {
    (i64::from(from) <= last).then_some(i64::from(from))
}

/// The entries a step deletes from `start` (`start..to`), and the step's answer once `rows`
/// were deleted.
pub(crate) fn purge_batch(start: i64, batch: u32) -> (i64, impl FnOnce(u64) -> PurgeStep) {
    let to = start + i64::from(batch);
    (to, move |rows| PurgeStep::Entries {
        rows,
        next: u32::try_from(to).unwrap_or(u32::MAX),
    })
}

/// What a plan change writes in one transaction: the header, the entries that changed, an
/// amendment, and the server's record of it (approval, amendment).
#[derive(Debug, Clone)]
pub struct PlanChange {
    pub plan: Plan,
    pub entries: Vec<PlanEntry>,
    /// The amendment (its `record` is filled with the server record's id).
    pub amendment: Option<PlanAmendment>,
    pub record: Option<ServerRecord>,
}

/// Risk-scored planning.
#[async_trait]
pub trait PlanningStore: Send + Sync {
    /// Stores events; one already stored (same object, kind and source) is skipped. The
    /// number stored.
    async fn add_risk_events(
        &self,
        events: &[RiskEvent],
        audit: Option<&AuditEntry>,
    ) -> StoreResult<u64>;

    /// An object's events, oldest first, of one kind or all.
    async fn object_events(
        &self,
        object: ObjectId,
        kind: Option<&str>,
    ) -> StoreResult<Vec<RiskEvent>>;

    /// The agency's objects in id order after `after`, with their counts over `window`.
    async fn facts_page(
        &self,
        agency: AgencyId,
        after: Option<ObjectId>,
        limit: u32,
        window: FactsWindow,
    ) -> StoreResult<Vec<ObjectFactsRow>>;

    /// The id of the agency's object in the middle of id order (none when it has none): where
    /// a second reader of the facts starts.
    async fn facts_midpoint(&self, agency: AgencyId) -> StoreResult<Option<ObjectId>>;

    /// The agency's events an indicator counts since `since`, by object then date: (object,
    /// its control type, kind, event id, date).
    async fn indicator_events(
        &self,
        agency: AgencyId,
        since: Date,
    ) -> StoreResult<Vec<(ObjectId, Uuid, String, Uuid, Date)>>;

    /// The last day each rule fired for each of the agency's objects.
    async fn last_triggers(&self, agency: AgencyId) -> StoreResult<Vec<(ObjectId, String, Date)>>;

    /// Stores a trigger; false when the same rule fired for the object on that day already.
    async fn add_trigger(&self, trigger: &IndicatorTrigger) -> StoreResult<bool>;

    /// The last day a rule fired for an object.
    async fn last_trigger(&self, object: ObjectId, rule: &str) -> StoreResult<Option<Date>>;

    /// The agency's triggers, newest first, after the (day, id) cursor; of one object or all.
    async fn triggers(
        &self,
        agency: AgencyId,
        object: Option<ObjectId>,
        after: Option<(Date, Uuid)>,
        limit: u32,
    ) -> StoreResult<Vec<IndicatorTrigger>>;

    /// Links a trigger to the unplanned inspection opened on it; false when there is no such
    /// trigger or it has one.
    async fn link_trigger(
        &self,
        agency: AgencyId,
        trigger: Uuid,
        inspection: Uuid,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;

    /// Stores proposals: an object's pending proposal of another category is superseded, one
    /// of the same category kept (and the new one dropped). The number stored.
    async fn propose_categories(&self, proposals: &[CategoryProposal]) -> StoreResult<u64>;

    /// The agency's proposals in `status` (all when `None`), by due date then id after the
    /// cursor; `overdue_on`: only those due before that day.
    async fn proposals(
        &self,
        agency: AgencyId,
        status: Option<ProposalStatus>,
        overdue_on: Option<Date>,
        after: Option<(Date, Uuid)>,
        limit: u32,
    ) -> StoreResult<Vec<CategoryProposal>>;

    async fn proposal(&self, agency: AgencyId, id: Uuid) -> StoreResult<Option<CategoryProposal>>;

    /// Decides a pending proposal in one transaction: a confirmation sets the object's category
    /// (decision date, reason) and appends the server's signed record (`record`), a rejection
    /// only marks it. `None` when it is not the agency's or not pending.
    async fn decide_proposal(
        &self,
        agency: AgencyId,
        id: Uuid,
        decision: &ProposalDecision,
        record: Option<ServerRecord>,
        server: &ServerChain,
        audit: &AuditEntry,
    ) -> StoreResult<Option<CategoryProposal>>;

    /// The agency's inspectors' absences between two days (inclusive).
    async fn absences(&self, agency: AgencyId, from: Date, to: Date) -> StoreResult<Vec<Absence>>;

    /// Sets (`reason` given) or clears a user's absence on each of `days`.
    async fn set_absences(
        &self,
        user: UserId,
        days: &[Date],
        reason: Option<&str>,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    async fn planning_settings(&self, agency: AgencyId) -> StoreResult<Option<serde_json::Value>>;

    async fn set_planning_settings(
        &self,
        agency: AgencyId,
        settings: &serde_json::Value,
        audit: &AuditEntry,
    ) -> StoreResult<()>;

    /// Replaces the agency's draft plan of that year and kind with this one (entries
    /// included); false, and nothing written, when a plan of that year and kind is past draft.
    /// The replaced draft is superseded: gone from every read at once, its rows left for
    /// [`Self::purge_step`].
    async fn save_draft_plan(
        &self,
        plan: &Plan,
        entries: Vec<PlanEntry<String>>,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;

    /// Deletes, in a transaction of its own, the entries numbered `from` to `from + batch - 1`
    /// of the first superseded draft (from its lowest entry if none is left from `from` on), or
    /// the draft itself once its entries are gone.
    async fn purge_step(&self, from: u32, batch: u32) -> StoreResult<PurgeStep>;

    async fn plans(&self, agency: AgencyId) -> StoreResult<Vec<Plan>>;

    /// A plan of the agency with all its entries in entry order.
    async fn plan(&self, agency: AgencyId, id: Uuid)
    -> StoreResult<Option<(Plan, Vec<PlanEntry>)>>;

    /// Writes a change of a plan in one transaction, if the plan is still at `expected_version`
    /// (else `None`, nothing written); the server record's id when one was signed.
    async fn change_plan(
        &self,
        change: &PlanChange,
        expected_version: u32,
        server: &ServerChain,
        audit: &AuditEntry,
    ) -> StoreResult<Option<Option<RecordId>>>;

    async fn amendments(&self, plan: Uuid) -> StoreResult<Vec<PlanAmendment>>;

    /// Every agency (the daily run goes through each).
    async fn agencies(&self) -> StoreResult<Vec<AgencyId>>;

    /// Every version of a control type's rules, newest first.
    async fn rules_versions(&self, control_type: Uuid) -> StoreResult<Vec<RulesVersion>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purge_resumes_where_it_stopped_or_at_the_first_entry() {
        assert_eq!(purge_resume(1, 5_000), Some(1));
        assert_eq!(purge_resume(5_000, 5_000), Some(5_000));
        // Past the draft's last entry (a restart, another draft): ask for its first.
        assert_eq!(purge_resume(5_001, 5_000), None);
        let (to, done) = purge_batch(2_001, 2_000);
        assert_eq!(to, 4_001);
        assert_eq!(
            done(2_000),
            PurgeStep::Entries {
                rows: 2_000,
                next: 4_001
            }
        );
        let (_, done) = purge_batch(i64::from(u32::MAX), 2_000);
        assert!(matches!(done(0), PurgeStep::Entries { next: u32::MAX, .. }));
    }
}
