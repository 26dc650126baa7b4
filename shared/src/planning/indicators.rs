//! Risk indicators (ст.23 ч.9-10 248-FZ): rules of a control type over events about an object,
//! such as "2 or more confirmed complaints within 90 days". A triggered indicator is a ground for
//! an unplanned inspection (п.1 ч.1 ст.57) and raises the probability factor of the risk model.

use serde::{Deserialize, Serialize};
use time::Date;

/// What happened to an object that an indicator counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A citizen's or organisation's complaint about the object, confirmed by the agency.
    ComplaintConfirmed,
    /// A sensor or monitoring system reported a value beyond its limit.
    SensorExceedance,
    /// An order's deadline passed without a report of its fulfilment.
    OrderOverdue,
    /// A control measure found a violation.
    ViolationFound,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::ComplaintConfirmed,
        EventKind::SensorExceedance,
        EventKind::OrderOverdue,
        EventKind::ViolationFound,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ComplaintConfirmed => "complaint_confirmed",
            EventKind::SensorExceedance => "sensor_exceedance",
            EventKind::OrderOverdue => "order_overdue",
            EventKind::ViolationFound => "violation_found",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn name_ru(self) -> &'static str {
        match self {
            EventKind::ComplaintConfirmed => "подтверждённое обращение",
            EventKind::SensorExceedance => "превышение по датчику",
            EventKind::OrderOverdue => "срок предписания истёк без отчёта",
            EventKind::ViolationFound => "выявлено нарушение",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            EventKind::ComplaintConfirmed => "confirmed complaint",
            EventKind::SensorExceedance => "sensor limit exceeded",
            EventKind::OrderOverdue => "order deadline passed without a report",
            EventKind::ViolationFound => "violation found",
        }
    }
}

/// One indicator of a control type: `threshold` or more events of a kind about one object within
/// `window_days` days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorRule {
    /// Stable within the control type, e.g. `complaints_90`.
    pub code: String,
    pub name_ru: String,
    pub name_en: String,
    pub event: EventKind,
    pub threshold: u32,
    pub window_days: u32,
}

/// Why an indicator rule was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IndicatorError {
    #[error(
        "индикатор «{0}»: порог и окно — не меньше 1, код — латиницей без пробелов / indicator {0}: the threshold and the window are at least 1, the code is latin letters, digits and _"
    )]
    Invalid(String),
    #[error("код индикатора «{0}» повторяется / the indicator code {0} is used twice")]
    Duplicate(String),
}

/// An event as the evaluation sees it: its id (evidence) and its date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub on: Date,
}

/// A triggered indicator: the day of the event that reached the threshold, and the events within
/// the window that it counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    pub on: Date,
    pub evidence: Vec<String>,
}

impl IndicatorRule {
    /// The indicators a control type starts with, as examples of the three the issue names.
    pub fn defaults() -> Vec<IndicatorRule> {
        let rule = |code: &str, ru: &str, en: &str, event, threshold, window_days| IndicatorRule {
            code: code.into(),
            name_ru: ru.into(),
            name_en: en.into(),
            event,
            threshold,
            window_days,
        };
        vec![
            rule(
                "complaints_90",
                "2 и более подтверждённых обращения об объекте за 90 дней",
                "2 or more confirmed complaints about the object within 90 days",
                EventKind::ComplaintConfirmed,
                2,
                90,
            ),
            rule(
                "sensor_180",
                "3 и более превышения по датчику за 180 дней",
                "a sensor exceeds its limit 3 times within 180 days",
                EventKind::SensorExceedance,
                3,
                180,
            ),
            rule(
                "order_overdue",
                "срок предписания истёк без отчёта об исполнении",
                "an order's deadline passed without a report",
                EventKind::OrderOverdue,
                1,
                1,
            ),
        ]
    }

    pub fn validate(rules: &[IndicatorRule]) -> Result<(), IndicatorError> {
        let mut seen: Vec<&str> = Vec::new();
        for r in rules {
            let code_ok = !r.code.is_empty()
                && r.code.len() <= 64
                && r.code
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !code_ok || r.threshold == 0 || r.window_days == 0 || r.name_ru.trim().is_empty() {
                return Err(IndicatorError::Invalid(r.code.clone()));
            }
            if seen.contains(&r.code.as_str()) {
                return Err(IndicatorError::Duplicate(r.code.clone()));
            }
            seen.push(&r.code);
        }
        Ok(())
    }

    /// The first trigger among `events` (one object's events of this rule's kind, in date
    /// order), counting only events after `after` (the day of the rule's last trigger for the
    /// object: each trigger needs fresh events). Within `window_days` days means the first and
    /// the last counted event are fewer than `window_days` days apart: 90 days holds day 0 and
    /// day 89, not day 90.
    pub fn evaluate(&self, events: &[Event], after: Option<Date>) -> Option<Trigger> {
        let fresh: Vec<&Event> = events
            .iter()
            .filter(|e| after.is_none_or(|a| e.on > a))
            .collect();
        let need = usize::try_from(self.threshold).ok()?;
        let window = i64::from(self.window_days);
        let mut start = 0;
        for end in 0..fresh.len() {
            while (fresh[end].on - fresh[start].on).whole_days() >= window {
                start += 1;
            }
            if end + 1 - start >= need {
                return Some(Trigger {
                    on: fresh[end].on,
                    evidence: fresh[start..=end].iter().map(|e| e.id.clone()).collect(),
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn events(days: &[i64]) -> Vec<Event> {
        days.iter()
            .map(|d| Event {
                id: format!("e{d}"),
                on: date!(2026 - 01 - 01) + time::Duration::days(*d),
            })
            .collect()
    }

    fn rule(threshold: u32, window_days: u32) -> IndicatorRule {
        IndicatorRule {
            code: "t".into(),
            name_ru: "т".into(),
            name_en: "t".into(),
            event: EventKind::ComplaintConfirmed,
            threshold,
            window_days,
        }
    }

    #[test]
    fn fires_on_the_threshold_and_not_one_event_before() {
        let r = rule(2, 90);
        assert_eq!(r.evaluate(&events(&[0]), None), None, "one complaint");
        let t = r.evaluate(&events(&[0, 89]), None).unwrap();
        assert_eq!(t.on, date!(2026 - 03 - 31));
        assert_eq!(t.evidence, ["e0", "e89"]);
        assert_eq!(
            r.evaluate(&events(&[0, 90]), None),
            None,
            "90 days apart is outside"
        );
        let t = r.evaluate(&events(&[0, 90, 100]), None).unwrap();
        assert_eq!(t.evidence, ["e90", "e100"]);
    }

    #[test]
    fn sensors_three_times_within_180_days() {
        let r = IndicatorRule::defaults().remove(1);
        assert_eq!(r.evaluate(&events(&[0, 100]), None), None);
        assert_eq!(r.evaluate(&events(&[0, 100, 180]), None), None);
        let t = r.evaluate(&events(&[0, 100, 179]), None).unwrap();
        assert_eq!(t.evidence.len(), 3);
    }

    #[test]
    fn a_trigger_needs_fresh_events() {
        let r = rule(2, 90);
        let e = events(&[0, 10, 20]);
        let first = r.evaluate(&e, None).unwrap();
        assert_eq!(first.on, date!(2026 - 01 - 11));
        assert_eq!(r.evaluate(&e, Some(first.on)), None, "one fresh event only");
        let e = events(&[0, 10, 20, 30]);
        assert_eq!(
            r.evaluate(&e, Some(first.on)).unwrap().evidence,
            ["e20", "e30"]
        );
    }

    #[test]
    fn an_overdue_order_fires_at_once() {
        let r = IndicatorRule::defaults().remove(2);
        assert_eq!(r.evaluate(&[], None), None);
        assert!(r.evaluate(&events(&[5]), None).is_some());
    }

    #[test]
    fn rules_are_validated() {
        IndicatorRule::validate(&IndicatorRule::defaults()).unwrap();
        let mut twice = IndicatorRule::defaults();
        twice.push(twice[0].clone());
        assert!(matches!(
            IndicatorRule::validate(&twice),
            Err(IndicatorError::Duplicate(_))
        ));
        let zero = vec![rule(0, 90)];
        assert!(matches!(
            IndicatorRule::validate(&zero),
            Err(IndicatorError::Invalid(_))
        ));
    }
}
