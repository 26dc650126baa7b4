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
    prefix_end,
};
use crate::store::sql::registry as reg;
use crate::store::sql::search as sql;

/// A fragment as an FTS5 phrase: quoted, its quotes doubled, so that nothing in it is syntax.
fn phrase(fragment: &str) -> String {
    format!("\"{}\"", fragment.replace('"', "\"\""))
}

fn search_subjects(
    c: &Connection,
    agency: AgencyId,
    q: &SubjectSearch,
) -> StoreResult<Vec<Subject>> {
    let (stmt, a, b) = match &q.matching {
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
        SubjectMatch::Name(f) => (&sql::SUBJECTS_BY_NAME, Some(phrase(f)), None),
    };
    query_all(
        c,
        stmt,
        params![
            agency.to_string(),
            q.after.as_deref().unwrap_or(""),
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
    let (stmt, a, b) = match &q.matching {
        ObjectMatch::All => (&sql::OBJECTS_ALL, None, None),
        ObjectMatch::KeyPrefix(p) => (
            &sql::OBJECTS_BY_KEY_PREFIX,
            Some(p.clone()),
            Some(prefix_end(p)),
        ),
        ObjectMatch::Address(f) => (&sql::OBJECTS_BY_ADDRESS, Some(phrase(f)), None),
        ObjectMatch::SubjectInn(inn) => (&sql::OBJECTS_OF_SUBJECT, Some(inn.clone()), None),
    };
    query_all(
        c,
        stmt,
        params![
            agency.to_string(),
            q.after.as_deref().unwrap_or(""),
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
