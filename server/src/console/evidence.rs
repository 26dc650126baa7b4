//! An inspection's field evidence: every record its devices sent, in log order, each with its
//! signature verified again here, its receipt and log position and a link to its evidence
//! bundle; the answers per checklist item with their corrections as history; photos as
//! thumbnails made on the server, with their EXIF time and position and warnings (the
//! device's, signed, and the server's own); the documents laid out as text.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse as _;
use knd_shared::Sha256;

use super::chrome::{Chrome, Failure, PageResult, page};
use super::documents::{self, DocView};
use super::i18n::Lang;
use super::inspections::{capitalized, parse_id};
use super::session::Viewer;
use super::{format, names};
use crate::error::ApiError;
use crate::model::{ProjectedFinding, ProjectedPhoto};
use crate::services::inspection_evidence::{self, PhotoCheck, SignatureCheck};
use crate::services::thumbnails;
use crate::state::AppState;

/// A record kind's name.
fn record_kind(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "inspection_started" => ("Начало проверки", "Inspection started"),
        "inspection_finished" => ("Окончание проверки", "Inspection finished"),
        "finding" => ("Ответ по пункту проверочного листа", "Checklist answer"),
        "photo" => ("Фотография", "Photo"),
        "correction" => ("Исправление", "Correction"),
        "note" => ("Заметка", "Note"),
        "preventive_visit" => ("Профилактический визит", "Preventive visit"),
        k => documents::kind_name(k),
    }
}

fn finding_result(r: &str) -> (&'static str, &'static str) {
    match r {
        "compliant" => ("соответствует", "compliant"),
        "violation" => ("нарушение", "violation"),
        "not_applicable" => ("неприменимо", "not applicable"),
        _ => ("иной ответ", "other answer"),
    }
}

pub(crate) struct RecordRow {
    pub(crate) id: String,
    pub(crate) index: u64,
    pub(crate) kind: String,
    pub(crate) device: String,
    pub(crate) seq: u64,
    pub(crate) at: String,
    pub(crate) received: String,
    pub(crate) valid: bool,
    pub(crate) signature: String,
    pub(crate) receipt_valid: bool,
    pub(crate) readable: bool,
}

pub(crate) struct AnswerVersion {
    pub(crate) record: String,
    pub(crate) result: String,
    pub(crate) violation: bool,
    pub(crate) note: String,
    pub(crate) at: String,
    pub(crate) current: bool,
    /// "corrects record X: reason".
    pub(crate) correction: Option<String>,
    pub(crate) replaced_by: Option<String>,
}

pub(crate) struct Item {
    pub(crate) code: String,
    pub(crate) versions: Vec<AnswerVersion>,
}

pub(crate) struct PhotoView {
    pub(crate) thumb: String,
    pub(crate) full: String,
    pub(crate) sha: String,
    pub(crate) taken: String,
    pub(crate) position: String,
    pub(crate) size: String,
    pub(crate) current: bool,
    pub(crate) device_warnings: Vec<String>,
    pub(crate) server_warnings: Vec<String>,
}

#[derive(Template)]
#[template(path = "evidence.html")]
struct EvidencePage {
    chrome: Chrome,
    id: String,
    title: String,
    dates: String,
    started: Option<String>,
    finished: Option<String>,
    records: Vec<RecordRow>,
    truncated: bool,
    items: Vec<Item>,
    photos: Vec<PhotoView>,
    documents: Vec<DocView>,
    flags: Vec<String>,
}

fn answer(
    lang: Lang,
    zone: &knd_shared::calendar::zone::AgencyZone,
    f: &ProjectedFinding,
) -> AnswerVersion {
    let (ru, en) = finding_result(&f.result);
    AnswerVersion {
        record: f.record.to_string(),
        result: lang.t(ru, en).to_owned(),
        violation: f.result == "violation",
        note: f.note.clone().unwrap_or_default(),
        at: format::device_time(zone, &f.at),
        current: f.version.superseded_by.is_none(),
        correction: f.version.supersedes.map(|s| {
            format!(
                "{} {s}: {}",
                lang.t("исправляет запись", "corrects record"),
                f.version.reason.as_deref().unwrap_or("")
            )
        }),
        replaced_by: f.version.superseded_by.map(|r| r.to_string()),
    }
}

/// The words of a warning the device signed into a photo record.
fn device_warning(
    lang: Lang,
    zone: &knd_shared::calendar::zone::AgencyZone,
    w: &serde_json::Value,
) -> String {
    let s = |k: &str| w.get(k).and_then(|v| v.as_str()).unwrap_or("").to_owned();
    match w.get("kind").and_then(|k| k.as_str()) {
        Some("damaged") => format!(
            "{} ({})",
            lang.t("изображение повреждено", "the image is damaged"),
            s("reason")
        ),
        Some("taken_outside_dates") => format!(
            "{} {}, {} {} — {}",
            lang.t("снята", "taken"),
            format::device_time(zone, &s("taken_at")),
            lang.t("вне сроков проверки", "outside the inspection's dates"),
            s("from"),
            s("to")
        ),
        Some("far_from_object") => format!(
            "{} {} {} {}",
            lang.t("снята в", "taken"),
            w.get("distance_m")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0),
            lang.t("м от ближайшего объекта", "m from the nearest object"),
            s("object")
        ),
        Some(k) => format!(
            "{} «{k}»",
            lang.t("предупреждение устройства", "device warning")
        ),
        None => lang
            .t("предупреждение без вида", "a warning without a kind")
            .to_owned(),
    }
}

fn server_warning(lang: Lang, c: &PhotoCheck) -> String {
    match c {
        PhotoCheck::OutsideDates { day, from, to } => format!(
            "{} {} {} {} — {}",
            lang.t("снята", "taken on"),
            format::date(*day),
            lang.t("вне сроков проверки", "outside the inspection's dates"),
            format::date(*from),
            format::date(*to)
        ),
        PhotoCheck::FarFromObject { distance_m, object } => format!(
            "{} {} {} {}",
            lang.t("снята в", "taken"),
            format::count(*distance_m),
            lang.t(
                "м от ближайшего объекта (более 1 км)",
                "m from the nearest object (over 1 km)"
            ),
            object
        ),
    }
}

fn photo(
    lang: Lang,
    zone: &knd_shared::calendar::zone::AgencyZone,
    insp: &str,
    p: &ProjectedPhoto,
    checks: &[PhotoCheck],
) -> PhotoView {
    let sha = p.sha256.to_hex();
    PhotoView {
        thumb: format!("/inspections/{insp}/photos/{sha}/thumb"),
        full: format!("/api/v1/blobs/{sha}"),
        sha: sha[..12].to_owned(),
        taken: p.taken_at.as_deref().map_or_else(
            || lang.t("время съёмки неизвестно", "time unknown").to_owned(),
            |t| format::device_time(zone, t),
        ),
        position: match (p.lat_e7, p.lon_e7) {
            (Some(la), Some(lo)) => format!("{:.6}, {:.6}", la as f64 / 1e7, lo as f64 / 1e7),
            _ => lang
                .t("координаты неизвестны", "position unknown")
                .to_owned(),
        },
        size: format::kilobytes(lang, p.size),
        current: p.version.superseded_by.is_none(),
        device_warnings: p
            .warnings
            .iter()
            .map(|w| device_warning(lang, zone, w))
            .collect(),
        server_warnings: checks.iter().map(|c| server_warning(lang, c)).collect(),
    }
}

pub(super) async fn page_handler(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> PageResult {
    let lang = viewer.lang;
    let zone = &state.zone;
    let ev = inspection_evidence::evidence(&state, &viewer.user, parse_id(&id)?).await?;
    let insp = &ev.inspection;
    let records = ev
        .records
        .iter()
        .map(|r| {
            let (ru, en) = record_kind(&r.kind);
            let (valid, signature) = match &r.signature {
                SignatureCheck::Valid => {
                    (true, lang.t("подпись верна", "signature valid").to_owned())
                }
                SignatureCheck::Invalid(why) => (false, lang.pick(why)),
            };
            RecordRow {
                id: r.id.to_string(),
                index: r.log_index,
                kind: lang.t(ru, en).to_owned(),
                device: r
                    .device_name
                    .clone()
                    .unwrap_or_else(|| r.device.to_string()),
                seq: r.seq,
                at: format::device_time(zone, &r.at),
                received: format::datetime(zone, r.received_at),
                valid,
                signature,
                receipt_valid: r.receipt_valid,
                readable: r.readable,
            }
        })
        .collect();
    let mut by_item: BTreeMap<&str, Vec<&ProjectedFinding>> = BTreeMap::new();
    for f in &ev.field.findings {
        by_item.entry(f.item.as_str()).or_default().push(f);
    }
    let items = by_item
        .into_iter()
        .map(|(code, mut v)| {
            v.sort_by(|a, b| a.at.cmp(&b.at).then(a.record.cmp(&b.record)));
            Item {
                code: code.to_owned(),
                versions: v.into_iter().map(|f| answer(lang, zone, f)).collect(),
            }
        })
        .collect();
    let id_s = insp.id.to_string();
    let photos = ev
        .field
        .photos
        .iter()
        .map(|p| {
            let checks = ev
                .photo_checks
                .get(&p.record)
                .map_or(&[][..], Vec::as_slice);
            photo(lang, zone, &id_s, p, checks)
        })
        .collect();
    let documents = ev
        .field
        .documents
        .iter()
        .map(|d| documents::view(lang, zone, d))
        .collect();
    let (kru, ken) = names::kind(insp.kind);
    let t = EvidencePage {
        chrome: Chrome::new(&state, &viewer, "/inspections"),
        id: id_s.clone(),
        title: format!("{} · {}", capitalized(lang.t(kru, ken)), insp.subject_inn),
        dates: format!(
            "{} — {}",
            format::date(insp.starts_on),
            format::date(insp.ends_on)
        ),
        started: ev
            .field
            .started_at
            .as_deref()
            .map(|t| format::device_time(zone, t)),
        finished: ev
            .field
            .finished_at
            .as_deref()
            .map(|t| format::device_time(zone, t)),
        records,
        truncated: ev.truncated,
        items,
        photos,
        documents,
        flags: ev
            .field
            .flags
            .iter()
            .map(|f| lang.pick(&f.detail))
            .collect(),
    };
    Ok(page(&t))
}

/// A photo's thumbnail (JPEG), for those who may see the inspection.
pub(super) async fn thumb(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, sha)): Path<(String, String)>,
) -> PageResult {
    let sha = Sha256::parse(&sha).map_err(|_| Failure::Api(ApiError::NotFound))?;
    let bytes = thumbnails::thumbnail(&state, &viewer.user, parse_id(&id)?, &sha).await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    Ok(resp)
}
