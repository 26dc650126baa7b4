//! The candidates of a year's plans (ст.23-25, ст.52.1 248-FZ; ПП 1511): for each object, a
//! planned inspection when its periodicity makes one due and the moratorium allows it on the
//! entry's days (grouped: one inspection per subject and control type), and a mandatory
//! preventive visit when ПП 1511's period has run or a notice of starting activity asks for
//! one; each object with the reasons a planner reads.

use std::collections::{BTreeMap, HashMap};

use knd_shared::planning::due::{self, Due};
use knd_shared::planning::schedule::Demand;
use knd_shared::registry::ObjectAttributes;
use knd_shared::{InspectionKind, RiskCategory, SubjectId};
use time::Date;
use uuid::Uuid;

use crate::model::plan_why::ObjectWhy;
use crate::model::planning::{ObjectFactsRow, PlanKind};
use crate::services::risk::TypeModel;

/// A candidate entry before scheduling.
pub(crate) struct Candidate {
    pub(crate) kind: PlanKind,
    pub(crate) subject: SubjectId,
    pub(crate) control_type: Uuid,
    pub(crate) measure: InspectionKind,
    pub(crate) objects: Vec<ObjectWhy>,
    pub(crate) districts: BTreeMap<String, u32>,
    pub(crate) category: RiskCategory,
}

/// An object's reasons (their texts are written when the entry is read).
fn object_why(
    row: &ObjectFactsRow,
    category: RiskCategory,
    every_years: u32,
    kind: &str,
    (due_from, overdue_days, base): (Date, u32, Option<Date>),
    window: (Date, Date),
) -> ObjectWhy {
    ObjectWhy {
        object: row.object,
        object_key: row.object_key.clone(),
        category,
        every_years,
        counted_from_kind: kind.to_owned(),
        counted_from: base,
        due_from,
        overdue_days,
        allowed_from: window.0,
        allowed_to: window.1,
    }
}

/// The candidates of one object: an inspection (grouped by subject and control type) and
/// visits.
pub(crate) fn consider(
    row: &ObjectFactsRow,
    t: &TypeModel,
    year: i32,
    (_, last): (Date, Date),
    inspections: &mut HashMap<(SubjectId, Uuid), Candidate>,
    visits: &mut Vec<Candidate>,
    excluded: &mut u64,
) {
    let rules = &t.rules;
    let category = rules.effective_category(row.category);
    let Some(per) = rules.periodicity.get(&category) else {
        return;
    };
    if let (Some(n), Some(measure)) = (
        per.inspection_every_years,
        rules.planning.kinds.get(&category),
    ) {
        if let Due::InYear {
            from,
            overdue_days,
            counted_from,
        } = due::inspection_due(Some(n), row.last_planned_inspection, row.decided_on, year)
        {
            // Only a due object's attributes are read (the moratorium's exceptions).
            let attributes: Option<serde_json::Value> = serde_json::from_str(&row.attributes).ok();
            let attrs = ObjectAttributes::from_json(attributes.as_ref()).unwrap_or_default();
            match due::moratorium_window(rules, category, &attrs, year) {
                Some((a, b)) if from.max(a) <= b => {
                    let kind = match (row.last_planned_inspection, counted_from) {
                        (Some(_), _) => "last_planned_inspection",
                        (None, Some(_)) => "category_decision",
                        _ => "none",
                    };
                    let why = object_why(
                        row,
                        category,
                        n,
                        kind,
                        (from, overdue_days, counted_from),
                        (from.max(a), b),
                    );
                    let c = inspections
                        .entry((row.subject, row.control_type))
                        .or_insert_with(|| Candidate {
                            kind: PlanKind::Inspections,
                            subject: row.subject,
                            control_type: row.control_type,
                            measure: *measure,
                            objects: Vec::new(),
                            districts: BTreeMap::new(),
                            category,
                        });
                    if category > c.category {
                        c.category = category;
                        c.measure = *measure;
                    }
                    c.objects.push(why);
                    *c.districts.entry(row.district.clone()).or_default() += 1;
                }
                _ => *excluded += 1,
            }
        }
    }
    let mut visit = |why: ObjectWhy| {
        visits.push(Candidate {
            kind: PlanKind::Visits,
            subject: row.subject,
            control_type: row.control_type,
            measure: InspectionKind::PreventiveVisit,
            objects: vec![why],
            districts: BTreeMap::from([(row.district.clone(), 1)]),
            category,
        });
    };
    if let Some(n) = per.visit_every_years {
        if let Due::InYear {
            from,
            overdue_days,
            counted_from,
        } = due::visit_due(Some(n), row.last_counted_visit, row.decided_on, year)
        {
            let kind = match (row.last_counted_visit, row.decided_on) {
                (Some(v), Some(d)) if v >= d => "last_visit",
                (Some(_), None) => "last_visit",
                (_, Some(_)) => "category_decision",
                _ => "none",
            };
            visit(object_why(
                row,
                category,
                n,
                kind,
                (from, overdue_days, counted_from),
                (from, last),
            ));
            return;
        }
    }
    if let (Some(notice), false) = (row.activity_notice, row.visited_after_notice) {
        if let Some((a, b)) = due::startup_visit_window(notice, year) {
            visit(object_why(
                row,
                category,
                0,
                "activity_notice",
                (a, 0, Some(notice)),
                (a, b),
            ));
        }
    }
}

impl Candidate {
    pub(crate) fn district(&self) -> String {
        self.districts
            .iter()
            .max_by_key(|(d, n)| (**n, std::cmp::Reverse((*d).clone())))
            .map(|(d, _)| d.clone())
            .unwrap_or_default()
    }

    pub(crate) fn demand(
        &self,
        rules: &knd_shared::registry::ControlTypeRules,
        id: String,
    ) -> Demand {
        let load = if self.kind == PlanKind::Visits {
            rules.planning.visit
        } else {
            rules
                .planning
                .load(self.measure, self.objects.len())
                .unwrap_or(rules.planning.visit)
        };
        Demand {
            id,
            category: self.category,
            overdue_days: self
                .objects
                .iter()
                .map(|o| o.overdue_days)
                .max()
                .unwrap_or(0),
            earliest_start: self
                .objects
                .iter()
                .map(|o| o.allowed_from)
                .max()
                .unwrap_or(Date::MIN),
            latest_end: self
                .objects
                .iter()
                .map(|o| o.allowed_to)
                .min()
                .unwrap_or(Date::MAX),
            district: self.district(),
            working_days: load.working_days,
            minutes_per_day: load.minutes_per_day,
            inspectors: load.inspectors,
        }
    }
}

#[cfg(test)]
#[path = "plan_candidates_tests.rs"]
mod tests;
