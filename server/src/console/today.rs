//! Today: what needs attention, each number a link to the list behind it. An inspector sees
//! their own inspections and devices only (the services narrow the lists).

use askama::Template;
use axum::extract::State;
use time::{Date, Duration, OffsetDateTime};

use super::chart::{Bar, BarChart};
use super::chrome::{Chrome, PageResult, page};
use super::format;
use super::i18n::Lang;
use super::names;
use super::session::Viewer;
use crate::model::{Inspection, InspectionFilter, InspectionStatus};
use crate::services::policy::Action;
use crate::services::{devices, filings, inspection_reads, review, risk};
use crate::state::AppState;

/// How many rows a count reads at most; beyond it the page says "N+".
const CAP: u32 = 2000;
/// The days of the load chart, in working days.
const CHART_DAYS: usize = 10;
/// The window of coming deadlines, in working days.
const SOON_WORKING_DAYS: u32 = 5;

/// A number on the page with the list it counts.
pub(crate) struct Tile {
    pub(crate) label: &'static str,
    pub(crate) count: String,
    pub(crate) href: String,
    /// Drawn as a warning (with the word, not colour alone).
    pub(crate) alarm: bool,
}

/// An inspection line of the page's tables.
pub(crate) struct Line {
    pub(crate) href: String,
    pub(crate) subject: String,
    pub(crate) kind: &'static str,
    pub(crate) status: &'static str,
    pub(crate) starts: String,
    pub(crate) ends: String,
}

#[derive(Template)]
#[template(path = "today.html")]
struct TodayPage {
    chrome: Chrome,
    today: String,
    tiles: Vec<Tile>,
    overdue: Vec<Line>,
    soon: Vec<Line>,
    soon_until: String,
    /// Inspections under way on each of the coming working days.
    load: Option<BarChart>,
}

fn counted(n: usize) -> String {
    if n >= CAP as usize {
        format!("{}+", format::count(n as u64))
    } else {
        format::count(n as u64)
    }
}

async fn of_status(
    state: &AppState,
    viewer: &Viewer,
    status: InspectionStatus,
    from: Option<Date>,
    to: Option<Date>,
) -> Result<Vec<Inspection>, super::chrome::Failure> {
    let filter = InspectionFilter {
        status: Some(status),
        inspector: None,
        from,
        to,
        ..InspectionFilter::default()
    };
    Ok(inspection_reads::list(state, &viewer.user, filter, None, CAP).await?)
}

/// The inspections `filter` lists for the viewer (at most [`CAP`]).
async fn listed(
    state: &AppState,
    viewer: &Viewer,
    filter: InspectionFilter,
) -> Result<Vec<Inspection>, super::chrome::Failure> {
    Ok(inspection_reads::list(state, &viewer.user, filter, None, CAP).await?)
}

fn line(viewer: &Viewer, i: &Inspection) -> Line {
    let lang = viewer.lang;
    let (sru, sen) = names::status(i.status);
    Line {
        href: format!("/inspections/{}", i.id),
        subject: i.subject_inn.clone(),
        kind: {
            let (ru, en) = names::kind(i.kind);
            lang.t(ru, en)
        },
        status: lang.t(sru, sen),
        starts: format::date(i.starts_on),
        ends: format::date(i.ends_on),
    }
}

pub(super) async fn page_handler(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let lang = viewer.lang;
    let today = state.zone.today();
    let soon_until = state
        .calendar
        .add_working_days(today, SOON_WORKING_DAYS)
        .unwrap_or(today + Duration::days(7));
    let mut tiles = Vec::new();
    let mut overdue = Vec::new();
    let mut soon = Vec::new();
    let mut load = None;
    if viewer.may(Action::ReadInspection) {
        let days = working_days(&state, today, CHART_DAYS);
        let last = days.last().copied().unwrap_or(today);
        let starting = of_status(
            &state,
            &viewer,
            InspectionStatus::Scheduled,
            Some(today),
            Some(last),
        )
        .await?;
        let iso = |x: Date| knd_shared::calendar::iso_date::format(x);
        let yesterday = today - Duration::days(1);
        // Each number is read with the filter its link shows, so the two always agree.
        let starting_today = listed(
            &state,
            &viewer,
            InspectionFilter {
                status: Some(InspectionStatus::Scheduled),
                starts_from: Some(today),
                starts_to: Some(today),
                ..InspectionFilter::default()
            },
        )
        .await?;
        let late_to_start = listed(
            &state,
            &viewer,
            InspectionFilter {
                status: Some(InspectionStatus::Scheduled),
                starts_to: Some(yesterday),
                ends_from: Some(today),
                ..InspectionFilter::default()
            },
        )
        .await?;
        let running = of_status(&state, &viewer, InspectionStatus::InProgress, None, None).await?;
        let past_term = listed(
            &state,
            &viewer,
            InspectionFilter {
                overdue_on: Some(today),
                ..InspectionFilter::default()
            },
        )
        .await?;
        let ending_soon = listed(
            &state,
            &viewer,
            InspectionFilter {
                status: Some(InspectionStatus::InProgress),
                ends_from: Some(today),
                ends_to: Some(soon_until),
                ..InspectionFilter::default()
            },
        )
        .await?;
        tiles.push(Tile {
            label: lang.t("Начинаются сегодня", "Starting today"),
            count: counted(starting_today.len()),
            href: format!(
                "/inspections?status=scheduled&starts_from={}&starts_to={}",
                iso(today),
                iso(today)
            ),
            alarm: false,
        });
        tiles.push(Tile {
            label: lang.t("Не начаты в срок", "Not started on time"),
            count: counted(late_to_start.len()),
            href: format!(
                "/inspections?status=scheduled&starts_to={}&ends_from={}",
                iso(yesterday),
                iso(today)
            ),
            alarm: !late_to_start.is_empty(),
        });
        tiles.push(Tile {
            label: lang.t("Проводятся", "In progress"),
            count: counted(running.len()),
            href: "/inspections?status=in_progress".into(),
            alarm: false,
        });
        tiles.push(Tile {
            label: lang.t("Просрочены (срок истёк)", "Overdue (past their term)"),
            count: counted(past_term.len()),
            href: "/inspections?overdue=1".into(),
            alarm: !past_term.is_empty(),
        });
        tiles.push(Tile {
            label: lang.t(
                "Проводятся, срок истекает в ближайшие 5 рабочих дней",
                "In progress, term ending within 5 working days",
            ),
            count: counted(ending_soon.len()),
            href: format!(
                "/inspections?status=in_progress&ends_from={}&ends_to={}",
                iso(today),
                iso(soon_until)
            ),
            alarm: false,
        });
        load = Some(load_chart(
            viewer.lang,
            &days,
            running.iter().chain(starting.iter()),
        ));
        overdue = past_term
            .iter()
            .take(20)
            .map(|i| line(&viewer, i))
            .collect();
        let mut soon_sorted: Vec<&Inspection> = ending_soon.iter().collect();
        soon_sorted.sort_by_key(|i| (i.ends_on, i.id.as_uuid()));
        soon = soon_sorted
            .iter()
            .take(20)
            .map(|i| line(&viewer, i))
            .collect();
    }
    if let Some(waiting) = review::waiting(&state, &viewer.user, CAP).await? {
        tiles.push(Tile {
            label: lang.t("Ждут рассмотрения", "Review flags waiting"),
            count: counted(usize::try_from(waiting).unwrap_or(usize::MAX)),
            href: "/review-flags".into(),
            alarm: waiting > 0,
        });
    }
    if let Some(n) = risk::overdue_count(&state, &viewer.user, CAP).await? {
        tiles.push(Tile {
            label: lang.t(
                "Просроченные решения о категории риска",
                "Overdue risk category decisions",
            ),
            count: counted(usize::try_from(n).unwrap_or(usize::MAX)),
            href: "/risk?overdue=1".into(),
            alarm: n > 0,
        });
    }
    let yesterday = today - Duration::days(1);
    if let Some(late) = filings::due_by_count(&state, &viewer.user, yesterday, CAP).await? {
        let due = filings::due_by_count(&state, &viewer.user, soon_until, CAP)
            .await?
            .unwrap_or(0);
        let n = |n: u64| counted(usize::try_from(n).unwrap_or(usize::MAX));
        tiles.push(Tile {
            label: lang.t(
                "Жалобы и возражения с пропущенным сроком",
                "Appeals and objections past their deadline",
            ),
            count: n(late),
            href: "/filings".into(),
            alarm: late > 0,
        });
        tiles.push(Tile {
            label: lang.t(
                "Жалобы и возражения со сроком в ближайшие 5 рабочих дней",
                "Appeals and objections due within 5 working days",
            ),
            count: n(due.saturating_sub(late)),
            href: "/filings".into(),
            alarm: false,
        });
    }
    if viewer.may(Action::ListDevices) {
        let list = devices::list(&state, &viewer.user, viewer.address()).await?;
        let now = OffsetDateTime::now_utc();
        let attention = list
            .iter()
            .filter(|d| super::devices::needs_attention(d, now))
            .count();
        tiles.push(Tile {
            label: lang.t(
                "Устройства без связи более 24 часов или с неотправленными записями",
                "Devices not synced for 24 hours or holding unsent records",
            ),
            count: counted(attention),
            href: "/devices?attention=1".into(),
            alarm: attention > 0,
        });
    }
    let t = TodayPage {
        chrome: Chrome::new(&state, &viewer, "/"),
        today: format::date(today),
        tiles,
        overdue,
        soon,
        soon_until: format::date(soon_until),
        load,
    };
    Ok(page(&t))
}

/// The next `n` working days from `today` (today included when it is one), as far as the
/// production calendar knows them.
fn working_days(state: &AppState, today: Date, n: usize) -> Vec<Date> {
    let mut days = Vec::with_capacity(n);
    let mut d = today;
    while days.len() < n {
        match state.calendar.is_working_day(d) {
            Ok(true) => days.push(d),
            Ok(false) => {}
            Err(_) => break,
        }
        d += Duration::days(1);
    }
    days
}

/// How many of `inspections` are under way on each of `days`.
fn load_chart<'a>(
    lang: Lang,
    days: &[Date],
    inspections: impl Iterator<Item = &'a Inspection> + Clone,
) -> BarChart {
    let bars = days
        .iter()
        .map(|d| Bar {
            label: format!("{:02}.{:02}", d.day(), u8::from(d.month())),
            value: inspections
                .clone()
                .filter(|i| i.starts_on <= *d && *d <= i.ends_on)
                .count() as u64,
        })
        .collect();
    BarChart {
        id: "load",
        title: lang
            .t(
                "Проверки в работе по рабочим дням",
                "Inspections under way per working day",
            )
            .to_owned(),
        bars,
    }
}
