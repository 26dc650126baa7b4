//! The planner's forms: a new inspection, and on an inspection's page rescheduling,
//! reassignment, the status steps and cancelling. Each goes through `services/inspections.rs`
//! (which asks the policy and checks the law); a refusal shows the form again (422) with what
//! was typed and the service's words. A "check" button counts the term on the production
//! calendar for the typed dates without saving anything, so it works without JavaScript.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use knd_shared::calendar::iso_date;
use knd_shared::{Ground, InspectionKind, UserId};
use time::Date;

use super::chrome::{Chrome, Failure, PageResult, done, page, rendered};
use super::inspection_view::{self, Forms};
use super::inspections::{Choice, choices, parse_id};
use super::names;
use super::session::{Posted, Viewer};
use crate::error::ApiError;
use crate::model::{InspectionStatus, ProsecutorAgreement};
use crate::services::inspections::{self, InspectionChange, NewInspection};
use crate::services::policy::{self, Action};
use crate::services::{inspection_reads, registry_reads};
use crate::state::AppState;

/// A posted form as its (name, value) pairs: checkboxes repeat their name.
type Pairs = Vec<(String, String)>;

fn field<'a>(pairs: &'a Pairs, name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.trim())
}

fn all<'a>(pairs: &'a Pairs, name: &str) -> impl Iterator<Item = &'a str> {
    pairs
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.trim())
}

/// The words of a refusal a form shows beside itself; anything else (403, 404, 500) is the
/// error page.
pub(super) fn refusal(e: ApiError) -> Result<String, Failure> {
    match e {
        ApiError::Unprocessable(m) | ApiError::Conflict(m) | ApiError::BadRequest(m) => Ok(m),
        e @ ApiError::Constraint(_) => Ok(e.to_string()),
        e => Err(Failure::from(e)),
    }
}

/// Refuses (audited, 403) a planner's form posted by a role that may not plan, before its
/// fields are read: an auditor's post is refused whatever it contains.
async fn planners_only(
    state: &AppState,
    viewer: &Viewer,
    audit: &str,
    target: &str,
) -> Result<(), Failure> {
    policy::require(
        state,
        &viewer.user,
        viewer.address(),
        Action::PlanInspection,
        audit,
        || target.to_owned(),
    )
    .await?;
    Ok(())
}

const BAD_DATE: &str = "укажите дату ГГГГ-ММ-ДД / give a date YYYY-MM-DD";

fn date(s: &str) -> Result<Date, String> {
    iso_date::parse(s).map_err(|_| BAD_DATE.to_owned())
}

// ---- rescheduling, reassignment, status ----

pub(super) async fn reschedule(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted<Pairs>,
) -> PageResult {
    planners_only(
        &state,
        &viewer,
        "inspection.change",
        &format!("inspection:{id}"),
    )
    .await?;
    let (s, e) = (field(&form, "starts_on"), field(&form, "ends_on"));
    let mut forms = Forms {
        starts_on: Some(s.to_owned()),
        ends_on: Some(e.to_owned()),
        ..Forms::default()
    };
    let (starts_on, ends_on) = match (date(s), date(e)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(m), _) | (_, Err(m)) => {
            forms.reschedule_error = Some(m);
            return show(&state, &viewer, &id, forms).await;
        }
    };
    if field(&form, "action") == "check" {
        let insp = inspection_reads::get(&state, &viewer.user, parse_id(&id)?).await?;
        forms.reschedule_checked = Some(inspection_view::term_words(
            &state, &viewer, &insp, starts_on, ends_on,
        ));
        forms.reschedule_error = inspection_view::term_refusal(
            &state,
            insp.kind,
            insp.objects.len(),
            starts_on,
            ends_on,
        );
        let status = if forms.reschedule_error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        return inspection_view::render(&state, &viewer, &id, forms, status).await;
    }
    let insp = inspection_reads::get(&state, &viewer.user, parse_id(&id)?).await?;
    if let Some(words) =
        inspection_view::term_refusal(&state, insp.kind, insp.objects.len(), starts_on, ends_on)
    {
        forms.reschedule_error = Some(words);
        return show(&state, &viewer, &id, forms).await;
    }
    let change = InspectionChange {
        starts_on: Some(starts_on),
        ends_on: Some(ends_on),
        ..InspectionChange::default()
    };
    match inspections::change(
        &state,
        &viewer.user,
        parse_id(&id)?,
        change,
        viewer.address(),
    )
    .await
    {
        Ok(i) => Ok(done(&format!("/inspections/{}", i.id))),
        Err(e) => {
            forms.reschedule_error = Some(refusal(e)?);
            show(&state, &viewer, &id, forms).await
        }
    }
}

pub(super) async fn reassign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted<Pairs>,
) -> PageResult {
    planners_only(
        &state,
        &viewer,
        "inspection.change",
        &format!("inspection:{id}"),
    )
    .await?;
    let mut ids = Vec::new();
    for s in all(&form, "inspector") {
        ids.push(UserId::parse(s).map_err(Failure::bad_form)?);
    }
    let change = InspectionChange {
        inspectors: Some(ids),
        ..InspectionChange::default()
    };
    match inspections::change(
        &state,
        &viewer.user,
        parse_id(&id)?,
        change,
        viewer.address(),
    )
    .await
    {
        Ok(i) => Ok(done(&format!("/inspections/{}", i.id))),
        Err(e) => {
            let forms = Forms {
                reassign_error: Some(refusal(e)?),
                ..Forms::default()
            };
            show(&state, &viewer, &id, forms).await
        }
    }
}

pub(super) async fn status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted<Pairs>,
) -> PageResult {
    let Some(next) = InspectionStatus::parse(field(&form, "status")) else {
        return Err(Failure::bad_form("status"));
    };
    let reason = field(&form, "reason");
    let cancelling = next == InspectionStatus::Cancelled;
    if cancelling && reason.is_empty() && viewer.may(Action::PlanInspection) {
        let forms = Forms {
            cancel_error: Some(
                "укажите причину отмены / give the reason for cancelling".to_owned(),
            ),
            ..Forms::default()
        };
        return show(&state, &viewer, &id, forms).await;
    }
    let result = inspections::change_status(
        &state,
        &viewer.user,
        viewer.address(),
        parse_id(&id)?,
        next,
        Some(reason).filter(|r| !r.is_empty()),
    )
    .await;
    match result {
        Ok(i) => Ok(done(&format!("/inspections/{}", i.id))),
        Err(e) => {
            let words = refusal(e)?;
            let forms = if cancelling {
                Forms {
                    cancel_error: Some(words),
                    cancel_reason: reason.to_owned(),
                    ..Forms::default()
                }
            } else {
                Forms {
                    status_error: Some(words),
                    ..Forms::default()
                }
            };
            show(&state, &viewer, &id, forms).await
        }
    }
}

async fn show(state: &AppState, viewer: &Viewer, id: &str, forms: Forms) -> PageResult {
    inspection_view::render(state, viewer, id, forms, StatusCode::UNPROCESSABLE_ENTITY).await
}

// ---- a new inspection ----

/// A field of the new-inspection form with its error.
#[derive(Debug, Default)]
pub(crate) struct Errors {
    pub(crate) kind: Option<String>,
    pub(crate) ground: Option<String>,
    pub(crate) subject_inn: Option<String>,
    pub(crate) objects: Option<String>,
    pub(crate) starts_on: Option<String>,
    pub(crate) ends_on: Option<String>,
    pub(crate) agreement_date: Option<String>,
    pub(crate) checklist: Option<String>,
    /// The service's refusal, shown at the top.
    pub(crate) top: Option<String>,
}

pub(crate) struct Pick {
    pub(crate) id: String,
    pub(crate) login: String,
    pub(crate) checked: bool,
}

#[derive(Template)]
#[template(path = "inspection_new.html")]
struct NewPage {
    chrome: Chrome,
    kinds: Vec<Choice>,
    grounds: Vec<Choice>,
    control_types: Vec<Choice>,
    picks: Vec<Pick>,
    v: Pairs,
    errors: Errors,
    term: Option<String>,
    /// No error (for the fields the form itself does not check).
    none: Option<String>,
}

impl NewPage {
    /// The typed value of a field (empty when none).
    fn val(&self, name: &str) -> &str {
        field(&self.v, name)
    }
}

async fn new_page(
    state: &AppState,
    viewer: &Viewer,
    v: Pairs,
    errors: Errors,
    term: Option<String>,
) -> Result<NewPage, Failure> {
    let lang = viewer.lang;
    if !viewer.may(Action::PlanInspection) {
        return Err(policy::forbidden(viewer.user.role).into());
    }
    let types = registry_reads::control_types(state, &viewer.user, viewer.address()).await?;
    let inspectors = inspection_reads::inspectors(state, &viewer.user).await?;
    let chosen: Vec<&str> = all(&v, "inspector").collect();
    let kind = field(&v, "kind");
    let ground = field(&v, "ground");
    let ct = field(&v, "control_type");
    Ok(NewPage {
        chrome: Chrome::new(state, viewer, "/inspections"),
        kinds: choices(
            &InspectionKind::ALL,
            InspectionKind::as_str,
            |k| lang.t(names::kind(k).0, names::kind(k).1).to_owned(),
            Some(kind),
        ),
        grounds: choices(
            &Ground::ALL[..Ground::ALL.len()],
            Ground::as_str,
            |g| lang.t(names::ground(g).0, names::ground(g).1).to_owned(),
            Some(ground),
        )
        .into_iter()
        .filter(|c| c.value != Ground::Unspecified.as_str())
        .collect(),
        control_types: types
            .iter()
            .map(|t| Choice {
                value: t.code.clone(),
                label: t.name.clone(),
                selected: t.code == ct,
            })
            .collect(),
        picks: inspectors
            .iter()
            .map(|u| Pick {
                id: u.id.to_string(),
                login: u.login.clone(),
                checked: chosen.contains(&u.id.to_string().as_str()),
            })
            .collect(),
        v,
        errors,
        term,
        none: None,
    })
}

pub(super) async fn new_form(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    let t = new_page(&state, &viewer, Vec::new(), Errors::default(), None).await?;
    Ok(page(&t))
}

/// Object keys as typed: one per line or separated by commas.
fn keys(s: &str) -> Vec<String> {
    s.split([',', '\n', ';'])
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads the form into a new inspection, or the errors beside its fields.
fn read_new(form: &Pairs) -> Result<NewInspection, Box<Errors>> {
    let mut err = Errors::default();
    let kind = InspectionKind::parse(field(form, "kind"));
    if kind.is_none() {
        err.kind = Some("выберите вид мероприятия / choose the kind".into());
    }
    let ground = Ground::parse(field(form, "ground")).filter(|g| *g != Ground::Unspecified);
    if ground.is_none() {
        err.ground = Some("выберите основание (ч.1 ст.57) / choose the ground (art. 57(1))".into());
    }
    let inn = field(form, "subject_inn");
    if inn.is_empty() {
        err.subject_inn = Some("укажите ИНН / give the INN".into());
    }
    let objects = keys(field(form, "objects"));
    if objects.is_empty() {
        err.objects = Some("укажите хотя бы один объект / give at least one object".into());
    }
    let starts_on = date(field(form, "starts_on")).map_err(|m| err.starts_on = Some(m));
    let ends_on = date(field(form, "ends_on")).map_err(|m| err.ends_on = Some(m));
    let (aref, adate) = (
        field(form, "agreement_reference"),
        field(form, "agreement_date"),
    );
    let agreement = if aref.is_empty() && adate.is_empty() {
        None
    } else {
        match date(adate) {
            Ok(d) => Some(ProsecutorAgreement {
                reference: aref.to_owned(),
                date: d,
            }),
            Err(m) => {
                err.agreement_date = Some(m);
                None
            }
        }
    };
    let mut inspectors = Vec::new();
    for s in all(form, "inspector") {
        match UserId::parse(s) {
            Ok(u) => inspectors.push(u),
            Err(_) => err.top = Some("неизвестный инспектор / unknown inspector".into()),
        }
    }
    if kind.is_some_and(InspectionKind::requires_checklist) && field(form, "checklist").is_empty() {
        err.checklist = Some(
            "для этого вида нужен проверочный лист (ПП 1844) / this kind needs a checklist (ПП 1844)"
                .into(),
        );
    }
    let (Some(kind), Some(ground), Ok(starts_on), Ok(ends_on), None, None, None, None, None) = (
        kind,
        ground,
        starts_on,
        ends_on,
        &err.subject_inn,
        &err.objects,
        &err.agreement_date,
        &err.checklist,
        &err.top,
    ) else {
        return Err(Box::new(err));
    };
    let opt = |name: &str| Some(field(form, name).to_owned()).filter(|s| !s.is_empty());
    Ok(NewInspection {
        kind,
        ground,
        prosecutor_agreement: agreement,
        erknm: opt("erknm"),
        other_subjects: keys(field(form, "other_subjects")),
        control_type: field(form, "control_type").to_owned(),
        subject_inn: inn.to_owned(),
        objects,
        checklist: opt("checklist"),
        starts_on,
        ends_on,
        inspectors,
        note: field(form, "note").to_owned(),
        status: Some(if field(form, "status") == "scheduled" {
            InspectionStatus::Scheduled
        } else {
            InspectionStatus::Draft
        }),
    })
}

/// The term's words for the typed kind, objects and dates, and the calendar's refusal if any.
fn checked_term(
    state: &AppState,
    viewer: &Viewer,
    new: &NewInspection,
) -> (String, Option<String>) {
    let lang = viewer.lang;
    let places = new.objects.len().max(1);
    let used = new
        .starts_on
        .previous_day()
        .and_then(|d| state.calendar.working_days_between(d, new.ends_on).ok())
        .map_or_else(String::new, |n| {
            format!(
                "{} {n}",
                lang.t("; по датам рабочих дней:", "; the dates take working days:")
            )
        });
    let words = match new.kind.max_working_days(places) {
        None => format!(
            "{}{used}",
            lang.t(
                "вид без срока в рабочих днях",
                "the kind has no term in working days"
            )
        ),
        Some(max) => {
            let last = inspection_reads::last_working_day(
                &state.calendar,
                new.kind,
                places,
                new.starts_on,
            )
            .map_or_else(|| "—".to_owned(), super::format::date);
            format!(
                "{} {max}, {} {last}{used}",
                lang.t("не более рабочих дней:", "at most working days:"),
                lang.t(
                    "последний рабочий день срока",
                    "last working day of the term"
                ),
            )
        }
    };
    let refused = inspection_view::term_refusal(
        state,
        new.kind,
        new.objects.len(),
        new.starts_on,
        new.ends_on,
    );
    (words, refused)
}

pub(super) async fn create(
    State(state): State<AppState>,
    Posted { viewer, form }: Posted<Pairs>,
) -> PageResult {
    planners_only(&state, &viewer, "inspection.create", "inspection").await?;
    let new = match read_new(&form) {
        Ok(n) => n,
        Err(errors) => {
            let t = new_page(&state, &viewer, form, *errors, None).await?;
            return Ok(rendered(StatusCode::UNPROCESSABLE_ENTITY, &t));
        }
    };
    if field(&form, "action") == "check" {
        let (words, refused) = checked_term(&state, &viewer, &new);
        let errors = Errors {
            top: refused,
            ..Errors::default()
        };
        let status = if errors.top.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        let t = new_page(&state, &viewer, form, errors, Some(words)).await?;
        return Ok(rendered(status, &t));
    }
    if let (_, Some(words)) = checked_term(&state, &viewer, &new) {
        let errors = Errors {
            ends_on: Some(words),
            ..Errors::default()
        };
        let t = new_page(&state, &viewer, form, errors, None).await?;
        return Ok(rendered(StatusCode::UNPROCESSABLE_ENTITY, &t));
    }
    match inspections::create(&state, &viewer.user, new, viewer.address()).await {
        Ok(i) => Ok(done(&format!("/inspections/{}", i.id))),
        Err(e) => {
            let errors = Errors {
                top: Some(refusal(e)?),
                ..Errors::default()
            };
            let t = new_page(&state, &viewer, form, errors, None).await?;
            Ok(rendered(StatusCode::UNPROCESSABLE_ENTITY, &t))
        }
    }
}
