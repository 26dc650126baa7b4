//! The registry of record kinds and their bodies (DESIGN.md section 4).
//!
//! Envelope verification ([`super::verify`]) does not look inside `body`; [`check_body`] does, for
//! the server's `invalid_body` reason and for the app before it signs. Bodies may carry members
//! this version does not know (a newer app may add some), so unknown members are kept and allowed.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::Date;

use crate::calendar::iso_date;
use crate::ids::{DeviceId, InspectionId, ObjectId, RecordId, UserId};
use crate::keys::{PublicKey, Sha256};
use crate::record::Timestamp;
use crate::subject::Inn;

macro_rules! kinds {
    ($($variant:ident => $name:literal: $body:ty),* $(,)?) => {
        /// Every kind a v1 record may have.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum RecordKind {
            $($variant,)*
        }

        impl RecordKind {
            /// All kinds.
            pub const ALL: &'static [RecordKind] = &[$(RecordKind::$variant,)*];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RecordKind::$variant => $name,)*
                }
            }

            /// Kinds only the server's own chain may sign (agency decisions, enrollment).
            pub fn signed_by_server(self) -> bool {
                matches!(
                    self,
                    RecordKind::DeviceEnrolled
                        | RecordKind::RiskCategoryDecided
                        | RecordKind::PlanApproved
                        | RecordKind::PlanAmended
                        | RecordKind::FilingReceived
                        | RecordKind::FilingDecided
                )
            }

            /// Kinds only a controlled person's filing key signs (never a device, never the
            /// server): what a business files in its own chain.
            pub fn signed_by_business(self) -> bool {
                matches!(self, RecordKind::BusinessFiling)
            }

            /// Kinds an inspector's device signs: neither the server's nor a business's.
            pub fn signed_by_device(self) -> bool {
                !self.signed_by_server() && !self.signed_by_business()
            }

            /// Parses a wire name.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($name => Some(RecordKind::$variant),)*
                    _ => None,
                }
            }

            fn check(self, body: &Map<String, Value>) -> Result<(), BodyError> {
                match self {
                    $(RecordKind::$variant => typed::<$body>(self, body),)*
                }
            }
        }
    };
}

kinds! {
    InspectionStarted => "inspection_started": InspectionStarted,
    Finding => "finding": Finding,
    Photo => "photo": Photo,
    Warning => "warning": Warning,
    Act => "act": Act,
    Order => "order": Order,
    PreventiveVisit => "preventive_visit": PreventiveVisit,
    Note => "note": Note,
    Correction => "correction": Correction,
    InspectionFinished => "inspection_finished": InspectionFinished,
    Interaction => "interaction": Interaction,
    DeviceEnrolled => "device_enrolled": DeviceEnrolled,
    RiskCategoryDecided => "risk_category_decided": RiskCategoryDecided,
    PlanApproved => "plan_approved": PlanApproved,
    PlanAmended => "plan_amended": PlanAmended,
    FilingReceived => "filing_received": FilingReceived,
    FilingDecided => "filing_decided": FilingDecided,
    BusinessFiling => "business_filing": BusinessFiling,
}

/// Why a record's body does not fit its kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("unknown record kind {0:?}")]
    UnknownKind(String),
    #[error("invalid {kind} body: {message}")]
    Invalid { kind: &'static str, message: String },
}

/// Checks `body` against the registry entry for `kind`.
pub fn check_body(kind: &str, body: &Map<String, Value>) -> Result<RecordKind, BodyError> {
    let k = RecordKind::parse(kind).ok_or_else(|| BodyError::UnknownKind(kind.to_owned()))?;
    k.check(body)?;
    Ok(k)
}

/// Reads a body as its typed form.
pub fn decode_body<T: DeserializeOwned>(body: &Map<String, Value>) -> serde_json::Result<T> {
    T::deserialize(body)
}

fn typed<T: DeserializeOwned>(
    kind: RecordKind,
    body: &Map<String, Value>,
) -> Result<(), BodyError> {
    decode_body::<T>(body)
        .map(drop)
        .map_err(|e| BodyError::Invalid {
            kind: kind.as_str(),
            message: e.to_string(),
        })
}

/// Position as degrees × 10^7 (integers: records carry no floats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub lat_e7: i64,
    pub lon_e7: i64,
}

/// The inspector arrived and began the inspection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionStarted {
    pub inspection: InspectionId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectId>,
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// Outcome of one checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingResult {
    Compliant,
    Violation,
    NotApplicable,
}

/// The answer to one checklist item (проверочный лист, ПП 1844).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub inspection: InspectionId,
    /// The checklist item's code.
    pub item: String,
    pub result: FindingResult,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// SHA-256 of the photos attached (each has its own `photo` record).
    #[serde(default)]
    pub photos: Vec<Sha256>,
}

/// Where a photo's time or position came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetadataSource {
    Exif,
    Device,
}

/// A photo taken as evidence; the blob itself travels separately, addressed by `sha256`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Photo {
    pub inspection: InspectionId,
    pub sha256: Sha256,
    pub bytes: u64,
    pub mime: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_source: Option<MetadataSource>,
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_source: Option<MetadataSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// What the device found wrong with the photo when it was added, each warning shown to the
    /// inspector, who chose to keep the photo (absent from photos without any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<PhotoWarning>,
}

/// Why a photo may mislead, as the device found when it was added (DESIGN.md section 8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PhotoWarning {
    /// The image does not decode cleanly (`reason`: the decoder's words): parts of it may be
    /// grey or garbled.
    Damaged { reason: String },
    /// The time the photo's own metadata gives is outside the inspection's dates.
    TakenOutsideDates {
        taken_at: Timestamp,
        #[serde(with = "iso_date")]
        from: Date,
        #[serde(with = "iso_date")]
        to: Date,
    },
    /// The photo's position is farther than [`FAR_FROM_OBJECT_M`] from every object of the
    /// inspection; `object` is the nearest one's key.
    FarFromObject { distance_m: u64, object: String },
    /// A warning a newer app added that this version does not know.
    #[serde(other)]
    Other,
}

/// How far from the inspected object (metres) a photo's position may be before it is flagged.
pub const FAR_FROM_OBJECT_M: u64 = 1_000;

/// A proposed measure, with the date it is proposed by if the warning gives one (ст.49: a date
/// per measure is optional). Warnings signed before the date became optional always carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub what: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "iso_date::option"
    )]
    pub by: Option<Date>,
}

/// A mandatory requirement as a document cites it: the requirement, its legal act and the
/// structural unit (article, point) of that act (ст.49, ст.87, ст.90).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitedRequirement {
    /// The requirement's code or wording.
    pub requirement: String,
    /// The legal act, e.g. `Правила противопожарного режима (ПП РФ от 16.09.2020 № 1479)`.
    pub legal_act: String,
    /// Its structural unit, e.g. `п.60`.
    pub unit: String,
}

/// A requirement named by a warning: cited in full (the shape the app signs now), or a single
/// reference string (warnings signed before, which stay valid and readable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WarningRequirement {
    Cited(CitedRequirement),
    Reference(String),
}

/// A warning about the inadmissibility of a violation (ст.49): names each requirement with its
/// legal act and structural unit, the conduct that may lead to a violation (`text`), and at least
/// one proposed measure; it demands no documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub subject: Inn,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<InspectionId>,
    pub requirements: Vec<WarningRequirement>,
    pub text: String,
    #[serde(default)]
    pub measures: Vec<Measure>,
}

/// What a document lacks of the contents the law requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ContentsError(pub String);

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl CitedRequirement {
    fn check(&self, n: usize) -> Result<(), ContentsError> {
        if blank(&self.requirement) || blank(&self.legal_act) || blank(&self.unit) {
            return Err(ContentsError(format!(
                "требование {n}: укажите требование, нормативный акт и его структурную единицу (статью, пункт) / requirement {n}: give the requirement, its legal act and the structural unit (article, point)"
            )));
        }
        Ok(())
    }
}

impl Warning {
    /// The contents ст.49 requires of a warning signed now: at least one requirement, each
    /// cited with its legal act and structural unit, the conduct described, and at least one
    /// proposed measure. Warnings signed in the old shape are not held to it.
    pub fn check_contents(&self) -> Result<(), ContentsError> {
        if self.requirements.is_empty() {
            return Err(ContentsError(
                "укажите хотя бы одно обязательное требование / name at least one mandatory requirement".into(),
            ));
        }
        for (i, r) in self.requirements.iter().enumerate() {
            match r {
                WarningRequirement::Cited(c) => c.check(i + 1)?,
                WarningRequirement::Reference(_) => {
                    return Err(ContentsError(format!(
                        "требование {}: нужны требование, нормативный акт и структурная единица / requirement {}: needs the requirement, legal act and structural unit",
                        i + 1,
                        i + 1
                    )));
                }
            }
        }
        if blank(&self.text) {
            return Err(ContentsError(
                "опишите действия (бездействие), которые могут привести к нарушению / describe the conduct that may lead to a violation".into(),
            ));
        }
        if self.measures.is_empty() || self.measures.iter().any(|m| blank(&m.what)) {
            return Err(ContentsError(
                "предложите хотя бы одну меру по обеспечению соблюдения требований / propose at least one measure to ensure compliance".into(),
            ));
        }
        Ok(())
    }
}

/// A violated requirement as the act names it (ст.87: each requirement with its legal act and
/// structural unit, and whether it was remedied during the inspection). `unit` and `remedied`
/// are absent from acts signed before they were added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    pub requirement: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_act: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<RecordId>,
    /// Remedied during the inspection (ст.87 ч.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedied: Option<bool>,
}

/// Someone present when the act was drawn up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub role: String,
}

/// What the controlled person did with the act (ст.88).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acknowledgement {
    Acknowledged,
    Refused,
    Absent,
}

/// The inspection act (ст.87), drawn up on the spot on the day the inspection ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Act {
    pub inspection: InspectionId,
    pub summary: String,
    /// The `finding` records the act rests on.
    pub findings: Vec<RecordId>,
    pub violations: Vec<Violation>,
    pub present: Vec<Person>,
    pub acknowledgement: Acknowledgement,
    /// The inspection's number in the unified register of control measures (ЕРКНМ, ПП 604).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erknm: Option<String>,
    /// The checklist items not checked, each with the reason: the act lists them, so it never
    /// reads as compliance with what was not looked at.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_checked: Vec<NotChecked>,
}

/// A checklist item the inspector did not check, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotChecked {
    /// The checklist item's code.
    pub item: String,
    pub reason: String,
}

impl Act {
    /// The contents ст.87 requires of an act signed now: every violation names its legal act and
    /// structural unit and says whether it was remedied during the inspection.
    pub fn check_contents(&self) -> Result<(), ContentsError> {
        for (i, v) in self.violations.iter().enumerate() {
            let n = i + 1;
            if blank(&v.requirement)
                || v.legal_act.as_deref().is_none_or(blank)
                || v.unit.as_deref().is_none_or(blank)
            {
                return Err(ContentsError(format!(
                    "нарушение {n}: укажите требование, нормативный акт и его структурную единицу / violation {n}: give the requirement, its legal act and the structural unit"
                )));
            }
            if v.remedied.is_none() {
                return Err(ContentsError(format!(
                    "нарушение {n}: укажите, устранено ли оно в ходе проверки / violation {n}: say whether it was remedied during the inspection"
                )));
            }
        }
        for n in &self.not_checked {
            if blank(&n.item) || blank(&n.reason) {
                return Err(ContentsError(format!(
                    "пункт «{}» не проверен: укажите причину / item «{}» was not checked: give the reason",
                    n.item, n.item
                )));
            }
        }
        Ok(())
    }
}

/// One violation to remedy, with its legal act and structural unit and its deadline. The legal
/// act and unit are absent from orders signed before they were added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remedy {
    pub requirement: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_act: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub measure: String,
    #[serde(with = "iso_date")]
    pub deadline: Date,
}

/// A remediation order (предписание, п.1 ч.2 ст.90): issued after the act, naming it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub inspection: InspectionId,
    pub subject: Inn,
    /// The act's record (absent from orders signed before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<RecordId>,
    pub remedies: Vec<Remedy>,
}

impl Order {
    /// The contents п.1 ч.2 ст.90 requires of an order signed now, on `issued_on` (the agency's
    /// local date): it names the act, has at least one remedy, and each remedy names its legal
    /// act and structural unit and has a deadline later than the order's date.
    pub fn check_contents(&self, issued_on: Date) -> Result<(), ContentsError> {
        if self.act.is_none() {
            return Err(ContentsError(
                "предписание выдаётся по акту и ссылается на него / an order follows the act and names it".into(),
            ));
        }
        if self.remedies.is_empty() {
            return Err(ContentsError(
                "в предписании нет ни одного нарушения / the order lists no violation".into(),
            ));
        }
        for (i, r) in self.remedies.iter().enumerate() {
            let n = i + 1;
            if blank(&r.requirement)
                || blank(&r.measure)
                || r.legal_act.as_deref().is_none_or(blank)
                || r.unit.as_deref().is_none_or(blank)
            {
                return Err(ContentsError(format!(
                    "пункт {n}: укажите требование, нормативный акт, структурную единицу и меру / item {n}: give the requirement, legal act, structural unit and measure"
                )));
            }
            if r.deadline <= issued_on {
                return Err(ContentsError(format!(
                    "пункт {n}: срок {} должен быть позже даты предписания {} / item {n}: the deadline {} must be later than the order's date {}",
                    iso_date::format(r.deadline),
                    iso_date::format(issued_on),
                    iso_date::format(r.deadline),
                    iso_date::format(issued_on),
                )));
            }
        }
        Ok(())
    }
}

/// A preventive visit (ст.52) and what was discussed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreventiveVisit {
    pub subject: Inn,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectId>,
    #[serde(default)]
    pub mandatory: bool,
    pub summary: String,
    /// The planned visit (a measure of kind `preventive_visit`) this record concludes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<InspectionId>,
    /// The subject refused the visit: only one that is not mandatory may be refused (ст.52.1,
    /// as the planning issue reads it); `summary` then says so in the inspector's words.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refused: bool,
}

impl PreventiveVisit {
    /// What a visit's record must say: a summary, and no refusal of a mandatory visit.
    pub fn check_contents(&self) -> Result<(), ContentsError> {
        if blank(&self.summary) {
            return Err(ContentsError(
                "опишите, что обсуждалось на визите, или отказ от него / summarise what the visit discussed, or the refusal".into(),
            ));
        }
        if self.refused && self.mandatory {
            return Err(ContentsError(
                "от обязательного профилактического визита отказаться нельзя (ст.52.1 248-ФЗ) / a mandatory preventive visit cannot be refused (ст.52.1 248-FZ)".into(),
            ));
        }
        Ok(())
    }
}

/// A free-text note attached to an inspection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<InspectionId>,
    pub text: String,
}

/// Supersedes an earlier record of the same device: signed records are never edited in place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub supersedes: RecordId,
    pub reason: String,
    /// The corrected body of the superseded record's kind, in full.
    pub body: Map<String, Value>,
}

/// The inspector finished the inspection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionFinished {
    pub inspection: InspectionId,
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// One interval of on-site interaction with a controlled person (ст.73: at most 50 hours in a
/// field check of a small enterprise, 15 of a micro enterprise). `subject` names the person
/// when the measure concerns several (a raid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    pub inspection: InspectionId,
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Inn>,
}

impl Interaction {
    /// The interval's length in whole minutes; `None` when it ends before it starts.
    pub fn minutes(&self) -> Option<u32> {
        let d = self.ended_at.as_datetime() - self.started_at.as_datetime();
        if d.is_negative() {
            return None;
        }
        u32::try_from(d.whole_minutes()).ok()
    }
}

/// Server chain: a device was enrolled with this key, so its records may be trusted as its own.
/// A tablet is enrolled for its inspector (`user`); a controlled person's filing key for the
/// subject (`subject`), and then signs only `business_filing` records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceEnrolled {
    pub device: DeviceId,
    pub public_key: PublicKey,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Inn>,
}

/// One factor of a risk category decision, as the model counted it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedFactor {
    pub factor: String,
    pub value: u32,
    pub counted: u32,
    pub weight: i32,
    pub points: i32,
}

/// Server chain: a planner confirmed an object's risk category (ч.1 ст.23, ст.24), with the
/// model's explanation factor by factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskCategoryDecided {
    pub object: ObjectId,
    pub object_key: String,
    pub control_type: String,
    pub category: crate::domain::RiskCategory,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<crate::domain::RiskCategory>,
    #[serde(with = "iso_date")]
    pub decided_on: Date,
    pub decided_by: UserId,
    pub reason: String,
    pub severity_class: u8,
    pub probability_class: u8,
    pub points: i64,
    pub factors: Vec<DecidedFactor>,
    pub explanation_ru: String,
    pub explanation_en: String,
}

/// Server chain: an annual plan approved. `entries_sha256` is the SHA-256 of the plan's entries
/// as canonical JSON (RFC 8785), so an exported plan can be checked against the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanApproved {
    pub plan: uuid::Uuid,
    pub year: i32,
    pub kind: String,
    pub version: u32,
    #[serde(with = "iso_date")]
    pub approved_on: Date,
    pub approved_by: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "iso_date::option"
    )]
    pub sent_on: Option<Date>,
    pub entries: u32,
    pub entries_sha256: Sha256,
}

/// Server chain: an approved plan amended (one entry moved, reassigned or removed), with the
/// reason and the entries' hash after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanAmended {
    pub plan: uuid::Uuid,
    pub year: i32,
    pub kind: String,
    pub version: u32,
    pub entry: u32,
    pub change: String,
    pub reason: String,
    pub entries_sha256: Sha256,
}

mod filings;
pub use filings::{BusinessFiling, FilingDecided, FilingReceived};

#[cfg(test)]
mod tests;
