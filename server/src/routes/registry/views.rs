//! The registry as the API shows it: control types, subjects, objects, requirements and
//! checklists. The store's types change with the schema; these are the wire.

use knd_shared::RiskCategory;
use knd_shared::registry::{ControlTypeRules, SizeClass};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::model::{Checklist, ChecklistItem, ControlObject, ControlType, Requirement, Subject};

#[derive(Debug, Serialize, ToSchema)]
pub(in crate::routes) struct ControlTypeView {
    id: uuid::Uuid,
    code: String,
    name: String,
    #[schema(value_type = Object)]
    rules: ControlTypeRules,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: OffsetDateTime,
}

impl From<ControlType> for ControlTypeView {
    fn from(t: ControlType) -> Self {
        Self {
            id: t.id,
            code: t.code,
            name: t.name,
            rules: t.rules,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(in crate::routes) struct SubjectView {
    id: uuid::Uuid,
    inn: String,
    ogrn: Option<String>,
    name: String,
    /// micro, small, medium or large.
    #[schema(value_type = String)]
    size_class: SizeClass,
}

#[derive(Debug, Serialize, ToSchema)]
pub(in crate::routes) struct SubjectPage {
    pub(super) items: Vec<SubjectView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub(super) next: Option<String>,
}

impl From<Subject> for SubjectView {
    fn from(s: Subject) -> Self {
        Self {
            id: s.id,
            inn: s.inn,
            ogrn: s.ogrn,
            name: s.name,
            size_class: s.size_class,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(in crate::routes) struct ObjectView {
    id: uuid::Uuid,
    object_key: String,
    subject_inn: String,
    control_type: String,
    address: String,
    district: String,
    lat_e7: Option<i64>,
    lon_e7: Option<i64>,
    /// low, moderate, medium, significant, high or extremely_high; absent counts as low.
    #[schema(value_type = Option<String>)]
    risk_category: Option<RiskCategory>,
    /// The date of the category decision (ч.1 ст.23), and its reasons.
    #[schema(value_type = Option<String>, format = Date)]
    risk_decided_on: Option<String>,
    risk_reason: Option<String>,
    /// What the object is and does, as the risk criteria need it.
    #[schema(value_type = Object)]
    attributes: serde_json::Value,
}

impl From<ControlObject> for ObjectView {
    fn from(o: ControlObject) -> Self {
        Self {
            id: o.id,
            object_key: o.object_key,
            subject_inn: o.subject_inn,
            control_type: o.control_type_code,
            address: o.address,
            district: o.district,
            lat_e7: o.position.map(|p| p.0),
            lon_e7: o.position.map(|p| p.1),
            risk_category: o.risk_category,
            risk_decided_on: o
                .risk_decided_on
                .map(knd_shared::calendar::iso_date::format),
            risk_reason: o.risk_reason,
            attributes: o.attributes,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(in crate::routes) struct ObjectPage {
    pub(super) items: Vec<ObjectView>,
    pub(super) next: Option<String>,
}

/// A mandatory requirement (обязательное требование) with its legal source.
#[derive(Debug, Serialize, ToSchema)]
pub(in crate::routes) struct RequirementView {
    code: String,
    text: String,
    /// The legal act, e.g. `Постановление Правительства РФ от 16.09.2020 № 1479`.
    legal_act: String,
    /// Its article or paragraph, e.g. `п. 60`.
    article: String,
}

impl From<Requirement> for RequirementView {
    fn from(r: Requirement) -> Self {
        Self {
            code: r.code,
            text: r.text,
            legal_act: r.legal_act,
            article: r.article,
        }
    }
}

/// One question of a checklist, on one requirement.
#[derive(Debug, Serialize, ToSchema)]
pub(in crate::routes) struct ChecklistItemView {
    code: String,
    question: String,
    requirement: RequirementView,
}

impl From<ChecklistItem> for ChecklistItemView {
    fn from(i: ChecklistItem) -> Self {
        Self {
            code: i.code,
            question: i.question,
            requirement: i.requirement.into(),
        }
    }
}

/// A checklist (проверочный лист) of a control type, in item order.
#[derive(Debug, Serialize, ToSchema)]
pub(in crate::routes) struct ChecklistView {
    code: String,
    name: String,
    items: Vec<ChecklistItemView>,
}

impl From<Checklist> for ChecklistView {
    fn from(c: Checklist) -> Self {
        Self {
            code: c.code,
            name: c.name,
            items: c.items.into_iter().map(Into::into).collect(),
        }
    }
}
