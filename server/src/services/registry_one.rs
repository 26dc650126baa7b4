//! One subject or control object at a time (the console's forms), validated like a CSV row and
//! written through the same store path as an import.

use knd_shared::registry::SizeClass;
use knd_shared::{Inn, Ogrn, RiskCategory};
use serde::Deserialize;
use utoipa::ToSchema;

use super::accounts::{audit, plain_text};
use crate::error::{ApiError, ApiResult};
use crate::model::{Actor, ControlObject, NewObject, NewSubject, Subject, User};
use crate::services::policy::{self, Action};
use crate::state::AppState;

/// A subject as a form submits it; the INN is in the path.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectForm {
    pub ogrn: Option<String>,
    pub name: String,
    /// micro, small, medium or large.
    pub size_class: String,
}

/// An object as a form submits it; the key is in the path.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectForm {
    pub subject_inn: String,
    pub control_type: String,
    pub address: String,
    pub district: String,
    /// Degrees × 10^7.
    pub lat_e7: Option<i64>,
    pub lon_e7: Option<i64>,
    /// The category; record a decision with its date and reasons through `PUT .../risk`.
    pub risk_category: Option<String>,
}

fn refuse(e: impl std::fmt::Display) -> ApiError {
    ApiError::Unprocessable(e.to_string())
}

pub async fn put_subject(
    state: &AppState,
    user: &User,
    inn: &str,
    form: SubjectForm,
    address: Option<&str>,
) -> ApiResult<Subject> {
    policy::require(
        state,
        user,
        address,
        Action::EditRegistry,
        "subject.put",
        || format!("subject:{}", inn.escape_debug()),
    )
    .await?;
    let inn = Inn::parse(inn).map_err(refuse)?;
    let ogrn = match form.ogrn.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(o) => Some(Ogrn::parse(o).map_err(refuse)?),
    };
    let name = plain_text("a name", &form.name, 500)?.to_owned();
    let size_class = SizeClass::parse(&form.size_class).ok_or_else(|| {
        refuse(format!(
            "size_class {:?} is not micro, small, medium or large",
            form.size_class
        ))
    })?;
    let mut a = audit(
        Actor::User(user.id),
        Some(user.agency),
        "subject.put",
        address,
    );
    a.target = Some(format!("subject:{inn}"));
    let row = NewSubject {
        inn: inn.clone(),
        ogrn,
        name,
        size_class,
    };
    state.store.import_subjects(user.agency, &[row], &a).await?;
    state
        .store
        .subject_by_inn(user.agency, inn.as_str())
        .await?
        .ok_or_else(|| ApiError::Internal("the subject just stored is missing".into()))
}

pub async fn put_object(
    state: &AppState,
    user: &User,
    key: &str,
    form: ObjectForm,
    address: Option<&str>,
) -> ApiResult<ControlObject> {
    policy::require(
        state,
        user,
        address,
        Action::EditRegistry,
        "object.put",
        || format!("object:{}", key.escape_debug()),
    )
    .await?;
    let key = super::registry::safe_key(key, 200)
        .map_err(ApiError::Unprocessable)?
        .to_owned();
    let inn = Inn::parse(&form.subject_inn).map_err(refuse)?;
    if state
        .store
        .subject_by_inn(user.agency, inn.as_str())
        .await?
        .is_none()
    {
        return Err(refuse(format!("no subject with INN {inn}")));
    }
    let Some(control_type) = state
        .store
        .list_control_types(user.agency)
        .await?
        .into_iter()
        .find(|t| t.code == form.control_type)
    else {
        return Err(refuse(format!(
            "unknown control type {:?}",
            form.control_type
        )));
    };
    let position = match (form.lat_e7, form.lon_e7) {
        (None, None) => None,
        (Some(lat), Some(lon)) if lat.abs() <= 900_000_000 && lon.abs() <= 1_800_000_000 => {
            Some((lat, lon))
        }
        (Some(_), Some(_)) => return Err(refuse("coordinates out of range")),
        _ => return Err(refuse("give both lat_e7 and lon_e7, or neither")),
    };
    let risk_category = form
        .risk_category
        .as_deref()
        .map(|r| {
            let c = RiskCategory::parse(r)
                .ok_or_else(|| refuse(format!("unknown risk category {r:?}")))?;
            // ч.2 ст.23: only the categories the regulation uses.
            control_type
                .rules
                .check_category(c)
                .map_err(|e| refuse(e.to_string()))?;
            Ok::<_, ApiError>(c)
        })
        .transpose()?;
    let row = NewObject {
        object_key: key.clone(),
        subject_inn: inn.as_str().to_owned(),
        control_type_code: form.control_type,
        address: plain_text("an address", &form.address, 500)?.to_owned(),
        district: plain_text("a district", &form.district, 200)?.to_owned(),
        position,
        risk_category,
        risk_decision: None,
        attributes: None,
    };
    let mut a = audit(
        Actor::User(user.id),
        Some(user.agency),
        "object.put",
        address,
    );
    a.target = Some(format!("object:{}", key.escape_debug()));
    state.store.import_objects(user.agency, &[row], &a).await?;
    state
        .store
        .objects_by_keys(user.agency, &[key])
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal("the object just stored is missing".into()))
}
