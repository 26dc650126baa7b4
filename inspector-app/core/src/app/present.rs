//! Reading pulled assignments and signed records into the screens' views. Assignments are
//! kept as the server sent them (JSON), so a missing field shows as empty, never as a crash.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value};

use super::views::{
    ActContentsView, ActViolationView, ChecklistItemView, FindingResultView, FindingView,
    ObjectView, ObjectionView, OpenOrderView, PastViolationView, PhotoView, PhotoWarningView,
    RecordStateView, RecordView, SourceView, SubjectView, UploadStateView,
};
use knd_shared::calendar::iso_date;
use knd_shared::record::kinds::{self, PhotoWarning};

use crate::store::{self, PhotoRow, RecordRow, RecordState};

pub(super) fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The text trimmed, or nothing when it is blank (a legal act or unit left empty).
pub(super) fn filled(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn opt_text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

pub(super) fn subject(a: &Value) -> SubjectView {
    subject_card(a.get("subject").unwrap_or(&Value::Null))
}

/// A subject card as pulled (`subject`, or one of `subjects`).
pub(super) fn subject_card(s: &Value) -> SubjectView {
    SubjectView {
        inn: text(s, "inn"),
        ogrn: opt_text(s, "ogrn"),
        name: text(s, "name"),
        size_class: text(s, "size_class"),
    }
}

pub(super) fn objects(a: &Value) -> Vec<ObjectView> {
    a.get("objects")
        .and_then(Value::as_array)
        .map(|os| {
            os.iter()
                .map(|o| ObjectView {
                    key: text(o, "key"),
                    address: text(o, "address"),
                    district: text(o, "district"),
                    risk_category: opt_text(o, "risk_category"),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn history(a: &Value) -> (Vec<PastViolationView>, Vec<OpenOrderView>) {
    let h = a.get("history").cloned().unwrap_or(Value::Null);
    let violations = h
        .get("violations")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .map(|v| PastViolationView {
                    item: text(v, "item"),
                    note: opt_text(v, "note"),
                    at: text(v, "at"),
                })
                .collect()
        })
        .unwrap_or_default();
    let orders = h
        .get("open_orders")
        .and_then(Value::as_array)
        .map(|os| {
            os.iter()
                .map(|o| {
                    let remedies = o
                        .pointer("/body/remedies")
                        .and_then(Value::as_array)
                        .map(|rs| {
                            rs.iter()
                                .map(|r| {
                                    format!("{} — до {}", text(r, "measure"), text(r, "deadline"))
                                })
                                .collect::<Vec<_>>()
                                .join("; ")
                        })
                        .unwrap_or_default();
                    OpenOrderView {
                        record: text(o, "record"),
                        at: text(o, "at"),
                        summary: remedies,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    (violations, orders)
}

/// A checklist item's fixed part, from the pulled checklist.
pub(super) struct Item {
    pub code: String,
    pub question: String,
    pub requirement: Option<String>,
    pub requirement_text: Option<String>,
    pub legal_act: Option<String>,
    pub article: Option<String>,
}

pub(super) fn checklist_items(checklist: Option<&Value>) -> Vec<Item> {
    let Some(items) = checklist
        .and_then(|c| c.get("items"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    items
        .iter()
        .map(|i| {
            let r = i.get("requirement").cloned().unwrap_or(Value::Null);
            Item {
                code: text(i, "code"),
                question: text(i, "question"),
                requirement: opt_text(&r, "code"),
                requirement_text: opt_text(&r, "text"),
                legal_act: opt_text(&r, "legal_act"),
                article: opt_text(&r, "article"),
            }
        })
        .collect()
}

/// What a signed act says (an act signed before `erknm`, `unit` and `remedied` shows them
/// absent).
pub(super) fn act_contents(act: &kinds::Act) -> ActContentsView {
    ActContentsView {
        erknm: act.erknm.clone(),
        violations: act
            .violations
            .iter()
            .map(|v| ActViolationView {
                requirement: v.requirement.clone(),
                legal_act: v.legal_act.clone(),
                unit: v.unit.clone(),
                remedied: v.remedied,
            })
            .collect(),
    }
}

pub(super) fn state(row_state: RecordState, rejected: bool) -> RecordStateView {
    match (row_state, rejected) {
        (RecordState::Receipted, _) => RecordStateView::Receipted,
        (_, true) => RecordStateView::Rejected,
        (RecordState::Pending, false) => RecordStateView::Pending,
        (RecordState::Sent, false) => RecordStateView::Sent,
    }
}

/// A one-line description of a record, in Russian (what the inspector reads in lists).
/// A record in one line, in Russian and in English (`(ru, en)`); what the inspector wrote (a
/// warning's text, the act's summary, a note, a reason) is quoted as written.
fn summary(kind: &str, body: &Map<String, Value>) -> (String, String) {
    let body = Value::Object(body.clone());
    let cut = |s: String| {
        if s.chars().count() > 120 {
            format!("{}…", s.chars().take(120).collect::<String>())
        } else {
            s
        }
    };
    let both = |ru: String, en: String| (ru, en);
    match kind {
        "inspection_started" => both("Проверка начата".into(), "Inspection started".into()),
        "inspection_finished" => both("Проверка завершена".into(), "Inspection finished".into()),
        "finding" => {
            let (item, (ru, en)) = (text(&body, "item"), result_name(&text(&body, "result")));
            both(format!("Пункт {item}: {ru}"), format!("Item {item}: {en}"))
        }
        "correction" => {
            let inner = body.get("body").cloned().unwrap_or(Value::Null);
            let (item, (ru, en)) = (text(&inner, "item"), result_name(&text(&inner, "result")));
            let reason = text(&body, "reason");
            both(
                format!("Исправление: пункт {item}: {ru} ({reason})"),
                format!("Correction: item {item}: {en} ({reason})"),
            )
        }
        "photo" => {
            let sha = text(&body, "sha256").chars().take(12).collect::<String>();
            let bytes = body.get("bytes").and_then(Value::as_u64).unwrap_or(0);
            let kb = bytes.div_ceil(1024);
            both(
                format!("Фото {sha}…, {kb} КБ"),
                format!("Photo {sha}…, {kb} KB"),
            )
        }
        "warning" => {
            let w = text(&body, "text");
            both(
                cut(format!("Предостережение: {w}")),
                cut(format!("Warning: {w}")),
            )
        }
        "act" => {
            let a = text(&body, "summary");
            both(cut(format!("Акт: {a}")), cut(format!("Act: {a}")))
        }
        "order" => {
            let remedies = body.get("remedies").and_then(Value::as_array);
            let n = remedies.map_or(0, Vec::len);
            let last = remedies
                .and_then(|rs| rs.iter().map(|r| text(r, "deadline")).max())
                .and_then(|d| iso_date::parse(&d).ok())
                .map(|d| {
                    let (y, m, day) = (d.year(), u8::from(d.month()), d.day());
                    (
                        format!("{day:02}.{m:02}.{y}"),
                        format!("{day:02}/{m:02}/{y}"),
                    )
                })
                .unwrap_or_default();
            both(
                format!(
                    "Предписание: нарушений к устранению — {n}, последний срок {}",
                    last.0
                ),
                format!(
                    "Order: violations to remedy — {n}, last deadline {}",
                    last.1
                ),
            )
        }
        "interaction" => {
            let minutes =
                kinds::decode_body::<kinds::Interaction>(body.as_object().unwrap_or(&Map::new()))
                    .ok()
                    .and_then(|i| i.minutes())
                    .unwrap_or(0);
            let inn = opt_text(&body, "subject");
            let (h, m) = (minutes / 60, minutes % 60);
            both(
                format!(
                    "Взаимодействие: {h} ч {m:02} мин{}",
                    inn.as_deref()
                        .map(|i| format!(", ИНН {i}"))
                        .unwrap_or_default()
                ),
                format!(
                    "Interaction: {h} h {m:02} min{}",
                    inn.as_deref()
                        .map(|i| format!(", INN {i}"))
                        .unwrap_or_default()
                ),
            )
        }
        "preventive_visit" => {
            let s = text(&body, "summary");
            if body.get("refused").and_then(Value::as_bool) == Some(true) {
                both(
                    cut(format!("Отказ от профилактического визита: {s}")),
                    cut(format!("Preventive visit refused: {s}")),
                )
            } else {
                both(
                    cut(format!("Профилактический визит проведён: {s}")),
                    cut(format!("Preventive visit held: {s}")),
                )
            }
        }
        "note" => {
            let n = text(&body, "text");
            both(cut(format!("Заметка: {n}")), cut(format!("Note: {n}")))
        }
        other => both(other.to_owned(), other.to_owned()),
    }
}

fn result_name(result: &str) -> (&'static str, &'static str) {
    match result {
        "compliant" => ("соответствует", "compliant"),
        "violation" => ("нарушение", "violation"),
        "not_applicable" => ("неприменимо", "not applicable"),
        _ => ("?", "?"),
    }
}

pub(super) fn record_view(r: &RecordRow) -> RecordView {
    let (summary, summary_en) = summary(&r.kind, &r.body);
    RecordView {
        id: r.id.clone(),
        seq: r.seq,
        kind: r.kind.clone(),
        at: r.at.clone(),
        state: state(r.state, r.rejected_reason.is_some()),
        inspection: r.inspection.clone(),
        summary,
        summary_en,
        rejected_reason: r.rejected_reason.clone(),
        objection: r.objection.as_ref().and_then(objection_view),
    }
}

/// The objection's standing as the server sent it; one without a status is not shown.
fn objection_view(o: &Value) -> Option<ObjectionView> {
    let text = |key: &str| o.get(key).and_then(Value::as_str).map(str::to_owned);
    Some(ObjectionView {
        status: text("status")?,
        filed_on: text("filed_on").unwrap_or_default(),
        decided_on: text("decided_on"),
        reasons: text("reasons"),
    })
}

fn finding_view(f: &store::FindingView, states: &HashMap<String, RecordStateView>) -> FindingView {
    let id = f.id.to_string();
    FindingView {
        state: states.get(&id).copied().unwrap_or(RecordStateView::Pending),
        id,
        seq: f.seq,
        at: f.at.to_string(),
        result: match f.result {
            knd_shared::record::kinds::FindingResult::Compliant => FindingResultView::Compliant,
            knd_shared::record::kinds::FindingResult::Violation => FindingResultView::Violation,
            knd_shared::record::kinds::FindingResult::NotApplicable => {
                FindingResultView::NotApplicable
            }
        },
        note: f.note.clone(),
        photos: f.photos.iter().map(|p| p.to_hex()).collect(),
        superseded_by: f.superseded_by.map(|s| s.to_string()),
        correction_reason: f.correction_reason.clone(),
    }
}

/// The checklist with each item's answers: the current one is the version nothing superseded.
pub(super) fn checklist(
    items: Vec<Item>,
    findings: &[store::FindingView],
    states: &HashMap<String, RecordStateView>,
) -> Vec<ChecklistItemView> {
    let mut out: Vec<ChecklistItemView> = items
        .into_iter()
        .map(|i| ChecklistItemView {
            code: i.code,
            question: i.question,
            requirement: i.requirement,
            requirement_text: i.requirement_text,
            legal_act: i.legal_act,
            article: i.article,
            current: None,
            history: Vec::new(),
        })
        .collect();
    for f in findings {
        let view = finding_view(f, states);
        let Some(item) = out.iter_mut().find(|i| i.code == f.item) else {
            continue;
        };
        if view.superseded_by.is_none() {
            item.current = Some(view.clone());
        }
        item.history.push(view);
    }
    out
}

pub(super) fn photo_view(
    p: &PhotoRow,
    thumbnail: &[u8],
    caption: Option<String>,
    record_state: RecordStateView,
    objects: &[ObjectView],
) -> PhotoView {
    let source = |s: &str| {
        if s == "exif" {
            SourceView::Exif
        } else {
            SourceView::Device
        }
    };
    PhotoView {
        sha256: p.sha256.clone(),
        mime: p.mime.clone(),
        width: p.width,
        height: p.height,
        taken_at: p.taken_at.clone(),
        time_source: source(&p.time_source),
        lat_e7: p.lat_e7,
        lon_e7: p.lon_e7,
        position_source: p.position_source.as_deref().map(source),
        caption,
        thumbnail: format!("data:image/jpeg;base64,{}", STANDARD.encode(thumbnail)),
        upload_state: match p.upload_state.as_str() {
            "uploaded" => UploadStateView::Uploaded,
            "uploading" => UploadStateView::Uploading,
            _ => UploadStateView::Pending,
        },
        record_state,
        warnings: p
            .warnings
            .iter()
            .map(|w| photo_warning(w, objects))
            .collect(),
    }
}

/// A photo warning for the UI; `objects` are the inspection's, to name the one a photo is far
/// from by its address.
pub(super) fn photo_warning(w: &PhotoWarning, objects: &[ObjectView]) -> PhotoWarningView {
    let mut v = PhotoWarningView {
        kind: "other".into(),
        reason: None,
        taken_at: None,
        from: None,
        to: None,
        distance_m: None,
        object: None,
        object_address: None,
    };
    match w {
        PhotoWarning::Damaged { reason } => {
            v.kind = "damaged".into();
            v.reason = Some(reason.clone());
        }
        PhotoWarning::TakenOutsideDates { taken_at, from, to } => {
            v.kind = "taken_outside_dates".into();
            v.taken_at = Some(taken_at.to_string());
            v.from = Some(iso_date::format(*from));
            v.to = Some(iso_date::format(*to));
        }
        PhotoWarning::FarFromObject { distance_m, object } => {
            v.kind = "far_from_object".into();
            v.distance_m = Some(u32::try_from(*distance_m).unwrap_or(u32::MAX));
            v.object = Some(object.clone());
            v.object_address = objects
                .iter()
                .find(|o| &o.key == object)
                .map(|o| o.address.clone());
        }
        PhotoWarning::Other => {}
    }
    v
}
