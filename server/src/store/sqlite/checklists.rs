//! Requirements and checklists of a control type (statements in `store/sql/checklists.rs`).

use knd_shared::AgencyId;
use rusqlite::{Connection, Transaction, params};

use super::SqliteStore;
use super::cols::{execute, query_all, query_opt};
use super::insert_audit;
use crate::model::{AuditEntry, Checklist, NewChecklistItem, Requirement};
use crate::store::ChecklistStore;
use crate::store::StoreResult;
use crate::store::cols::Cols as _;
use crate::store::sql::checklists as sql;

fn control_type_id(c: &Connection, agency: AgencyId, code: &str) -> StoreResult<Option<String>> {
    query_opt(
        c,
        &sql::CONTROL_TYPE_ID,
        params![agency.to_string(), code],
        |r| r.text(0),
    )
}

pub(super) fn put_requirement(
    tx: &Transaction<'_>,
    agency: AgencyId,
    type_code: &str,
    r: &Requirement,
    audit: &AuditEntry,
) -> StoreResult<Option<()>> {
    let Some(type_id) = control_type_id(tx, agency, type_code)? else {
        return Ok(None);
    };
    execute(
        tx,
        &sql::PUT_REQUIREMENT,
        params![
            uuid::Uuid::now_v7().to_string(),
            type_id,
            r.code,
            r.text,
            r.legal_act,
            r.article
        ],
    )?;
    super::inspections::reference_changed(tx, agency)?;
    insert_audit(tx, audit)?;
    Ok(Some(()))
}

pub(super) fn list_requirements(
    c: &Connection,
    agency: AgencyId,
    type_code: &str,
) -> StoreResult<Option<Vec<Requirement>>> {
    let Some(type_id) = control_type_id(c, agency, type_code)? else {
        return Ok(None);
    };
    query_all(c, &sql::REQUIREMENTS, [type_id], |r| sql::requirement(r)).map(Some)
}

pub(super) fn put_checklist(
    tx: &Transaction<'_>,
    agency: AgencyId,
    type_code: &str,
    code: &str,
    name: &str,
    items: &[NewChecklistItem],
    audit: &AuditEntry,
) -> StoreResult<Option<Result<(), Vec<String>>>> {
    let Some(type_id) = control_type_id(tx, agency, type_code)? else {
        return Ok(None);
    };
    let mut requirement_ids = Vec::with_capacity(items.len());
    let mut unknown = Vec::new();
    for item in items {
        match query_opt(
            tx,
            &sql::REQUIREMENT_ID,
            params![type_id, item.requirement],
            |r| r.text(0),
        )? {
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
        params![uuid::Uuid::now_v7().to_string(), type_id, code, name],
        |r| r.text(0),
    )?
    .unwrap_or_default();
    execute(tx, &sql::DELETE_ITEMS, [&checklist])?;
    for (position, (item, requirement)) in items.iter().zip(&requirement_ids).enumerate() {
        execute(
            tx,
            &sql::INSERT_ITEM,
            params![
                checklist,
                position as i64,
                item.code,
                requirement,
                item.question
            ],
        )?;
    }
    super::inspections::reference_changed(tx, agency)?;
    insert_audit(tx, audit)?;
    Ok(Some(Ok(())))
}

pub(super) fn get_checklist(
    c: &Connection,
    agency: AgencyId,
    type_code: &str,
    code: &str,
) -> StoreResult<Option<Checklist>> {
    let Some(type_id) = control_type_id(c, agency, type_code)? else {
        return Ok(None);
    };
    let Some((id, name)) = query_opt(c, &sql::CHECKLIST, params![type_id, code], |r| {
        Ok((r.text(0)?, r.text(1)?))
    })?
    else {
        return Ok(None);
    };
    let items = query_all(c, &sql::ITEMS, [id], |r| sql::item(r))?;
    Ok(Some(Checklist {
        code: code.to_owned(),
        name,
        items,
    }))
}

fn checklist_id(
    c: &Connection,
    agency: AgencyId,
    type_code: &str,
    code: &str,
) -> StoreResult<Option<uuid::Uuid>> {
    query_opt(
        c,
        &sql::CHECKLIST_ID,
        params![agency.to_string(), type_code, code],
        |r| r.uuid(0),
    )
}

#[async_trait::async_trait]
impl ChecklistStore for SqliteStore {
    async fn put_requirement(
        &self,
        agency: AgencyId,
        type_code: &str,
        r: &Requirement,
        audit: &AuditEntry,
    ) -> StoreResult<Option<()>> {
        let (code, r, audit) = (type_code.to_owned(), r.clone(), audit.clone());
        self.transact(move |tx| put_requirement(tx, agency, &code, &r, &audit))
            .await
    }

    async fn list_requirements(
        &self,
        agency: AgencyId,
        type_code: &str,
    ) -> StoreResult<Option<Vec<Requirement>>> {
        let code = type_code.to_owned();
        self.read(move |c| list_requirements(c, agency, &code))
            .await
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
        let (t, c, n, items, audit) = (
            type_code.to_owned(),
            code.to_owned(),
            name.to_owned(),
            items.to_vec(),
            audit.clone(),
        );
        self.transact(move |tx| put_checklist(tx, agency, &t, &c, &n, &items, &audit))
            .await
    }

    async fn get_checklist(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
    ) -> StoreResult<Option<Checklist>> {
        let (t, c) = (type_code.to_owned(), code.to_owned());
        self.read(move |conn| get_checklist(conn, agency, &t, &c))
            .await
    }

    async fn checklist_id(
        &self,
        agency: AgencyId,
        type_code: &str,
        code: &str,
    ) -> StoreResult<Option<uuid::Uuid>> {
        let (t, c) = (type_code.to_owned(), code.to_owned());
        self.read(move |conn| checklist_id(conn, agency, &t, &c))
            .await
    }
}
