//! Inspections (КНМ, контрольные (надзорные) мероприятия) and what pull sends to devices.

use knd_shared::{AgencyId, InspectionId, InspectionKind, UserId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

/// Why an inspection takes place (ст.60–61).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// In the approved plan.
    Planned,
    /// On a ground of ч.1 ст.57 (risk indicator, instruction, demand of a prosecutor, ...).
    Unplanned,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Planned => "planned",
            Basis::Unplanned => "unplanned",
        }
    }

    pub fn parse(s: &str) -> Option<Basis> {
        [Basis::Planned, Basis::Unplanned]
            .into_iter()
            .find(|b| b.as_str() == s)
    }
}

/// Where an inspection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionStatus {
    /// Being prepared by the planner; devices do not see it.
    Draft,
    /// Decided and assigned; devices of the assigned inspectors get it.
    Scheduled,
    /// The inspector has started it.
    InProgress,
    /// Field work done; the act is drawn up.
    Completed,
    /// Reviewed and closed; nothing more is expected from the field.
    Closed,
    Cancelled,
}

impl InspectionStatus {
    pub const ALL: [InspectionStatus; 6] = [
        InspectionStatus::Draft,
        InspectionStatus::Scheduled,
        InspectionStatus::InProgress,
        InspectionStatus::Completed,
        InspectionStatus::Closed,
        InspectionStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InspectionStatus::Draft => "draft",
            InspectionStatus::Scheduled => "scheduled",
            InspectionStatus::InProgress => "in_progress",
            InspectionStatus::Completed => "completed",
            InspectionStatus::Closed => "closed",
            InspectionStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The transitions the status machine allows: draft → scheduled → in progress → completed →
    /// closed, and cancelled from any state before closed.
    pub fn may_become(self, next: InspectionStatus) -> bool {
        use InspectionStatus::*;
        matches!(
            (self, next),
            (Draft, Scheduled)
                | (Scheduled, InProgress)
                | (InProgress, Completed)
                | (Completed, Closed)
                | (Draft | Scheduled | InProgress | Completed, Cancelled)
        )
    }

    /// Whether assigned inspectors' devices carry it offline.
    pub fn is_on_devices(self) -> bool {
        matches!(
            self,
            InspectionStatus::Scheduled | InspectionStatus::InProgress | InspectionStatus::Completed
        )
    }
}

/// An inspection as stored, with the codes and keys of what it references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub id: InspectionId,
    pub agency: AgencyId,
    pub kind: InspectionKind,
    pub basis: Basis,
    pub status: InspectionStatus,
    pub subject_id: uuid::Uuid,
    pub subject_inn: String,
    pub control_type_id: uuid::Uuid,
    pub control_type_code: String,
    pub checklist_id: Option<uuid::Uuid>,
    pub checklist_code: Option<String>,
    /// Object ids with their keys, in key order.
    pub objects: Vec<(uuid::Uuid, String)>,
    pub starts_on: Date,
    pub ends_on: Date,
    /// Currently assigned inspectors.
    pub inspectors: Vec<UserId>,
    pub note: String,
    pub created_by: Option<UserId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Filters of the inspection list.
#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub status: Option<InspectionStatus>,
    pub inspector: Option<UserId>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

/// One entry of an inspector's change feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: i64,
    /// `None`: a change for the whole agency (reference data, calendar).
    pub inspection: Option<InspectionId>,
    pub what: String,
}

/// A violation found earlier at an object (from the projections), for the inspector's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PastViolation {
    #[schema(value_type = String)]
    pub inspection: InspectionId,
    #[schema(value_type = String)]
    pub record: knd_shared::RecordId,
    pub item: String,
    pub note: Option<String>,
    /// The device's time of the finding.
    pub at: String,
}

/// A document (warning, act, order) as projected from its record; `body` is the record's body
/// with any correction applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProjectedDocument {
    #[schema(value_type = String)]
    pub record: knd_shared::RecordId,
    pub kind: String,
    #[schema(value_type = Option<String>)]
    pub inspection: Option<InspectionId>,
    pub subject_inn: Option<String>,
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    pub at: String,
    #[schema(value_type = Option<String>)]
    pub corrected_by: Option<knd_shared::RecordId>,
}
