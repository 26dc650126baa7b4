//! An admin's changes to users (statements in `store/sql/users.rs`).

use knd_shared::{AgencyId, UserId};
use time::OffsetDateTime;

use super::PgStore;
use super::accounts::get_user;
use super::cols::execute;
use super::insert_audit;
use crate::model::{AuditEntry, User, UserChange};
use crate::store::sql::users as sql;
use crate::store::{StoreResult, UserStore};

#[async_trait::async_trait]
impl UserStore for PgStore {
    async fn change_user(
        &self,
        agency: AgencyId,
        id: UserId,
        change: &UserChange,
        audit: &AuditEntry,
    ) -> StoreResult<Option<User>> {
        let (uid, aid) = (id.as_uuid(), agency.as_uuid());
        transact!(self, |tx| {
            let n = match change {
                UserChange::Role(role) => {
                    execute(&*tx, &sql::SET_ROLE, &[&role.as_str(), &uid, &aid]).await?
                }
                UserChange::Disable => {
                    execute(
                        &*tx,
                        &sql::DISABLE,
                        &[&OffsetDateTime::now_utc(), &uid, &aid],
                    )
                    .await?
                }
                UserChange::Enable => execute(&*tx, &sql::ENABLE, &[&uid, &aid]).await?,
                UserChange::Password(hash) => {
                    execute(&*tx, &sql::SET_PASSWORD, &[hash, &uid, &aid]).await?
                }
            };
            if n == 0 {
                None
            } else {
                if matches!(change, UserChange::Disable | UserChange::Password(_)) {
                    execute(&*tx, &sql::END_SESSIONS, &[&uid]).await?;
                }
                insert_audit(&tx, audit).await?;
                get_user(&*tx, agency, id).await?
            }
        })
    }
}
