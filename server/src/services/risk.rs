//! Risk categories as the model proposes them (ст.23-24 248-FZ): scoring every object of the
//! agency against its control type's model, pending proposals where the proposal differs from
//! the object's category (to be decided within 5 working days, ст.24), and the planner's
//! decision: a confirmation is a server-signed `risk_category_decided` record with the
//! explanation in its body; a rejection keeps its reason.

use std::collections::HashMap;

use knd_shared::planning::{Explanation, ObjectFacts, RiskModel};
use knd_shared::record::RecordKind;
use knd_shared::record::kinds::{DecidedFactor, RiskCategoryDecided};
use knd_shared::registry::ControlTypeRules;
use knd_shared::{ObjectId, RiskCategory};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::model::planning::{
    CategoryProposal, FactsWindow, ObjectFactsRow, ProposalDecision, ProposalStatus,
};
use crate::model::{Actor, User};
use crate::services::accounts;
use crate::services::facts_pages::FactsPages;
use crate::services::policy::{self, Action};
use crate::state::AppState;
use crate::store::ServerRecord;

/// Proposals written per transaction.
const WRITE_BATCH: usize = 5_000;
/// Proposal batches being written at once.
const WRITES_IN_FLIGHT: usize = 2;
/// Working days to decide on new information that changes a category (ст.24).
pub const DECISION_WORKING_DAYS: u32 = 5;

/// A control type as scoring needs it.
pub(crate) struct TypeModel {
    pub code: String,
    pub rules: ControlTypeRules,
    pub model: RiskModel,
}

pub(crate) async fn type_models(
    state: &AppState,
    agency: knd_shared::AgencyId,
) -> ApiResult<HashMap<Uuid, TypeModel>> {
    Ok(state
        .store
        .list_control_types(agency)
        .await?
        .into_iter()
        .map(|t| {
            let model = t.rules.risk_model();
            (
                t.id,
                TypeModel {
                    code: t.code,
                    rules: t.rules,
                    model,
                },
            )
        })
        .collect())
}

/// The model's input for one object, its counts taken over the model's own windows.
pub(crate) fn facts_of(row: &ObjectFactsRow, model: &RiskModel) -> ObjectFacts {
    let n = usize::try_from(model.violation_years.clamp(1, 5)).unwrap_or(5) - 1;
    ObjectFacts {
        attributes: serde_json::from_str(&row.attributes).unwrap_or(serde_json::Value::Null),
        violations: row.violations[n],
        unfulfilled_orders: row.unfulfilled_orders[n],
        confirmed_complaints: row.confirmed_complaints,
        indicators_triggered: row.indicators_triggered,
        declaration_in_force: row.declaration_in_force,
        self_assessment_passed: row.self_assessment_passed,
        remedies_on_time: row.remedies_on_time[n],
    }
}

/// What a scoring run did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ScoreSummary {
    pub objects: u64,
    /// Proposals stored (an identical pending one is not stored twice).
    pub proposals: u64,
    /// Objects per proposed category.
    pub by_category: std::collections::BTreeMap<String, u64>,
    pub milliseconds: u64,
}

/// Scores every object of the agency and stores a proposal where the model differs from the
/// object's category.
pub async fn score_all(
    state: &AppState,
    user: &User,
    address: Option<&str>,
) -> ApiResult<ScoreSummary> {
    may_score(state, user, address).await?;
    let started = std::time::Instant::now();
    let mut summary = score_agency(state, user.agency).await?;
    summary.milliseconds = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    audit_scoring(state, user, address, &summary).await?;
    Ok(summary)
}

/// A scoring run is the category deciders' (alone or within a plan's build).
pub(crate) async fn may_score(
    state: &AppState,
    user: &User,
    address: Option<&str>,
) -> ApiResult<()> {
    policy::require(
        state,
        user,
        address,
        Action::DecideCategory,
        "risk.score",
        || "risk_model".into(),
    )
    .await
}

/// The audit entry of a user's scoring run.
pub(crate) async fn audit_scoring(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    summary: &ScoreSummary,
) -> ApiResult<()> {
    let mut a = accounts::audit(
        Actor::User(user.id),
        Some(user.agency),
        "risk.score",
        address,
    );
    a.detail =
        Some(serde_json::json!({"objects": summary.objects, "proposals": summary.proposals}));
    state.store.audit(&a).await?;
    Ok(())
}

/// The scoring itself, without a caller (the daily run and the benchmark call it).
pub async fn score_agency(
    state: &AppState,
    agency: knd_shared::AgencyId,
) -> ApiResult<ScoreSummary> {
    let types = type_models(state, agency).await?;
    let mut scorer = Scorer::new(state, agency, &types)?;
    let mut pages = FactsPages::new(state, agency, scorer.window()).await?;
    while let Some(rows) = pages.next().await? {
        scorer.page(state, &rows).await?;
    }
    scorer.finish(state).await
}

/// A scoring run fed page by page: scoring alone reads the facts for itself, and a plan's
/// build that re-scores (the September run) feeds it the pages it reads, so that the facts of
/// a million objects are read once for both.
pub(crate) struct Scorer<'a> {
    agency: knd_shared::AgencyId,
    types: &'a HashMap<Uuid, TypeModel>,
    today: Date,
    due_on: Date,
    summary: ScoreSummary,
    pending: Vec<CategoryProposal>,
    /// Batches being written while the pages go on being read and scored.
    writes: Vec<tokio::task::JoinHandle<crate::store::StoreResult<u64>>>,
    counted: HashMap<RiskCategory, u64>,
}

impl<'a> Scorer<'a> {
    /// A run over the agency's control types as the caller loaded them.
    pub(crate) fn new(
        state: &AppState,
        agency: knd_shared::AgencyId,
        types: &'a HashMap<Uuid, TypeModel>,
    ) -> ApiResult<Self> {
        let today = state.today();
        let due_on = state
            .calendar
            .add_working_days(today, DECISION_WORKING_DAYS)
            .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
        Ok(Self {
            agency,
            types,
            today,
            due_on,
            summary: ScoreSummary::default(),
            pending: Vec::new(),
            writes: Vec::new(),
            counted: HashMap::new(),
        })
    }

    /// The windows the facts are counted over: today's.
    pub(crate) fn window(&self) -> FactsWindow {
        FactsWindow::on(self.today)
    }

    /// Scores a page of objects; proposals are written [`WRITE_BATCH`] at a time, by the store's
    /// writer while the scoring goes on (each object is in one batch, so their order is free).
    pub(crate) async fn page(
        &mut self,
        state: &AppState,
        rows: &[ObjectFactsRow],
    ) -> ApiResult<()> {
        for row in rows {
            let Some(t) = self.types.get(&row.control_type) else {
                continue;
            };
            let facts = facts_of(row, &t.model);
            let category = t.model.category(&facts);
            self.summary.objects += 1;
            *self.counted.entry(category).or_default() += 1;
            if category != t.rules.effective_category(row.category) {
                let e = t.model.score(&facts);
                self.pending
                    .push(proposal(self.agency, row, e, self.today, self.due_on)?);
            }
        }
        if self.pending.len() >= WRITE_BATCH {
            self.write(state).await?;
        }
        Ok(())
    }

    /// Hands the pending batch to the store; with [`WRITES_IN_FLIGHT`] batches written already,
    /// waits for the oldest first (the first scoring of a registry may propose for every
    /// object: the batches must not pile up in memory).
    async fn write(&mut self, state: &AppState) -> ApiResult<()> {
        if self.writes.len() >= WRITES_IN_FLIGHT {
            let oldest = self.writes.remove(0);
            self.summary.proposals += oldest
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))??;
        }
        let (store, batch) = (state.store.clone(), std::mem::take(&mut self.pending));
        self.writes.push(tokio::spawn(async move {
            store.propose_categories(&batch).await
        }));
        Ok(())
    }

    /// Waits for every batch written.
    pub(crate) async fn finish(mut self, state: &AppState) -> ApiResult<ScoreSummary> {
        if !self.pending.is_empty() {
            self.write(state).await?;
        }
        for w in std::mem::take(&mut self.writes) {
            self.summary.proposals += w.await.map_err(|e| ApiError::Internal(e.to_string()))??;
        }
        self.summary.by_category = self
            .counted
            .into_iter()
            .map(|(c, n)| (c.as_str().to_owned(), n))
            .collect();
        Ok(self.summary)
    }
}

fn proposal(
    agency: knd_shared::AgencyId,
    row: &ObjectFactsRow,
    e: Explanation,
    today: Date,
    due_on: Date,
) -> ApiResult<CategoryProposal> {
    Ok(CategoryProposal {
        id: Uuid::now_v7(),
        agency,
        object: row.object,
        object_key: row.object_key.clone(),
        control_type: row.control_type,
        current: row.category,
        proposed: e.category,
        explanation: serde_json::to_value(&e).map_err(|e| ApiError::Internal(e.to_string()))?,
        proposed_on: today,
        due_on,
        status: ProposalStatus::Pending,
        decided_by: None,
        decided_at: None,
        reason: None,
        record: None,
    })
}

/// One object's facts and the model's explanation of its category today.
pub async fn explain_object(
    state: &AppState,
    user: &User,
    object: ObjectId,
) -> ApiResult<Option<(ObjectFactsRow, Explanation)>> {
    if !Action::ReadPlanning.allows(user.role) && !Action::ReadRegistry.allows(user.role) {
        return Err(ApiError::NotFound);
    }
    let before = ObjectId::from(Uuid::from_u128(
        object.as_uuid().as_u128().saturating_sub(1),
    ));
    let rows = state
        .store
        .facts_page(user.agency, Some(before), 1, FactsWindow::on(state.today()))
        .await?;
    let Some(row) = rows.into_iter().find(|r| r.object == object) else {
        return Ok(None);
    };
    let types = type_models(state, user.agency).await?;
    let Some(t) = types.get(&row.control_type) else {
        return Ok(None);
    };
    let e = t.model.score(&facts_of(&row, &t.model));
    Ok(Some((row, e)))
}

/// The agency's proposals.
pub async fn proposals(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    status: Option<ProposalStatus>,
    overdue: bool,
    after: Option<(Date, Uuid)>,
    limit: u32,
) -> ApiResult<Vec<CategoryProposal>> {
    policy::require(
        state,
        user,
        address,
        Action::ReadPlanning,
        "risk.proposals",
        || "risk_proposals".into(),
    )
    .await?;
    let overdue_on = overdue.then(|| state.today());
    let status = if overdue {
        Some(ProposalStatus::Pending)
    } else {
        status
    };
    Ok(state
        .store
        .proposals(user.agency, status, overdue_on, after, limit)
        .await?)
}

/// How many pending proposals are past their 5 working days, up to `cap` (`None` for a role
/// that does not read them): the Today page's number.
pub async fn overdue_count(state: &AppState, user: &User, cap: u32) -> ApiResult<Option<u64>> {
    if !Action::ReadPlanning.allows(user.role) {
        return Ok(None);
    }
    let rows = state
        .store
        .proposals(
            user.agency,
            Some(ProposalStatus::Pending),
            Some(state.today()),
            None,
            cap,
        )
        .await?;
    Ok(Some(rows.len() as u64))
}

pub async fn proposal_of(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: Uuid,
) -> ApiResult<CategoryProposal> {
    policy::require(
        state,
        user,
        address,
        Action::ReadPlanning,
        "risk.proposal",
        || format!("risk_proposal:{id}"),
    )
    .await?;
    state
        .store
        .proposal(user.agency, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Confirms or rejects a pending proposal with a reason: 404 when there is none, 409 when it
/// was decided or superseded, 422 without a reason.
pub async fn decide(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: Uuid,
    confirm: bool,
    reason: &str,
) -> ApiResult<CategoryProposal> {
    let action = if confirm {
        "risk.confirm"
    } else {
        "risk.reject"
    };
    let target = format!("risk_proposal:{id}");
    policy::require(state, user, address, Action::DecideCategory, action, || {
        target.clone()
    })
    .await?;
    let reason = accounts::plain_text("the reason", reason, 2000).map_err(|_| {
        ApiError::Unprocessable(
            "укажите основание решения (до 2000 знаков) / give the decision's reason (up to 2000 characters)".into(),
        )
    })?;
    let p = state
        .store
        .proposal(user.agency, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if p.status != ProposalStatus::Pending {
        return Err(ApiError::Conflict(format!(
            "предложение уже рассмотрено ({}) / the proposal was decided already ({})",
            status_ru(p.status),
            p.status.as_str()
        )));
    }
    let today = state.today();
    let record = if confirm {
        Some(decision_record(state, user, &p, today, reason).await?)
    } else {
        None
    };
    let mut a = accounts::audit(Actor::User(user.id), Some(user.agency), action, address);
    a.target = Some(target);
    a.detail = Some(serde_json::json!({
        "object": p.object_key, "proposed": p.proposed.as_str(),
        "current": p.current.map(RiskCategory::as_str), "reason": reason,
    }));
    let d = ProposalDecision {
        confirm,
        by: user.id,
        reason: reason.to_owned(),
        decided_on: today,
        at: OffsetDateTime::now_utc(),
    };
    state
        .store
        .decide_proposal(user.agency, id, &d, record, &state.server, &a)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict(
                "предложение уже рассмотрено / the proposal was decided already".into(),
            )
        })
}

async fn decision_record(
    state: &AppState,
    user: &User,
    p: &CategoryProposal,
    today: Date,
    reason: &str,
) -> ApiResult<ServerRecord> {
    let e: Explanation = serde_json::from_value(p.explanation.clone())
        .map_err(|e| ApiError::Internal(format!("explanation: {e}")))?;
    let types = type_models(state, user.agency).await?;
    let code = types
        .get(&p.control_type)
        .map(|t| t.code.clone())
        .unwrap_or_default();
    let body = RiskCategoryDecided {
        object: p.object,
        object_key: p.object_key.clone(),
        control_type: code,
        category: p.proposed,
        previous: p.current,
        decided_on: today,
        decided_by: user.id,
        reason: reason.to_owned(),
        severity_class: e.severity_class,
        probability_class: e.probability_class,
        points: i64::from(e.points),
        factors: e
            .contributions
            .iter()
            .map(|c| DecidedFactor {
                factor: c.factor.as_str().to_owned(),
                value: c.value,
                counted: c.counted,
                weight: c.weight,
                points: c.points,
            })
            .collect(),
        explanation_ru: e.text_ru(),
        explanation_en: e.text_en(),
    };
    Ok(ServerRecord {
        kind: RecordKind::RiskCategoryDecided,
        body: serde_json::to_value(&body).map_err(|e| ApiError::Internal(e.to_string()))?,
    })
}

pub fn status_ru(s: ProposalStatus) -> &'static str {
    match s {
        ProposalStatus::Pending => "ожидает решения",
        ProposalStatus::Confirmed => "подтверждено",
        ProposalStatus::Rejected => "отклонено",
        ProposalStatus::Superseded => "заменено новым предложением",
    }
}
