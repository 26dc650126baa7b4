//! The field documents (warning ст.49, act ст.87, order ст.90, interaction interval ст.73) laid
//! out as text with headings for a person to read; their signed JSON is kept beside them.
//! Bodies are read with knd-shared's types, so older shapes (absent fields) still read.

use knd_shared::calendar::zone::AgencyZone;
use knd_shared::record::kinds::{
    Acknowledgement, Act, Interaction, Order, Warning, WarningRequirement, decode_body,
};

use super::format;
use super::i18n::Lang;
use crate::model::ProjectedDocument;

/// A part of a document: a heading, label–value lines, paragraphs and a list.
pub(crate) struct Part {
    pub(crate) heading: String,
    pub(crate) lines: Vec<(String, String)>,
    pub(crate) paragraphs: Vec<String>,
    pub(crate) items: Vec<String>,
}

impl Part {
    fn new(heading: &str) -> Part {
        Part {
            heading: heading.to_owned(),
            lines: Vec::new(),
            paragraphs: Vec::new(),
            items: Vec::new(),
        }
    }
}

/// A document as the page shows it.
pub(crate) struct DocView {
    pub(crate) record: String,
    pub(crate) title: String,
    pub(crate) at: String,
    pub(crate) received: String,
    /// "replaces record X: reason" / "replaced by record Y".
    pub(crate) version: Vec<String>,
    pub(crate) current: bool,
    pub(crate) parts: Vec<Part>,
    pub(crate) raw: String,
}

/// A document kind's name.
pub(crate) fn kind_name(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "warning" => (
            "Предостережение о недопустимости нарушения (ст.49)",
            "Warning (art. 49)",
        ),
        "act" => ("Акт проверки (ст.87)", "Inspection act (art. 87)"),
        "order" => ("Предписание (ст.90)", "Order (art. 90)"),
        "interaction" => (
            "Интервал взаимодействия (ст.73)",
            "Interaction interval (art. 73)",
        ),
        _ => ("Документ", "Document"),
    }
}

fn yes_no(lang: Lang, b: Option<bool>) -> String {
    match b {
        Some(true) => lang.t("да", "yes"),
        Some(false) => lang.t("нет", "no"),
        None => lang.t("не указано", "not stated"),
    }
    .to_owned()
}

pub(crate) fn view(lang: Lang, zone: &AgencyZone, d: &ProjectedDocument) -> DocView {
    let (ru, en) = kind_name(&d.kind);
    let mut version = Vec::new();
    if let Some(s) = d.version.supersedes {
        version.push(format!(
            "{} {s}: {}",
            lang.t("исправляет запись", "corrects record"),
            d.version.reason.as_deref().unwrap_or("")
        ));
    }
    if let Some(by) = d.version.superseded_by {
        version.push(format!(
            "{} {by}",
            lang.t("заменён записью", "replaced by record")
        ));
    }
    let body = d.body.as_object().cloned().unwrap_or_default();
    let parts = match d.kind.as_str() {
        "warning" => decode_body::<Warning>(&body)
            .map(|w| warning(lang, &w))
            .ok(),
        "act" => decode_body::<Act>(&body).map(|a| act(lang, &a)).ok(),
        "order" => decode_body::<Order>(&body).map(|o| order(lang, &o)).ok(),
        "interaction" => decode_body::<Interaction>(&body)
            .map(|i| interaction(lang, zone, &i))
            .ok(),
        _ => None,
    }
    .unwrap_or_default();
    DocView {
        record: d.record.to_string(),
        title: lang.t(ru, en).to_owned(),
        at: format::device_time(zone, &d.at),
        received: d
            .received_at
            .map_or_else(String::new, |t| format::datetime(zone, t)),
        version,
        current: d.version.superseded_by.is_none(),
        parts,
        raw: serde_json::to_string_pretty(&d.body).unwrap_or_default(),
    }
}

fn warning(lang: Lang, w: &Warning) -> Vec<Part> {
    let mut head = Part::new(lang.t("Кому", "To"));
    head.lines
        .push((lang.t("ИНН", "INN").into(), w.subject.as_str().to_owned()));
    let mut reqs = Part::new(lang.t("Обязательные требования", "Mandatory requirements"));
    for r in &w.requirements {
        reqs.items.push(match r {
            WarningRequirement::Cited(c) => {
                format!("{} — {}, {}", c.requirement, c.legal_act, c.unit)
            }
            WarningRequirement::Reference(s) => s.clone(),
        });
    }
    let mut text = Part::new(lang.t(
        "Действия, которые могут привести к нарушению",
        "Conduct that may lead to a violation",
    ));
    text.paragraphs.push(w.text.clone());
    let mut measures = Part::new(lang.t("Предлагаемые меры", "Proposed measures"));
    for m in &w.measures {
        measures.items.push(match m.by {
            Some(by) => format!("{} ({} {})", m.what, lang.t("до", "by"), format::date(by)),
            None => m.what.clone(),
        });
    }
    vec![head, reqs, text, measures]
}

fn act(lang: Lang, a: &Act) -> Vec<Part> {
    let mut head = Part::new(lang.t("Реквизиты", "Particulars"));
    if let Some(e) = &a.erknm {
        head.lines
            .push((lang.t("Номер в ЕРКНМ", "ERKNM number").into(), e.clone()));
    }
    let ack = match a.acknowledgement {
        Acknowledgement::Acknowledged => lang.t("ознакомлен", "acknowledged"),
        Acknowledgement::Refused => lang.t("отказался от ознакомления", "refused to acknowledge"),
        Acknowledgement::Absent => lang.t("отсутствовал", "absent"),
    };
    head.lines.push((
        lang.t("Контролируемое лицо", "Controlled person").into(),
        ack.into(),
    ));
    head.lines.push((
        lang.t(
            "Ответов по пунктам в основе акта",
            "Findings the act rests on",
        )
        .into(),
        a.findings.len().to_string(),
    ));
    let mut summary = Part::new(lang.t("Выводы", "Summary"));
    summary.paragraphs.push(a.summary.clone());
    let mut violations = Part::new(lang.t("Выявленные нарушения", "Violations found"));
    for v in &a.violations {
        let act = [v.legal_act.as_deref(), v.unit.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        violations.items.push(format!(
            "{}{}{} — {} {}",
            v.requirement,
            if act.is_empty() { "" } else { " — " },
            act,
            lang.t(
                "устранено в ходе проверки:",
                "remedied during the inspection:"
            ),
            yes_no(lang, v.remedied)
        ));
    }
    if a.violations.is_empty() {
        violations.paragraphs.push(
            lang.t("Нарушений не выявлено.", "No violations found.")
                .into(),
        );
    }
    let mut present = Part::new(lang.t("Присутствовали", "Present"));
    for p in &a.present {
        present.items.push(format!("{} ({})", p.name, p.role));
    }
    let mut parts = vec![head, summary, violations, present];
    if !a.not_checked.is_empty() {
        let mut nc = Part::new(lang.t("Не проверено", "Not checked"));
        for n in &a.not_checked {
            nc.items.push(format!("{}: {}", n.item, n.reason));
        }
        parts.push(nc);
    }
    parts
}

fn order(lang: Lang, o: &Order) -> Vec<Part> {
    let mut head = Part::new(lang.t("Кому", "To"));
    head.lines
        .push((lang.t("ИНН", "INN").into(), o.subject.as_str().to_owned()));
    if let Some(a) = o.act {
        head.lines.push((
            lang.t("По акту (запись)", "Following the act (record)")
                .into(),
            a.to_string(),
        ));
    }
    let mut remedies =
        Part::new(lang.t("Нарушения и сроки устранения", "Violations and deadlines"));
    for r in &o.remedies {
        let act = [r.legal_act.as_deref(), r.unit.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        remedies.items.push(format!(
            "{}{}{}: {} — {} {}",
            r.requirement,
            if act.is_empty() { "" } else { " — " },
            act,
            r.measure,
            lang.t("срок", "deadline"),
            format::date(r.deadline)
        ));
    }
    vec![head, remedies]
}

fn interaction(lang: Lang, zone: &AgencyZone, i: &Interaction) -> Vec<Part> {
    let mut p = Part::new(lang.t("Интервал", "Interval"));
    p.lines.push((
        lang.t("Начало", "Start").into(),
        format::datetime(zone, i.started_at.as_datetime()),
    ));
    p.lines.push((
        lang.t("Окончание", "End").into(),
        format::datetime(zone, i.ended_at.as_datetime()),
    ));
    p.lines.push((
        lang.t("Минут", "Minutes").into(),
        i.minutes().map_or_else(|| "—".into(), |m| m.to_string()),
    ));
    if let Some(s) = &i.subject {
        p.lines
            .push((lang.t("ИНН", "INN").into(), s.as_str().to_owned()));
    }
    vec![p]
}
