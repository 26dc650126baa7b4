//! The inspectors' availability: a month as a grid of inspectors × days with absences (leave,
//! training, sickness) and the production calendar's non-working days marked in words, the
//! month's absences as a list, and the planner's form that marks an inspector away from one day
//! to another, or clears those days. The plan's capacity is the working days less these.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use knd_shared::UserId;
use knd_shared::calendar::{MONTHS_EN, MONTHS_RU, iso_date};
use serde::Deserialize;
use time::{Date, Month};

use super::chrome::{Chrome, PageResult, done, rendered};
use super::format;
use super::inspection_forms::{Pairs, date, field, refusal};
use super::plan_forms::builders_only;
use super::plan_names::Refusal;
use super::session::{Posted, Viewer, filled};
use crate::model::planning::Absence;
use crate::services::policy::Action;
use crate::services::{inspection_reads, planning_settings};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/planning/absences", get(page_handler).post(submit))
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct MonthQuery {
    month: Option<String>,
}

pub(crate) struct Day {
    pub(crate) number: u8,
    pub(crate) weekday: &'static str,
    pub(crate) off: bool,
}

/// A cell of the grid: a working day, a non-working day, or a day away (with its reason).
pub(crate) struct Cell {
    pub(crate) off: bool,
    pub(crate) away: Option<String>,
}

pub(crate) struct Row {
    pub(crate) login: String,
    pub(crate) cells: Vec<Cell>,
}

/// A run of days away with one reason.
pub(crate) struct Run {
    pub(crate) login: String,
    pub(crate) dates: String,
    pub(crate) reason: String,
}

/// The form as typed.
#[derive(Debug, Default)]
pub(super) struct AbsenceForm {
    inspector: String,
    from: String,
    to: String,
    reason: String,
    error: Option<Refusal>,
}

pub(crate) struct Pick {
    pub(crate) id: String,
    pub(crate) login: String,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "planning_absences.html")]
struct AbsencesPage {
    chrome: Chrome,
    title: String,
    month: String,
    prev: String,
    next: String,
    days: Vec<Day>,
    rows: Vec<Row>,
    runs: Vec<Run>,
    can_edit: bool,
    picks: Vec<Pick>,
    form: AbsenceForm,
}

/// `2027-03` → its first day.
fn parse_month(s: &str) -> Option<Date> {
    let (y, m) = s.split_once('-')?;
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, 1).ok()
}

fn month_code(d: Date) -> String {
    format!("{}-{:02}", d.year(), u8::from(d.month()))
}

fn last_day(first: Date) -> Date {
    Date::from_calendar_date(
        first.year(),
        first.month(),
        first.month().length(first.year()),
    )
    .unwrap_or(first)
}

/// Consecutive days of one inspector with one reason, as runs.
fn runs(list: &[Absence], logins: &HashMap<UserId, String>) -> Vec<Run> {
    let mut sorted: Vec<&Absence> = list.iter().collect();
    sorted.sort_by(|a, b| (logins.get(&a.user), a.day).cmp(&(logins.get(&b.user), b.day)));
    let mut out: Vec<(UserId, Date, Date, String)> = Vec::new();
    for a in sorted {
        match out.last_mut() {
            Some((u, _, to, r))
                if *u == a.user && *r == a.reason && to.next_day() == Some(a.day) =>
            {
                *to = a.day;
            }
            _ => out.push((a.user, a.day, a.day, a.reason.clone())),
        }
    }
    out.into_iter()
        .map(|(u, from, to, reason)| Run {
            login: logins.get(&u).cloned().unwrap_or_else(|| u.to_string()),
            dates: if from == to {
                format::date(from)
            } else {
                format!("{} — {}", format::date(from), format::date(to))
            },
            reason,
        })
        .collect()
}

async fn page_handler(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<MonthQuery>,
) -> PageResult {
    render(
        &state,
        &viewer,
        filled(&q.month),
        AbsenceForm::default(),
        StatusCode::OK,
    )
    .await
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    month: Option<&str>,
    form: AbsenceForm,
    status: StatusCode,
) -> PageResult {
    let lang = viewer.lang;
    let today = state.today();
    let first = month
        .and_then(parse_month)
        .unwrap_or_else(|| today.replace_day(1).unwrap_or(today));
    let last = last_day(first);
    let away =
        planning_settings::absences(state, &viewer.user, viewer.address(), first, last).await?;
    let inspectors = inspection_reads::inspectors(state, &viewer.user).await?;
    let logins: HashMap<UserId, String> =
        inspectors.iter().map(|u| (u.id, u.login.clone())).collect();
    let wd_ru = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"];
    let wd_en = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
    let mut days = Vec::new();
    let mut dates = Vec::new();
    let mut d = first;
    while d <= last {
        let w = d.weekday().number_days_from_monday() as usize;
        days.push(Day {
            number: d.day(),
            weekday: lang.t(wd_ru[w], wd_en[w]),
            // A day the calendar does not know (no year loaded) is shown as working.
            off: state.calendar.is_working_day(d).is_ok_and(|w| !w),
        });
        dates.push(d);
        match d.next_day() {
            Some(n) => d = n,
            None => break,
        }
    }
    let by_day: HashMap<(UserId, Date), &str> = away
        .iter()
        .map(|a| ((a.user, a.day), a.reason.as_str()))
        .collect();
    let rows = inspectors
        .iter()
        .map(|u| Row {
            login: u.login.clone(),
            cells: dates
                .iter()
                .zip(&days)
                .map(|(d, day)| Cell {
                    off: day.off,
                    away: by_day.get(&(u.id, *d)).map(|r| (*r).to_owned()),
                })
                .collect(),
        })
        .collect();
    let m = usize::from(u8::from(first.month())) - 1;
    let prev = first
        .previous_day()
        .unwrap_or(first)
        .replace_day(1)
        .unwrap_or(first);
    let next = last.next_day().unwrap_or(last);
    let t = AbsencesPage {
        chrome: Chrome::new(state, viewer, "/plans"),
        title: format!("{} {}", lang.t(MONTHS_RU[m], MONTHS_EN[m]), first.year()),
        month: month_code(first),
        prev: format!("/planning/absences?month={}", month_code(prev)),
        next: format!("/planning/absences?month={}", month_code(next)),
        days,
        rows,
        runs: runs(&away, &logins),
        can_edit: viewer.may(Action::BuildPlan),
        picks: inspectors
            .iter()
            .map(|u| Pick {
                id: u.id.to_string(),
                login: u.login.clone(),
                selected: form.inspector == u.id.to_string(),
            })
            .collect(),
        form: AbsenceForm {
            from: if form.from.is_empty() {
                iso_date::format(first)
            } else {
                form.from
            },
            to: if form.to.is_empty() {
                iso_date::format(first)
            } else {
                form.to
            },
            ..form
        },
    };
    Ok(rendered(status, &t))
}

async fn submit(
    State(state): State<AppState>,
    Posted { viewer, form }: Posted<Pairs>,
) -> PageResult {
    builders_only(&state, &viewer, "absences.put", "absences").await?;
    let clearing = field(&form, "action") == "clear";
    let typed = AbsenceForm {
        inspector: field(&form, "inspector").to_owned(),
        from: field(&form, "from").to_owned(),
        to: field(&form, "to").to_owned(),
        reason: field(&form, "reason").to_owned(),
        error: None,
    };
    let month = field(&form, "month").to_owned();
    let refuse = |typed: AbsenceForm, words: &str| AbsenceForm {
        error: Some(Refusal::of(words)),
        ..typed
    };
    let Ok(who) = UserId::parse(&typed.inspector) else {
        let f = refuse(typed, "выберите инспектора / choose an inspector");
        return render(
            &state,
            &viewer,
            Some(&month),
            f,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let (from, to) = match (date(&typed.from), date(&typed.to)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(w), _) | (_, Err(w)) => {
            let f = refuse(typed, &w);
            return render(
                &state,
                &viewer,
                Some(&month),
                f,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let reason = if clearing {
        None
    } else if typed.reason.is_empty() {
        let f = refuse(
            typed,
            "укажите причину отсутствия (отпуск, обучение, болезнь) / give the reason (leave, training, sickness)",
        );
        return render(
            &state,
            &viewer,
            Some(&month),
            f,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    } else {
        Some(typed.reason.as_str())
    };
    let result = planning_settings::set_absence(
        &state,
        &viewer.user,
        viewer.address(),
        who,
        from,
        to,
        reason,
    )
    .await;
    match result {
        Ok(_) => Ok(done(&format!(
            "/planning/absences?month={}",
            month_code(from.replace_day(1).unwrap_or(from))
        ))),
        Err(e) => {
            // Another agency's user, or not an inspector: 404, as for anything not this agency's.
            let words = refusal(e)?;
            let f = refuse(typed, &words);
            render(
                &state,
                &viewer,
                Some(&month),
                f,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_runs() {
        let d = parse_month("2027-02").unwrap();
        assert_eq!(month_code(d), "2027-02");
        assert_eq!(last_day(d).day(), 28);
        assert!(parse_month("2027-13").is_none());
        let u = UserId::from(uuid::Uuid::nil());
        let day = |n| Date::from_calendar_date(2027, Month::March, n).unwrap();
        let list = [
            Absence {
                user: u,
                day: day(1),
                reason: "отпуск".into(),
            },
            Absence {
                user: u,
                day: day(2),
                reason: "отпуск".into(),
            },
            Absence {
                user: u,
                day: day(5),
                reason: "обучение".into(),
            },
        ];
        let logins = HashMap::from([(u, "inspector1".to_owned())]);
        let r = runs(&list, &logins);
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].dates, "01.03.2027 — 02.03.2027");
        assert_eq!(r[1].reason, "обучение");
    }
}
