//! The facts the risk model and the plan read, in one pass over the agency's objects: each
//! object keeps the events its facts count (`control_objects.risk_history`, a JSON array of
//! `[kind, occurred_on, due_on, passed]` the store rewrites whenever events are added), and the
//! counts over the run's windows are taken here. Reading 1,000,000 objects is then one index
//! range scan of the objects instead of an aggregate over every object's events per run.

use std::collections::HashMap;

use knd_shared::{ObjectId, RiskCategory};
use serde::Deserialize;

use super::Sql;
use crate::model::planning::{ObjectFactsRow, WindowText};
use crate::store::cols::Cols;
use crate::store::{StoreError, StoreResult};

/// The kinds of event the facts count, as `risk_history` keeps them (the same list is in the
/// statements that rewrite it and in migration 0010).
macro_rules! history_kinds {
    () => {
        "('violation_found', 'order_overdue', 'order_fulfilled', 'complaint_confirmed',
          'declaration', 'self_assessment', 'planned_inspection', 'preventive_visit',
          'activity_notice')"
    };
}
pub(crate) use history_kinds;

/// A page of the agency's objects after `?2`, in id order, with their events.
pub(crate) static FACTS_OBJECTS: Sql = Sql::new(
    "SELECT o.id, o.object_key, o.subject_id, o.control_type_id, o.district, o.risk_category,
            o.risk_decided_on, o.attributes, o.risk_history
     FROM control_objects o WHERE o.agency_id = ?1 AND o.id > ?2 ORDER BY o.id LIMIT ?3",
);

/// The agency's object in the middle of id order.
pub(crate) static FACTS_MIDPOINT: Sql = Sql::new(
    "SELECT id FROM control_objects WHERE agency_id = ?1 ORDER BY id LIMIT 1
     OFFSET (SELECT COUNT(*) FROM control_objects WHERE agency_id = ?1) / 2",
);

/// Triggers in the last 12 months (`?3`) of the objects in (`?1`, `?2`].
pub(crate) static FACTS_TRIGGERS: Sql = Sql::new(
    "SELECT object_id, COUNT(*) FROM indicator_triggers
     WHERE object_id > ?1 AND object_id <= ?2 AND triggered_on >= ?3 GROUP BY object_id",
);

/// `passed` as SQLite (0 / 1) and PostgreSQL (false / true) write it in JSON, or null.
struct Passed(bool);

impl<'de> Deserialize<'de> for Passed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Passed;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("true, false, 0, 1 or null")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Passed, E> {
                Ok(Passed(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Passed, E> {
                Ok(Passed(v > 0))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Passed, E> {
                Ok(Passed(v > 0))
            }
            fn visit_unit<E>(self) -> Result<Passed, E> {
                Ok(Passed(false))
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// One event of the history; borrowed, as kinds and dates have nothing to unescape.
#[derive(Deserialize)]
struct HistoryEvent<'a>(&'a str, &'a str, Option<&'a str>, Passed);

fn corrupt(what: String) -> StoreError {
    StoreError::Corrupt(what)
}

/// Counts the object's stored history into its facts over the window
/// ([`ObjectFactsRow::count_events`]).
pub(crate) fn count_history(
    row: &mut ObjectFactsRow,
    history: &str,
    w: &WindowText,
) -> StoreResult<()> {
    let events: Vec<HistoryEvent<'_>> = serde_json::from_str(history)
        .map_err(|e| corrupt(format!("risk history of {}: {e}", row.object)))?;
    row.count_events(
        events
            .iter()
            .map(|HistoryEvent(kind, on, due, Passed(passed))| (*kind, *on, *due, *passed)),
        w,
    )
    .map_err(corrupt)
}

/// A row of [`FACTS_OBJECTS`] with its history counted; the triggers are merged in after.
pub(crate) fn facts_object(r: &impl Cols, w: &WindowText) -> StoreResult<ObjectFactsRow> {
    let mut row = ObjectFactsRow {
        district: r.text(4)?,
        category: category(r.opt_text(5)?)?,
        decided_on: r.opt_date(6)?,
        attributes: r.text(7)?,
        ..ObjectFactsRow::new(r.id(0)?, r.text(1)?, r.id(2)?, r.uuid(3)?)
    };
    count_history(&mut row, &r.text(8)?, w)?;
    Ok(row)
}

fn category(s: Option<String>) -> StoreResult<Option<RiskCategory>> {
    s.map(|c| RiskCategory::parse(&c).ok_or_else(|| corrupt(format!("category {c:?}"))))
        .transpose()
}

pub(crate) fn trigger_count(r: &impl Cols) -> StoreResult<(ObjectId, u32)> {
    let n = r.opt_i64(1)?.unwrap_or(0);
    Ok((
        r.id(0)?,
        u32::try_from(n).map_err(|_| corrupt(format!("count {n}")))?,
    ))
}

/// Merges the counts of [`FACTS_TRIGGERS`] into the page's objects.
pub(crate) fn merge_triggers(rows: &mut [ObjectFactsRow], triggers: Vec<(ObjectId, u32)>) {
    let triggers: HashMap<ObjectId, u32> = triggers.into_iter().collect();
    for row in rows {
        row.indicators_triggered = triggers.get(&row.object).copied().unwrap_or(0);
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn row() -> ObjectFactsRow {
        let nil = uuid::Uuid::nil();
        ObjectFactsRow::new(nil.into(), "O-1".into(), nil.into(), nil)
    }

    /// Each count on its window's first day and not the day before, as both backends write the
    /// history (SQLite's 0/1, PostgreSQL's booleans).
    #[test]
    fn the_history_counts_on_the_windows_edges() {
        let w = WindowText::new(&crate::model::planning::FactsWindow::on(date!(
            2026 - 12 - 02
        )));
        let history = r#"[
            ["violation_found", "2025-12-02", null, null],
            ["violation_found", "2025-12-01", null, null],
            ["violation_found", "2021-12-02", null, null],
            ["violation_found", "2021-12-01", null, null],
            ["order_overdue", "2024-06-01", "2024-05-01", null],
            ["order_fulfilled", "2026-01-10", "2026-02-01", 1],
            ["order_fulfilled", "2026-01-11", "2026-02-01", false],
            ["complaint_confirmed", "2025-12-02", null, null],
            ["complaint_confirmed", "2025-12-01", null, null],
            ["declaration", "2026-01-01", "2026-12-02", null],
            ["self_assessment", "2025-12-01", null, true],
            ["planned_inspection", "2022-03-01", null, null],
            ["planned_inspection", "2019-03-01", null, null],
            ["preventive_visit", "2024-05-05", null, 0],
            ["preventive_visit", "2023-05-05", null, 1],
            ["activity_notice", "2024-01-01", null, null],
            ["sensor_exceedance", "2026-01-01", null, null]
        ]"#;
        let mut r = row();
        count_history(&mut r, history, &w).unwrap();
        assert_eq!(r.violations, [1, 2, 2, 2, 3]);
        assert_eq!(r.unfulfilled_orders, [0, 0, 1, 1, 1]);
        assert_eq!(r.remedies_on_time, [1, 1, 1, 1, 1]);
        assert_eq!(r.confirmed_complaints, 1);
        assert!(r.declaration_in_force, "valid through today");
        assert!(!r.self_assessment_passed, "a day over 12 months");
        assert_eq!(r.last_planned_inspection, Some(date!(2022 - 03 - 01)));
        assert_eq!(r.last_counted_visit, Some(date!(2023 - 05 - 05)));
        assert_eq!(r.activity_notice, Some(date!(2024 - 01 - 01)));
        assert!(
            r.visited_after_notice,
            "the uncounted visit still followed it"
        );

        let mut empty = row();
        count_history(&mut empty, "[]", &w).unwrap();
        assert_eq!(empty, row());
        assert!(count_history(&mut row(), "[[1]]", &w).is_err());
        assert!(
            count_history(
                &mut row(),
                r#"[["planned_inspection","2022-3-1",null,null]]"#,
                &w
            )
            .is_err()
        );
    }
}
