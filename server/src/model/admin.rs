//! What the console's administration reads and changes: review resolutions, the audit log's
//! filters, users' changes and what devices report when they sync.

use knd_shared::UserId;
use time::OffsetDateTime;

use super::{ReviewFlag, Role};

/// A person's decision on a review flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The record stands as it is (a held document is released to its addressee).
    Accepted,
    /// The record is not taken as it is; the reason says why (a held document stays held).
    Rejected,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accepted => "accepted",
            Decision::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "accepted" => Some(Decision::Accepted),
            "rejected" => Some(Decision::Rejected),
            _ => None,
        }
    }
}

/// A resolution as stored: who decided what, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub decision: Decision,
    /// Required for a rejection.
    pub note: Option<String>,
    pub by: UserId,
    pub by_login: String,
    pub at: OffsetDateTime,
}

/// A review flag with its resolution, if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    pub flag: ReviewFlag,
    pub resolution: Option<Resolution>,
}

/// Which review flags a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReviewState {
    /// Not resolved yet.
    #[default]
    Waiting,
    Resolved,
    All,
}

impl ReviewState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Waiting => "waiting",
            ReviewState::Resolved => "resolved",
            ReviewState::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewState> {
        [
            ReviewState::Waiting,
            ReviewState::Resolved,
            ReviewState::All,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// What the audit log is filtered by (every part optional; all given parts must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The actor's label, e.g. `user:<id>`, `device:<id>`, `operator`.
    pub actor: Option<String>,
    /// The action, e.g. `user.create`.
    pub action: Option<String>,
    /// The object, e.g. `device:<id>`.
    pub target: Option<String>,
    /// Entries at or after this instant.
    pub from: Option<OffsetDateTime>,
    /// Entries before this instant.
    pub until: Option<OffsetDateTime>,
}

/// What a device said on its last sync call (optional headers: older apps send none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// When the server last heard from it on a sync call.
    pub synced_at: Option<OffsetDateTime>,
    /// Records signed on the device and not yet sent, as it counted them then.
    pub pending_records: Option<u64>,
    /// Its clock minus the server's at that call, in milliseconds.
    pub clock_skew_ms: Option<i64>,
}

/// A change an admin makes to a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserChange {
    Role(Role),
    /// Disabled now: cannot sign in, sessions ended.
    Disable,
    Enable,
    /// A new password hash: sessions ended.
    Password(String),
}
