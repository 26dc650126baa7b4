//! An admin's changes to the agency's users: role, disabling (the user cannot sign in and its
//! sessions end at once; its devices and their records stay) and a new password (sessions end).
//! Each is audited in the transaction that makes it. An admin cannot demote or disable itself,
//! so the agency always keeps the admin who is acting.

use knd_shared::UserId;

use super::accounts::{self, validate_password};
use super::passwords;
use super::policy::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::model::{Actor, Role, User, UserChange};
use crate::state::AppState;

/// A change as asked for (the password still in clear).
pub enum Change {
    Role(Role),
    Disable,
    Enable,
    Password(String),
}

/// Without the password.
impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.action())
    }
}

impl Change {
    fn action(&self) -> &'static str {
        match self {
            Change::Role(_) => "user.role",
            Change::Disable => "user.disable",
            Change::Enable => "user.enable",
            Change::Password(_) => "user.password",
        }
    }
}

/// Applies `change` to the user `id` of the admin's agency.
pub async fn change(
    state: &AppState,
    admin: &User,
    address: Option<&str>,
    id: UserId,
    change: Change,
) -> ApiResult<User> {
    let action = change.action();
    policy::require(state, admin, address, Action::ManageUsers, action, || {
        format!("user:{id}")
    })
    .await?;
    let Some(target) = state.store.get_user(admin.agency, id).await? else {
        accounts::audit_denied(state, admin, action, format!("user:{id}"), address).await?;
        return Err(ApiError::NotFound);
    };
    if target.id == admin.id {
        let refused = match &change {
            Change::Disable => {
                Some("нельзя отключить свою учётную запись / you cannot disable your own account")
            }
            Change::Role(r) if *r != Role::Admin => Some(
                "нельзя снять с себя роль администратора / you cannot take the admin role from yourself",
            ),
            _ => None,
        };
        if let Some(msg) = refused {
            return Err(ApiError::Unprocessable(msg.into()));
        }
    }
    let mut a = accounts::audit(Actor::User(admin.id), Some(admin.agency), action, address);
    a.target = Some(format!("user:{id}"));
    let stored = match change {
        Change::Role(role) => {
            a.detail = Some(serde_json::json!({
                "from": target.role.as_str(),
                "to": role.as_str(),
            }));
            UserChange::Role(role)
        }
        Change::Disable => UserChange::Disable,
        Change::Enable => UserChange::Enable,
        Change::Password(p) => {
            validate_password(&p)?;
            UserChange::Password(passwords::hash(p).await?)
        }
    };
    state
        .store
        .change_user(admin.agency, id, &stored, &a)
        .await?
        .ok_or(ApiError::NotFound)
}
