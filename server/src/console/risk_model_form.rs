//! The risk model editor's form as plain HTML fields, both ways: a control type's rules as the
//! (name, value) pairs the form shows, and the posted pairs read back into a risk model,
//! indicators and a planning policy, or the errors beside the fields ("русский / English").
//! Rows are numbered (`sev0_attr`, `ind2_code`, `m3_1` for the matrix cell of severity 3 and
//! probability 1); a row left blank or marked for removal is dropped. Whether the whole makes
//! sense (ordered thresholds, the matrix's shape, the categories in use) the service decides.

use std::collections::{BTreeMap, HashMap};

use knd_shared::planning::indicators::EventKind;
use knd_shared::planning::model::{Factor, SeverityRule, Weight};
use knd_shared::planning::{IndicatorRule, MeasureLoad, PlanningRules, RiskModel};
use knd_shared::registry::ControlTypeRules;
use knd_shared::{InspectionKind, RiskCategory};

use super::inspection_forms::Pairs;

/// Errors by field name, each "русский / English".
pub(super) type Errors = BTreeMap<String, String>;

/// The most rows of a table the form reads (a forged post cannot make it read more).
pub(super) const MAX_ROWS: usize = 50;

/// The kinds a plan may give a category (ст.74-75: those without interaction never).
pub(super) fn plannable() -> impl Iterator<Item = InspectionKind> {
    InspectionKind::ALL
        .into_iter()
        .filter(|k| k.may_be_planned() && *k != InspectionKind::PreventiveVisit)
}

/// What the form saves.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Parsed {
    pub(super) model: RiskModel,
    pub(super) indicators: Vec<IndicatorRule>,
    pub(super) planning: PlanningRules,
}

/// `1000; 5000; 20000` (a decimal comma read as a point).
fn numbers(xs: impl Iterator<Item = String>) -> String {
    xs.collect::<Vec<_>>().join("; ")
}

/// The form's pairs for `rules` (the model in force: the default, fitted, when none was saved).
pub(super) fn pairs_of(rules: &ControlTypeRules) -> Pairs {
    let m = rules.risk_model();
    let mut p: Pairs = Vec::new();
    let mut put = |k: String, v: String| p.push((k, v));
    put("sev_rows".into(), m.severity.len().to_string());
    for (i, r) in m.severity.iter().enumerate() {
        put(format!("sev{i}_attr"), r.attribute.clone());
        put(format!("sev{i}_ru"), r.name_ru.clone());
        put(format!("sev{i}_en"), r.name_en.clone());
        put(
            format!("sev{i}_thr"),
            numbers(r.thresholds.iter().map(f64::to_string)),
        );
        if r.descending {
            put(format!("sev{i}_desc"), "1".into());
        }
    }
    put("severity_classes".into(), m.severity_classes.to_string());
    put("violation_years".into(), m.violation_years.to_string());
    for w in &m.weights {
        put(
            format!("w_{}_points", w.factor.as_str()),
            w.points.to_string(),
        );
        put(format!("w_{}_cap", w.factor.as_str()), w.cap.to_string());
    }
    put(
        "prob_thr".into(),
        numbers(m.probability_thresholds.iter().map(i32::to_string)),
    );
    for (s, row) in m.matrix.iter().enumerate() {
        for (c, cat) in row.iter().enumerate() {
            put(format!("m{}_{}", s + 1, c + 1), cat.as_str().into());
        }
    }
    put("ind_rows".into(), rules.indicators.len().to_string());
    for (i, r) in rules.indicators.iter().enumerate() {
        put(format!("ind{i}_code"), r.code.clone());
        put(format!("ind{i}_ru"), r.name_ru.clone());
        put(format!("ind{i}_en"), r.name_en.clone());
        put(format!("ind{i}_event"), r.event.as_str().into());
        put(format!("ind{i}_thr"), r.threshold.to_string());
        put(format!("ind{i}_win"), r.window_days.to_string());
    }
    let pl = &rules.planning;
    for (c, k) in &pl.kinds {
        put(format!("kind_{}", c.as_str()), k.as_str().into());
    }
    for (k, l) in &pl.loads {
        put(
            format!("load_{}_days", k.as_str()),
            l.working_days.to_string(),
        );
        put(
            format!("load_{}_minutes", k.as_str()),
            l.minutes_per_day.to_string(),
        );
        put(
            format!("load_{}_inspectors", k.as_str()),
            l.inspectors.to_string(),
        );
    }
    put("visit_days".into(), pl.visit.working_days.to_string());
    put("visit_minutes".into(), pl.visit.minutes_per_day.to_string());
    put("visit_inspectors".into(), pl.visit.inspectors.to_string());
    put("checklist".into(), pl.checklist.clone().unwrap_or_default());
    p
}

/// Reads posted pairs (the last value of a name wins).
struct Reader<'a> {
    v: HashMap<&'a str, &'a str>,
    errors: Errors,
}

const NUMBER: &str = "целое число / a whole number";

impl<'a> Reader<'a> {
    fn new(p: &'a Pairs) -> Self {
        Reader {
            v: p.iter().map(|(k, v)| (k.as_str(), v.trim())).collect(),
            errors: Errors::new(),
        }
    }
    fn get(&self, name: &str) -> &'a str {
        self.v.get(name).copied().unwrap_or("")
    }
    fn fail(&mut self, name: &str, message: &str) {
        self.errors.insert(name.to_owned(), message.to_owned());
    }
    fn whole<T: std::str::FromStr + Default>(&mut self, name: &str) -> T {
        self.get(name).parse().unwrap_or_else(|_| {
            self.fail(name, NUMBER);
            T::default()
        })
    }
    fn rows(&self, name: &str) -> usize {
        self.get(name).parse::<usize>().unwrap_or(0).min(MAX_ROWS)
    }
    fn list<T: std::str::FromStr>(&mut self, name: &str) -> Vec<T> {
        let text = self.get(name);
        let mut out = Vec::new();
        for part in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            match part.replace(',', ".").parse() {
                Ok(x) => out.push(x),
                Err(_) => {
                    self.fail(
                        name,
                        "числа через точку с запятой, например 4; 10; 20 / numbers separated by semicolons, e.g. 4; 10; 20",
                    );
                    return Vec::new();
                }
            }
        }
        out
    }
}

fn severity_rules(r: &mut Reader<'_>) -> Vec<SeverityRule> {
    let mut rules = Vec::new();
    for i in 0..r.rows("sev_rows") {
        let f = |part: &str| format!("sev{i}_{part}");
        let (attr, ru, thr) = (r.get(&f("attr")), r.get(&f("ru")), r.get(&f("thr")));
        if !r.get(&f("del")).is_empty() || (attr.is_empty() && ru.is_empty() && thr.is_empty()) {
            continue;
        }
        if attr.is_empty() {
            r.fail(
                &f("attr"),
                "укажите характеристику объекта / give the object's attribute",
            );
        }
        if ru.is_empty() {
            r.fail(&f("ru"), "укажите название / give the name");
        }
        let en = match r.get(&f("en")) {
            "" => ru,
            en => en,
        };
        rules.push(SeverityRule {
            attribute: attr.to_owned(),
            name_ru: ru.to_owned(),
            name_en: en.to_owned(),
            thresholds: r.list(&f("thr")),
            descending: !r.get(&f("desc")).is_empty(),
        });
    }
    rules
}

fn weights(r: &mut Reader<'_>) -> Vec<Weight> {
    let mut out = Vec::new();
    for factor in Factor::ALL {
        let (points, cap) = (
            format!("w_{}_points", factor.as_str()),
            format!("w_{}_cap", factor.as_str()),
        );
        if r.get(&points).is_empty() && r.get(&cap).is_empty() {
            continue;
        }
        out.push(Weight {
            factor,
            points: r.whole(&points),
            cap: r.whole(&cap),
        });
    }
    out
}

/// The matrix as posted: rows 1 up to the highest severity given, each as long as its
/// highest probability given; a blank or unknown cell is an error beside it.
fn matrix(r: &mut Reader<'_>) -> Vec<Vec<RiskCategory>> {
    let mut cells: BTreeMap<(usize, usize), &str> = BTreeMap::new();
    for (k, v) in &r.v {
        let Some((s, p)) = k.strip_prefix('m').and_then(|x| x.split_once('_')) else {
            continue;
        };
        if let (Ok(s @ 1..=MAX_ROWS), Ok(p @ 1..=MAX_ROWS)) = (s.parse(), p.parse()) {
            cells.insert((s, p), v);
        }
    }
    let rows = cells.keys().map(|(s, _)| *s).max().unwrap_or(0);
    let mut matrix = Vec::with_capacity(rows);
    for s in 1..=rows {
        let cols = cells
            .keys()
            .filter(|(x, _)| *x == s)
            .map(|(_, p)| *p)
            .max()
            .unwrap_or(0);
        let mut row = Vec::with_capacity(cols);
        for p in 1..=cols {
            match cells.get(&(s, p)).and_then(|c| RiskCategory::parse(c)) {
                Some(c) => row.push(c),
                None => r.fail(
                    &format!("m{s}_{p}"),
                    "выберите категорию ячейки / choose the cell's category",
                ),
            }
        }
        matrix.push(row);
    }
    matrix
}

fn indicators(r: &mut Reader<'_>) -> Vec<IndicatorRule> {
    let mut out = Vec::new();
    for i in 0..r.rows("ind_rows") {
        let f = |part: &str| format!("ind{i}_{part}");
        let (code, ru) = (r.get(&f("code")), r.get(&f("ru")));
        if !r.get(&f("del")).is_empty() || (code.is_empty() && ru.is_empty()) {
            continue;
        }
        if ru.is_empty() {
            r.fail(&f("ru"), "укажите название / give the name");
        }
        let event = EventKind::parse(r.get(&f("event"))).unwrap_or_else(|| {
            r.fail(
                &f("event"),
                "выберите вид события / choose the kind of event",
            );
            EventKind::ComplaintConfirmed
        });
        let en = match r.get(&f("en")) {
            "" => ru,
            en => en,
        };
        out.push(IndicatorRule {
            code: code.to_owned(),
            name_ru: ru.to_owned(),
            name_en: en.to_owned(),
            event,
            threshold: r.whole(&f("thr")),
            window_days: r.whole(&f("win")),
        });
    }
    out
}

fn planning(r: &mut Reader<'_>) -> PlanningRules {
    let mut kinds = BTreeMap::new();
    for c in RiskCategory::ALL {
        let name = format!("kind_{}", c.as_str());
        match r.get(&name) {
            "" => {}
            k => match InspectionKind::parse(k) {
                Some(k) => {
                    kinds.insert(c, k);
                }
                None => r.fail(&name, "выберите вид мероприятия / choose the kind"),
            },
        }
    }
    let mut loads = BTreeMap::new();
    for k in plannable() {
        let f = |part: &str| format!("load_{}_{part}", k.as_str());
        if ["days", "minutes", "inspectors"]
            .iter()
            .all(|p| r.get(&f(p)).is_empty())
        {
            continue;
        }
        let load = MeasureLoad {
            working_days: r.whole(&f("days")),
            minutes_per_day: r.whole(&f("minutes")),
            inspectors: r.whole(&f("inspectors")),
        };
        loads.insert(k, load);
    }
    let visit = MeasureLoad {
        working_days: r.whole("visit_days"),
        minutes_per_day: r.whole("visit_minutes"),
        inspectors: r.whole("visit_inspectors"),
    };
    let checklist = Some(r.get("checklist").to_owned()).filter(|c| !c.is_empty());
    PlanningRules {
        kinds,
        loads,
        visit,
        checklist,
    }
}

/// The posted form read back, or the errors beside its fields.
pub(super) fn read(pairs: &Pairs) -> Result<Parsed, Errors> {
    let mut r = Reader::new(pairs);
    let severity = severity_rules(&mut r);
    let model = RiskModel {
        severity,
        severity_classes: r.whole("severity_classes"),
        violation_years: r.whole("violation_years"),
        weights: weights(&mut r),
        probability_thresholds: r.list("prob_thr"),
        matrix: matrix(&mut r),
    };
    let indicators = indicators(&mut r);
    let planning = planning(&mut r);
    if r.errors.is_empty() {
        Ok(Parsed {
            model,
            indicators,
            planning,
        })
    } else {
        Err(r.errors)
    }
}

#[cfg(test)]
#[path = "risk_model_form_tests.rs"]
mod tests;
