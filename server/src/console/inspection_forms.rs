//! The planner's forms on an inspection's page: rescheduling, reassignment, the status steps
//! and cancelling (a new inspection is `inspection_new`). Each goes through `services/inspections.rs`
//! (which asks the policy and checks the law); a refusal shows the form again (422) with what
//! was typed and the service's words. A "check" button counts the term on the production
//! calendar for the typed dates without saving anything, so it works without JavaScript.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use knd_shared::UserId;
use knd_shared::calendar::iso_date;
use time::Date;

use super::chrome::{Failure, PageResult, done};
use super::inspection_view::{self, Forms};
use super::inspections::parse_id;
use super::session::{Posted, Viewer};
use crate::error::ApiError;
use crate::model::InspectionStatus;
use crate::services::inspection_reads;
use crate::services::inspections::{self, InspectionChange};
use crate::services::policy::{self, Action};
use crate::state::AppState;

/// A posted form as its (name, value) pairs: checkboxes repeat their name.
pub(super) type Pairs = Vec<(String, String)>;

pub(super) fn field<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

pub(super) fn all<'a>(pairs: &'a Pairs, name: &str) -> impl Iterator<Item = &'a str> {
    pairs
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.trim())
}

/// The words of a refusal a form shows beside itself; anything else (403, 404, 500) is the
/// error page.
pub(super) fn refusal(e: ApiError) -> Result<String, Failure> {
    match e {
        ApiError::Unprocessable(m)
        | ApiError::Conflict(m)
        | ApiError::BadRequest(m)
        | ApiError::FilingLate(m) => Ok(m),
        e @ ApiError::Constraint(_) => Ok(e.to_string()),
        e => Err(Failure::from(e)),
    }
}

/// Refuses (audited, 403) a planner's form posted by a role that may not plan, before its
/// fields are read: an auditor's post is refused whatever it contains.
pub(super) async fn planners_only(
    state: &AppState,
    viewer: &Viewer,
    audit: &str,
    target: &str,
) -> Result<(), Failure> {
    policy::require(
        state,
        &viewer.user,
        viewer.address(),
        Action::PlanInspection,
        audit,
        || target.to_owned(),
    )
    .await?;
    Ok(())
}

const BAD_DATE: &str = "укажите дату ГГГГ-ММ-ДД / give a date YYYY-MM-DD";

pub(super) fn date(s: &str) -> Result<Date, String> {
    iso_date::parse(s).map_err(|_| BAD_DATE.to_owned())
}

pub(super) async fn reschedule(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted<Pairs>,
) -> PageResult {
    planners_only(
        &state,
        &viewer,
        "inspection.change",
        &format!("inspection:{id}"),
    )
    .await?;
    let (s, e) = (field(&form, "starts_on"), field(&form, "ends_on"));
    let mut forms = Forms {
        starts_on: Some(s.to_owned()),
        ends_on: Some(e.to_owned()),
        ..Forms::default()
    };
    let (starts_on, ends_on) = match (date(s), date(e)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(m), _) | (_, Err(m)) => {
            forms.reschedule_error = Some(m);
            return show(&state, &viewer, &id, forms).await;
        }
    };
    if field(&form, "action") == "check" {
        let insp = inspection_reads::get(&state, &viewer.user, parse_id(&id)?).await?;
        forms.reschedule_checked = Some(inspection_view::term_words(
            &state,
            viewer.lang,
            insp.kind,
            insp.objects.len(),
            starts_on,
            ends_on,
        ));
        forms.reschedule_error = inspection_view::term_refusal(
            &state,
            insp.kind,
            insp.objects.len(),
            starts_on,
            ends_on,
        );
        let status = if forms.reschedule_error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        return inspection_view::render(&state, &viewer, &id, forms, status).await;
    }
    let insp = inspection_reads::get(&state, &viewer.user, parse_id(&id)?).await?;
    if let Some(words) =
        inspection_view::term_refusal(&state, insp.kind, insp.objects.len(), starts_on, ends_on)
    {
        forms.reschedule_error = Some(words);
        return show(&state, &viewer, &id, forms).await;
    }
    let change = InspectionChange {
        starts_on: Some(starts_on),
        ends_on: Some(ends_on),
        ..InspectionChange::default()
    };
    match inspections::change(
        &state,
        &viewer.user,
        parse_id(&id)?,
        change,
        viewer.address(),
    )
    .await
    {
        Ok(i) => Ok(done(&format!("/inspections/{}", i.id))),
        Err(e) => {
            forms.reschedule_error = Some(refusal(e)?);
            show(&state, &viewer, &id, forms).await
        }
    }
}

pub(super) async fn reassign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted<Pairs>,
) -> PageResult {
    planners_only(
        &state,
        &viewer,
        "inspection.change",
        &format!("inspection:{id}"),
    )
    .await?;
    let mut ids = Vec::new();
    for s in all(&form, "inspector") {
        ids.push(UserId::parse(s).map_err(Failure::bad_form)?);
    }
    let change = InspectionChange {
        inspectors: Some(ids),
        ..InspectionChange::default()
    };
    match inspections::change(
        &state,
        &viewer.user,
        parse_id(&id)?,
        change,
        viewer.address(),
    )
    .await
    {
        Ok(i) => Ok(done(&format!("/inspections/{}", i.id))),
        Err(e) => {
            let forms = Forms {
                reassign_error: Some(refusal(e)?),
                ..Forms::default()
            };
            show(&state, &viewer, &id, forms).await
        }
    }
}

pub(super) async fn status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted<Pairs>,
) -> PageResult {
    let Some(next) = InspectionStatus::parse(field(&form, "status")) else {
        return Err(Failure::bad_form("status"));
    };
    let reason = field(&form, "reason");
    let cancelling = next == InspectionStatus::Cancelled;
    if cancelling && reason.is_empty() && viewer.may(Action::PlanInspection) {
        let forms = Forms {
            cancel_error: Some(
                "укажите причину отмены / give the reason for cancelling".to_owned(),
            ),
            ..Forms::default()
        };
        return show(&state, &viewer, &id, forms).await;
    }
    let result = inspections::change_status(
        &state,
        &viewer.user,
        viewer.address(),
        parse_id(&id)?,
        next,
        Some(reason).filter(|r| !r.is_empty()),
    )
    .await;
    match result {
        Ok(i) => Ok(done(&format!("/inspections/{}", i.id))),
        Err(e) => {
            let words = refusal(e)?;
            let forms = if cancelling {
                Forms {
                    cancel_error: Some(words),
                    cancel_reason: reason.to_owned(),
                    ..Forms::default()
                }
            } else {
                Forms {
                    status_error: Some(words),
                    ..Forms::default()
                }
            };
            show(&state, &viewer, &id, forms).await
        }
    }
}

async fn show(state: &AppState, viewer: &Viewer, id: &str, forms: Forms) -> PageResult {
    inspection_view::render(state, viewer, id, forms, StatusCode::UNPROCESSABLE_ENTITY).await
}
