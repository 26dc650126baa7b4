//! Registry search and the object page's readers.

use knd_shared::{AgencyId, InspectionId};
use tokio_postgres::types::ToSql;

use super::PgStore;
use super::cols::{query_all, query_opt};
use crate::model::{ControlObject, Subject};
use crate::store::StoreResult;
use crate::store::cols::Cols as _;
use crate::store::search::{
    GeoBox, ObjectMatch, ObjectSearch, RiskDecision, SearchStore, SubjectMatch, SubjectSearch,
    lowest, prefix_end,
};
use crate::store::sql::registry as reg;
use crate::store::sql::search as sql;

/// A fragment as an `ILIKE` pattern: its wildcards and the escape character taken literally.
fn contains(fragment: &str) -> String {
    let mut p = String::with_capacity(fragment.len() + 2);
    p.push('%');
    for ch in fragment.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

#[async_trait::async_trait]
impl SearchStore for PgStore {
    async fn search_subjects(
        &self,
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
            SubjectMatch::Name(f) => (&sql::SUBJECTS_BY_NAME, Some(contains(f)), None),
        };
        let prefix = match &q.matching {
            SubjectMatch::InnPrefix(p) => Some(p.as_str()),
            _ => None,
        };
        let after = lowest(q.after.as_deref(), prefix);
        let limit = i64::from(q.limit);
        let params: &[&(dyn ToSql + Sync)] = &[&agency.as_uuid(), &after, &a, &b, &limit];
        query_all(&**self.client().await?, stmt, params, reg::subject).await
    }

    async fn search_objects(
        &self,
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
            ObjectMatch::Address(f) => (&sql::OBJECTS_BY_ADDRESS, Some(contains(f)), None),
            ObjectMatch::SubjectInn(inn) => (&sql::OBJECTS_OF_SUBJECT, Some(inn.clone()), None),
        };
        let prefix = match &q.matching {
            ObjectMatch::KeyPrefix(p) => Some(p.as_str()),
            _ => None,
        };
        let after = lowest(q.after.as_deref(), prefix);
        let risk = q.risk.map(|r| r.code());
        let limit = i64::from(q.limit);
        let params: &[&(dyn ToSql + Sync)] = &[
            &agency.as_uuid(),
            &after,
            &q.control_type,
            &q.district,
            &risk,
            &a,
            &b,
            &limit,
        ];
        query_all(&**self.client().await?, stmt, params, reg::object).await
    }

    async fn object_by_id(
        &self,
        agency: AgencyId,
        id: uuid::Uuid,
    ) -> StoreResult<Option<ControlObject>> {
        query_opt(
            &**self.client().await?,
            &sql::OBJECT_BY_ID,
            &[&agency.as_uuid(), &id],
            reg::object,
        )
        .await
    }

    async fn objects_in_box(
        &self,
        agency: AgencyId,
        area: GeoBox,
        limit: u32,
    ) -> StoreResult<Vec<ControlObject>> {
        query_all(
            &**self.client().await?,
            &sql::OBJECTS_IN_BOX,
            &[
                &agency.as_uuid(),
                &area.lat.0,
                &area.lat.1,
                &area.lon.0,
                &area.lon.1,
                &i64::from(limit),
            ],
            reg::object,
        )
        .await
    }

    async fn risk_history(
        &self,
        agency: AgencyId,
        object: uuid::Uuid,
        limit: u32,
    ) -> StoreResult<Vec<RiskDecision>> {
        query_all(
            &**self.client().await?,
            &sql::RISK_HISTORY,
            &[&agency.as_uuid(), &object, &i64::from(limit)],
            sql::risk_decision,
        )
        .await
    }

    async fn object_inspections(
        &self,
        agency: AgencyId,
        object: uuid::Uuid,
        limit: u32,
    ) -> StoreResult<Vec<InspectionId>> {
        query_all(
            &**self.client().await?,
            &sql::OBJECT_INSPECTIONS,
            &[&agency.as_uuid(), &object, &i64::from(limit)],
            |r| r.id(0),
        )
        .await
    }

    async fn districts(&self, agency: AgencyId, limit: u32) -> StoreResult<Vec<String>> {
        query_all(
            &**self.client().await?,
            &sql::DISTRICTS,
            &[&agency.as_uuid(), &i64::from(limit)],
            |r| r.text(0),
        )
        .await
    }
}
