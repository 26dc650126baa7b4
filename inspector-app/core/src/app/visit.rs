//! The preventive visit (профилактический визит, ст.52 248-FZ): a preventive measure, not a
//! control measure, so it has no checklist, act or order. The annual plan makes mandatory visits
//! (ст.52.1) into measures of kind `preventive_visit`, pulled like any assignment; the visit ends
//! in one signed `preventive_visit` record naming the measure: held, with what was discussed
//! (the requirements, the self-assessment, the advice given), or refused by the subject, which
//! only a visit that is not mandatory may be.

use knd_shared::InspectionId;
use knd_shared::record::kinds::{self, RecordKind};
use serde_json::Value;

use super::assignment;
use super::fieldwork::{checked_text, map_of, parse_inspection};
use super::present::{self, text};
use super::views::{RecordView, VisitOutcome, VisitRecordView, VisitScreen};
use super::{App, AppError, AppResult};
use crate::store::RecordRow;

/// Whether the assignment is a preventive visit.
pub(super) fn is_visit(a: &Value) -> bool {
    assignment::kind(a).is_some_and(knd_shared::InspectionKind::is_preventive)
}

/// Whether the visit is mandatory (ст.52.1), so that it cannot be refused. The measure kind is
/// the mandatory visit the plan makes, so a pulled visit is mandatory unless its assignment says
/// `"mandatory": false`. When in doubt the app says mandatory: offering the refusal of a
/// mandatory visit would let the inspector sign an unlawful record, while a visit wrongly shown
/// as mandatory only loses its refusal button.
pub(super) fn mandatory(a: &Value) -> bool {
    a.get("mandatory").and_then(Value::as_bool).unwrap_or(true)
}

/// Refuses the documents of a control measure (the act, and the order that follows it) for a
/// preventive visit.
pub(super) fn refuse_act(a: &Value) -> AppResult<()> {
    if is_visit(a) {
        return Err(AppError::invalid(
            "по профилактическому визиту акт проверки не составляется: оформите визит / a preventive visit has no inspection act: record the visit",
        ));
    }
    Ok(())
}

/// The visit's signed record and what it says, if it has one (the first: a visit is recorded
/// once). A body that does not read as a visit is skipped, not fatal: it was checked when signed.
pub(super) fn visit_record(rows: &[RecordRow]) -> Option<(&RecordRow, kinds::PreventiveVisit)> {
    rows.iter()
        .filter(|r| r.kind == RecordKind::PreventiveVisit.as_str())
        .find_map(|r| Some((r, kinds::decode_body(&r.body).ok()?)))
}

fn outcome(v: &kinds::PreventiveVisit) -> VisitOutcome {
    if v.refused {
        VisitOutcome::Refused
    } else {
        VisitOutcome::Held
    }
}

/// The outcome of the visit recorded in `rows`, if any.
pub(super) fn visit_outcome(rows: &[RecordRow]) -> Option<VisitOutcome> {
    visit_record(rows).map(|(_, v)| outcome(&v))
}

impl App {
    fn visit_assignment(&self, inspection: InspectionId) -> AppResult<Value> {
        let a = self.assignment_of(inspection)?;
        if !is_visit(&a) {
            return Err(AppError::invalid(format!(
                "мероприятие {inspection} — не профилактический визит / measure {inspection} is not a preventive visit"
            )));
        }
        Ok(a)
    }

    /// A preventive visit's screen: the subject, objects, dates, whether it is mandatory, and
    /// its record once signed. Refused for a measure of another kind.
    pub fn visit(&self, id: &str) -> AppResult<VisitScreen> {
        let inspection = parse_inspection(id)?;
        let a = self.visit_assignment(inspection)?;
        let rows = self.store().inspection_records(inspection)?;
        let visit = visit_record(&rows).map(|(row, v)| VisitRecordView {
            record: present::record_view(row),
            outcome: outcome(&v),
            summary: v.summary,
        });
        Ok(VisitScreen {
            id: inspection.to_string(),
            kind: text(&a, "kind"),
            kind_name: text(&a, "kind_name"),
            ground: assignment::ground(&a),
            basis: text(&a, "basis"),
            ground_name: assignment::ground_name(&a),
            erknm: assignment::erknm(&a),
            status: text(&a, "status"),
            control_type: text(&a, "control_type"),
            control_type_name: assignment::control_type_name(&a),
            starts_on: text(&a, "starts_on"),
            ends_on: text(&a, "ends_on"),
            note: text(&a, "note"),
            subject: present::subject(&a),
            objects: present::objects(&a),
            mandatory: mandatory(&a),
            visit,
            records: rows.iter().map(present::record_view).collect(),
        })
    }

    /// Records the visit as held, with what was discussed: a `preventive_visit` record naming
    /// the measure, signed into the chain and queued for sync like any other.
    pub fn hold_visit(&self, id: &str, summary: &str) -> AppResult<RecordView> {
        self.sign_visit(id, summary, false)
    }

    /// Records that the subject refused the visit, in the inspector's words. Refused for a
    /// mandatory visit (ст.52.1): nothing is signed.
    pub fn refuse_visit(&self, id: &str, summary: &str) -> AppResult<RecordView> {
        self.sign_visit(id, summary, true)
    }

    fn sign_visit(&self, id: &str, summary: &str, refused: bool) -> AppResult<RecordView> {
        let inspection = parse_inspection(id)?;
        let a = self.visit_assignment(inspection)?;
        if visit_record(&self.store().inspection_records(inspection)?).is_some() {
            return Err(AppError::invalid(
                "визит уже оформлен: его запись подписана / the visit is already recorded: its record is signed",
            ));
        }
        let body = kinds::PreventiveVisit {
            subject: assignment::subject_inn(&a)?,
            // The measure names its objects (through `inspection`); the body's `object` is a
            // registry id, which a pulled assignment does not carry.
            object: None,
            mandatory: mandatory(&a),
            summary: checked_text(summary, "итоги визита / the visit's summary")?,
            inspection: Some(inspection),
            refused,
        };
        body.check_contents()
            .map_err(|e| AppError::invalid(e.to_string()))?;
        self.sign(vec![(RecordKind::PreventiveVisit, map_of(&body)?)])
    }
}
