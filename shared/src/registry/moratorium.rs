//! The moratorium on planned inspections (ПП РФ от 10.03.2022 № 336 as amended, extended to
//! 1 January 2030 by ПП № 372) and the object attributes it weighs. The rule and its end date are
//! data in [`super::ControlTypeRules`], so a change of law is configuration, not code.

use serde::{Deserialize, Serialize};
use time::{Date, Month};

use crate::calendar::iso_date;
use crate::domain::RiskCategory;

use super::RulesError;

/// An educational facility, which the moratorium leaves to mandatory preventive visits instead
/// of planned inspections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EducationFacility {
    /// школа (общеобразовательная организация)
    School,
    /// детский сад (дошкольная образовательная организация)
    Kindergarten,
}

impl EducationFacility {
    fn name_ru(self) -> &'static str {
        match self {
            EducationFacility::School => "школа",
            EducationFacility::Kindergarten => "детский сад",
        }
    }
}

/// The attributes of a control object the law's rules read, from its activity attributes (a
/// JSON object whose other members are the agency's own).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectAttributes {
    /// Hazard class of a hazardous production facility, I to IV (116-ФЗ ст.2), as 1 to 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hazardous_facility_class: Option<u8>,
    /// Class of a hydraulic structure, I to IV (117-ФЗ), as 1 to 4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hydraulic_structure_class: Option<u8>,
    /// A school or a kindergarten.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub education_facility: Option<EducationFacility>,
}

/// Why an object's attributes were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ObjectAttributesError(String);

impl ObjectAttributes {
    /// Reads the law's attributes out of an object's activity attributes (its other members
    /// are ignored), refusing a known key with a wrong value: a class outside 1..=4, an unknown
    /// kind of facility.
    pub fn from_json(
        attributes: Option<&serde_json::Value>,
    ) -> Result<Self, ObjectAttributesError> {
        let refused = || {
            ObjectAttributesError(
                "hazardous_facility_class и hydraulic_structure_class — классы от 1 до 4, education_facility — school или kindergarten / hazardous_facility_class and hydraulic_structure_class are classes 1 to 4, education_facility is school or kindergarten".into(),
            )
        };
        let Some(v @ serde_json::Value::Object(_)) = attributes else {
            return Ok(Self::default());
        };
        let a = Self::deserialize(v).map_err(|_| refused())?;
        let classes = [a.hazardous_facility_class, a.hydraulic_structure_class];
        if classes.into_iter().flatten().any(|c| !(1..=4).contains(&c)) {
            return Err(refused());
        }
        Ok(a)
    }
}

/// Which planned inspections the moratorium still allows, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moratorium {
    /// The decree and its amendments.
    pub source: String,
    /// The last day it applies; planned inspections from the next day on are not limited by it.
    #[serde(with = "iso_date")]
    pub last_day: Date,
    /// Effective risk categories that may still be inspected by the plan.
    pub categories: Vec<RiskCategory>,
    /// Hazard classes of hazardous production facilities that may still be inspected.
    #[serde(default)]
    pub hazardous_facility_classes: Vec<u8>,
    /// Classes of hydraulic structures that may still be inspected.
    #[serde(default)]
    pub hydraulic_structure_classes: Vec<u8>,
    /// Facilities never inspected by the plan while it applies (preventive visits instead).
    #[serde(default)]
    pub excluded: Vec<EducationFacility>,
}

/// Why the moratorium refuses a planned inspection of an object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoratoriumRefusal {
    #[error(
        "мораторий ({decree}, до {last_day} включительно): плановые проверки объекта с категорией «{}» не проводятся; допустимы категории {allowed_ru}, ОПО и ГТС II класса / the moratorium ({decree}, to {last_day} inclusive) allows no planned inspection of an object of {} risk; allowed: {allowed}, and class II hazardous facilities and hydraulic structures",
        .category.name_ru(), .category.as_str().replace('_', " ")
    )]
    Category {
        decree: String,
        last_day: String,
        category: RiskCategory,
        allowed: String,
        allowed_ru: String,
    },
    #[error(
        "мораторий ({decree}, до {last_day} включительно): {what_ru} — только обязательные профилактические визиты, не плановые проверки / the moratorium ({decree}, to {last_day} inclusive): a {what} gets mandatory preventive visits, not planned inspections"
    )]
    Excluded {
        decree: String,
        last_day: String,
        what: &'static str,
        what_ru: &'static str,
    },
}

impl Moratorium {
    /// The moratorium as DESIGN.md section 7 states it: planned inspections only for objects of
    /// extremely high and high risk, class II hazardous production facilities and class II
    /// hydraulic structures, schools and kindergartens excepted, until 1 January 2030.
    pub fn pp336() -> Option<Self> {
        Some(Self {
            source: "ПП РФ от 10.03.2022 № 336 в ред. ПП РФ № 372 (до 01.01.2030)".into(),
            last_day: Date::from_calendar_date(2029, Month::December, 31).ok()?,
            categories: vec![RiskCategory::ExtremelyHigh, RiskCategory::High],
            hazardous_facility_classes: vec![2],
            hydraulic_structure_classes: vec![2],
            excluded: vec![EducationFacility::School, EducationFacility::Kindergarten],
        })
    }

    pub(super) fn validate(&self) -> Result<(), RulesError> {
        let bad_class = |v: &[u8]| v.iter().any(|c| !(1..=4).contains(c));
        if self.source.trim().is_empty()
            || self.categories.is_empty()
            || bad_class(&self.hazardous_facility_classes)
            || bad_class(&self.hydraulic_structure_classes)
        {
            return Err(RulesError::Moratorium);
        }
        Ok(())
    }

    /// Whether a planned inspection of an object of `effective` category may take place on `on`.
    pub fn check(
        &self,
        on: Date,
        effective: RiskCategory,
        attributes: &ObjectAttributes,
    ) -> Result<(), MoratoriumRefusal> {
        if on > self.last_day {
            return Ok(());
        }
        let last_day = iso_date::format(self.last_day);
        if let Some(f) = attributes
            .education_facility
            .filter(|f| self.excluded.contains(f))
        {
            return Err(MoratoriumRefusal::Excluded {
                decree: self.source.clone(),
                last_day,
                what: match f {
                    EducationFacility::School => "school",
                    EducationFacility::Kindergarten => "kindergarten",
                },
                what_ru: f.name_ru(),
            });
        }
        let class_allowed =
            |class: Option<u8>, allowed: &[u8]| class.is_some_and(|c| allowed.contains(&c));
        if self.categories.contains(&effective)
            || class_allowed(
                attributes.hazardous_facility_class,
                &self.hazardous_facility_classes,
            )
            || class_allowed(
                attributes.hydraulic_structure_class,
                &self.hydraulic_structure_classes,
            )
        {
            return Ok(());
        }
        Err(MoratoriumRefusal::Category {
            decree: self.source.clone(),
            last_day,
            category: effective,
            allowed: self
                .categories
                .iter()
                .map(|c| c.as_str().replace('_', " "))
                .collect::<Vec<_>>()
                .join(", "),
            allowed_ru: self
                .categories
                .iter()
                .map(|c| c.name_ru())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn date(s: &str) -> Date {
        iso_date::parse(s).unwrap()
    }

    fn attrs(v: serde_json::Value) -> ObjectAttributes {
        ObjectAttributes::from_json(Some(&v)).unwrap()
    }

    #[track_caller]
    fn check(on: &str, category: RiskCategory, a: serde_json::Value, allowed: bool) {
        let m = Moratorium::pp336().unwrap();
        let got = m.check(date(on), category, &attrs(a.clone()));
        assert_eq!(got.is_ok(), allowed, "{on} {category:?} {a}: {got:?}");
    }

    #[test]
    fn the_moratorium_allows_only_what_the_decree_lists() {
        use RiskCategory::*;
        let none = json!({});
        check("2027-03-01", ExtremelyHigh, none.clone(), true);
        check("2027-03-01", High, none.clone(), true);
        check("2027-03-01", Significant, none.clone(), false);
        check("2027-03-01", Low, none.clone(), false);
        check(
            "2027-03-01",
            Low,
            json!({"hazardous_facility_class": 2}),
            true,
        );
        check(
            "2027-03-01",
            Low,
            json!({"hazardous_facility_class": 3}),
            false,
        );
        check(
            "2027-03-01",
            Low,
            json!({"hazardous_facility_class": 1}),
            false,
        );
        check(
            "2027-03-01",
            Medium,
            json!({"hydraulic_structure_class": 2}),
            true,
        );
        check(
            "2027-03-01",
            Medium,
            json!({"hydraulic_structure_class": 4}),
            false,
        );
        check(
            "2027-03-01",
            High,
            json!({"education_facility": "school"}),
            false,
        );
        check(
            "2027-03-01",
            ExtremelyHigh,
            json!({"education_facility": "kindergarten"}),
            false,
        );
        // Its last day, and the day after its end.
        check("2029-12-31", Significant, none.clone(), false);
        check("2030-01-01", Significant, none.clone(), true);
        check(
            "2030-01-01",
            High,
            json!({"education_facility": "school"}),
            true,
        );
    }

    #[test]
    fn refusals_say_why_in_russian_first() {
        let m = Moratorium::pp336().unwrap();
        let e = m
            .check(
                date("2027-01-11"),
                RiskCategory::Medium,
                &ObjectAttributes::default(),
            )
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("мораторий (ПП РФ от 10.03.2022 № 336"), "{e}");
        assert!(
            e.contains("«средний риск»") && e.contains("2029-12-31"),
            "{e}"
        );
        let e = m
            .check(
                date("2027-01-11"),
                RiskCategory::High,
                &attrs(json!({"education_facility": "school"})),
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("школа"), "{e}");
    }

    #[test]
    fn attributes_are_checked() {
        for bad in [
            json!({"hazardous_facility_class": 5}),
            json!({"hazardous_facility_class": "II"}),
            json!({"hydraulic_structure_class": 0}),
            json!({"education_facility": "university"}),
        ] {
            assert!(ObjectAttributes::from_json(Some(&bad)).is_err(), "{bad}");
        }
        let ok = attrs(json!({"floor_area_m2": 1200, "hazardous_facility_class": 2}));
        assert_eq!(ok.hazardous_facility_class, Some(2));
        assert_eq!(
            ObjectAttributes::from_json(None).unwrap(),
            ObjectAttributes::default()
        );
    }
}
