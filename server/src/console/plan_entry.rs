//! One entry of a plan: why this object (each object's category, periodicity and what it is
//! counted from), why this date and these inspectors (the scheduler's words), the measure it
//! became once the plan was approved, its amendments, and the planner's amendment form of an
//! approved or published plan (a new start, other inspectors, or removal; a reason always),
//! which makes a new version with a signed record.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use knd_shared::UserId;
use knd_shared::calendar::iso_date;
use uuid::Uuid;

use super::chrome::{Chrome, Failure, PageResult, done, form_urlencoded, rendered};
use super::i18n::Lang;
use super::inspection_forms::{Pairs, all, date, field, refusal};
use super::plan_names::{self, Refusal};
use super::plan_view::{measure_name, parse_id, title};
use super::session::{Posted, Viewer};
use super::{format, names, plan_entries};
use crate::error::ApiError;
use crate::model::planning::{EntryStatus, PlanAmendment, PlanStatus};
use crate::services::plan_lifecycle::{self, Amendment};
use crate::services::policy::Action;
use crate::services::{inspection_reads, plan_reads};
use crate::state::AppState;

/// An amendment as a row.
pub(crate) struct AmendLine {
    pub(crate) version: u32,
    pub(crate) entry: u32,
    pub(crate) entry_href: String,
    pub(crate) change: String,
    pub(crate) reason: String,
    pub(crate) by: String,
    pub(crate) at: String,
    pub(crate) record: String,
}

/// What an amendment changed, in words: dates and inspectors before → after, or removal.
fn change_words(
    lang: Lang,
    change: &serde_json::Value,
    logins: &HashMap<UserId, String>,
) -> String {
    let (before, after) = (&change["before"], &change["after"]);
    if after["status"].as_str() == Some(EntryStatus::Removed.as_str()) {
        return lang
            .t(
                "пункт исключён из плана",
                "the entry is removed from the plan",
            )
            .to_owned();
    }
    let day = |v: &serde_json::Value| {
        v.as_str()
            .and_then(|s| iso_date::parse(s).ok())
            .map(format::date)
            .unwrap_or_default()
    };
    let who = |v: &serde_json::Value| {
        let ids: Vec<UserId> = v
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|u| u.as_str().and_then(|s| UserId::parse(s).ok()))
                    .collect()
            })
            .unwrap_or_default();
        plan_entries::people(logins, &ids)
    };
    let mut parts = Vec::new();
    if before["starts_on"] != after["starts_on"] || before["ends_on"] != after["ends_on"] {
        parts.push(format!(
            "{}: {} — {} → {} — {}",
            lang.t("сроки", "dates"),
            day(&before["starts_on"]),
            day(&before["ends_on"]),
            day(&after["starts_on"]),
            day(&after["ends_on"])
        ));
    }
    if before["inspectors"] != after["inspectors"] {
        parts.push(format!(
            "{}: {} → {}",
            lang.t("инспекторы", "inspectors"),
            who(&before["inspectors"]),
            who(&after["inspectors"])
        ));
    }
    parts.join("; ")
}

pub(super) fn amend_lines(
    state: &AppState,
    lang: Lang,
    plan: Uuid,
    list: &[PlanAmendment],
    logins: &HashMap<UserId, String>,
) -> Vec<AmendLine> {
    list.iter()
        .map(|a| AmendLine {
            version: a.version,
            entry: a.entry,
            entry_href: format!("/plans/{plan}/entries/{}", a.entry),
            change: change_words(lang, &a.change, logins),
            reason: a.reason.clone(),
            by: a
                .made_by
                .and_then(|u| logins.get(&u).cloned())
                .unwrap_or_default(),
            at: format::datetime(&state.zone, a.made_at),
            record: a.record.to_string(),
        })
        .collect()
}

/// An inspector to tick on the amendment form.
pub(crate) struct Pick {
    pub(crate) id: String,
    pub(crate) login: String,
    pub(crate) checked: bool,
}

/// The amendment form as typed (kept after a refusal).
#[derive(Debug, Default)]
pub(super) struct AmendForm {
    starts_on: String,
    /// `None`: as the entry has them.
    inspectors: Option<Vec<String>>,
    remove: bool,
    reason: String,
    error: Option<Refusal>,
}

#[derive(Template)]
#[template(path = "plan_entry.html")]
struct EntryPage {
    chrome: Chrome,
    plan_href: String,
    plan_title: String,
    action: String,
    no: u32,
    measure: &'static str,
    category: &'static str,
    status: &'static str,
    inn: String,
    /// Link, key, address.
    objects: Vec<(String, String, String)>,
    district: String,
    dates: String,
    inspectors: String,
    measure_href: Option<String>,
    why_objects: Vec<String>,
    why_schedule: String,
    amendable: bool,
    picks: Vec<Pick>,
    form: AmendForm,
    amendments: Vec<AmendLine>,
}

fn parse_no(no: &str) -> Result<u32, Failure> {
    no.parse().map_err(|_| Failure::Api(ApiError::NotFound))
}

pub(super) async fn page_handler(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, no)): Path<(String, String)>,
) -> PageResult {
    render(
        &state,
        &viewer,
        &id,
        &no,
        AmendForm::default(),
        StatusCode::OK,
    )
    .await
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    no: &str,
    form: AmendForm,
    status: StatusCode,
) -> PageResult {
    let lang = viewer.lang;
    let (id, no) = (parse_id(id)?, parse_no(no)?);
    let (plan, entries) = plan_lifecycle::get(state, &viewer.user, viewer.address(), id).await?;
    let Some(e) = entries.iter().find(|e| e.no == no) else {
        return Err(Failure::Api(ApiError::NotFound));
    };
    let logins = plan_reads::logins(state, &viewer.user, viewer.address()).await?;
    let keys = plan_entries::keys(e);
    let objects = plan_reads::objects(state, &viewer.user, viewer.address(), &keys).await?;
    let amendments: Vec<PlanAmendment> =
        plan_reads::amendments(state, &viewer.user, viewer.address(), id)
            .await?
            .into_iter()
            .filter(|a| a.entry == no)
            .collect();
    let amendable = viewer.may(Action::BuildPlan)
        && matches!(plan.status, PlanStatus::Approved | PlanStatus::Published)
        && e.status == EntryStatus::Planned;
    let picks = if amendable {
        let chosen: Vec<String> = form
            .inspectors
            .clone()
            .unwrap_or_else(|| e.inspectors.iter().map(ToString::to_string).collect());
        inspection_reads::inspectors(state, &viewer.user)
            .await?
            .into_iter()
            .map(|u| Pick {
                checked: chosen.contains(&u.id.to_string()),
                id: u.id.to_string(),
                login: u.login,
            })
            .collect()
    } else {
        Vec::new()
    };
    let (cru, cen) = names::risk(e.category);
    let (sru, sen) = plan_names::entry_status(e.status);
    let t = EntryPage {
        chrome: Chrome::new(state, viewer, "/plans"),
        plan_href: format!("/plans/{id}"),
        plan_title: title(lang, &plan),
        action: format!("/plans/{id}/entries/{no}/amend"),
        no,
        measure: measure_name(lang, e.kind),
        category: lang.t(cru, cen),
        status: lang.t(sru, sen),
        inn: keys
            .first()
            .and_then(|k| objects.get(k))
            .map(|o| o.subject_inn.clone())
            .unwrap_or_default(),
        objects: keys
            .iter()
            .map(|k| {
                let address = objects
                    .get(k)
                    .map(|o| o.address.clone())
                    .unwrap_or_default();
                let href = format!("/registry/objects/{}", form_urlencoded(k));
                (href, k.clone(), address)
            })
            .collect(),
        district: e.district.clone(),
        dates: plan_entries::dates(e.starts_on, e.ends_on),
        inspectors: plan_entries::people(&logins, &e.inspectors),
        measure_href: e.inspection.map(|m| format!("/inspections/{m}")),
        why_objects: e.why["objects"]
            .as_array()
            .map(|a| a.iter().map(|o| plan_entries::text(lang, o)).collect())
            .unwrap_or_default(),
        why_schedule: plan_entries::text(lang, &e.why["schedule"]),
        amendable,
        picks,
        form: AmendForm {
            starts_on: if form.starts_on.is_empty() {
                e.starts_on.map(iso_date::format).unwrap_or_default()
            } else {
                form.starts_on
            },
            ..form
        },
        amendments: amend_lines(state, lang, id, &amendments, &logins),
    };
    Ok(rendered(status, &t))
}

/// Amends the entry as the form asks: only what differs from the entry is sent, so ticking the
/// same inspectors again changes nothing but what was meant.
pub(super) async fn amend(
    State(state): State<AppState>,
    Path((id, no)): Path<(String, String)>,
    Posted { viewer, form }: Posted<Pairs>,
) -> PageResult {
    super::plan_forms::builders_only(&state, &viewer, "plan.amend", &format!("plan:{id}")).await?;
    let (plan_id, entry_no) = (parse_id(&id)?, parse_no(&no)?);
    let typed = AmendForm {
        starts_on: field(&form, "starts_on").to_owned(),
        inspectors: Some(all(&form, "inspector").map(str::to_owned).collect()),
        remove: field(&form, "remove") == "1",
        reason: field(&form, "reason").to_owned(),
        error: None,
    };
    let (_, entries) = plan_lifecycle::get(&state, &viewer.user, viewer.address(), plan_id).await?;
    let Some(e) = entries.iter().find(|e| e.no == entry_no) else {
        return Err(Failure::Api(ApiError::NotFound));
    };
    let refuse = |typed: AmendForm, words: String| AmendForm {
        error: Some(Refusal::of(&words)),
        ..typed
    };
    let starts_on = match typed.starts_on.as_str() {
        "" => None,
        s => match date(s) {
            Ok(d) => Some(d).filter(|d| Some(*d) != e.starts_on),
            Err(words) => {
                let f = refuse(typed, words);
                return render(
                    &state,
                    &viewer,
                    &id,
                    &no,
                    f,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
    };
    let mut ids = Vec::new();
    for s in typed.inspectors.iter().flatten() {
        ids.push(UserId::parse(s).map_err(Failure::bad_form)?);
    }
    let same = {
        let (mut a, mut b) = (ids.clone(), e.inspectors.clone());
        a.sort();
        b.sort();
        a == b
    };
    let am = Amendment {
        entry: entry_no,
        starts_on,
        inspectors: (!same).then_some(ids),
        remove: typed.remove,
        reason: typed.reason.clone(),
    };
    match plan_lifecycle::amend(&state, &viewer.user, viewer.address(), plan_id, am).await {
        Ok(_) => Ok(done(&format!("/plans/{plan_id}/entries/{entry_no}"))),
        Err(err) => {
            let f = refuse(typed, refusal(err)?);
            render(
                &state,
                &viewer,
                &id,
                &no,
                f,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}
