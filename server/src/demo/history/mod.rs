//! Five years of an object's history, as an earlier system would hand it over (the risk events
//! CSV of `services::risk_events::import_csv`): planned inspections by the category's
//! periodicity, violations found at some of them and at unplanned inspections after confirmed
//! complaints or sensor exceedances, orders with their deadlines fulfilled on time or overdue,
//! self-assessments and declarations of conscientious subjects, preventive visits, and the
//! notice of a new object's start.
//!
//! The object's category is then what the risk model of its control type gives on these facts
//! as of the demo's today (`facts.rs` counts them as the server does), except for about 1.5 % of
//! objects that received new information after their last decision: they keep the category of
//! that decision, so that scoring proposes a realistic handful of changes.
//!
//! Everything is drawn from the object's own random stream: the same seed and today give the
//! same history, however the registry is cut into chunks.

pub mod attributes;
mod conduct;
pub mod facts;
mod visits;

use knd_shared::RiskCategory;
use knd_shared::calendar::{period_end_months, period_end_years};
use knd_shared::planning::{ObjectFacts, RiskModel};
use knd_shared::registry::{ControlTypeRules, SizeClass};
use time::{Date, Duration, Weekday};

use super::data::{ControlTypeData, RiskReasons};
use super::rng::Rng;
pub use attributes::Attributes;
pub use conduct::Conduct;
use facts::Counting;

/// The kinds of risk event the demo's history uses (`model::planning::EVENT_KINDS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    ActivityNotice,
    PlannedInspection,
    ComplaintConfirmed,
    SensorExceedance,
    ViolationFound,
    OrderIssued,
    OrderFulfilled,
    OrderOverdue,
    SelfAssessment,
    Declaration,
    PreventiveVisit,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::ActivityNotice,
        Kind::PlannedInspection,
        Kind::ComplaintConfirmed,
        Kind::SensorExceedance,
        Kind::ViolationFound,
        Kind::OrderIssued,
        Kind::OrderFulfilled,
        Kind::OrderOverdue,
        Kind::SelfAssessment,
        Kind::Declaration,
        Kind::PreventiveVisit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ActivityNotice => "activity_notice",
            Kind::PlannedInspection => "planned_inspection",
            Kind::ComplaintConfirmed => "complaint_confirmed",
            Kind::SensorExceedance => "sensor_exceedance",
            Kind::ViolationFound => "violation_found",
            Kind::OrderIssued => "order_issued",
            Kind::OrderFulfilled => "order_fulfilled",
            Kind::OrderOverdue => "order_overdue",
            Kind::SelfAssessment => "self_assessment",
            Kind::Declaration => "declaration",
            Kind::PreventiveVisit => "preventive_visit",
        }
    }
}

/// One event of an object's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEvent {
    pub kind: Kind,
    pub occurred_on: Date,
    /// An order's deadline; a declaration's last day.
    pub due_on: Option<Date>,
    /// An order fulfilled on time; a self-assessment that reached the threshold; a visit counted
    /// towards ПП 1511's periodicity.
    pub passed: Option<bool>,
    pub note: String,
}

impl HistoryEvent {
    fn new(kind: Kind, occurred_on: Date, note: impl Into<String>) -> Self {
        Self {
            kind,
            occurred_on,
            due_on: None,
            passed: None,
            note: note.into(),
        }
    }

    fn due(mut self, on: Date) -> Self {
        self.due_on = Some(on);
        self
    }

    fn passed(mut self, passed: bool) -> Self {
        self.passed = Some(passed);
        self
    }
}

/// What one object's history is drawn from.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub activity: &'a str,
    pub size: SizeClass,
    pub conduct: Conduct,
    pub control_type: &'a ControlTypeData,
    pub rules: &'a ControlTypeRules,
    pub model: &'a RiskModel,
}

/// An object's generated history and the category decision it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub attributes: Attributes,
    /// Oldest first.
    pub events: Vec<HistoryEvent>,
    /// The category the risk model gives on the events as of today.
    pub modelled: RiskCategory,
    /// The object's category (none: never decided, counts as low).
    pub category: Option<RiskCategory>,
    /// The last category decision: its date and reasons (ч.1 ст.23).
    pub decision: Option<(Date, String)>,
    /// New information arrived after the decision: the category is the old one.
    pub perturbed: bool,
}

/// Per mille of objects with new information since their last decision.
const NEW_INFORMATION_PER_MILLE: u64 = 15;
/// Percent of objects that started within the last two years (a notice of starting activity).
const NEW_OBJECTS_PERCENT: u64 = 3;
/// Percent of low-risk objects that were never given a category (ч.7 ст.23: they count as low).
const UNDECIDED_PERCENT: u64 = 3;

/// The working day (Monday to Friday) on or after `d`: the history's years are older than the
/// production calendar the server ships, so public holidays are not avoided.
fn weekday(d: Date) -> Date {
    match d.weekday() {
        Weekday::Saturday => d + Duration::days(2),
        Weekday::Sunday => d + Duration::days(1),
        _ => d,
    }
}

fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// A day between `from` and `to` (both included; `from` when the range is empty).
fn between(rng: &mut Rng, from: Date, to: Date) -> Date {
    let span = (to - from).whole_days().max(0);
    from + days(rng.range(0, span))
}

/// Draws one object's history on `counting`'s today.
pub fn generate(
    rng: &mut Rng,
    place: &Place<'_>,
    counting: &Counting,
    reasons: &RiskReasons,
) -> History {
    let today = counting.window.today;
    let attributes = attributes::draw(rng, place.activity, place.size);
    let json = attributes.to_json();
    let opened = rng
        .chance(NEW_OBJECTS_PERCENT)
        .then(|| today - days(rng.range(20, 730)));
    let from = opened.unwrap_or(counting.window.years_back[4]);
    let severity = place
        .model
        .score(&ObjectFacts {
            attributes: json.clone(),
            ..ObjectFacts::default()
        })
        .severity_class;
    let mut g = Drawing {
        rng,
        place,
        today,
        from,
        events: Vec::new(),
    };
    if let Some(on) = opened {
        g.push(HistoryEvent::new(
            Kind::ActivityNotice,
            on,
            "уведомление о начале осуществления деятельности",
        ));
    }
    g.planned_inspections(severity);
    g.complaints_and_sensors(severity, attributes.hazardous_facility_class.is_some());
    g.self_assessments();

    let decided_on = match opened {
        Some(on) => weekday(on + days(g.rng.range(5, 15))).min(today),
        None => weekday(today - days(g.rng.range(365, 6 * 365))),
    };
    let facts_now = facts::facts(json.clone(), &g.events, place.rules, place.model, counting);
    let now = place.model.score(&facts_now);
    let mut decided = (now.category, facts::reason(&now, &facts_now, reasons));
    let mut perturbed = false;
    if g.rng.below(1000) < NEW_INFORMATION_PER_MILLE {
        if let Some(before) = g.new_information(decided_on, &json, counting, reasons) {
            decided = before;
            perturbed = true;
        }
    }
    let modelled = if perturbed {
        let f = facts::facts(json, &g.events, place.rules, place.model, counting);
        place.model.score(&f).category
    } else {
        now.category
    };
    let category = place.rules.effective_category(Some(decided.0));
    g.visits(category, decided_on, opened);
    g.events.sort_by_key(|e| (e.occurred_on, e.kind));
    let undecided = category == RiskCategory::Low && !perturbed && g.rng.chance(UNDECIDED_PERCENT);
    History {
        attributes,
        events: g.events,
        modelled,
        category: (!undecided).then_some(category),
        decision: (!undecided).then_some((decided_on, decided.1)),
        perturbed,
    }
}

/// The state of one object's drawing.
struct Drawing<'r, 'p> {
    rng: &'r mut Rng,
    place: &'p Place<'p>,
    today: Date,
    /// The history starts here: five years back, or the day a new object started.
    from: Date,
    events: Vec<HistoryEvent>,
}

impl Drawing<'_, '_> {
    fn push(&mut self, e: HistoryEvent) {
        if e.occurred_on <= self.today && e.occurred_on >= self.from {
            self.events.push(e);
        }
    }

    /// Planned inspections every N years of the category the object had in those years.
    fn planned_inspections(&mut self, severity: u8) {
        let model = self.place.model;
        let p = self.place.conduct.prior_probability(self.rng);
        let prior = model
            .matrix
            .get(usize::from(severity.max(1)) - 1)
            .and_then(|row| row.get(p.min(row.len()) - 1))
            .copied()
            .unwrap_or(RiskCategory::Low);
        let Some(every) = self
            .place
            .rules
            .periodicity
            .get(&prior)
            .and_then(|p| p.inspection_every_years)
        else {
            return;
        };
        let period = i64::from(every) * 365;
        let mut on = self.today - days(self.rng.range(20, period - 10));
        while on >= self.from + days(20) {
            let day = weekday(on);
            self.push(HistoryEvent::new(
                Kind::PlannedInspection,
                day,
                format!("плановая проверка (категория «{}»)", prior.name_ru()),
            ));
            self.inspection_outcome(day, true);
            on -= days(period + self.rng.range(-15, 15));
        }
    }

    /// Complaints (more for riskier lines of business and worse conduct) and, at hazardous
    /// facilities, sensor exceedances; a run of them brings an unplanned inspection.
    fn complaints_and_sensors(&mut self, severity: u8, hazardous: bool) {
        let base = match self.place.activity {
            "food" => 0.44,
            "hospitality" => 0.38,
            "grocery" => 0.36,
            "retail" => 0.28,
            "industry" => 0.24,
            _ => 0.24,
        };
        let per_year =
            base * self.place.conduct.complaint_factor() * (1.0 + 0.05 * f64::from(severity - 1));
        let per_quarter = (per_year / 4.0 * 1000.0) as u64;
        let mut quarter = self.from;
        while quarter <= self.today {
            if hazardous && self.rng.chance(9) {
                // A single exceedance now and then: a sensor at its limit.
                let on = quarter + days(self.rng.range(0, 90));
                self.push(HistoryEvent::new(
                    Kind::SensorExceedance,
                    on,
                    "превышение по датчику",
                ));
            }
            if self.rng.below(1000) < per_quarter {
                let start = quarter + days(self.rng.range(0, 90));
                if hazardous && self.rng.chance(40) {
                    self.sensor_episode(start);
                } else {
                    self.complaint_episode(start);
                }
            }
            quarter += days(91);
        }
    }

    fn complaint_episode(&mut self, start: Date) {
        let n = [1, 2, 3][self.rng.weighted(&[86, 12, 2])];
        let mut on = start;
        for i in 0..n {
            if i > 0 {
                on += days(self.rng.range(10, 70));
            }
            self.push(HistoryEvent::new(
                Kind::ComplaintConfirmed,
                on,
                "обращение подтверждено",
            ));
        }
        let inspected = weekday(on + days(self.rng.range(7, 30)));
        if inspected <= self.today {
            self.inspection_outcome(inspected, false);
        }
    }

    fn sensor_episode(&mut self, start: Date) {
        let n = self.rng.range(1, 4);
        let mut on = start;
        for i in 0..n {
            if i > 0 {
                on += days(self.rng.range(10, 55));
            }
            self.push(HistoryEvent::new(
                Kind::SensorExceedance,
                on,
                "превышение по датчику",
            ));
        }
        if n >= 3 {
            let inspected = weekday(on + days(self.rng.range(5, 20)));
            if inspected <= self.today {
                self.inspection_outcome(inspected, false);
            }
        }
    }

    /// What an inspection on `on` found: violations, then an order with its deadline (п.1 ч.2
    /// ст.90), kept on time or not.
    fn inspection_outcome(&mut self, on: Date, planned: bool) {
        let conduct = self.place.conduct;
        if self.rng.below(1000) >= conduct.violations_found(planned) {
            return;
        }
        let n = self.rng.range(1, conduct.most_violations());
        let control_type = self.place.control_type;
        let requirements = &control_type.requirements;
        for _ in 0..n {
            let r = &requirements[self.rng.index(requirements.len())];
            self.push(HistoryEvent::new(
                Kind::ViolationFound,
                on,
                format!("{}: {}", r.code, r.article),
            ));
        }
        let months = self.rng.range(1, 6) as u32;
        let Some(deadline) = period_end_months(on, months).map(weekday) else {
            return;
        };
        self.push(
            HistoryEvent::new(
                Kind::OrderIssued,
                on,
                format!("предписание об устранении {n} нарушений"),
            )
            .due(deadline),
        );
        if deadline >= self.today {
            return; // the deadline has not passed yet
        }
        if self.rng.chance(conduct.orders_on_time()) {
            let span = (deadline - on).whole_days();
            let done = deadline - days(self.rng.range(0, span / 2));
            self.push(
                HistoryEvent::new(
                    Kind::OrderFulfilled,
                    done,
                    "отчёт об исполнении предписания",
                )
                .passed(true),
            );
        } else {
            self.push(HistoryEvent::new(
                Kind::OrderOverdue,
                deadline + days(1),
                "срок исполнения предписания истёк",
            ));
            if self.rng.chance(55) {
                let late = deadline + days(self.rng.range(5, 90));
                self.push(
                    HistoryEvent::new(
                        Kind::OrderFulfilled,
                        late,
                        "предписание исполнено с опозданием",
                    )
                    .passed(false),
                );
            }
        }
    }

    /// Self-assessments about once a year, and a declaration of compliance after a passed one
    /// (ст.51: valid one year), unless violations were found in the year before.
    fn self_assessments(&mut self) {
        let (runs, passes) = self.place.conduct.self_assessment();
        if !self.rng.chance(runs) {
            return;
        }
        let mut on = self.today - days(self.rng.range(30, 3 * 365));
        while on <= self.today {
            let passed = self.rng.chance(passes);
            self.push(
                HistoryEvent::new(Kind::SelfAssessment, on, "самообследование").passed(passed),
            );
            let filed = on + days(self.rng.range(3, 25));
            let recent_violation = self.events.iter().any(|e| {
                e.kind == Kind::ViolationFound
                    && e.occurred_on <= filed
                    && filed - e.occurred_on < days(365)
            });
            if passed && self.rng.chance(65) && !recent_violation {
                if let Some(last) = period_end_years(filed, 1) {
                    self.push(
                        HistoryEvent::new(
                            Kind::Declaration,
                            filed,
                            "декларация соблюдения обязательных требований",
                        )
                        .due(last),
                    );
                }
            }
            on += days(self.rng.range(330, 400));
        }
    }

    /// New information after the decision on `decided_on` that changes the model's category:
    /// confirmed complaints and a violation found (up), or a declaration filed (down). Returns
    /// the category and reasons of the decision (as before the information), or `None` (the
    /// events left as they were) when nothing tried changes the category.
    fn new_information(
        &mut self,
        decided_on: Date,
        json: &serde_json::Value,
        counting: &Counting,
        reasons: &RiskReasons,
    ) -> Option<(RiskCategory, String)> {
        let lo = (decided_on + days(1)).max(self.today - days(120));
        if lo > self.today {
            return None;
        }
        let place = self.place;
        let score = |events: &[HistoryEvent]| {
            let f = facts::facts(json.clone(), events, place.rules, place.model, counting);
            let e = place.model.score(&f);
            (e.category, facts::reason(&e, &f, reasons))
        };
        let before = score(&self.events);
        let kept = self.events.len();
        if self.rng.chance(20) {
            let on = between(self.rng, lo, self.today);
            self.events
                .push(HistoryEvent::new(Kind::SelfAssessment, on, "самообследование").passed(true));
            if let Some(last) = period_end_years(on, 1) {
                self.events.push(
                    HistoryEvent::new(
                        Kind::Declaration,
                        on,
                        "декларация соблюдения обязательных требований",
                    )
                    .due(last),
                );
            }
            if score(&self.events).0 != before.0 {
                return Some(before);
            }
            self.events.truncate(kept);
        }
        for step in 0..4 {
            let on = between(self.rng, lo, self.today);
            let e = if step % 2 == 0 {
                HistoryEvent::new(Kind::ComplaintConfirmed, on, "обращение подтверждено")
            } else {
                let requirements = &place.control_type.requirements;
                let r = &requirements[self.rng.index(requirements.len())];
                HistoryEvent::new(
                    Kind::ViolationFound,
                    on,
                    format!("{}: {}", r.code, r.article),
                )
            };
            self.events.push(e);
            if score(&self.events).0 != before.0 {
                return Some(before);
            }
        }
        self.events.truncate(kept);
        None
    }
}

#[cfg(test)]
mod tests;
