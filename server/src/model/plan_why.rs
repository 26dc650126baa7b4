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

/// The words of the reasons in one language.
struct Words {
    notice: &'static str,
    regular: &'static str,
    overdue: &'static str,
    counted_from: fn(&str) -> &'static str,
    category: fn(RiskCategory) -> String,
}

const RU: Words = Words {
    notice: "Объект {key}: уведомление о начале деятельности {base}; визит в течение 6 месяцев, с {from} по {to} (не учитывается в периодичности).",
    regular: "Объект {key}: категория «{category}», периодичность — раз в {every} г., отсчёт от {counted} ({base}); срок наступает {due}{overdue}; допустимо с {from} по {to}.",
    overdue: ", просрочено на {days} дн. к 1 января",
    counted_from: |kind| match kind {
        "last_planned_inspection" => "последней плановой проверки",
        "category_decision" => "решения о категории",
        "last_visit" => "последнего профилактического визита",
        "activity_notice" => "уведомления о начале деятельности",
        _ => "—",
    },
    category: |c| c.name_ru().to_owned(),
};

const EN: Words = Words {
    notice: "Object {key}: notice of starting activity {base}; a visit within 6 months, {from} to {to} (not counted in the periodicity).",
    regular: "Object {key}: {category} risk, once per {every} year(s), counted from {counted} ({base}); due from {due}{overdue}; allowed {from} to {to}.",
    overdue: ", {days} days overdue on 1 January",
    counted_from: |kind| match kind {
        "last_planned_inspection" => "the last planned inspection",
        "category_decision" => "the category decision",
        "last_visit" => "the last preventive visit",
        "activity_notice" => "the notice of starting activity",
        _ => "—",
    },
    category: |c| c.as_str().replace('_', " "),
};

impl ObjectWhy {
    /// The reasons in Russian.
    pub fn text_ru(&self) -> String {
        self.text(&RU)
    }

    /// The reasons in English.
    pub fn text_en(&self) -> String {
        self.text(&EN)
    }

    fn text(&self, w: &Words) -> String {
        let date = |d: Date| iso_date::format(d);
        let template = if self.counted_from_kind == "activity_notice" {
            w.notice
        } else {
            w.regular
        };
        let overdue = if self.overdue_days > 0 {
            w.overdue.replace("{days}", &self.overdue_days.to_string())
        } else {
            String::new()
        };
        // The key last: whatever it holds is never read as a placeholder.
        template
            .replace("{base}", &self.counted_from.map_or("—".to_owned(), date))
            .replace("{from}", &date(self.allowed_from))
            .replace("{to}", &date(self.allowed_to))
            .replace("{category}", &(w.category)(self.category))
            .replace("{every}", &self.every_years.to_string())
            .replace("{counted}", (w.counted_from)(&self.counted_from_kind))
            .replace("{due}", &date(self.due_from))
            .replace("{overdue}", &overdue)
            .replace("{key}", &self.object_key)
    }
}

/// The scheduler's part of an entry's reasons: `{"placed": ...}` or `{"left_out": ...}`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleWhy<'a> {
    Placed(&'a Why),
    LeftOut(&'a LeftOutReason),
}

#[derive(Serialize)]
struct Stored<'a> {
    objects: &'a [ObjectWhy],
    schedule: ScheduleWhy<'a>,
}

/// An entry's `why` as stored, written out as JSON: each object's reasons and the scheduler's.
pub fn stored(objects: &[ObjectWhy], schedule: ScheduleWhy<'_>) -> String {
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string(&Stored { objects, schedule }).unwrap_or_default()
}

/// The texts of one part of a stored `why` (an object's reasons, or the scheduler's): the
/// stored ones when it has them (plans built before the texts were left to the reader), else
/// written from its data.
pub fn part_texts(part: &serde_json::Value) -> Option<(String, String)> {
    let stored = |k: &str| part.get(k).and_then(serde_json::Value::as_str);
    if let (Some(ru), Some(en)) = (stored("text_ru"), stored("text_en")) {
        return Some((ru.to_owned(), en.to_owned()));
    }
    if let Some(placed) = part.get("placed") {
        return serde_json::from_value::<Why>(placed.clone())
            .ok()
            .map(|w| (w.text_ru(), w.text_en()));
    }
    if let Some(left) = part.get("left_out") {
        return serde_json::from_value::<LeftOutReason>(left.clone())
            .ok()
            .map(|r| (r.text_ru(), r.text_en()));
    }
    serde_json::from_value::<ObjectWhy>(part.clone())
        .ok()
        .map(|w| (w.text_ru(), w.text_en()))
}

/// Adds `text_ru` and `text_en` to each part of a stored `why` (the API's entries carry them).
pub fn with_texts(why: &mut serde_json::Value) {
    let parts = why
        .get_mut("objects")
        .and_then(|o| o.as_array_mut())
        .into_iter()
        .flatten();
    for part in parts {
        fill(part);
    }
    if let Some(schedule) = why.get_mut("schedule") {
        fill(schedule);
    }
}

fn fill(part: &mut serde_json::Value) {
    if let Some((ru, en)) = part_texts(part) {
        part["text_ru"] = ru.into();
        part["text_en"] = en.into();
    }
}

#[cfg(test)]
mod tests {
    use knd_shared::planning::schedule::LeftOutReason;
    use serde_json::json;
    use time::macros::date;

    use super::*;

    fn why(kind: &str) -> ObjectWhy {
        ObjectWhy {
            object: ObjectId::from(uuid::Uuid::nil()),
            object_key: "OBJ-1".into(),
            category: RiskCategory::Significant,
            every_years: 3,
            counted_from_kind: kind.into(),
            counted_from: Some(date!(2024 - 03 - 01)),
            due_from: date!(2027 - 03 - 01),
            overdue_days: 0,
            allowed_from: date!(2027 - 03 - 01),
            allowed_to: date!(2027 - 12 - 31),
        }
    }

    /// The texts are written from the stored data, Russian and English, and texts a plan
    /// stored before are kept as they are.
    #[test]
    fn texts_are_written_when_read() {
        let left = LeftOutReason::TooFewInspectors {
            needed: 3,
            available: 2,
        };
        let mut stored: serde_json::Value = serde_json::from_str(&stored(
            &[why("last_planned_inspection")],
            ScheduleWhy::LeftOut(&left),
        ))
        .unwrap();
        assert!(stored["objects"][0].get("text_ru").is_none());
        with_texts(&mut stored);
        assert_eq!(
            stored["objects"][0]["text_ru"],
            "Объект OBJ-1: категория «значительный риск», периодичность — раз в 3 г., отсчёт от последней плановой проверки (2024-03-01); срок наступает 2027-03-01; допустимо с 2027-03-01 по 2027-12-31."
        );
        assert!(
            stored["objects"][0]["text_en"]
                .as_str()
                .unwrap()
                .starts_with("Object OBJ-1: significant risk, once per 3 year(s)")
        );
        assert_eq!(stored["schedule"]["text_ru"], left.text_ru());
        assert_eq!(stored["schedule"]["text_en"], left.text_en());
        let notice = why("activity_notice");
        assert!(
            notice
                .text_ru()
                .contains("уведомление о начале деятельности 2024-03-01")
        );
        assert!(
            notice
                .text_en()
                .contains("notice of starting activity 2024-03-01")
        );

        let mut old = json!({"objects": [{"object_key": "A", "text_ru": "было", "text_en": "was"}],
                             "schedule": {"text_ru": "нет времени", "text_en": "no time"}});
        let kept = old.clone();
        with_texts(&mut old);
        assert_eq!(old, kept);
    }
}
