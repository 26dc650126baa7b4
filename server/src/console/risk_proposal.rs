//! One category proposal, explained factor by factor as the model scored it (severity readings,
//! probability contributions with the conscientiousness ones marked, the points, the classes and
//! the matrix cell), then the decision: a reason and «Подтвердить» or «Отклонить». A decided
//! proposal says who decided, when and why, and a confirmation links its server-signed record.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use knd_shared::planning::{Explanation, RiskModel};
use serde::Deserialize;
use uuid::Uuid;

use super::chrome::{Chrome, Failure, PageResult, done, rendered};
use super::format;
use super::inspection_forms::refusal;
use super::risk::object_href;
use super::risk_matrix::{self, Grid};
use super::risk_names;
use super::session::{Posted, Viewer};
use crate::error::ApiError;
use crate::model::planning::{CategoryProposal, ProposalStatus};
use crate::services::policy::{self, Action};
use crate::services::{registry_reads, risk, risk_reads};
use crate::state::AppState;

/// A severity rule's reading of the object.
struct Reading {
    name: String,
    attribute: String,
    value: String,
    class: u8,
}

/// A factor's share of the probability points.
struct Share {
    name: &'static str,
    value: u32,
    counted: u32,
    weight: i32,
    points: i32,
    conscientiousness: bool,
}

/// Who decided, when and why.
struct Decided {
    confirmed: bool,
    word: &'static str,
    by: String,
    at: String,
    reason: String,
    record_href: Option<String>,
    bundle_href: Option<String>,
    record_id: String,
}

/// The decision form: what was typed and the refusal beside it.
struct DecideForm {
    reason: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "risk_proposal.html")]
struct ProposalPage {
    chrome: Chrome,
    id: String,
    object_key: String,
    object_href: String,
    current: &'static str,
    proposed: &'static str,
    proposed_on: String,
    due_on: String,
    status: &'static str,
    overdue: bool,
    readings: Vec<Reading>,
    severity_class: u8,
    shares: Vec<Share>,
    points: i32,
    probability_class: u8,
    thresholds: String,
    matrix: Option<Grid>,
    text: String,
    decided: Option<Decided>,
    form: Option<DecideForm>,
    /// A refusal of the whole form (decided meanwhile), above it.
    problem: Option<String>,
    notice: Option<&'static str>,
}

fn parse_id(id: &str) -> Result<Uuid, Failure> {
    Uuid::parse_str(id).map_err(|_| Failure::from(ApiError::NotFound))
}

/// The model of the proposal's control type as it stands now (for the matrix drawn).
async fn model_of(
    state: &AppState,
    viewer: &Viewer,
    p: &CategoryProposal,
) -> Result<Option<RiskModel>, Failure> {
    Ok(
        registry_reads::control_types(state, &viewer.user, viewer.address())
            .await?
            .into_iter()
            .find(|t| t.id == p.control_type)
            .map(|t| t.rules.risk_model()),
    )
}

async fn decided(
    state: &AppState,
    viewer: &Viewer,
    p: &CategoryProposal,
) -> Result<Option<Decided>, Failure> {
    let lang = viewer.lang;
    if !matches!(
        p.status,
        ProposalStatus::Confirmed | ProposalStatus::Rejected
    ) {
        return Ok(None);
    }
    let by = match p.decided_by {
        Some(u) => risk_reads::login_of(state, &viewer.user, viewer.address(), u)
            .await?
            .unwrap_or_else(|| u.to_string()),
        None => String::new(),
    };
    Ok(Some(Decided {
        confirmed: p.status == ProposalStatus::Confirmed,
        word: risk_names::status(lang, p.status),
        by,
        at: p
            .decided_at
            .map(|t| format::datetime(&state.zone, t))
            .unwrap_or_default(),
        reason: p.reason.clone().unwrap_or_default(),
        record_href: p.record.map(|r| format!("/api/v1/records/{r}")),
        bundle_href: p.record.map(|r| format!("/api/v1/records/{r}/bundle")),
        record_id: p.record.map(|r| r.to_string()).unwrap_or_default(),
    }))
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    p: &CategoryProposal,
    form: Option<DecideForm>,
    problem: Option<String>,
    notice: Option<&'static str>,
) -> Result<ProposalPage, Failure> {
    let lang = viewer.lang;
    let e: Explanation = serde_json::from_value(p.explanation.clone())
        .map_err(|e| Failure::from(ApiError::Internal(format!("explanation: {e}"))))?;
    let model = model_of(state, viewer, p).await?;
    let pending = p.status == ProposalStatus::Pending;
    let form = (pending && viewer.may(Action::DecideCategory)).then(|| {
        form.unwrap_or(DecideForm {
            reason: String::new(),
            error: None,
        })
    });
    Ok(ProposalPage {
        chrome: Chrome::new(state, viewer, "/risk"),
        id: p.id.to_string(),
        object_key: p.object_key.clone(),
        object_href: object_href(&p.object_key),
        current: risk_names::category(lang, p.current),
        proposed: risk_names::category(lang, Some(p.proposed)),
        proposed_on: format::date(p.proposed_on),
        due_on: format::date(p.due_on),
        status: risk_names::status(lang, p.status),
        overdue: pending && p.due_on < state.today(),
        readings: e
            .severity
            .iter()
            .map(|r| Reading {
                name: lang.t(&r.name_ru, &r.name_en).to_owned(),
                attribute: r.attribute.clone(),
                value: r.value.map_or_else(
                    || lang.t("нет данных", "no data").to_owned(),
                    |v| v.to_string(),
                ),
                class: r.class,
            })
            .collect(),
        severity_class: e.severity_class,
        shares: e
            .contributions
            .iter()
            .map(|c| Share {
                name: lang.t(c.factor.name_ru(), c.factor.name_en()),
                value: c.value,
                counted: c.counted,
                weight: c.weight,
                points: c.points,
                conscientiousness: c.factor.is_conscientiousness(),
            })
            .collect(),
        points: e.points,
        probability_class: e.probability_class,
        thresholds: model.as_ref().map_or_else(String::new, |m| {
            m.probability_thresholds
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        }),
        matrix: model
            .as_ref()
            .map(|m| risk_matrix::grid(lang, m, e.severity_class, e.probability_class)),
        text: lang.t(&e.text_ru(), &e.text_en()).to_owned(),
        decided: decided(state, viewer, p).await?,
        form,
        problem,
        notice,
    })
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ShowQuery {
    decided: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let lang = viewer.lang;
    let p = risk::proposal_of(&state, &viewer.user, viewer.address(), parse_id(&id)?).await?;
    let notice = match q.decided.as_deref() {
        Some("confirmed") => Some(lang.t(
            "Категория подтверждена и присвоена объекту.",
            "The category was confirmed and assigned to the object.",
        )),
        Some("rejected") => Some(lang.t("Предложение отклонено.", "The proposal was rejected.")),
        _ => None,
    };
    let t = render(&state, &viewer, &p, None, None, notice).await?;
    Ok(rendered(StatusCode::OK, &t))
}

/// The decision as the form posts it: the button pressed and the reason.
#[derive(Debug, Deserialize)]
pub(super) struct DecidePost {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted<DecidePost>,
) -> PageResult {
    let id = parse_id(&id)?;
    // Refused (and audited) before anything posted is looked at.
    policy::require(
        &state,
        &viewer.user,
        viewer.address(),
        Action::DecideCategory,
        "risk.decide",
        || format!("risk_proposal:{id}"),
    )
    .await?;
    let confirm = match form.decision.as_str() {
        "confirm" => true,
        "reject" => false,
        _ => return Err(Failure::bad_form("decision")),
    };
    // The service wants a reason, and a proposal still pending.
    match risk::decide(
        &state,
        &viewer.user,
        viewer.address(),
        id,
        confirm,
        &form.reason,
    )
    .await
    {
        Ok(p) => Ok(done(&format!(
            "/risk/proposals/{}?decided={}",
            p.id,
            p.status.as_str()
        ))),
        Err(e) => {
            let conflict = matches!(e, ApiError::Conflict(_));
            let message = viewer.lang.pick(&refusal(e)?);
            let p = risk::proposal_of(&state, &viewer.user, viewer.address(), id).await?;
            let (typed, problem, status) = if conflict {
                (None, Some(message), StatusCode::CONFLICT)
            } else {
                let typed = DecideForm {
                    reason: form.reason.clone(),
                    error: Some(message),
                };
                (Some(typed), None, StatusCode::UNPROCESSABLE_ENTITY)
            };
            let t = render(&state, &viewer, &p, typed, problem, None).await?;
            Ok(rendered(status, &t))
        }
    }
}
