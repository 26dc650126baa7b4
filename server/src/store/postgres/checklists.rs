//! Requirements and checklists of a control type.

use knd_shared::AgencyId;
use tokio_postgres::{GenericClient, Transaction};

use super::PgStore;
use super::{db_err, insert_audit};
use crate::model::{AuditEntry, Checklist, ChecklistItem, NewChecklistItem, Requirement};
use crate::store::ChecklistStore;
use crate::store::StoreResult;

async fn control_type_id(
    c: &impl GenericClient,
    agency: AgencyId,
    code: &str,
) -> StoreResult<Option<uuid::Uuid>> {
    Ok(c.query_opt(
        "SELECT id FROM control_types WHERE agency_id = $1 AND code = $2",
        &[&agency.as_uuid(), &code],
    )
    .await
    .map_err(db_err)?
    .map(|r| r.get(0)))
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
    tx.execute(
        "INSERT INTO requirements (id, control_type_id, code, text, legal_act, article) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (control_type_id, code) DO UPDATE SET text = excluded.text,
             legal_act = excluded.legal_act, article = excluded.article",
        &[&uuid::Uuid::now_v7(), &type_id, &r.code, &r.text, &r.legal_act, &r.article],
    )
    .await
    .map_err(db_err)?;
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
    let rows = c
        .query(
            "SELECT code, text, legal_act, article FROM requirements WHERE control_type_id = $1
             ORDER BY code COLLATE \"C\"",
            &[&type_id],
        )
        .await
        .map_err(db_err)?;
    Ok(Some(
        rows.iter()
            .map(|r| Requirement {
                code: r.get(0),
                text: r.get(1),
                legal_act: r.get(2),
                article: r.get(3),
            })
            .collect(),
    ))
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
        let found = tx
            .query_opt(
                "SELECT id FROM requirements WHERE control_type_id = $1 AND code = $2",
                &[&type_id, &item.requirement],
            )
            .await
            .map_err(db_err)?;
        match found {
            Some(r) => requirement_ids.push(r.get::<_, uuid::Uuid>(0)),
            None => unknown.push(item.requirement.clone()),
        }
    }
    if !unknown.is_empty() {
        return Ok(Some(Err(unknown)));
    }
    let checklist: uuid::Uuid = tx
        .query_one(
            "INSERT INTO checklists (id, control_type_id, code, name) VALUES ($1, $2, $3, $4)
             ON CONFLICT (control_type_id, code) DO UPDATE SET name = excluded.name
             RETURNING id",
            &[&uuid::Uuid::now_v7(), &type_id, &code, &name],
        )
        .await
        .map_err(db_err)?
        .get(0);
    tx.execute(
        "DELETE FROM checklist_items WHERE checklist_id = $1",
        &[&checklist],
    )
    .await
    .map_err(db_err)?;
    for (position, (item, requirement)) in items.iter().zip(&requirement_ids).enumerate() {
        tx.execute(
            "INSERT INTO checklist_items (checklist_id, position, code, requirement_id, question)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &checklist,
                &(position as i32),
                &item.code,
                requirement,
                &item.question,
            ],
        )
        .await
        .map_err(db_err)?;
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
    let Some(found) = c
        .query_opt(
            "SELECT id, name FROM checklists WHERE control_type_id = $1 AND code = $2",
            &[&type_id, &code],
        )
        .await
        .map_err(db_err)?
    else {
        return Ok(None);
    };
    let id: uuid::Uuid = found.get(0);
    let rows = c
        .query(
            "SELECT i.code, i.question, r.code, r.text, r.legal_act, r.article
             FROM checklist_items i JOIN requirements r ON r.id = i.requirement_id
             WHERE i.checklist_id = $1 ORDER BY i.position",
            &[&id],
        )
        .await
        .map_err(db_err)?;
    Ok(Some(Checklist {
        code: code.to_owned(),
        name: found.get(1),
        items: rows
            .iter()
            .map(|r| ChecklistItem {
                code: r.get(0),
                question: r.get(1),
                requirement: Requirement {
                    code: r.get(2),
                    text: r.get(3),
                    legal_act: r.get(4),
                    article: r.get(5),
                },
            })
            .collect(),
    }))
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
        Ok(self
            .client()
            .await?
            .query_opt(
                "SELECT c.id FROM checklists c JOIN control_types t ON t.id = c.control_type_id
                 WHERE t.agency_id = $1 AND t.code = $2 AND c.code = $3",
                &[&agency.as_uuid(), &type_code, &code],
            )
            .await
            .map_err(db_err)?
            .map(|r| r.get(0)))
    }
}
