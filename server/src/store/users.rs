//! An admin's changes to the agency's users.

use async_trait::async_trait;
use knd_shared::{AgencyId, UserId};

use super::StoreResult;
use crate::model::{AuditEntry, User, UserChange};

/// An admin's changes to the agency's users.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Applies the change to a user of `agency` with its audit entry in one transaction;
    /// disabling and a new password end the user's sessions in it too. `None` when there is
    /// no such user.
    async fn change_user(
        &self,
        agency: AgencyId,
        id: UserId,
        change: &UserChange,
        audit: &AuditEntry,
    ) -> StoreResult<Option<User>>;
}
