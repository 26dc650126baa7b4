//! Registry search and the object page's readers.

use knd_shared::{AgencyId, InspectionId};
use rusqlite::{Connection, params};

use super::SqliteStore;
use super::cols::{query_all, query_opt};
use crate::model::{ControlObject, Subject};
use crate::store::StoreResult;
use crate::store::cols::Cols as _;
use crate::store::search::{
    GeoBox, ObjectMatch, ObjectSearch, RiskDecision, SearchStore, SubjectMatch, SubjectSearch,
    lowest, prefix_end,
};
use crate::store::sql::Sql;
use crate::store::sql::registry::{self as reg, object_columns};
use crate::store::sql::search as sql;
use crate::store::sql::search::{objects_sqlite, subjects_sqlite};

/// How a fragment's rows are found. SQLite keeps no statistics to choose for itself, so the
/// full-text index is asked how many rows match (up to a bound) and the plan follows:
/// * rare (under [`FEW`] rows): the index's rows are read and sorted by key;
/// * common: the keys are walked in order, each looked up in the set of matching rows;
/// * dense (at least a tenth of the table): the keys are walked and each is checked against the
///   index by itself, so the set of matches (up to every row) is never built.
const FEW: i64 = 5000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Density {
    Rare,
    Common,
    Dense,
}

/// The forms of a rare fragment: the full-text index leads (`+` keeps the key indexes out).
static OBJECTS_BY_RARE_ADDRESS: Sql = Sql::only(objects_sqlite!(
    not_by_key,
    "o.rowid IN (SELECT rowid FROM control_objects_fts WHERE control_objects_fts MATCH ?6)
     AND ?7 IS NULL"
));
static SUBJECTS_BY_RARE_NAME: Sql = Sql::only(subjects_sqlite!(
    not_by_inn,
    "rowid IN (SELECT rowid FROM subjects_fts WHERE subjects_fts MATCH ?3) AND ?4 IS NULL"
));
/// The forms of a dense fragment: each key walked is checked against the index.
static OBJECTS_BY_DENSE_ADDRESS: Sql = Sql::only(objects_sqlite!(
    "EXISTS (SELECT 1 FROM control_objects_fts f
             WHERE f.control_objects_fts MATCH ?6 AND f.rowid = o.rowid)
     AND ?7 IS NULL"
));
static SUBJECTS_BY_DENSE_NAME: Sql = Sql::only(subjects_sqlite!(
    "EXISTS (SELECT 1 FROM subjects_fts f WHERE f.subjects_fts MATCH ?3 AND f.rowid = subjects.rowid)
     AND ?4 IS NULL"
));
/// The first [`FEW`] matches (the index gives them in rowid order): how many, and the rowid of
/// the last, which says how densely the matches fill the table.
static ADDRESS_MATCHES: Sql = Sql::only(
    "SELECT count(*), max(rowid) FROM (SELECT rowid FROM control_objects_fts
                                       WHERE control_objects_fts MATCH ?1 LIMIT ?2)",
);
static NAME_MATCHES: Sql = Sql::only(
    "SELECT count(*), max(rowid) FROM (SELECT rowid FROM subjects_fts
                                       WHERE subjects_fts MATCH ?1 LIMIT ?2)",
);

/// How densely the phrase's matches fill the table, from its first [`FEW`] matches alone (so
/// the index is not read to the end twice): rowids are dealt in order, so when the [`FEW`]th
/// match is within the first 10 × [`FEW`] rows, about a tenth of the rows or more match.
fn density(c: &Connection, counter: &Sql, phrase: &str) -> StoreResult<Density> {
    let (n, last) = query_opt(c, counter, params![phrase, FEW], |r| {
        Ok((r.i64(0)?, r.opt_i64(1)?.unwrap_or(0)))
    })?
    .unwrap_or((0, 0));
    Ok(if n < FEW {
        Density::Rare
    } else if last <= FEW * 10 {
        Density::Dense
    } else {
        Density::Common
    })
}

/// A fragment as an FTS5 phrase: quoted, its quotes doubled, so that nothing in it is syntax.
fn phrase(fragment: &str) -> String {
    format!("\"{}\"", fragment.replace('"', "\"\""))
}

fn search_subjects(
    c: &Connection,
    agency: AgencyId,
    q: &SubjectSearch,
) -> StoreResult<Vec<Subject>> {
    let (stmt, a, b): (&Sql, _, _) = match &q.matching {
        SubjectMatch::All => (&sql::SUBJECTS_ALL, None, None),
        SubjectMatch::InnPrefix(p) => (
            &sql::SUBJECTS_BY_INN_PREFIX,
            Some(p.clone()),
            Some(prefix_end(p)),
        ),
        SubjectMatch::OgrnPrefix(p) => (
            &sql::SUBJECTS_BY_OGRN_PREFIX,
            Some(p.clone()),
            Some(prefix_end(p)),
        ),
        SubjectMatch::Name(f) => {
            let p = phrase(f);
            let stmt = match density(c, &NAME_MATCHES, &p)? {
                Density::Rare => &SUBJECTS_BY_RARE_NAME,
                Density::Common => &sql::SUBJECTS_BY_NAME,
                Density::Dense => &SUBJECTS_BY_DENSE_NAME,
            };
            (stmt, Some(p), None)
        }
    };
    let prefix = match &q.matching {
        SubjectMatch::InnPrefix(p) => Some(p.as_str()),
        _ => None,
    };
    query_all(
        c,
        stmt,
        params![
            agency.to_string(),
            lowest(q.after.as_deref(), prefix),
            a,
            b,
            q.limit
        ],
        |r| reg::subject(r),
    )
}

fn search_objects(
    c: &Connection,
    agency: AgencyId,
    q: &ObjectSearch,
) -> StoreResult<Vec<ControlObject>> {
    let (stmt, a, b): (&Sql, _, _) = match &q.matching {
        ObjectMatch::All => (&sql::OBJECTS_ALL, None, None),
        ObjectMatch::KeyPrefix(p) => (
            &sql::OBJECTS_BY_KEY_PREFIX,
            Some(p.clone()),
            Some(prefix_end(p)),
        ),
        ObjectMatch::Address(f) => {
            let p = phrase(f);
            let stmt = match density(c, &ADDRESS_MATCHES, &p)? {
                Density::Rare => &OBJECTS_BY_RARE_ADDRESS,
                Density::Common => &sql::OBJECTS_BY_ADDRESS,
                Density::Dense => &OBJECTS_BY_DENSE_ADDRESS,
            };
            (stmt, Some(p), None)
        }
        ObjectMatch::SubjectInn(inn) => (&sql::OBJECTS_OF_SUBJECT, Some(inn.clone()), None),
    };
    let prefix = match &q.matching {
        ObjectMatch::KeyPrefix(p) => Some(p.as_str()),
        _ => None,
    };
    query_all(
        c,
        stmt,
        params![
            agency.to_string(),
            lowest(q.after.as_deref(), prefix),
            q.control_type,
            q.district,
            q.risk.map(|r| r.code()),
            a,
            b,
            q.limit
        ],
        |r| reg::object(r),
    )
}

#[async_trait::async_trait]
impl SearchStore for SqliteStore {
    async fn search_subjects(
        &self,
        agency: AgencyId,
        q: &SubjectSearch,
    ) -> StoreResult<Vec<Subject>> {
        let q = q.clone();
        self.read(move |c| search_subjects(c, agency, &q)).await
    }

    async fn search_objects(
        &self,
        agency: AgencyId,
        q: &ObjectSearch,
    ) -> StoreResult<Vec<ControlObject>> {
        let q = q.clone();
        self.read(move |c| search_objects(c, agency, &q)).await
    }

    async fn object_by_id(
        &self,
        agency: AgencyId,
        id: uuid::Uuid,
    ) -> StoreResult<Option<ControlObject>> {
        self.read(move |c| {
            query_opt(
                c,
                &sql::OBJECT_BY_ID,
                params![agency.to_string(), id.to_string()],
                |r| reg::object(r),
            )
        })
        .await
    }

    async fn objects_in_box(
        &self,
        agency: AgencyId,
        area: GeoBox,
        limit: u32,
    ) -> StoreResult<Vec<ControlObject>> {
        self.read(move |c| {
            query_all(
                c,
                &sql::OBJECTS_IN_BOX,
                params![
                    agency.to_string(),
                    area.lat.0,
                    area.lat.1,
                    area.lon.0,
                    area.lon.1,
                    limit
                ],
                |r| reg::object(r),
            )
        })
        .await
    }

    async fn risk_history(
        &self,
        agency: AgencyId,
        object: uuid::Uuid,
        limit: u32,
    ) -> StoreResult<Vec<RiskDecision>> {
        self.read(move |c| {
            query_all(
                c,
                &sql::RISK_HISTORY,
                params![agency.to_string(), object.to_string(), limit],
                |r| sql::risk_decision(r),
            )
        })
        .await
    }

    async fn object_inspections(
        &self,
        agency: AgencyId,
        object: uuid::Uuid,
        limit: u32,
    ) -> StoreResult<Vec<InspectionId>> {
        self.read(move |c| {
            query_all(
                c,
                &sql::OBJECT_INSPECTIONS,
                params![agency.to_string(), object.to_string(), limit],
                |r| r.id(0),
            )
        })
        .await
    }

    async fn districts(&self, agency: AgencyId, limit: u32) -> StoreResult<Vec<String>> {
        self.read(move |c| {
            query_all(
                c,
                &sql::DISTRICTS,
                params![agency.to_string(), limit],
                |r| r.text(0),
            )
        })
        .await
    }
}
