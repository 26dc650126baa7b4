//! An object's facts as the server counts them from its risk events (the store's counting of
//! an object's history, and the triggers one daily run of the indicators fires,
//! `services::risk_events::daily`), so that the generator can give each object the
//! category the risk model gives it: the demo's categories agree with what scoring proposes.

use knd_shared::calendar::iso_date;
use knd_shared::planning::indicators::Event;
use knd_shared::planning::{Explanation, ObjectFacts, RiskModel};
use knd_shared::registry::ControlTypeRules;
use time::{Date, Duration};

use super::HistoryEvent;
use crate::demo::data::RiskReasons;
use crate::model::planning::{FactsWindow, ObjectFactsRow, WindowText};

/// What the facts are counted on: the demo's today and its windows.
#[derive(Debug, Clone, Copy)]
pub struct Counting {
    pub window: FactsWindow,
    /// The daily run evaluates the objects with an event an indicator counts on or after this
    /// day (the longest indicator window, at least 366 days back).
    pub indicators_since: Date,
}

impl Counting {
    pub fn on(today: Date, rules: &[&ControlTypeRules]) -> Self {
        let longest = rules
            .iter()
            .flat_map(|r| r.indicators.iter().map(|i| i.window_days))
            .max()
            .unwrap_or(0)
            .max(366);
        Self {
            window: FactsWindow::on(today),
            indicators_since: today - Duration::days(i64::from(longest)),
        }
    }
}

/// The triggers counted in the last 12 months after one daily run on a database holding
/// `events` (`services::risk_events::daily`): each rule reads the object's events of its kind
/// since `indicators_since` and fires once, on the first run of them that reaches the threshold
/// (no earlier trigger: the demo's database has none).
fn triggers(events: &[HistoryEvent], rules: &ControlTypeRules, c: &Counting) -> u32 {
    let mut n = 0;
    for rule in &rules.indicators {
        let mut of_kind: Vec<Event> = events
            .iter()
            .filter(|e| {
                e.kind.as_str() == rule.event.as_str() && e.occurred_on >= c.indicators_since
            })
            .map(|e| Event {
                id: String::new(),
                on: e.occurred_on,
            })
            .collect();
        // The store reads them oldest first.
        of_kind.sort_by_key(|e| e.on);
        if let Some(t) = rule.evaluate(&of_kind, None) {
            if t.on >= c.window.years_back[0] {
                n += 1;
            }
        }
    }
    n
}

/// The model's input for an object with these attributes and events, counted as the server
/// counts them on the demo's today (the store's own counting, [`ObjectFactsRow::count_events`]).
pub fn facts(
    attributes: serde_json::Value,
    events: &[HistoryEvent],
    rules: &ControlTypeRules,
    model: &RiskModel,
    c: &Counting,
) -> ObjectFacts {
    let days: Vec<(String, Option<String>)> = events
        .iter()
        .map(|e| {
            (
                iso_date::format(e.occurred_on),
                e.due_on.map(iso_date::format),
            )
        })
        .collect();
    let nil = uuid::Uuid::nil();
    let mut row = ObjectFactsRow::new(nil.into(), String::new(), nil.into(), nil);
    row.attributes = attributes.to_string();
    // The dates were written just above: the count cannot meet a malformed one.
    let _ = row.count_events(
        events.iter().zip(&days).map(|(e, (on, due))| {
            (
                e.kind.as_str(),
                on.as_str(),
                due.as_deref(),
                e.passed == Some(true),
            )
        }),
        &WindowText::new(&c.window),
    );
    row.indicators_triggered = triggers(events, rules, c);
    crate::services::risk::facts_of(&row, model)
}

/// The reasons of a category decision, short as a registry keeps them: the severity class, the
/// probability and what weighed most in the subject's conduct.
pub fn reason(e: &Explanation, facts: &ObjectFacts, reasons: &RiskReasons) -> String {
    let pick = |list: &[String], i: usize| list.get(i.min(list.len().saturating_sub(1))).cloned();
    let severity = pick(&reasons.severity, usize::from(e.severity_class.max(1)) - 1);
    let probability = pick(
        &reasons.probability,
        usize::from(e.probability_class.max(1)) - 1,
    );
    // registry.json's conduct reasons: none found, warnings, remedied, an order unfulfilled,
    // a declaration.
    let conduct = if facts.unfulfilled_orders > 0 {
        3
    } else if facts.declaration_in_force {
        4
    } else if facts.remedies_on_time > 0 {
        2
    } else if facts.violations > 0 || facts.confirmed_complaints > 0 {
        1
    } else {
        0
    };
    let conduct = pick(&reasons.conduct, conduct);
    [severity, probability, conduct]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ")
}
