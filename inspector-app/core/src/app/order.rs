//! The remediation order (предписание, п.1 ч.2 ст.90): after an act that found violations, drawn
//! up from the act's violations, naming the act, each remedy with its legal act, structural unit,
//! measure and a deadline later than the order's date (the agency's local date), signed with the
//! PIN asked again. One order per inspection.

use knd_shared::calendar::iso_date;
use knd_shared::record::kinds::{self, RecordKind};
use knd_shared::{InspectionId, RecordId};

use super::assignment;
use super::fieldwork::{checked_text, map_of, parse_inspection};
use super::present;
use super::views::{OrderDraft, OrderInput, RecordView, RemedyDraftView};
use super::{App, AppError, AppResult, ErrorKind};
use crate::store::RecordRow;

/// The signed act of an inspection: its record and what it says.
pub(super) struct SignedAct {
    pub row: RecordRow,
    pub act: kinds::Act,
}

/// The violations of an act that an order is to remedy: those not remedied during the
/// inspection (an act signed before `remedied` existed counts every violation).
pub(super) fn to_remedy(act: &kinds::Act) -> impl Iterator<Item = &kinds::Violation> {
    act.violations.iter().filter(|v| v.remedied != Some(true))
}

impl App {
    /// The inspection's act, if one is signed.
    pub(super) fn signed_act(&self, inspection: InspectionId) -> AppResult<Option<SignedAct>> {
        let Some(row) = self
            .store()
            .inspection_records(inspection)?
            .into_iter()
            .find(|r| r.kind == "act")
        else {
            return Ok(None);
        };
        let act: kinds::Act = kinds::decode_body(&row.body)
            .map_err(|e| AppError::new(ErrorKind::Internal, format!("act {}: {e}", row.id)))?;
        Ok(Some(SignedAct { row, act }))
    }

    fn act_for_order(&self, inspection: InspectionId) -> AppResult<SignedAct> {
        let Some(signed) = self.signed_act(inspection)? else {
            return Err(AppError::invalid(
                "предписание выдаётся после подписания акта / an order is issued after the act is signed",
            ));
        };
        if self
            .store()
            .inspection_records(inspection)?
            .iter()
            .any(|r| r.kind == "order")
        {
            return Err(AppError::invalid(
                "по этой проверке предписание уже выдано / an order was already issued for this inspection",
            ));
        }
        if to_remedy(&signed.act).next().is_none() {
            return Err(AppError::invalid(
                "в акте нет неустранённых нарушений: предписание не требуется / the act has no violation left to remedy: no order is needed",
            ));
        }
        Ok(signed)
    }

    /// The order as the signed act makes it: the act's violations still to remedy, with their
    /// requirements, legal acts and units, and the order's date.
    pub fn order_draft(&self, id: &str) -> AppResult<OrderDraft> {
        let inspection = parse_inspection(id)?;
        let a = self.assignment_of(inspection)?;
        let signed = self.act_for_order(inspection)?;
        let items = present::checklist_items(self.checklist_of(&a)?.as_ref());
        let remedies = to_remedy(&signed.act)
            .map(|v| RemedyDraftView {
                requirement: v.requirement.clone(),
                requirement_text: items
                    .iter()
                    .find(|i| i.requirement.as_deref() == Some(v.requirement.as_str()))
                    .and_then(|i| i.requirement_text.clone()),
                legal_act: v.legal_act.clone(),
                unit: v.unit.clone(),
            })
            .collect();
        Ok(OrderDraft {
            act: signed.row.id.clone(),
            act_at: signed.row.at.clone(),
            erknm: signed.act.erknm.clone(),
            issued_on: iso_date::format(assignment::agency_today(&a)?),
            subject: present::subject(&a),
            remedies,
        })
    }

    /// Signs the order after checking the PIN again. Refused before the act, after an order,
    /// for a requirement the act does not name as violated, and unless each remedy has its
    /// legal act, unit, measure and a deadline later than today in the agency's time zone.
    pub fn sign_order(&self, id: &str, order: OrderInput, pin: &str) -> AppResult<RecordView> {
        let inspection = parse_inspection(id)?;
        let a = self.assignment_of(inspection)?;
        let signed = self.act_for_order(inspection)?;
        let issued_on = assignment::agency_today(&a)?;
        let subject = assignment::subject_inn(&a)?;
        let mut remedies = Vec::with_capacity(order.remedies.len());
        for (i, r) in order.remedies.into_iter().enumerate() {
            let n = i + 1;
            let requirement = r.requirement.trim().to_owned();
            if !to_remedy(&signed.act).any(|v| v.requirement == requirement) {
                return Err(AppError::invalid(format!(
                    "пункт {n}: требования «{requirement}» нет среди неустранённых нарушений акта / item {n}: the requirement {requirement:?} is not among the act's violations left to remedy"
                )));
            }
            let deadline = iso_date::parse(r.deadline.trim()).map_err(|_| {
                AppError::invalid(format!(
                    "пункт {n}: укажите срок (ГГГГ-ММ-ДД) / item {n}: give the deadline (YYYY-MM-DD)"
                ))
            })?;
            remedies.push(kinds::Remedy {
                requirement,
                legal_act: present::filled(Some(&r.legal_act)),
                unit: present::filled(Some(&r.unit)),
                measure: checked_text(&r.measure, "мера / measure")?,
                deadline,
            });
        }
        let act = RecordId::parse(&signed.row.id)
            .map_err(|e| AppError::new(ErrorKind::Internal, e.to_string()))?;
        let body = kinds::Order {
            inspection,
            subject,
            act: Some(act),
            remedies,
        };
        body.check_contents(issued_on)
            .map_err(|e| AppError::invalid(e.to_string()))?;
        let key = self.check_pin(pin)?;
        let stored = self
            .store()
            .create_records(&key, vec![(RecordKind::Order, map_of(&body)?)])?;
        self.sync.wake();
        let seq = stored
            .first()
            .map(|r| r.seq)
            .ok_or_else(|| AppError::new(ErrorKind::Internal, "no order signed"))?;
        self.signed_view(seq)
    }
}
