//! Objections and appeals: what a business files and reads (`/api/v1/business/...`, its API
//! key) and what the agency's reviewers read and decide (`/api/v1/appeals`, `/objections`).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::filing_views::{EventView, FilingRow, FilingView};
use super::paging::{NoFilter, Paged};
use super::risk::{date_id, date_id_cursor};
use crate::auth::{Business, Caller};
use crate::error::{ApiError, ApiResult, Json, Path, Problem};
use crate::model::filings::FilingKind;
use crate::services::appeal_steps::{self, AgencyStep, FilerStep};
use crate::services::appeals::{self, NewAppeal};
use crate::services::filings::{self, FilingState, Via};
use crate::services::objections::{self, NewObjection};
use crate::state::AppState;
use crate::store::FilingList;

pub(super) fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<&str>> {
    headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str().map_err(|_| {
                ApiError::BadRequest(
                    "заголовок Idempotency-Key — видимые символы ASCII / the Idempotency-Key header is visible ASCII"
                        .into(),
                )
            })
        })
        .transpose()
}

pub(super) async fn view(state: &AppState, s: FilingState) -> ApiResult<Json<FilingView>> {
    let receipt = filings::log_index(state, s.filing.record).await?;
    Ok(Json(FilingView::of(s, receipt, state.today())))
}

pub(super) async fn answer(
    state: &AppState,
    (s, created): (FilingState, bool),
) -> ApiResult<(StatusCode, Json<FilingView>)> {
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, view(state, s).await?))
}

/// Files an objection to a warning addressed to the business (ст.49), within the control
/// type's period from the day the warning reached it. The answer carries the receipt: the
/// server's record of the filing and its place in the transparency log. A retry with the same
/// `Idempotency-Key` answers 200 with the filing made the first time.
#[utoipa::path(post, path = "/api/v1/business/objections", tag = "business", security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried filing safe")),
    request_body = NewObjection, responses(
    (status = 201, body = FilingView), (status = 200, body = FilingView, description = "a retry"),
    (status = 401, body = Problem),
    (status = 422, body = Problem, description = "late (the last day named), an unknown warning, bad content, or the key reused"),
))]
pub(super) async fn file_objection(
    State(state): State<AppState>,
    Business(key): Business,
    headers: HeaderMap,
    Json(req): Json<NewObjection>,
) -> ApiResult<(StatusCode, Json<FilingView>)> {
    let done = objections::file(&state, &key, Via::Api(idempotency_key(&headers)?), req).await?;
    answer(&state, done).await
}

/// Files a pre-trial appeal (ст.40–41). A late one needs `restoration_reason`, or it is refused
/// with its last day.
#[utoipa::path(post, path = "/api/v1/business/appeals", tag = "business", security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried filing safe")),
    request_body = NewAppeal, responses(
    (status = 201, body = FilingView), (status = 200, body = FilingView, description = "a retry"),
    (status = 401, body = Problem),
    (status = 422, body = Problem, description = "late without a restoration request, an unknown target, bad content, or the key reused"),
))]
pub(super) async fn file_appeal(
    State(state): State<AppState>,
    Business(key): Business,
    headers: HeaderMap,
    Json(req): Json<NewAppeal>,
) -> ApiResult<(StatusCode, Json<FilingView>)> {
    let done = appeals::file(&state, &key, Via::Api(idempotency_key(&headers)?), req).await?;
    answer(&state, done).await
}

/// The filer's step on its appeal: withdraw it, or answer a request for information.
#[utoipa::path(post, path = "/api/v1/business/appeals/{id}/steps", tag = "business", security(("api_key" = [])),
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = FilerStep, responses(
    (status = 201, body = FilingView), (status = 200, body = FilingView, description = "a retry"),
    (status = 401, body = Problem), (status = 404, body = Problem),
    (status = 409, body = Problem, description = "the appeal is closed"),
    (status = 422, body = Problem, description = "no request for information is open, or bad content"),
))]
pub(super) async fn filer_step(
    State(state): State<AppState>,
    Business(key): Business,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    Json(req): Json<FilerStep>,
) -> ApiResult<(StatusCode, Json<FilingView>)> {
    let done =
        appeal_steps::filer_step(&state, &key, Via::Api(idempotency_key(&headers)?), id, &req)
            .await?;
    answer(&state, done).await
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FilingPage {
    items: Vec<FilingView>,
    next: Option<String>,
}

/// The business's objections and appeals, newest first.
#[utoipa::path(get, path = "/api/v1/business/filings", tag = "business", security(("api_key" = [])),
    params(Paged<NoFilter, 100>), responses((status = 200, body = FilingPage), (status = 401, body = Problem)))]
pub(super) async fn business_filings(
    State(state): State<AppState>,
    Business(key): Business,
    page: Paged<NoFilter, 100>,
) -> ApiResult<Json<FilingPage>> {
    let before = page.cursor("a filing id", |a| a.parse::<Uuid>().ok())?;
    let rows = filings::business_filings(&state, &key, before, page.limit).await?;
    let next = page.next(&rows, |s| s.filing.id.to_string());
    let mut items = Vec::with_capacity(rows.len());
    for s in rows {
        items.push(view(&state, s).await?.0);
    }
    Ok(Json(FilingPage { items, next }))
}

/// One of the business's filings.
#[utoipa::path(get, path = "/api/v1/business/filings/{id}", tag = "business", security(("api_key" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = FilingView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn business_filing(
    State(state): State<AppState>,
    Business(key): Business,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<FilingView>> {
    let s = filings::business_filing(&state, &key, id).await?;
    view(&state, s).await
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct EventPage {
    events: Vec<EventView>,
    /// Pass as `after` to poll for what comes next (the same value when nothing came).
    cursor: String,
}

/// The business's events after the cursor, oldest first: every filing received and every
/// status change of its filings. Poll with the `cursor` of the last answer.
#[utoipa::path(get, path = "/api/v1/business/events", tag = "business", security(("api_key" = [])),
    params(Paged<NoFilter, 500>), responses((status = 200, body = EventPage), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub(super) async fn business_events(
    State(state): State<AppState>,
    Business(key): Business,
    page: Paged<NoFilter, 500>,
) -> ApiResult<Json<EventPage>> {
    let after = page
        .cursor("an event cursor", |a| {
            a.parse::<i64>().ok().filter(|n| *n >= 0)
        })?
        .unwrap_or(0);
    let events = filings::business_events(&state, &key, after, page.limit).await?;
    let cursor = events.last().map_or(after, |e| e.id).to_string();
    Ok(Json(EventPage {
        events: events.into_iter().map(Into::into).collect(),
        cursor,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(super) struct InboxQuery {
    /// Only filings in this status (newest first); without it, those the agency owes something,
    /// by the first day owed.
    status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct InboxPage {
    items: Vec<FilingRow>,
    next: Option<String>,
}

async fn inbox(
    state: &AppState,
    caller: &Caller,
    kind: FilingKind,
    page: &Paged<InboxQuery, 500>,
) -> ApiResult<Json<InboxPage>> {
    let list = match &page.filter.status {
        None => FilingList::Open {
            after: page.cursor("a due date and id", date_id_cursor)?,
        },
        Some(status) => FilingList::Status {
            status: status.clone(),
            before: page.cursor("a filing id", |a| a.parse::<Uuid>().ok())?,
        },
    };
    let rows = filings::agency_list(
        state,
        &caller.user,
        caller.address.as_deref(),
        kind,
        &list,
        page.limit,
    )
    .await?;
    let next = page.next(&rows, |f| match (&list, f.due_on) {
        (FilingList::Open { .. }, Some(due)) => date_id(due, f.id),
        _ => f.id.to_string(),
    });
    let today = state.today();
    Ok(Json(InboxPage {
        items: rows.into_iter().map(|f| FilingRow::of(f, today)).collect(),
        next,
    }))
}

/// The appeals inbox: what the agency owes, by deadline (or one status, newest first).
#[utoipa::path(get, path = "/api/v1/appeals", tag = "filings", security(("session" = [])),
    params(Paged<InboxQuery, 500>), responses((status = 200, body = InboxPage), (status = 403, body = Problem)))]
pub(super) async fn appeals_inbox(
    State(state): State<AppState>,
    caller: Caller,
    page: Paged<InboxQuery, 500>,
) -> ApiResult<Json<InboxPage>> {
    inbox(&state, &caller, FilingKind::Appeal, &page).await
}

/// The objections inbox.
#[utoipa::path(get, path = "/api/v1/objections", tag = "filings", security(("session" = [])),
    params(Paged<InboxQuery, 500>), responses((status = 200, body = InboxPage), (status = 403, body = Problem)))]
pub(super) async fn objections_inbox(
    State(state): State<AppState>,
    caller: Caller,
    page: Paged<InboxQuery, 500>,
) -> ApiResult<Json<InboxPage>> {
    inbox(&state, &caller, FilingKind::Objection, &page).await
}

/// One appeal with its steps and what is owed.
#[utoipa::path(get, path = "/api/v1/appeals/{id}", tag = "filings", security(("session" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = FilingView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn get_appeal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<FilingView>> {
    let s = objections::read(
        &state,
        &caller.user,
        caller.address.as_deref(),
        id,
        FilingKind::Appeal,
    )
    .await?;
    view(&state, s).await
}

/// One objection.
#[utoipa::path(get, path = "/api/v1/objections/{id}", tag = "filings", security(("session" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = FilingView), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub(super) async fn get_objection(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<FilingView>> {
    let s = objections::read(
        &state,
        &caller.user,
        caller.address.as_deref(),
        id,
        FilingKind::Objection,
    )
    .await?;
    view(&state, s).await
}

/// A reviewer's step on an appeal, dated today: register or refuse (ст.42), decide the
/// restoration or the suspension, extend once, request information, decide (ч.6 ст.43). Each
/// is a server-signed record; a step the law does not allow is refused and changes nothing.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/steps", tag = "filings", security(("session" = [])),
    params(("id" = Uuid, Path)), request_body = AgencyStep, responses(
    (status = 200, body = FilingView), (status = 403, body = Problem), (status = 404, body = Problem),
    (status = 409, body = Problem, description = "closed, or another step was just taken"),
    (status = 422, body = Problem, description = "the law does not allow the step now"),
))]
pub(super) async fn appeal_step(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<AgencyStep>,
) -> ApiResult<Json<FilingView>> {
    let s = appeal_steps::agency_step(&state, &caller.user, caller.address.as_deref(), id, &req)
        .await?;
    view(&state, s).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ObjectionDecision {
    /// Withdraw the warning (the objection upheld); otherwise the objection is rejected.
    withdraw_warning: bool,
    /// Required for a rejection.
    #[serde(default)]
    reasons: Option<String>,
}

/// A reviewer's decision on an objection: the warning withdrawn, or the objection rejected
/// with reasons; a server-signed record.
#[utoipa::path(post, path = "/api/v1/objections/{id}/decision", tag = "filings", security(("session" = [])),
    params(("id" = Uuid, Path)), request_body = ObjectionDecision, responses(
    (status = 200, body = FilingView), (status = 403, body = Problem), (status = 404, body = Problem),
    (status = 409, body = Problem, description = "decided already"),
    (status = 422, body = Problem, description = "a rejection without reasons"),
))]
pub(super) async fn decide_objection(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<ObjectionDecision>,
) -> ApiResult<Json<FilingView>> {
    let s = objections::decide(
        &state,
        &caller.user,
        caller.address.as_deref(),
        id,
        req.withdraw_warning,
        req.reasons.as_deref(),
    )
    .await?;
    view(&state, s).await
}
