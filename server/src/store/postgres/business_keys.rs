//! A controlled person's filing keys on PostgreSQL (statements in `store/sql/business_keys.rs`).
//! Adding one takes the log's state row first, as every log append does, so two registrations
//! at once cannot both pass the subject's cap.

use knd_shared::record::RecordKind;
use knd_shared::record::kinds::DeviceEnrolled;
use knd_shared::{DeviceId, Sha256};
use time::OffsetDateTime;
use tokio_postgres::Transaction;

use super::PgStore;
use super::cols::{execute, query_all, query_opt};
use super::insert_audit;
use super::records::append_server_record;
use crate::model::AuditEntry;
use crate::model::business_keys::{BusinessKey, NewBusinessKey};
use crate::store::sql::{business_keys as sql, devices};
use crate::store::{BusinessKeyStore, ServerChain, StoreError, StoreResult};

async fn add(
    tx: &Transaction<'_>,
    k: &NewBusinessKey,
    max: u32,
    server: &ServerChain,
    audit: &AuditEntry,
) -> StoreResult<Option<BusinessKey>> {
    tx.execute("SELECT size FROM log_state WHERE id = 1 FOR UPDATE", &[])
        .await
        .map_err(super::db_err)?;
    let active: i64 = query_opt(tx, &sql::ACTIVE, &[&k.subject.as_str()], |r| Ok(r.get(0)))
        .await?
        .unwrap_or(0);
    if active >= i64::from(max) {
        return Ok(None);
    }
    let device = k.device.as_uuid();
    execute(
        tx,
        &sql::INSERT_DEVICE,
        &[
            &device,
            &k.name,
            &k.public_key.to_bytes().as_slice(),
            &k.at,
            &Sha256::ZERO.as_bytes().as_slice(),
        ],
    )
    .await?;
    execute(
        tx,
        &sql::INSERT,
        &[&device, &k.subject.as_str(), &k.api_key, &k.at],
    )
    .await?;
    let body = DeviceEnrolled {
        device: k.device,
        public_key: k.public_key,
        name: k.name.clone(),
        user: None,
        subject: Some(k.subject.clone()),
    };
    let record =
        append_server_record(tx, server, None, RecordKind::DeviceEnrolled, &body, k.at).await?;
    execute(
        tx,
        &devices::SET_ENROLLMENT_RECORD,
        &[&record.as_uuid(), &device],
    )
    .await?;
    insert_audit(tx, audit).await?;
    query_opt(tx, &sql::ONE, &[&device], sql::key)
        .await?
        .ok_or_else(|| StoreError::Corrupt("the new filing key vanished".into()))
        .map(Some)
}

#[async_trait::async_trait]
impl BusinessKeyStore for PgStore {
    async fn add_business_key(
        &self,
        key: &NewBusinessKey,
        max: u32,
        server: &ServerChain,
        audit: &AuditEntry,
    ) -> StoreResult<Option<BusinessKey>> {
        transact!(self, |tx| add(&tx, key, max, server, audit).await?)
    }

    async fn business_keys(&self, inn: &str) -> StoreResult<Vec<BusinessKey>> {
        query_all(&**self.client().await?, &sql::OF_SUBJECT, &[&inn], sql::key).await
    }

    async fn business_key(&self, device: DeviceId) -> StoreResult<Option<BusinessKey>> {
        query_opt(
            &**self.client().await?,
            &sql::ONE,
            &[&device.as_uuid()],
            sql::key,
        )
        .await
    }

    async fn revoke_business_key(
        &self,
        inn: &str,
        device: DeviceId,
        at: OffsetDateTime,
        audit: &AuditEntry,
    ) -> StoreResult<bool> {
        transact!(self, |tx| {
            let n = execute(&*tx, &sql::REVOKE, &[&at, &device.as_uuid(), &inn]).await?;
            if n > 0 {
                insert_audit(&tx, audit).await?;
            }
            n > 0
        })
    }
}
