//! Objections and appeals: the inbox of what the agency owes, by the first day owed (overdue
//! ones marked), or one status newest first; each row links to its page (`filing.rs`).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use super::chrome::{Chrome, Failure, PageResult, form_urlencoded, rendered};
use super::format;
use super::session::Viewer;
use crate::model::filings::{Filing, FilingKind};
use crate::services::{appeals, declarations, filings, objections};
use crate::state::AppState;
use crate::store::FilingList;

/// Rows per page.
const PAGE: u32 = 50;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/filings", get(list))
        .route("/filings/{id}", get(super::filing::show))
        .route(
            "/filings/{id}/appeal-step",
            post(super::filing::appeal_step),
        )
        .route(
            "/filings/{id}/declaration-step",
            post(super::filing::declaration_step),
        )
        .route(
            "/filings/{id}/objection-decision",
            post(super::filing::objection_decision),
        )
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    kind: Option<String>,
    status: Option<String>,
    after: Option<String>,
}

struct Row {
    href: String,
    received_on: String,
    subject_inn: String,
    /// What it is about: the appealed decision or action, or the warning.
    about: &'static str,
    status: &'static str,
    due_on: Option<String>,
    overdue: bool,
}

struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "filings.html")]
struct FilingsPage {
    chrome: Chrome,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    open: bool,
    rows: Vec<Row>,
    next_href: Option<String>,
}

fn statuses(kind: FilingKind) -> &'static [&'static str] {
    match kind {
        FilingKind::Appeal => &["received", "registered", "decided", "refused", "withdrawn"],
        FilingKind::Objection => &["filed", "warning_withdrawn", "rejected"],
        FilingKind::Declaration => &["filed", "registered", "refused", "replaced", "annulled"],
        FilingKind::SelfAssessment => &["qualifies", "does_not_qualify"],
    }
}

fn status_names(kind: FilingKind, status: &str) -> (&'static str, &'static str) {
    match kind {
        FilingKind::Appeal => appeals::status_names(status),
        FilingKind::Objection => objections::status_names_of(status),
        FilingKind::Declaration | FilingKind::SelfAssessment => declarations::status_names(status),
    }
}

fn row(viewer: &Viewer, today: time::Date, f: Filing) -> Row {
    let (ru, en) = status_names(f.kind, &f.status);
    let lang = viewer.lang;
    let about = match f.kind {
        FilingKind::Objection => lang.t("предостережение", "a warning"),
        FilingKind::Declaration | FilingKind::SelfAssessment => lang.t(
            "соблюдение обязательных требований",
            "compliance with mandatory requirements",
        ),
        FilingKind::Appeal => f
            .body
            .get("appealed")
            .and_then(serde_json::Value::as_str)
            .and_then(knd_shared::filings::Appealed::parse)
            .map_or("", |a| lang.t(a.name_ru(), a.name_en())),
    };
    Row {
        about,
        href: format!("/filings/{}", f.id),
        received_on: format::date(f.received_on),
        subject_inn: f.subject_inn,
        status: viewer.lang.t(ru, en),
        overdue: f.due_on.is_some_and(|d| d < today),
        due_on: f.due_on.map(format::date),
    }
}

/// `2026-12-10_<uuid>`: the open list's cursor (due day, id); an id alone for a status.
fn cursor(list_open: bool, f: &Filing) -> String {
    match (list_open, f.due_on) {
        (true, Some(d)) => format!("{}_{}", knd_shared::calendar::iso_date::format(d), f.id),
        _ => f.id.to_string(),
    }
}

pub(super) async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = viewer.lang;
    let kind = q
        .kind
        .as_deref()
        .and_then(FilingKind::parse)
        .unwrap_or(FilingKind::Appeal);
    let status = q
        .status
        .as_deref()
        .filter(|s| statuses(kind).contains(s))
        .map(str::to_owned);
    let bad = || Failure::bad_form("after");
    let list = match &status {
        None => FilingList::Open {
            after: match q.after.as_deref() {
                None => None,
                Some(a) => {
                    let (d, id) = a.split_once('_').ok_or_else(bad)?;
                    Some((
                        knd_shared::calendar::iso_date::parse(d).map_err(|_| bad())?,
                        Uuid::parse_str(id).map_err(|_| bad())?,
                    ))
                }
            },
        },
        Some(s) => FilingList::Status {
            status: s.clone(),
            before: match q.after.as_deref() {
                None => None,
                Some(a) => Some(Uuid::parse_str(a).map_err(|_| bad())?),
            },
        },
    };
    let rows =
        filings::agency_list(&state, &viewer.user, viewer.address(), kind, &list, PAGE).await?;
    let open = status.is_none();
    let next_href = (rows.len() == PAGE as usize).then(|| {
        let last = rows.last().map(|f| cursor(open, f)).unwrap_or_default();
        format!(
            "/filings?kind={}&status={}&after={}",
            kind.as_str(),
            form_urlencoded(status.as_deref().unwrap_or("")),
            form_urlencoded(&last)
        )
    });
    let today = state.today();
    let page = FilingsPage {
        chrome: Chrome::new(&state, &viewer, "/filings"),
        kinds: FilingKind::ALL
            .into_iter()
            .map(|k| Choice {
                value: k.as_str(),
                label: match k {
                    FilingKind::Appeal => lang.t("Жалобы", "Appeals"),
                    FilingKind::Objection => {
                        lang.t("Возражения на предостережения", "Objections to warnings")
                    }
                    FilingKind::Declaration => lang.t(
                        "Декларации соблюдения требований",
                        "Declarations of compliance",
                    ),
                    FilingKind::SelfAssessment => lang.t("Самообследования", "Self-assessments"),
                },
                selected: k == kind,
            })
            .collect(),
        statuses: statuses(kind)
            .iter()
            .map(|s| {
                let (ru, en) = status_names(kind, s);
                Choice {
                    value: s,
                    label: lang.t(ru, en),
                    selected: status.as_deref() == Some(*s),
                }
            })
            .collect(),
        open,
        rows: rows.into_iter().map(|f| row(&viewer, today, f)).collect(),
        next_href,
    };
    Ok(rendered(StatusCode::OK, &page))
}
