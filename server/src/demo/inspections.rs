//! The demo's plan for the coming working days: field checks and document checks of high-risk
//! objects (planned: under the moratorium only high and extremely high risk get planned
//! inspections), inspection visits and raids as unplanned measures, each assigned to the
//! demo's inspectors, with the objects of its subject and a checklist, already scheduled.

use std::collections::BTreeMap;

use knd_shared::calendar::Calendar;
use knd_shared::{InspectionKind, RiskCategory};
use time::Date;

use super::generator::{ObjectRow, Registry};
use super::seed::api;
use crate::model::{InspectionStatus, ProsecutorAgreement, User};
use crate::services::inspections::{self, NewInspection};
use crate::state::AppState;
use knd_shared::Ground;

/// How many inspections the demo plans, when the registry has enough subjects.
const TARGET: usize = 30;
/// Spread over this many coming working days.
const DAYS: usize = 8;

/// What the planning did.
#[derive(Debug, Default)]
pub(super) struct Planned {
    pub(super) created: usize,
    /// Why fewer than planned were created (the calendar does not cover the dates, ...).
    pub(super) skipped: Option<String>,
}

/// Up to `n` working days from `today` on (today included when it is one, so someone trying
/// the demo can start an inspection on its own dates), on the production calendar: fewer when
/// the calendar does not hold the year they fall in (the plan then fits in the days it knows);
/// an error only when it knows none.
fn working_days(calendar: &Calendar, today: Date, n: usize) -> Result<Vec<Date>, String> {
    let mut days = Vec::with_capacity(n);
    let mut next = Some(today);
    while days.len() < n {
        let d = next.ok_or("the date is out of range")?;
        next = d.next_day();
        match calendar.is_working_day(d) {
            Ok(true) => days.push(d),
            Ok(false) => {}
            Err(e) if days.is_empty() => {
                return Err(format!(
                    "the production calendar: {e} (KND__CALENDAR__ALLOW_PROVISIONAL=true or \
                     KND__CALENDAR__FILE with the year's decree)"
                ));
            }
            Err(_) => break,
        }
    }
    Ok(days)
}

/// One measure of the demo plan: its kind, ground, how long it lasts and how many objects it takes.
struct Measure {
    kind: InspectionKind,
    ground: Ground,
    working_days: usize,
    max_objects: usize,
    note: &'static str,
}

/// An unplanned inspection visit: one working day per place (ст.70), here one place.
fn visit() -> Measure {
    Measure {
        kind: InspectionKind::InspectionVisit,
        ground: Ground::HarmOrRiskIndicator,
        working_days: 1,
        max_objects: 1,
        note: "Внеплановый инспекционный визит: объект соответствует индикатору риска (п.1 ч.1 ст.57)",
    }
}

/// The plan's mix, repeated: field checks most often.
fn measure(i: usize) -> Measure {
    let m = |kind, ground, working_days, max_objects, note| Measure {
        kind,
        ground,
        working_days,
        max_objects,
        note,
    };
    use InspectionKind::*;
    match i % 5 {
        0 | 3 => m(
            FieldCheck,
            Ground::Plan,
            3,
            3,
            "Плановая выездная проверка по плану КНМ на текущий год",
        ),
        1 => visit(),
        2 => m(
            Raid,
            Ground::HarmOrRiskIndicator,
            2,
            3,
            "Внеплановый рейдовый осмотр: сведения об угрозе причинения вреда (п.1 ч.1 ст.57), по согласованию с органами прокуратуры",
        ),
        _ => m(
            DocumentCheck,
            Ground::Plan,
            5,
            3,
            "Плановая документарная проверка по плану КНМ на текущий год",
        ),
    }
}

/// Objects grouped by subject and control type with their highest category, the riskiest first.
fn groups(registry: &Registry) -> Vec<(RiskCategory, Vec<ObjectRow>)> {
    let mut by: BTreeMap<(usize, &'static str), Vec<ObjectRow>> = BTreeMap::new();
    // Enough candidates for the plan without walking a very large registry twice over.
    for o in registry.objects().take(20_000) {
        by.entry((o.subject, o.control_type)).or_default().push(o);
    }
    let mut list: Vec<(RiskCategory, Vec<ObjectRow>)> = by
        .into_values()
        .map(|g| {
            let risk = g
                .iter()
                .map(|o| o.risk.unwrap_or(RiskCategory::Low))
                .max()
                .unwrap_or(RiskCategory::Low);
            (risk, g)
        })
        .collect();
    // Stable: equal risk keeps subject order.
    list.sort_by_key(|(risk, _)| std::cmp::Reverse(*risk));
    list
}

/// Creates the demo plan as `planner`, scheduled for the coming working days.
pub(super) async fn plan(
    state: &AppState,
    planner: &User,
    inspectors: &[User],
    registry: &Registry,
    today: Date,
) -> anyhow::Result<Planned> {
    let mut out = Planned::default();
    if inspectors.is_empty() {
        out.skipped = Some("no inspectors".into());
        return Ok(out);
    }
    let days = match working_days(&state.calendar, today, DAYS + 5) {
        Ok(d) => d,
        Err(why) => {
            out.skipped = Some(why);
            return Ok(out);
        }
    };
    let mut groups = groups(registry);
    // Planned measures take the riskiest groups from the front, unplanned ones from the back.
    let (mut front, mut back) = (0usize, groups.len());
    for i in 0..TARGET {
        if front >= back {
            break;
        }
        let mut m = measure(i);
        // Under the moratorium (ПП 336 as extended) planned inspections go only to high and
        // extremely high risk; when those run out, the slot becomes an unplanned visit.
        if m.ground.is_planned() && groups[front].0 < RiskCategory::High {
            m = visit();
        }
        // Near the end of the calendar's last year a long measure may not fit in the days it
        // holds: a one-day visit takes its place.
        let start = i % DAYS.min(days.len());
        if start + m.working_days > days.len() {
            m = visit();
        }
        let group = if m.ground.is_planned() {
            front += 1;
            std::mem::take(&mut groups[front - 1].1)
        } else {
            back -= 1;
            std::mem::take(&mut groups[back].1)
        };
        let first = &group[0];
        let subject = &registry.subjects()[first.subject];
        let activity = &registry.data().registry.activities[subject.activity];
        let checklist = activity.checklists.get(first.control_type).cloned();
        // The moratorium weighs each object: a planned inspection takes only the group's
        // objects of high or extremely high risk.
        let objects: Vec<String> = group
            .iter()
            .filter(|o| !m.ground.is_planned() || o.risk >= Some(RiskCategory::High))
            .take(m.max_objects)
            .map(|o| o.key.clone())
            .collect();
        let working_days = if m.kind == InspectionKind::InspectionVisit {
            objects.len() // one working day per place (ст.70)
        } else {
            m.working_days
        };
        // Within `days`: a visit has one object here, other measures were checked above.
        let (starts_on, ends_on) = (days[start], days[start + working_days - 1]);
        // Rotated per round of days too, so that each day's measures have different leads (the
        // first of a day is the first inspector's: whoever tries the app enrolls for them).
        let lead = &inspectors[(i + i / DAYS) % inspectors.len()];
        let mut assigned = vec![lead.id];
        if m.kind == InspectionKind::FieldCheck && inspectors.len() > 1 {
            assigned.push(inspectors[(i + i / DAYS + 1) % inspectors.len()].id);
        }
        // Unplanned measures on ground п.1 were agreed with the prosecutor's office the day before
        // the plan was made; every scheduled measure is registered in ЕРКНМ (ПП 604).
        let prosecutor_agreement =
            (m.ground == Ground::HarmOrRiskIndicator).then(|| ProsecutorAgreement {
                reference: format!(
                    "решение прокуратуры Ярославской области № 7-{:03}-2026",
                    i + 1
                ),
                date: today,
            });
        let new = NewInspection {
            kind: m.kind,
            ground: m.ground,
            prosecutor_agreement,
            erknm: Some(format!("76{:04}{:014}", today.year(), i + 1)),
            other_subjects: Vec::new(),
            control_type: first.control_type.to_owned(),
            subject_inn: subject.inn.clone(),
            objects,
            checklist,
            starts_on,
            ends_on,
            inspectors: assigned,
            note: m.note.to_owned(),
            status: Some(InspectionStatus::Scheduled),
        };
        inspections::create(state, planner, new, None)
            .await
            .map_err(api)?;
        out.created += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn the_plan_uses_the_days_the_calendar_holds() {
        let calendar = Calendar::embedded();
        let days = working_days(&calendar, date!(2026 - 11 - 20), 13).unwrap();
        assert_eq!(days.len(), 13);
        assert_eq!(days[0], date!(2026 - 11 - 20), "a working Friday: today");
        let days = working_days(&calendar, date!(2026 - 11 - 21), 13).unwrap();
        assert_eq!(
            days[0],
            date!(2026 - 11 - 23),
            "a Saturday: the next Monday"
        );
        // The last weeks of the last year it holds: fewer days, all of them in that year.
        let days = working_days(&calendar, date!(2027 - 12 - 22), 13).unwrap();
        assert!(!days.is_empty() && days.len() < 13, "{days:?}");
        assert!(days.iter().all(|d| d.year() == 2027));
        // A year it does not hold at all: the error says how to add it.
        let why = working_days(&calendar, date!(2028 - 02 - 01), 13).unwrap_err();
        assert!(
            why.contains("no data for 2028") && why.contains("KND__CALENDAR__FILE"),
            "{why}"
        );
    }
}
