//! One objection or appeal: what was filed (the content of ст.41, the position and documents),
//! its receipt in the log, what the agency owes and by when, every step with its server-signed
//! record, and the forms of the steps the law allows now; a refused step comes back 422 with
//! the refusal above the forms and nothing changed.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use knd_shared::filings::appeal::Step;
use knd_shared::filings::{AppealOutcome, Appealed, RefusalGround};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::chrome::{Chrome, Failure, PageResult, done, rendered};
use super::format;
use super::i18n::Lang;
use super::inspection_forms::refusal;
use super::session::{Posted, Viewer};
use crate::error::ApiError;
use crate::model::filings::FilingKind;
use crate::services::appeal_steps::{self, AgencyStep};
use crate::services::filings::{self, FilingState};
use crate::services::objections;
use crate::services::policy::Action;
use crate::state::AppState;

struct Fact {
    label: &'static str,
    value: String,
    href: Option<String>,
}

struct StepRow {
    on: String,
    text: String,
    by: String,
    at: String,
    record_href: String,
    /// The agency's decision as a document: its PDF and its public check.
    decision: Option<String>,
}

struct OwedRow {
    what: &'static str,
    due: String,
    overdue: bool,
}

/// A file the filing (or a filer's step) carries, read through the blob download.
struct AttachmentRow {
    href: String,
    what: String,
    sha256: String,
}

struct Choice {
    value: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "filing.html")]
struct FilingPage {
    chrome: Chrome,
    id: String,
    appeal: bool,
    title: &'static str,
    status: &'static str,
    subject_inn: String,
    late: bool,
    /// Appeals and objections have a filing period; declarations do not.
    has_filing_due: bool,
    filing_due: String,
    facts: Vec<Fact>,
    long_text_label: &'static str,
    long_text: String,
    record_href: String,
    bundle_href: String,
    /// The name of the filing key the filer signed the filing with (else the server's record).
    filer_key: Option<String>,
    content_sha256: String,
    received_at: String,
    owed: Vec<OwedRow>,
    attachments: Vec<AttachmentRow>,
    steps: Vec<StepRow>,
    /// The appeal steps the law allows now (wire names), when the viewer may decide.
    possible: Vec<&'static str>,
    grounds: Vec<Choice>,
    outcomes: Vec<Choice>,
    may_decide_objection: bool,
    /// The declaration steps the viewer may take now.
    declaration_steps: Vec<&'static str>,
    problem: Option<String>,
    notice: Option<&'static str>,
}

impl FilingPage {
    fn can(&self, step: &str) -> bool {
        self.possible.contains(&step)
    }
}

fn parse_id(id: &str) -> Result<Uuid, Failure> {
    Uuid::parse_str(id).map_err(|_| Failure::from(ApiError::NotFound))
}

fn text_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// A stored ISO date as the console shows dates.
fn date_of(v: &Value, key: &str) -> String {
    let text = text_of(v, key);
    knd_shared::calendar::iso_date::parse(&text).map_or(text, format::date)
}

fn fact(label: &'static str, value: String) -> Fact {
    Fact {
        label,
        value,
        href: None,
    }
}

fn appeal_facts(lang: Lang, c: &Value) -> Vec<Fact> {
    let mut out = Vec::new();
    if let Some(a) = c
        .get("appealed")
        .and_then(Value::as_str)
        .and_then(Appealed::parse)
    {
        let mut f = fact(
            lang.t("Обжалуется", "Appealed"),
            lang.t(a.name_ru(), a.name_en()).to_owned(),
        );
        if let Some(i) = c.get("inspection").and_then(Value::as_str) {
            f.href = Some(format!("/inspections/{i}/evidence"));
        }
        out.push(f);
    }
    out.push(fact(lang.t("Заявитель", "Filer"), text_of(c, "filer")));
    if let Some(r) = c.get("representative") {
        out.push(fact(
            lang.t(
                "Представитель и его полномочия",
                "Representative and authority",
            ),
            format!("{}; {}", text_of(r, "name"), text_of(r, "authority")),
        ));
    }
    if c.get("official").is_some() {
        out.push(fact(
            lang.t("Должностное лицо", "Official"),
            text_of(c, "official"),
        ));
    }
    out.push(fact(
        lang.t("Способ связи", "Contact"),
        text_of(c, "contact"),
    ));
    out.push(fact(
        lang.t("Узнал о нарушении прав", "Learned of the violation on"),
        date_of(c, "learned_on"),
    ));
    if c.get("restoration_reason").is_some() {
        out.push(fact(
            lang.t(
                "Ходатайство о восстановлении срока",
                "Request to restore the period",
            ),
            text_of(c, "restoration_reason"),
        ));
    }
    if c.get("suspension_requested").and_then(Value::as_bool) == Some(true) {
        out.push(fact(
            lang.t("Ходатайство", "Request"),
            lang.t(
                "приостановить исполнение обжалуемого решения",
                "suspend the appealed decision",
            )
            .to_owned(),
        ));
    }
    out
}

fn objection_facts(lang: Lang, c: &Value, inspection: Option<String>) -> Vec<Fact> {
    vec![
        Fact {
            label: lang.t("Предостережение", "Warning"),
            value: text_of(c, "warning"),
            href: inspection.map(|i| format!("/inspections/{i}/evidence")),
        },
        fact(
            lang.t("Предостережение получено", "Warning received on"),
            date_of(c, "warning_received_on"),
        ),
        fact(lang.t("Способ связи", "Contact"), text_of(c, "contact")),
    ]
}

fn compliance_facts(lang: Lang, f: &crate::model::filings::Filing) -> Vec<Fact> {
    let score = f.body.get("score").cloned().unwrap_or(Value::Null);
    let mut out = vec![
        fact(
            lang.t("Вид контроля", "Control type"),
            text_of(&f.body, "control_type"),
        ),
        fact(
            lang.t(
                "Соблюдено применимых требований",
                "Applicable requirements complied with",
            ),
            format!(
                "{} / {}",
                s_num(&score, "complied"),
                s_num(&score, "applicable")
            ),
        ),
    ];
    if let Some(sa) = f.target_filing {
        out.push(Fact {
            label: lang.t("Самообследование", "Self-assessment"),
            value: sa.to_string(),
            href: Some(format!("/filings/{sa}")),
        });
    }
    out
}

fn s_num(v: &Value, key: &str) -> String {
    v.get(key).map(Value::to_string).unwrap_or_default()
}

fn answers_text(lang: Lang, body: &Value) -> String {
    body.get("answers")
        .and_then(Value::as_array)
        .map(|answers| {
            answers
                .iter()
                .map(|a| {
                    let word = match a.get("answer").and_then(Value::as_str) {
                        Some("complied") => lang.t("соблюдается", "complied with"),
                        Some("not_complied") => lang.t("не соблюдается", "not complied with"),
                        _ => lang.t("неприменимо", "not applicable"),
                    };
                    format!(
                        "{} — {}: {word}",
                        text_of(a, "requirement"),
                        text_of(a, "text")
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn step_text(lang: Lang, kind: FilingKind, v: &Value) -> String {
    let mut text = match kind {
        FilingKind::Appeal => serde_json::from_value::<Step>(v.clone())
            .map(|s| {
                let (ru, en) = s.text();
                lang.t(&ru, &en).to_owned()
            })
            .unwrap_or_default(),
        FilingKind::Declaration | FilingKind::SelfAssessment => {
            match v.get("step").and_then(Value::as_str) {
                Some("register") => format!(
                    "{} {}",
                    lang.t(
                        "декларация зарегистрирована, действует по",
                        "registered, in force until"
                    ),
                    date_of(v, "valid_until")
                ),
                Some("refuse") => lang
                    .t("в регистрации отказано", "registration refused")
                    .to_owned(),
                Some("annul") => lang
                    .t("декларация аннулирована", "the declaration is annulled")
                    .to_owned(),
                Some("replace") => lang
                    .t(
                        "заменена новой декларацией",
                        "replaced by a newer declaration",
                    )
                    .to_owned(),
                _ => String::new(),
            }
        }
        FilingKind::Objection => {
            if v.get("withdraw_warning").and_then(Value::as_bool) == Some(true) {
                lang.t(
                    "возражение удовлетворено, предостережение отозвано",
                    "upheld, the warning withdrawn",
                )
                .to_owned()
            } else {
                lang.t("возражение отклонено", "the objection is rejected")
                    .to_owned()
            }
        }
    };
    for (key, ru, en) in [
        ("reasons", "Мотивы", "Reasons"),
        ("what", "Запрошено", "Requested"),
        ("text", "Ответ", "Answer"),
    ] {
        if let Some(s) = v.get(key).and_then(Value::as_str) {
            text = format!("{text}. {}: {s}", lang.t(ru, en));
        }
    }
    text
}

/// A step the server took by itself under the control type's rules.
fn automatic(step: &Value) -> bool {
    step.get("automatic").and_then(Value::as_bool) == Some(true)
}

/// A file's media type as a person names it.
fn file_kind(lang: Lang, mime: &str) -> String {
    match mime {
        "image/jpeg" => lang.t("фотография JPEG", "JPEG photo").into(),
        "image/png" => lang.t("изображение PNG", "PNG image").into(),
        "application/pdf" => lang.t("документ PDF", "PDF document").into(),
        other => format!("{} {other}", lang.t("файл", "file")),
    }
}

/// The rows of the files a filing carries: media type and size, each a link to its bytes.
async fn attachment_rows(
    state: &AppState,
    lang: Lang,
    mut hashes: Vec<knd_shared::Sha256>,
) -> Result<Vec<AttachmentRow>, Failure> {
    hashes.dedup();
    let mut out = Vec::with_capacity(hashes.len());
    for sha in hashes {
        let what = match state.store.blob(&sha).await? {
            Some(b) => format!(
                "{}, {}",
                file_kind(lang, &b.mime),
                format::kilobytes(lang, b.size)
            ),
            None => lang.t("файл не найден", "file not found").to_owned(),
        };
        out.push(AttachmentRow {
            href: format!("/api/v1/blobs/{sha}"),
            what,
            sha256: sha.to_hex(),
        });
    }
    Ok(out)
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    s: FilingState,
    problem: Option<String>,
    notice: Option<&'static str>,
) -> Result<FilingPage, Failure> {
    let lang = viewer.lang;
    let may = viewer.may(Action::DecideFilings);
    let possible = if may {
        appeal_steps::possible(state, &s).await?
    } else {
        Vec::new()
    };
    let f = &s.filing;
    let appeal = f.kind == FilingKind::Appeal;
    let today = state.today();
    let mut carried = filings::carried(&f.body);
    let (facts, long_text_label, long_text) = match f.kind {
        FilingKind::Appeal => (
            appeal_facts(lang, &f.body),
            lang.t("Доводы жалобы", "Grounds"),
            text_of(&f.body, "grounds"),
        ),
        FilingKind::Objection => (
            objection_facts(lang, &f.body, f.target_inspection.map(|i| i.to_string())),
            lang.t("Позиция", "Position"),
            text_of(&f.body, "position"),
        ),
        FilingKind::SelfAssessment => (
            compliance_facts(lang, f),
            lang.t("Ответы самообследования", "Self-assessment answers"),
            answers_text(lang, &f.body),
        ),
        FilingKind::Declaration => {
            // The answers it rests on are its self-assessment's.
            let assessed = crate::services::declarations::assessment_of(state, f).await?;
            if let Some(sa) = &assessed {
                carried.extend(filings::carried(&sa.body));
            }
            (
                compliance_facts(lang, f),
                lang.t("Ответы самообследования", "Self-assessment answers"),
                assessed.map_or_else(String::new, |sa| answers_text(lang, &sa.body)),
            )
        }
    };
    carried.extend(s.steps.iter().flat_map(|st| filings::carried(&st.step)));
    let attachments = attachment_rows(state, lang, carried).await?;
    let declaration_steps: Vec<&'static str> = match (f.kind, f.status.as_str(), may) {
        (FilingKind::Declaration, "filed", true) => vec!["register", "refuse"],
        (FilingKind::Declaration, "registered", true) => vec!["annul"],
        _ => Vec::new(),
    };
    Ok(FilingPage {
        chrome: Chrome::new(state, viewer, "/filings"),
        id: f.id.to_string(),
        appeal,
        title: match f.kind {
            FilingKind::Appeal => lang.t("Жалоба", "Appeal"),
            FilingKind::Objection => {
                lang.t("Возражение на предостережение", "Objection to a warning")
            }
            FilingKind::Declaration => lang.t(
                "Декларация соблюдения обязательных требований",
                "Declaration of compliance",
            ),
            FilingKind::SelfAssessment => lang.t("Самообследование", "Self-assessment"),
        },
        declaration_steps,
        status: lang.t(s.status_ru, s.status_en),
        subject_inn: f.subject_inn.clone(),
        late: s.late,
        has_filing_due: matches!(f.kind, FilingKind::Appeal | FilingKind::Objection),
        filing_due: format::date(s.filing_due),
        facts,
        long_text_label,
        long_text,
        record_href: format!("/api/v1/records/{}", f.record),
        bundle_href: format!("/api/v1/records/{}/bundle", f.record),
        filer_key: filings::filer_key(state, f.record)
            .await?
            .map(|k| k.device.name),
        content_sha256: f.content_sha256.to_hex(),
        received_at: format::datetime(&state.zone, f.received_at),
        attachments,
        owed: s
            .owed
            .iter()
            .map(|o| OwedRow {
                what: lang.t(o.name_ru, o.name_en),
                due: format::date(o.due),
                overdue: o.due < today,
            })
            .collect(),
        steps: s
            .steps
            .iter()
            .map(|st| StepRow {
                on: date_of(&st.step, "on"),
                text: step_text(lang, f.kind, &st.step),
                by: match (&st.by_login, automatic(&st.step)) {
                    (Some(login), _) => login.clone(),
                    (None, true) => lang
                        .t(
                            "сервер, по правилам вида контроля",
                            "the server, by the rules",
                        )
                        .to_owned(),
                    (None, false) => lang.t("заявитель", "the filer").to_owned(),
                },
                at: format::datetime(&state.zone, st.at),
                record_href: format!("/api/v1/records/{}/bundle", st.record),
                decision: (st.by.is_some() || automatic(&st.step)).then(|| st.record.to_string()),
            })
            .collect(),
        may_decide_objection: may && f.kind == FilingKind::Objection && f.status == "filed",
        possible,
        grounds: RefusalGround::ALL
            .into_iter()
            .map(|g| Choice {
                value: g.as_str(),
                label: lang.t(g.name_ru(), g.name_en()),
            })
            .collect(),
        outcomes: AppealOutcome::ALL
            .into_iter()
            .map(|o| Choice {
                value: o.as_str(),
                label: lang.t(o.name_ru(), o.name_en()),
            })
            .collect(),
        problem,
        notice,
    })
}

async fn read(state: &AppState, viewer: &Viewer, id: Uuid) -> Result<FilingState, Failure> {
    // The kind is not in the path: each is tried.
    for kind in FilingKind::ALL {
        match objections::read(state, &viewer.user, viewer.address(), id, kind).await {
            Err(ApiError::NotFound) => continue,
            other => return Ok(other?),
        }
    }
    Err(ApiError::NotFound.into())
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ShowQuery {
    saved: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<ShowQuery>,
) -> PageResult {
    let s = read(&state, &viewer, parse_id(&id)?).await?;
    let notice = q.saved.is_some().then(|| {
        viewer.lang.t(
            "Решение сохранено и подписано сервером.",
            "The decision was saved and signed by the server.",
        )
    });
    let page = render(&state, &viewer, s, None, notice).await?;
    Ok(rendered(StatusCode::OK, &page))
}

/// An appeal step as its form posts it.
#[derive(Debug, Deserialize)]
pub(super) struct StepPost {
    step: String,
    #[serde(default)]
    ground: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    yes: String,
}

fn agency_step(p: &StepPost) -> Result<AgencyStep, Failure> {
    let yes = p.yes == "yes";
    let text = p.text.clone();
    Ok(match p.step.as_str() {
        "decide_restoration" => AgencyStep::DecideRestoration { granted: yes },
        "register" => AgencyStep::Register,
        "refuse" => AgencyStep::Refuse {
            ground: RefusalGround::parse(&p.ground).ok_or_else(|| Failure::bad_form("ground"))?,
            reasons: Some(text).filter(|t| !t.trim().is_empty()),
        },
        "decide_suspension" => AgencyStep::DecideSuspension { suspend: yes },
        "extend" => AgencyStep::Extend { reason: text },
        "request_information" => AgencyStep::RequestInformation { what: text },
        "decide" => AgencyStep::Decide {
            outcome: AppealOutcome::parse(&p.outcome)
                .ok_or_else(|| Failure::bad_form("outcome"))?,
            reasons: text,
        },
        _ => return Err(Failure::bad_form("step")),
    })
}

async fn refused(state: &AppState, viewer: &Viewer, id: Uuid, e: ApiError) -> PageResult {
    let status = if matches!(e, ApiError::Conflict(_)) {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let message = viewer.lang.pick(&refusal(e)?);
    let s = read(state, viewer, id).await?;
    let page = render(state, viewer, s, Some(message), None).await?;
    Ok(rendered(status, &page))
}

pub(super) async fn appeal_step(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted<StepPost>,
) -> PageResult {
    let id = parse_id(&id)?;
    let step = agency_step(&form)?;
    match appeal_steps::agency_step(&state, &viewer.user, viewer.address(), id, &step).await {
        Ok(_) => Ok(done(&format!("/filings/{id}?saved=1"))),
        Err(e @ ApiError::Forbidden(_)) => Err(e.into()),
        Err(e) => refused(&state, &viewer, id, e).await,
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct ObjectionPost {
    decision: String,
    #[serde(default)]
    reasons: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct DeclarationPost {
    step: String,
    #[serde(default)]
    reasons: String,
}

pub(super) async fn declaration_step(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted<DeclarationPost>,
) -> PageResult {
    use crate::services::declarations::{self, DeclarationStep};
    let id = parse_id(&id)?;
    let step = match form.step.as_str() {
        "register" => DeclarationStep::Register,
        "refuse" => DeclarationStep::Refuse {
            reasons: form.reasons,
        },
        "annul" => DeclarationStep::Annul {
            reasons: form.reasons,
        },
        _ => return Err(Failure::bad_form("step")),
    };
    match declarations::step(&state, &viewer.user, viewer.address(), id, &step).await {
        Ok(_) => Ok(done(&format!("/filings/{id}?saved=1"))),
        Err(e @ ApiError::Forbidden(_)) => Err(e.into()),
        Err(e) => refused(&state, &viewer, id, e).await,
    }
}

pub(super) async fn objection_decision(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted<ObjectionPost>,
) -> PageResult {
    let id = parse_id(&id)?;
    let withdraw = match form.decision.as_str() {
        "withdraw" => true,
        "reject" => false,
        _ => return Err(Failure::bad_form("decision")),
    };
    let reasons = Some(form.reasons.as_str()).filter(|r| !r.trim().is_empty());
    match objections::decide(
        &state,
        &viewer.user,
        viewer.address(),
        id,
        withdraw,
        reasons,
    )
    .await
    {
        Ok(_) => Ok(done(&format!("/filings/{id}?saved=1"))),
        Err(e @ ApiError::Forbidden(_)) => Err(e.into()),
        Err(e) => refused(&state, &viewer, id, e).await,
    }
}
