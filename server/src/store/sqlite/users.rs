//! An admin's changes to users (statements in `store/sql/users.rs`).

use knd_shared::{AgencyId, UserId};
use rusqlite::{Transaction, params};
use time::OffsetDateTime;

use super::SqliteStore;
use super::accounts::get_user;
use super::cols::execute;
use super::{insert_audit, ts};
use crate::model::{AuditEntry, User, UserChange};
use crate::store::sql::users as sql;
use crate::store::{StoreResult, UserStore};

fn change(
    tx: &Transaction<'_>,
    agency: AgencyId,
    id: UserId,
    change: &UserChange,
    audit: &AuditEntry,
) -> StoreResult<Option<User>> {
    let (uid, aid) = (id.to_string(), agency.to_string());
    let n = match change {
        UserChange::Role(role) => execute(tx, &sql::SET_ROLE, params![role.as_str(), uid, aid])?,
        UserChange::Disable => execute(
            tx,
            &sql::DISABLE,
            params![ts(OffsetDateTime::now_utc()), uid, aid],
        )?,
        UserChange::Enable => execute(tx, &sql::ENABLE, params![uid, aid])?,
        UserChange::Password(hash) => execute(tx, &sql::SET_PASSWORD, params![hash, uid, aid])?,
    };
    if n == 0 {
        return Ok(None);
    }
    if matches!(change, UserChange::Disable | UserChange::Password(_)) {
        execute(tx, &sql::END_SESSIONS, [&uid])?;
    }
    insert_audit(tx, audit)?;
    get_user(tx, agency, id)
}

#[async_trait::async_trait]
impl UserStore for SqliteStore {
    async fn change_user(
        &self,
        agency: AgencyId,
        id: UserId,
        change_: &UserChange,
        audit: &AuditEntry,
    ) -> StoreResult<Option<User>> {
        let (c, audit) = (change_.clone(), audit.clone());
        self.transact(move |tx| change(tx, agency, id, &c, &audit))
            .await
    }
}
