//! The server's domain types: what services take and return, independent of HTTP and SQL.

use knd_shared::record::ChainHead;
use knd_shared::{AgencyId, DeviceId, PublicKey, RecordId, Sha256, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

/// What a console user may do (DESIGN.md section 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages the agency's users and devices; reads everything.
    Admin,
    /// Keeps the registry and builds the plan.
    Planner,
    /// Works in the field with an enrolled device.
    Inspector,
    /// Decides objections and appeals.
    Reviewer,
    /// Reads everything, including the audit log; changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Planner,
        Role::Inspector,
        Role::Reviewer,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Planner => "planner",
            Role::Inspector => "inspector",
            Role::Reviewer => "reviewer",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A control agency (КНО).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub id: AgencyId,
    pub name: String,
    pub created_at: OffsetDateTime,
}

/// A console user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub agency: AgencyId,
    pub login: String,
    pub role: Role,
    pub created_at: OffsetDateTime,
    /// Since when the user may not sign in (`None`: active).
    pub disabled_at: Option<OffsetDateTime>,
}

/// A new user, with the password already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub agency: AgencyId,
    pub login: String,
    pub password_hash: String,
    pub role: Role,
}

/// An enrolled device, or the server's own chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: DeviceId,
    /// `None` for the server's own chain.
    pub agency: Option<AgencyId>,
    pub user: Option<UserId>,
    pub name: String,
    pub public_key: PublicKey,
    pub enrolled_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_seen_at: Option<OffsetDateTime>,
    pub head: ChainHead,
    /// The server's `device_enrolled` record for this device.
    pub enrollment_record: Option<RecordId>,
    /// What the device said on its last sync call.
    pub sync: SyncReport,
}

/// A device being enrolled: the service has checked the key; the store checks the code.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub id: DeviceId,
    pub name: String,
    pub public_key: PublicKey,
    pub token_hash: Sha256,
}

/// A business API key (its secret is only ever shown once, at issue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: uuid::Uuid,
    pub subject_inn: String,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

/// A stored record with what the server added to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub id: RecordId,
    pub device: DeviceId,
    pub agency: Option<AgencyId>,
    pub seq: u64,
    pub hash: Sha256,
    pub kind: String,
    pub log_index: u64,
    pub received_at: OffsetDateTime,
    /// Exactly as received.
    pub bytes: Vec<u8>,
    /// The signed receipt, as sent to the device.
    pub receipt: Vec<u8>,
}

/// Who did something, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User(UserId),
    Device(DeviceId),
    ApiKey(uuid::Uuid),
    /// The operator, through `knd-server admin`.
    Operator,
    /// The server acting by itself under a control type's rules (a declaration registered
    /// automatically).
    Server,
    Anonymous,
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Actor::User(id) => format!("user:{id}"),
            Actor::Device(id) => format!("device:{id}"),
            Actor::ApiKey(id) => format!("api_key:{id}"),
            Actor::Operator => "operator".into(),
            Actor::Server => "server".into(),
            Actor::Anonymous => "anonymous".into(),
        }
    }
}

/// Whether an audited action happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Denied,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Outcome {
        match s {
            "ok" => Outcome::Ok,
            "denied" => Outcome::Denied,
            _ => Outcome::Failed,
        }
    }
}

/// One line of the audit log: who, when, what, on what, from where, and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub agency: Option<AgencyId>,
    pub actor: Actor,
    pub action: String,
    pub target: Option<String>,
    pub outcome: Outcome,
    pub detail: Option<serde_json::Value>,
    pub address: Option<String>,
}

/// An audit entry as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub id: i64,
    pub at: OffsetDateTime,
    pub agency: Option<AgencyId>,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub outcome: Outcome,
    pub detail: Option<serde_json::Value>,
    pub address: Option<String>,
}

/// The server's identity: its own chain's device and its log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerIdentity {
    pub device: DeviceId,
    pub public_key: PublicKey,
    pub log_origin: String,
}

/// A control type (вид контроля) of an agency, with its regulation's rules.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlType {
    pub id: uuid::Uuid,
    pub code: String,
    pub name: String,
    pub rules: knd_shared::registry::ControlTypeRules,
    pub updated_at: OffsetDateTime,
}

/// A controlled person to import (validated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubject {
    pub inn: knd_shared::Inn,
    pub ogrn: Option<knd_shared::Ogrn>,
    pub name: String,
    pub size_class: knd_shared::registry::SizeClass,
}

/// A controlled person (контролируемое лицо) as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub id: uuid::Uuid,
    pub inn: String,
    pub ogrn: Option<String>,
    pub name: String,
    pub size_class: knd_shared::registry::SizeClass,
    pub updated_at: OffsetDateTime,
}

/// A control object to import (validated); its subject and control type are named by INN and code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewObject {
    pub object_key: String,
    pub subject_inn: String,
    pub control_type_code: String,
    pub address: String,
    pub district: String,
    /// Degrees × 10^7.
    pub position: Option<(i64, i64)>,
    pub risk_category: Option<knd_shared::RiskCategory>,
    /// The date and reasons of the category decision, when the file gives them. Without them,
    /// a changed category clears the stored decision (it described another category).
    pub risk_decision: Option<(time::Date, String)>,
    /// The activity attributes the risk model and the law's rules read (a JSON object, checked);
    /// `None` keeps the stored ones (`{}` for a new object).
    pub attributes: Option<serde_json::Value>,
}

/// A control object (объект контроля) as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlObject {
    pub id: uuid::Uuid,
    pub object_key: String,
    pub subject_inn: String,
    pub control_type_code: String,
    pub address: String,
    pub district: String,
    pub position: Option<(i64, i64)>,
    pub risk_category: Option<knd_shared::RiskCategory>,
    /// The date of the decision that assigned the category, and its reasons.
    pub risk_decided_on: Option<time::Date>,
    pub risk_reason: Option<String>,
    /// What the object is and does (floor area, storeys, activity codes...), as the control
    /// type's risk criteria need them.
    pub attributes: serde_json::Value,
    pub updated_at: OffsetDateTime,
}

/// What an import changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportCounts {
    pub inserted: u64,
    pub updated: u64,
}

/// A mandatory requirement (обязательное требование) with its legal source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Requirement {
    pub code: String,
    pub text: String,
    /// The legal act, e.g. `Постановление Правительства РФ от 16.09.2020 № 1479`.
    pub legal_act: String,
    /// Its article or paragraph, e.g. `п. 60`.
    pub article: String,
}

/// One question of a checklist, on one requirement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ChecklistItem {
    pub code: String,
    pub question: String,
    pub requirement: Requirement,
}

/// A checklist (проверочный лист) of a control type, in item order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Checklist {
    pub code: String,
    pub name: String,
    pub items: Vec<ChecklistItem>,
}

/// A checklist item to store: the requirement is named by its code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChecklistItem {
    pub code: String,
    pub requirement: String,
    pub question: String,
}

mod admin;
pub mod business_keys;
pub mod filings;
mod inspections;
pub mod plan_why;
pub mod planning;
pub mod webhooks;
pub use admin::*;
pub use inspections::*;
/// A stored blob (a photo): its bytes are in the object store under its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub sha256: Sha256,
    pub size: u64,
    pub mime: String,
}

/// Who uploaded a blob: a device of an agency (that agency may read the blob back), or a
/// business by its API key (the business may attach it to its filings and read it back; the
/// agency a filing goes to may read what it carries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobUploader {
    Device {
        agency: AgencyId,
        device: DeviceId,
    },
    Business {
        api_key: uuid::Uuid,
        subject_inn: String,
    },
}

impl BlobUploader {
    /// Who the audit names.
    pub fn actor(&self) -> Actor {
        match self {
            Self::Device { device, .. } => Actor::Device(*device),
            Self::Business { api_key, .. } => Actor::ApiKey(*api_key),
        }
    }

    /// The agency the audit entry belongs to, when there is one.
    pub fn agency(&self) -> Option<AgencyId> {
        match self {
            Self::Device { agency, .. } => Some(*agency),
            Self::Business { .. } => None,
        }
    }
}
