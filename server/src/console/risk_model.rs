//! A control type's risk model editor: severity rules, weights, probability thresholds, the
//! matrix as a grid of category selects (only the categories the regulation uses), the risk
//! indicators and the planning policy, saved with a required reason as the rules' next version
//! (`planning_settings::save_rules`); below, every version. A plain form: rows are added by a
//! button that shows the form again with a blank row, removed by a checkbox. An auditor sees
//! the same fields disabled and no form.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use knd_shared::UserId;
use serde::Deserialize;

use super::chrome::{Chrome, Failure, PageResult, done, form_urlencoded, rendered};
use super::format;
use super::inspection_forms::{Pairs, field, refusal};
use super::risk_model_form::{self as form, Errors};
use super::risk_model_view::{Editor, editor};
use super::session::{Posted, Viewer};
use crate::error::ApiError;
use crate::model::ControlType;
use crate::services::planning_settings::{self, PlanningRulesChange};
use crate::services::policy::{self, Action};
use crate::services::risk_reads;
use crate::state::AppState;

/// A version of the rules.
struct VersionLine {
    version: u32,
    at: String,
    by: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "risk_model.html")]
struct ModelPage {
    chrome: Chrome,
    name: String,
    action: String,
    can_edit: bool,
    e: Editor,
    /// The service's refusal, above the form (and beside the matrix when it is about it).
    problem: Option<String>,
    matrix_problem: Option<String>,
    notice: Option<&'static str>,
    versions: Vec<VersionLine>,
}

/// Blank rows to show after the rows in use, so one can be added without a click.
const BLANK_ROWS: usize = 1;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ShowQuery {
    saved: Option<String>,
}

/// The control type, after the policy let the viewer read planning (404 for an unknown code).
async fn control_type(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
) -> Result<(ControlType, Vec<VersionLine>), Failure> {
    let mut logins: HashMap<String, String> = HashMap::new();
    let mut versions = Vec::new();
    for v in planning_settings::versions(state, &viewer.user, viewer.address(), code).await? {
        // The audit log names a user `user:<id>`: a person reads the login.
        let by = match logins.get(&v.changed_by) {
            Some(login) => login.clone(),
            None => {
                let login = match v.changed_by.strip_prefix("user:").map(UserId::parse) {
                    Some(Ok(id)) => risk_reads::login_of(state, &viewer.user, viewer.address(), id)
                        .await?
                        .unwrap_or_else(|| v.changed_by.clone()),
                    _ => v.changed_by.clone(),
                };
                logins.insert(v.changed_by.clone(), login.clone());
                login
            }
        };
        versions.push(VersionLine {
            version: v.version,
            at: format::datetime(&state.zone, v.changed_at),
            by,
            reason: v.reason,
        });
    }
    let t = planning_settings::control_type(state, &viewer.user, code).await?;
    Ok((t, versions))
}

struct Shown {
    pairs: Pairs,
    errors: Errors,
    extra_sev: usize,
    extra_ind: usize,
    problem: Option<String>,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    code: &str,
    shown: Option<Shown>,
    notice: Option<&'static str>,
) -> Result<ModelPage, Failure> {
    let lang = viewer.lang;
    let (t, versions) = control_type(state, viewer, code).await?;
    let can_edit = viewer.may(Action::EditRiskModel);
    let shown = shown.unwrap_or_else(|| Shown {
        pairs: form::pairs_of(&t.rules),
        errors: Errors::new(),
        extra_sev: if can_edit { BLANK_ROWS } else { 0 },
        extra_ind: if can_edit { BLANK_ROWS } else { 0 },
        problem: None,
    });
    let matrix_problem = shown
        .problem
        .as_ref()
        .filter(|m| m.contains("матриц") || m.contains("matrix"))
        .map(|m| lang.pick(m));
    Ok(ModelPage {
        chrome: Chrome::new(state, viewer, "/risk"),
        name: t.name.clone(),
        action: format!("/risk/model/{}", form_urlencoded(code)),
        can_edit,
        e: editor(
            lang,
            &t.rules.categories,
            &shown.pairs,
            &shown.errors,
            (shown.extra_sev, shown.extra_ind),
        ),
        problem: shown.problem.as_deref().map(|m| lang.pick(m)),
        matrix_problem,
        notice,
        versions,
    })
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(code): Path<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let notice = q.saved.is_some().then(|| {
        viewer.lang.t(
            "Изменения сохранены новой версией правил.",
            "The change was saved as a new version of the rules.",
        )
    });
    let t = render(&state, &viewer, &code, None, notice).await?;
    Ok(rendered(StatusCode::OK, &t))
}

pub(super) async fn save(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Posted {
        viewer,
        form: pairs,
    }: Posted<Pairs>,
) -> PageResult {
    // Refused (audited) before anything posted is read.
    policy::require(
        &state,
        &viewer.user,
        viewer.address(),
        Action::EditRiskModel,
        "risk_model.put",
        || format!("control_type:{}", code.escape_debug()),
    )
    .await?;
    let again = |errors: Errors, problem: Option<String>, extra: (usize, usize)| Shown {
        pairs: pairs.clone(),
        errors,
        extra_sev: extra.0,
        extra_ind: extra.1,
        problem,
    };
    // "Add a row" shows the form again, as typed, with one more blank row; nothing is saved.
    match field(&pairs, "action") {
        "add_sev" | "add_ind" => {
            let add_sev = field(&pairs, "action") == "add_sev";
            let shown = again(
                Errors::new(),
                None,
                (usize::from(add_sev), usize::from(!add_sev)),
            );
            let t = render(&state, &viewer, &code, Some(shown), None).await?;
            return Ok(rendered(StatusCode::OK, &t));
        }
        _ => {}
    }
    let mut errors = match form::read(&pairs) {
        Ok(parsed) => {
            let reason = field(&pairs, "reason");
            if reason.is_empty() {
                Errors::from([(
                    "reason".to_owned(),
                    "укажите основание изменения / give the change's reason".to_owned(),
                )])
            } else {
                let change = PlanningRulesChange {
                    risk_model: Some(parsed.model),
                    indicators: Some(parsed.indicators),
                    planning: Some(parsed.planning),
                    reason: reason.to_owned(),
                };
                let saved = planning_settings::save_rules(
                    &state,
                    &viewer.user,
                    viewer.address(),
                    &code,
                    change,
                )
                .await;
                match saved {
                    Ok(_) => {
                        return Ok(done(&format!(
                            "/risk/model/{}?saved=1",
                            form_urlencoded(&code)
                        )));
                    }
                    Err(ApiError::NotFound) => return Err(ApiError::NotFound.into()),
                    Err(e) => {
                        let shown = again(Errors::new(), Some(refusal(e)?), (0, 0));
                        let t = render(&state, &viewer, &code, Some(shown), None).await?;
                        return Ok(rendered(StatusCode::UNPROCESSABLE_ENTITY, &t));
                    }
                }
            }
        }
        Err(errors) => errors,
    };
    if field(&pairs, "reason").is_empty() {
        errors.insert(
            "reason".to_owned(),
            "укажите основание изменения / give the change's reason".to_owned(),
        );
    }
    let problem = Some("исправьте отмеченные поля / correct the fields marked".to_owned());
    let t = render(
        &state,
        &viewer,
        &code,
        Some(again(errors, problem, (0, 0))),
        None,
    )
    .await?;
    Ok(rendered(StatusCode::UNPROCESSABLE_ENTITY, &t))
}
