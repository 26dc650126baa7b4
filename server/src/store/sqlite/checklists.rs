//! Requirements and checklists of a control type.

use knd_shared::AgencyId;
use rusqlite::{Connection, OptionalExtension as _, Transaction, params};

use super::SqliteStore;
use super::parse_uuid;
use super::{db_err, insert_audit};
use crate::model::{AuditEntry, Checklist, ChecklistItem, NewChecklistItem, Requirement};
use crate::store::ChecklistStore;
use crate::store::StoreResult;

fn control_type_id(c: &Connection, agency: AgencyId, code: &str) -> StoreResult<Option<String>> {
    c.query_row(
        "SELECT id FROM control_types WHERE agency_id = ?1 AND code = ?2",
        params![agency.to_string(), code],
        |r| r.get(0),
    )
    .optional()
    .map_err(db_err)
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
    tx.execute(
        "INSERT INTO requirements (id, control_type_id, code, text, legal_act, article) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (control_type_id, code) DO UPDATE SET text = excluded.text,
             legal_act = excluded.legal_act, article = excluded.article",
        params![uuid::Uuid::now_v7().to_string(), type_id, r.code, r.text, r.legal_act, r.article],
    )
    .map_err(db_err)?;
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
    let mut stmt = c
        .prepare("SELECT code, text, legal_act, article FROM requirements WHERE control_type_id = ?1 ORDER BY code")
        .map_err(db_err)?;
    let rows = stmt
        .query_map([type_id], |r| {
            Ok(Requirement {
                code: r.get(0)?,
                text: r.get(1)?,
                legal_act: r.get(2)?,
                article: r.get(3)?,
            })
        })
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_err)?;
    Ok(Some(rows))
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
        let id: Option<String> = tx
            .query_row(
                "SELECT id FROM requirements WHERE control_type_id = ?1 AND code = ?2",
                params![type_id, item.requirement],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)?;
        match id {
            Some(id) => requirement_ids.push(id),
            None => unknown.push(item.requirement.clone()),
        }
    }
    if !unknown.is_empty() {
        return Ok(Some(Err(unknown)));
    }
    tx.execute(
        "INSERT INTO checklists (id, control_type_id, code, name) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (control_type_id, code) DO UPDATE SET name = excluded.name",
        params![uuid::Uuid::now_v7().to_string(), type_id, code, name],
    )
    .map_err(db_err)?;
    let checklist: String = tx
        .query_row(
            "SELECT id FROM checklists WHERE control_type_id = ?1 AND code = ?2",
            params![type_id, code],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    tx.execute(
        "DELETE FROM checklist_items WHERE checklist_id = ?1",
        [&checklist],
    )
    .map_err(db_err)?;
    for (position, (item, requirement)) in items.iter().zip(&requirement_ids).enumerate() {
        tx.execute(
            "INSERT INTO checklist_items (checklist_id, position, code, requirement_id, question)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                checklist,
                position as i64,
                item.code,
                requirement,
                item.question
            ],
        )
        .map_err(db_err)?;
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
    let found: Option<(String, String)> = c
        .query_row(
            "SELECT id, name FROM checklists WHERE control_type_id = ?1 AND code = ?2",
            params![type_id, code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(db_err)?;
    let Some((id, name)) = found else {
        return Ok(None);
    };
    let mut stmt = c
        .prepare(
            "SELECT i.code, i.question, r.code, r.text, r.legal_act, r.article
             FROM checklist_items i JOIN requirements r ON r.id = i.requirement_id
             WHERE i.checklist_id = ?1 ORDER BY i.position",
        )
        .map_err(db_err)?;
    let items = stmt
        .query_map([id], |r| {
            Ok(ChecklistItem {
                code: r.get(0)?,
                question: r.get(1)?,
                requirement: Requirement {
                    code: r.get(2)?,
                    text: r.get(3)?,
                    legal_act: r.get(4)?,
                    article: r.get(5)?,
                },
            })
        })
        .map_err(db_err)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(db_err)?;
    Ok(Some(Checklist {
        code: code.to_owned(),
        name,
        items,
    }))
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
        self.read(move |conn| {
            conn.query_row(
                "SELECT c.id FROM checklists c JOIN control_types t ON t.id = c.control_type_id
                 WHERE t.agency_id = ?1 AND t.code = ?2 AND c.code = ?3",
                params![agency.to_string(), t, c],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(db_err)?
            .as_deref()
            .map(parse_uuid)
            .transpose()
        })
        .await
    }
}
