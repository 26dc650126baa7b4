//! Registering one event about an object (a confirmed complaint, a sensor's exceedance, an order
//! issued...): the risk model counts them and the control type's indicators are evaluated at
//! once, so the page that comes back says what fired. Admins, planners and reviewers.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use knd_shared::calendar::iso_date;
use serde::Deserialize;

use super::chrome::{Chrome, Failure, PageResult, rendered};
use super::format;
use super::inspection_forms::refusal;
use super::inspections::Choice;
use super::risk::object_href;
use super::risk_names;
use super::session::{Posted, Viewer, filled};
use crate::error::ApiError;
use crate::model::planning::{EVENT_KINDS, IndicatorTrigger, RiskEvent};
use crate::services::policy::{self, Action};
use crate::services::risk_events::{self, NewEvent};
use crate::state::AppState;

/// The form as typed (every field a string, so a bad date comes back as typed).
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct EventPost {
    #[serde(default)]
    object_key: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    occurred_on: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    passed: String,
    #[serde(default)]
    note: String,
}

/// Errors beside the fields, and the service's refusal above the form.
#[derive(Debug, Default)]
struct Errors {
    object_key: Option<String>,
    kind: Option<String>,
    occurred_on: Option<String>,
    due_on: Option<String>,
    top: Option<String>,
}

/// What the registration did.
struct Outcome {
    kind: &'static str,
    object_key: String,
    object_href: String,
    occurred_on: String,
    fired: Vec<Fired>,
}

struct Fired {
    rule: String,
    day: String,
    evidence: usize,
}

#[derive(Template)]
#[template(path = "risk_event.html")]
struct EventPage {
    chrome: Chrome,
    v: EventPost,
    kinds: Vec<Choice>,
    passed: Vec<Choice>,
    errors: Errors,
    outcome: Option<Outcome>,
    may_read: bool,
}

fn page_of(
    state: &AppState,
    viewer: &Viewer,
    v: EventPost,
    errors: Errors,
    outcome: Option<Outcome>,
) -> EventPage {
    let lang = viewer.lang;
    let kinds = EVENT_KINDS
        .iter()
        .map(|k| Choice {
            value: (*k).to_owned(),
            label: risk_names::event_kind(lang, k).to_owned(),
            selected: v.kind == *k,
        })
        .collect();
    let passed = [
        ("true", lang.t("да", "yes")),
        ("false", lang.t("нет", "no")),
    ]
    .into_iter()
    .map(|(value, label)| Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        selected: v.passed == value,
    })
    .collect();
    EventPage {
        chrome: Chrome::new(state, viewer, "/risk"),
        v,
        kinds,
        passed,
        errors,
        outcome,
        may_read: viewer.may(Action::ReadPlanning),
    }
}

/// Refuses (audited, 403) a role that may not register events, before anything is read.
async fn recorders_only(state: &AppState, viewer: &Viewer) -> Result<(), Failure> {
    policy::require(
        state,
        &viewer.user,
        viewer.address(),
        Action::RecordRiskEvent,
        "risk_event.record",
        || "risk_event".into(),
    )
    .await?;
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct FormQuery {
    object: Option<String>,
}

pub(super) async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<FormQuery>,
) -> PageResult {
    recorders_only(&state, &viewer).await?;
    let v = EventPost {
        object_key: filled(&q.object).unwrap_or_default().to_owned(),
        occurred_on: iso_date::format(state.today()),
        ..EventPost::default()
    };
    let t = page_of(&state, &viewer, v, Errors::default(), None);
    Ok(rendered(StatusCode::OK, &t))
}

const BAD_DATE: (&str, &str) = ("дата в виде 2026-03-15", "a date like 2026-03-15");

/// The typed form as a new event, or the errors beside its fields.
fn read(viewer: &Viewer, v: &EventPost) -> Result<NewEvent, Errors> {
    let lang = viewer.lang;
    let mut e = Errors::default();
    let key = v.object_key.trim();
    if key.is_empty() {
        e.object_key = Some(
            lang.t("укажите ключ объекта", "give the object's key")
                .into(),
        );
    }
    if !EVENT_KINDS.contains(&v.kind.as_str()) {
        e.kind = Some(
            lang.t("выберите вид события", "choose the kind of event")
                .into(),
        );
    }
    let occurred_on = iso_date::parse(v.occurred_on.trim()).ok();
    if occurred_on.is_none() {
        e.occurred_on = Some(lang.t(BAD_DATE.0, BAD_DATE.1).into());
    }
    let due_on = match v.due_on.trim() {
        "" => None,
        d => {
            let parsed = iso_date::parse(d).ok();
            if parsed.is_none() {
                e.due_on = Some(lang.t(BAD_DATE.0, BAD_DATE.1).into());
            }
            parsed
        }
    };
    match (occurred_on, &e.object_key, &e.kind, &e.due_on) {
        (Some(occurred_on), None, None, None) => Ok(NewEvent {
            object_key: key.to_owned(),
            kind: v.kind.clone(),
            occurred_on,
            due_on,
            passed: match v.passed.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            note: v.note.clone(),
        }),
        _ => Err(e),
    }
}

fn outcome(viewer: &Viewer, event: &RiskEvent, key: &str, fired: &[IndicatorTrigger]) -> Outcome {
    let lang = viewer.lang;
    Outcome {
        kind: risk_names::event_kind(lang, &event.kind),
        object_key: key.to_owned(),
        object_href: object_href(key),
        occurred_on: format::date(event.occurred_on),
        fired: fired
            .iter()
            .map(|t| Fired {
                rule: t.rule_name.clone(),
                day: format::date(t.triggered_on),
                evidence: t.evidence.len(),
            })
            .collect(),
    }
}

pub(super) async fn submit(
    State(state): State<AppState>,
    Posted { viewer, form }: Posted<EventPost>,
) -> PageResult {
    recorders_only(&state, &viewer).await?;
    let new = match read(&viewer, &form) {
        Ok(n) => n,
        Err(errors) => {
            let t = page_of(&state, &viewer, form, errors, None);
            return Ok(rendered(StatusCode::UNPROCESSABLE_ENTITY, &t));
        }
    };
    let key = new.object_key.clone();
    match risk_events::record(&state, &viewer.user, viewer.address(), new).await {
        Ok((event, fired)) => {
            let done = outcome(&viewer, &event, &key, &fired);
            // A fresh form for the next event about the same object, on the same day.
            let next = EventPost {
                object_key: key,
                occurred_on: form.occurred_on.trim().to_owned(),
                ..EventPost::default()
            };
            let t = page_of(&state, &viewer, next, Errors::default(), Some(done));
            Ok(rendered(StatusCode::OK, &t))
        }
        Err(ApiError::NotFound) => {
            let errors = Errors {
                object_key: Some(
                    viewer
                        .lang
                        .t(
                            "в реестре ведомства нет объекта с таким ключом",
                            "the agency's registry has no object with this key",
                        )
                        .into(),
                ),
                ..Errors::default()
            };
            let t = page_of(&state, &viewer, form, errors, None);
            Ok(rendered(StatusCode::UNPROCESSABLE_ENTITY, &t))
        }
        Err(e) => {
            let errors = Errors {
                top: Some(viewer.lang.pick(&refusal(e)?)),
                ..Errors::default()
            };
            let t = page_of(&state, &viewer, form, errors, None);
            Ok(rendered(StatusCode::UNPROCESSABLE_ENTITY, &t))
        }
    }
}
