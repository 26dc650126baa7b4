//! The capacity view of a plan: for each month the load of the year's plans against the
//! inspectors' working time (a chart and the same numbers as a table), and each inspector's load
//! in a chosen month, more than 80 % marked in words and colour.

use std::collections::BTreeMap;

use super::chart::{Pair, PairChart};
use super::i18n::Lang;
use super::plan_names;
use super::plan_views::{MonthLink, ViewBody, month_name};
use crate::model::planning::Plan;

/// Load above this share of capacity is marked (in words and colour).
const HIGH_LOAD: f64 = 0.8;

/// A month's load against capacity, in hours.
pub(crate) struct MonthLoad {
    pub(crate) label: &'static str,
    pub(crate) capacity: String,
    pub(crate) load: String,
    pub(crate) share: String,
    pub(crate) high: bool,
}

/// An inspector's load in the chosen month.
pub(crate) struct PersonLoad {
    pub(crate) login: String,
    pub(crate) capacity: String,
    pub(crate) load: String,
    pub(crate) share: String,
    pub(crate) high: bool,
}

fn share(load: u64, capacity: u64) -> f64 {
    if capacity == 0 {
        if load == 0 { 0.0 } else { 1.0 }
    } else {
        load as f64 / capacity as f64
    }
}

/// The load of the year's plans against the inspectors' capacity (the summary's load is the
/// one scheduling pass of both plans of the year: it is the inspectors' whole planned time).
pub(super) fn view(lang: Lang, plan: &Plan, month: u8) -> ViewBody {
    let people: Vec<String> = plan.summary["inspectors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let mut by_month = [(0u64, 0u64); 12];
    let mut person: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
    for l in plan.summary["load"].as_array().into_iter().flatten() {
        let m = l["month"].as_u64().unwrap_or(0);
        let (cap, load) = (
            l["capacity_minutes"].as_u64().unwrap_or(0),
            l["load_minutes"].as_u64().unwrap_or(0),
        );
        let Some(slot) = usize::try_from(m)
            .ok()
            .and_then(|m| m.checked_sub(1))
            .and_then(|i| by_month.get_mut(i))
        else {
            continue;
        };
        slot.0 += cap;
        slot.1 += load;
        if m == u64::from(month) {
            let who = usize::try_from(l["inspector"].as_u64().unwrap_or(0)).unwrap_or(0);
            let p = person.entry(who).or_default();
            p.0 += cap;
            p.1 += load;
        }
    }
    let h = |m: u64| (m + 30) / 60;
    let chart = PairChart {
        id: "capacity",
        title: format!(
            "{} {}",
            lang.t(
                "Нагрузка и рабочее время инспекторов по месяцам, ч,",
                "Load against the inspectors' capacity by month, h,"
            ),
            plan.year
        ),
        limit_name: lang.t("рабочее время, ч", "capacity, h").to_owned(),
        used_name: lang.t("нагрузка плана, ч", "planned load, h").to_owned(),
        pairs: by_month
            .iter()
            .enumerate()
            .map(|(i, (cap, load))| Pair {
                label: month_name(lang, (i + 1) as u8).chars().take(3).collect(),
                limit: h(*cap),
                used: h(*load),
            })
            .collect(),
    };
    let months = by_month
        .iter()
        .enumerate()
        .map(|(i, (cap, load))| {
            let s = share(*load, *cap);
            MonthLoad {
                label: month_name(lang, (i + 1) as u8),
                capacity: plan_names::hours(lang, *cap),
                load: plan_names::hours(lang, *load),
                share: plan_names::percent(lang, s),
                high: s > HIGH_LOAD,
            }
        })
        .collect();
    let id = plan.id;
    ViewBody::Capacity {
        chart: chart.svg(),
        months,
        links: (1..=12u8)
            .map(|m| MonthLink {
                href: format!("/plans/{id}?view=capacity&month={m}"),
                label: month_name(lang, m),
                count: 0,
                current: m == month,
            })
            .collect(),
        heading: format!("{} {}", month_name(lang, month), plan.year),
        people: person
            .iter()
            .map(|(i, (cap, load))| {
                let s = share(*load, *cap);
                PersonLoad {
                    login: people.get(*i).cloned().unwrap_or_else(|| format!("#{i}")),
                    capacity: plan_names::hours(lang, *cap),
                    load: plan_names::hours(lang, *load),
                    share: plan_names::percent(lang, s),
                    high: s > HIGH_LOAD,
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn months_and_inspectors_add_up_and_high_load_is_marked() {
        let plan = Plan {
            id: uuid::Uuid::nil(),
            agency: knd_shared::AgencyId::from(uuid::Uuid::nil()),
            year: 2027,
            kind: crate::model::planning::PlanKind::Inspections,
            status: crate::model::planning::PlanStatus::Draft,
            version: 1,
            summary: json!({
                "inspectors": ["inspector1", "inspector2"],
                "load": [
                    {"inspector": 0, "month": 3, "capacity_minutes": 6000, "load_minutes": 5400},
                    {"inspector": 1, "month": 3, "capacity_minutes": 6000, "load_minutes": 600},
                    {"inspector": 0, "month": 4, "capacity_minutes": 6000, "load_minutes": 0},
                ],
            }),
            built_by: None,
            built_at: time::OffsetDateTime::UNIX_EPOCH,
            sent_on: None,
            approved_on: None,
            approved_by: None,
            published_on: None,
            record: None,
        };
        let ViewBody::Capacity {
            months,
            people,
            chart,
            ..
        } = view(Lang::Ru, &plan, 3)
        else {
            panic!("the capacity view");
        };
        assert_eq!(months.len(), 12);
        assert_eq!(
            (months[2].load.as_str(), months[2].capacity.as_str()),
            ("100 ч", "200 ч")
        );
        assert!(!months[2].high && !months[3].high);
        assert_eq!(people.len(), 2);
        assert!(people[0].high && !people[1].high);
        assert_eq!(people[0].share, "90,0 %");
        assert!(chart.contains(">200</text>") && chart.contains(">100</text>"));
        assert_eq!(share(5, 0), 1.0);
    }
}
