//! The risk model editor's fields as its template draws them: each input with its name, what
//! was typed, its accessible label and its error, built from the form's pairs (the rules in
//! force, or what was posted) so that a form sent back keeps every row as typed.

use std::collections::HashMap;

use knd_shared::RiskCategory;
use knd_shared::planning::indicators::EventKind;
use knd_shared::planning::model::Factor;

use super::i18n::Lang;
use super::inspection_forms::Pairs;
use super::names;
use super::risk_model_form::{Errors, MAX_ROWS, plannable};
use super::risk_names;

pub(super) struct Input {
    pub(super) name: String,
    pub(super) value: String,
    pub(super) label: String,
    pub(super) error: Option<String>,
}

pub(super) struct Opt {
    pub(super) value: &'static str,
    pub(super) label: &'static str,
}

pub(super) struct SevRow {
    pub(super) n: usize,
    pub(super) attr: Input,
    pub(super) ru: Input,
    pub(super) en: Input,
    pub(super) thr: Input,
    pub(super) desc: Input,
    pub(super) del: Input,
}

pub(super) struct WeightRow {
    pub(super) name: &'static str,
    pub(super) conscientiousness: bool,
    pub(super) points: Input,
    pub(super) cap: Input,
}

pub(super) struct MatrixRow {
    pub(super) severity: usize,
    pub(super) cells: Vec<Input>,
}

pub(super) struct IndRow {
    pub(super) n: usize,
    pub(super) code: Input,
    pub(super) ru: Input,
    pub(super) en: Input,
    pub(super) event: Input,
    pub(super) thr: Input,
    pub(super) win: Input,
    pub(super) del: Input,
}

pub(super) struct KindRow {
    pub(super) category: &'static str,
    pub(super) kind: Input,
}

pub(super) struct LoadRow {
    pub(super) kind: &'static str,
    pub(super) days: Input,
    pub(super) minutes: Input,
    pub(super) inspectors: Input,
}

/// Everything the editor shows.
pub(super) struct Editor {
    pub(super) sev_rows: usize,
    pub(super) sev: Vec<SevRow>,
    pub(super) severity_classes: Input,
    pub(super) violation_years: Input,
    pub(super) weights: Vec<WeightRow>,
    pub(super) prob_thr: Input,
    pub(super) matrix_cols: Vec<usize>,
    pub(super) matrix: Vec<MatrixRow>,
    /// The categories the regulation uses, highest first.
    pub(super) categories: Vec<Opt>,
    pub(super) ind_rows: usize,
    pub(super) ind: Vec<IndRow>,
    pub(super) events: Vec<Opt>,
    pub(super) kinds: Vec<KindRow>,
    pub(super) plannable: Vec<Opt>,
    pub(super) loads: Vec<LoadRow>,
    pub(super) visit_days: Input,
    pub(super) visit_minutes: Input,
    pub(super) visit_inspectors: Input,
    pub(super) checklist: Input,
    pub(super) reason: Input,
}

struct Fields<'a> {
    lang: Lang,
    v: HashMap<&'a str, &'a str>,
    errors: &'a Errors,
}

impl Fields<'_> {
    fn input(&self, name: String, label: String) -> Input {
        Input {
            value: self.v.get(name.as_str()).copied().unwrap_or("").to_owned(),
            error: self.errors.get(&name).map(|m| self.lang.pick(m)),
            name,
            label,
        }
    }
    fn count(&self, name: &str) -> usize {
        self.v
            .get(name)
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0)
            .min(MAX_ROWS)
    }
}

/// The matrix's shape as typed: severity classes × (probability thresholds + 1); where that
/// does not read, the shape the cells were posted in.
fn shape(f: &Fields<'_>) -> (usize, usize) {
    let posted = |pick: fn((usize, usize)) -> usize| {
        f.v.keys()
            .filter_map(|k| {
                let (s, p) = k.strip_prefix('m')?.split_once('_')?;
                Some((s.parse().ok()?, p.parse().ok()?))
            })
            .map(pick)
            .max()
            .unwrap_or(1)
    };
    let rows =
        f.v.get("severity_classes")
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|n| (1..=9).contains(n))
            .unwrap_or_else(|| posted(|c| c.0));
    let thresholds =
        f.v.get("prob_thr")
            .map(|t| t.split(';').filter(|x| !x.trim().is_empty()).count());
    let cols = thresholds
        .filter(|n| *n < 9)
        .map_or_else(|| posted(|c| c.1), |n| n + 1);
    (rows.min(MAX_ROWS), cols.min(MAX_ROWS))
}

/// The editor for `pairs`, with `extra` blank rows of severity rules and of indicators.
pub(super) fn editor(
    lang: Lang,
    used: &[RiskCategory],
    pairs: &Pairs,
    errors: &Errors,
    extra: (usize, usize),
) -> Editor {
    let f = Fields {
        lang,
        v: pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect(),
        errors,
    };
    let row_label = |n: usize, ru: &str, en: &str| {
        format!("{} {n}: {}", lang.t("Строка", "Row"), lang.t(ru, en))
    };
    let sev_rows = (f.count("sev_rows") + extra.0).min(MAX_ROWS);
    let sev = (0..sev_rows)
        .map(|i| {
            let n = i + 1;
            let name = |part: &str| format!("sev{i}_{part}");
            SevRow {
                n,
                attr: f.input(name("attr"), row_label(n, "характеристика", "attribute")),
                ru: f.input(name("ru"), row_label(n, "название", "name in Russian")),
                en: f.input(
                    name("en"),
                    row_label(n, "название по-английски", "name in English"),
                ),
                thr: f.input(
                    name("thr"),
                    row_label(n, "пороги классов 2, 3, …", "thresholds of classes 2, 3, …"),
                ),
                desc: f.input(
                    name("desc"),
                    row_label(n, "меньше — опаснее", "smaller is more severe"),
                ),
                del: f.input(name("del"), row_label(n, "удалить", "remove")),
            }
        })
        .collect();
    let weights = Factor::ALL
        .into_iter()
        .map(|factor| {
            let name = if lang == Lang::Ru {
                factor.name_ru()
            } else {
                factor.name_en()
            };
            WeightRow {
                name,
                conscientiousness: factor.is_conscientiousness(),
                points: f.input(
                    format!("w_{}_points", factor.as_str()),
                    format!("{name}: {}", lang.t("баллов за единицу", "points per unit")),
                ),
                cap: f.input(
                    format!("w_{}_cap", factor.as_str()),
                    format!("{name}: {}", lang.t("не более единиц", "at most units")),
                ),
            }
        })
        .collect();
    let (rows, cols) = shape(&f);
    let matrix = (1..=rows)
        .rev()
        .map(|s| MatrixRow {
            severity: s,
            cells: (1..=cols)
                .map(|p| {
                    f.input(
                        format!("m{s}_{p}"),
                        format!(
                            "{} {s}, {} {p}",
                            lang.t("Тяжесть", "Severity"),
                            lang.t("вероятность", "probability")
                        ),
                    )
                })
                .collect(),
        })
        .collect();
    let mut categories: Vec<RiskCategory> = used.to_vec();
    categories.sort();
    categories.dedup();
    let ind_rows = (f.count("ind_rows") + extra.1).min(MAX_ROWS);
    let ind = (0..ind_rows)
        .map(|i| {
            let n = i + 1;
            let name = |part: &str| format!("ind{i}_{part}");
            IndRow {
                n,
                code: f.input(name("code"), row_label(n, "код", "code")),
                ru: f.input(name("ru"), row_label(n, "название", "name in Russian")),
                en: f.input(
                    name("en"),
                    row_label(n, "название по-английски", "name in English"),
                ),
                event: f.input(name("event"), row_label(n, "вид события", "kind of event")),
                thr: f.input(
                    name("thr"),
                    row_label(n, "порог, событий", "threshold, events"),
                ),
                win: f.input(name("win"), row_label(n, "окно, дней", "window, days")),
                del: f.input(name("del"), row_label(n, "удалить", "remove")),
            }
        })
        .collect();
    let kinds = categories
        .iter()
        .rev()
        .map(|c| {
            let category = risk_names::category(lang, Some(*c));
            KindRow {
                category,
                kind: f.input(format!("kind_{}", c.as_str()), category.to_owned()),
            }
        })
        .collect();
    let kind_name = |k| {
        let (ru, en) = names::kind(k);
        lang.t(ru, en)
    };
    let loads = plannable()
        .map(|k| {
            let kind = kind_name(k);
            let name = |part: &str| format!("load_{}_{part}", k.as_str());
            LoadRow {
                kind,
                days: f.input(
                    name("days"),
                    format!("{kind}: {}", lang.t("рабочих дней", "working days")),
                ),
                minutes: f.input(
                    name("minutes"),
                    format!("{kind}: {}", lang.t("минут в день", "minutes a day")),
                ),
                inspectors: f.input(
                    name("inspectors"),
                    format!("{kind}: {}", lang.t("инспекторов", "inspectors")),
                ),
            }
        })
        .collect();
    let plain =
        |name: &str, ru: &str, en: &str| f.input(name.to_owned(), lang.t(ru, en).to_owned());
    Editor {
        sev_rows,
        sev,
        severity_classes: plain(
            "severity_classes",
            "Классов тяжести (строк матрицы)",
            "Severity classes (matrix rows)",
        ),
        violation_years: plain(
            "violation_years",
            "Нарушения учитываются за лет (1–5)",
            "Violations count over years (1–5)",
        ),
        weights,
        prob_thr: plain(
            "prob_thr",
            "Баллы, с которых начинаются классы вероятности 2, 3, … (через «;»)",
            "Points at which probability classes 2, 3, … begin (separated by «;»)",
        ),
        matrix_cols: (1..=cols).collect(),
        matrix,
        categories: categories
            .iter()
            .rev()
            .map(|c| Opt {
                value: c.as_str(),
                label: risk_names::category(lang, Some(*c)),
            })
            .collect(),
        ind_rows,
        ind,
        events: EventKind::ALL
            .into_iter()
            .map(|k| Opt {
                value: k.as_str(),
                label: lang.t(k.name_ru(), k.name_en()),
            })
            .collect(),
        kinds,
        plannable: plannable()
            .map(|k| Opt {
                value: k.as_str(),
                label: kind_name(k),
            })
            .collect(),
        loads,
        visit_days: plain(
            "visit_days",
            "Профилактический визит: рабочих дней",
            "Preventive visit: working days",
        ),
        visit_minutes: plain(
            "visit_minutes",
            "Профилактический визит: минут (не более 120)",
            "Preventive visit: minutes (at most 120)",
        ),
        visit_inspectors: plain(
            "visit_inspectors",
            "Профилактический визит: инспекторов",
            "Preventive visit: inspectors",
        ),
        checklist: plain(
            "checklist",
            "Код проверочного листа (ПП 1844)",
            "Checklist code (ПП 1844)",
        ),
        reason: plain("reason", "Основание изменения", "Reason for the change"),
    }
}
