//! The views of a plan's page. A plan may hold tens of thousands of entries, so every view shows
//! a bounded part: one month (in pages of [`PAGE`]), one inspector's month, the districts as a
//! map and a table with one month's entries under it, the capacity by month with one month's
//! inspectors, the left-out entries in pages.

use std::collections::{BTreeMap, HashMap};

use knd_shared::UserId;
use knd_shared::calendar::{MONTHS_EN, MONTHS_RU};

use super::chrome::Failure;
use super::i18n::Lang;
use super::map::{self, District};
use super::plan_capacity::{self, MonthLoad, PersonLoad};
use super::plan_entries::{self, EntryLine};
use super::plan_view::ViewQuery;
use super::session::{Viewer, filled};
use crate::model::planning::{EntryStatus, Plan, PlanEntry};
use crate::services::plan_reads;
use crate::state::AppState;

/// Entries per page of a view.
const PAGE: usize = 100;
/// Entries per district whose objects place the district on the map: its circle sits at their
/// mean, which a sample of this size already gives, without reading every object of the plan.
const MAP_SAMPLE: usize = 30;

/// A month of the selector.
pub(crate) struct MonthLink {
    pub(crate) href: String,
    pub(crate) label: &'static str,
    pub(crate) count: usize,
    pub(crate) current: bool,
}

/// An option of a select.
pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

/// A district's row under the map.
pub(crate) struct DistrictRow {
    pub(crate) name: String,
    pub(crate) entries: usize,
    pub(crate) objects: usize,
    pub(crate) on_map: bool,
}

/// One view's content.
pub(crate) enum ViewBody {
    Month {
        months: Vec<MonthLink>,
        heading: String,
        lines: Vec<EntryLine>,
        next: Option<String>,
    },
    Inspector {
        month: u8,
        people: Vec<Choice>,
        months: Vec<MonthLink>,
        heading: String,
        lines: Vec<EntryLine>,
        next: Option<String>,
    },
    District {
        map: String,
        districts: Vec<DistrictRow>,
        months: Vec<MonthLink>,
        heading: String,
        groups: Vec<(String, Vec<EntryLine>)>,
        next: Option<String>,
    },
    Capacity {
        chart: String,
        months: Vec<MonthLoad>,
        links: Vec<MonthLink>,
        heading: String,
        people: Vec<PersonLoad>,
    },
    LeftOut {
        lines: Vec<EntryLine>,
        total: usize,
        next: Option<String>,
    },
}

fn month_of(e: &PlanEntry) -> Option<u8> {
    e.starts_on.map(|d| u8::from(d.month()))
}

pub(super) fn month_name(lang: Lang, m: u8) -> &'static str {
    let i = usize::from(m.clamp(1, 12)) - 1;
    lang.t(MONTHS_RU[i], MONTHS_EN[i])
}

/// The month asked for, else the first with entries, else January.
fn chosen_month(q: &ViewQuery, dated: &[&PlanEntry]) -> u8 {
    filled(&q.month)
        .and_then(|m| m.parse::<u8>().ok())
        .filter(|m| (1..=12).contains(m))
        .or_else(|| dated.iter().filter_map(|e| month_of(e)).min())
        .unwrap_or(1)
}

/// The twelve months with their entry counts, each linking to `href(month)`.
fn month_links(
    lang: Lang,
    dated: &[&PlanEntry],
    current: u8,
    href: impl Fn(u8) -> String,
) -> Vec<MonthLink> {
    let mut counts = [0usize; 12];
    for m in dated.iter().filter_map(|e| month_of(e)) {
        counts[usize::from(m) - 1] += 1;
    }
    (1..=12u8)
        .map(|m| MonthLink {
            href: href(m),
            label: month_name(lang, m),
            count: counts[usize::from(m) - 1],
            current: m == current,
        })
        .collect()
}

fn cursor(q: &ViewQuery) -> Option<u32> {
    filled(&q.after).and_then(|a| a.parse().ok())
}

/// The content of `view` (one of `plan_view::VIEWS`).
pub(super) async fn body(
    state: &AppState,
    viewer: &Viewer,
    plan: &Plan,
    entries: &[PlanEntry],
    view: &str,
    q: &ViewQuery,
    logins: &HashMap<UserId, String>,
) -> Result<ViewBody, Failure> {
    let lang = viewer.lang;
    let id = plan.id;
    // Entries with dates: planned ones, and those an amendment removed (shown as removed).
    let mut dated: Vec<&PlanEntry> = entries.iter().filter(|e| e.starts_on.is_some()).collect();
    dated.sort_by_key(|e| (e.starts_on, e.no));
    let month = chosen_month(q, &dated);
    let in_month: Vec<&PlanEntry> = dated
        .iter()
        .filter(|e| month_of(e) == Some(month))
        .copied()
        .collect();
    let heading = format!(
        "{} {}: {}",
        month_name(lang, month),
        plan.year,
        lang.t("начинаются в этом месяце", "starting this month")
    );
    Ok(match view {
        "inspector" => {
            let mut people: Vec<String> = plan.summary["inspectors"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if people.is_empty() {
                people = logins.values().cloned().collect();
                people.sort();
            }
            let who = filled(&q.inspector)
                .map(str::to_owned)
                .filter(|w| people.contains(w))
                .or_else(|| people.first().cloned())
                .unwrap_or_default();
            let uid = logins.iter().find(|(_, l)| **l == who).map(|(u, _)| *u);
            let theirs: Vec<&PlanEntry> = dated
                .iter()
                .filter(|e| uid.is_some_and(|u| e.inspectors.contains(&u)))
                .copied()
                .collect();
            let mine: Vec<&PlanEntry> = theirs
                .iter()
                .filter(|e| month_of(e) == Some(month))
                .copied()
                .collect();
            let (shown, next) = plan_entries::slice(&mine, cursor(q), PAGE);
            let base = format!(
                "/plans/{id}?view=inspector&inspector={}",
                super::chrome::form_urlencoded(&who)
            );
            ViewBody::Inspector {
                month,
                people: people
                    .iter()
                    .map(|p| Choice {
                        value: p.clone(),
                        label: p.clone(),
                        selected: *p == who,
                    })
                    .collect(),
                months: month_links(lang, &theirs, month, |m| format!("{base}&month={m}")),
                heading: format!("{who} · {heading}"),
                lines: plan_entries::lines(state, viewer, id, &shown, logins).await?,
                next: next.map(|n| format!("{base}&month={month}&after={n}")),
            }
        }
        "district" => district(state, viewer, plan, entries, &dated, month, q, logins).await?,
        "capacity" => plan_capacity::view(lang, plan, month),
        "left_out" => {
            let out: Vec<&PlanEntry> = entries
                .iter()
                .filter(|e| e.status == EntryStatus::LeftOut)
                .collect();
            let (shown, next) = plan_entries::slice(&out, cursor(q), PAGE);
            ViewBody::LeftOut {
                lines: plan_entries::lines(state, viewer, id, &shown, logins).await?,
                total: out.len(),
                next: next.map(|n| format!("/plans/{id}?view=left_out&after={n}")),
            }
        }
        _ => {
            let (shown, next) = plan_entries::slice(&in_month, cursor(q), PAGE);
            ViewBody::Month {
                months: month_links(lang, &dated, month, |m| {
                    format!("/plans/{id}?view=month&month={m}")
                }),
                heading,
                lines: plan_entries::lines(state, viewer, id, &shown, logins).await?,
                next: next.map(|n| format!("/plans/{id}?view=month&month={month}&after={n}")),
            }
        }
    })
}

#[allow(clippy::too_many_arguments)]
async fn district(
    state: &AppState,
    viewer: &Viewer,
    plan: &Plan,
    entries: &[PlanEntry],
    dated: &[&PlanEntry],
    month: u8,
    q: &ViewQuery,
    logins: &HashMap<UserId, String>,
) -> Result<ViewBody, Failure> {
    let lang = viewer.lang;
    let id = plan.id;
    // The whole plan by district: entries, objects, and a sample of keys to place it.
    let mut by: BTreeMap<&str, (usize, usize, Vec<String>)> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.status == EntryStatus::Planned) {
        let d = by.entry(e.district.as_str()).or_default();
        d.0 += 1;
        d.1 += e.objects.len();
        if d.2.len() < MAP_SAMPLE {
            d.2.extend(plan_entries::keys(e).into_iter().take(1));
        }
    }
    // One read whatever the number of districts: the registry lookup takes 10,000 keys at most.
    let mut sample: Vec<String> = by.values().flat_map(|d| d.2.iter().cloned()).collect();
    sample.truncate(10_000);
    let objects = plan_reads::objects(state, &viewer.user, viewer.address(), &sample).await?;
    let mut circles = Vec::new();
    let mut rows = Vec::new();
    for (name, (n, objs, keys)) in &by {
        let at: Vec<(i64, i64)> = keys
            .iter()
            .filter_map(|k| objects.get(k).and_then(|o| o.position))
            .collect();
        if !at.is_empty() {
            let len = at.len() as i64;
            circles.push(District {
                centre: (
                    at.iter().map(|p| p.0).sum::<i64>() / len,
                    at.iter().map(|p| p.1).sum::<i64>() / len,
                ),
                entries: *n as u64,
                name: (*name).to_owned(),
            });
        }
        rows.push(DistrictRow {
            name: (*name).to_owned(),
            entries: *n,
            objects: *objs,
            on_map: !at.is_empty(),
        });
    }
    // The chosen month's entries grouped by district, a page at a time.
    let mut in_month: Vec<&PlanEntry> = dated
        .iter()
        .filter(|e| month_of(e) == Some(month))
        .copied()
        .collect();
    in_month
        .sort_by(|a, b| (&a.district, a.starts_on, a.no).cmp(&(&b.district, b.starts_on, b.no)));
    let (shown, next) = plan_entries::slice(&in_month, cursor(q), PAGE);
    let lines = plan_entries::lines(state, viewer, id, &shown, logins).await?;
    let mut groups: Vec<(String, Vec<EntryLine>)> = Vec::new();
    for line in lines {
        match groups.last_mut() {
            Some((d, list)) if *d == line.district => list.push(line),
            _ => groups.push((line.district.clone(), vec![line])),
        }
    }
    Ok(ViewBody::District {
        map: map::draw_districts(lang, &circles),
        districts: rows,
        months: month_links(lang, dated, month, |m| {
            format!("/plans/{id}?view=district&month={m}")
        }),
        heading: format!(
            "{} {}: {}",
            month_name(lang, month),
            plan.year,
            lang.t("мероприятия по районам", "entries by district")
        ),
        groups,
        next: next.map(|n| format!("/plans/{id}?view=district&month={month}&after={n}")),
    })
}
