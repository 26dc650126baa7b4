//! An inspection's page: its attributes (subject, objects, kind, ground with its citation, the
//! prosecutor's agreement, ЕРКНМ, dates with the term counted on the production calendar,
//! inspectors, status) and, for planners, the forms that reschedule, reassign, move it through
//! its statuses and cancel it (`inspection_forms` handles their posts and shows this page
//! again with what was typed and why it was refused).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use knd_shared::calendar::iso_date;

use super::chrome::{Chrome, PageResult, rendered};
use super::i18n::Lang;
use super::inspections::{Logins, capitalized, parse_id, status_word};
use super::session::Viewer;
use super::{format, names};
use crate::model::InspectionStatus;
use crate::services::policy::Action;
use crate::services::{inspection_evidence, inspection_reads, registry_reads};
use crate::state::AppState;
use knd_shared::InspectionKind;

/// What the action forms show again after a refused post.
#[derive(Debug, Default)]
pub(super) struct Forms {
    /// Dates as typed (`None`: the inspection's own).
    pub(super) starts_on: Option<String>,
    pub(super) ends_on: Option<String>,
    pub(super) reschedule_error: Option<String>,
    /// The term computed for the typed dates by the "check" button.
    pub(super) reschedule_checked: Option<String>,
    pub(super) reassign_error: Option<String>,
    pub(super) status_error: Option<String>,
    pub(super) cancel_reason: String,
    pub(super) cancel_error: Option<String>,
}

pub(crate) struct Obj {
    pub(crate) href: String,
    pub(crate) key: String,
    pub(crate) address: String,
}

pub(crate) struct Step {
    pub(crate) status: &'static str,
    pub(crate) label: String,
}

pub(crate) struct Pick {
    pub(crate) id: String,
    pub(crate) login: String,
    pub(crate) checked: bool,
}

#[derive(Template)]
#[template(path = "inspection.html")]
struct InspectionPage {
    chrome: Chrome,
    id: String,
    title: String,
    subject_inn: String,
    subject_name: Option<String>,
    other_subjects: String,
    control_type: String,
    checklist: Option<String>,
    objects: Vec<Obj>,
    kind: String,
    ground: String,
    citation: &'static str,
    agreement: Option<String>,
    erknm: Option<String>,
    starts: String,
    ends: String,
    term: String,
    status: String,
    overdue: bool,
    inspectors: String,
    note: String,
    created: String,
    /// (status, since when), oldest first.
    history: Vec<(String, String)>,
    may_plan: bool,
    editable_dates: bool,
    reassignable: bool,
    steps: Vec<Step>,
    cancellable: bool,
    picks: Vec<Pick>,
    forms: Forms,
    starts_value: String,
    ends_value: String,
}

/// The term's words for an inspection of `kind` at `places` objects from `starts_on` to
/// `ends_on`: how many working days the kind allows, its last working day, and how many the
/// dates take.
pub(super) fn term_words(
    state: &AppState,
    lang: Lang,
    kind: InspectionKind,
    places: usize,
    starts_on: time::Date,
    ends_on: time::Date,
) -> String {
    let places = places.max(1);
    let used = starts_on
        .previous_day()
        .and_then(|d| state.calendar.working_days_between(d, ends_on).ok())
        .map_or_else(String::new, |n| {
            format!(
                "{} {n}",
                lang.t("; по датам рабочих дней:", "; the dates take working days:")
            )
        });
    match kind.max_working_days(places) {
        None => format!(
            "{}{used}",
            lang.t(
                "вид без срока в рабочих днях",
                "the kind has no term in working days"
            )
        ),
        Some(max) => {
            let last = inspection_reads::last_working_day(&state.calendar, kind, places, starts_on)
                .map_or_else(|| "—".to_owned(), format::date);
            format!(
                "{} {max}, {} {last}{used}",
                lang.t("не более рабочих дней:", "at most working days:"),
                lang.t(
                    "последний рабочий день срока",
                    "last working day of the term"
                ),
            )
        }
    }
}

/// Why the dates exceed the kind's term, in Russian then English (`None`: they fit). The
/// service checks the same on saving (`inspections::check_term`); the console words it for
/// people, with the kind's name and the dates as they read them.
pub(super) fn term_refusal(
    state: &AppState,
    kind: knd_shared::InspectionKind,
    places: usize,
    starts_on: time::Date,
    ends_on: time::Date,
) -> Option<String> {
    if ends_on < starts_on {
        return Some("окончание раньше начала / the end is before the start".to_owned());
    }
    crate::services::inspections::check_term(&state.calendar, kind, places, starts_on, ends_on)
        .err()?;
    let max = kind.max_working_days(places.max(1))?;
    let used = starts_on
        .previous_day()
        .and_then(|d| state.calendar.working_days_between(d, ends_on).ok())?;
    let (ru, en) = names::kind(kind);
    let (a, b) = (format::date(starts_on), format::date(ends_on));
    Some(format!(
        "{ru} длится не более {max} рабочих дней; с {a} по {b} — {used} / \
         a {en} lasts at most {max} working days; {a} to {b} is {used}"
    ))
}

pub(super) async fn page_handler(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    render(&state, &viewer, &id, Forms::default(), StatusCode::OK).await
}

pub(super) async fn render(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    forms: Forms,
    status: StatusCode,
) -> PageResult {
    let lang = viewer.lang;
    let insp = inspection_reads::get(state, &viewer.user, parse_id(id)?).await?;
    let history = inspection_reads::status_history(state, &viewer.user, insp.id)
        .await?
        .into_iter()
        .map(|(s, at)| {
            let (ru, en) = names::status(s);
            (lang.t(ru, en).to_owned(), format::datetime(&state.zone, at))
        })
        .collect();
    let inspectors = inspection_reads::inspectors(state, &viewer.user).await?;
    let logins = Logins::of(&inspectors);
    let (objects, subject) = inspection_evidence::objects_and_subject(state, &insp).await?;
    let control_type = registry_reads::control_types(state, &viewer.user, viewer.address())
        .await?
        .into_iter()
        .find(|t| t.id == insp.control_type_id)
        .map_or_else(|| insp.control_type_code.clone(), |t| t.name);
    let today = state.zone.today();
    let (kru, ken) = names::kind(insp.kind);
    let (gru, gen_) = names::ground(insp.ground);
    let (status_text, overdue) = status_word(viewer, &insp, today);
    let may_plan = viewer.may(Action::PlanInspection);
    let steps = InspectionStatus::ALL
        .into_iter()
        .filter(|s| *s != InspectionStatus::Cancelled && insp.status.may_become(*s))
        .filter(|s| {
            if *s == InspectionStatus::Closed {
                viewer.may(Action::CloseInspection)
            } else {
                may_plan
            }
        })
        .map(|s| {
            let (ru, en) = names::status(s);
            Step {
                status: s.as_str(),
                label: format!("{} «{}»", lang.t("Перевести в", "Move to"), lang.t(ru, en)),
            }
        })
        .collect();
    let editable_dates = matches!(
        insp.status,
        InspectionStatus::Draft | InspectionStatus::Scheduled
    );
    let picks = inspectors
        .iter()
        .map(|u| Pick {
            id: u.id.to_string(),
            login: u.login.clone(),
            checked: insp.inspectors.contains(&u.id),
        })
        .collect();
    let t = InspectionPage {
        chrome: Chrome::new(state, viewer, "/inspections"),
        id: insp.id.to_string(),
        title: format!("{} · {}", capitalized(lang.t(kru, ken)), insp.subject_inn),
        subject_inn: insp.subject_inn.clone(),
        subject_name: subject.map(|s| s.name),
        other_subjects: insp
            .other_subjects
            .iter()
            .map(|(_, inn)| inn.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        control_type,
        checklist: insp.checklist_code.clone(),
        objects: insp
            .objects
            .iter()
            .map(|(oid, key)| Obj {
                href: format!("/registry/objects/{oid}"),
                key: key.clone(),
                address: objects
                    .iter()
                    .find(|o| o.id == *oid)
                    .map(|o| o.address.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        kind: lang.t(kru, ken).to_owned(),
        ground: lang.t(gru, gen_).to_owned(),
        citation: insp.ground.citation(),
        agreement: insp
            .prosecutor_agreement
            .as_ref()
            .map(|a| format!("{}, {}", a.reference, format::date(a.date))),
        erknm: insp.erknm.clone(),
        starts: format::date(insp.starts_on),
        ends: format::date(insp.ends_on),
        term: term_words(
            state,
            lang,
            insp.kind,
            insp.objects.len(),
            insp.starts_on,
            insp.ends_on,
        ),
        status: status_text,
        overdue,
        inspectors: logins.names(&insp.inspectors),
        note: insp.note.clone(),
        created: format::datetime(&state.zone, insp.created_at),
        history,
        may_plan,
        editable_dates,
        reassignable: !matches!(
            insp.status,
            InspectionStatus::Closed | InspectionStatus::Cancelled
        ),
        steps,
        cancellable: insp.status.may_become(InspectionStatus::Cancelled),
        picks,
        starts_value: forms
            .starts_on
            .clone()
            .unwrap_or_else(|| iso_date::format(insp.starts_on)),
        ends_value: forms
            .ends_on
            .clone()
            .unwrap_or_else(|| iso_date::format(insp.ends_on)),
        forms,
    };
    Ok(rendered(status, &t))
}
