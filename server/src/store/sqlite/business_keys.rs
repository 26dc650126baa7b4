//! A controlled person's filing keys on SQLite (statements in `store/sql/business_keys.rs`).

use knd_shared::record::RecordKind;
use knd_shared::record::kinds::DeviceEnrolled;
use knd_shared::{DeviceId, Sha256};
use rusqlite::{Transaction, params};
use time::OffsetDateTime;

use super::SqliteStore;
use super::cols::{execute, query_all, query_opt};
use super::records::append_server_record;
use super::{db_err, insert_audit, ts};
use crate::model::AuditEntry;
use crate::model::business_keys::{BusinessKey, NewBusinessKey};
use crate::store::sql::{business_keys as sql, devices};
use crate::store::{BusinessKeyStore, ServerChain, StoreError, StoreResult};

fn add(
    tx: &Transaction<'_>,
    k: &NewBusinessKey,
    max: u32,
    server: &ServerChain,
    audit: &AuditEntry,
) -> StoreResult<Option<BusinessKey>> {
    let active: i64 = query_opt(tx, &sql::ACTIVE, [k.subject.as_str()], |r| {
        r.get(0).map_err(db_err)
    })?
    .unwrap_or(0);
    if active >= i64::from(max) {
        return Ok(None);
    }
    let device = k.device.to_string();
    execute(
        tx,
        &sql::INSERT_DEVICE,
        params![
            device,
            k.name,
            k.public_key.to_bytes().as_slice(),
            ts(k.at),
            Sha256::ZERO.as_bytes().as_slice()
        ],
    )?;
    execute(
        tx,
        &sql::INSERT,
        params![device, k.subject.as_str(), k.api_key.to_string(), ts(k.at)],
    )?;
    let body = DeviceEnrolled {
        device: k.device,
        public_key: k.public_key,
        name: k.name.clone(),
        user: None,
        subject: Some(k.subject.clone()),
    };
    let record = append_server_record(tx, server, None, RecordKind::DeviceEnrolled, &body, k.at)?;
    execute(
        tx,
        &devices::SET_ENROLLMENT_RECORD,
        params![record.to_string(), device],
    )?;
    insert_audit(tx, audit)?;
    query_opt(tx, &sql::ONE, [device], |r| sql::key(r))?
        .ok_or_else(|| StoreError::Corrupt("the new filing key vanished".into()))
        .map(Some)
}

#[async_trait::async_trait]
impl BusinessKeyStore for SqliteStore {
    async fn add_business_key(
        &self,
        key: &NewBusinessKey,
        max: u32,
        server: &ServerChain,
        audit: &AuditEntry,
    ) -> StoreResult<Option<BusinessKey>> {
        let (k, server, a) = (key.clone(), server.clone(), audit.clone());
        self.transact(move |tx| add(tx, &k, max, &server, &a)).await
    }

    async fn business_keys(&self, inn: &str) -> StoreResult<Vec<BusinessKey>> {
        let inn = inn.to_owned();
        self.read(move |c| query_all(c, &sql::OF_SUBJECT, [inn], |r| sql::key(r)))
            .await
    }

    async fn business_key(&self, device: DeviceId) -> StoreResult<Option<BusinessKey>> {
        self.read(move |c| query_opt(c, &sql::ONE, [device.to_string()], |r| sql::key(r)))
            .await
    }

    async fn revoke_business_key(
        &self,
        inn: &str,
        device: DeviceId,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        let (inn, a) = (inn.to_owned(), audit.clone());
        self.transact(move |tx| {
            let n = execute(tx, &sql::REVOKE, params![ts(at), device.to_string(), inn])?;
            if n > 0 {
                insert_audit(tx, &a)?;
            }
            Ok(n > 0)
        })
        .await
    }
}
