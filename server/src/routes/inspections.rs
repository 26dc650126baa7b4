//! Inspections: the planner's side (create, reschedule, reassign, status) and what inspectors see.

use axum::extract::State;
use knd_shared::{InspectionId, InspectionKind, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::paging::{NoFilter, Paged};
use super::projected::FlagView;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Json, Path, Problem};
use crate::model::{Inspection, InspectionFilter, InspectionStatus, ProsecutorAgreement};
use crate::services::inspection_reads;
use crate::services::inspections::{self, InspectionChange, NewInspection};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct InspectionView {
    #[schema(value_type = String)]
    id: InspectionId,
    #[schema(value_type = String)]
    kind: InspectionKind,
    /// The ground of ч.1 ст.57 (`plan`, `harm_or_risk_indicator`, ...); `unspecified` marks an
    /// old inspection whose ground must be corrected.
    #[schema(value_type = String)]
    ground: knd_shared::Ground,
    /// The ground as a document states it, with its point of ч.1 ст.57.
    ground_name: String,
    /// `planned` (ground `plan`) or `unplanned`.
    basis: &'static str,
    prosecutor_agreement: Option<ProsecutorAgreement>,
    /// The ЕРКНМ registration number (ПП 604).
    erknm: Option<String>,
    status: InspectionStatus,
    control_type: String,
    subject_inn: String,
    /// Further controlled persons of a raid (INN).
    other_subjects: Vec<String>,
    /// The interaction limit in hours (ст.73: small 50, micro 15), if any.
    interaction_limit_hours: Option<u32>,
    /// Object keys.
    objects: Vec<String>,
    checklist: Option<String>,
    #[schema(value_type = String, format = Date)]
    starts_on: String,
    #[schema(value_type = String, format = Date)]
    ends_on: String,
    #[schema(value_type = Vec<String>)]
    inspectors: Vec<UserId>,
    note: String,
    #[serde(with = "time::serde::rfc3339")]
    created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl From<Inspection> for InspectionView {
    fn from(i: Inspection) -> Self {
        use knd_shared::calendar::iso_date::format;
        let interaction_limit_hours = i.interaction_limit_minutes().map(|m| m / 60);
        Self {
            id: i.id,
            kind: i.kind,
            ground: i.ground,
            ground_name: i.ground.title_ru(),
            basis: i.basis(),
            prosecutor_agreement: i.prosecutor_agreement,
            erknm: i.erknm,
            status: i.status,
            control_type: i.control_type_code,
            subject_inn: i.subject_inn,
            other_subjects: i.other_subjects.into_iter().map(|(_, inn)| inn).collect(),
            interaction_limit_hours,
            objects: i.objects.into_iter().map(|(_, k)| k).collect(),
            checklist: i.checklist_code,
            starts_on: format(i.starts_on),
            ends_on: format(i.ends_on),
            inspectors: i.inspectors,
            note: i.note,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

fn parse_id(s: &str) -> ApiResult<InspectionId> {
    InspectionId::parse(s).map_err(|_| ApiError::NotFound)
}

/// Creates an inspection, as a draft or already scheduled (admins and planners).
#[utoipa::path(post, path = "/api/v1/inspections", tag = "inspections", security(("session" = [])),
    request_body = NewInspection, responses((status = 201, body = InspectionView), (status = 422, body = Problem)))]
pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NewInspection>,
) -> ApiResult<(axum::http::StatusCode, Json<InspectionView>)> {
    let insp = inspections::create(&state, &caller.user, req, caller.address.as_deref()).await?;
    Ok((axum::http::StatusCode::CREATED, Json(insp.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct ListFilter {
    status: Option<InspectionStatus>,
    /// Only those assigned to this inspector (an inspector always sees only their own).
    inspector: Option<String>,
    /// Only those not ended before this date.
    #[param(format = Date)]
    from: Option<String>,
    /// Only those not starting after this date.
    #[param(format = Date)]
    to: Option<String>,
    /// Only this kind (`field_check`, `raid`, ...).
    kind: Option<String>,
    /// Only this ground (`plan`, `instruction`, ...).
    ground: Option<String>,
    /// Only those starting on or after this date.
    #[param(format = Date)]
    starts_from: Option<String>,
    /// Only those starting on or before this date.
    #[param(format = Date)]
    starts_to: Option<String>,
    /// Only those ending on or after this date.
    #[param(format = Date)]
    ends_from: Option<String>,
    /// Only those ending on or before this date.
    #[param(format = Date)]
    ends_to: Option<String>,
    /// Only those past their term today (scheduled or in progress, ended before today in the
    /// agency's zone).
    overdue: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct InspectionPage {
    items: Vec<InspectionView>,
    /// Pass as `after` for the next page; absent on the last one.
    next: Option<String>,
}

fn date_param(name: &str, s: Option<&str>) -> ApiResult<Option<time::Date>> {
    s.map(|d| {
        knd_shared::calendar::iso_date::parse(d)
            .map_err(|_| ApiError::BadRequest(format!("{name} is a date YYYY-MM-DD")))
    })
    .transpose()
}

/// The agency's inspections by start date (keyset pages), filtered.
#[utoipa::path(get, path = "/api/v1/inspections", tag = "inspections", security(("session" = [])),
    params(Paged<ListFilter, 500>), responses((status = 200, body = InspectionPage)))]
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    page: Paged<ListFilter, 500>,
) -> ApiResult<Json<InspectionPage>> {
    let q = &page.filter;
    let inspector = q
        .inspector
        .as_deref()
        .map(|s| {
            UserId::parse(s).map_err(|_| ApiError::BadRequest("inspector is a user id".into()))
        })
        .transpose()?;
    let after = page.cursor("the next of a previous page", |a| {
        let (d, i) = a.split_once('_')?;
        Some((
            knd_shared::calendar::iso_date::parse(d).ok()?,
            InspectionId::parse(i).ok()?,
        ))
    })?;
    let filter = InspectionFilter {
        status: q.status,
        inspector,
        from: date_param("from", q.from.as_deref())?,
        to: date_param("to", q.to.as_deref())?,
        kind: q
            .kind
            .as_deref()
            .map(|k| {
                knd_shared::InspectionKind::parse(k).ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "нет вида мероприятия {k} / no inspection kind {k}"
                    ))
                })
            })
            .transpose()?,
        ground: q
            .ground
            .as_deref()
            .map(|g| {
                knd_shared::Ground::parse(g).ok_or_else(|| {
                    ApiError::BadRequest(format!("нет основания {g} / no ground {g}"))
                })
            })
            .transpose()?,
        starts_from: date_param("starts_from", q.starts_from.as_deref())?,
        starts_to: date_param("starts_to", q.starts_to.as_deref())?,
        ends_from: date_param("ends_from", q.ends_from.as_deref())?,
        ends_to: date_param("ends_to", q.ends_to.as_deref())?,
        overdue_on: q.overdue.unwrap_or(false).then(|| state.today()),
    };
    let items = inspection_reads::list(&state, &caller.user, filter, after, page.limit).await?;
    let next = page.next(&items, |i| {
        format!(
            "{}_{}",
            knd_shared::calendar::iso_date::format(i.starts_on),
            i.id
        )
    });
    Ok(Json(InspectionPage {
        items: items.into_iter().map(Into::into).collect(),
        next,
    }))
}

/// One inspection.
#[utoipa::path(get, path = "/api/v1/inspections/{id}", tag = "inspections", security(("session" = [])),
    params(("id" = String, Path)), responses((status = 200, body = InspectionView)))]
pub(super) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<InspectionView>> {
    let insp = inspections::get(&state, &caller.user, parse_id(&id)?).await?;
    Ok(Json(insp.into()))
}

/// Reschedules, reassigns, or changes the objects, checklist or note (admins and planners).
#[utoipa::path(patch, path = "/api/v1/inspections/{id}", tag = "inspections", security(("session" = [])),
    params(("id" = String, Path)), request_body = InspectionChange,
    responses((status = 200, body = InspectionView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub(super) async fn change(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<InspectionChange>,
) -> ApiResult<Json<InspectionView>> {
    let insp = inspections::change(
        &state,
        &caller.user,
        parse_id(&id)?,
        req,
        caller.address.as_deref(),
    )
    .await?;
    Ok(Json(insp.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StatusChange {
    status: InspectionStatus,
    /// Required to cancel.
    reason: Option<String>,
}

/// Moves an inspection through draft → scheduled → in progress → completed → closed, or cancels
/// it (admins and planners; reviewers may close).
#[utoipa::path(post, path = "/api/v1/inspections/{id}/status", tag = "inspections", security(("session" = [])),
    params(("id" = String, Path)), request_body = StatusChange,
    responses((status = 200, body = InspectionView), (status = 409, body = Problem)))]
pub(super) async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(req): Json<StatusChange>,
) -> ApiResult<Json<InspectionView>> {
    let insp = inspections::change_status(
        &state,
        &caller.user,
        caller.address.as_deref(),
        parse_id(&id)?,
        req.status,
        req.reason.as_deref(),
    )
    .await?;
    Ok(Json(insp.into()))
}

/// Records stored but in conflict with the server's state, for review (not inspectors).
#[utoipa::path(get, path = "/api/v1/review-flags", tag = "inspections", security(("session" = [])),
    params(Paged<NoFilter, 500>), responses((status = 200, body = Vec<FlagView>)))]
pub(super) async fn review_flags(
    State(state): State<AppState>,
    caller: Caller,
    page: Paged<NoFilter, 500>,
) -> ApiResult<Json<Vec<FlagView>>> {
    let after = page.cursor("a record id", |a| knd_shared::RecordId::parse(a).ok())?;
    let flags = inspection_reads::review_flags(
        &state,
        &caller.user,
        caller.address.as_deref(),
        after,
        page.limit,
    )
    .await?;
    Ok(Json(flags.into_iter().map(Into::into).collect()))
}
