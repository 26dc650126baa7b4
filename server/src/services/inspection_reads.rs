//! What console users read of inspections: lists, field data and review flags, each narrowed by
//! the policy (an inspector sees the inspections assigned to them).

use knd_shared::{InspectionId, RecordId};
use time::Date;

use crate::error::{ApiError, ApiResult};
use crate::model::{FieldData, Inspection, InspectionFilter, ReviewFlag, User};
use crate::services::policy::{self, Action, Scope};
use crate::state::AppState;

/// An inspection of the user's agency that the user may see; 404 otherwise.
pub async fn get(state: &AppState, user: &User, id: InspectionId) -> ApiResult<Inspection> {
    let insp = state
        .store
        .get_inspection(Some(user.agency), id)
        .await?
        .ok_or(ApiError::NotFound)?;
    match policy::scope(user, Action::ReadInspection) {
        Scope::Own(me) if !insp.inspectors.contains(&me) => Err(ApiError::NotFound),
        _ => Ok(insp),
    }
}

/// The agency's inspections by start date after `after`, filtered; an inspector's filter is
/// always their own.
pub async fn list(
    state: &AppState,
    user: &User,
    mut filter: InspectionFilter,
    after: Option<(Date, InspectionId)>,
    limit: u32,
) -> ApiResult<Vec<Inspection>> {
    if let Scope::Own(me) = policy::scope(user, Action::ReadInspection) {
        filter.inspector = Some(me);
    }
    Ok(state
        .store
        .list_inspections(user.agency, &filter, after, limit)
        .await?)
}

/// What field devices recorded for an inspection the user may see.
pub async fn field(state: &AppState, user: &User, id: InspectionId) -> ApiResult<FieldData> {
    let insp = get(state, user, id).await?;
    Ok(state.store.field_data(insp.id).await?)
}

/// The agency's review flags by record id after `after`.
pub async fn review_flags(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    after: Option<RecordId>,
    limit: u32,
) -> ApiResult<Vec<ReviewFlag>> {
    policy::require(
        state,
        user,
        address,
        Action::ReadReviewFlags,
        "review_flags.list",
        || "review_flags".into(),
    )
    .await?;
    Ok(state.store.review_flags(user.agency, after, limit).await?)
}

/// The agency's inspectors: whom an inspection may be assigned to, and whose names the
/// inspection pages show (any user who reads inspections sees who works on them).
pub async fn inspectors(state: &AppState, user: &User) -> ApiResult<Vec<User>> {
    if !Action::ReadInspection.allows(user.role) {
        return Err(policy::forbidden(user.role));
    }
    let mut all = state.store.list_users(user.agency).await?;
    all.retain(|u| u.role == crate::model::Role::Inspector);
    all.sort_by(|a, b| a.login.cmp(&b.login));
    Ok(all)
}

/// The last working day of the kind's term (ст.70–73) for an inspection starting on
/// `starts_on` at `places` objects: the day [`super::inspections::check_term`] counts up to.
/// `None` when the kind has no term in working days, or the calendar does not reach it.
pub fn last_working_day(
    calendar: &knd_shared::calendar::Calendar,
    kind: knd_shared::InspectionKind,
    places: usize,
    starts_on: Date,
) -> Option<Date> {
    let max = kind.max_working_days(places)?;
    calendar
        .add_working_days(starts_on.previous_day()?, max)
        .ok()
}

/// The statuses an inspection the user may see has had, with when each began, oldest first.
pub async fn status_history(
    state: &AppState,
    user: &User,
    id: InspectionId,
) -> ApiResult<Vec<(crate::model::InspectionStatus, time::OffsetDateTime)>> {
    let insp = get(state, user, id).await?;
    Ok(state.store.status_history(insp.id).await?)
}
