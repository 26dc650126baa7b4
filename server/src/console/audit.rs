//! The audit log (admins and auditors): filtered by user, action, object and dates in the
//! agency's zone, newest first with keyset paging, and the same filters as a CSV file
//! (`/audit.csv`, every cell guarded against formula injection).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse as _;
use axum::routing::get;
use serde::Deserialize;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

use super::audit_names;
use super::chrome::{Chrome, Failure, PageResult, form_urlencoded, rendered};
use super::format;
use super::session::{Viewer, filled};
use crate::error::ApiError;
use crate::model::{AuditFilter, AuditRecord, Outcome};
use crate::services::policy::Action;
use crate::services::{accounts, csv_export};
use crate::state::AppState;

/// Entries per page.
const PAGE: u32 = 100;
/// Entries per read while writing the CSV file, and the most it holds.
const CSV_BATCH: u32 = 500;
const CSV_MAX: usize = 100_000;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/audit", get(page))
        .route("/audit.csv", get(csv))
}

/// The filters as typed (kept in the form and in the next page's link).
#[derive(Debug, Default, Deserialize)]
pub(super) struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<String>,
}

impl AuditQuery {
    /// The filters as a query string (without the cursor).
    fn query(&self) -> String {
        [
            ("actor", &self.actor),
            ("action", &self.action),
            ("target", &self.target),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .filter_map(|(k, v)| filled(v).map(|v| format!("{k}={}", form_urlencoded(v))))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// Errors beside the date fields.
#[derive(Default)]
pub(crate) struct DateErrors {
    pub(crate) from: Option<String>,
    pub(crate) to: Option<String>,
}

/// The start of a local day in the agency's zone, as an instant.
fn start_of(state: &AppState, d: Date) -> OffsetDateTime {
    let naive = PrimitiveDateTime::new(d, Time::MIDNIGHT).assume_utc();
    // The zone's offset at that moment (a day's start never sits in a DST gap in Russia).
    let offset = state.zone.to_local(naive).offset();
    naive.replace_offset(offset)
}

fn parse_date(s: &str) -> Option<Date> {
    knd_shared::calendar::iso_date::parse(s).ok()
}

/// The store's filter for `q`, or the errors beside its date fields.
fn filter(state: &AppState, viewer: &Viewer, q: &AuditQuery) -> Result<AuditFilter, DateErrors> {
    let lang = viewer.lang;
    let bad = || {
        Some(
            lang.t("дата в виде ГГГГ-ММ-ДД", "a date as YYYY-MM-DD")
                .to_owned(),
        )
    };
    let from = filled(&q.from).map(|s| parse_date(s).ok_or(()));
    let to = filled(&q.to).map(|s| parse_date(s).ok_or(()));
    let mut errors = DateErrors::default();
    if matches!(from, Some(Err(()))) {
        errors.from = bad();
    }
    if matches!(to, Some(Err(()))) {
        errors.to = bad();
    }
    let (from, to) = (from.and_then(Result::ok), to.and_then(Result::ok));
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            errors.to = Some(
                lang.t("конец периода раньше начала", "the end is before the start")
                    .to_owned(),
            );
        }
    }
    if errors.from.is_some() || errors.to.is_some() {
        return Err(errors);
    }
    Ok(AuditFilter {
        actor: filled(&q.actor).map(str::to_owned),
        action: filled(&q.action).map(str::to_owned),
        target: filled(&q.target).map(str::to_owned),
        from: from.map(|d| start_of(state, d)),
        until: to.and_then(|d| d.next_day()).map(|d| start_of(state, d)),
    })
}

pub(crate) struct Row {
    pub(crate) at: String,
    pub(crate) who: String,
    /// The action's name (its code when it has none).
    pub(crate) action_name: String,
    pub(crate) action: String,
    pub(crate) target: String,
    pub(crate) outcome: &'static str,
    pub(crate) outcome_class: &'static str,
    pub(crate) address: String,
    pub(crate) detail: String,
}

pub(crate) struct ActorOption {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    q: AuditQuery,
    actors: Vec<ActorOption>,
    errors: DateErrors,
    rows: Vec<Row>,
    next_href: Option<String>,
    csv_href: String,
}

fn outcome(viewer: &Viewer, o: Outcome) -> (&'static str, &'static str) {
    let (ru, en, class) = match o {
        Outcome::Ok => ("выполнено", "done", "ok"),
        Outcome::Denied => ("отказано", "denied", "bad"),
        Outcome::Failed => ("ошибка", "failed", "warn"),
    };
    (viewer.lang.t(ru, en), class)
}

/// Who acted: the login where the actor is one of the agency's users, else the actor's label
/// (a device, an API key, the operator).
fn who(logins: &HashMap<String, String>, actor: &str) -> String {
    logins
        .get(actor)
        .cloned()
        .unwrap_or_else(|| actor.to_owned())
}

async fn logins(state: &AppState, viewer: &Viewer) -> Result<HashMap<String, String>, Failure> {
    let users = accounts::list_users(state, &viewer.user, viewer.address()).await?;
    Ok(users
        .into_iter()
        .map(|u| (format!("user:{}", u.id), u.login))
        .collect())
}

async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    // Refused (and audited) by the service for a role that may not read the log.
    let checked = filter(&state, &viewer, &q);
    let before = match filled(&q.before) {
        Some(b) => Some(
            b.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| Failure::bad_form("before"))?,
        ),
        None => None,
    };
    let (status, errors, entries) = match &checked {
        Ok(f) => {
            let rows =
                accounts::read_audit(&state, &viewer.user, viewer.address(), f, before, PAGE)
                    .await?;
            (StatusCode::OK, DateErrors::default(), rows)
        }
        Err(_) => {
            // Still the reader's right to be checked before the form is shown again.
            accounts::read_audit(
                &state,
                &viewer.user,
                viewer.address(),
                &AuditFilter::default(),
                None,
                1,
            )
            .await?;
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                checked.err().unwrap_or_default(),
                Vec::new(),
            )
        }
    };
    let logins = if viewer.may(Action::ReadUsers) {
        logins(&state, &viewer).await?
    } else {
        HashMap::new()
    };
    let chosen = filled(&q.actor).unwrap_or("");
    let mut actors: Vec<ActorOption> = logins
        .iter()
        .map(|(value, login)| ActorOption {
            value: value.clone(),
            label: login.clone(),
            selected: value == chosen,
        })
        .collect();
    actors.sort_by(|a, b| a.label.cmp(&b.label));
    for (value, ru, en) in [
        ("operator", "оператор сервера", "the server's operator"),
        (
            "server",
            "сервер (по правилам вида контроля)",
            "the server (by the control type's rules)",
        ),
        ("anonymous", "не вошедший", "not signed in"),
    ] {
        actors.push(ActorOption {
            value: value.into(),
            label: viewer.lang.t(ru, en).into(),
            selected: value == chosen,
        });
    }
    let full = entries.len() == PAGE as usize;
    let filters = q.query();
    let next_href = entries.last().filter(|_| full).map(|e| {
        let sep = if filters.is_empty() { "" } else { "&" };
        format!("/audit?{filters}{sep}before={}", e.id)
    });
    let rows = entries
        .into_iter()
        .map(|e| {
            let (word, class) = outcome(&viewer, e.outcome);
            Row {
                at: format::datetime(&state.zone, e.at),
                who: who(&logins, &e.actor),
                action_name: audit_names::action(&e.action).map_or_else(
                    || e.action.clone(),
                    |(ru, en)| viewer.lang.t(ru, en).to_owned(),
                ),
                action: e.action,
                target: e.target.unwrap_or_default(),
                outcome: word,
                outcome_class: class,
                address: e.address.unwrap_or_default(),
                detail: e.detail.map(|d| d.to_string()).unwrap_or_default(),
            }
        })
        .collect();
    let t = AuditPage {
        chrome: Chrome::new(&state, &viewer, "/audit"),
        csv_href: format!("/audit.csv?{filters}"),
        q,
        actors,
        errors,
        rows,
        next_href,
    };
    Ok(rendered(status, &t))
}

fn csv_row(e: &AuditRecord, zone_at: String) -> Vec<String> {
    vec![
        e.id.to_string(),
        zone_at,
        e.actor.clone(),
        e.action.clone(),
        e.target.clone().unwrap_or_default(),
        e.outcome.as_str().to_owned(),
        e.address.clone().unwrap_or_default(),
        e.detail.as_ref().map(|d| d.to_string()).unwrap_or_default(),
    ]
}

async fn csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<AuditQuery>,
) -> PageResult {
    let f = filter(&state, &viewer, &q)
        .map_err(|e| Failure::from(ApiError::Unprocessable(e.from.or(e.to).unwrap_or_default())))?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut before = None;
    loop {
        let page = accounts::read_audit(
            &state,
            &viewer.user,
            viewer.address(),
            &f,
            before,
            CSV_BATCH,
        )
        .await?;
        for e in &page {
            let at =
                e.at.format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
            rows.push(csv_row(e, at));
        }
        before = page.last().map(|e| e.id);
        if page.len() < CSV_BATCH as usize || rows.len() >= CSV_MAX {
            break;
        }
    }
    let header = [
        "id", "at", "actor", "action", "target", "outcome", "address", "detail",
    ];
    let body = csv_export::write(
        &header,
        rows.iter().map(|r| r.iter().map(String::as_str).collect()),
    )
    .map_err(|e| Failure::from(ApiError::Internal(e.to_string())))?;
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"audit.csv\""),
    );
    Ok(resp)
}
