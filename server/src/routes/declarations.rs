//! Self-assessment and declarations of compliance (ст.51): the questionnaire and the filings of
//! a business, a reviewer's steps, and the public registry of declarations in force.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::filing_views::FilingView;
use super::filings::{answer, idempotency_key, view};
use crate::auth::{Business, Caller};
use crate::error::{ApiResult, Json, Path, Problem};
use crate::model::Requirement;
use crate::services::declarations::{self, DeclarationStep, NewDeclaration, NewSelfAssessment};
use crate::services::filings::Via;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(super) struct QuestionnaireQuery {
    /// The agency (whose registry has the business).
    agency: Uuid,
    /// The control type's code.
    control_type: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct QuestionnaireView {
    agency: Uuid,
    control_type: String,
    /// The share of applicable requirements, in percent, a declaration needs complied with.
    threshold_percent: u32,
    /// Every requirement to answer: `complied`, `not_complied` or `not_applicable`.
    items: Vec<Requirement>,
}

/// The self-assessment questionnaire of a control type: its requirements.
#[utoipa::path(get, path = "/api/v1/business/questionnaire", tag = "business", security(("api_key" = [])),
    params(QuestionnaireQuery), responses((status = 200, body = QuestionnaireView), (status = 401, body = Problem),
    (status = 404, body = Problem, description = "the agency has no such control type or does not register the business")))]
pub(super) async fn questionnaire(
    State(state): State<AppState>,
    Business(key): Business,
    Query(q): Query<QuestionnaireQuery>,
) -> ApiResult<Json<QuestionnaireView>> {
    let agency = knd_shared::AgencyId::from(q.agency);
    let got = declarations::questionnaire(&state, &key, agency, &q.control_type).await?;
    Ok(Json(QuestionnaireView {
        agency: q.agency,
        control_type: got.control_type,
        threshold_percent: got.threshold_percent,
        items: got.items,
    }))
}

/// Files a self-assessment: every requirement answered once; the answer says whether it
/// qualifies for a declaration.
#[utoipa::path(post, path = "/api/v1/business/self-assessments", tag = "business", security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header)), request_body = NewSelfAssessment, responses(
    (status = 201, body = FilingView), (status = 200, body = FilingView, description = "a retry"),
    (status = 401, body = Problem), (status = 404, body = Problem),
    (status = 422, body = Problem, description = "a requirement unanswered, answered twice or unknown"),
))]
pub(super) async fn file_self_assessment(
    State(state): State<AppState>,
    Business(key): Business,
    headers: HeaderMap,
    Json(req): Json<NewSelfAssessment>,
) -> ApiResult<(StatusCode, Json<FilingView>)> {
    let done =
        declarations::file_self_assessment(&state, &key, Via::Api(idempotency_key(&headers)?), req)
            .await?;
    answer(&state, done).await
}

/// Files a declaration of compliance on a qualifying self-assessment.
#[utoipa::path(post, path = "/api/v1/business/declarations", tag = "business", security(("api_key" = [])),
    params(("Idempotency-Key" = Option<String>, Header)), request_body = NewDeclaration, responses(
    (status = 201, body = FilingView), (status = 200, body = FilingView, description = "a retry"),
    (status = 401, body = Problem),
    (status = 422, body = Problem, description = "no such self-assessment, or it does not qualify"),
))]
pub(super) async fn file_declaration(
    State(state): State<AppState>,
    Business(key): Business,
    headers: HeaderMap,
    Json(req): Json<NewDeclaration>,
) -> ApiResult<(StatusCode, Json<FilingView>)> {
    let done =
        declarations::file_declaration(&state, &key, Via::Api(idempotency_key(&headers)?), req)
            .await?;
    answer(&state, done).await
}

/// A reviewer's step on a declaration: register it (in force one year; an earlier one of the
/// business for the control type is replaced), refuse it, or annul a registered one.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/steps", tag = "filings", security(("session" = [])),
    params(("id" = Uuid, Path)), request_body = DeclarationStep, responses(
    (status = 200, body = FilingView), (status = 403, body = Problem), (status = 404, body = Problem),
    (status = 409, body = Problem, description = "decided already"),
    (status = 422, body = Problem, description = "reasons missing"),
))]
pub(super) async fn declaration_step(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<DeclarationStep>,
) -> ApiResult<Json<FilingView>> {
    let s = declarations::step(&state, &caller.user, caller.address.as_deref(), id, &req).await?;
    view(&state, s).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(super) struct RegistryQuery {
    /// The business's ИНН.
    inn: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct DeclarationInForce {
    id: Uuid,
    subject_inn: String,
    control_type: String,
    #[schema(value_type = String, format = Date)]
    registered_on: String,
    #[schema(value_type = String, format = Date)]
    valid_until: String,
    /// The server's record of the registration (`/verify/{record}` checks it).
    record: Option<String>,
}

/// The public registry: a business's declarations of compliance in force today.
#[utoipa::path(get, path = "/api/v1/declarations/registry", tag = "filings",
    params(RegistryQuery), responses((status = 200, body = Vec<DeclarationInForce>)))]
pub(super) async fn registry(
    State(state): State<AppState>,
    Query(q): Query<RegistryQuery>,
) -> ApiResult<Json<Vec<DeclarationInForce>>> {
    let iso = knd_shared::calendar::iso_date::format;
    let rows = declarations::in_force(&state, q.inn.trim(), state.today()).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (f, until) in rows {
        let steps = state.store.filing_steps(f.id).await?;
        let registration = steps
            .iter()
            .find(|s| s.step.get("step").and_then(serde_json::Value::as_str) == Some("register"));
        out.push(DeclarationInForce {
            id: f.id,
            subject_inn: f.subject_inn,
            control_type: f
                .body
                .get("control_type")
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            registered_on: registration.map(|s| iso(s.at.date())).unwrap_or_default(),
            valid_until: iso(until),
            record: registration.map(|s| s.record.to_string()),
        });
    }
    Ok(Json(out))
}
