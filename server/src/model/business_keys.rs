//! A controlled person's Ed25519 filing keys: with one, each filing is a record the business
//! signs in its own chain (DESIGN.md section 4) instead of the server's `filing_received`.

use knd_shared::{DeviceId, PublicKey};
use time::OffsetDateTime;
use uuid::Uuid;

use super::Device;

/// A filing key: its chain (a device row with no agency, user or token) and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessKey {
    pub device: Device,
    pub subject_inn: String,
    /// The API key that registered it.
    pub api_key: Uuid,
}

/// A filing key being registered (the service has checked the key and the name).
#[derive(Debug, Clone)]
pub struct NewBusinessKey {
    pub device: DeviceId,
    pub name: String,
    pub public_key: PublicKey,
    pub subject: knd_shared::Inn,
    pub api_key: Uuid,
    pub at: OffsetDateTime,
}
