//! The annual plan (п.2 ч.1 ст.57, ст.52.1 248-FZ): planning settings and inspectors'
//! absences, building the drafts, the lifecycle, amendments and the export.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use knd_shared::UserId;
use knd_shared::calendar::iso_date;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::paging::Paged;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Json, Path, Problem};
use crate::model::planning::{EntryStatus, Plan, PlanAmendment, PlanEntry, PlanKind, PlanStatus};
use crate::services::plan_build::{BuildOutcome, PlanningSettings};
use crate::services::plan_lifecycle::{Amendment, Step};
use crate::services::{plan_build, plan_export, plan_lifecycle, planning_settings};
use crate::state::AppState;

/// The agency's planning settings.
#[utoipa::path(get, path = "/api/v1/planning/settings", tag = "planning", security(("session" = [])),
    responses((status = 200, body = PlanningSettings), (status = 403, body = Problem)))]
pub(super) async fn get_settings(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<PlanningSettings>> {
    Ok(Json(
        planning_settings::get_settings(&state, &caller.user, caller.address.as_deref()).await?,
    ))
}

/// Replaces the agency's planning settings.
#[utoipa::path(put, path = "/api/v1/planning/settings", tag = "planning", security(("session" = [])),
    request_body = PlanningSettings, responses((status = 200, body = PlanningSettings), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn put_settings(
    State(state): State<AppState>,
    caller: Caller,
    Json(s): Json<PlanningSettings>,
) -> ApiResult<Json<PlanningSettings>> {
    Ok(Json(
        planning_settings::put_settings(&state, &caller.user, caller.address.as_deref(), s).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct Period {
    #[param(value_type = String, format = Date)]
    #[serde(with = "iso_date")]
    from: Date,
    #[param(value_type = String, format = Date)]
    #[serde(with = "iso_date")]
    to: Date,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct AbsenceView {
    #[schema(value_type = String)]
    user: UserId,
    #[schema(value_type = String, format = Date)]
    day: String,
    reason: String,
}

/// The inspectors' absences between two days (at most 400 days).
#[utoipa::path(get, path = "/api/v1/planning/absences", tag = "planning", security(("session" = [])),
    params(Period), responses((status = 200, body = Vec<AbsenceView>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn absences(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Period>,
) -> ApiResult<Json<Vec<AbsenceView>>> {
    let rows = planning_settings::absences(
        &state,
        &caller.user,
        caller.address.as_deref(),
        p.from,
        p.to,
    )
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|a| AbsenceView {
                user: a.user,
                day: iso_date::format(a.day),
                reason: a.reason,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AbsenceRequest {
    #[schema(value_type = String)]
    inspector: UserId,
    #[schema(value_type = String, format = Date)]
    #[serde(with = "iso_date")]
    from: Date,
    #[schema(value_type = String, format = Date)]
    #[serde(with = "iso_date")]
    to: Date,
    /// Leave, training, sickness; absent: the days are cleared.
    reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct AbsenceChanged {
    days: u32,
}

/// Marks an inspector away from one day to another, or clears those days.
#[utoipa::path(put, path = "/api/v1/planning/absences", tag = "planning", security(("session" = [])),
    request_body = AbsenceRequest, responses((status = 200, body = AbsenceChanged), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn set_absence(
    State(state): State<AppState>,
    caller: Caller,
    Json(r): Json<AbsenceRequest>,
) -> ApiResult<Json<AbsenceChanged>> {
    let days = planning_settings::set_absence(
        &state,
        &caller.user,
        caller.address.as_deref(),
        r.inspector,
        r.from,
        r.to,
        r.reason.as_deref(),
    )
    .await?;
    Ok(Json(AbsenceChanged { days }))
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct PlanView {
    id: Uuid,
    year: i32,
    kind: PlanKind,
    status: PlanStatus,
    version: u32,
    /// Capacity, demand and scheduled minutes, the quality (scheduled share of min(capacity,
    /// demand)), left-out reasons, and the load per inspector and month.
    #[schema(value_type = Object)]
    summary: serde_json::Value,
    #[schema(value_type = Option<String>, format = Date)]
    sent_on: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    approved_on: Option<String>,
    approved_by: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    published_on: Option<String>,
    /// The server-signed `plan_approved` record.
    record: Option<Uuid>,
}

impl From<Plan> for PlanView {
    fn from(p: Plan) -> Self {
        Self {
            id: p.id,
            year: p.year,
            kind: p.kind,
            status: p.status,
            version: p.version,
            summary: p.summary,
            sent_on: p.sent_on.map(iso_date::format),
            approved_on: p.approved_on.map(iso_date::format),
            approved_by: p.approved_by,
            published_on: p.published_on.map(iso_date::format),
            record: p.record.map(|r| r.as_uuid()),
        }
    }
}

/// The agency's plans.
#[utoipa::path(get, path = "/api/v1/plans", tag = "planning", security(("session" = [])),
    responses((status = 200, body = Vec<PlanView>), (status = 403, body = Problem)))]
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<PlanView>>> {
    let plans = plan_lifecycle::list(&state, &caller.user, caller.address.as_deref()).await?;
    Ok(Json(plans.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BuildRequest {
    /// This year or the next.
    year: i32,
    /// Also score every object in the same pass over the registry (as `POST /api/v1/risk/score`
    /// does, with its permission), reading the objects' facts once for both.
    #[serde(default)]
    rescore: bool,
}

/// Builds (or rebuilds) the drafts of a year's plans: planned inspections and mandatory
/// preventive visits, scheduled on the inspectors' capacity, every entry with its reasons.
#[utoipa::path(post, path = "/api/v1/plans", tag = "planning", security(("session" = [])),
    request_body = BuildRequest, responses((status = 201, body = BuildOutcome), (status = 403, body = Problem),
    (status = 409, body = Problem, description = "the year's plan is past its draft"), (status = 422, body = Problem)))]
pub(super) async fn build(
    State(state): State<AppState>,
    caller: Caller,
    Json(r): Json<BuildRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<BuildOutcome>)> {
    let outcome = plan_build::build(
        &state,
        &caller.user,
        caller.address.as_deref(),
        r.year,
        r.rescore,
    )
    .await?;
    Ok((axum::http::StatusCode::CREATED, Json(outcome)))
}

/// One plan.
#[utoipa::path(get, path = "/api/v1/plans/{id}", tag = "planning", security(("session" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = PlanView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<PlanView>> {
    let (plan, _) =
        plan_lifecycle::get(&state, &caller.user, caller.address.as_deref(), id).await?;
    Ok(Json(plan.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct EntryView {
    no: u32,
    subject: Uuid,
    control_type: Uuid,
    objects: Vec<Uuid>,
    category: String,
    kind: String,
    district: String,
    status: EntryStatus,
    #[schema(value_type = Option<String>, format = Date)]
    starts_on: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    ends_on: Option<String>,
    inspectors: Vec<Uuid>,
    /// Why these objects (their periodicity and dates), why this date and these inspectors, or
    /// why it was left out.
    #[schema(value_type = Object)]
    why: serde_json::Value,
    /// The scheduled measure, once the plan is approved.
    inspection: Option<Uuid>,
}

impl From<PlanEntry> for EntryView {
    fn from(mut e: PlanEntry) -> Self {
        crate::model::plan_why::with_texts(&mut e.why);
        Self {
            no: e.no,
            subject: e.subject.as_uuid(),
            control_type: e.control_type,
            objects: e.objects.iter().map(|o| o.as_uuid()).collect(),
            category: e.category.as_str().to_owned(),
            kind: e.kind.as_str().to_owned(),
            district: e.district,
            status: e.status,
            starts_on: e.starts_on.map(iso_date::format),
            ends_on: e.ends_on.map(iso_date::format),
            inspectors: e.inspectors.iter().map(|u| u.as_uuid()).collect(),
            why: e.why,
            inspection: e.inspection,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct EntryPage {
    entries: Vec<EntryView>,
    next: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(super) struct EntryQuery {
    status: Option<EntryStatus>,
    /// Entries starting in this month (1-12).
    month: Option<u8>,
    district: Option<String>,
    /// Entries of this inspector.
    inspector: Option<Uuid>,
}

/// A plan's entries in entry order, filtered.
#[utoipa::path(get, path = "/api/v1/plans/{id}/entries", tag = "planning", security(("session" = [])),
    params(("id" = Uuid, Path), Paged<EntryQuery, 1000>), responses((status = 200, body = EntryPage), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn entries(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    page: Paged<EntryQuery, 1000>,
) -> ApiResult<Json<EntryPage>> {
    let after = page
        .cursor("an entry number", |a| a.parse::<u32>().ok())?
        .unwrap_or(0);
    let (_, all) = plan_lifecycle::get(&state, &caller.user, caller.address.as_deref(), id).await?;
    let f = &page.filter;
    let rows: Vec<PlanEntry> = all
        .into_iter()
        .filter(|e| e.no > after)
        .filter(|e| f.status.is_none_or(|s| e.status == s))
        .filter(|e| {
            f.month
                .is_none_or(|m| e.starts_on.is_some_and(|d| u8::from(d.month()) == m))
        })
        .filter(|e| f.district.as_ref().is_none_or(|d| &e.district == d))
        .filter(|e| {
            f.inspector
                .is_none_or(|u| e.inspectors.iter().any(|i| i.as_uuid() == u))
        })
        .take(page.limit as usize)
        .collect();
    let next = page.next(&rows, |e| e.no.to_string());
    Ok(Json(EntryPage {
        entries: rows.into_iter().map(Into::into).collect(),
        next,
    }))
}

/// Moves a plan one step: `send` (to the prosecutor's review, with its date), `approve` (date and
/// who: a server-signed `plan_approved` record; the entries become scheduled measures),
/// `publish` (date).
#[utoipa::path(post, path = "/api/v1/plans/{id}/step", tag = "planning", security(("session" = [])),
    params(("id" = Uuid, Path)), request_body = Step, responses((status = 200, body = PlanView), (status = 403, body = Problem),
    (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn step(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(s): Json<Step>,
) -> ApiResult<Json<PlanView>> {
    Ok(Json(
        plan_lifecycle::step(&state, &caller.user, caller.address.as_deref(), id, s)
            .await?
            .into(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct AmendmentView {
    version: u32,
    entry: u32,
    #[schema(value_type = Object)]
    change: serde_json::Value,
    reason: String,
    made_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    made_at: time::OffsetDateTime,
    /// The server-signed `plan_amended` record.
    record: Uuid,
}

impl From<PlanAmendment> for AmendmentView {
    fn from(a: PlanAmendment) -> Self {
        Self {
            version: a.version,
            entry: a.entry,
            change: a.change,
            reason: a.reason,
            made_by: a.made_by.map(|u| u.as_uuid()),
            made_at: a.made_at,
            record: a.record.as_uuid(),
        }
    }
}

/// Amends an entry of an approved plan (a new start, new inspectors, or its removal) with a
/// reason: a new version and a server-signed `plan_amended` record; the measure follows.
#[utoipa::path(post, path = "/api/v1/plans/{id}/amendments", tag = "planning", security(("session" = [])),
    params(("id" = Uuid, Path)), request_body = Amendment, responses((status = 201, body = AmendmentView),
    (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn amend(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(a): Json<Amendment>,
) -> ApiResult<(axum::http::StatusCode, Json<AmendmentView>)> {
    let (_, amendment) =
        plan_lifecycle::amend(&state, &caller.user, caller.address.as_deref(), id, a).await?;
    Ok((axum::http::StatusCode::CREATED, Json(amendment.into())))
}

/// A plan's amendments, in order.
#[utoipa::path(get, path = "/api/v1/plans/{id}/amendments", tag = "planning", security(("session" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = Vec<AmendmentView>), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn amendments(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<AmendmentView>>> {
    let (plan, _) =
        plan_lifecycle::get(&state, &caller.user, caller.address.as_deref(), id).await?;
    let rows = state.store.amendments(plan.id).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct ExportQuery {
    /// `csv` (default) or `xlsx`.
    format: Option<String>,
}

/// The plan as a file grouped by month and district: CSV or XLSX.
#[utoipa::path(get, path = "/api/v1/plans/{id}/export", tag = "planning", security(("session" = [])),
    params(("id" = Uuid, Path), ExportQuery), responses(
    (status = 200, content_type = "text/csv", description = "CSV (UTF-8)"),
    (status = 403, body = Problem), (status = 404, body = Problem), (status = 400, body = Problem)))]
pub(super) async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<axum::response::Response> {
    let address = caller.address.as_deref();
    let (plan, bytes, mime, ext) = match q.format.as_deref().unwrap_or("csv") {
        "csv" => {
            let (p, b) = plan_export::csv(&state, &caller.user, address, id).await?;
            (p, b, "text/csv; charset=utf-8", "csv")
        }
        "xlsx" => {
            let (p, b) = plan_export::xlsx(&state, &caller.user, address, id).await?;
            (
                p,
                b,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            )
        }
        other => {
            return Err(ApiError::BadRequest(format!(
                "формат — csv или xlsx, получено {other:?} / the format is csv or xlsx, got {other:?}"
            )));
        }
    };
    let name = format!(
        "plan-{}-{}-v{}.{ext}",
        plan.year,
        plan.kind.as_str(),
        plan.version
    );
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
