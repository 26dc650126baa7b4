//! A controlled person's own record of a filing, signed with its filing key, and the server's
//! records of what a controlled person filed (an objection to a warning, a
//! pre-trial appeal, a withdrawal, an answer to a request for information) and of every decision
//! the agency takes on a filing. A filing the business did not sign itself is attested by the
//! server: the record carries the SHA-256 of the filing as received (RFC 8785 canonical JSON), so
//! the business can prove what it filed and when (the record's receipt and log index).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::Date;

use crate::calendar::iso_date;
use crate::ids::{RecordId, UserId};
use crate::keys::Sha256;
use crate::subject::Inn;

/// Server chain: a filing received from a controlled person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilingReceived {
    pub filing: uuid::Uuid,
    /// `objection`, `appeal`, `withdrawal`, `information`.
    pub kind: String,
    pub subject: Inn,
    /// The filing a withdrawal or an answer belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<uuid::Uuid>,
    /// The document objected to or appealed, where it is a record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<RecordId>,
    /// SHA-256 of the filing's content as received, as RFC 8785 canonical JSON.
    pub content_sha256: Sha256,
    /// The agency's date of receipt: the periods count from it.
    #[serde(with = "iso_date")]
    pub received_on: Date,
}

/// Server chain: the agency's decision on a filing (an appeal registered or refused, a
/// restoration or suspension decided, the period extended, information requested, the appeal or
/// the objection decided).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilingDecided {
    pub filing: uuid::Uuid,
    /// `objection` or `appeal`.
    pub kind: String,
    pub subject: Inn,
    /// The step's wire name, e.g. `register`, `refuse`, `decide`.
    pub step: String,
    #[serde(with = "iso_date")]
    pub on: Date,
    /// The reviewer; absent when the control type's rules had the server decide by itself
    /// (a declaration registered automatically).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<UserId>,
    /// The step's own fields (ground, outcome, reasons, the new last day), as the API shows them.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub detail: Map<String, Value>,
    /// The decision in words, as sent to the filer.
    pub text_ru: String,
    pub text_en: String,
}

/// A controlled person's chain: a filing signed with its filing key (enrolled for the subject by
/// the server's `device_enrolled`). It stands in place of the server's `filing_received`: the
/// business proves with its own signature what it filed, and with the receipt when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessFiling {
    /// What is filed: `objection`, `appeal`, `self_assessment`, `declaration`, or a step on an
    /// appeal the subject filed (`appeal_step`).
    pub filing: String,
    /// The filer, as enrolled with the key.
    pub subject: Inn,
    /// The appeal a step belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<uuid::Uuid>,
    /// The request exactly as the API takes it for that filing (`POST /api/v1/business/...`).
    pub request: Map<String, Value>,
}
