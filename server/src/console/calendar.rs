//! The calendar of a month per inspector: a row per inspector (more when their inspections
//! overlap), a column per day, each inspection a link spanning its days within the month.
//! Non-working days of the production calendar are marked with a word in the header, not by
//! colour alone.

use askama::Template;
use axum::extract::{Query, State};
use knd_shared::UserId;
use knd_shared::calendar::{MONTHS_EN, MONTHS_RU};
use serde::Deserialize;
use time::{Date, Month};

use super::chrome::{Chrome, PageResult, page};
use super::names;
use super::session::{Viewer, filled};
use crate::model::{Inspection, InspectionFilter, InspectionStatus};
use crate::services::inspection_reads;
use crate::services::policy::{Action, Scope, scope};
use crate::state::AppState;

/// Most inspections one month shows (pages of the list are read until then).
const MAX_IN_MONTH: usize = 5000;
const READ_PAGE: u32 = 500;

#[derive(Debug, Deserialize)]
pub(super) struct MonthQuery {
    month: Option<String>,
}

pub(crate) struct Day {
    pub(crate) number: u8,
    pub(crate) weekday: &'static str,
    pub(crate) off: bool,
}

/// A cell of a lane: an empty day, or an inspection over `span` days.
pub(crate) enum Cell {
    Empty {
        off: bool,
    },
    Inspection {
        span: usize,
        href: String,
        label: String,
        title: String,
        cancelled: bool,
    },
}

pub(crate) struct Lane {
    pub(crate) cells: Vec<Cell>,
}

pub(crate) struct InspectorRow {
    pub(crate) login: String,
    pub(crate) lanes: Vec<Lane>,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    title: String,
    prev: String,
    next: String,
    days: Vec<Day>,
    rows: Vec<InspectorRow>,
    truncated: bool,
}

/// `2026-12` → its first day.
fn parse_month(s: &str) -> Option<Date> {
    let (y, m) = s.split_once('-')?;
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, 1).ok()
}

fn month_code(d: Date) -> String {
    format!("{}-{:02}", d.year(), u8::from(d.month()))
}

/// Places each inspection in the first lane where it overlaps nothing.
fn lanes(
    list: &[&Inspection],
    first: Date,
    last: Date,
    days: &[Day],
    viewer: &Viewer,
) -> Vec<Lane> {
    let mut taken: Vec<Vec<(Date, Date, &Inspection)>> = Vec::new();
    for i in list {
        let (a, b) = (i.starts_on.max(first), i.ends_on.min(last));
        match taken
            .iter_mut()
            .find(|lane| lane.iter().all(|(x, y, _)| b < *x || a > *y))
        {
            Some(lane) => lane.push((a, b, i)),
            None => taken.push(vec![(a, b, i)]),
        }
    }
    let lang = viewer.lang;
    taken
        .into_iter()
        .map(|mut lane| {
            lane.sort_by_key(|(a, _, _)| *a);
            let mut cells = Vec::new();
            let mut day = first;
            let mut it = lane.into_iter().peekable();
            while day <= last {
                if let Some((a, b, i)) = it.peek().copied().filter(|(a, _, _)| *a == day) {
                    it.next();
                    let span = (b - a).whole_days() as usize + 1;
                    let (kru, ken) = names::kind(i.kind);
                    let (sru, sen) = names::status(i.status);
                    cells.push(Cell::Inspection {
                        span,
                        href: format!("/inspections/{}", i.id),
                        label: i.subject_inn.clone(),
                        title: format!(
                            "{}, {} ({})",
                            lang.t(kru, ken),
                            i.subject_inn,
                            lang.t(sru, sen)
                        ),
                        cancelled: i.status == InspectionStatus::Cancelled,
                    });
                    day = b.next_day().unwrap_or(b);
                    if b == last {
                        break;
                    }
                } else {
                    let idx = (day - first).whole_days() as usize;
                    cells.push(Cell::Empty {
                        off: days.get(idx).is_some_and(|d| d.off),
                    });
                    match day.next_day() {
                        Some(n) => day = n,
                        None => break,
                    }
                }
            }
            Lane { cells }
        })
        .collect()
}

pub(super) async fn page_handler(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<MonthQuery>,
) -> PageResult {
    let lang = viewer.lang;
    let today = state.zone.today();
    let first = filled(&q.month)
        .and_then(parse_month)
        .unwrap_or_else(|| today.replace_day(1).unwrap_or(today));
    let last = Date::from_calendar_date(
        first.year(),
        first.month(),
        first.month().length(first.year()),
    )
    .unwrap_or(first);
    let prev = first
        .previous_day()
        .unwrap_or(first)
        .replace_day(1)
        .unwrap_or(first);
    let next = last.next_day().unwrap_or(last);
    let wd_ru = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"];
    let wd_en = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
    let mut days = Vec::new();
    let mut d = first;
    loop {
        let w = d.weekday().number_days_from_monday() as usize;
        days.push(Day {
            number: d.day(),
            weekday: lang.t(wd_ru[w], wd_en[w]),
            // A day the calendar does not know (no year loaded) is shown as working.
            off: state.calendar.is_working_day(d).is_ok_and(|w| !w),
        });
        match d.next_day() {
            Some(n) if n <= last => d = n,
            _ => break,
        }
    }
    // The month's inspections, every page of them (bounded).
    let filter = InspectionFilter {
        from: Some(first),
        to: Some(last),
        ..InspectionFilter::default()
    };
    let mut found: Vec<Inspection> = Vec::new();
    let mut after = None;
    loop {
        let page_rows =
            inspection_reads::list(&state, &viewer.user, filter.clone(), after, READ_PAGE).await?;
        let full = page_rows.len() == READ_PAGE as usize;
        after = page_rows.last().map(|i| (i.starts_on, i.id));
        found.extend(page_rows);
        if !full || found.len() >= MAX_IN_MONTH {
            break;
        }
    }
    let truncated = found.len() >= MAX_IN_MONTH;
    let mut inspectors = inspection_reads::inspectors(&state, &viewer.user).await?;
    if let Scope::Own(me) = scope(&viewer.user, Action::ReadInspection) {
        inspectors.retain(|u| u.id == me);
    }
    let mut rows: Vec<InspectorRow> = inspectors
        .iter()
        .map(|u| {
            let theirs: Vec<&Inspection> = found
                .iter()
                .filter(|i| i.inspectors.contains(&u.id))
                .collect();
            InspectorRow {
                login: u.login.clone(),
                lanes: lanes(&theirs, first, last, &days, &viewer),
            }
        })
        .collect();
    let known: Vec<UserId> = inspectors.iter().map(|u| u.id).collect();
    let nobody: Vec<&Inspection> = found
        .iter()
        .filter(|i| !i.inspectors.iter().any(|u| known.contains(u)))
        .collect();
    if !nobody.is_empty() {
        rows.push(InspectorRow {
            login: lang.t("не назначены", "not assigned").to_owned(),
            lanes: lanes(&nobody, first, last, &days, &viewer),
        });
    }
    for r in &mut rows {
        if r.lanes.is_empty() {
            r.lanes.push(Lane {
                cells: days.iter().map(|d| Cell::Empty { off: d.off }).collect(),
            });
        }
    }
    let m = usize::from(u8::from(first.month())) - 1;
    let t = CalendarPage {
        chrome: Chrome::new(&state, &viewer, "/inspections"),
        title: format!("{} {}", lang.t(MONTHS_RU[m], MONTHS_EN[m]), first.year()),
        prev: format!("/inspections/calendar?month={}", month_code(prev)),
        next: format!("/inspections/calendar?month={}", month_code(next)),
        days,
        rows,
        truncated,
    };
    Ok(page(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months() {
        let d = parse_month("2026-02").unwrap();
        assert_eq!(month_code(d), "2026-02");
        assert!(parse_month("2026-13").is_none());
        assert!(parse_month("garbage").is_none());
    }
}
