//! The signed act as a document to show the person present (ст.88): everything the act says,
//! each finding it rests on with its checklist question, the items not checked and why, and
//! the signature's state: signed on this device, and once synced, the server's receipt.

use knd_shared::RecordId;
use knd_shared::record::kinds::{self, Acknowledgement};

use super::fieldwork::parse_inspection;
use super::present::{self, text};
use super::views::{
    ActDocumentView, ActFindingView, ActViolationDocView, FindingResultView, ItemRefView,
    NotCheckedView, PersonView, ReceiptView,
};
use super::{App, AppError, AppResult, ErrorKind, assignment};

impl App {
    /// The inspection's signed act as a document; refused while no act is signed.
    pub fn act_document(&self, id: &str) -> AppResult<ActDocumentView> {
        let inspection = parse_inspection(id)?;
        // The act is shown even when its assignment has left the device (unassigned since):
        // the header fields are then absent, the act's own contents are all there.
        let a = self
            .assignment_of(inspection)
            .unwrap_or(serde_json::Value::Null);
        let Some(signed) = self.signed_act(inspection)? else {
            return Err(AppError::new(
                ErrorKind::NotFound,
                "акт по этой проверке ещё не подписан / the act of this inspection is not signed yet",
            ));
        };
        let act = &signed.act;
        let items = present::checklist_items(self.checklist_of(&a)?.as_ref());
        let question = |code: &str| {
            items
                .iter()
                .find(|i| i.code == code)
                .map(|i| i.question.clone())
                .unwrap_or_default()
        };
        let all_findings = self.store().open_inspection(inspection)?.findings;
        let photos = self.store().photos(inspection)?;
        let objects = present::objects(&a);
        let marks = |shas: &[knd_shared::Sha256]| {
            shas.iter()
                .filter_map(|sha| photos.iter().find(|p| p.sha256 == sha.to_hex()))
                .flat_map(|p| p.warnings.iter())
                .map(|w| present::photo_warning(w, &objects))
                .collect::<Vec<_>>()
        };
        // Records are never deleted on the device, so every answer the act cites is here; one
        // that is not means the store was altered, and the act is not shown as if whole.
        let cited = act
            .findings
            .iter()
            .map(|id| {
                all_findings.iter().find(|f| f.id == *id).ok_or_else(|| {
                    AppError::new(
                        ErrorKind::Internal,
                        format!("the act cites record {id}, which is not on this device"),
                    )
                })
            })
            .collect::<AppResult<Vec<_>>>()?;
        let findings = cited
            .into_iter()
            .map(|f| ActFindingView {
                record: f.id.to_string(),
                item: ItemRefView {
                    item: f.item.clone(),
                    question: question(&f.item),
                },
                result: match f.result {
                    kinds::FindingResult::Compliant => FindingResultView::Compliant,
                    kinds::FindingResult::Violation => FindingResultView::Violation,
                    kinds::FindingResult::NotApplicable => FindingResultView::NotApplicable,
                },
                note: f.note.clone(),
                corrected: f.correction_reason.is_some(),
                photos: u32::try_from(f.photos.len()).unwrap_or(u32::MAX),
                photo_warnings: marks(&f.photos),
            })
            .collect();
        let violations = act
            .violations
            .iter()
            .map(|v| {
                let finding = v
                    .finding
                    .and_then(|id| all_findings.iter().find(|f| f.id == id));
                let item = finding.map(|f| f.item.clone());
                let requirement_text = item
                    .as_deref()
                    .and_then(|code| items.iter().find(|i| i.code == code))
                    .and_then(|i| i.requirement_text.clone());
                ActViolationDocView {
                    requirement: v.requirement.clone(),
                    requirement_text,
                    legal_act: v.legal_act.clone(),
                    unit: v.unit.clone(),
                    remedied: v.remedied,
                    note: finding.and_then(|f| f.note.clone()),
                }
            })
            .collect();
        let record = RecordId::parse(&signed.row.id)
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
        let (hash, receipt) = self.store().record_proof(record)?;
        let device_name = self
            .store()
            .profile()
            .map(|p| p.device_name.clone())
            .unwrap_or_default();
        Ok(ActDocumentView {
            record: signed.row.id.clone(),
            hash,
            signed_at: signed.row.at.clone(),
            device_name,
            state: present::state(signed.row.state, signed.row.rejected_reason.is_some()),
            rejected_reason: signed.row.rejected_reason.clone(),
            receipt: receipt.map(|(index, at)| ReceiptView {
                log_index: index,
                received_at: at,
            }),
            inspection: inspection.to_string(),
            kind: text(&a, "kind"),
            kind_name: text(&a, "kind_name"),
            ground: assignment::ground(&a),
            ground_name: assignment::ground_name(&a),
            erknm: act.erknm.clone(),
            control_type: text(&a, "control_type"),
            control_type_name: assignment::control_type_name(&a),
            starts_on: text(&a, "starts_on"),
            ends_on: text(&a, "ends_on"),
            subjects: assignment::subjects(&a),
            objects,
            summary: act.summary.clone(),
            findings,
            violations,
            not_checked: act
                .not_checked
                .iter()
                .map(|n| NotCheckedView {
                    item: ItemRefView {
                        item: n.item.clone(),
                        question: question(&n.item),
                    },
                    reason: n.reason.clone(),
                })
                .collect(),
            present: act
                .present
                .iter()
                .map(|p| PersonView {
                    name: p.name.clone(),
                    role: p.role.clone(),
                })
                .collect(),
            acknowledgement: match act.acknowledgement {
                Acknowledgement::Acknowledged => "acknowledged",
                Acknowledgement::Refused => "refused",
                Acknowledgement::Absent => "absent",
            }
            .to_owned(),
        })
    }
}
