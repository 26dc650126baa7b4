//! The inspection act (ст.87): proposed from the current findings, reviewed by the inspector,
//! signed with the PIN asked again, together with `inspection_finished`.

use knd_shared::RecordId;
use knd_shared::record::kinds::{self, Acknowledgement, FindingResult, RecordKind};

use super::fieldwork::{map_of, parse_inspection};
use super::present::{self, text};
use super::views::{AcknowledgementInput, ActDraft, ActInput, RecordView, ViolationView};
use super::{App, AppError, AppResult};

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl App {
    /// The act as the findings make it: counts, the violations with their requirements and
    /// legal acts, the items left unanswered, and a summary to edit.
    pub fn act_draft(&self, id: &str) -> AppResult<ActDraft> {
        let inspection = parse_inspection(id)?;
        let a = self.assignment_of(inspection)?;
        let items = present::checklist_items(self.checklist_of(&a)?.as_ref());
        let findings: Vec<_> = self
            .store()
            .open_inspection(inspection)?
            .findings
            .into_iter()
            .filter(|f| f.superseded_by.is_none())
            .collect();
        let of = |r: FindingResult| findings.iter().filter(|f| f.result == r).count();
        let violations: Vec<ViolationView> = findings
            .iter()
            .filter(|f| f.result == FindingResult::Violation)
            .map(|f| {
                let item = items.iter().find(|i| i.code == f.item);
                let legal_act = item.and_then(|i| match (&i.legal_act, &i.article) {
                    (Some(act), Some(art)) if !art.is_empty() => Some(format!("{act}, {art}")),
                    (Some(act), _) => Some(act.clone()),
                    _ => None,
                });
                ViolationView {
                    item: f.item.clone(),
                    requirement: item
                        .and_then(|i| i.requirement.clone())
                        .unwrap_or_else(|| f.item.clone()),
                    requirement_text: item.and_then(|i| i.requirement_text.clone()),
                    legal_act,
                    finding: f.id.to_string(),
                    note: f.note.clone(),
                }
            })
            .collect();
        let unanswered: Vec<String> = items
            .iter()
            .filter(|i| !findings.iter().any(|f| f.item == i.code))
            .map(|i| i.code.clone())
            .collect();
        let subject = present::subject(&a);
        let (compliant, bad, na) = (
            of(FindingResult::Compliant),
            of(FindingResult::Violation),
            of(FindingResult::NotApplicable),
        );
        let mut summary = format!(
            "{} в отношении {} (ИНН {}). Проверено пунктов проверочного листа: {}; соответствует: {compliant}, нарушений: {bad}, неприменимо: {na}.",
            capitalised(&text(&a, "kind_name")),
            subject.name,
            subject.inn,
            compliant + bad + na,
        );
        if bad == 0 {
            summary.push_str(" Нарушений обязательных требований не выявлено.");
        } else {
            let listed: Vec<String> = violations
                .iter()
                .map(|v| {
                    let what = v.requirement_text.as_deref().unwrap_or(&v.requirement);
                    let what = what.trim().trim_end_matches('.');
                    match v.legal_act.as_deref() {
                        Some(act) => format!("{what} ({act})"),
                        None => what.to_owned(),
                    }
                })
                .collect();
            summary.push_str(&format!(
                " Выявлены нарушения обязательных требований: {}.",
                listed.join("; ")
            ));
        }
        Ok(ActDraft {
            summary,
            findings: findings.iter().map(|f| f.id.to_string()).collect(),
            violations,
            compliant: count(compliant),
            violation_count: count(bad),
            not_applicable: count(na),
            unanswered,
        })
    }

    /// Signs the act after checking the PIN again (a wrong PIN counts towards the lockout),
    /// with `inspection_finished`, in one transaction. An inspection has one act.
    pub fn sign_act(&self, id: &str, act: ActInput, pin: &str) -> AppResult<RecordView> {
        let inspection = parse_inspection(id)?;
        self.assignment_of(inspection)?;
        self.refuse_after_act(inspection)?;
        let summary = act.summary.trim().to_owned();
        if summary.is_empty() || summary.chars().count() > 20_000 {
            return Err(AppError::invalid(
                "заполните текст акта (до 20 000 знаков) / fill in the act's text (up to 20,000 characters)",
            ));
        }
        let mut present = Vec::new();
        for p in act.present {
            let (name, role) = (p.name.trim().to_owned(), p.role.trim().to_owned());
            if name.is_empty() && role.is_empty() {
                continue;
            }
            if name.is_empty() {
                return Err(AppError::invalid(
                    "укажите ФИО присутствовавшего / give the name of each person present",
                ));
            }
            present.push(kinds::Person { name, role });
        }
        let draft = self.act_draft(id)?;
        let violations =
            draft
                .violations
                .iter()
                .map(|v| {
                    Ok(kinds::Violation {
                        requirement: v.requirement.clone(),
                        legal_act: v.legal_act.clone(),
                        finding: Some(RecordId::parse(&v.finding).map_err(|e| {
                            AppError::new(super::ErrorKind::Internal, e.to_string())
                        })?),
                    })
                })
                .collect::<AppResult<Vec<_>>>()?;
        let findings = draft
            .findings
            .iter()
            .map(|f| {
                RecordId::parse(f)
                    .map_err(|e| AppError::new(super::ErrorKind::Internal, e.to_string()))
            })
            .collect::<AppResult<Vec<_>>>()?;
        let body = kinds::Act {
            inspection,
            summary,
            findings,
            violations,
            present,
            acknowledgement: match act.acknowledgement {
                AcknowledgementInput::Acknowledged => Acknowledgement::Acknowledged,
                AcknowledgementInput::Refused => Acknowledgement::Refused,
                AcknowledgementInput::Absent => Acknowledgement::Absent,
            },
        };
        let finished = kinds::InspectionFinished {
            inspection,
            position: None,
        };
        // The PIN proves the inspector signs this act now, not whoever finds the tablet
        // unlocked. The key it opens must be the session's.
        let key = self.check_pin(pin)?;
        let act_body = map_of(&body)?;
        let finished_body = map_of(&finished)?;
        let stored = self.store().create_records(
            &key,
            vec![
                (RecordKind::Act, act_body),
                (RecordKind::InspectionFinished, finished_body),
            ],
        )?;
        self.sync.wake();
        let act_seq = stored
            .first()
            .map(|r| r.seq)
            .ok_or_else(|| AppError::new(super::ErrorKind::Internal, "no act signed"))?;
        self.store()
            .record_at(act_seq)?
            .as_ref()
            .map(present::record_view)
            .ok_or_else(|| {
                AppError::new(super::ErrorKind::Internal, "the act just signed is missing")
            })
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
