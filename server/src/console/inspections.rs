//! Inspections: the list with its filters (those the Today page links to among them) and keyset
//! pages, and the routes of the inspection pages (`inspection_view`, `inspection_forms`,
//! `calendar`, `evidence`). An inspector sees their own inspections only: the service narrows.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use knd_shared::calendar::iso_date;
use knd_shared::{Ground, InspectionId, InspectionKind, UserId};
use serde::{Deserialize, Serialize};
use time::Date;

use super::chrome::{Chrome, Failure, PageResult, page};
use super::session::{Viewer, filled};
use super::{calendar, evidence, format, inspection_forms, inspection_new, inspection_view, names};
use crate::error::ApiError;
use crate::model::{Inspection, InspectionFilter, InspectionStatus, User};
use crate::services::inspection_reads;
use crate::services::policy::Action;
use crate::state::AppState;

/// Rows per page.
const PAGE: u32 = 50;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/inspections", get(list))
        .route("/inspections/calendar", get(calendar::page_handler))
        .route(
            "/inspections/new",
            get(inspection_new::new_form).post(inspection_new::create),
        )
        .route("/inspections/{id}", get(inspection_view::page_handler))
        .route(
            "/inspections/{id}/reschedule",
            post(inspection_forms::reschedule),
        )
        .route(
            "/inspections/{id}/reassign",
            post(inspection_forms::reassign),
        )
        .route("/inspections/{id}/status", post(inspection_forms::status))
        .route("/inspections/{id}/evidence", get(evidence::page_handler))
        .route(
            "/inspections/{id}/photos/{sha256}/thumb",
            get(evidence::thumb),
        )
}

/// An inspection id from a path; anything else is a page that does not exist.
pub(super) fn parse_id(s: &str) -> Result<InspectionId, Failure> {
    InspectionId::parse(s).map_err(|_| Failure::Api(ApiError::NotFound))
}

/// `выездная проверка` → `Выездная проверка`: a kind's name as a heading begins.
pub(super) fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|first| first.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Logins of the agency's inspectors by id (the pages name inspectors by login).
pub(super) struct Logins(pub(super) HashMap<UserId, String>);

impl Logins {
    pub(super) fn of(users: &[User]) -> Logins {
        Logins(users.iter().map(|u| (u.id, u.login.clone())).collect())
    }

    /// The logins of `ids`, joined (an id not among the inspectors, e.g. a user since removed
    /// from the role, is shown as its id).
    pub(super) fn names(&self, ids: &[UserId]) -> String {
        let mut out: Vec<String> = ids
            .iter()
            .map(|id| self.0.get(id).cloned().unwrap_or_else(|| id.to_string()))
            .collect();
        out.sort();
        out.join(", ")
    }
}

/// A status as a word, with the "past its term" mark where it applies (words, not colour).
pub(super) fn status_word(viewer: &Viewer, i: &Inspection, today: Date) -> (String, bool) {
    let (ru, en) = names::status(i.status);
    let overdue = is_overdue(i, today);
    (viewer.lang.t(ru, en).to_owned(), overdue)
}

/// Scheduled or in progress with its last day before today: past its term.
pub(super) fn is_overdue(i: &Inspection, today: Date) -> bool {
    matches!(
        i.status,
        InspectionStatus::Scheduled | InspectionStatus::InProgress
    ) && i.ends_on < today
}

/// The list's query: every field as typed, so a bad value is shown back beside its field.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(super) struct ListQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ground: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inspector: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    starts_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    starts_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ends_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ends_to: Option<String>,
    /// Overlapping dates (the API's `from`/`to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    overdue: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after: Option<String>,
}

/// A date field of the filters: its value as typed and its error.
pub(crate) struct DateField {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) value: String,
    pub(crate) error: Option<&'static str>,
}

/// A choice of a select.
pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

pub(crate) fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> String,
    chosen: Option<&str>,
) -> Vec<Choice> {
    all.iter()
        .map(|x| Choice {
            value: code(*x).to_owned(),
            label: label(*x),
            selected: chosen == Some(code(*x)),
        })
        .collect()
}

/// A row of the list.
pub(crate) struct Row {
    pub(crate) href: String,
    pub(crate) kind: String,
    pub(crate) subject: String,
    pub(crate) objects: Vec<(String, String)>,
    pub(crate) ground: String,
    pub(crate) status: String,
    pub(crate) overdue: bool,
    pub(crate) starts: String,
    pub(crate) ends: String,
    pub(crate) inspectors: String,
}

#[derive(Template)]
#[template(path = "inspections.html")]
struct ListPage {
    chrome: Chrome,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    grounds: Vec<Choice>,
    inspectors: Vec<Choice>,
    dates: Vec<DateField>,
    overdue: bool,
    errors: bool,
    rows: Vec<Row>,
    next: Option<String>,
    first_page: Option<String>,
    may_plan: bool,
    calendar_href: String,
}

fn date_field(
    name: &'static str,
    label: &'static str,
    v: &Option<String>,
) -> (DateField, Option<Date>) {
    let value = filled(v).unwrap_or_default().to_owned();
    let parsed = filled(v).map(iso_date::parse);
    let error = match parsed {
        Some(Err(_)) => Some("дата ГГГГ-ММ-ДД / a date YYYY-MM-DD"),
        _ => None,
    };
    (
        DateField {
            name,
            label,
            value,
            error,
        },
        parsed.and_then(Result::ok),
    )
}

pub(crate) fn row(viewer: &Viewer, logins: &Logins, i: &Inspection, today: Date) -> Row {
    let lang = viewer.lang;
    let (kru, ken) = names::kind(i.kind);
    let (gru, gen_) = names::ground(i.ground);
    let (status, overdue) = status_word(viewer, i, today);
    Row {
        href: format!("/inspections/{}", i.id),
        kind: lang.t(kru, ken).to_owned(),
        subject: i.subject_inn.clone(),
        objects: i
            .objects
            .iter()
            .map(|(id, key)| (format!("/registry/objects/{id}"), key.clone()))
            .collect(),
        ground: lang.t(gru, gen_).to_owned(),
        status,
        overdue,
        starts: format::date(i.starts_on),
        ends: format::date(i.ends_on),
        inspectors: logins.names(&i.inspectors),
    }
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = viewer.lang;
    let today = state.zone.today();
    let inspectors = inspection_reads::inspectors(&state, &viewer.user).await?;
    let logins = Logins::of(&inspectors);
    let status = filled(&q.status).and_then(InspectionStatus::parse);
    let kind = filled(&q.kind).and_then(InspectionKind::parse);
    let ground = filled(&q.ground).and_then(Ground::parse);
    let inspector = filled(&q.inspector).and_then(|s| UserId::parse(s).ok());
    let t = |ru: &'static str, en: &'static str| lang.t(ru, en);
    let fields = [
        ("starts_from", t("Начало с", "Starts from"), &q.starts_from),
        ("starts_to", t("Начало по", "Starts until"), &q.starts_to),
        ("ends_from", t("Окончание с", "Ends from"), &q.ends_from),
        ("ends_to", t("Окончание по", "Ends until"), &q.ends_to),
        ("from", t("Идёт с", "Under way from"), &q.from),
        ("to", t("Идёт по", "Under way until"), &q.to),
    ];
    let mut dates = Vec::new();
    let mut parsed = Vec::new();
    for (name, label, v) in fields {
        let (f, d) = date_field(name, label, v);
        dates.push(f);
        parsed.push(d);
    }
    let errors = dates.iter().any(|d| d.error.is_some());
    let overdue = filled(&q.overdue).is_some_and(|v| v == "1");
    let filter = InspectionFilter {
        status,
        inspector,
        kind,
        ground,
        starts_from: parsed[0],
        starts_to: parsed[1],
        ends_from: parsed[2],
        ends_to: parsed[3],
        from: parsed[4],
        to: parsed[5],
        overdue_on: overdue.then_some(today),
    };
    let after = filled(&q.after).and_then(|a| {
        let (d, i) = a.split_once('_')?;
        Some((iso_date::parse(d).ok()?, InspectionId::parse(i).ok()?))
    });
    let found = inspection_reads::list(&state, &viewer.user, filter, after, PAGE).await?;
    let next = (found.len() == PAGE as usize).then(|| {
        let last = &found[found.len() - 1];
        let mut nq = q.clone();
        nq.after = Some(format!("{}_{}", iso_date::format(last.starts_on), last.id));
        format!(
            "/inspections?{}",
            serde_urlencoded::to_string(&nq).unwrap_or_default()
        )
    });
    let first_page = after.map(|_| {
        let mut fq = q.clone();
        fq.after = None;
        format!(
            "/inspections?{}",
            serde_urlencoded::to_string(&fq).unwrap_or_default()
        )
    });
    let rows = found
        .iter()
        .map(|i| row(&viewer, &logins, i, today))
        .collect();
    // An inspector's list is their own whatever the filter says: no choice to offer.
    let own_only = matches!(
        crate::services::policy::scope(&viewer.user, Action::ReadInspection),
        crate::services::policy::Scope::Own(_)
    );
    let inspector_choices = inspectors
        .iter()
        .filter(|_| !own_only)
        .map(|u| Choice {
            value: u.id.to_string(),
            label: u.login.clone(),
            selected: inspector == Some(u.id),
        })
        .collect();
    let page_t = ListPage {
        chrome: Chrome::new(&state, &viewer, "/inspections"),
        statuses: choices(
            &InspectionStatus::ALL,
            InspectionStatus::as_str,
            |s| {
                let (ru, en) = names::status(s);
                lang.t(ru, en).to_owned()
            },
            status.map(InspectionStatus::as_str),
        ),
        kinds: choices(
            &InspectionKind::ALL,
            InspectionKind::as_str,
            |k| {
                let (ru, en) = names::kind(k);
                lang.t(ru, en).to_owned()
            },
            kind.map(InspectionKind::as_str),
        ),
        grounds: choices(
            &Ground::ALL,
            Ground::as_str,
            |g| {
                let (ru, en) = names::ground(g);
                lang.t(ru, en).to_owned()
            },
            ground.map(Ground::as_str),
        ),
        inspectors: inspector_choices,
        dates,
        overdue,
        errors,
        rows,
        next,
        first_page,
        may_plan: viewer.may(Action::PlanInspection),
        calendar_href: "/inspections/calendar".into(),
    };
    Ok(page(&page_t))
}
