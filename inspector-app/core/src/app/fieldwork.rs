//! Field work on the device: today's assignments, an inspection's screen, findings with
//! corrections, photos and warnings (a preventive visit has its own screen, `visit.rs`). Every
//! write is a signed record made in one transaction by the store; nothing is edited in place.

use std::collections::HashMap;

use knd_shared::record::kinds::{self, FindingResult, RecordKind};
use knd_shared::{InspectionId, RecordId, Sha256};
use serde_json::{Map, Value};

use super::assignment;
use super::present::{self, text};
use super::views::{
    AssignmentSummary, FindingResultView, InspectionScreen, RecordStateView, RecordView,
};
use super::{App, AppError, AppResult};
use crate::store::{RecordRow, StoredRecord};
use crate::sync::checklist_key;

/// Longest free text accepted in a note, warning or act: a page of A4 is about 3,000 characters.
const MAX_TEXT: usize = 20_000;

pub(super) fn parse_inspection(id: &str) -> AppResult<InspectionId> {
    InspectionId::parse(id.trim()).map_err(|_| {
        AppError::invalid(format!(
            "неверный номер проверки / invalid inspection id: {id}"
        ))
    })
}

fn not_found(id: InspectionId) -> AppError {
    AppError::new(
        super::ErrorKind::NotFound,
        format!(
            "проверка {id} не назначена этому устройству / inspection {id} is not assigned to this device"
        ),
    )
}

pub(super) fn checked_text(s: &str, what: &str) -> AppResult<String> {
    let s = s.trim();
    if s.chars().count() > MAX_TEXT {
        return Err(AppError::invalid(format!(
            "{what}: не более {MAX_TEXT} знаков / {what}: at most {MAX_TEXT} characters"
        )));
    }
    Ok(s.to_owned())
}

pub(super) fn map_of(body: &impl serde::Serialize) -> AppResult<Map<String, Value>> {
    match serde_json::to_value(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(AppError::new(
            super::ErrorKind::Internal,
            "body is not an object",
        )),
    }
}

impl App {
    pub(super) fn assignment_of(&self, id: InspectionId) -> AppResult<Value> {
        self.store().assignment(id)?.ok_or_else(|| not_found(id))
    }

    pub(super) fn checklist_of(&self, assignment: &Value) -> AppResult<Option<Value>> {
        let (Some(ct), Some(code)) = (
            assignment.get("control_type").and_then(Value::as_str),
            assignment.get("checklist").and_then(Value::as_str),
        ) else {
            return Ok(None);
        };
        Ok(self.store().checklist(&checklist_key(ct, code))?)
    }

    /// The assignments held offline, earliest first.
    pub fn assignments(&self) -> AppResult<Vec<AssignmentSummary>> {
        let all = self.store().assignments()?;
        let mut out = Vec::with_capacity(all.len());
        for (id, a) in all {
            let inspection = parse_inspection(&id)?;
            let items = present::checklist_items(self.checklist_of(&a)?.as_ref());
            let view = self.store().open_inspection(inspection)?;
            let records = self.store().inspection_records(inspection)?;
            let answered = items
                .iter()
                .filter(|i| {
                    view.findings
                        .iter()
                        .any(|f| f.item == i.code && f.superseded_by.is_none())
                })
                .count();
            let subject = present::subject(&a);
            out.push(AssignmentSummary {
                id,
                kind: text(&a, "kind"),
                kind_name: text(&a, "kind_name"),
                status: text(&a, "status"),
                control_type: text(&a, "control_type"),
                control_type_name: assignment::control_type_name(&a),
                starts_on: text(&a, "starts_on"),
                ends_on: text(&a, "ends_on"),
                subject_name: subject.name,
                subject_inn: subject.inn,
                addresses: present::objects(&a)
                    .into_iter()
                    .map(|o| o.address)
                    .collect(),
                checklist_items: u32::try_from(items.len()).unwrap_or(u32::MAX),
                answered_items: u32::try_from(answered).unwrap_or(u32::MAX),
                pending_records: u32::try_from(
                    records
                        .iter()
                        .filter(|r| r.state != crate::store::RecordState::Receipted)
                        .count(),
                )
                .unwrap_or(u32::MAX),
                started: records.iter().any(|r| r.kind == "inspection_started"),
                act_signed: records.iter().any(|r| r.kind == "act"),
                preventive_visit: super::visit::is_visit(&a),
                visit_outcome: super::visit::visit_outcome(&records),
            });
        }
        out.sort_by(|a, b| (&a.starts_on, &a.id).cmp(&(&b.starts_on, &b.id)));
        Ok(out)
    }

    /// An inspection's screen: the assignment, the checklist with its answers and their
    /// history, photos, warnings, the act, and every record with its state.
    pub fn inspection(&self, id: &str) -> AppResult<InspectionScreen> {
        let inspection = parse_inspection(id)?;
        let a = self.assignment_of(inspection)?;
        let checklist = self.checklist_of(&a)?;
        let items = present::checklist_items(checklist.as_ref());
        let (view, rows, photos) = {
            let s = self.store();
            (
                s.open_inspection(inspection)?,
                s.inspection_records(inspection)?,
                s.photos(inspection)?,
            )
        };
        let states: HashMap<String, RecordStateView> = rows
            .iter()
            .map(|r| {
                (
                    r.id.clone(),
                    present::state(r.state, r.rejected_reason.is_some()),
                )
            })
            .collect();
        let by_seq: HashMap<u64, &RecordRow> = rows.iter().map(|r| (r.seq, r)).collect();
        let objects = present::objects(&a);
        let mut photo_views = Vec::with_capacity(photos.len());
        for p in &photos {
            let thumb = std::fs::read(self.dir.join(&p.thumbnail_path)).unwrap_or_default();
            let record = by_seq.get(&p.record_seq);
            let caption = record
                .and_then(|r| r.body.get("caption"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let state = record
                .map(|r| present::state(r.state, r.rejected_reason.is_some()))
                .unwrap_or(RecordStateView::Pending);
            photo_views.push(present::photo_view(p, &thumb, caption, state, &objects));
        }
        let records: Vec<RecordView> = rows.iter().map(present::record_view).collect();
        let (past_violations, open_orders) = present::history(&a);
        let interaction = self.interaction_of(inspection, &a, &rows)?;
        let signed_act = self.signed_act(inspection)?;
        let order = records.iter().find(|r| r.kind == "order").cloned();
        let order_due = order.is_none()
            && signed_act
                .as_ref()
                .is_some_and(|s| super::order::to_remedy(&s.act).next().is_some());
        let act_contents = signed_act.map(|s| present::act_contents(&s.act));
        Ok(InspectionScreen {
            id: inspection.to_string(),
            kind: text(&a, "kind"),
            kind_name: text(&a, "kind_name"),
            ground: assignment::ground(&a),
            basis: text(&a, "basis"),
            ground_name: assignment::ground_name(&a),
            erknm: assignment::erknm(&a),
            prosecutor_agreement: assignment::prosecutor_agreement(&a),
            subjects: assignment::subjects(&a),
            status: text(&a, "status"),
            control_type: text(&a, "control_type"),
            control_type_name: assignment::control_type_name(&a),
            starts_on: text(&a, "starts_on"),
            ends_on: text(&a, "ends_on"),
            note: text(&a, "note"),
            subject: present::subject(&a),
            objects,
            past_violations,
            open_orders,
            checklist_name: checklist
                .as_ref()
                .and_then(|c| c.get("name"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            checklist: present::checklist(items, &view.findings, &states),
            photos: photo_views,
            warnings: records
                .iter()
                .filter(|r| r.kind == "warning")
                .cloned()
                .collect(),
            warning_allowed: super::warning::warning_allowed(assignment::kind(&a)),
            act: records.iter().find(|r| r.kind == "act").cloned(),
            act_contents,
            order,
            order_due,
            interaction,
            started: records.iter().any(|r| r.kind == "inspection_started"),
            records,
        })
    }

    /// The `inspection_started` record, if the inspection has none yet.
    pub(super) fn start_if_needed(
        &self,
        inspection: InspectionId,
    ) -> AppResult<Option<(RecordKind, Map<String, Value>)>> {
        let started = self
            .store()
            .inspection_records(inspection)?
            .iter()
            .any(|r| r.kind == "inspection_started");
        if started {
            return Ok(None);
        }
        let body = kinds::InspectionStarted {
            inspection,
            object: None,
            position: None,
        };
        Ok(Some((RecordKind::InspectionStarted, map_of(&body)?)))
    }

    /// Refuses any change once the inspection's act is signed (one act per inspection). The
    /// order is the one document that follows the act; `order.rs` checks it on its own.
    pub(super) fn refuse_after_act(&self, inspection: InspectionId) -> AppResult<()> {
        if self
            .store()
            .inspection_records(inspection)?
            .iter()
            .any(|r| r.kind == "act")
        {
            return Err(AppError::invalid(
                "акт по этой проверке подписан: проверка завершена / the act of this inspection is signed: the inspection is finished",
            ));
        }
        Ok(())
    }

    /// Signs records in one transaction and wakes the sync; the last record's view.
    pub(super) fn sign(
        &self,
        records: Vec<(RecordKind, Map<String, Value>)>,
    ) -> AppResult<RecordView> {
        let stored: Vec<StoredRecord> =
            self.with_key(|key| Ok(self.store().create_records(key, records)?))?;
        self.sync.wake();
        let last = stored
            .last()
            .ok_or_else(|| AppError::new(super::ErrorKind::Internal, "no record signed"))?;
        self.signed_view(last.seq)
    }

    pub(super) fn signed_view(&self, seq: u64) -> AppResult<RecordView> {
        self.store()
            .record_at(seq)?
            .as_ref()
            .map(present::record_view)
            .ok_or_else(|| {
                AppError::new(
                    super::ErrorKind::Internal,
                    "the record just signed is missing",
                )
            })
    }

    /// Begins the inspection (an `inspection_started` record).
    pub fn start_inspection(&self, id: &str) -> AppResult<RecordView> {
        let inspection = parse_inspection(id)?;
        self.assignment_of(inspection)?;
        let Some(start) = self.start_if_needed(inspection)? else {
            return Err(AppError::invalid(
                "проверка уже начата / the inspection is already started",
            ));
        };
        self.sign(vec![start])
    }

    /// Records the answer to a checklist item. A second answer to an item is a correction of
    /// the current one (`supersedes`, with a reason); the old record stays.
    #[allow(clippy::too_many_arguments)]
    pub fn record_finding(
        &self,
        id: &str,
        item: &str,
        result: FindingResultView,
        note: Option<String>,
        photos: Vec<String>,
        supersedes: Option<String>,
        reason: Option<String>,
    ) -> AppResult<RecordView> {
        let inspection = parse_inspection(id)?;
        let a = self.assignment_of(inspection)?;
        self.refuse_after_act(inspection)?;
        let items = present::checklist_items(self.checklist_of(&a)?.as_ref());
        if !items.iter().any(|i| i.code == item) {
            return Err(AppError::invalid(format!(
                "в проверочном листе нет пункта {item} / the checklist has no item {item}"
            )));
        }
        let note = note
            .map(|n| checked_text(&n, "заметка / note"))
            .transpose()?
            .filter(|n| !n.is_empty());
        let known: Vec<String> = self
            .store()
            .photos(inspection)?
            .into_iter()
            .map(|p| p.sha256)
            .collect();
        let mut hashes = Vec::with_capacity(photos.len());
        for p in &photos {
            if !known.contains(p) {
                return Err(AppError::invalid(format!(
                    "фото {p} не добавлено к этой проверке / photo {p} was not added to this inspection"
                )));
            }
            hashes.push(Sha256::parse(p).map_err(|e| AppError::invalid(e.to_string()))?);
        }
        let finding = kinds::Finding {
            inspection,
            item: item.to_owned(),
            result: match result {
                FindingResultView::Compliant => FindingResult::Compliant,
                FindingResultView::Violation => FindingResult::Violation,
                FindingResultView::NotApplicable => FindingResult::NotApplicable,
            },
            note,
            photos: hashes,
        };
        let current = self
            .store()
            .open_inspection(inspection)?
            .findings
            .into_iter()
            .find(|f| f.item == item && f.superseded_by.is_none());
        let record = match (current, supersedes) {
            (None, None) => (RecordKind::Finding, map_of(&finding)?),
            (Some(c), None) => {
                return Err(AppError::invalid(format!(
                    "пункт {item} уже отмечен ({}); изменение оформляется исправлением с причиной / item {item} is already answered; a change is a correction with a reason",
                    c.id
                )));
            }
            (current, Some(old)) => {
                let old = RecordId::parse(old.trim()).map_err(|_| {
                    AppError::invalid(format!("неверный номер записи / invalid record id: {old}"))
                })?;
                if current.as_ref().map(|c| c.id) != Some(old) {
                    return Err(AppError::invalid(format!(
                        "исправить можно только текущую запись пункта {item} / only the current answer of item {item} can be corrected"
                    )));
                }
                let reason =
                    checked_text(reason.as_deref().unwrap_or_default(), "причина / reason")?;
                if reason.is_empty() {
                    return Err(AppError::invalid(
                        "укажите причину исправления / give the reason for the correction",
                    ));
                }
                let body = kinds::Correction {
                    supersedes: old,
                    reason,
                    body: map_of(&finding)?,
                };
                (RecordKind::Correction, map_of(&body)?)
            }
        };
        let mut records: Vec<_> = self.start_if_needed(inspection)?.into_iter().collect();
        records.push(record);
        self.sign(records)
    }

    /// Records, newest first (all of the device's, at most 500), or one inspection's in order.
    pub fn records(&self, inspection: Option<&str>) -> AppResult<Vec<RecordView>> {
        let rows = match inspection {
            Some(id) => self.store().inspection_records(parse_inspection(id)?)?,
            None => self.store().recent_records(500)?,
        };
        Ok(rows.iter().map(present::record_view).collect())
    }
}
