//! The agency's annual plans (ст.61 248-ФЗ; mandatory preventive visits, ст.52.1): every plan by
//! year and kind with its status, version, entries and quality, and the planner's form that
//! builds the drafts of this or next year (both plans in one pass on the same inspectors' time),
//! showing what the build did. A plan's own page is `plan_view.rs`, an entry's `plan_entry.rs`;
//! the inspectors' availability and the planning settings are `planning_*.rs`.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};

use super::chrome::{Chrome, PageResult, rendered};
use super::i18n::Lang;
use super::inspection_forms::{Pairs, field, refusal};
use super::plan_names::Refusal;
use super::session::{Posted, Viewer};
use super::{format, plan_entry, plan_forms, plan_names, plan_view};
use crate::model::planning::{Plan, PlanKind};
use crate::services::plan_build::{self, BuildOutcome};
use crate::services::plan_lifecycle;
use crate::services::policy::Action;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list))
        .route("/plans/build", post(build))
        .route("/plans/{id}", get(plan_view::page_handler))
        .route("/plans/{id}/step", post(plan_forms::step))
        .route("/plans/{id}/export.csv", get(plan_forms::export_csv))
        .route("/plans/{id}/export.xlsx", get(plan_forms::export_xlsx))
        .route("/plans/{id}/entries/{no}", get(plan_entry::page_handler))
        .route("/plans/{id}/entries/{no}/amend", post(plan_entry::amend))
}

/// A plan as a row of the list.
pub(crate) struct PlanLine {
    pub(crate) href: String,
    pub(crate) kind: &'static str,
    pub(crate) status: &'static str,
    pub(crate) version: u32,
    pub(crate) entries: String,
    pub(crate) planned: String,
    pub(crate) quality: String,
    pub(crate) built: String,
}

impl PlanLine {
    fn of(state: &AppState, lang: Lang, p: &Plan) -> PlanLine {
        let (kru, ken) = plan_names::kind(p.kind);
        let (sru, sen) = plan_names::status(p.status);
        let n = |k: &str| format::count(p.summary[k].as_u64().unwrap_or(0));
        PlanLine {
            href: format!("/plans/{}", p.id),
            kind: lang.t(kru, ken),
            status: lang.t(sru, sen),
            version: p.version,
            entries: n("entries"),
            planned: n("planned"),
            quality: plan_names::percent(lang, p.summary["quality"].as_f64().unwrap_or(0.0)),
            built: format::datetime(&state.zone, p.built_at),
        }
    }
}

/// What a build did, in words and numbers.
pub(crate) struct Outcome {
    pub(crate) year: i32,
    pub(crate) inspections_href: String,
    pub(crate) visits_href: String,
    pub(crate) objects_read: String,
    pub(crate) inspection_entries: String,
    pub(crate) visit_entries: String,
    pub(crate) left_out: String,
    pub(crate) moratorium_excluded: String,
    pub(crate) capacity: String,
    pub(crate) demand: String,
    pub(crate) scheduled: String,
    pub(crate) quality: String,
    pub(crate) timings: String,
    /// Objects scored and proposals made, when the build re-scored.
    pub(crate) rescored: Option<String>,
}

impl Outcome {
    fn of(lang: Lang, o: &BuildOutcome) -> Outcome {
        let ms = lang.t("мс", "ms");
        Outcome {
            year: o.year,
            inspections_href: format!("/plans/{}", o.inspections_plan),
            visits_href: format!("/plans/{}", o.visits_plan),
            objects_read: format::count(o.objects_read),
            inspection_entries: format::count(o.inspection_entries),
            visit_entries: format::count(o.visit_entries),
            left_out: format::count(o.left_out),
            moratorium_excluded: format::count(o.moratorium_excluded),
            capacity: plan_names::hours(lang, o.capacity_minutes),
            demand: plan_names::hours(lang, o.demand_minutes),
            scheduled: plan_names::hours(lang, o.scheduled_minutes),
            quality: plan_names::percent(lang, o.quality),
            timings: format!(
                "{}: {} {ms}, {}: {} {ms}, {}: {} {ms}",
                lang.t("чтение реестра", "reading the registry"),
                format::count(o.read_ms),
                lang.t("расстановка", "scheduling"),
                format::count(o.schedule_ms),
                lang.t("сохранение", "storing"),
                format::count(o.store_ms),
            ),
            rescored: o.scoring.as_ref().map(|s| {
                format!(
                    "{} {}, {} {}",
                    format::count(s.objects),
                    lang.t("объектов", "objects"),
                    format::count(s.proposals),
                    lang.t("новых предложений", "new proposals"),
                )
            }),
        }
    }
}

/// The build form as shown: the years offered, the one chosen, and a refusal.
pub(crate) struct BuildForm {
    pub(crate) years: Vec<(i32, bool)>,
    pub(crate) error: Option<Refusal>,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    chrome: Chrome,
    /// Years, newest first, each with its plans.
    years: Vec<(i32, Vec<PlanLine>)>,
    can_build: bool,
    can_rescore: bool,
    form: BuildForm,
    outcome: Option<Outcome>,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    chosen: Option<i32>,
    error: Option<String>,
    outcome: Option<Outcome>,
    status: StatusCode,
) -> PageResult {
    let lang = viewer.lang;
    let mut plans = plan_lifecycle::list(state, &viewer.user, viewer.address()).await?;
    plans.sort_by_key(|p| (std::cmp::Reverse(p.year), p.kind != PlanKind::Inspections));
    let mut years: Vec<(i32, Vec<PlanLine>)> = Vec::new();
    for p in &plans {
        let line = PlanLine::of(state, lang, p);
        match years.last_mut() {
            Some((y, list)) if *y == p.year => list.push(line),
            _ => years.push((p.year, vec![line])),
        }
    }
    let this = state.today().year();
    let chosen = chosen.unwrap_or(this + 1);
    let t = PlansPage {
        chrome: Chrome::new(state, viewer, "/plans"),
        years,
        can_build: viewer.may(Action::BuildPlan),
        can_rescore: viewer.may(Action::DecideCategory),
        form: BuildForm {
            years: [this, this + 1].map(|y| (y, y == chosen)).to_vec(),
            error: error.as_deref().map(Refusal::of),
        },
        outcome,
    };
    Ok(rendered(status, &t))
}

async fn list(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    render(&state, &viewer, None, None, None, StatusCode::OK).await
}

/// Builds the drafts of the year asked and shows what the build did on the list (the build is
/// idempotent: posting it again rebuilds the same drafts).
async fn build(
    State(state): State<AppState>,
    Posted { viewer, form }: Posted<Pairs>,
) -> PageResult {
    super::plan_forms::builders_only(&state, &viewer, "plan.build", "plans").await?;
    let lang = viewer.lang;
    let Ok(year) = field(&form, "year").parse::<i32>() else {
        let error = "укажите год плана / give the plan's year".to_owned();
        return render(
            &state,
            &viewer,
            None,
            Some(error),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let rescore = field(&form, "rescore") == "1";
    match plan_build::build(&state, &viewer.user, viewer.address(), year, rescore).await {
        Ok(o) => {
            let outcome = Outcome::of(lang, &o);
            render(
                &state,
                &viewer,
                Some(year),
                None,
                Some(outcome),
                StatusCode::OK,
            )
            .await
        }
        Err(e) => {
            let words = refusal(e)?;
            render(
                &state,
                &viewer,
                Some(year),
                Some(words),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
