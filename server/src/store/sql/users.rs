//! An admin's changes to users: statements.

use super::Sql;

pub(crate) static SET_ROLE: Sql =
    Sql::new("UPDATE users SET role = ?1 WHERE id = ?2 AND agency_id = ?3");
pub(crate) static DISABLE: Sql = Sql::new(
    "UPDATE users SET disabled_at = COALESCE(disabled_at, ?1) WHERE id = ?2 AND agency_id = ?3",
);
pub(crate) static ENABLE: Sql =
    Sql::new("UPDATE users SET disabled_at = NULL WHERE id = ?1 AND agency_id = ?2");
pub(crate) static SET_PASSWORD: Sql =
    Sql::new("UPDATE users SET password_hash = ?1 WHERE id = ?2 AND agency_id = ?3");
/// Ends every session of a user (disabled, or given a new password).
pub(crate) static END_SESSIONS: Sql = Sql::new("DELETE FROM sessions WHERE user_id = ?1");
