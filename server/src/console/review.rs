//! Review flags: the conflicts the projector raised, each with its record and a resolution
//! (accept, or reject with a reason) by a reviewer, planner or admin; resolved flags leave the
//! waiting list. The services decide who may see and resolve them, and audit each resolution.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use knd_shared::RecordId;
use serde::Deserialize;

use super::chrome::{Chrome, Failure, PageResult, done, form_urlencoded, rendered};
use super::format;
use super::review_names;
use super::session::{Posted, Viewer, filled};
use crate::error::ApiError;
use crate::model::{Decision, ReviewItem, ReviewState};
use crate::services::policy::Action;
use crate::services::review::{self, Resolve};
use crate::state::AppState;

/// Flags per page.
const PAGE: u32 = 50;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/review-flags", get(list))
        .route("/review-flags/resolve", post(resolve))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    state: Option<String>,
    after: Option<String>,
    after_reason: Option<String>,
    /// The decision just saved (the notice after a redirect).
    saved: Option<String>,
}

/// A row of the table.
pub(crate) struct Row {
    /// Unique within the page: the ids of the row's fields.
    pub(crate) n: usize,
    pub(crate) record: String,
    pub(crate) reason: String,
    pub(crate) evidence_href: Option<String>,
    pub(crate) reason_name: String,
    pub(crate) detail: String,
    pub(crate) resolution: Option<Resolved>,
    /// What was typed in the row's form when it comes back with an error.
    pub(crate) typed_note: String,
    pub(crate) typed_reject: bool,
    pub(crate) note_error: Option<String>,
}

pub(crate) struct Resolved {
    pub(crate) word: &'static str,
    pub(crate) accepted: bool,
    pub(crate) by: String,
    pub(crate) at: String,
    pub(crate) note: Option<String>,
}

pub(crate) struct StateOption {
    pub(crate) value: &'static str,
    pub(crate) label: &'static str,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    chrome: Chrome,
    state: &'static str,
    states: Vec<StateOption>,
    rows: Vec<Row>,
    may_resolve: bool,
    next_href: Option<String>,
    notice: Option<&'static str>,
    error: Option<String>,
}

fn which(q: Option<&str>) -> ReviewState {
    q.and_then(ReviewState::parse).unwrap_or_default()
}

fn row(viewer: &Viewer, state: &AppState, n: usize, item: ReviewItem) -> Row {
    let lang = viewer.lang;
    let f = item.flag;
    let reason_name = review_names::reason(&f.reason)
        .map_or_else(|| f.reason.clone(), |(ru, en)| lang.t(ru, en).to_owned());
    Row {
        n,
        record: f.record.to_string(),
        evidence_href: f
            .inspection
            .map(|i| format!("/inspections/{i}/evidence#record-{}", f.record)),
        reason: f.reason,
        reason_name,
        detail: lang.pick(&f.detail),
        resolution: item.resolution.map(|r| {
            let (ru, en) = review_names::decision(r.decision);
            Resolved {
                word: lang.t(ru, en),
                accepted: r.decision == Decision::Accepted,
                by: r.by_login,
                at: format::datetime(&state.zone, r.at),
                note: r.note,
            }
        }),
        typed_note: String::new(),
        typed_reject: false,
        note_error: None,
    }
}

/// The page for `q`, with `status` and, for a form sent back, its row's error.
async fn render(
    state: &AppState,
    viewer: &Viewer,
    q: &ListQuery,
    status: StatusCode,
    sent_back: Option<(&ResolveForm, String)>,
    error: Option<String>,
) -> PageResult {
    let lang = viewer.lang;
    let which = which(q.state.as_deref());
    let after = match (filled(&q.after), q.after_reason.as_deref()) {
        (Some(a), Some(r)) => Some((
            RecordId::parse(a).map_err(|_| Failure::bad_form("after"))?,
            r.to_owned(),
        )),
        _ => None,
    };
    let items = review::list(state, &viewer.user, viewer.address(), which, after, PAGE).await?;
    let full = items.len() == PAGE as usize;
    let next_href = items.last().filter(|_| full).map(|last| {
        format!(
            "/review-flags?state={}&after={}&after_reason={}",
            which.as_str(),
            last.flag.record,
            form_urlencoded(&last.flag.reason)
        )
    });
    let mut rows: Vec<Row> = items
        .into_iter()
        .enumerate()
        .map(|(n, item)| row(viewer, state, n, item))
        .collect();
    if let Some((form, message)) = sent_back {
        if let Some(r) = rows
            .iter_mut()
            .find(|r| r.record == form.record && r.reason == form.reason)
        {
            r.typed_note = form.note.clone().unwrap_or_default();
            r.typed_reject = form.decision == "rejected";
            r.note_error = Some(message);
        }
    }
    let states = [
        (ReviewState::Waiting, "Ждут решения", "Waiting"),
        (ReviewState::Resolved, "Решённые", "Resolved"),
        (ReviewState::All, "Все", "All"),
    ]
    .into_iter()
    .map(|(s, ru, en)| StateOption {
        value: s.as_str(),
        label: lang.t(ru, en),
        selected: s == which,
    })
    .collect();
    let notice = match q.saved.as_deref() {
        Some("accepted") => Some(lang.t("Флаг принят.", "The flag was accepted.")),
        Some("rejected") => Some(lang.t("Флаг отклонён.", "The flag was rejected.")),
        _ => None,
    };
    let t = ReviewPage {
        chrome: Chrome::new(state, viewer, "/review-flags"),
        state: which.as_str(),
        states,
        rows,
        may_resolve: viewer.may(Action::ResolveReviewFlags),
        next_href,
        notice,
        error,
    };
    Ok(rendered(status, &t))
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> PageResult {
    render(&state, &viewer, &q, StatusCode::OK, None, None).await
}

#[derive(Debug, Deserialize)]
pub(super) struct ResolveForm {
    record: String,
    reason: String,
    #[serde(default)]
    decision: String,
    note: Option<String>,
    state: Option<String>,
}

async fn resolve(State(state): State<AppState>, posted: Posted<ResolveForm>) -> PageResult {
    let Posted { viewer, form } = posted;
    let record = RecordId::parse(&form.record).map_err(|_| Failure::bad_form("record"))?;
    let decision = Decision::parse(&form.decision).ok_or_else(|| Failure::bad_form("decision"))?;
    let back = ListQuery {
        state: form.state.clone(),
        ..ListQuery::default()
    };
    let asked = Resolve {
        record,
        reason: form.reason.clone(),
        decision,
        note: form.note.clone(),
    };
    match review::resolve(&state, &viewer.user, viewer.address(), asked).await {
        Ok(_) => Ok(done(&format!(
            "/review-flags?state={}&saved={}",
            which(form.state.as_deref()).as_str(),
            decision.as_str()
        ))),
        Err(ApiError::Unprocessable(msg)) => {
            let msg = viewer.lang.pick(&msg);
            render(
                &state,
                &viewer,
                &back,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((&form, msg)),
                None,
            )
            .await
        }
        Err(ApiError::Conflict(msg)) => {
            let msg = viewer.lang.pick(&msg);
            render(
                &state,
                &viewer,
                &back,
                StatusCode::CONFLICT,
                None,
                Some(msg),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
