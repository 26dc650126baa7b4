//! Risk-scored planning as the server keeps it: risk events, triggered indicators, category
//! proposals, inspector absences and annual plans.

use knd_shared::calendar::iso_date;
use knd_shared::{AgencyId, ObjectId, RecordId, RiskCategory, SubjectId, UserId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// The kinds of risk event (the CHECK of `risk_events.kind`): the indicators' kinds
/// (`knd_shared::planning::EventKind`) and the history the risk model and the plan read.
pub const EVENT_KINDS: [&str; 11] = [
    "complaint_confirmed",
    "sensor_exceedance",
    "order_overdue",
    "violation_found",
    "order_issued",
    "order_fulfilled",
    "planned_inspection",
    "preventive_visit",
    "self_assessment",
    "declaration",
    "activity_notice",
];

/// Something that happened to an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskEvent {
    pub id: Uuid,
    pub agency: AgencyId,
    pub object: ObjectId,
    pub kind: String,
    pub occurred_on: Date,
    /// An order's deadline; a declaration's last day.
    pub due_on: Option<Date>,
    /// An order fulfilled on time; a self-assessment that reached the threshold; a visit that
    /// counts towards ПП 1511's periodicity.
    pub passed: Option<bool>,
    pub source: String,
    pub note: String,
    pub recorded_at: OffsetDateTime,
}

/// The days the counts of [`ObjectFactsRow`] start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactsWindow {
    /// The agency's today.
    pub today: Date,
    /// 1 to 5 years back (`years_back[0]` is 12 months ago: complaints, indicators and
    /// self-assessments count from it; violations, overdue orders and remedies from the one of
    /// the model's `violation_years`).
    pub years_back: [Date; 5],
}

impl FactsWindow {
    /// The window on `today`: the same day 1 to 5 years back (ГК ст.192).
    pub fn on(today: Date) -> Self {
        let back = |n: i32| {
            today
                .replace_year(today.year() - n)
                .or_else(|_| {
                    today
                        .replace_day(28)
                        .and_then(|d| d.replace_year(d.year() - n))
                })
                .unwrap_or(today)
        };
        Self {
            today,
            years_back: [back(1), back(2), back(3), back(4), back(5)],
        }
    }
}

/// One object of a control type with what the risk model and the plan read of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectFactsRow {
    pub object: ObjectId,
    pub object_key: String,
    pub subject: SubjectId,
    pub control_type: Uuid,
    pub district: String,
    pub category: Option<RiskCategory>,
    pub decided_on: Option<Date>,
    pub attributes: String,
    /// Counts since 1 to 5 years back.
    pub violations: [u32; 5],
    pub unfulfilled_orders: [u32; 5],
    pub remedies_on_time: [u32; 5],
    pub confirmed_complaints: u32,
    pub indicators_triggered: u32,
    pub declaration_in_force: bool,
    pub self_assessment_passed: bool,
    pub last_planned_inspection: Option<Date>,
    pub last_counted_visit: Option<Date>,
    /// The latest notice of starting activity, and whether a visit followed it.
    pub activity_notice: Option<Date>,
    pub visited_after_notice: bool,
}

/// The window's days as ISO text: the stored history's dates compare as text, so a million
/// objects' events are counted without parsing each date.
#[derive(Debug, Clone)]
pub struct WindowText {
    today: String,
    years_back: [String; 5],
}

impl WindowText {
    pub fn new(w: &FactsWindow) -> Self {
        Self {
            today: iso_date::format(w.today),
            years_back: w.years_back.map(iso_date::format),
        }
    }
}

/// The later of two ISO dates.
fn latest<'a>(a: Option<&'a str>, b: &'a str) -> Option<&'a str> {
    Some(a.map_or(b, |a| a.max(b)))
}

fn day(text: Option<&str>) -> Result<Option<Date>, String> {
    text.map(|d| iso_date::parse(d).map_err(|_| format!("risk history date {d:?}")))
        .transpose()
}

impl ObjectFactsRow {
    /// Counts events — (kind, ISO day, ISO due day, passed) — into the facts over the window:
    /// violations, overdue orders and orders fulfilled on time since each of 1 to 5 years back
    /// (each control type's model takes its own window), complaints and passed
    /// self-assessments in 12 months, a declaration in force today, and the latest planned
    /// inspection, counted visit, notice and visit. The store counts each object's stored
    /// history with it, and the demo its generated events, so the two agree by construction.
    pub fn count_events<'a>(
        &mut self,
        events: impl IntoIterator<Item = (&'a str, &'a str, Option<&'a str>, bool)>,
        w: &WindowText,
    ) -> Result<(), String> {
        let since = |counts: &mut [u32; 5], on: &str| {
            for (n, from) in counts.iter_mut().zip(&w.years_back) {
                if on >= from.as_str() {
                    *n += 1;
                }
            }
        };
        let (year_ago, today) = (w.years_back[0].as_str(), w.today.as_str());
        let (mut planned, mut counted, mut notice, mut visit) = (None, None, None, None);
        for (kind, on, due, passed) in events {
            match kind {
                "violation_found" => since(&mut self.violations, on),
                "order_overdue" => since(&mut self.unfulfilled_orders, on),
                "order_fulfilled" if passed => since(&mut self.remedies_on_time, on),
                "complaint_confirmed" if on >= year_ago => self.confirmed_complaints += 1,
                "declaration" if on <= today && due.is_some_and(|d| d >= today) => {
                    self.declaration_in_force = true;
                }
                "self_assessment" if passed && on >= year_ago => {
                    self.self_assessment_passed = true;
                }
                "planned_inspection" => planned = latest(planned, on),
                "preventive_visit" => {
                    visit = latest(visit, on);
                    if passed {
                        counted = latest(counted, on);
                    }
                }
                "activity_notice" => notice = latest(notice, on),
                _ => {}
            }
        }
        self.last_planned_inspection = day(planned)?;
        self.last_counted_visit = day(counted)?;
        self.activity_notice = day(notice)?;
        self.visited_after_notice = matches!((notice, visit), (Some(n), Some(v)) if v > n);
        Ok(())
    }

    /// An object with no category, attributes or history yet: the counts are added to it.
    pub fn new(
        object: ObjectId,
        object_key: String,
        subject: SubjectId,
        control_type: Uuid,
    ) -> Self {
        Self {
            object,
            object_key,
            subject,
            control_type,
            district: String::new(),
            category: None,
            decided_on: None,
            attributes: "{}".into(),
            violations: [0; 5],
            unfulfilled_orders: [0; 5],
            confirmed_complaints: 0,
            indicators_triggered: 0,
            declaration_in_force: false,
            self_assessment_passed: false,
            remedies_on_time: [0; 5],
            last_planned_inspection: None,
            last_counted_visit: None,
            activity_notice: None,
            visited_after_notice: false,
        }
    }
}

/// A risk indicator that fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorTrigger {
    pub id: Uuid,
    pub agency: AgencyId,
    pub object: ObjectId,
    pub object_key: String,
    pub control_type: Uuid,
    pub rule_code: String,
    pub rule_name: String,
    pub triggered_on: Date,
    /// The ids of the events it counted.
    pub evidence: Vec<String>,
    pub recorded_at: OffsetDateTime,
    pub inspection: Option<Uuid>,
}

/// The state of a category proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Pending,
    Confirmed,
    Rejected,
    /// A later scoring proposed something else before anyone decided.
    Superseded,
}

impl ProposalStatus {
    pub const ALL: [ProposalStatus; 4] = [
        ProposalStatus::Pending,
        ProposalStatus::Confirmed,
        ProposalStatus::Rejected,
        ProposalStatus::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Pending => "pending",
            ProposalStatus::Confirmed => "confirmed",
            ProposalStatus::Rejected => "rejected",
            ProposalStatus::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A category the model proposes for an object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryProposal {
    pub id: Uuid,
    pub agency: AgencyId,
    pub object: ObjectId,
    pub object_key: String,
    pub control_type: Uuid,
    pub current: Option<RiskCategory>,
    pub proposed: RiskCategory,
    /// The model's explanation (`knd_shared::planning::Explanation` as JSON).
    pub explanation: serde_json::Value,
    pub proposed_on: Date,
    /// The last day to decide (5 working days, ст.24).
    pub due_on: Date,
    pub status: ProposalStatus,
    pub decided_by: Option<UserId>,
    pub decided_at: Option<OffsetDateTime>,
    pub reason: Option<String>,
    pub record: Option<RecordId>,
}

/// A planner's decision on a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalDecision {
    pub confirm: bool,
    pub by: UserId,
    pub reason: String,
    pub decided_on: Date,
    pub at: OffsetDateTime,
}

/// A day an inspector is away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    pub user: UserId,
    pub day: Date,
    pub reason: String,
}

/// The kind of an annual plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// Planned inspections (п.2 ч.1 ст.57).
    Inspections,
    /// Mandatory preventive visits (ст.52.1, ПП 1511).
    Visits,
}

impl PlanKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::Inspections => "inspections",
            PlanKind::Visits => "visits",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [PlanKind::Inspections, PlanKind::Visits]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Where a plan is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    /// Sent for the prosecutor's review.
    Sent,
    Approved,
    Published,
}

impl PlanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Sent => "sent",
            PlanStatus::Approved => "approved",
            PlanStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            PlanStatus::Draft,
            PlanStatus::Sent,
            PlanStatus::Approved,
            PlanStatus::Published,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// An annual plan's header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub id: Uuid,
    pub agency: AgencyId,
    pub year: i32,
    pub kind: PlanKind,
    pub status: PlanStatus,
    pub version: u32,
    /// Capacity, demand, the scheduled share and the load per inspector and month (JSON).
    pub summary: serde_json::Value,
    pub built_by: Option<UserId>,
    pub built_at: OffsetDateTime,
    pub sent_on: Option<Date>,
    pub approved_on: Option<Date>,
    pub approved_by: Option<String>,
    pub published_on: Option<Date>,
    /// The server-signed record of the approval.
    pub record: Option<RecordId>,
}

/// The state of a plan entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    Planned,
    LeftOut,
    /// Removed by an amendment.
    Removed,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Planned => "planned",
            EntryStatus::LeftOut => "left_out",
            EntryStatus::Removed => "removed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            EntryStatus::Planned,
            EntryStatus::LeftOut,
            EntryStatus::Removed,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One entry of a plan: an inspection of a subject's due objects of one control type, or a
/// preventive visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanEntry<W = serde_json::Value> {
    pub no: u32,
    pub subject: SubjectId,
    pub control_type: Uuid,
    pub objects: Vec<ObjectId>,
    pub category: RiskCategory,
    pub kind: knd_shared::InspectionKind,
    pub district: String,
    pub status: EntryStatus,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub inspectors: Vec<UserId>,
    /// Why this object, why this date, why these inspectors; or why left out: JSON as read,
    /// already written out as JSON text in a new draft (`PlanEntry<String>`), so a plan of
    /// 150,000 entries is not held as 150,000 JSON trees while it is stored.
    pub why: W,
    pub inspection: Option<Uuid>,
}

/// An entry's reasons as the store writes them.
pub trait WhyJson {
    fn json(&self) -> Result<std::borrow::Cow<'_, str>, serde_json::Error>;
}

impl WhyJson for serde_json::Value {
    fn json(&self) -> Result<std::borrow::Cow<'_, str>, serde_json::Error> {
        serde_json::to_string(self).map(std::borrow::Cow::Owned)
    }
}

impl WhyJson for String {
    fn json(&self) -> Result<std::borrow::Cow<'_, str>, serde_json::Error> {
        Ok(std::borrow::Cow::Borrowed(self))
    }
}

/// One amendment of an approved plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanAmendment {
    pub plan: Uuid,
    pub version: u32,
    pub entry: u32,
    pub change: serde_json::Value,
    pub reason: String,
    pub made_by: Option<UserId>,
    pub made_at: OffsetDateTime,
    pub record: RecordId,
}

/// One version of a control type's rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesVersion {
    pub version: u32,
    pub rules: serde_json::Value,
    /// As the audit log names them.
    pub changed_by: String,
    pub changed_at: OffsetDateTime,
    pub reason: String,
}
