//! The planner's lifecycle step on a plan's page (send, approve, publish: each with its date,
//! approval with who approved it) and the plan's exports as files. A refused step shows the
//! plan's page again (422) with what was typed and the service's words, Russian then English.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use time::Date;

use super::chrome::{Failure, PageResult, done};
use super::inspection_forms::{Pairs, date, field, refusal};
use super::plan_names::Refusal;
use super::plan_view::{self, StepForm, ViewQuery, parse_id};
use super::session::{Posted, Viewer};
use crate::model::planning::Plan;
use crate::services::plan_export;
use crate::services::plan_lifecycle::{self, Step};
use crate::services::policy::{self, Action};
use crate::state::AppState;

/// Refuses (audited, 403) a planner's form posted by a role that may not build plans, before
/// its fields are read: an auditor's post is refused whatever it contains.
pub(super) async fn builders_only(
    state: &AppState,
    viewer: &Viewer,
    audit: &str,
    target: &str,
) -> Result<(), Failure> {
    policy::require(
        state,
        &viewer.user,
        viewer.address(),
        Action::BuildPlan,
        audit,
        || target.to_owned(),
    )
    .await?;
    Ok(())
}

fn step_of(code: &str, on: Date, by: &str) -> Option<Step> {
    match code {
        "send" => Some(Step::Send { on }),
        "approve" => Some(Step::Approve {
            on,
            by: by.to_owned(),
        }),
        "publish" => Some(Step::Publish { on }),
        _ => None,
    }
}

pub(super) async fn step(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted<Pairs>,
) -> PageResult {
    builders_only(&state, &viewer, "plan.step", &format!("plan:{id}")).await?;
    let plan_id = parse_id(&id)?;
    let (on, by) = (field(&form, "on"), field(&form, "by"));
    let mut typed = StepForm {
        on: Some(on.to_owned()),
        by: by.to_owned(),
        error: None,
    };
    let q = ViewQuery::default();
    let day = match date(on) {
        Ok(d) => d,
        Err(words) => {
            typed.error = Some(Refusal::of(&words));
            return plan_view::render(
                &state,
                &viewer,
                &id,
                &q,
                typed,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let Some(step) = step_of(field(&form, "step"), day, by) else {
        return Err(Failure::bad_form("step"));
    };
    match plan_lifecycle::step(&state, &viewer.user, viewer.address(), plan_id, step).await {
        Ok(_) => Ok(done(&format!("/plans/{plan_id}"))),
        Err(e) => {
            typed.error = Some(Refusal::of(&refusal(e)?));
            plan_view::render(
                &state,
                &viewer,
                &id,
                &q,
                typed,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// A file to download: its type and a name with the plan's year, kind and version.
fn attachment(plan: &Plan, ext: &str, kind: &'static str, bytes: Vec<u8>) -> Response {
    let name = format!(
        "plan-{}-{}-v{}.{ext}",
        plan.year,
        plan.kind.as_str(),
        plan.version
    );
    let mut resp = (StatusCode::OK, bytes).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

pub(super) async fn export_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let (plan, bytes) =
        plan_export::csv(&state, &viewer.user, viewer.address(), parse_id(&id)?).await?;
    Ok(attachment(&plan, "csv", "text/csv; charset=utf-8", bytes))
}

pub(super) async fn export_xlsx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let (plan, bytes) =
        plan_export::xlsx(&state, &viewer.user, viewer.address(), parse_id(&id)?).await?;
    Ok(attachment(
        &plan,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        bytes,
    ))
}
