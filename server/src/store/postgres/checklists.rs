//! Requirements and checklists of a control type (statements in `store/sql/checklists.rs`).

use knd_shared::AgencyId;
use tokio_postgres::{GenericClient, Transaction};

use super::PgStore;
use super::cols::{execute, query_all, query_opt};
use super::insert_audit;
use crate::model::{AuditEntry, Checklist, NewChecklistItem, Requirement};
use crate::store::ChecklistStore;
use crate::store::cols::Cols as _;
use crate::store::sql::checklists as sql;
use crate::store::{StoreError, StoreResult};

async fn control_type_id(
    c: &impl GenericClient,
    agency: AgencyId,
    code: &str,
) -> StoreResult<Option<uuid::Uuid>> {
    query_opt(c, &sql::CONTROL_TYPE_ID, &[&agency.as_uuid(), &code], |r| {
        r.uuid(0)
    })
    .await
}

pub(super) async fn put_requirement(
    tx: &Transaction<'_>,
    agency: AgencyId,
    type_code: &str,
    r: &Requirement,
    audit: &AuditEntry,
) -> StoreResult<Option<()>> {
    let Some(type_id) = control_type_id(tx, agency, type_code).await? else {
        return Ok(None);
    };
    execute(
        tx,
        &sql::PUT_REQUIREMENT,
        &[
            &uuid::Uuid::now_v7(),
            &type_id,
            &r.code,
            &r.text,
            &r.legal_act,
            &r.article,
        ],
    )
    .await?;
    super::inspections::reference_changed(tx, agency).await?;
    insert_audit(tx, audit).await?;
    Ok(Some(()))
}

pub(super) async fn list_requirements(
    c: &impl GenericClient,
    agency: AgencyId,
    type_code: &str,
) -> StoreResult<Option<Vec<Requirement>>> {
    let Some(type_id) = control_type_id(c, agency, type_code).await? else {
        return Ok(None);
    };
    query_all(c, &sql::REQUIREMENTS, &[&type_id], sql::requirement)
        .await
        .map(Some)
}

pub(super) async fn put_checklist(
    tx: &Transaction<'_>,
    agency: AgencyId,
    type_code: &str,
    code: &str,
    name: &str,
    items: &[NewChecklistItem],
    audit: &AuditEntry,
) -> StoreResult<Option<Result<(), Vec<String>>>> {
    let Some(type_id) = control_type_id(tx, agency, type_code).await? else {
        return Ok(None);
    };
    let mut requirement_ids = Vec::with_capacity(items.len());
    let mut unknown = Vec::new();
    for item in items {
        match query_opt(
            tx,
            &sql::REQUIREMENT_ID,
            &[&type_id, &item.requirement],
            |r| r.uuid(0),
        )
        .await?
        {
            Some(id) => requirement_ids.push(id),
            None => unknown.push(item.requirement.clone()),
        }
    }
    if !unknown.is_empty() {
        return Ok(Some(Err(unknown)));
    }
    let checklist = query_opt(
        tx,
        &sql::PUT_CHECKLIST,
        &[&uuid::Uuid::now_v7(), &type_id, &code, &name],
        |r| r.uuid(0),
    )
    .await?
    .ok_or_else(|| StoreError::Corrupt("an upsert returned no row".into()))?;
    execute(tx, &sql::DELETE_ITEMS, &[&checklist]).await?;
    for (position, (item, requirement)) in items.iter().zip(&requirement_ids).enumerate() {
        execute(
            tx,
            &sql::INSERT_ITEM,
            &[
                &checklist,
                &(position as i32),
                &item.code,
                requirement,
                &item.question,
            ],
        )
        .await?;
    }
    super::inspections::reference_changed(tx, agency).await?;
    insert_audit(tx, audit).await?;
    Ok(Some(Ok(())))
}

pub(super) async fn get_checklist(
    c: &impl GenericClient,
    agency: AgencyId,
    type_code: &str,
    code: &str,
) -> StoreResult<Option<Checklist>> {
    let Some(type_id) = control_type_id(c, agency, type_code).await? else {
        return Ok(None);
    };
    let Some((id, name)) = query_opt(c, &sql::CHECKLIST, &[&type_id, &code], |r| {
        Ok((r.uuid(0)?, r.text(1)?))
    })
    .await?
    else {
        return Ok(None);
    };
    let items = query_all(c, &sql::ITEMS, &[&id], sql::item).await?;
    Ok(Some(Checklist {
        code: code.to_owned(),
        name,
        items,
    }))
}

async fn checklist_id(
    c: &impl GenericClient,
    agency: AgencyId,
    type_code: &str,
    code: &str,
) -> StoreResult<Option<uuid::Uuid>> {
    query_opt(
        c,
        &sql::CHECKLIST_ID,
        &[&agency.as_uuid(), &type_code, &code],
        |r| r.uuid(0),
    )
    .await
}

#[async_trait::async_trait]
impl ChecklistStore for PgStore {
    async fn put_requirement(
        &self,
        agency: AgencyId,
        type_code: &str,
        r: &Requirement,
        audit: &AuditEntry,
    ) -> StoreResult<Option<()>> {
        transact!(self, |tx| put_requirement(&tx, agency, type_code, r, audit)
            .await?)
    }

    async fn list_requirements(
        &self,
        agency: AgencyId,
        type_code: &str,
    ) -> StoreResult<Option<Vec<Requirement>>> {
        list_requirements(&**self.client().await?, agency, type_code).await
    }

    async fn put_checklist(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
        name: &str,
        items: &[NewChecklistItem],
        audit: &AuditEntry,
    ) -> StoreResult<Option<Result<(), Vec<String>>>> {
        transact!(self, |tx| put_checklist(
            &tx, agency, type_code, code, name, items, audit
        )
        .await?)
    }

    async fn get_checklist(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
    ) -> StoreResult<Option<Checklist>> {
        get_checklist(&**self.client().await?, agency, type_code, code).await
    }

    async fn checklist_id(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
    ) -> StoreResult<Option<uuid::Uuid>> {
        checklist_id(&**self.client().await?, agency, type_code, code).await
    }
}
