//! One annual plan: its header (year, kind, status, version, each step's date, who approved it,
//! the signed record of the approval), its figures (capacity, demand, scheduled hours, quality,
//! the left-out entries by reason), the form of the next step of its lifecycle only, the export
//! links, its amendments, and one of its views (`plan_views.rs`): by month, by inspector, by
//! district, capacity, left out.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use knd_shared::UserId;
use serde::Deserialize;
use uuid::Uuid;

use super::chrome::{Chrome, Failure, PageResult, rendered};
use super::i18n::Lang;
use super::plan_entry::{self, AmendLine};
use super::plan_names::{self, Refusal};
use super::plan_views::{self, ViewBody};
use super::session::Viewer;
use super::{format, names};
use crate::error::ApiError;
use crate::model::planning::{Plan, PlanStatus};
use crate::services::policy::Action;
use crate::services::{plan_lifecycle, plan_reads};
use crate::state::AppState;

/// The most amendments the plan's page lists (newest first); an entry's page lists its own.
const AMENDMENTS_SHOWN: usize = 100;

/// What the plan's page is asked (its query string).
#[derive(Debug, Default, Deserialize)]
pub(super) struct ViewQuery {
    pub(super) view: Option<String>,
    pub(super) month: Option<String>,
    pub(super) inspector: Option<String>,
    pub(super) after: Option<String>,
}

/// The lifecycle's form as shown again after a refusal: what was typed, and why.
#[derive(Debug, Default)]
pub(super) struct StepForm {
    pub(super) on: Option<String>,
    pub(super) by: String,
    pub(super) error: Option<Refusal>,
}

/// The next step of the lifecycle a planner may take.
pub(crate) struct NextStep {
    /// `send`, `approve` or `publish` (the form's `step`).
    pub(crate) code: &'static str,
    pub(crate) title: &'static str,
    pub(crate) button: &'static str,
    pub(crate) asks_by: bool,
}

/// A view's tab.
pub(crate) struct Tab {
    pub(crate) href: String,
    pub(crate) label: &'static str,
    pub(crate) current: bool,
}

/// A left-out reason with its count.
pub(crate) struct ReasonCount {
    pub(crate) name: &'static str,
    pub(crate) count: String,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Chrome,
    id: Uuid,
    title: String,
    status: &'static str,
    version: u32,
    built: String,
    sent_on: Option<String>,
    approved_on: Option<String>,
    approved_by: Option<String>,
    published_on: Option<String>,
    record: Option<String>,
    entries: String,
    planned: String,
    capacity: String,
    demand: String,
    scheduled: String,
    quality: String,
    reasons: Vec<ReasonCount>,
    next_step: Option<NextStep>,
    form: StepForm,
    today: String,
    tabs: Vec<Tab>,
    body: ViewBody,
    amendments: Vec<AmendLine>,
    more_amendments: bool,
}

pub(super) fn parse_id(id: &str) -> Result<Uuid, Failure> {
    Uuid::parse_str(id).map_err(|_| Failure::Api(ApiError::NotFound))
}

/// The plan's title: «План плановых контрольных (надзорных) мероприятий на 2027 год».
pub(super) fn title(lang: Lang, p: &Plan) -> String {
    let (kru, ken) = plan_names::kind(p.kind);
    match lang {
        Lang::Ru => format!("План: {kru}, {} год", p.year),
        Lang::En => format!("Plan: {ken}, {}", p.year),
    }
}

fn next_step(lang: Lang, status: PlanStatus) -> Option<NextStep> {
    let step = |code, title, button, asks_by| NextStep {
        code,
        title,
        button,
        asks_by,
    };
    match status {
        PlanStatus::Draft => Some(step(
            "send",
            lang.t("Направить в прокуратуру", "Send to the prosecutor's office"),
            lang.t("Направить", "Send"),
            false,
        )),
        PlanStatus::Sent => Some(step(
            "approve",
            lang.t("Утвердить план", "Approve the plan"),
            lang.t("Утвердить", "Approve"),
            true,
        )),
        PlanStatus::Approved => Some(step(
            "publish",
            lang.t("Опубликовать план", "Publish the plan"),
            lang.t("Опубликовать", "Publish"),
            false,
        )),
        PlanStatus::Published => None,
    }
}

const VIEWS: [(&str, &str, &str); 5] = [
    ("month", "По месяцам", "By month"),
    ("inspector", "По инспекторам", "By inspector"),
    ("district", "По районам", "By district"),
    ("capacity", "Загрузка", "Capacity"),
    ("left_out", "Не вошли в план", "Left out"),
];

pub(super) async fn page_handler(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<ViewQuery>,
) -> PageResult {
    render(
        &state,
        &viewer,
        &id,
        &q,
        StepForm::default(),
        StatusCode::OK,
    )
    .await
}

/// The plan's page with `form` (a refused step shows it again with `status` 422).
pub(super) async fn render(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    q: &ViewQuery,
    form: StepForm,
    status: StatusCode,
) -> PageResult {
    let lang = viewer.lang;
    let id = parse_id(id)?;
    let (plan, entries) = plan_lifecycle::get(state, &viewer.user, viewer.address(), id).await?;
    let logins: HashMap<UserId, String> =
        plan_reads::logins(state, &viewer.user, viewer.address()).await?;
    let mut amendments = plan_reads::amendments(state, &viewer.user, viewer.address(), id).await?;
    amendments.reverse();
    let more_amendments = amendments.len() > AMENDMENTS_SHOWN;
    amendments.truncate(AMENDMENTS_SHOWN);
    let view = q
        .view
        .as_deref()
        .filter(|v| VIEWS.iter().any(|(c, _, _)| c == v))
        .unwrap_or("month");
    let body = plan_views::body(state, viewer, &plan, &entries, view, q, &logins).await?;
    let s = &plan.summary;
    let minutes = |k: &str| plan_names::hours(lang, s[k].as_u64().unwrap_or(0));
    let mut reasons: Vec<ReasonCount> = s["left_out_reasons"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let (ru, en) = plan_names::left_out_reason(k);
                    ReasonCount {
                        name: lang.t(ru, en),
                        count: format::count(v.as_u64().unwrap_or(0)),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    reasons.sort_by(|a, b| a.name.cmp(b.name));
    let (sru, sen) = plan_names::status(plan.status);
    let built_by = plan
        .built_by
        .and_then(|u| logins.get(&u).cloned())
        .unwrap_or_default();
    let t = PlanPage {
        chrome: Chrome::new(state, viewer, "/plans"),
        id,
        title: title(lang, &plan),
        status: lang.t(sru, sen),
        version: plan.version,
        built: format!(
            "{}{}",
            format::datetime(&state.zone, plan.built_at),
            if built_by.is_empty() {
                String::new()
            } else {
                format!(", {built_by}")
            }
        ),
        sent_on: plan.sent_on.map(format::date),
        approved_on: plan.approved_on.map(format::date),
        approved_by: plan.approved_by.clone(),
        published_on: plan.published_on.map(format::date),
        record: plan.record.map(|r| r.to_string()),
        entries: format::count(s["entries"].as_u64().unwrap_or(0)),
        planned: format::count(s["planned"].as_u64().unwrap_or(0)),
        capacity: minutes("capacity_minutes"),
        demand: minutes("demand_minutes"),
        scheduled: minutes("scheduled_minutes"),
        quality: plan_names::percent(lang, s["quality"].as_f64().unwrap_or(0.0)),
        reasons,
        next_step: next_step(lang, plan.status).filter(|_| viewer.may(Action::BuildPlan)),
        form,
        today: knd_shared::calendar::iso_date::format(state.today()),
        tabs: VIEWS
            .iter()
            .map(|(code, ru, en)| Tab {
                href: format!("/plans/{id}?view={code}"),
                label: lang.t(ru, en),
                current: *code == view,
            })
            .collect(),
        body,
        amendments: plan_entry::amend_lines(state, lang, id, &amendments, &logins),
        more_amendments,
    };
    Ok(rendered(status, &t))
}

/// A measure kind's name (for the entry pages).
pub(super) fn measure_name(lang: Lang, k: knd_shared::InspectionKind) -> &'static str {
    let (ru, en) = names::kind(k);
    lang.t(ru, en)
}
