//! A plan's entries as the plan pages show them: a line per entry (its number linking to its
//! reasons, the measure and category by name, the subject's ИНН and the object keys, dates,
//! inspectors' logins, district) and the reasons stored in the entry's `why`.
//!
//! A plan may hold tens of thousands of entries; the pages show a bounded slice of them, and
//! only that slice's objects are looked up in the registry (for the subject's ИНН).

use std::collections::HashMap;

use knd_shared::UserId;
use time::Date;
use uuid::Uuid;

use super::chrome::Failure;
use super::i18n::Lang;
use super::session::Viewer;
use super::{format, names, plan_names};
use crate::model::planning::{EntryStatus, PlanEntry};
use crate::services::plan_reads;
use crate::state::AppState;

/// The object keys an entry names (its reasons list them, one per object).
pub(super) fn keys(e: &PlanEntry) -> Vec<String> {
    e.why["objects"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|o| o["object_key"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The text of a reason in the viewer's language (`text_ru` or `text_en` of a `why` part).
pub(super) fn text(lang: Lang, why: &serde_json::Value) -> String {
    let (ru, en) = crate::model::plan_why::part_texts(why).unwrap_or_default();
    lang.t(&ru, &en).to_owned()
}

/// `01.03.2027 — 12.03.2027`, one date when it is one day, empty when not placed.
pub(super) fn dates(starts: Option<Date>, ends: Option<Date>) -> String {
    match (starts, ends) {
        (Some(a), Some(b)) if a == b => format::date(a),
        (Some(a), Some(b)) => format!("{} — {}", format::date(a), format::date(b)),
        (Some(a), None) => format::date(a),
        _ => String::new(),
    }
}

/// The logins of `ids` (an id when the user is unknown), comma-separated.
pub(super) fn people(logins: &HashMap<UserId, String>, ids: &[UserId]) -> String {
    ids.iter()
        .map(|u| logins.get(u).cloned().unwrap_or_else(|| u.to_string()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An entry as a table row.
pub(crate) struct EntryLine {
    pub(crate) no: u32,
    pub(crate) href: String,
    pub(crate) measure: &'static str,
    /// The scheduled measure the entry became when the plan was approved.
    pub(crate) measure_href: Option<String>,
    pub(crate) category: &'static str,
    pub(crate) inn: String,
    pub(crate) keys: String,
    pub(crate) dates: String,
    pub(crate) inspectors: String,
    pub(crate) district: String,
    pub(crate) status: &'static str,
    /// Not in the plan as built (left out, or removed by an amendment): shown in words.
    pub(crate) out: bool,
    /// Why it was left out, when it was.
    pub(crate) reason: String,
}

/// The lines of `entries` (a bounded slice of a plan), with each subject's ИНН from the registry.
pub(super) async fn lines(
    state: &AppState,
    viewer: &Viewer,
    plan: Uuid,
    entries: &[&PlanEntry],
    logins: &HashMap<UserId, String>,
) -> Result<Vec<EntryLine>, Failure> {
    let lang = viewer.lang;
    let all: Vec<String> = entries
        .iter()
        .filter_map(|e| keys(e).into_iter().next())
        .collect();
    let objects = plan_reads::objects(state, &viewer.user, viewer.address(), &all).await?;
    Ok(entries
        .iter()
        .map(|e| {
            let k = keys(e);
            let (mru, men) = names::kind(e.kind);
            let (cru, cen) = names::risk(e.category);
            let (sru, sen) = plan_names::entry_status(e.status);
            EntryLine {
                no: e.no,
                href: format!("/plans/{plan}/entries/{}", e.no),
                measure: lang.t(mru, men),
                measure_href: e.inspection.map(|m| format!("/inspections/{m}")),
                category: lang.t(cru, cen),
                inn: k
                    .first()
                    .and_then(|k| objects.get(k))
                    .map(|o| o.subject_inn.clone())
                    .unwrap_or_default(),
                keys: k.join(", "),
                dates: dates(e.starts_on, e.ends_on),
                inspectors: people(logins, &e.inspectors),
                district: e.district.clone(),
                status: lang.t(sru, sen),
                out: e.status != EntryStatus::Planned,
                reason: if e.status == EntryStatus::LeftOut {
                    text(lang, &e.why["schedule"])
                } else {
                    String::new()
                },
            }
        })
        .collect())
}

/// The slice of `sorted` after the entry numbered `after` (from the start without one or when
/// it is not there), at most `page` long, and the cursor of the next slice when there is one.
pub(super) fn slice<'a>(
    sorted: &[&'a PlanEntry],
    after: Option<u32>,
    page: usize,
) -> (Vec<&'a PlanEntry>, Option<u32>) {
    let start = after
        .and_then(|no| sorted.iter().position(|e| e.no == no))
        .map_or(0, |i| i + 1);
    let rest = sorted.get(start..).unwrap_or_default();
    let shown: Vec<&PlanEntry> = rest.iter().take(page).copied().collect();
    let next = (rest.len() > page)
        .then(|| shown.last().map(|e| e.no))
        .flatten();
    (shown, next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(no: u32) -> PlanEntry {
        PlanEntry {
            no,
            subject: knd_shared::SubjectId::from(Uuid::nil()),
            control_type: Uuid::nil(),
            objects: Vec::new(),
            category: knd_shared::RiskCategory::High,
            kind: knd_shared::InspectionKind::InspectionVisit,
            district: "Центральный".into(),
            status: EntryStatus::Planned,
            starts_on: None,
            ends_on: None,
            inspectors: Vec::new(),
            why: json!({"objects": [{"object_key": "A-1"}, {"object_key": "A-2"}],
                        "schedule": {"text_ru": "нет времени", "text_en": "no time"}}),
            inspection: None,
        }
    }

    #[test]
    fn keys_texts_and_slices() {
        let e = entry(1);
        assert_eq!(keys(&e), ["A-1", "A-2"]);
        assert_eq!(text(Lang::Ru, &e.why["schedule"]), "нет времени");
        assert_eq!(text(Lang::En, &e.why["schedule"]), "no time");
        let all: Vec<PlanEntry> = (1..=5).map(entry).collect();
        let refs: Vec<&PlanEntry> = all.iter().collect();
        let (a, next) = slice(&refs, None, 2);
        assert_eq!(
            (a.iter().map(|e| e.no).collect::<Vec<_>>(), next),
            (vec![1, 2], Some(2))
        );
        let (b, next) = slice(&refs, Some(4), 2);
        assert_eq!(
            (b.iter().map(|e| e.no).collect::<Vec<_>>(), next),
            (vec![5], None)
        );
        let (c, _) = slice(&refs, Some(99), 2);
        assert_eq!(c.len(), 2, "an unknown cursor starts again");
    }
}
