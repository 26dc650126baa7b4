//! Pull's batched reads (statements in `store/sql/pull.rs`). A call's statements go out together
//! on one connection (tokio-postgres pipelines them), so a call costs about one round trip
//! whatever the page's size; each is prepared once per connection.

use knd_shared::{AgencyId, InspectionId};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

use super::PgStore;
use super::cols::Params;
use super::db_err;
use crate::model::Inspection;
use crate::store::StoreResult;
use crate::store::pull::{PageDetails, PullStore, Wanted, complete};
use crate::store::sql::{Sql, pull as sql, registry};

/// Every row of a statement, prepared once per pooled connection.
async fn rows(
    c: &deadpool_postgres::Object,
    sql: &Sql,
    params: Params<'_>,
) -> StoreResult<Vec<Row>> {
    let statement = c.prepare_cached(sql.pg()).await.map_err(db_err)?;
    c.query(&statement, params).await.map_err(db_err)
}

/// The parameters of one statement, held while the statements of a call run together.
type Param<'a, const N: usize> = [&'a (dyn ToSql + Sync); N];

fn mapped<T>(rows: &[Row], map: impl Fn(&Row) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(map).collect()
}

/// Fills the lists (objects, inspectors, further subjects) of the inspections `found`, three
/// statements sent together whatever their number, and gives them back in the order of `ids`.
/// The list endpoint uses it too, so no list reads three statements per row.
pub(super) async fn with_lists_of(
    c: &impl tokio_postgres::GenericClient,
    ids: &[InspectionId],
    found: Vec<Inspection>,
) -> StoreResult<Vec<Inspection>> {
    let set: Vec<uuid::Uuid> = ids.iter().map(|i| i.as_uuid()).collect();
    let by_set: Param<'_, 1> = [&set];
    let (objects, inspectors, others) = tokio::try_join!(
        c.query(sql::INSPECTION_OBJECTS.pg.pg(), &by_set),
        c.query(sql::INSPECTORS.pg.pg(), &by_set),
        c.query(sql::OTHER_SUBJECTS.pg.pg(), &by_set),
    )
    .map_err(db_err)?;
    Ok(complete(
        ids,
        found,
        mapped(&objects, sql::listed)?,
        mapped(&inspectors, sql::inspector)?,
        mapped(&others, sql::listed)?,
    ))
}

#[async_trait::async_trait]
impl PullStore for PgStore {
    async fn inspections_by_ids(
        &self,
        agency: AgencyId,
        ids: &[InspectionId],
    ) -> StoreResult<Vec<Inspection>> {
        let c = self.client().await?;
        let set: Vec<uuid::Uuid> = ids.iter().map(|i| i.as_uuid()).collect();
        let agency = agency.as_uuid();
        let (by_set, by_set_in_agency): (Param<'_, 1>, Param<'_, 2>) = ([&set], [&set, &agency]);
        let (found, objects, inspectors, others) = tokio::try_join!(
            rows(&c, &sql::INSPECTIONS.pg, &by_set_in_agency),
            rows(&c, &sql::INSPECTION_OBJECTS.pg, &by_set),
            rows(&c, &sql::INSPECTORS.pg, &by_set),
            rows(&c, &sql::OTHER_SUBJECTS.pg, &by_set),
        )?;
        Ok(complete(
            ids,
            mapped(&found, sql::inspection)?,
            mapped(&objects, sql::listed)?,
            mapped(&inspectors, sql::inspector)?,
            mapped(&others, sql::listed)?,
        ))
    }

    async fn page_details(
        &self,
        agency: AgencyId,
        inspections: &[Inspection],
        history_limit: u32,
    ) -> StoreResult<PageDetails> {
        let c = self.client().await?;
        let wanted = Wanted::of(inspections);
        let agency = agency.as_uuid();
        let limit = i64::from(history_limit);
        let objects: Param<'_, 2> = [&wanted.objects, &agency];
        let subjects: Param<'_, 2> = [&wanted.inns, &agency];
        let violations: Param<'_, 3> = [&wanted.inspections, &agency, &limit];
        let orders: Param<'_, 3> = [&wanted.main_inns, &agency, &limit];
        let (objects, subjects, violations, orders) = tokio::try_join!(
            rows(&c, &sql::OBJECTS.pg, &objects),
            rows(&c, &sql::SUBJECTS.pg, &subjects),
            rows(&c, &sql::PAST_VIOLATIONS.pg, &violations),
            rows(&c, &sql::ORDERS.pg, &orders),
        )?;
        Ok(PageDetails::from_rows(
            mapped(&objects, registry::object)?,
            mapped(&subjects, registry::subject)?,
            mapped(&violations, sql::past_violation)?,
            mapped(&orders, sql::document)?,
        ))
    }
}
