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
                matches!(self, RecordKind::DeviceEnrolled)
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
    DeviceEnrolled => "device_enrolled": DeviceEnrolled,
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
}

/// A proposed measure with its date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub what: String,
    #[serde(with = "iso_date")]
    pub by: Date,
}

/// A warning about the inadmissibility of a violation (ст.49): names the requirements and their
/// legal acts and proposes measures; it demands no documents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub subject: Inn,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection: Option<InspectionId>,
    /// Requirement references, e.g. `ППР-1479 п.60`.
    pub requirements: Vec<String>,
    pub text: String,
    #[serde(default)]
    pub measures: Vec<Measure>,
}

/// A violated requirement as the act names it (ст.87: each requirement and its legal act).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    pub requirement: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_act: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding: Option<RecordId>,
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
}

/// One violation to remedy, with its deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remedy {
    pub requirement: String,
    pub measure: String,
    #[serde(with = "iso_date")]
    pub deadline: Date,
}

/// A remediation order (предписание, ст.90).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub inspection: InspectionId,
    pub subject: Inn,
    pub remedies: Vec<Remedy>,
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

/// Server chain: a device was enrolled with this key, so its records may be trusted as its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceEnrolled {
    pub device: DeviceId,
    pub public_key: PublicKey,
    pub name: String,
    pub user: UserId,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn registry_round_trips() {
        for &k in RecordKind::ALL {
            assert_eq!(RecordKind::parse(k.as_str()), Some(k));
        }
        assert!(RecordKind::parse("inspection_paused").is_none());
    }

    #[test]
    fn bodies_are_checked() {
        let ins = "0192f39e-1111-7000-8000-000000000001";
        let ok = body(json!({"inspection": ins, "item": "1.2", "result": "violation"}));
        assert_eq!(check_body("finding", &ok), Ok(RecordKind::Finding));
        let bad = body(json!({"inspection": ins, "item": "1.2", "result": "maybe"}));
        assert!(matches!(
            check_body("finding", &bad),
            Err(BodyError::Invalid { .. })
        ));
        assert!(matches!(
            check_body("gossip", &ok),
            Err(BodyError::UnknownKind(_))
        ));
        let warning = body(json!({
            "subject": "7707083894", "requirements": [], "text": "t", "measures": []
        }));
        assert!(
            check_body("warning", &warning).is_err(),
            "bad INN check digit"
        );
        let started = body(json!({"inspection": ins, "lat_e7": 557558000, "lon_e7": 376176000}));
        let typed: InspectionStarted = decode_body(&started).unwrap();
        assert_eq!(typed.position.map(|p| p.lat_e7), Some(557_558_000));
    }
}
