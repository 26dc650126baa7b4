//! The steps on an appeal: the agency's (register or refuse on a ground of ст.42, restoration,
//! suspension, one extension, requests for information, the decision of ч.6 ст.43) and the
//! filer's (withdrawal, answers). Each is checked by `knd_shared::filings::appeal::Appeal`
//! replayed from the stored steps, then stored with its server record in one transaction.

use knd_shared::filings::appeal::Step;
use knd_shared::filings::{AppealOutcome, RefusalGround};
use knd_shared::record::RecordKind;
use knd_shared::record::kinds::{FilingDecided, FilingReceived};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use super::appeals::{appeal_error, appeal_of, internal, owed};
use super::filings::{self, FilingState, Via};
use super::objections::{agency_filing, detail};
use crate::error::{ApiError, ApiResult};
use crate::model::filings::{FilingKind, NewStep};
use crate::model::{Actor, ApiKey, User};
use crate::services::accounts;
use crate::services::policy::{self, Action};
use crate::state::AppState;
use crate::store::ServerRecord;

/// A step the agency takes, as the reviewer asks for it (dated today).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum AgencyStep {
    DecideRestoration {
        granted: bool,
    },
    Register,
    /// Refuse consideration on a ground of ст.42.
    Refuse {
        #[schema(value_type = String)]
        ground: RefusalGround,
        #[serde(default)]
        reasons: Option<String>,
    },
    DecideSuspension {
        suspend: bool,
    },
    /// Extend the period once (ч.2 ст.43), with the reason told to the filer.
    Extend {
        reason: String,
    },
    /// Ask the filer for more information: the period stands still until it answers.
    RequestInformation {
        what: String,
    },
    /// Decide the appeal (ч.6 ст.43), with the reasons.
    Decide {
        #[schema(value_type = String)]
        outcome: AppealOutcome,
        reasons: String,
    },
}

/// A step the filer takes.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum FilerStep {
    /// Withdraw the appeal before its decision.
    Withdraw,
    /// Answer the agency's request for information.
    Answer {
        text: String,
        #[serde(default)]
        attachments: Vec<String>,
    },
}

/// The law's step for the request, and what is stored beside it (the reasons or the text).
fn law_step(req: &AgencyStep, on: Date) -> ApiResult<(Step, serde_json::Map<String, Value>)> {
    let mut extra = serde_json::Map::new();
    let step = match req {
        AgencyStep::DecideRestoration { granted } => Step::DecideRestoration {
            on,
            granted: *granted,
        },
        AgencyStep::Register => Step::Register { on },
        AgencyStep::Refuse { ground, reasons } => {
            if let Some(r) =
                filings::opt_text_field("пояснение", "the explanation", reasons.as_deref(), 20_000)?
            {
                extra.insert("reasons".into(), Value::from(r));
            }
            Step::Refuse {
                on,
                ground: *ground,
            }
        }
        AgencyStep::DecideSuspension { suspend } => Step::DecideSuspension {
            on,
            suspend: *suspend,
        },
        AgencyStep::Extend { reason } => Step::Extend {
            on,
            reason: filings::text_field(
                "причина продления",
                "the extension's reason",
                reason,
                5_000,
            )?,
        },
        AgencyStep::RequestInformation { what } => {
            let what = filings::text_field("что запрошено", "what is requested", what, 5_000)?;
            extra.insert("what".into(), Value::from(what));
            Step::RequestInformation { on }
        }
        AgencyStep::Decide { outcome, reasons } => {
            let r =
                filings::text_field("мотивы решения", "the decision's reasons", reasons, 50_000)?;
            extra.insert("reasons".into(), Value::from(r));
            Step::Decide {
                on,
                outcome: *outcome,
            }
        }
    };
    Ok((step, extra))
}

/// A reviewer's step on an appeal of the agency.
pub async fn agency_step(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: Uuid,
    req: &AgencyStep,
) -> ApiResult<FilingState> {
    let target = format!("filing:{id}");
    policy::require(
        state,
        user,
        address,
        Action::DecideFilings,
        "appeal.step",
        || target.clone(),
    )
    .await?;
    let current = agency_filing(state, user, id, FilingKind::Appeal).await?;
    let (step, extra) = law_step(req, state.today())?;
    let mut audit = accounts::audit(
        Actor::User(user.id),
        Some(user.agency),
        "appeal.step",
        address,
    );
    audit.target = Some(target);
    let by = (Some(user), Via::Api(None));
    take(state, current, step, extra, by, None, Some(audit)).await
}

/// The filer's step on its own appeal.
pub async fn filer_step(
    state: &AppState,
    key: &ApiKey,
    via: Via<'_>,
    id: Uuid,
    req: &FilerStep,
) -> ApiResult<(FilingState, bool)> {
    let idem = filings::idempotency(
        via,
        &format!("appeal-step:{id}"),
        &serde_json::to_value(req).map_err(internal)?,
    )?;
    if let Some(done) = filings::retried(state, key, idem.as_ref()).await? {
        return Ok(done);
    }
    let current = filings::business_filing(state, key, id).await?;
    if current.filing.kind != FilingKind::Appeal {
        return Err(ApiError::NotFound);
    }
    let on = state.today();
    let mut extra = serde_json::Map::new();
    let step = match req {
        FilerStep::Withdraw => Step::Withdraw { on },
        FilerStep::Answer { text, attachments } => {
            extra.insert(
                "text".into(),
                Value::from(filings::text_field("ответ", "the answer", text, 50_000)?),
            );
            extra.insert(
                "attachments".into(),
                Value::from(filings::attachments(state, key, attachments).await?),
            );
            Step::InformationReceived { on }
        }
    };
    let f = take(state, current, step, extra, (None, via), idem, None).await?;
    Ok((f, true))
}

/// Checks a step against the law, then stores it with its record: the server's of the
/// reviewer's decision; of the filer's step, the server's or the one the filer signed.
async fn take(
    state: &AppState,
    current: FilingState,
    step: Step,
    extra: serde_json::Map<String, Value>,
    (by, via): (Option<&User>, Via<'_>),
    idempotency: Option<crate::model::filings::Idempotency>,
    audit: Option<crate::model::AuditEntry>,
) -> ApiResult<FilingState> {
    let f = &current.filing;
    let periods = filings::periods_for(state, f.agency, f.target_inspection).await?;
    let cal = &state.calendar;
    let mut a = appeal_of(f, &current.steps, cal, &periods)?;
    a.apply(step.clone(), cal, &periods).map_err(appeal_error)?;
    let today = state.today();
    let owed = owed(&a, cal, &periods, today)?;
    let mut json = serde_json::to_value(&step).map_err(internal)?;
    if let Some(m) = json.as_object_mut() {
        m.extend(extra);
    }
    let subject = knd_shared::Inn::parse(&f.subject_inn).map_err(internal)?;
    let record = match by {
        Some(user) => {
            let (mut text_ru, mut text_en) = step.text();
            if let Some(r) = json.get("reasons").and_then(Value::as_str) {
                text_ru = format!("{text_ru}. Мотивы: {r}");
                text_en = format!("{text_en}. Reasons: {r}");
            }
            ServerRecord {
                kind: RecordKind::FilingDecided,
                body: serde_json::to_value(FilingDecided {
                    filing: f.id,
                    kind: "appeal".into(),
                    subject,
                    step: step.name().into(),
                    on: step.on(),
                    decided_by: Some(user.id),
                    detail: detail(&json),
                    text_ru,
                    text_en,
                })
                .map_err(internal)?,
            }
            .into()
        }
        None => via.record(ServerRecord {
            kind: RecordKind::FilingReceived,
            body: serde_json::to_value(FilingReceived {
                filing: Uuid::now_v7(),
                kind: match step {
                    Step::Withdraw { .. } => "withdrawal".into(),
                    _ => "information".into(),
                },
                subject,
                of: Some(f.id),
                target: f.target_record,
                content_sha256: filings::content_sha256(&json)?,
                received_on: today,
            })
            .map_err(internal)?,
        }),
    };
    let status = a.status.as_str();
    let attachments = filings::carried(&json);
    let new = NewStep {
        filing: f.id,
        expected_steps: f.steps,
        step: json,
        by: by.map(|u| u.id),
        at: OffsetDateTime::now_utc(),
        record,
        status: status.into(),
        due_on: filings::first_due(&owed),
        idempotency,
        event: filings::event_data(f, status, Some(step.name())),
        audit,
        attachments,
        risk: None,
        then: Vec::new(),
    };
    let (f, _) = filings::outcome(state.store.add_filing_step(&new, &state.server).await?)?;
    filings::state_of(state, f).await
}

/// The agency's steps the law allows on an appeal now (their wire names), for the reviewer's
/// forms: each is tried on a copy of the appeal, dated today.
pub async fn possible(state: &AppState, current: &FilingState) -> ApiResult<Vec<&'static str>> {
    let f = &current.filing;
    if f.kind != FilingKind::Appeal {
        return Ok(Vec::new());
    }
    let periods = filings::periods_for(state, f.agency, f.target_inspection).await?;
    let cal = &state.calendar;
    let a = appeal_of(f, &current.steps, cal, &periods)?;
    let on = state.today();
    let tries = [
        Step::DecideRestoration { on, granted: true },
        Step::Register { on },
        Step::Refuse {
            on,
            ground: RefusalGround::FormNotMet,
        },
        Step::DecideSuspension { on, suspend: true },
        Step::Extend {
            on,
            reason: "—".into(),
        },
        Step::RequestInformation { on },
        Step::Decide {
            on,
            outcome: AppealOutcome::Dismissed,
        },
    ];
    Ok(tries
        .into_iter()
        .filter(|s| a.clone().apply(s.clone(), cal, &periods).is_ok())
        .map(|s| s.name())
        .collect())
}
