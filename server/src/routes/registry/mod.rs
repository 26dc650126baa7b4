//! The registry: control types with their requirements and checklists, subjects and control
//! objects (one by one or imported from CSV), and risk decisions.

mod views;

use axum::body::Bytes;
use axum::extract::State;
use knd_shared::RiskCategory;
use knd_shared::registry::ControlTypeRules;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use self::views::{
    ChecklistView, ControlTypeView, ObjectPage, ObjectView, RequirementView, SubjectPage,
    SubjectView,
};
use super::paging::{NoFilter, Paged};
use crate::auth::Caller;
use crate::error::{ApiResult, Json, Path, Problem, Query};
use crate::model::{NewChecklistItem, Requirement};
use crate::services::registry::{self, ImportMode, ImportReport};
use crate::services::registry_reads as reads;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PutControlType {
    name: String,
    /// The regulation's rules; the defaults of DESIGN.md section 7 when absent.
    #[schema(value_type = Option<Object>)]
    rules: Option<ControlTypeRules>,
}

/// Creates or updates a control type of the agency, by its code (admins and planners).
#[utoipa::path(put, path = "/api/v1/control-types/{code}", tag = "registry", security(("session" = [])),
    params(("code" = String, Path)), request_body = PutControlType, responses(
    (status = 200, body = ControlTypeView), (status = 422, body = Problem),
))]
pub(super) async fn put_control_type(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    Json(req): Json<PutControlType>,
) -> ApiResult<Json<ControlTypeView>> {
    let t = registry::put_control_type(
        &state,
        &caller.user,
        &code,
        &req.name,
        req.rules.unwrap_or_default(),
        caller.address.as_deref(),
    )
    .await?;
    Ok(Json(t.into()))
}

/// The agency's control types.
#[utoipa::path(get, path = "/api/v1/control-types", tag = "registry", security(("session" = [])), responses(
    (status = 200, body = Vec<ControlTypeView>),
))]
pub(super) async fn list_control_types(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<ControlTypeView>>> {
    let types = reads::control_types(&state, &caller.user, caller.address.as_deref()).await?;
    Ok(Json(types.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct ImportQuery {
    /// `valid_rows` (default): import the valid rows, report the others; `all_or_nothing`.
    #[param(inline)]
    mode: Option<ImportMode>,
}

/// Imports subjects from CSV: `inn,ogrn,name,size_class`; re-importing an INN updates it.
#[utoipa::path(post, path = "/api/v1/import/subjects", tag = "registry", security(("session" = [])),
    params(ImportQuery), request_body(content = String, content_type = "text/csv"), responses(
    (status = 200, body = ImportReport), (status = 422, body = Problem),
))]
pub(super) async fn import_subjects(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    import(&state, &caller, Import::Subjects, q, &body).await
}

/// Imports control objects from CSV:
/// `object_key,subject_inn,control_type,address,district,lat,lon,risk_category`; re-importing an
/// object key updates it.
#[utoipa::path(post, path = "/api/v1/import/objects", tag = "registry", security(("session" = [])),
    params(ImportQuery), request_body(content = String, content_type = "text/csv"), responses(
    (status = 200, body = ImportReport), (status = 422, body = Problem),
))]
pub(super) async fn import_objects(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    import(&state, &caller, Import::Objects, q, &body).await
}

/// Which registry file an import carries.
#[derive(Clone, Copy)]
enum Import {
    Subjects,
    Objects,
}

/// Both imports: admins and planners only; the service checks and stores the rows.
async fn import(
    state: &AppState,
    caller: &Caller,
    what: Import,
    q: ImportQuery,
    body: &[u8],
) -> ApiResult<Json<ImportReport>> {
    let (mode, address) = (q.mode.unwrap_or_default(), caller.address.as_deref());
    let report = match what {
        Import::Subjects => {
            registry::import_subjects(state, &caller.user, body, mode, address).await?
        }
        Import::Objects => {
            registry::import_objects(state, &caller.user, body, mode, address).await?
        }
    };
    Ok(Json(report))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct DistrictFilter {
    /// Objects of one district only.
    district: Option<String>,
}

/// The agency's subjects in INN order (keyset pages).
#[utoipa::path(get, path = "/api/v1/subjects", tag = "registry", security(("session" = [])), params(Paged<NoFilter, 1000>), responses(
    (status = 200, body = SubjectPage),
))]
pub(super) async fn list_subjects(
    State(state): State<AppState>,
    caller: Caller,
    page: Paged<NoFilter, 1000>,
) -> ApiResult<Json<SubjectPage>> {
    let rows = reads::subjects(
        &state,
        &caller.user,
        caller.address.as_deref(),
        page.after.as_deref(),
        page.limit,
    )
    .await?;
    let next = page.next(&rows, |s| s.inn.clone());
    Ok(Json(SubjectPage {
        items: rows.into_iter().map(Into::into).collect(),
        next,
    }))
}

/// Creates or updates one subject by INN (admins and planners).
#[utoipa::path(put, path = "/api/v1/subjects/{inn}", tag = "registry", security(("session" = [])),
    params(("inn" = String, Path)), request_body = crate::services::registry_one::SubjectForm,
    responses((status = 200, body = SubjectView), (status = 422, body = Problem)))]
pub(super) async fn put_subject(
    State(state): State<AppState>,
    caller: Caller,
    Path(inn): Path<String>,
    Json(form): Json<crate::services::registry_one::SubjectForm>,
) -> ApiResult<Json<SubjectView>> {
    let s = crate::services::registry_one::put_subject(
        &state,
        &caller.user,
        &inn,
        form,
        caller.address.as_deref(),
    )
    .await?;
    Ok(Json(s.into()))
}

/// Creates or updates one control object by key (admins and planners).
#[utoipa::path(put, path = "/api/v1/objects/{key}", tag = "registry", security(("session" = [])),
    params(("key" = String, Path)), request_body = crate::services::registry_one::ObjectForm,
    responses((status = 200, body = ObjectView), (status = 422, body = Problem)))]
pub(super) async fn put_object(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Json(form): Json<crate::services::registry_one::ObjectForm>,
) -> ApiResult<Json<ObjectView>> {
    let o = crate::services::registry_one::put_object(
        &state,
        &caller.user,
        &key,
        form,
        caller.address.as_deref(),
    )
    .await?;
    Ok(Json(o.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RiskDecision {
    #[schema(value_type = String, example = "significant")]
    category: RiskCategory,
    #[serde(with = "knd_shared::calendar::iso_date")]
    #[schema(value_type = String, format = Date)]
    decided_on: time::Date,
    /// The factors: severity of potential harm, probability of non-compliance, conscientiousness.
    reason: String,
    /// Replaces the object's attributes when given (a JSON object).
    #[schema(value_type = Option<Object>)]
    attributes: Option<serde_json::Value>,
}

/// Records a risk-category decision on an object, with its date and reasons (admins, planners).
#[utoipa::path(put, path = "/api/v1/objects/{key}/risk", tag = "registry", security(("session" = [])),
    params(("key" = String, Path)), request_body = RiskDecision, responses(
    (status = 200, body = ObjectView), (status = 422, body = Problem),
))]
pub(super) async fn decide_risk(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    Json(req): Json<RiskDecision>,
) -> ApiResult<Json<ObjectView>> {
    let o = registry::decide_risk(
        &state,
        &caller.user,
        &key,
        req.category,
        req.decided_on,
        &req.reason,
        req.attributes,
        caller.address.as_deref(),
    )
    .await?;
    Ok(Json(o.into()))
}

/// The agency's control objects in key order (keyset pages), optionally of one district.
#[utoipa::path(get, path = "/api/v1/objects", tag = "registry", security(("session" = [])), params(Paged<DistrictFilter, 1000>), responses(
    (status = 200, body = ObjectPage),
))]
pub(super) async fn list_objects(
    State(state): State<AppState>,
    caller: Caller,
    page: Paged<DistrictFilter, 1000>,
) -> ApiResult<Json<ObjectPage>> {
    let q = reads::ObjectQuery {
        district: page.filter.district.as_deref(),
        after: page.after.as_deref(),
        limit: page.limit,
    };
    let rows = reads::objects(&state, &caller.user, caller.address.as_deref(), q).await?;
    let next = page.next(&rows, |o| o.object_key.clone());
    Ok(Json(ObjectPage {
        items: rows.into_iter().map(Into::into).collect(),
        next,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PutRequirement {
    text: String,
    legal_act: String,
    article: String,
}

/// Creates or updates a mandatory requirement of a control type (admins and planners).
#[utoipa::path(put, path = "/api/v1/control-types/{code}/requirements/{requirement}", tag = "registry",
    security(("session" = [])), params(("code" = String, Path), ("requirement" = String, Path)),
    request_body = PutRequirement, responses((status = 200, body = RequirementView)))]
pub(super) async fn put_requirement(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, requirement)): Path<(String, String)>,
    Json(req): Json<PutRequirement>,
) -> ApiResult<Json<RequirementView>> {
    let r = Requirement {
        code: requirement,
        text: req.text,
        legal_act: req.legal_act,
        article: req.article,
    };
    let r = registry::put_requirement(&state, &caller.user, &code, r, caller.address.as_deref())
        .await?;
    Ok(Json(r.into()))
}

/// The requirements of a control type.
#[utoipa::path(get, path = "/api/v1/control-types/{code}/requirements", tag = "registry",
    security(("session" = [])), params(("code" = String, Path)), responses((status = 200, body = Vec<RequirementView>)))]
pub(super) async fn list_requirements(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<RequirementView>>> {
    let list = reads::requirements(&state, &caller.user, caller.address.as_deref(), &code).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PutChecklist {
    name: String,
    /// In order; each names a requirement of the control type by its code.
    items: Vec<NewChecklistItem>,
}

/// Creates or replaces a checklist of a control type (admins and planners).
#[utoipa::path(put, path = "/api/v1/control-types/{code}/checklists/{checklist}", tag = "registry",
    security(("session" = [])), params(("code" = String, Path), ("checklist" = String, Path)),
    request_body = PutChecklist, responses((status = 200, body = ChecklistView), (status = 422, body = Problem)))]
pub(super) async fn put_checklist(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, checklist)): Path<(String, String)>,
    Json(req): Json<PutChecklist>,
) -> ApiResult<Json<ChecklistView>> {
    let c = registry::put_checklist(
        &state,
        &caller.user,
        &code,
        &checklist,
        &req.name,
        req.items,
        caller.address.as_deref(),
    )
    .await?;
    Ok(Json(c.into()))
}

/// A checklist with its items and their requirements.
#[utoipa::path(get, path = "/api/v1/control-types/{code}/checklists/{checklist}", tag = "registry",
    security(("session" = [])), params(("code" = String, Path), ("checklist" = String, Path)),
    responses((status = 200, body = ChecklistView)))]
pub(super) async fn get_checklist(
    State(state): State<AppState>,
    caller: Caller,
    Path((code, checklist)): Path<(String, String)>,
) -> ApiResult<Json<ChecklistView>> {
    let address = caller.address.as_deref();
    let c = reads::checklist(&state, &caller.user, address, &code, &checklist).await?;
    Ok(Json(c.into()))
}
