//! Risk categories and indicators (ст.23-24 248-FZ): scoring, proposals and decisions, events
//! and triggered indicators, a control type's planning rules and their versions.

use axum::body::Bytes;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::paging::Paged;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Json, Path, Problem};
use crate::model::planning::{CategoryProposal, IndicatorTrigger, ProposalStatus, RiskEvent};
use crate::services::registry::{ImportMode, ImportReport};
use crate::services::risk::ScoreSummary;
use crate::services::risk_events::{DailyRun, NewEvent};
use crate::services::{planning_settings, risk, risk_events};
use crate::state::AppState;

/// A category proposal with its explanation.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ProposalView {
    id: Uuid,
    object: Uuid,
    object_key: String,
    control_type: Uuid,
    /// The object's category now (none: counts as low).
    current: Option<String>,
    proposed: String,
    /// The model's explanation: severity readings, each factor's contribution, the classes.
    #[schema(value_type = Object)]
    explanation: serde_json::Value,
    explanation_ru: String,
    explanation_en: String,
    #[schema(value_type = String, format = Date)]
    proposed_on: String,
    /// The last day to decide (5 working days, ст.24).
    #[schema(value_type = String, format = Date)]
    due_on: String,
    status: ProposalStatus,
    decided_by: Option<Uuid>,
    reason: Option<String>,
    /// The server-signed `risk_category_decided` record of a confirmation.
    record: Option<Uuid>,
}

impl From<CategoryProposal> for ProposalView {
    fn from(p: CategoryProposal) -> Self {
        let e: Option<knd_shared::planning::Explanation> =
            serde_json::from_value(p.explanation.clone()).ok();
        Self {
            id: p.id,
            object: p.object.as_uuid(),
            object_key: p.object_key,
            control_type: p.control_type,
            current: p.current.map(|c| c.as_str().to_owned()),
            proposed: p.proposed.as_str().to_owned(),
            explanation_ru: e.as_ref().map(|e| e.text_ru()).unwrap_or_default(),
            explanation_en: e.as_ref().map(|e| e.text_en()).unwrap_or_default(),
            explanation: p.explanation,
            proposed_on: knd_shared::calendar::iso_date::format(p.proposed_on),
            due_on: knd_shared::calendar::iso_date::format(p.due_on),
            status: p.status,
            decided_by: p.decided_by.map(|u| u.as_uuid()),
            reason: p.reason,
            record: p.record.map(|r| r.as_uuid()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ProposalPage {
    proposals: Vec<ProposalView>,
    /// The `after` of the next page.
    next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(super) struct ProposalQuery {
    /// `pending`, `confirmed`, `rejected`, `superseded` (all when absent).
    status: Option<ProposalStatus>,
    /// Only pending proposals past their 5 working days.
    overdue: Option<bool>,
}

pub(super) fn date_id_cursor(s: &str) -> Option<(Date, Uuid)> {
    let (d, id) = s.split_once('_')?;
    Some((
        knd_shared::calendar::iso_date::parse(d).ok()?,
        id.parse().ok()?,
    ))
}

pub(super) fn date_id(d: Date, id: Uuid) -> String {
    format!("{}_{id}", knd_shared::calendar::iso_date::format(d))
}

/// Scores every object of the agency against its control type's risk model; a proposal is
/// stored for each object whose model category differs from its own.
#[utoipa::path(post, path = "/api/v1/risk/score", tag = "planning", security(("session" = [])),
    responses((status = 200, body = ScoreSummary), (status = 403, body = Problem)))]
pub(super) async fn score(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<ScoreSummary>> {
    Ok(Json(
        risk::score_all(&state, &caller.user, caller.address.as_deref()).await?,
    ))
}

/// Category proposals by due date.
#[utoipa::path(get, path = "/api/v1/risk/proposals", tag = "planning", security(("session" = [])),
    params(Paged<ProposalQuery, 500>), responses((status = 200, body = ProposalPage), (status = 403, body = Problem)))]
pub(super) async fn proposals(
    State(state): State<AppState>,
    caller: Caller,
    page: Paged<ProposalQuery, 500>,
) -> ApiResult<Json<ProposalPage>> {
    let after = page.cursor("a proposal cursor", date_id_cursor)?;
    let rows = risk::proposals(
        &state,
        &caller.user,
        caller.address.as_deref(),
        page.filter.status,
        page.filter.overdue.unwrap_or(false),
        after,
        page.limit,
    )
    .await?;
    let next = page.next(&rows, |p| date_id(p.due_on, p.id));
    Ok(Json(ProposalPage {
        proposals: rows.into_iter().map(Into::into).collect(),
        next,
    }))
}

/// One proposal with its explanation.
#[utoipa::path(get, path = "/api/v1/risk/proposals/{id}", tag = "planning", security(("session" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = ProposalView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn proposal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<ProposalView>> {
    Ok(Json(
        risk::proposal_of(&state, &caller.user, caller.address.as_deref(), id)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct DecisionRequest {
    /// True to confirm the proposed category, false to reject it.
    confirm: bool,
    #[schema(max_length = 2000)]
    reason: String,
}

/// Confirms (a server-signed `risk_category_decided` record; the object's category changes) or
/// rejects a pending proposal, with a reason.
#[utoipa::path(post, path = "/api/v1/risk/proposals/{id}/decision", tag = "planning", security(("session" = [])),
    params(("id" = Uuid, Path)), request_body = DecisionRequest, responses(
    (status = 200, body = ProposalView), (status = 403, body = Problem), (status = 404, body = Problem),
    (status = 409, body = Problem, description = "decided already"), (status = 422, body = Problem)))]
pub(super) async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<DecisionRequest>,
) -> ApiResult<Json<ProposalView>> {
    let p = risk::decide(
        &state,
        &caller.user,
        caller.address.as_deref(),
        id,
        req.confirm,
        &req.reason,
    )
    .await?;
    Ok(Json(p.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct TriggerView {
    id: Uuid,
    object: Uuid,
    object_key: String,
    control_type: Uuid,
    rule_code: String,
    rule_name: String,
    #[schema(value_type = String, format = Date)]
    triggered_on: String,
    /// The events it counted.
    evidence: Vec<String>,
    /// The unplanned inspection opened on it (ground п.1 ч.1 ст.57).
    inspection: Option<Uuid>,
}

impl From<IndicatorTrigger> for TriggerView {
    fn from(t: IndicatorTrigger) -> Self {
        Self {
            id: t.id,
            object: t.object.as_uuid(),
            object_key: t.object_key,
            control_type: t.control_type,
            rule_code: t.rule_code,
            rule_name: t.rule_name,
            triggered_on: knd_shared::calendar::iso_date::format(t.triggered_on),
            evidence: t.evidence,
            inspection: t.inspection,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct EventView {
    id: Uuid,
    object: Uuid,
    kind: String,
    #[schema(value_type = String, format = Date)]
    occurred_on: String,
    #[schema(value_type = Option<String>, format = Date)]
    due_on: Option<String>,
    passed: Option<bool>,
    source: String,
    note: String,
}

impl From<RiskEvent> for EventView {
    fn from(e: RiskEvent) -> Self {
        Self {
            id: e.id,
            object: e.object.as_uuid(),
            kind: e.kind,
            occurred_on: knd_shared::calendar::iso_date::format(e.occurred_on),
            due_on: e.due_on.map(knd_shared::calendar::iso_date::format),
            passed: e.passed,
            source: e.source,
            note: e.note,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct RecordedEvent {
    event: EventView,
    /// The indicators that fired on it.
    triggered: Vec<TriggerView>,
}

/// Registers an event about an object; the object's indicators counting it are evaluated at once.
#[utoipa::path(post, path = "/api/v1/risk/events", tag = "planning", security(("session" = [])),
    request_body = NewEvent, responses((status = 201, body = RecordedEvent), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn record_event(
    State(state): State<AppState>,
    caller: Caller,
    Json(e): Json<NewEvent>,
) -> ApiResult<(axum::http::StatusCode, Json<RecordedEvent>)> {
    let (event, fired) =
        risk_events::record(&state, &caller.user, caller.address.as_deref(), e).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(RecordedEvent {
            event: event.into(),
            triggered: fired.into_iter().map(Into::into).collect(),
        }),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct EventImportQuery {
    /// `valid_rows` (default) or `all_or_nothing`.
    #[param(inline)]
    mode: Option<ImportMode>,
}

/// Imports an earlier system's history of events from CSV:
/// `object_key,kind,occurred_on,due_on,passed,source,note`; the same object, kind and source is
/// stored once.
#[utoipa::path(post, path = "/api/v1/import/risk-events", tag = "planning", security(("session" = [])),
    params(EventImportQuery), request_body(content = String, content_type = "text/csv"), responses(
    (status = 200, body = ImportReport), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn import_events(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<EventImportQuery>,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let mode = q.mode.unwrap_or_default();
    Ok(Json(
        risk_events::import_csv(&state, &caller.user, &body, mode, caller.address.as_deref())
            .await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct TriggerPage {
    triggers: Vec<TriggerView>,
    next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(super) struct TriggerQuery {
    /// One object's key.
    object: Option<String>,
}

/// Triggered risk indicators, newest first.
#[utoipa::path(get, path = "/api/v1/risk/indicators", tag = "planning", security(("session" = [])),
    params(Paged<TriggerQuery, 500>), responses((status = 200, body = TriggerPage), (status = 403, body = Problem)))]
pub(super) async fn triggers(
    State(state): State<AppState>,
    caller: Caller,
    page: Paged<TriggerQuery, 500>,
) -> ApiResult<Json<TriggerPage>> {
    let after = page.cursor("a trigger cursor", date_id_cursor)?;
    let object = match &page.filter.object {
        Some(key) => Some(
            state
                .store
                .objects_by_keys(caller.user.agency, std::slice::from_ref(key))
                .await?
                .first()
                .map(|o| knd_shared::ObjectId::from(o.id))
                .ok_or(ApiError::NotFound)?,
        ),
        None => None,
    };
    let rows = risk_events::triggers(
        &state,
        &caller.user,
        caller.address.as_deref(),
        object,
        after,
        page.limit,
    )
    .await?;
    let next = page.next(&rows, |t| date_id(t.triggered_on, t.id));
    Ok(Json(TriggerPage {
        triggers: rows.into_iter().map(Into::into).collect(),
        next,
    }))
}

/// Runs the daily evaluation of every indicator now.
#[utoipa::path(post, path = "/api/v1/risk/indicators/run", tag = "planning", security(("session" = [])),
    responses((status = 200, body = DailyRun), (status = 403, body = Problem)))]
pub(super) async fn run_indicators(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<DailyRun>> {
    Ok(Json(
        risk_events::run_daily(&state, &caller.user, caller.address.as_deref()).await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct ObjectRiskView {
    object_key: String,
    category: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    decided_on: Option<String>,
    /// What the model says today, factor by factor.
    #[schema(value_type = Object)]
    explanation: serde_json::Value,
    explanation_ru: String,
    explanation_en: String,
    events: Vec<EventView>,
}

/// An object's risk today: the model's explanation and its events.
#[utoipa::path(get, path = "/api/v1/objects/{key}/risk-explanation", tag = "planning", security(("session" = [])),
    params(("key" = String, Path)), responses((status = 200, body = ObjectRiskView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn object_risk(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> ApiResult<Json<ObjectRiskView>> {
    crate::services::policy::require(
        &state,
        &caller.user,
        caller.address.as_deref(),
        crate::services::policy::Action::ReadPlanning,
        "risk.object",
        || format!("object:{key}"),
    )
    .await?;
    let o = state
        .store
        .objects_by_keys(caller.user.agency, std::slice::from_ref(&key))
        .await?
        .into_iter()
        .next()
        .ok_or(ApiError::NotFound)?;
    let (row, e) = risk::explain_object(&state, &caller.user, o.id.into())
        .await?
        .ok_or(ApiError::NotFound)?;
    let events = state.store.object_events(row.object, None).await?;
    Ok(Json(ObjectRiskView {
        object_key: row.object_key,
        category: row.category.map(|c| c.as_str().to_owned()),
        decided_on: row.decided_on.map(knd_shared::calendar::iso_date::format),
        explanation_ru: e.text_ru(),
        explanation_en: e.text_en(),
        explanation: serde_json::to_value(&e).map_err(|e| ApiError::Internal(e.to_string()))?,
        events: events.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct PlanningRulesView {
    code: String,
    /// The risk model in force (the agency's own or the default fitted to the categories).
    #[schema(value_type = Object)]
    risk_model: serde_json::Value,
    #[schema(value_type = Vec<Object>)]
    indicators: serde_json::Value,
    #[schema(value_type = Object)]
    planning: serde_json::Value,
}

/// A control type's risk model, indicators and planning policy.
#[utoipa::path(get, path = "/api/v1/control-types/{code}/planning-rules", tag = "planning", security(("session" = [])),
    params(("code" = String, Path)), responses((status = 200, body = PlanningRulesView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn get_rules(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<PlanningRulesView>> {
    crate::services::policy::require(
        &state,
        &caller.user,
        caller.address.as_deref(),
        crate::services::policy::Action::ReadPlanning,
        "risk_model.read",
        || format!("control_type:{}", code.escape_debug()),
    )
    .await?;
    let t = planning_settings::control_type(&state, &caller.user, &code).await?;
    view_rules(t)
}

fn view_rules(t: crate::model::ControlType) -> ApiResult<Json<PlanningRulesView>> {
    let json =
        |v: serde_json::Result<serde_json::Value>| v.map_err(|e| ApiError::Internal(e.to_string()));
    Ok(Json(PlanningRulesView {
        risk_model: json(serde_json::to_value(t.rules.risk_model()))?,
        indicators: json(serde_json::to_value(&t.rules.indicators))?,
        planning: json(serde_json::to_value(&t.rules.planning))?,
        code: t.code,
    }))
}

/// Changes a control type's risk model, indicators or planning policy (each omitted part is
/// kept): a new version of its rules, with the reason.
#[utoipa::path(put, path = "/api/v1/control-types/{code}/planning-rules", tag = "planning", security(("session" = [])),
    params(("code" = String, Path)), request_body = planning_settings::PlanningRulesChange, responses(
    (status = 200, body = PlanningRulesView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn put_rules(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(change): Json<planning_settings::PlanningRulesChange>,
) -> ApiResult<Json<PlanningRulesView>> {
    let t = planning_settings::save_rules(
        &state,
        &caller.user,
        caller.address.as_deref(),
        &code,
        change,
    )
    .await?;
    view_rules(t)
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct RulesVersionView {
    version: u32,
    #[schema(value_type = Object)]
    rules: serde_json::Value,
    changed_by: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    changed_at: time::OffsetDateTime,
    reason: String,
}

/// Every version of a control type's rules, newest first.
#[utoipa::path(get, path = "/api/v1/control-types/{code}/versions", tag = "planning", security(("session" = [])),
    params(("code" = String, Path)), responses((status = 200, body = Vec<RulesVersionView>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<RulesVersionView>>> {
    let v =
        planning_settings::versions(&state, &caller.user, caller.address.as_deref(), &code).await?;
    Ok(Json(
        v.into_iter()
            .map(|v| RulesVersionView {
                version: v.version,
                rules: v.rules,
                changed_by: v.changed_by,
                changed_at: v.changed_at,
                reason: v.reason,
            })
            .collect(),
    ))
}
