//! Self-assessment and the declaration of compliance (ст.51 248-ФЗ). The questionnaire of a
//! control type is its requirements (what its checklists ask); the business answers every one,
//! the score is the share of applicable requirements complied with, and a score at the rules'
//! threshold (`self_assessment_threshold_percent`, default 100) lets it declare compliance. A
//! reviewer registers the declaration (or refuses it with reasons); it is in force one calendar
//! year from registration (ГК ст.192), an updated one registered later replaces it, and an
//! unplanned inspection that found violations or false answers annuls it. Every filing and
//! decision is a record of the server's chain, as for objections and appeals. Registering is
//! owed within the registration period of appeals (5 working days): the project found no other
//! period for it in the law and keeps it as data (`Periods::registration_working_days`).

use knd_shared::AgencyId;
use knd_shared::filings::deadlines::{Periods, declaration_valid_until};
use knd_shared::filings::declaration::{Answer, Score};
use knd_shared::record::RecordKind;
use knd_shared::record::kinds::{FilingDecided, FilingReceived};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use uuid::Uuid;

use super::declaration_risk;
use super::filings::{self, FilingState, Owed, Via};
use super::objections::{agency_filing, detail};
use crate::error::{ApiError, ApiResult};
use crate::model::filings::{Filing, FilingKind, FilingStep, NewFiling, NewStep, RiskNote};
use crate::model::{Actor, ApiKey, Requirement, User};
use crate::services::accounts;
use crate::services::policy::{self, Action};
use crate::state::AppState;
use crate::store::ServerRecord;

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}

/// A control type's questionnaire for a business registered with the agency.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    pub agency: AgencyId,
    pub control_type: String,
    pub items: Vec<Requirement>,
    pub threshold_percent: u32,
}

/// The questionnaire of `control_type` at `agency`; 404 unless the business is in the agency's
/// registry and the agency has the control type.
pub async fn questionnaire(
    state: &AppState,
    key: &ApiKey,
    agency: AgencyId,
    control_type: &str,
) -> ApiResult<Questionnaire> {
    if state
        .store
        .subject_by_inn(agency, &key.subject_inn)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound);
    }
    let items = state
        .store
        .list_requirements(agency, control_type)
        .await?
        .ok_or(ApiError::NotFound)?;
    let threshold_percent = rules_of(state, agency, control_type)
        .await?
        .map_or(100, |r| r.self_assessment_threshold_percent);
    Ok(Questionnaire {
        agency,
        control_type: control_type.to_owned(),
        items,
        threshold_percent,
    })
}

/// One answer as the business gives it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    /// The requirement's code.
    pub requirement: String,
    /// `complied`, `not_complied`, `not_applicable`.
    #[schema(value_type = String)]
    pub answer: Answer,
    #[serde(default)]
    pub note: Option<String>,
    /// Supporting files: SHA-256 of uploads.
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// A self-assessment as the business files it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSelfAssessment {
    #[schema(value_type = String)]
    pub agency: AgencyId,
    pub control_type: String,
    pub answers: Vec<AnswerIn>,
}

fn status_of_score(qualifies: bool) -> &'static str {
    if qualifies {
        "qualifies"
    } else {
        "does_not_qualify"
    }
}

/// The wire names of the statuses of self-assessments and declarations, with their names.
pub fn status_names(status: &str) -> (&'static str, &'static str) {
    match status {
        "qualifies" => (
            "позволяет задекларировать соблюдение",
            "qualifies for a declaration",
        ),
        "does_not_qualify" => (
            "не позволяет задекларировать соблюдение",
            "does not qualify",
        ),
        "filed" => ("подана, ждёт регистрации", "filed, awaiting registration"),
        "registered" => ("зарегистрирована", "registered"),
        "refused" => ("в регистрации отказано", "registration refused"),
        "replaced" => (
            "заменена новой декларацией",
            "replaced by a newer declaration",
        ),
        "annulled" => ("аннулирована", "annulled"),
        _ => ("", ""),
    }
}

async fn store_filing(
    state: &AppState,
    via: Via<'_>,
    filing: Filing,
    received: FilingReceived,
    idem: Option<crate::model::filings::Idempotency>,
    risk: Option<RiskNote>,
) -> ApiResult<(FilingState, bool)> {
    let event = filings::event_data(&filing, &filing.status.clone(), None);
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
        risk,
    };
    let (f, created) = filings::outcome(state.store.add_filing(&new, &state.server).await?)?;
    Ok((filings::state_of(state, f).await?, created))
}

fn new_filing(
    key: &ApiKey,
    agency: AgencyId,
    kind: FilingKind,
    body: Value,
    status: &str,
    due: Option<Date>,
    (now, today): (OffsetDateTime, Date),
) -> ApiResult<Filing> {
    let content = filings::content_sha256(&body)?;
    let id = Uuid::now_v7();
    Ok(Filing {
        id,
        agency,
        subject_inn: key.subject_inn.clone(),
        api_key: key.id,
        kind,
        target_record: None,
        target_inspection: None,
        target_filing: None,
        body,
        content_sha256: content,
        record: knd_shared::RecordId::from(id),
        received_at: now,
        received_on: today,
        status: status.into(),
        due_on: due,
        steps: 0,
        updated_at: now,
    })
}

fn received(f: &Filing, kind: &str) -> ApiResult<FilingReceived> {
    Ok(FilingReceived {
        filing: f.id,
        kind: kind.into(),
        subject: knd_shared::Inn::parse(&f.subject_inn).map_err(internal)?,
        of: f.target_filing,
        target: None,
        content_sha256: f.content_sha256,
        received_on: f.received_on,
    })
}

/// Files a self-assessment: every requirement of the questionnaire answered once.
pub async fn file_self_assessment(
    state: &AppState,
    key: &ApiKey,
    via: Via<'_>,
    req: NewSelfAssessment,
) -> ApiResult<(FilingState, bool)> {
    let idem = filings::idempotency(
        via,
        "self_assessment",
        &serde_json::to_value(&req).map_err(internal)?,
    )?;
    if let Some(done) = filings::retried(state, key, idem.as_ref()).await? {
        return Ok(done);
    }
    let q = questionnaire(state, key, req.agency, &req.control_type).await?;
    let mut answers = Vec::with_capacity(q.items.len());
    for item in &q.items {
        let given: Vec<&AnswerIn> = req
            .answers
            .iter()
            .filter(|a| a.requirement == item.code)
            .collect();
        let [a] = given.as_slice() else {
            return Err(ApiError::Unprocessable(format!(
                "на требование {} нужен один ответ / the requirement {} needs exactly one answer",
                item.code, item.code
            )));
        };
        answers.push(json!({
            "requirement": item.code, "text": item.text, "answer": a.answer,
            "note": filings::opt_text_field("пояснение", "the note", a.note.as_deref(), 5_000)?,
            "evidence": filings::attachments(state, key, &a.evidence).await?,
        }));
    }
    if let Some(extra) = req
        .answers
        .iter()
        .find(|a| !q.items.iter().any(|i| i.code == a.requirement))
    {
        return Err(ApiError::Unprocessable(format!(
            "требования {} нет в анкете / the questionnaire has no requirement {}",
            extra.requirement, extra.requirement
        )));
    }
    let score = Score::of(&req.answers.iter().map(|a| a.answer).collect::<Vec<_>>());
    let qualifies = score.qualifies(q.threshold_percent);
    let body = json!({
        "control_type": q.control_type, "answers": answers,
        "score": {"complied": score.complied, "applicable": score.applicable},
        "threshold_percent": q.threshold_percent, "qualifies": qualifies,
    });
    let now = OffsetDateTime::now_utc();
    let today = state.zone.local_date(now);
    let f = new_filing(
        key,
        q.agency,
        FilingKind::SelfAssessment,
        body,
        status_of_score(qualifies),
        None,
        (now, today),
    )?;
    let r = received(&f, "self_assessment")?;
    let risk = declaration_risk::self_assessment(&f, qualifies)?;
    store_filing(state, via, f, r, idem, Some(risk)).await
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDeclaration {
    /// The qualifying self-assessment it rests on.
    pub self_assessment: Uuid,
}

/// Files a declaration of compliance on a qualifying self-assessment of the business.
pub async fn file_declaration(
    state: &AppState,
    key: &ApiKey,
    via: Via<'_>,
    req: NewDeclaration,
) -> ApiResult<(FilingState, bool)> {
    let idem = filings::idempotency(
        via,
        "declaration",
        &serde_json::to_value(&req).map_err(internal)?,
    )?;
    if let Some(done) = filings::retried(state, key, idem.as_ref()).await? {
        return Ok(done);
    }
    let sa = state
        .store
        .filing(req.self_assessment)
        .await?
        .filter(|f| f.subject_inn == key.subject_inn && f.kind == FilingKind::SelfAssessment)
        .ok_or_else(|| {
            ApiError::Unprocessable(
                "самообследование не найдено среди ваших / no such self-assessment of yours".into(),
            )
        })?;
    if sa.status != "qualifies" {
        return Err(ApiError::Unprocessable(
            "по результатам самообследования декларацию подать нельзя: не все применимые требования соблюдены / \
             the self-assessment does not qualify for a declaration"
                .into(),
        ));
    }
    let now = OffsetDateTime::now_utc();
    let today = state.zone.local_date(now);
    let due = Periods::LAW
        .registration_due(&state.calendar, today)
        .map_err(internal)?;
    let body = json!({
        "self_assessment": sa.id,
        "control_type": sa.body.get("control_type").cloned().unwrap_or(Value::Null),
        "score": sa.body.get("score").cloned().unwrap_or(Value::Null),
    });
    let mut f = new_filing(
        key,
        sa.agency,
        FilingKind::Declaration,
        body,
        "filed",
        Some(due),
        (now, today),
    )?;
    f.target_filing = Some(sa.id);
    let r = received(&f, "declaration")?;
    let code = sa.body.get("control_type").and_then(Value::as_str);
    let automatic = match code {
        Some(code) => rules_of(state, sa.agency, code)
            .await?
            .is_some_and(|r| r.declarations_registered_automatically),
        None => false,
    };
    let (filed, created) = store_filing(state, via, f, r, idem, None).await?;
    if !(automatic && created && filed.filing.status == "filed") {
        return Ok((filed, created));
    }
    let f = decide_and_take(state, None, None, &filed.filing, &DeclarationStep::Register).await?;
    Ok((filings::state_of(state, f).await?, created))
}

/// Replays a self-assessment or a declaration: its stored status, what is owed.
pub(super) async fn replay(
    _state: &AppState,
    filing: Filing,
    steps: Vec<FilingStep>,
) -> ApiResult<FilingState> {
    let (status_ru, status_en) = status_names(&filing.status);
    let owed = match (filing.kind, filing.due_on) {
        (FilingKind::Declaration, Some(due)) => vec![Owed {
            what: "registration",
            name_ru: "зарегистрировать декларацию или отказать",
            name_en: "register the declaration or refuse",
            due,
        }],
        _ => Vec::new(),
    };
    Ok(FilingState {
        filing_due: filing.received_on,
        late: false,
        status_ru,
        status_en,
        filing,
        steps,
        owed,
    })
}

/// A reviewer's step on a declaration.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum DeclarationStep {
    Register,
    Refuse {
        reasons: String,
    },
    /// After an unplanned inspection found violations or false answers.
    Annul {
        reasons: String,
    },
}

struct Decided {
    status: &'static str,
    step: Value,
    text: (String, String),
}

fn decide(current: &str, step: &DeclarationStep, on: Date) -> ApiResult<Decided> {
    let iso = knd_shared::calendar::iso_date::format;
    let conflict = |ru: &str, en: &str| ApiError::Conflict(format!("{ru} / {en}"));
    match (current, step) {
        ("filed", DeclarationStep::Register) => {
            let until = declaration_valid_until(on).ok_or_else(|| internal("valid until"))?;
            Ok(Decided {
                status: "registered",
                step: json!({"step": "register", "on": iso(on), "valid_until": iso(until)}),
                text: (
                    format!("декларация зарегистрирована, действует по {}", iso(until)),
                    format!(
                        "the declaration is registered, in force until {}",
                        iso(until)
                    ),
                ),
            })
        }
        ("filed", DeclarationStep::Refuse { reasons }) => {
            let r = filings::text_field("причины отказа", "the reasons", reasons, 20_000)?;
            Ok(Decided {
                status: "refused",
                step: json!({"step": "refuse", "on": iso(on), "reasons": r}),
                text: (
                    format!("в регистрации отказано: {r}"),
                    format!("registration refused: {r}"),
                ),
            })
        }
        ("registered", DeclarationStep::Annul { reasons }) => {
            let r = filings::text_field("основание аннулирования", "the reasons", reasons, 20_000)?;
            Ok(Decided {
                status: "annulled",
                step: json!({"step": "annul", "on": iso(on), "reasons": r}),
                text: (
                    format!("декларация аннулирована: {r}"),
                    format!("the declaration is annulled: {r}"),
                ),
            })
        }
        ("filed", DeclarationStep::Annul { .. }) => Err(conflict(
            "аннулировать можно только зарегистрированную декларацию",
            "only a registered declaration can be annulled",
        )),
        _ => Err(conflict(
            "по декларации уже принято решение",
            "the declaration is decided already",
        )),
    }
}

/// The step `d` on `f` with its server-signed record, ready to store.
fn step_of(
    state: &AppState,
    user: Option<&User>,
    address: Option<&str>,
    f: &Filing,
    d: Decided,
) -> ApiResult<NewStep> {
    let mut d = d;
    if user.is_none()
        && let Some(step) = d.step.as_object_mut()
    {
        step.insert("automatic".into(), Value::Bool(true));
    }
    let on = state.today();
    let body = FilingDecided {
        filing: f.id,
        kind: "declaration".into(),
        subject: knd_shared::Inn::parse(&f.subject_inn).map_err(internal)?,
        step: d
            .step
            .get("step")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        on,
        decided_by: user.map(|u| u.id),
        detail: detail(&d.step),
        text_ru: d.text.0,
        text_en: d.text.1,
    };
    // The server itself, when the rules register automatically.
    let mut audit = accounts::audit(
        user.map_or(Actor::Server, |u| Actor::User(u.id)),
        Some(f.agency),
        "declaration.step",
        address,
    );
    audit.target = Some(format!("filing:{}", f.id));
    audit.detail = Some(d.step.clone());
    let risk = declaration_risk::declaration_step(f, d.status, &d.step, on)?;
    let new = NewStep {
        filing: f.id,
        expected_steps: f.steps,
        event: filings::event_data(f, d.status, body.step.as_str().into()),
        step: d.step,
        by: user.map(|u| u.id),
        at: OffsetDateTime::now_utc(),
        record: ServerRecord {
            kind: RecordKind::FilingDecided,
            body: serde_json::to_value(&body).map_err(internal)?,
        }
        .into(),
        status: d.status.into(),
        due_on: None,
        idempotency: None,
        audit: Some(audit),
        attachments: Vec::new(),
        risk,
        then: Vec::new(),
    };
    Ok(new)
}

/// A reviewer's step on a declaration of the agency; registering replaces the business's
/// earlier registered declaration of the same control type.
pub async fn step(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: Uuid,
    req: &DeclarationStep,
) -> ApiResult<FilingState> {
    policy::require(
        state,
        user,
        address,
        Action::DecideFilings,
        "declaration.step",
        || format!("filing:{id}"),
    )
    .await?;
    let current = agency_filing(state, user, id, FilingKind::Declaration).await?;
    let f = decide_and_take(state, Some(user), address, &current.filing, req).await?;
    filings::state_of(state, f).await
}

/// Takes a step on a declaration (by a reviewer, or by the server when the rules register
/// automatically); registering replaces the business's earlier registered declaration of the
/// same control type.
async fn decide_and_take(
    state: &AppState,
    user: Option<&User>,
    address: Option<&str>,
    current: &Filing,
    req: &DeclarationStep,
) -> ApiResult<Filing> {
    let on = state.today();
    let d = decide(&current.status, req, on)?;
    let registered = d.status == "registered";
    let mut new = step_of(state, user, address, current, d)?;
    let f = current;
    if registered {
        // The earlier declarations it replaces, in the registration's transaction.
        let iso = knd_shared::calendar::iso_date::format;
        for old in registered_of(state, &f.subject_inn)
            .await?
            .into_iter()
            .filter(|o| {
                o.id != f.id
                    && o.agency == f.agency
                    && o.body.get("control_type") == f.body.get("control_type")
            })
        {
            let d = Decided {
                status: "replaced",
                step: json!({"step": "replace", "on": iso(on), "by": f.id}),
                text: (
                    format!("декларация заменена новой ({})", f.id),
                    format!("the declaration is replaced by a newer one ({})", f.id),
                ),
            };
            new.then.push(step_of(state, user, address, &old, d)?);
        }
    }
    Ok(filings::outcome(state.store.add_filing_step(&new, &state.server).await?)?.0)
}

/// The rules of the agency's control type `code`, if it has one.
async fn rules_of(
    state: &AppState,
    agency: AgencyId,
    code: &str,
) -> ApiResult<Option<knd_shared::registry::ControlTypeRules>> {
    Ok(state
        .store
        .list_control_types(agency)
        .await?
        .into_iter()
        .find(|t| t.code == code)
        .map(|t| t.rules))
}

/// A business's registered declarations (of every agency), newest first.
async fn registered_of(state: &AppState, inn: &str) -> ApiResult<Vec<Filing>> {
    let mut out = Vec::new();
    let mut before = None;
    loop {
        let page = state.store.subject_filings(inn, before, 200).await?;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        let full = page.len() == 200;
        out.extend(
            page.into_iter()
                .filter(|f| f.kind == FilingKind::Declaration && f.status == "registered"),
        );
        if !full {
            break;
        }
    }
    Ok(out)
}

/// A business's declarations in force on `day`, as the public registry shows them.
pub async fn in_force(state: &AppState, inn: &str, day: Date) -> ApiResult<Vec<(Filing, Date)>> {
    let mut out = Vec::new();
    for f in registered_of(state, inn).await? {
        let steps = state.store.filing_steps(f.id).await?;
        let until = steps
            .iter()
            .find_map(|s| declaration_risk::day_of(&s.step, "valid_until"));
        if let Some(until) = until.filter(|u| *u >= day) {
            out.push((f, until));
        }
    }
    Ok(out)
}

/// The self-assessment a declaration rests on (its reader already read the declaration).
pub async fn assessment_of(state: &AppState, declaration: &Filing) -> ApiResult<Option<Filing>> {
    match declaration.target_filing {
        Some(id) => Ok(state
            .store
            .filing(id)
            .await?
            .filter(|f| f.agency == declaration.agency && f.kind == FilingKind::SelfAssessment)),
        None => Ok(None),
    }
}
