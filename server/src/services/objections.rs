//! Objections to a warning (ст.49 248-ФЗ): the subject files its position within the control
//! type's period from the day the warning reached it (the server's receipt of the warning's
//! record: from then the business reads it here); a late one is refused with its last day. A
//! reviewer decides within the consideration period: the warning withdrawn, or the objection
//! rejected with reasons. Every filing and decision is a record of the server's chain.

use knd_shared::RecordId;
use knd_shared::filings::objection::{Objection, ObjectionError, ObjectionStatus};
use knd_shared::record::RecordKind;
use knd_shared::record::kinds::{FilingDecided, FilingReceived};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use super::filings::{self, FilingState, Owed, Via};
use crate::error::{ApiError, ApiResult};
use crate::model::filings::{Filing, FilingKind, FilingStep, NewFiling, NewStep};
use crate::model::{Actor, ApiKey, User};
use crate::services::accounts;
use crate::services::policy::{self, Action};
use crate::state::AppState;
use crate::store::ServerRecord;

/// An objection as the business files it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewObjection {
    /// The warning's record id.
    #[schema(value_type = String)]
    pub warning: RecordId,
    /// The subject's position: why the warning is wrong (up to 20,000 characters).
    pub position: String,
    /// Documents supporting it: SHA-256 of files uploaded before.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// How to answer: an e-mail or a postal address.
    #[serde(default)]
    pub contact: Option<String>,
}

/// What an objection's body holds: the filer's content and the day the warning reached it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Body {
    warning: RecordId,
    position: String,
    attachments: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contact: Option<String>,
    #[serde(with = "knd_shared::calendar::iso_date")]
    warning_received_on: Date,
}

/// A reviewer's decision, as stored among the steps.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Decision {
    #[serde(with = "knd_shared::calendar::iso_date")]
    on: Date,
    withdraw_warning: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reasons: Option<String>,
}

fn objection_error(e: ObjectionError) -> ApiError {
    match e {
        ObjectionError::Late { .. } => ApiError::FilingLate(e.to_string()),
        ObjectionError::Decided => ApiError::Conflict(e.to_string()),
        ObjectionError::Calendar(c) => ApiError::Unprocessable(format!(
            "производственный календарь: {c} / the production calendar: {c}"
        )),
        other => ApiError::Unprocessable(other.to_string()),
    }
}

/// Files an objection to a warning addressed to the business.
pub async fn file(
    state: &AppState,
    key: &ApiKey,
    via: Via<'_>,
    req: NewObjection,
) -> ApiResult<(FilingState, bool)> {
    let idem = filings::idempotency(
        via,
        "objection",
        &serde_json::to_value(&req).unwrap_or_default(),
    )?;
    if let Some(done) = filings::retried(state, key, idem.as_ref()).await? {
        return Ok(done);
    }
    let position = filings::text_field("позиция", "the position", &req.position, 20_000)?;
    let contact =
        filings::opt_text_field("способ связи", "the contact", req.contact.as_deref(), 500)?;
    let attachments = filings::attachments(state, key, &req.attachments).await?;
    let warning = state
        .store
        .projected_document(req.warning)
        .await?
        .filter(|d| {
            d.kind == "warning"
                && !d.held_for_review
                && d.subject_inn.as_deref() == Some(key.subject_inn.as_str())
        })
        .ok_or_else(|| {
            ApiError::Unprocessable(
                "предостережение не найдено среди документов, направленных вам / \
                 no such warning among the documents addressed to you"
                    .into(),
            )
        })?;
    let record = state
        .store
        .get_record(req.warning)
        .await?
        .ok_or(ApiError::NotFound)?;
    let agency = record.agency.ok_or(ApiError::NotFound)?;
    let now = OffsetDateTime::now_utc();
    let today = state.zone.local_date(now);
    let warning_received_on = state.zone.local_date(record.received_at);
    let periods = filings::periods_for(state, agency, warning.inspection).await?;
    let objection = Objection::file(&state.calendar, &periods, warning_received_on, today)
        .map_err(objection_error)?;
    let body = Body {
        warning: req.warning,
        position,
        attachments,
        contact,
        warning_received_on,
    };
    let body = serde_json::to_value(&body).map_err(|e| ApiError::Internal(e.to_string()))?;
    let content = filings::content_sha256(&body)?;
    let due = objection
        .decision_due(&state.calendar, &periods)
        .map_err(|e| objection_error(e.into()))?;
    let id = Uuid::now_v7();
    let subject = knd_shared::Inn::parse(&key.subject_inn)
        .map_err(|e| ApiError::Internal(format!("api key inn: {e}")))?;
    let received = FilingReceived {
        filing: id,
        kind: "objection".into(),
        subject,
        of: None,
        target: Some(req.warning),
        content_sha256: content,
        received_on: today,
    };
    let filing = Filing {
        id,
        agency,
        subject_inn: key.subject_inn.clone(),
        api_key: key.id,
        kind: FilingKind::Objection,
        target_record: Some(req.warning),
        target_inspection: warning.inspection,
        target_filing: None,
        body,
        content_sha256: content,
        record: req.warning, // replaced by the store with the server's record
        received_at: now,
        received_on: today,
        status: "filed".into(),
        due_on: Some(due),
        steps: 0,
        updated_at: now,
    };
    let event = filings::event_data(&filing, "filed", None);
    let attachments = filings::carried(&filing.body);
    let new = NewFiling {
        filing,
        record: via.record(ServerRecord {
            kind: RecordKind::FilingReceived,
            body: serde_json::to_value(&received).map_err(|e| ApiError::Internal(e.to_string()))?,
        }),
        idempotency: idem,
        event,
        attachments,
        risk: None,
    };
    let stored = state.store.add_filing(&new, &state.server).await?;
    let (f, created) = filings::outcome(stored)?;
    Ok((filings::state_of(state, f).await?, created))
}

/// The objection a filing and its steps make.
fn objection_of(filing: &Filing, steps: &[FilingStep]) -> ApiResult<(Body, Objection)> {
    let body: Body = serde_json::from_value(filing.body.clone())
        .map_err(|e| ApiError::Internal(format!("objection body: {e}")))?;
    let mut o = Objection {
        warning_received: body.warning_received_on,
        filed_on: filing.received_on,
        status: ObjectionStatus::Filed,
    };
    for s in steps {
        let d: Decision = serde_json::from_value(s.step.clone())
            .map_err(|e| ApiError::Internal(format!("objection step: {e}")))?;
        o.decide(d.on, if d.withdraw_warning { None } else { d.reasons })
            .map_err(|e| ApiError::Internal(format!("objection step: {e}")))?;
    }
    Ok((body, o))
}

/// Replays an objection through its decision.
pub(super) async fn replay(
    state: &AppState,
    filing: Filing,
    steps: Vec<FilingStep>,
) -> ApiResult<FilingState> {
    let (body, o) = objection_of(&filing, &steps)?;
    let periods = filings::periods_for(state, filing.agency, filing.target_inspection).await?;
    let cal = &state.calendar;
    let filing_due = periods
        .objection_filing_due(cal, body.warning_received_on)
        .map_err(|e| objection_error(e.into()))?;
    let owed = match o.status {
        ObjectionStatus::Filed => vec![Owed {
            what: "decision",
            name_ru: "рассмотреть возражение",
            name_en: "decide the objection",
            due: o
                .decision_due(cal, &periods)
                .map_err(|e| objection_error(e.into()))?,
        }],
        _ => Vec::new(),
    };
    let (status_ru, status_en) = status_names(&o.status);
    Ok(FilingState {
        filing,
        steps,
        owed,
        filing_due,
        late: false,
        status_ru,
        status_en,
    })
}

fn status_names(s: &ObjectionStatus) -> (&'static str, &'static str) {
    match s {
        ObjectionStatus::Filed => ("подано, рассматривается", "filed, under consideration"),
        ObjectionStatus::WarningWithdrawn { .. } => (
            "удовлетворено: предостережение отозвано",
            "upheld: the warning is withdrawn",
        ),
        ObjectionStatus::Rejected { .. } => ("отклонено", "rejected"),
    }
}

/// The status names for lists, from the stored wire name.
pub fn status_names_of(status: &str) -> (&'static str, &'static str) {
    let on = Date::MIN;
    status_names(&match status {
        "warning_withdrawn" => ObjectionStatus::WarningWithdrawn { on },
        "rejected" => ObjectionStatus::Rejected {
            on,
            reasons: String::new(),
        },
        _ => ObjectionStatus::Filed,
    })
}

fn status_of(s: &ObjectionStatus) -> &'static str {
    match s {
        ObjectionStatus::Filed => "filed",
        ObjectionStatus::WarningWithdrawn { .. } => "warning_withdrawn",
        ObjectionStatus::Rejected { .. } => "rejected",
    }
}

/// A reviewer decides an objection: `withdraw_warning`, or reject it with `reasons`.
pub async fn decide(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: Uuid,
    withdraw_warning: bool,
    reasons: Option<&str>,
) -> ApiResult<FilingState> {
    let target = format!("filing:{id}");
    policy::require(
        state,
        user,
        address,
        Action::DecideFilings,
        "objection.decide",
        || target.clone(),
    )
    .await?;
    let current = agency_filing(state, user, id, FilingKind::Objection).await?;
    let reasons = match (withdraw_warning, reasons) {
        (true, _) => None,
        (false, r) => Some(
            filings::opt_text_field("причины", "the reasons", r, 20_000)?
                .ok_or_else(|| objection_error(ObjectionError::NoReasons))?,
        ),
    };
    let today = state.today();
    let (_, mut o) = objection_of(&current.filing, &current.steps)?;
    o.decide(today, reasons.clone()).map_err(objection_error)?;
    let decision = Decision {
        on: today,
        withdraw_warning,
        reasons: reasons.clone(),
    };
    let step = serde_json::to_value(&decision).map_err(|e| ApiError::Internal(e.to_string()))?;
    let (text_ru, text_en) = match &reasons {
        None => (
            "возражение удовлетворено, предостережение отозвано".to_owned(),
            "the objection is upheld and the warning withdrawn".to_owned(),
        ),
        Some(r) => (
            format!("возражение отклонено: {r}"),
            format!("the objection is rejected: {r}"),
        ),
    };
    let f = &current.filing;
    let body = FilingDecided {
        filing: f.id,
        kind: "objection".into(),
        subject: knd_shared::Inn::parse(&f.subject_inn)
            .map_err(|e| ApiError::Internal(format!("filing inn: {e}")))?,
        step: "decide".into(),
        on: today,
        decided_by: Some(user.id),
        detail: detail(&step),
        text_ru,
        text_en,
    };
    let status = status_of(&o.status);
    let mut audit = accounts::audit(
        Actor::User(user.id),
        Some(user.agency),
        "objection.decide",
        address,
    );
    audit.target = Some(target);
    audit.detail = Some(step.clone());
    let new = NewStep {
        filing: f.id,
        expected_steps: f.steps,
        step,
        by: Some(user.id),
        at: OffsetDateTime::now_utc(),
        record: ServerRecord {
            kind: RecordKind::FilingDecided,
            body: serde_json::to_value(&body).map_err(|e| ApiError::Internal(e.to_string()))?,
        }
        .into(),
        status: status.into(),
        due_on: None,
        idempotency: None,
        event: filings::event_data(f, status, Some("decide")),
        audit: Some(audit),
        attachments: Vec::new(),
        risk: None,
        then: Vec::new(),
    };
    let stored = state.store.add_filing_step(&new, &state.server).await?;
    let (f, _) = filings::outcome(stored)?;
    filings::state_of(state, f).await
}

/// A step's JSON as a record's detail (its members without `step`).
pub(super) fn detail(step: &Value) -> serde_json::Map<String, Value> {
    let mut m = step.as_object().cloned().unwrap_or_default();
    m.remove("step");
    m
}

/// A filing of the user's agency, of a kind (404 otherwise), read under `ReadFilings`.
pub async fn read(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: Uuid,
    kind: FilingKind,
) -> ApiResult<FilingState> {
    policy::require(
        state,
        user,
        address,
        Action::ReadFilings,
        "filing.read",
        || format!("filing:{id}"),
    )
    .await?;
    agency_filing(state, user, id, kind).await
}

/// A filing of the user's agency, of a kind (404 otherwise).
pub(super) async fn agency_filing(
    state: &AppState,
    user: &User,
    id: Uuid,
    kind: FilingKind,
) -> ApiResult<FilingState> {
    let f = state
        .store
        .filing(id)
        .await?
        .filter(|f| f.agency == user.agency && f.kind == kind)
        .ok_or(ApiError::NotFound)?;
    filings::state_of(state, f).await
}
