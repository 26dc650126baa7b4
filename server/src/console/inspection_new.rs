//! A new inspection: the planner's form, with a "check" button that counts the term on the
//! production calendar without saving, the fields' errors beside them and the service's
//! refusal at the top.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use knd_shared::{Ground, InspectionKind, UserId};

use super::chrome::{Chrome, Failure, PageResult, done, page, rendered};
use super::inspection_forms::{Pairs, all, date, field, planners_only, refusal};
use super::inspection_view;
use super::inspections::{Choice, choices};
use super::names;
use super::session::{Posted, Viewer};
use crate::model::{InspectionStatus, ProsecutorAgreement};
use crate::services::inspections::{self, NewInspection};
use crate::services::policy::{self, Action};
use crate::services::{inspection_reads, registry_reads};
use crate::state::AppState;

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

/// The fields a link may fill in (`/inspections/new?ground=...&objects=...`): a triggered risk
/// indicator's page opens the form with its object, subject, control type and ground.
const PREFILLED: [&str; 6] = [
    "kind",
    "ground",
    "control_type",
    "subject_inn",
    "objects",
    "note",
];

pub(super) async fn new_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(given): Query<Pairs>,
) -> PageResult {
    let v = given
        .into_iter()
        .filter(|(k, _)| PREFILLED.contains(&k.as_str()))
        .collect();
    let t = new_page(&state, &viewer, v, Errors::default(), None).await?;
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
    let words = inspection_view::term_words(
        state,
        viewer.lang,
        new.kind,
        new.objects.len(),
        new.starts_on,
        new.ends_on,
    );
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
