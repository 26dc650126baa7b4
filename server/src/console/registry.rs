//! The registry: one search box over subjects and objects (ИНН, ОГРН, key, name, address), the
//! filters of objects, keyset "next page" links; links to the forms and the CSV import for the
//! roles that edit (`registry_forms.rs`, `registry_import.rs`); a subject's and an object's
//! pages are in `object.rs`.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::routing::{get, post};
use knd_shared::RiskCategory;
use knd_shared::registry::SizeClass;
use serde::Deserialize;

use super::chrome::{Chrome, PageResult, form_urlencoded, page};
use super::i18n::Lang;
use super::names;
use super::session::{Viewer, filled};
use super::{object, registry_forms, registry_import};
use crate::model::{ControlObject, ControlType, Subject};
use crate::services::policy::Action;
use crate::services::registry_search::{self, SearchBy};
use crate::state::AppState;
use crate::store::search::RiskFilter;

/// Rows per list page.
const PAGE: u32 = 50;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/registry", get(list))
        .route("/registry/import", get(registry_import::form))
        .route(
            "/registry/import/{what}",
            post(registry_import::submit).layer(DefaultBodyLimit::max(
                registry_import::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route("/registry/subjects", post(registry_forms::save_subject))
        .route("/registry/subjects/new", get(registry_forms::new_subject))
        .route("/registry/subjects/{inn}", get(object::subject_page))
        .route(
            "/registry/subjects/{inn}/edit",
            get(registry_forms::edit_subject),
        )
        .route("/registry/objects", post(registry_forms::save_object))
        .route("/registry/objects/new", get(registry_forms::new_object))
        .route("/registry/objects/{id}", get(object::object_page))
        .route(
            "/registry/objects/{key}/edit",
            get(registry_forms::edit_object),
        )
        .route("/registry/objects/{key}/risk", post(object::decide_risk))
}

/// A size class's name.
pub(super) fn size_name(lang: Lang, s: SizeClass) -> &'static str {
    match s {
        SizeClass::Micro => lang.t("микропредприятие", "micro enterprise"),
        SizeClass::Small => lang.t("малое предприятие", "small enterprise"),
        SizeClass::Medium => lang.t("среднее предприятие", "medium enterprise"),
        SizeClass::Large => lang.t("крупное предприятие", "large enterprise"),
    }
}

/// A risk category's name, or the words for none assigned (ч.7 ст.23: counted as low).
pub(super) fn risk_name(lang: Lang, c: Option<RiskCategory>) -> &'static str {
    match c {
        Some(c) => {
            let (ru, en) = names::risk(c);
            lang.t(ru, en)
        }
        None => lang.t(
            "не присвоена (считается низким)",
            "not assigned (counts as low)",
        ),
    }
}

/// A subject line of a table.
pub(super) struct SubjectLine {
    pub(super) href: String,
    pub(super) inn: String,
    pub(super) ogrn: String,
    pub(super) name: String,
    pub(super) size: &'static str,
}

impl SubjectLine {
    pub(super) fn of(lang: Lang, s: &Subject) -> SubjectLine {
        SubjectLine {
            href: format!("/registry/subjects/{}", form_urlencoded(&s.inn)),
            inn: s.inn.clone(),
            ogrn: s.ogrn.clone().unwrap_or_default(),
            name: s.name.clone(),
            size: size_name(lang, s.size_class),
        }
    }
}

/// An object line of a table.
pub(super) struct ObjectLine {
    pub(super) href: String,
    pub(super) key: String,
    pub(super) address: String,
    pub(super) district: String,
    pub(super) control_type: String,
    pub(super) risk: &'static str,
    pub(super) subject_href: String,
    pub(super) subject_inn: String,
}

impl ObjectLine {
    pub(super) fn of(lang: Lang, types: &[ControlType], o: &ControlObject) -> ObjectLine {
        ObjectLine {
            href: format!("/registry/objects/{}", form_urlencoded(&o.object_key)),
            key: o.object_key.clone(),
            address: o.address.clone(),
            district: o.district.clone(),
            control_type: type_name(types, &o.control_type_code),
            risk: risk_name(lang, o.risk_category),
            subject_href: format!("/registry/subjects/{}", form_urlencoded(&o.subject_inn)),
            subject_inn: o.subject_inn.clone(),
        }
    }
}

/// A control type's name (its code when the agency has no such type).
pub(super) fn type_name(types: &[ControlType], code: &str) -> String {
    types
        .iter()
        .find(|t| t.code == code)
        .map_or_else(|| code.to_owned(), |t| t.name.clone())
}

/// An option of a select: value, label, selected.
pub(super) struct Choice {
    pub(super) value: String,
    pub(super) label: String,
    pub(super) selected: bool,
}

/// What the registry page is asked (its query string).
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    q: Option<String>,
    by: Option<String>,
    #[serde(rename = "type")]
    control_type: Option<String>,
    district: Option<String>,
    risk: Option<String>,
    s_after: Option<String>,
    o_after: Option<String>,
}

#[derive(Template)]
#[template(path = "registry.html")]
struct RegistryPage {
    chrome: Chrome,
    q: String,
    by: Vec<Choice>,
    types: Vec<Choice>,
    districts: Vec<Choice>,
    risks: Vec<Choice>,
    notice: Option<String>,
    subjects: Option<Vec<SubjectLine>>,
    objects: Option<Vec<ObjectLine>>,
    subjects_next: Option<String>,
    objects_next: Option<String>,
    can_edit: bool,
    can_import: bool,
}

fn by_label(lang: Lang, by: SearchBy) -> &'static str {
    match by {
        SearchBy::Auto => lang.t("всему (определить)", "anything (guess)"),
        SearchBy::Inn => lang.t("ИНН (начало)", "INN (start)"),
        SearchBy::Ogrn => lang.t("ОГРН (начало)", "OGRN (start)"),
        SearchBy::Key => lang.t("ключу объекта (начало)", "object key (start)"),
        SearchBy::Name => lang.t("наименованию (фрагмент)", "name (fragment)"),
        SearchBy::Address => lang.t("адресу (фрагмент)", "address (fragment)"),
    }
}

fn parse_risk(s: Option<&str>) -> Option<RiskFilter> {
    match s? {
        "none" => Some(RiskFilter::Unassigned),
        c => RiskCategory::parse(c).map(RiskFilter::Category),
    }
}

/// The page's link with one cursor set (the other list starts again).
fn next_href(q: &ListQuery, by: SearchBy, cursor: (&str, &str)) -> String {
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    if let Some(v) = filled(&q.q) {
        pairs.push(("q", v));
    }
    pairs.push(("by", by.as_str()));
    for (k, v) in [
        ("type", &q.control_type),
        ("district", &q.district),
        ("risk", &q.risk),
    ] {
        if let Some(v) = filled(v) {
            pairs.push((k, v));
        }
    }
    pairs.push(cursor);
    format!(
        "/registry?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let lang = viewer.lang;
    let by =
        q.by.as_deref()
            .and_then(SearchBy::parse)
            .unwrap_or_default();
    let risk = parse_risk(filled(&q.risk));
    let query = registry_search::Query {
        text: filled(&q.q).unwrap_or("").to_owned(),
        by,
        control_type: filled(&q.control_type).map(str::to_owned),
        district: filled(&q.district).map(str::to_owned),
        risk,
        subjects_after: filled(&q.s_after).map(str::to_owned),
        objects_after: filled(&q.o_after).map(str::to_owned),
        limit: PAGE,
    };
    let (district_names, control_types) =
        registry_search::filters(&state, &viewer.user, viewer.address()).await?;
    let found = registry_search::search(&state, &viewer.user, viewer.address(), &query).await?;
    let subjects_next = found
        .subjects
        .as_ref()
        .filter(|l| l.len() == PAGE as usize)
        .and_then(|l| l.last())
        .map(|s| next_href(&q, found.by, ("s_after", &s.inn)));
    let objects_next = found
        .objects
        .as_ref()
        .filter(|l| l.len() == PAGE as usize)
        .and_then(|l| l.last())
        .map(|o| next_href(&q, found.by, ("o_after", &o.object_key)));
    // A page further down one list shows that list alone.
    let (show_subjects, show_objects) = (
        query.objects_after.is_none(),
        query.subjects_after.is_none(),
    );
    let chosen = |v: &Option<String>, x: &str| filled(v) == Some(x);
    let t = RegistryPage {
        chrome: Chrome::new(&state, &viewer, "/registry"),
        q: query.text.clone(),
        by: SearchBy::ALL
            .iter()
            .map(|b| Choice {
                value: b.as_str().to_owned(),
                label: by_label(lang, *b).to_owned(),
                selected: *b == by,
            })
            .collect(),
        types: control_types
            .iter()
            .map(|t| Choice {
                value: t.code.clone(),
                label: t.name.clone(),
                selected: chosen(&q.control_type, &t.code),
            })
            .collect(),
        districts: district_names
            .iter()
            .map(|d| Choice {
                value: d.clone(),
                label: d.clone(),
                selected: chosen(&q.district, d),
            })
            .collect(),
        risks: RiskCategory::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str().to_owned(),
                label: risk_name(lang, Some(*c)).to_owned(),
                selected: risk == Some(RiskFilter::Category(*c)),
            })
            .chain(std::iter::once(Choice {
                value: "none".into(),
                label: lang.t("не присвоена", "not assigned").to_owned(),
                selected: risk == Some(RiskFilter::Unassigned),
            }))
            .collect(),
        notice: found.notice.map(|n| lang.pick(n)),
        subjects: found
            .subjects
            .filter(|_| show_subjects)
            .map(|l| l.iter().map(|s| SubjectLine::of(lang, s)).collect()),
        objects: found.objects.filter(|_| show_objects).map(|l| {
            l.iter()
                .map(|o| ObjectLine::of(lang, &control_types, o))
                .collect()
        }),
        subjects_next: subjects_next.filter(|_| show_subjects),
        objects_next: objects_next.filter(|_| show_objects),
        can_edit: viewer.may(Action::EditRegistry),
        can_import: viewer.may(Action::ImportRegistry),
    };
    Ok(page(&t))
}
