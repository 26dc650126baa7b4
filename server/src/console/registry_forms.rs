//! Forms to add or correct one subject or object (planners and admins). Fields are checked
//! here first so that each error stands beside its field in the viewer's language and the form
//! keeps what was typed; the service checks again and decides (a refusal it gives is shown
//! above the form). Others get no form, and a post of theirs is refused by the policy before
//! anything in it is read (403, audited).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use knd_shared::registry::SizeClass;
use knd_shared::{Inn, Ogrn, RiskCategory};
use serde::Deserialize;

use super::chrome::{Chrome, Failure, PageResult, done, form_urlencoded, page, rendered};
use super::i18n::Lang;
use super::registry::{Choice, risk_name, size_name};
use super::session::{Posted, Viewer, filled};
use crate::error::ApiError;
use crate::services::policy::{self, Action};
use crate::services::registry::degrees_e7;
use crate::services::registry_one::{self, ObjectForm, SubjectForm};
use crate::services::{registry_reads, registry_search};
use crate::state::AppState;

/// A text field of a form: what was typed and the error beside it.
pub(super) struct Field {
    pub(super) id: &'static str,
    pub(super) label: &'static str,
    pub(super) value: String,
    pub(super) error: Option<String>,
    pub(super) required: bool,
}

impl Field {
    pub(super) fn new(id: &'static str, label: &'static str, value: &str) -> Field {
        Field {
            id,
            label,
            value: value.to_owned(),
            error: None,
            required: false,
        }
    }
    pub(super) fn required(mut self) -> Field {
        self.required = true;
        self
    }
}

#[derive(Template)]
#[template(path = "registry_subject_form.html")]
struct SubjectFormPage {
    chrome: Chrome,
    editing: bool,
    inn: Field,
    ogrn: Field,
    name: Field,
    size: Field,
    sizes: Vec<Choice>,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "registry_object_form.html")]
struct ObjectFormPage {
    chrome: Chrome,
    editing: bool,
    key: Field,
    subject_inn: Field,
    control_type: Field,
    types: Vec<Choice>,
    address: Field,
    district: Field,
    lat: Field,
    lon: Field,
    risk: Field,
    risks: Vec<Choice>,
    problem: Option<String>,
}

/// A subject as the form posts it.
#[derive(Debug, Default, Deserialize)]
pub(super) struct SubjectPost {
    /// Set by the form of an existing subject (its ИНН stays fixed when shown again).
    #[serde(default)]
    editing: Option<String>,
    inn: String,
    ogrn: Option<String>,
    name: String,
    size_class: String,
}

/// An object as the form posts it (coordinates in degrees, as people write them).
#[derive(Debug, Default, Deserialize)]
pub(super) struct ObjectPost {
    /// Set by the form of an existing object (its key stays fixed when shown again).
    #[serde(default)]
    editing: Option<String>,
    object_key: String,
    subject_inn: String,
    control_type: String,
    address: String,
    district: String,
    lat: Option<String>,
    lon: Option<String>,
    risk_category: Option<String>,
}

fn refuse_form(viewer: &Viewer) -> Failure {
    Failure::Api(policy::forbidden(viewer.user.role))
}

fn subject_page(
    state: &AppState,
    viewer: &Viewer,
    editing: bool,
    p: &SubjectPost,
) -> SubjectFormPage {
    let lang = viewer.lang;
    SubjectFormPage {
        chrome: Chrome::new(state, viewer, "/registry"),
        editing,
        inn: Field::new("inn", lang.t("ИНН", "INN"), &p.inn).required(),
        ogrn: Field::new(
            "ogrn",
            lang.t("ОГРН (ОГРНИП)", "OGRN"),
            p.ogrn.as_deref().unwrap_or(""),
        ),
        name: Field::new("name", lang.t("Наименование", "Name"), &p.name).required(),
        size: Field::new(
            "size_class",
            lang.t("Категория субъекта", "Size class"),
            &p.size_class,
        )
        .required(),
        sizes: SizeClass::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().to_owned(),
                label: size_name(lang, *s).to_owned(),
                selected: s.as_str() == p.size_class,
            })
            .collect(),
        problem: None,
    }
}

pub(super) async fn new_subject(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    if !viewer.may(Action::EditRegistry) {
        return Err(refuse_form(&viewer));
    }
    let p = SubjectPost {
        size_class: "small".into(),
        ..SubjectPost::default()
    };
    Ok(page(&subject_page(&state, &viewer, false, &p)))
}

pub(super) async fn edit_subject(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(inn): Path<String>,
) -> PageResult {
    if !viewer.may(Action::EditRegistry) {
        return Err(refuse_form(&viewer));
    }
    let (s, _) = registry_search::subject_with_objects(
        &state,
        &viewer.user,
        viewer.address(),
        &inn,
        None,
        1,
    )
    .await?;
    let p = SubjectPost {
        editing: None,
        inn: s.inn,
        ogrn: s.ogrn,
        name: s.name,
        size_class: s.size_class.as_str().to_owned(),
    };
    Ok(page(&subject_page(&state, &viewer, true, &p)))
}

/// Degrees × 10^7 as people write them (`57.6261`), the inverse of `degrees_e7`.
fn degrees(e7: i64) -> String {
    let sign = if e7 < 0 { "-" } else { "" };
    let a = e7.unsigned_abs();
    let frac = format!("{:07}", a % 10_000_000);
    format!("{sign}{}.{}", a / 10_000_000, frac.trim_end_matches('0'))
        .trim_end_matches('.')
        .to_owned()
}

fn set(f: &mut Field, lang: Lang, message: String) {
    f.error = Some(lang.pick(&message));
}

pub(super) async fn save_subject(
    State(state): State<AppState>,
    Posted { viewer, form }: Posted<SubjectPost>,
) -> PageResult {
    // Refused (and audited) before anything posted is looked at.
    policy::require(
        &state,
        &viewer.user,
        viewer.address(),
        Action::EditRegistry,
        "subject.put",
        || format!("subject:{}", form.inn.escape_debug()),
    )
    .await?;
    let lang = viewer.lang;
    let mut t = subject_page(&state, &viewer, form.editing.is_some(), &form);
    let inn = form.inn.trim();
    if let Err(e) = Inn::parse(inn) {
        set(&mut t.inn, lang, e.to_string());
    }
    if let Some(o) = filled(&form.ogrn) {
        if let Err(e) = Ogrn::parse(o) {
            set(&mut t.ogrn, lang, e.to_string());
        }
    }
    if form.name.trim().is_empty() {
        set(
            &mut t.name,
            lang,
            "укажите наименование / give a name".into(),
        );
    }
    if SizeClass::parse(&form.size_class).is_none() {
        set(
            &mut t.size,
            lang,
            "выберите категорию / choose a size class".into(),
        );
    }
    let invalid = [&t.inn, &t.ogrn, &t.name, &t.size]
        .iter()
        .any(|f| f.error.is_some());
    if invalid {
        return Ok(rendered(StatusCode::UNPROCESSABLE_ENTITY, &t));
    }
    let sent = SubjectForm {
        ogrn: filled(&form.ogrn).map(str::to_owned),
        name: form.name.clone(),
        size_class: form.size_class.clone(),
    };
    match registry_one::put_subject(&state, &viewer.user, inn, sent, viewer.address()).await {
        Ok(s) => Ok(done(&format!(
            "/registry/subjects/{}",
            form_urlencoded(&s.inn)
        ))),
        Err(ApiError::Unprocessable(m)) => {
            t.problem = Some(lang.pick(&m));
            Ok(rendered(StatusCode::UNPROCESSABLE_ENTITY, &t))
        }
        Err(e) => Err(e.into()),
    }
}

async fn object_page(
    state: &AppState,
    viewer: &Viewer,
    editing: bool,
    p: &ObjectPost,
) -> Result<ObjectFormPage, Failure> {
    let lang = viewer.lang;
    let types = registry_reads::control_types(state, &viewer.user, viewer.address()).await?;
    let risk = filled(&p.risk_category).unwrap_or("");
    Ok(ObjectFormPage {
        chrome: Chrome::new(state, viewer, "/registry"),
        editing,
        key: Field::new(
            "object_key",
            lang.t("Ключ объекта", "Object key"),
            &p.object_key,
        )
        .required(),
        subject_inn: Field::new(
            "subject_inn",
            lang.t("ИНН субъекта", "Subject INN"),
            &p.subject_inn,
        )
        .required(),
        control_type: Field::new(
            "control_type",
            lang.t("Вид контроля", "Control type"),
            &p.control_type,
        )
        .required(),
        types: types
            .iter()
            .map(|t| Choice {
                value: t.code.clone(),
                label: t.name.clone(),
                selected: t.code == p.control_type,
            })
            .collect(),
        address: Field::new("address", lang.t("Адрес", "Address"), &p.address).required(),
        district: Field::new("district", lang.t("Район", "District"), &p.district).required(),
        lat: Field::new(
            "lat",
            lang.t("Широта, градусы", "Latitude, degrees"),
            p.lat.as_deref().unwrap_or(""),
        ),
        lon: Field::new(
            "lon",
            lang.t("Долгота, градусы", "Longitude, degrees"),
            p.lon.as_deref().unwrap_or(""),
        ),
        risk: Field::new(
            "risk_category",
            lang.t("Категория риска", "Risk category"),
            risk,
        ),
        risks: RiskCategory::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str().to_owned(),
                label: risk_name(lang, Some(*c)).to_owned(),
                selected: c.as_str() == risk,
            })
            .collect(),
        problem: None,
    })
}

pub(super) async fn new_object(State(state): State<AppState>, viewer: Viewer) -> PageResult {
    if !viewer.may(Action::EditRegistry) {
        return Err(refuse_form(&viewer));
    }
    Ok(page(
        &object_page(&state, &viewer, false, &ObjectPost::default()).await?,
    ))
}

pub(super) async fn edit_object(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(key): Path<String>,
) -> PageResult {
    if !viewer.may(Action::EditRegistry) {
        return Err(refuse_form(&viewer));
    }
    let o = registry_search::object_page(&state, &viewer.user, viewer.address(), &key)
        .await?
        .object;
    let (lat, lon) = o.position.unzip();
    let p = ObjectPost {
        editing: None,
        object_key: o.object_key,
        subject_inn: o.subject_inn,
        control_type: o.control_type_code,
        address: o.address,
        district: o.district,
        lat: lat.map(degrees),
        lon: lon.map(degrees),
        risk_category: o.risk_category.map(|c| c.as_str().to_owned()),
    };
    Ok(page(&object_page(&state, &viewer, true, &p).await?))
}

pub(super) async fn save_object(
    State(state): State<AppState>,
    Posted { viewer, form }: Posted<ObjectPost>,
) -> PageResult {
    policy::require(
        &state,
        &viewer.user,
        viewer.address(),
        Action::EditRegistry,
        "object.put",
        || format!("object:{}", form.object_key.escape_debug()),
    )
    .await?;
    let lang = viewer.lang;
    let mut t = object_page(&state, &viewer, form.editing.is_some(), &form).await?;
    let key = form.object_key.trim();
    if let Err(e) = crate::services::registry::safe_key(key, 200) {
        set(&mut t.key, lang, e);
    }
    if let Err(e) = Inn::parse(form.subject_inn.trim()) {
        set(&mut t.subject_inn, lang, e.to_string());
    }
    if form.control_type.is_empty() {
        set(
            &mut t.control_type,
            lang,
            "выберите вид контроля / choose a control type".into(),
        );
    }
    for (f, v) in [
        (&mut t.address, &form.address),
        (&mut t.district, &form.district),
    ] {
        if v.trim().is_empty() {
            set(f, lang, "заполните поле / fill this field in".into());
        }
    }
    let lat = filled(&form.lat).map(|s| degrees_e7(&s.replace(',', "."), 90));
    let lon = filled(&form.lon).map(|s| degrees_e7(&s.replace(',', "."), 180));
    let degrees = "градусы с точкой, например 57.6261 / degrees with a point, like 57.6261";
    if let Some(Err(_)) = lat {
        set(&mut t.lat, lang, degrees.into());
    }
    if let Some(Err(_)) = lon {
        set(&mut t.lon, lang, degrees.into());
    }
    let both = "укажите обе координаты или ни одной / give both coordinates or neither";
    match (&lat, &lon) {
        (Some(_), None) => set(&mut t.lon, lang, both.into()),
        (None, Some(_)) => set(&mut t.lat, lang, both.into()),
        _ => {}
    }
    let fields = [
        &t.key,
        &t.subject_inn,
        &t.control_type,
        &t.address,
        &t.district,
        &t.lat,
        &t.lon,
    ];
    if fields.iter().any(|f| f.error.is_some()) {
        return Ok(rendered(StatusCode::UNPROCESSABLE_ENTITY, &t));
    }
    let sent = ObjectForm {
        subject_inn: form.subject_inn.trim().to_owned(),
        control_type: form.control_type.clone(),
        address: form.address.clone(),
        district: form.district.clone(),
        lat_e7: lat.and_then(Result::ok),
        lon_e7: lon.and_then(Result::ok),
        risk_category: filled(&form.risk_category).map(str::to_owned),
    };
    match registry_one::put_object(&state, &viewer.user, key, sent, viewer.address()).await {
        Ok(o) => Ok(done(&format!(
            "/registry/objects/{}",
            form_urlencoded(&o.object_key)
        ))),
        Err(ApiError::Unprocessable(m)) => {
            let m = lang.pick(&m);
            // The service's own checks name the field they refuse.
            if m.contains("subject") || m.contains("субъект") {
                t.subject_inn.error = Some(m);
            } else if m.contains("categor") || m.contains("категор") {
                t.risk.error = Some(m);
            } else {
                t.problem = Some(m);
            }
            Ok(rendered(StatusCode::UNPROCESSABLE_ENTITY, &t))
        }
        Err(e) => Err(e.into()),
    }
}
