//! The risk section's front: the model's category proposals by due date (overdue ones marked
//! and counted: ст.24 gives 5 working days to decide), a status filter, keyset pages; for those
//! who decide, the buttons that score every object and run the indicators, whose summaries are
//! shown on the page they return. The section's other pages: `risk_proposal.rs` (one proposal
//! and its decision), `risk_indicators.rs`, `risk_event.rs`, `risk_model.rs`; the object page's
//! block is `risk_object.rs`.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use knd_shared::RiskCategory;
use knd_shared::calendar::iso_date;
use serde::Deserialize;
use time::Date;
use uuid::Uuid;

use super::chrome::{Chrome, Failure, PageResult, form_urlencoded, page};
use super::format;
use super::inspection_forms::Pairs;
use super::inspections::Choice;
use super::risk_names;
use super::session::{Posted, Viewer, filled};
use super::{risk_event, risk_indicators, risk_model, risk_proposal};
use crate::model::planning::{CategoryProposal, ProposalStatus};
use crate::services::policy::Action;
use crate::services::registry_reads;
use crate::services::risk::{self, ScoreSummary};
use crate::services::risk_events::{self, DailyRun};
use crate::state::AppState;

/// Proposals per page.
const PAGE: u32 = 50;
/// How many overdue proposals the count reads at most; beyond it the page says "N+".
const CAP: u32 = 2000;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/risk", get(list))
        .route("/risk/score", post(score))
        .route("/risk/indicators", get(risk_indicators::list))
        .route("/risk/indicators/run", post(run_indicators))
        .route("/risk/proposals/{id}", get(risk_proposal::show))
        .route("/risk/proposals/{id}/decide", post(risk_proposal::decide))
        .route(
            "/risk/events/new",
            get(risk_event::form).post(risk_event::submit),
        )
        .route(
            "/risk/model/{code}",
            get(risk_model::show).post(risk_model::save),
        )
}

/// An object's page.
pub(super) fn object_href(key: &str) -> String {
    format!("/registry/objects/{}", form_urlencoded(key))
}

/// A `(day, id)` keyset cursor from its two query fields; a broken one is a bad request.
pub(super) fn cursor(
    day: &Option<String>,
    id: &Option<String>,
) -> Result<Option<(Date, Uuid)>, Failure> {
    match (filled(day), filled(id)) {
        (Some(d), Some(i)) => Ok(Some((
            iso_date::parse(d).map_err(|_| Failure::bad_form("after_day"))?,
            Uuid::parse_str(i).map_err(|_| Failure::bad_form("after_id"))?,
        ))),
        _ => Ok(None),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    status: Option<String>,
    overdue: Option<String>,
    after_day: Option<String>,
    after_id: Option<String>,
}

/// A row of the proposals' table.
struct Row {
    href: String,
    object_key: String,
    object_href: String,
    current: &'static str,
    proposed: &'static str,
    proposed_on: String,
    due_on: String,
    status: &'static str,
    overdue: bool,
}

/// One line of a scoring run's summary.
struct CountLine {
    category: &'static str,
    objects: String,
}

/// What a scoring run or an indicator run did, shown on the page it returns.
struct RunSummary {
    title: &'static str,
    lines: Vec<(&'static str, String)>,
    by_category: Vec<CountLine>,
}

/// A control type with its model editor.
struct TypeLink {
    name: String,
    href: String,
}

#[derive(Template)]
#[template(path = "risk.html")]
struct RiskPage {
    chrome: Chrome,
    statuses: Vec<Choice>,
    overdue_only: bool,
    overdue_count: Option<String>,
    rows: Vec<Row>,
    next_href: Option<String>,
    may_decide: bool,
    may_record: bool,
    types: Vec<TypeLink>,
    summary: Option<RunSummary>,
}

/// The status the filter asks for: `None` is all; pending when not said.
fn status_of(q: Option<&str>) -> (Option<ProposalStatus>, &'static str) {
    match q {
        Some("all") => (None, "all"),
        Some(s) => ProposalStatus::parse(s)
            .map_or((Some(ProposalStatus::Pending), "pending"), |s| {
                (Some(s), s.as_str())
            }),
        None => (Some(ProposalStatus::Pending), "pending"),
    }
}

fn row(state: &AppState, viewer: &Viewer, p: &CategoryProposal) -> Row {
    let lang = viewer.lang;
    Row {
        href: format!("/risk/proposals/{}", p.id),
        object_key: p.object_key.clone(),
        object_href: object_href(&p.object_key),
        current: risk_names::category(lang, p.current),
        proposed: risk_names::category(lang, Some(p.proposed)),
        proposed_on: format::date(p.proposed_on),
        due_on: format::date(p.due_on),
        status: risk_names::status(lang, p.status),
        overdue: p.status == ProposalStatus::Pending && p.due_on < state.today(),
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    q: &ListQuery,
    summary: Option<RunSummary>,
) -> PageResult {
    let lang = viewer.lang;
    let (status, code) = status_of(q.status.as_deref());
    let overdue_only = q.overdue.as_deref().is_some_and(|v| v == "1" || v == "on");
    let after = cursor(&q.after_day, &q.after_id)?;
    let items = risk::proposals(
        state,
        &viewer.user,
        viewer.address(),
        status,
        overdue_only,
        after,
        PAGE,
    )
    .await?;
    let next_href = items
        .last()
        .filter(|_| items.len() == PAGE as usize)
        .map(|p| {
            format!(
                "/risk?status={code}{}&after_day={}&after_id={}",
                if overdue_only { "&overdue=1" } else { "" },
                iso_date::format(p.due_on),
                p.id
            )
        });
    let overdue_count = risk::overdue_count(state, &viewer.user, CAP)
        .await?
        .map(|n| {
            if n >= u64::from(CAP) {
                format!("{}+", format::count(n))
            } else {
                format::count(n)
            }
        });
    let statuses = [
        ("pending", "Ожидают решения", "Waiting for a decision"),
        ("confirmed", "Подтверждённые", "Confirmed"),
        ("rejected", "Отклонённые", "Rejected"),
        ("superseded", "Заменённые", "Superseded"),
        ("all", "Все", "All"),
    ]
    .into_iter()
    .map(|(value, ru, en)| Choice {
        value: value.to_owned(),
        label: lang.t(ru, en).to_owned(),
        selected: value == code,
    })
    .collect();
    let types = registry_reads::control_types(state, &viewer.user, viewer.address())
        .await?
        .into_iter()
        .map(|t| TypeLink {
            href: format!("/risk/model/{}", form_urlencoded(&t.code)),
            name: t.name,
        })
        .collect();
    let t = RiskPage {
        chrome: Chrome::new(state, viewer, "/risk"),
        statuses,
        overdue_only,
        overdue_count,
        rows: items.iter().map(|p| row(state, viewer, p)).collect(),
        next_href,
        may_decide: viewer.may(Action::DecideCategory),
        may_record: viewer.may(Action::RecordRiskEvent),
        types,
        summary,
    };
    Ok(page(&t))
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> PageResult {
    render(&state, &viewer, &q, None).await
}

fn score_summary(viewer: &Viewer, s: &ScoreSummary) -> RunSummary {
    let lang = viewer.lang;
    RunSummary {
        title: lang.t("Категории пересчитаны", "Categories scored"),
        lines: vec![
            (
                lang.t("Оценено объектов", "Objects scored"),
                format::count(s.objects),
            ),
            (
                lang.t("Новых предложений", "New proposals"),
                format::count(s.proposals),
            ),
            (
                lang.t("Время расчёта", "Time taken"),
                risk_names::duration(lang, s.milliseconds),
            ),
        ],
        // Highest risk first, as the plan reads them.
        by_category: RiskCategory::ALL
            .iter()
            .rev()
            .filter_map(|c| {
                s.by_category.get(c.as_str()).map(|n| CountLine {
                    category: risk_names::category(lang, Some(*c)),
                    objects: format::count(*n),
                })
            })
            .collect(),
    }
}

fn run_summary(viewer: &Viewer, r: &DailyRun) -> RunSummary {
    let lang = viewer.lang;
    RunSummary {
        title: lang.t("Индикаторы проверены", "Indicators run"),
        lines: vec![
            (
                lang.t(
                    "Проверено объектов с недавними событиями",
                    "Objects with recent events checked",
                ),
                format::count(r.objects),
            ),
            (
                lang.t("Сработало индикаторов", "Indicators triggered"),
                format::count(r.triggered),
            ),
        ],
        by_category: Vec::new(),
    }
}

/// Scores every object; the list comes back with the run's summary (a reload scores again,
/// which stores nothing new: an identical pending proposal is kept once).
async fn score(State(state): State<AppState>, posted: Posted<Pairs>) -> PageResult {
    let viewer = posted.viewer;
    let s = risk::score_all(&state, &viewer.user, viewer.address()).await?;
    let summary = score_summary(&viewer, &s);
    render(&state, &viewer, &ListQuery::default(), Some(summary)).await
}

async fn run_indicators(State(state): State<AppState>, posted: Posted<Pairs>) -> PageResult {
    let viewer = posted.viewer;
    let r = risk_events::run_daily(&state, &viewer.user, viewer.address()).await?;
    let summary = run_summary(&viewer, &r);
    render(&state, &viewer, &ListQuery::default(), Some(summary)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_defaults_to_pending() {
        assert_eq!(status_of(None), (Some(ProposalStatus::Pending), "pending"));
        assert_eq!(status_of(Some("all")), (None, "all"));
        assert_eq!(
            status_of(Some("rejected")),
            (Some(ProposalStatus::Rejected), "rejected")
        );
        assert_eq!(
            status_of(Some("<script>")),
            (Some(ProposalStatus::Pending), "pending")
        );
    }
}
