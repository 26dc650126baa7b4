//! Why a plan entry is what it is: each object's reasons (category, periodicity, what it was
//! counted from, the allowed days) and the scheduler's reason for its date and inspectors or
//! for leaving it out. The store keeps the reasons as data; their Russian and English texts are
//! written when an entry is read ([`with_texts`]), so building a plan of 150,000 entries does
//! not format and store 600,000 sentences nobody reads at once.

use knd_shared::calendar::iso_date;
use knd_shared::planning::schedule::{LeftOutReason, Why};
use knd_shared::{ObjectId, RiskCategory};
use serde::{Deserialize, Serialize};
use time::Date;

/// Why an object is in the plan: its category, periodicity and what it was counted from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectWhy {
    pub object: ObjectId,
    pub object_key: String,
    pub category: RiskCategory,
    pub every_years: u32,
    /// `last_planned_inspection`, `category_decision`, `last_visit`, `activity_notice` or `none`.
    pub counted_from_kind: String,
    #[serde(default, with = "iso_date::option")]
    pub counted_from: Option<Date>,
    #[serde(with = "iso_date")]
    pub due_from: Date,
    pub overdue_days: u32,
    #[serde(with = "iso_date")]
    pub allowed_from: Date,
    #[serde(with = "iso_date")]
    pub allowed_to: Date,
}

fn counted_from(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "last_planned_inspection" => ("последней плановой проверки", "the last planned inspection"),
        "category_decision" => ("решения о категории", "the category decision"),
        "last_visit" => (
            "последнего профилактического визита",
            "the last preventive visit",
        ),
        "activity_notice" => (
            "уведомления о начале деятельности",
            "the notice of starting activity",
        ),
        _ => ("—", "—"),
    }
}

impl ObjectWhy {
    /// The reasons in Russian.
    pub fn text_ru(&self) -> String {
        let base = self.counted_from.map_or("—".to_owned(), iso_date::format);
        let (from, to) = (
            iso_date::format(self.allowed_from),
            iso_date::format(self.allowed_to),
        );
        if self.counted_from_kind == "activity_notice" {
            return format!(
                "Объект {}: уведомление о начале деятельности {base}; визит в течение 6 месяцев, с {from} по {to} (не учитывается в периодичности).",
                self.object_key
            );
        }
        let overdue = if self.overdue_days > 0 {
            format!(", просрочено на {} дн. к 1 января", self.overdue_days)
        } else {
            String::new()
        };
        format!(
            "Объект {}: категория «{}», периодичность — раз в {} г., отсчёт от {} ({base}); срок наступает {}{overdue}; допустимо с {from} по {to}.",
            self.object_key,
            self.category.name_ru(),
            self.every_years,
            counted_from(&self.counted_from_kind).0,
            iso_date::format(self.due_from),
        )
    }

    /// The reasons in English.
    pub fn text_en(&self) -> String {
        let base = self.counted_from.map_or("—".to_owned(), iso_date::format);
        let (from, to) = (
            iso_date::format(self.allowed_from),
            iso_date::format(self.allowed_to),
        );
        if self.counted_from_kind == "activity_notice" {
            return format!(
                "Object {}: notice of starting activity {base}; a visit within 6 months, {from} to {to} (not counted in the periodicity).",
                self.object_key
            );
        }
        let overdue = if self.overdue_days > 0 {
            format!(", {} days overdue on 1 January", self.overdue_days)
        } else {
            String::new()
        };
        format!(
            "Object {}: {} risk, once per {} year(s), counted from {} ({base}); due from {}{overdue}; allowed {from} to {to}.",
            self.object_key,
            self.category.as_str().replace('_', " "),
            self.every_years,
            counted_from(&self.counted_from_kind).1,
            iso_date::format(self.due_from),
        )
    }
}

/// An entry's `why` as stored: each object's reasons and the scheduler's.
pub fn stored(objects: &[ObjectWhy], schedule: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"objects": objects, "schedule": schedule})
}

/// Adds `text_ru` and `text_en` to each part of a stored `why` that lacks them (plans built
/// before the texts were left to the reader keep theirs).
pub fn with_texts(why: &mut serde_json::Value) {
    if let Some(objects) = why.get_mut("objects").and_then(|o| o.as_array_mut()) {
        for o in objects {
            if o.get("text_ru").is_some() {
                continue;
            }
            if let Ok(w) = serde_json::from_value::<ObjectWhy>(o.clone()) {
                o["text_ru"] = w.text_ru().into();
                o["text_en"] = w.text_en().into();
            }
        }
    }
    let Some(schedule) = why.get_mut("schedule") else {
        return;
    };
    if schedule.get("text_ru").is_some() {
        return;
    }
    let texts = if let Some(placed) = schedule.get("placed") {
        serde_json::from_value::<Why>(placed.clone())
            .ok()
            .map(|w| (w.text_ru(), w.text_en()))
    } else if let Some(left) = schedule.get("left_out") {
        serde_json::from_value::<LeftOutReason>(left.clone())
            .ok()
            .map(|r| (r.text_ru(), r.text_en()))
    } else {
        None
    };
    if let Some((ru, en)) = texts {
        schedule["text_ru"] = ru.into();
        schedule["text_en"] = en.into();
    }
}
