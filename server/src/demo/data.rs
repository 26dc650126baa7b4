//! The demo's realistic data, kept in JSON files next to this module: the control types with
//! their requirements and checklists (`control_types.json`), and what synthetic registries are
//! made of (`registry.json`: the agency, the city's districts and streets, business names).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use knd_shared::RiskCategory;
use knd_shared::registry::ControlTypeRules;
use serde::Deserialize;

use crate::model::{NewChecklistItem, Requirement};

/// A control type as the demo sets it up.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlTypeData {
    pub code: String,
    pub name: String,
    /// The categories its regulation uses; all six when absent.
    #[serde(default)]
    pub categories: Option<Vec<RiskCategory>>,
    pub requirements: Vec<Requirement>,
    pub checklists: Vec<ChecklistData>,
}

impl ControlTypeData {
    /// The default rules (DESIGN.md section 7), narrowed to the regulation's categories.
    pub fn rules(&self) -> ControlTypeRules {
        let mut rules = ControlTypeRules::default();
        if let Some(categories) = &self.categories {
            rules.categories = categories.clone();
            rules.periodicity.retain(|c, _| categories.contains(c));
        }
        // Planned field checks use the type's first checklist (ПП 1844).
        rules.planning.checklist = self.checklists.first().map(|c| c.code.clone());
        rules
    }

    /// The categories objects of this type may be given.
    pub fn used_categories(&self) -> Vec<RiskCategory> {
        self.categories
            .clone()
            .unwrap_or_else(|| RiskCategory::ALL.to_vec())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistData {
    pub code: String,
    pub name: String,
    pub items: Vec<NewChecklistItem>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlTypesFile {
    #[allow(dead_code)]
    note: String,
    control_types: Vec<ControlTypeData>,
}

/// A district of the city: its centre and how far objects spread around it (degrees × 10^7).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct District {
    pub name: String,
    pub lat_e7: i64,
    pub lon_e7: i64,
    pub spread_lat_e7: i64,
    pub spread_lon_e7: i64,
    pub streets: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalForm {
    pub form: String,
    pub weight: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weighted {
    pub code: String,
    pub weight: u32,
}

/// A line of business: how its companies are named and which control types its places fall under.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    pub code: String,
    pub label: String,
    pub weight: u32,
    pub suffixes: Vec<String>,
    pub types: Vec<Weighted>,
    /// The checklist an inspection of this business uses, by control type.
    pub checklists: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct People {
    /// Masculine forms; the feminine adds «а» (all of them end in -ов, -ев, -ёв or -ин).
    pub surnames: Vec<String>,
    pub male_names: Vec<String>,
    pub female_names: Vec<String>,
    /// A father's name without its ending: «Сергеев» gives «Сергеевич» and «Сергеевна».
    pub patronymic_roots: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskReasons {
    pub severity: Vec<String>,
    pub probability: Vec<String>,
    pub conduct: Vec<String>,
}

/// What synthetic registries are made of.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryData {
    #[allow(dead_code)]
    note: String,
    pub agency: String,
    pub city: String,
    /// The region's code in ОГРН numbers.
    pub region: u32,
    /// Tax offices whose codes begin the subjects' ИНН.
    pub tax_offices: Vec<u32>,
    pub districts: Vec<District>,
    pub legal_forms: Vec<LegalForm>,
    /// Beginnings of compound names («Яр» + «торг»).
    pub prefixes: Vec<String>,
    /// Names used alone or hyphenated with a line of business («Парус-Трейд»).
    pub brands: Vec<String>,
    pub activities: Vec<Activity>,
    pub people: People,
    pub risk_reasons: RiskReasons,
}

/// All of the demo's data, parsed once.
#[derive(Debug)]
pub struct DemoData {
    pub control_types: Vec<ControlTypeData>,
    pub registry: RegistryData,
}

impl DemoData {
    pub fn control_type(&self, code: &str) -> Option<&ControlTypeData> {
        self.control_types.iter().find(|t| t.code == code)
    }
}

fn parse() -> Result<DemoData, String> {
    let types: ControlTypesFile = serde_json::from_str(include_str!("control_types.json"))
        .map_err(|e| format!("control_types.json: {e}"))?;
    let registry: RegistryData = serde_json::from_str(include_str!("registry.json"))
        .map_err(|e| format!("registry.json: {e}"))?;
    let data = DemoData {
        control_types: types.control_types,
        registry,
    };
    check(&data)?;
    Ok(data)
}

/// What the generator relies on: every list it picks from is non-empty and every control type an
/// activity names exists.
fn check(d: &DemoData) -> Result<(), String> {
    let r = &d.registry;
    let p = &r.people;
    let empty = [
        ("tax_offices", r.tax_offices.is_empty()),
        ("districts", r.districts.is_empty()),
        ("legal_forms", r.legal_forms.is_empty()),
        ("prefixes", r.prefixes.is_empty()),
        ("brands", r.brands.is_empty()),
        ("activities", r.activities.is_empty()),
        ("surnames", p.surnames.is_empty()),
        ("male_names", p.male_names.is_empty()),
        ("female_names", p.female_names.is_empty()),
        ("patronymic_roots", p.patronymic_roots.is_empty()),
        ("risk_reasons", r.risk_reasons.severity.is_empty()),
        ("risk_reasons", r.risk_reasons.probability.is_empty()),
        ("risk_reasons", r.risk_reasons.conduct.is_empty()),
    ];
    if let Some((what, _)) = empty.iter().find(|(_, e)| *e) {
        return Err(format!("registry.json: {what} is empty"));
    }
    for dist in &r.districts {
        if dist.streets.is_empty() {
            return Err(format!("registry.json: {} has no streets", dist.name));
        }
    }
    for a in &r.activities {
        if a.suffixes.is_empty() || a.types.is_empty() {
            return Err(format!("registry.json: activity {} is incomplete", a.code));
        }
        for t in &a.types {
            let Some(ct) = d.control_type(&t.code) else {
                return Err(format!(
                    "registry.json: activity {} names control type {} that control_types.json lacks",
                    a.code, t.code
                ));
            };
            let checklist = a.checklists.get(&t.code);
            if !checklist.is_some_and(|c| ct.checklists.iter().any(|x| &x.code == c)) {
                return Err(format!(
                    "registry.json: activity {} has no checklist of {} that exists",
                    a.code, t.code
                ));
            }
        }
    }
    for t in &d.control_types {
        t.rules()
            .validate()
            .map_err(|e| format!("control_types.json: {}: {e}", t.code))?;
        if t.checklists.is_empty() {
            return Err(format!("control_types.json: {} has no checklist", t.code));
        }
    }
    Ok(())
}

/// The demo's data (embedded in the binary and checked on first use).
pub fn demo_data() -> anyhow::Result<&'static DemoData> {
    static DATA: OnceLock<Result<DemoData, String>> = OnceLock::new();
    DATA.get_or_init(parse)
        .as_ref()
        .map_err(|e| anyhow::anyhow!("the demo data is broken: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_parses_and_is_consistent() {
        let d = demo_data().unwrap();
        assert_eq!(d.control_types.len(), 3);
        for t in &d.control_types {
            assert!(
                (8..=15).contains(&t.requirements.len()),
                "{}: {} requirements",
                t.code,
                t.requirements.len()
            );
            for c in &t.checklists {
                for item in &c.items {
                    assert!(
                        t.requirements.iter().any(|r| r.code == item.requirement),
                        "{}/{}: {}",
                        t.code,
                        c.code,
                        item.requirement
                    );
                    assert!(item.question.ends_with('?'), "{}", item.question);
                }
            }
        }
        assert!((5..=8).contains(&d.registry.districts.len()));
    }
}
