//! The agency's planning settings: an inspector's working minutes per day, the travel minutes
//! added to each day of a measure in a district (a row per district of the registry, those the
//! settings already name, and a free row), and the default for a district not in the table.
//! The plan's capacity and each measure's daily minutes are counted with them.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;

use super::chrome::{Chrome, PageResult, done, rendered};
use super::inspection_forms::{Pairs, all, field, refusal};
use super::plan_names::Refusal;
use super::session::{Posted, Viewer};
use crate::services::plan_build::PlanningSettings;
use crate::services::policy::{self, Action};
use crate::services::{planning_settings, registry_search};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/planning/settings", get(page_handler).post(save))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct SavedQuery {
    saved: Option<String>,
}

/// A district's row: its name (editable in the free row only) and its minutes as typed.
#[derive(Debug)]
pub(crate) struct TravelRow {
    pub(crate) name: String,
    pub(crate) minutes: String,
    pub(crate) free: bool,
}

/// The form as typed.
#[derive(Debug, Default)]
pub(super) struct SettingsForm {
    minutes_per_day: String,
    default_travel: String,
    rows: Vec<TravelRow>,
    error: Option<Refusal>,
}

#[derive(Template)]
#[template(path = "planning_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    can_edit: bool,
    saved: bool,
    form: SettingsForm,
}

/// The rows of the registry's districts and the settings' own, each once, and a free row.
fn rows(districts: &[String], s: &PlanningSettings) -> Vec<TravelRow> {
    let names: BTreeSet<&str> = districts
        .iter()
        .map(String::as_str)
        .chain(s.travel_minutes.keys().map(String::as_str))
        .collect();
    names
        .into_iter()
        .map(|d| TravelRow {
            name: d.to_owned(),
            minutes: s
                .travel_minutes
                .get(d)
                .map(ToString::to_string)
                .unwrap_or_default(),
            free: false,
        })
        .chain(std::iter::once(TravelRow {
            name: String::new(),
            minutes: String::new(),
            free: true,
        }))
        .collect()
}

async fn page_handler(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let s = planning_settings::get_settings(&state, &viewer.user, viewer.address()).await?;
    let (districts, _) = registry_search::filters(&state, &viewer.user, viewer.address()).await?;
    let form = SettingsForm {
        minutes_per_day: s.minutes_per_day.to_string(),
        default_travel: s.default_travel_minutes.to_string(),
        rows: rows(&districts, &s),
        error: None,
    };
    let saved = q.saved.is_some();
    render(&state, &viewer, form, saved, StatusCode::OK)
}

fn render(
    state: &AppState,
    viewer: &Viewer,
    form: SettingsForm,
    saved: bool,
    status: StatusCode,
) -> PageResult {
    let t = SettingsPage {
        chrome: Chrome::new(state, viewer, "/plans"),
        can_edit: viewer.may(Action::EditRiskModel),
        saved,
        form,
    };
    Ok(rendered(status, &t))
}

const BAD_NUMBER: &str =
    "минуты — целые числа без знака / minutes are whole numbers without a sign";

/// The settings the form asks for, or why they do not read.
fn parse(form: &SettingsForm) -> Result<PlanningSettings, &'static str> {
    let n = |s: &str| s.trim().parse::<u32>().map_err(|_| BAD_NUMBER);
    let mut travel = BTreeMap::new();
    for r in &form.rows {
        let name = r.name.trim();
        if name.is_empty() || r.minutes.trim().is_empty() {
            continue;
        }
        travel.insert(name.to_owned(), n(&r.minutes)?);
    }
    Ok(PlanningSettings {
        minutes_per_day: n(&form.minutes_per_day)?,
        travel_minutes: travel,
        default_travel_minutes: n(&form.default_travel)?,
    })
}

async fn save(State(state): State<AppState>, Posted { viewer, form }: Posted<Pairs>) -> PageResult {
    policy::require(
        &state,
        &viewer.user,
        viewer.address(),
        Action::EditRiskModel,
        "planning_settings.put",
        || "planning_settings".into(),
    )
    .await?;
    // Browsers send the rows' fields in the page's order: each district before its minutes.
    let names: Vec<&str> = all(&form, "district").collect();
    let minutes: Vec<&str> = all(&form, "travel").collect();
    let last = names.len().saturating_sub(1);
    let mut typed = SettingsForm {
        minutes_per_day: field(&form, "minutes_per_day").to_owned(),
        default_travel: field(&form, "default_travel").to_owned(),
        rows: names
            .iter()
            .zip(minutes.iter().chain(std::iter::repeat(&"")))
            .enumerate()
            .map(|(i, (d, m))| TravelRow {
                name: (*d).to_owned(),
                minutes: (*m).to_owned(),
                // The form's last row is its free one.
                free: i == last,
            })
            .collect(),
        error: None,
    };
    let result = match parse(&typed) {
        Ok(s) => planning_settings::put_settings(&state, &viewer.user, viewer.address(), s)
            .await
            .map_err(refusal),
        Err(words) => Err(Ok(words.to_owned())),
    };
    match result {
        Ok(_) => Ok(done("/planning/settings?saved=1")),
        Err(words) => {
            typed.error = Some(Refusal::of(&words?));
            render(
                &state,
                &viewer,
                typed,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_parsing() {
        let s = PlanningSettings {
            travel_minutes: BTreeMap::from([("Северный".to_owned(), 45)]),
            ..PlanningSettings::default()
        };
        let r = rows(&["Центральный".to_owned(), "Северный".to_owned()], &s);
        assert_eq!(r.len(), 3);
        assert_eq!(
            (r[0].name.as_str(), r[0].minutes.as_str()),
            ("Северный", "45")
        );
        assert!(r[2].free);
        let form = SettingsForm {
            minutes_per_day: "480".into(),
            default_travel: "30".into(),
            rows: r,
            error: None,
        };
        let p = parse(&form).unwrap();
        assert_eq!(p.travel_minutes.len(), 1);
        let bad = SettingsForm {
            minutes_per_day: "-1".into(),
            ..form
        };
        assert_eq!(parse(&bad), Err(BAD_NUMBER));
    }
}
