//! Triggered risk indicators, newest first in keyset pages: the day, the object, the rule and how
//! many events it counted. Each is a ground for an unplanned control measure (п.1 ч.1 ст.57):
//! a planner gets the new-inspection form with the object, its subject, the control type and
//! the ground filled in; a field check or an inspection visit on it needs the prosecutor's
//! agreement first.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use knd_shared::Ground;
use knd_shared::calendar::iso_date;
use serde::Deserialize;
use uuid::Uuid;

use super::chrome::{Chrome, PageResult, form_urlencoded, page};
use super::format;
use super::risk::{cursor, object_href};
use super::session::Viewer;
use crate::model::planning::IndicatorTrigger;
use crate::services::policy::Action;
use crate::services::{registry_reads, risk_events, risk_reads};
use crate::state::AppState;

/// Triggers per page.
const PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    after_day: Option<String>,
    after_id: Option<String>,
}

struct Row {
    day: String,
    object_key: String,
    object_href: String,
    rule: String,
    evidence: usize,
    /// The new-inspection form filled in for this trigger (planners only).
    unplanned_href: Option<String>,
    /// The inspection opened on it, if one was.
    inspection_href: Option<String>,
}

#[derive(Template)]
#[template(path = "risk_indicators.html")]
struct IndicatorsPage {
    chrome: Chrome,
    rows: Vec<Row>,
    next_href: Option<String>,
    may_plan: bool,
}

/// The new-inspection form's link for a trigger: the object, its subject, the control type and
/// ground п.1 ч.1 ст.57 as query values the form reads.
pub(super) fn unplanned_href(
    object_key: &str,
    subject_inn: Option<&str>,
    control_type: Option<&str>,
    rule: &str,
    day: time::Date,
) -> String {
    let mut q = vec![
        ("ground", Ground::HarmOrRiskIndicator.as_str().to_owned()),
        ("objects", object_key.to_owned()),
        (
            "note",
            format!(
                "Сработал индикатор риска «{rule}» {} (п.1 ч.1 ст.57 248-ФЗ)",
                format::date(day)
            ),
        ),
    ];
    if let Some(inn) = subject_inn {
        q.push(("subject_inn", inn.to_owned()));
    }
    if let Some(code) = control_type {
        q.push(("control_type", code.to_owned()));
    }
    let query = q
        .iter()
        .map(|(k, v)| format!("{k}={}", form_urlencoded(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!("/inspections/new?{query}")
}

pub(super) async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let after = cursor(&q.after_day, &q.after_id)?;
    let items =
        risk_events::triggers(&state, &viewer.user, viewer.address(), None, after, PAGE).await?;
    let next_href = items
        .last()
        .filter(|_| items.len() == PAGE as usize)
        .map(|t| {
            format!(
                "/risk/indicators?after_day={}&after_id={}",
                iso_date::format(t.triggered_on),
                t.id
            )
        });
    let may_plan = viewer.may(Action::PlanInspection);
    let rows = rows(&state, &viewer, &items, may_plan).await?;
    let t = IndicatorsPage {
        chrome: Chrome::new(&state, &viewer, "/risk"),
        rows,
        next_href,
        may_plan,
    };
    Ok(page(&t))
}

async fn rows(
    state: &AppState,
    viewer: &Viewer,
    items: &[IndicatorTrigger],
    may_plan: bool,
) -> Result<Vec<Row>, super::chrome::Failure> {
    let lang = viewer.lang;
    let types = registry_reads::control_types(state, &viewer.user, viewer.address()).await?;
    // The rules' English names are in the control type's rules; a trigger keeps the Russian.
    let names: HashMap<(Uuid, &str), &str> = types
        .iter()
        .flat_map(|t| {
            t.rules
                .indicators
                .iter()
                .map(move |r| ((t.id, r.code.as_str()), r.name_en.as_str()))
        })
        .collect();
    let codes: HashMap<Uuid, &str> = types.iter().map(|t| (t.id, t.code.as_str())).collect();
    let subjects: HashMap<String, String> = if may_plan {
        let mut keys: Vec<String> = items.iter().map(|t| t.object_key.clone()).collect();
        keys.sort();
        keys.dedup();
        risk_reads::objects_by_keys(state, &viewer.user, viewer.address(), &keys)
            .await?
            .into_iter()
            .map(|o| (o.object_key, o.subject_inn))
            .collect()
    } else {
        HashMap::new()
    };
    Ok(items
        .iter()
        .map(|t| {
            let en = names
                .get(&(t.control_type, t.rule_code.as_str()))
                .copied()
                .unwrap_or(t.rule_name.as_str());
            Row {
                day: format::date(t.triggered_on),
                object_key: t.object_key.clone(),
                object_href: object_href(&t.object_key),
                rule: lang.t(&t.rule_name, en).to_owned(),
                evidence: t.evidence.len(),
                unplanned_href: (may_plan && t.inspection.is_none()).then(|| {
                    unplanned_href(
                        &t.object_key,
                        subjects.get(&t.object_key).map(String::as_str),
                        codes.get(&t.control_type).copied(),
                        &t.rule_name,
                        t.triggered_on,
                    )
                }),
                inspection_href: t.inspection.map(|i| format!("/inspections/{i}")),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_link_carries_the_ground_and_the_object() {
        let d = time::Date::from_calendar_date(2026, time::Month::March, 2).unwrap();
        let href = unplanned_href("OBJ 1", Some("7707083893"), Some("fire"), "2 обращения", d);
        assert!(href.starts_with("/inspections/new?ground=harm_or_risk_indicator&objects=OBJ+1"));
        assert!(href.contains("&subject_inn=7707083893&control_type=fire"));
        assert!(href.contains("02.03.2026"));
    }
}
