//! Pre-trial appeals (гл.9 248-ФЗ, ст.39–43): filed by the business with the content of ст.41
//! about an act, an order, a decision to hold a measure, officials' actions or an earlier
//! appeal's decision; a late appeal without a request to restore the period is refused at once
//! with its last day. The agency's steps (register or refuse on a ground of ст.42, restoration,
//! suspension, one extension, requests for information, the decision of ч.6 ст.43) and the
//! filer's (withdrawal, answers) follow `knd_shared::filings::appeal::Appeal`, which refuses a
//! step the law does not allow; each is a record of the server's chain, and the filer hears of
//! it through its event feed in the same transaction (so the notices are never owed late).

use knd_shared::filings::appeal::{self, Appeal, AppealError, Filed, Owed as LawOwed, Step};
use knd_shared::filings::deadlines::Periods;
use knd_shared::filings::{AppealOutcome, Appealed, RefusalGround};
use knd_shared::record::RecordKind;
use knd_shared::record::kinds::FilingReceived;
use knd_shared::{InspectionId, RecordId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use super::filings::{self, FilingState, Owed, Via};
use crate::error::{ApiError, ApiResult};
use crate::model::ApiKey;
use crate::model::filings::{Filing, FilingKind, FilingStep, NewFiling};
use crate::state::AppState;
use crate::store::ServerRecord;

/// Who acts for the filer, and the document that gives the authority (ст.41).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Representative {
    pub name: String,
    /// E.g. «доверенность от 01.12.2026 № 15».
    pub authority: String,
}

/// An appeal as the business files it (the content of ст.41).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAppeal {
    /// What is appealed: `measure_decision`, `act`, `order`, `officials_actions`,
    /// `appeal_decision`.
    #[schema(value_type = String)]
    pub appealed: Appealed,
    /// The act's or order's record id (for `act`, `order`).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub record: Option<RecordId>,
    /// The inspection (for `measure_decision`, `officials_actions`).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub inspection: Option<InspectionId>,
    /// The earlier appeal whose decision is appealed (for `appeal_decision`).
    #[serde(default)]
    pub appeal: Option<Uuid>,
    /// The filer: the organisation's or the person's name.
    pub filer: String,
    #[serde(default)]
    pub representative: Option<Representative>,
    /// The official whose decision or actions are appealed, if known.
    #[serde(default)]
    pub official: Option<String>,
    /// How to answer: an e-mail or a postal address.
    pub contact: String,
    /// When the filer learned or should have learned of the violation of its rights (for an
    /// order, when it received it). For a document given here, the day it reached the business
    /// by default.
    #[serde(default, with = "knd_shared::calendar::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub learned_on: Option<Date>,
    /// The grounds and arguments.
    pub grounds: String,
    /// Supporting documents: SHA-256 of files uploaded before.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// Why the period was missed: a request to restore it (ч.7 ст.40).
    #[serde(default)]
    pub restoration_reason: Option<String>,
    /// A request to suspend the appealed decision.
    #[serde(default)]
    pub suspension_requested: bool,
}

/// An appeal's stored body: the filer's content with the first day counted resolved.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Body {
    appealed: Appealed,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    record: Option<RecordId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inspection: Option<InspectionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    appeal: Option<Uuid>,
    filer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    representative: Option<Representative>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    official: Option<String>,
    contact: String,
    #[serde(with = "knd_shared::calendar::iso_date")]
    learned_on: Date,
    grounds: String,
    attachments: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    restoration_reason: Option<String>,
    suspension_requested: bool,
}

/// What the notices owe is sent in the transaction of the decision (the filer's feed), so
/// they are never owed afterwards.
const SENT: [LawOwed; 2] = [LawOwed::SuspensionNotice, LawOwed::DecisionNotice];

pub(super) fn appeal_error(e: AppealError) -> ApiError {
    match e {
        AppealError::LateNotRestored { .. } => ApiError::FilingLate(e.to_string()),
        AppealError::Closed | AppealError::AlreadyRegistered => ApiError::Conflict(e.to_string()),
        AppealError::Calendar(c) => ApiError::Unprocessable(format!(
            "производственный календарь: {c} / the production calendar: {c}"
        )),
        other => ApiError::Unprocessable(other.to_string()),
    }
}

pub(super) fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

fn not_yours(what_ru: &str, what_en: &str) -> ApiError {
    ApiError::Unprocessable(format!(
        "{what_ru} не найден(о) среди направленного вам / no such {what_en} addressed to you"
    ))
}

/// Where an appeal goes and from which day it counts: the agency, the inspection (for the
/// control type's periods) and the day the document reached the business.
struct Target {
    agency: knd_shared::AgencyId,
    inspection: Option<InspectionId>,
    reached_on: Option<Date>,
}

async fn target(state: &AppState, key: &ApiKey, req: &NewAppeal) -> ApiResult<Target> {
    let inn = key.subject_inn.as_str();
    match req.appealed {
        Appealed::Act | Appealed::Order => {
            let kind = if req.appealed == Appealed::Act {
                "act"
            } else {
                "order"
            };
            let id = req.record.ok_or_else(|| {
                ApiError::Unprocessable(
                    "укажите запись обжалуемого документа (record) / name the appealed document's record".into(),
                )
            })?;
            let doc = state
                .store
                .projected_document(id)
                .await?
                .filter(|d| {
                    d.kind == kind && !d.held_for_review && d.subject_inn.as_deref() == Some(inn)
                })
                .ok_or_else(|| not_yours("документ", "document"))?;
            let record = state
                .store
                .get_record(id)
                .await?
                .ok_or(ApiError::NotFound)?;
            Ok(Target {
                agency: record.agency.ok_or(ApiError::NotFound)?,
                inspection: doc.inspection,
                reached_on: Some(state.zone.local_date(record.received_at)),
            })
        }
        Appealed::MeasureDecision | Appealed::OfficialsActions => {
            let id = req.inspection.ok_or_else(|| {
                ApiError::Unprocessable(
                    "укажите контрольное мероприятие (inspection) / name the control measure (inspection)".into(),
                )
            })?;
            let i = state
                .store
                .get_inspection(None, id)
                .await?
                .filter(|i| i.subject_inn == inn || i.other_subjects.iter().any(|(_, o)| o == inn))
                .ok_or_else(|| not_yours("контрольное мероприятие", "control measure"))?;
            Ok(Target {
                agency: i.agency,
                inspection: Some(i.id),
                reached_on: None,
            })
        }
        Appealed::AppealDecision => {
            let id = req.appeal.ok_or_else(|| {
                ApiError::Unprocessable(
                    "укажите жалобу, решение по которой обжалуется (appeal) / name the appeal whose decision is appealed".into(),
                )
            })?;
            let earlier = state
                .store
                .filing(id)
                .await?
                .filter(|f| f.subject_inn == inn && f.kind == FilingKind::Appeal)
                .ok_or_else(|| not_yours("жалоба", "appeal"))?;
            if !matches!(earlier.status.as_str(), "decided" | "refused") {
                return Err(ApiError::Unprocessable(
                    "по этой жалобе ещё нет решения / the appeal is not decided yet".into(),
                ));
            }
            Ok(Target {
                agency: earlier.agency,
                inspection: earlier.target_inspection,
                reached_on: Some(state.zone.local_date(earlier.updated_at)),
            })
        }
    }
}

/// Files an appeal.
pub async fn file(
    state: &AppState,
    key: &ApiKey,
    via: Via<'_>,
    req: NewAppeal,
) -> ApiResult<(FilingState, bool)> {
    let idem = filings::idempotency(
        via,
        "appeal",
        &serde_json::to_value(&req).map_err(internal)?,
    )?;
    if let Some(done) = filings::retried(state, key, idem.as_ref()).await? {
        return Ok(done);
    }
    let filer = filings::text_field("заявитель", "the filer", &req.filer, 500)?;
    let contact = filings::text_field("способ связи", "the contact", &req.contact, 500)?;
    let grounds = filings::text_field("доводы жалобы", "the grounds", &req.grounds, 50_000)?;
    let official = filings::opt_text_field(
        "должностное лицо",
        "the official",
        req.official.as_deref(),
        500,
    )?;
    let restoration_reason = filings::opt_text_field(
        "причина пропуска срока",
        "the reason the period was missed",
        req.restoration_reason.as_deref(),
        5_000,
    )?;
    let representative = match &req.representative {
        None => None,
        Some(r) => Some(Representative {
            name: filings::text_field("представитель", "the representative", &r.name, 500)?,
            authority: filings::text_field(
                "документ о полномочиях представителя",
                "the representative's authority",
                &r.authority,
                500,
            )?,
        }),
    };
    let attachments = filings::attachments(state, key, &req.attachments).await?;
    let t = target(state, key, &req).await?;
    let now = OffsetDateTime::now_utc();
    let today = state.zone.local_date(now);
    let learned_on = match (req.learned_on, t.reached_on) {
        (Some(d), _) | (None, Some(d)) => d,
        (None, None) => {
            return Err(ApiError::Unprocessable(
                "укажите, когда вы узнали о нарушении своих прав (learned_on) / \
                 say when you learned of the violation of your rights (learned_on)"
                    .into(),
            ));
        }
    };
    if learned_on > today {
        return Err(ApiError::Unprocessable(
            "дата, когда вы узнали о нарушении, не может быть в будущем / learned_on is in the future".into(),
        ));
    }
    let periods = filings::periods_for(state, t.agency, t.inspection).await?;
    let appeal = Appeal::new(Filed {
        appealed: req.appealed,
        learned_on,
        received_on: today,
        restoration_requested: restoration_reason.is_some(),
        suspension_requested: req.suspension_requested,
    });
    if appeal
        .late(&state.calendar, &periods)
        .map_err(|e| appeal_error(e.into()))?
        && restoration_reason.is_none()
    {
        let due = appeal
            .filing_due(&state.calendar, &periods)
            .map_err(|e| appeal_error(e.into()))?;
        return Err(ApiError::FilingLate(format!(
            "жалоба подаётся после срока: последний день был {due}; приложите ходатайство о восстановлении срока \
             (restoration_reason) / the appeal is late: the last day was {due}; add a request to restore the \
             period (restoration_reason)"
        )));
    }
    let body = Body {
        appealed: req.appealed,
        record: req
            .record
            .filter(|_| matches!(req.appealed, Appealed::Act | Appealed::Order)),
        inspection: t.inspection,
        appeal: req
            .appeal
            .filter(|_| req.appealed == Appealed::AppealDecision),
        filer,
        representative,
        official,
        contact,
        learned_on,
        grounds,
        attachments,
        restoration_reason,
        suspension_requested: req.suspension_requested,
    };
    let body = serde_json::to_value(&body).map_err(internal)?;
    let content = filings::content_sha256(&body)?;
    let owed = owed(&appeal, &state.calendar, &periods, today)?;
    let id = Uuid::now_v7();
    let received = FilingReceived {
        filing: id,
        kind: "appeal".into(),
        subject: knd_shared::Inn::parse(&key.subject_inn).map_err(internal)?,
        of: None,
        target: req.record,
        content_sha256: content,
        received_on: today,
    };
    let filing = Filing {
        id,
        agency: t.agency,
        subject_inn: key.subject_inn.clone(),
        api_key: key.id,
        kind: FilingKind::Appeal,
        target_record: req
            .record
            .filter(|_| matches!(req.appealed, Appealed::Act | Appealed::Order)),
        target_inspection: t.inspection,
        target_filing: req
            .appeal
            .filter(|_| req.appealed == Appealed::AppealDecision),
        body,
        content_sha256: content,
        record: RecordId::from(id),
        received_at: now,
        received_on: today,
        status: appeal.status.as_str().into(),
        due_on: filings::first_due(&owed),
        steps: 0,
        updated_at: now,
    };
    let event = filings::event_data(&filing, appeal.status.as_str(), None);
    let attachments = filings::carried(&filing.body);
    let new = NewFiling {
        filing,
        record: via.record(ServerRecord {
            kind: RecordKind::FilingReceived,
            body: serde_json::to_value(&received).map_err(internal)?,
        }),
        idempotency: idem,
        event,
        attachments,
        risk: None,
    };
    let (f, created) = filings::outcome(state.store.add_filing(&new, &state.server).await?)?;
    Ok((filings::state_of(state, f).await?, created))
}

pub(super) fn owed(
    a: &Appeal,
    cal: &knd_shared::calendar::Calendar,
    p: &Periods,
    today: Date,
) -> ApiResult<Vec<Owed>> {
    Ok(a.due(cal, p, today, &SENT)
        .map_err(appeal_error)?
        .into_iter()
        .map(|(o, due)| Owed {
            what: o.as_str(),
            name_ru: o.name_ru(),
            name_en: o.name_en(),
            due,
        })
        .collect())
}

/// The appeal a filing and its steps make.
pub(super) fn appeal_of(
    filing: &Filing,
    steps: &[FilingStep],
    cal: &knd_shared::calendar::Calendar,
    p: &Periods,
) -> ApiResult<Appeal> {
    let body: Body = serde_json::from_value(filing.body.clone())
        .map_err(|e| internal(format!("appeal body: {e}")))?;
    let mut a = Appeal::new(Filed {
        appealed: body.appealed,
        learned_on: body.learned_on,
        received_on: filing.received_on,
        restoration_requested: body.restoration_reason.is_some(),
        suspension_requested: body.suspension_requested,
    });
    for s in steps {
        let step: Step = serde_json::from_value(s.step.clone())
            .map_err(|e| internal(format!("appeal step: {e}")))?;
        a.apply(step, cal, p)
            .map_err(|e| internal(format!("appeal step {}: {e}", s.seq)))?;
    }
    Ok(a)
}

/// Replays an appeal through its steps.
pub(super) async fn replay(
    state: &AppState,
    filing: Filing,
    steps: Vec<FilingStep>,
) -> ApiResult<FilingState> {
    let periods = filings::periods_for(state, filing.agency, filing.target_inspection).await?;
    let cal = &state.calendar;
    let a = appeal_of(&filing, &steps, cal, &periods)?;
    let owed = owed(&a, cal, &periods, state.today())?;
    Ok(FilingState {
        filing_due: a
            .filing_due(cal, &periods)
            .map_err(|e| appeal_error(e.into()))?,
        late: a.late(cal, &periods).map_err(|e| appeal_error(e.into()))?,
        status_ru: a.status.name_ru(),
        status_en: a.status.name_en(),
        filing,
        steps,
        owed,
    })
}

/// The status names for lists, from the stored wire name.
pub fn status_names(status: &str) -> (&'static str, &'static str) {
    use appeal::Status;
    let on = Date::MIN;
    let s = match status {
        "registered" => Status::Registered { on },
        "refused" => Status::Refused {
            on,
            ground: RefusalGround::FormNotMet,
        },
        "decided" => Status::Decided {
            on,
            outcome: AppealOutcome::Dismissed,
        },
        "withdrawn" => Status::Withdrawn { on },
        _ => Status::Received,
    };
    (s.name_ru(), s.name_en())
}
