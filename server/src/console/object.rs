//! An object's page (attributes, subject, risk category with the decision and its history,
//! inspections, violations found, open orders, the map of its neighbours) with the form of a
//! risk decision for planners; and a subject's page listing its objects.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use knd_shared::RiskCategory;
use knd_shared::calendar::iso_date;
use serde::Deserialize;

use super::chrome::{Chrome, PageResult, done, form_urlencoded, page, rendered};
use super::format;
use super::i18n::Lang;
use super::map;
use super::names;
use super::registry::{Choice, ObjectLine, SubjectLine, risk_name, type_name};
use super::registry_forms::Field;
use super::risk_object::{self, RiskBlock};
use super::session::{Posted, Viewer, filled};
use crate::error::ApiError;
use crate::services::policy::{self, Action};
use crate::services::{registry, registry_reads, registry_search};
use crate::state::AppState;

/// A row of the risk decisions' history.
struct DecisionLine {
    decided_on: String,
    category: &'static str,
    reason: String,
    recorded_at: String,
}

struct InspectionLine {
    href: String,
    kind: &'static str,
    status: &'static str,
    starts: String,
    ends: String,
}

struct ViolationLine {
    href: String,
    item: String,
    note: String,
    at: String,
}

struct OrderLine {
    href: String,
    at: String,
    remedies: Vec<String>,
}

struct NeighbourLine {
    number: usize,
    href: String,
    key: String,
    address: String,
    risk: &'static str,
    distance: String,
}

/// The risk decision form: fields as typed, each with its error.
struct RiskForm {
    category: Field,
    categories: Vec<Choice>,
    decided_on: Field,
    reason: Field,
}

#[derive(Template)]
#[template(path = "object.html")]
struct ObjectPage {
    chrome: Chrome,
    key: String,
    key_href: String,
    address: String,
    district: String,
    control_type: String,
    position: Option<String>,
    attributes: Option<String>,
    subject: Option<SubjectLine>,
    subject_href: String,
    subject_inn: String,
    risk: &'static str,
    risk_decided_on: Option<String>,
    risk_reason: Option<String>,
    history: Vec<DecisionLine>,
    inspections: Vec<InspectionLine>,
    violations: Vec<ViolationLine>,
    orders: Vec<OrderLine>,
    map_svg: Option<String>,
    neighbours: Vec<NeighbourLine>,
    searched: String,
    can_edit: bool,
    risk_form: Option<RiskForm>,
    /// The «Риск» block (`risk_object.rs`).
    risk_block: RiskBlock,
}

fn risk_form(lang: Lang, allowed: &[RiskCategory], p: &RiskPost) -> RiskForm {
    RiskForm {
        category: Field::new(
            "category",
            lang.t("Категория риска", "Risk category"),
            &p.category,
        )
        .required(),
        categories: allowed
            .iter()
            .map(|c| Choice {
                value: c.as_str().to_owned(),
                label: risk_name(lang, Some(*c)).to_owned(),
                selected: c.as_str() == p.category,
            })
            .collect(),
        decided_on: Field::new(
            "decided_on",
            lang.t(
                "Дата решения (ГГГГ-ММ-ДД)",
                "Date of the decision (YYYY-MM-DD)",
            ),
            &p.decided_on,
        )
        .required(),
        reason: Field::new("reason", lang.t("Основания", "Reasons"), &p.reason).required(),
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    id_or_key: &str,
    posted: Option<RiskPost>,
) -> Result<ObjectPage, super::chrome::Failure> {
    let lang = viewer.lang;
    let p = registry_search::object_page(state, &viewer.user, viewer.address(), id_or_key).await?;
    let types = registry_reads::control_types(state, &viewer.user, viewer.address()).await?;
    let o = &p.object;
    let fmt_dt = |t| format::datetime(&state.zone, t);
    let mut points = Vec::new();
    let mut neighbours = Vec::new();
    for (i, n) in p.neighbours.iter().enumerate() {
        let (Some(at), Some(here)) = (n.object.position, o.position) else {
            continue;
        };
        let (east_m, north_m) = map::offset_m(here, at);
        points.push(map::Point {
            east_m,
            north_m,
            label: (i + 1).to_string(),
            title: format!("{} — {}", n.object.object_key, n.object.address),
        });
        neighbours.push(NeighbourLine {
            number: i + 1,
            href: format!(
                "/registry/objects/{}",
                form_urlencoded(&n.object.object_key)
            ),
            key: n.object.object_key.clone(),
            address: n.object.address.clone(),
            risk: risk_name(lang, n.object.risk_category),
            distance: format!("{:.0}", n.distance_m),
        });
    }
    let map_svg = o.position.map(|_| {
        map::draw(
            lang,
            &o.object_key,
            &format!("{} — {}", o.object_key, o.address),
            &points,
        )
    });
    let can_edit = viewer.may(Action::EditRegistry);
    let allowed = p.control_type.as_ref().map_or_else(
        || RiskCategory::ALL.to_vec(),
        |t| t.rules.categories.clone(),
    );
    let risk_form = can_edit.then(|| {
        let empty = RiskPost {
            category: o
                .risk_category
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            decided_on: iso_date::format(state.today()),
            reason: String::new(),
        };
        risk_form(lang, &allowed, posted.as_ref().unwrap_or(&empty))
    });
    let risk_block =
        risk_object::block(state, viewer, o, p.control_type.as_ref().map(|t| &t.rules)).await?;
    Ok(ObjectPage {
        chrome: Chrome::new(state, viewer, "/registry"),
        key: o.object_key.clone(),
        key_href: form_urlencoded(&o.object_key),
        address: o.address.clone(),
        district: o.district.clone(),
        control_type: type_name(&types, &o.control_type_code),
        position: o.position.map(|(lat, lon)| {
            #[allow(clippy::cast_precision_loss)]
            let (lat, lon) = (lat as f64 / 1e7, lon as f64 / 1e7);
            format!("{lat:.5}, {lon:.5}")
        }),
        attributes: o
            .attributes
            .as_object()
            .filter(|m| !m.is_empty())
            .and_then(|_| serde_json::to_string_pretty(&o.attributes).ok()),
        subject: p.subject.as_ref().map(|s| SubjectLine::of(lang, s)),
        subject_href: format!("/registry/subjects/{}", form_urlencoded(&o.subject_inn)),
        subject_inn: o.subject_inn.clone(),
        risk: risk_name(lang, o.risk_category),
        risk_decided_on: o.risk_decided_on.map(format::date),
        risk_reason: o.risk_reason.clone(),
        history: p
            .risk_history
            .iter()
            .map(|d| DecisionLine {
                decided_on: format::date(d.decided_on),
                category: risk_name(lang, Some(d.category)),
                reason: d.reason.clone(),
                recorded_at: fmt_dt(d.recorded_at),
            })
            .collect(),
        inspections: p
            .inspections
            .iter()
            .map(|i| {
                let (kru, ken) = names::kind(i.kind);
                let (sru, sen) = names::status(i.status);
                InspectionLine {
                    href: format!("/inspections/{}", i.id),
                    kind: lang.t(kru, ken),
                    status: lang.t(sru, sen),
                    starts: format::date(i.starts_on),
                    ends: format::date(i.ends_on),
                }
            })
            .collect(),
        violations: p
            .violations
            .iter()
            .map(|v| ViolationLine {
                href: format!("/inspections/{}", v.inspection),
                item: v.item.clone(),
                note: v.note.clone().unwrap_or_default(),
                at: format::device_time(&state.zone, &v.at),
            })
            .collect(),
        orders: p
            .open_orders
            .iter()
            .map(|d| OrderLine {
                href: d.inspection.map_or_else(
                    || "/inspections".to_owned(),
                    |i| format!("/inspections/{i}"),
                ),
                at: format::device_time(&state.zone, &d.at),
                remedies: serde_json::from_value::<knd_shared::record::kinds::Order>(
                    d.body.clone(),
                )
                .map(|o| {
                    o.remedies
                        .iter()
                        .map(|r| {
                            format!(
                                "{} — {} {}",
                                r.measure,
                                lang.t("до", "by"),
                                format::date(r.deadline)
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            })
            .collect(),
        map_svg,
        neighbours,
        searched: format!("{:.0}", p.searched_m),
        can_edit,
        risk_form,
        risk_block,
    })
}

pub(super) async fn object_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    Ok(page(&render(&state, &viewer, &id, None).await?))
}

/// A risk decision as the form posts it.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct RiskPost {
    category: String,
    decided_on: String,
    reason: String,
}

pub(super) async fn decide_risk(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Posted { viewer, form }: Posted<RiskPost>,
) -> PageResult {
    // Refused (and audited) before anything posted is looked at.
    policy::require(
        &state,
        &viewer.user,
        viewer.address(),
        Action::EditRegistry,
        "object.risk",
        || format!("object:{}", key.escape_debug()),
    )
    .await?;
    let lang = viewer.lang;
    let category = RiskCategory::parse(&form.category);
    let decided_on = iso_date::parse(form.decided_on.trim()).ok();
    let mut errors: Vec<(&str, String)> = Vec::new();
    if category.is_none() {
        errors.push((
            "category",
            lang.t("выберите категорию", "choose a category").into(),
        ));
    }
    if decided_on.is_none() {
        errors.push((
            "decided_on",
            lang.t("дата в виде 2026-03-15", "a date like 2026-03-15")
                .into(),
        ));
    }
    if form.reason.trim().is_empty() {
        errors.push((
            "reason",
            lang.t("укажите основания решения", "give the decision's reasons")
                .into(),
        ));
    }
    let outcome = match (category, decided_on) {
        (Some(c), Some(d)) if errors.is_empty() => registry::decide_risk(
            &state,
            &viewer.user,
            &key,
            c,
            d,
            &form.reason,
            None,
            viewer.address(),
        )
        .await
        .map(|_| ()),
        _ => Err(ApiError::Unprocessable(String::new())),
    };
    match outcome {
        Ok(()) => Ok(done(&format!(
            "/registry/objects/{}",
            form_urlencoded(&key)
        ))),
        Err(ApiError::Unprocessable(m)) => {
            if !m.is_empty() {
                errors.push(("category", lang.pick(&m)));
            }
            let mut t = render(&state, &viewer, &key, Some(form)).await?;
            if let Some(f) = t.risk_form.as_mut() {
                for (field, message) in errors {
                    let target = match field {
                        "decided_on" => &mut f.decided_on,
                        "reason" => &mut f.reason,
                        _ => &mut f.category,
                    };
                    target.error = Some(message);
                }
            }
            Ok(rendered(StatusCode::UNPROCESSABLE_ENTITY, &t))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct SubjectQuery {
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "subject.html")]
struct SubjectPage {
    chrome: Chrome,
    subject: SubjectLine,
    edit_href: Option<String>,
    objects: Vec<ObjectLine>,
    next: Option<String>,
}

const SUBJECT_PAGE: u32 = 50;

pub(super) async fn subject_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(inn): Path<String>,
    Query(q): Query<SubjectQuery>,
) -> PageResult {
    let lang = viewer.lang;
    let (subject, objects) = registry_search::subject_with_objects(
        &state,
        &viewer.user,
        viewer.address(),
        &inn,
        filled(&q.after).map(str::to_owned),
        SUBJECT_PAGE,
    )
    .await?;
    let types = registry_reads::control_types(&state, &viewer.user, viewer.address()).await?;
    let base = format!("/registry/subjects/{}", form_urlencoded(&subject.inn));
    let next = (objects.len() == SUBJECT_PAGE as usize)
        .then(|| objects.last())
        .flatten()
        .map(|o| format!("{base}?after={}", form_urlencoded(&o.object_key)));
    let t = SubjectPage {
        chrome: Chrome::new(&state, &viewer, "/registry"),
        edit_href: viewer
            .may(Action::EditRegistry)
            .then(|| format!("{base}/edit")),
        subject: SubjectLine::of(lang, &subject),
        objects: objects
            .iter()
            .map(|o| ObjectLine::of(lang, &types, o))
            .collect(),
        next,
    };
    Ok(page(&t))
}
