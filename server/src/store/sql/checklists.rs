//! Requirements and checklists of a control type: statements and row mapping.

use super::Sql;
use crate::model::{ChecklistItem, Requirement};
use crate::store::StoreResult;
use crate::store::cols::Cols;

pub(crate) static CONTROL_TYPE_ID: Sql =
    Sql::new("SELECT id FROM control_types WHERE agency_id = ?1 AND code = ?2");

pub(crate) static PUT_REQUIREMENT: Sql = Sql::new(
    "INSERT INTO requirements (id, control_type_id, code, text, legal_act, article)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (control_type_id, code) DO UPDATE SET text = excluded.text,
         legal_act = excluded.legal_act, article = excluded.article",
);

/// By code in byte order on both (PostgreSQL's default collation would sort by locale).
pub(crate) static REQUIREMENTS: Sql = Sql::dialects(
    "SELECT code, text, legal_act, article FROM requirements WHERE control_type_id = ?1
     ORDER BY code",
    "SELECT code, text, legal_act, article FROM requirements WHERE control_type_id = $1
     ORDER BY code COLLATE \"C\"",
);

pub(crate) fn requirement(r: &impl Cols) -> StoreResult<Requirement> {
    requirement_at(r, 0)
}

fn requirement_at(r: &impl Cols, first: usize) -> StoreResult<Requirement> {
    Ok(Requirement {
        code: r.text(first)?,
        text: r.text(first + 1)?,
        legal_act: r.text(first + 2)?,
        article: r.text(first + 3)?,
    })
}

pub(crate) static REQUIREMENT_ID: Sql =
    Sql::new("SELECT id FROM requirements WHERE control_type_id = ?1 AND code = ?2");

/// The checklist's id, new or kept.
pub(crate) static PUT_CHECKLIST: Sql = Sql::new(
    "INSERT INTO checklists (id, control_type_id, code, name) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (control_type_id, code) DO UPDATE SET name = excluded.name
     RETURNING id",
);
pub(crate) static DELETE_ITEMS: Sql =
    Sql::new("DELETE FROM checklist_items WHERE checklist_id = ?1");
pub(crate) static INSERT_ITEM: Sql = Sql::new(
    "INSERT INTO checklist_items (checklist_id, position, code, requirement_id, question)
     VALUES (?1, ?2, ?3, ?4, ?5)",
);

pub(crate) static CHECKLIST: Sql =
    Sql::new("SELECT id, name FROM checklists WHERE control_type_id = ?1 AND code = ?2");
pub(crate) static ITEMS: Sql = Sql::new(
    "SELECT i.code, i.question, r.code, r.text, r.legal_act, r.article
     FROM checklist_items i JOIN requirements r ON r.id = i.requirement_id
     WHERE i.checklist_id = ?1 ORDER BY i.position",
);

pub(crate) fn item(r: &impl Cols) -> StoreResult<ChecklistItem> {
    Ok(ChecklistItem {
        code: r.text(0)?,
        question: r.text(1)?,
        requirement: requirement_at(r, 2)?,
    })
}

pub(crate) static CHECKLIST_ID: Sql = Sql::new(
    "SELECT c.id FROM checklists c JOIN control_types t ON t.id = c.control_type_id
     WHERE t.agency_id = ?1 AND t.code = ?2 AND c.code = ?3",
);
