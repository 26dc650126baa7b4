//! The inspection act (ст.87): proposed from the current findings, reviewed by the inspector,
//! signed with the PIN asked again, together with `inspection_finished`.

use knd_shared::RecordId;
use knd_shared::record::kinds::{self, Acknowledgement, FindingResult, RecordKind};

use super::assignment;
use super::fieldwork::{checked_text, map_of, parse_inspection};
use super::present::{self, text};
use super::views::{
    AcknowledgementInput, ActDraft, ActInput, ItemRefView, NotCheckedInput, RecordView,
    ViolationView,
};
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
        super::visit::refuse_act(&a)?;
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
                ViolationView {
                    item: f.item.clone(),
                    requirement: item
                        .and_then(|i| i.requirement.clone())
                        .unwrap_or_else(|| f.item.clone()),
                    requirement_text: item.and_then(|i| i.requirement_text.clone()),
                    legal_act: item.and_then(|i| present::filled(i.legal_act.as_deref())),
                    unit: item.and_then(|i| present::filled(i.article.as_deref())),
                    finding: f.id.to_string(),
                    note: f.note.clone(),
                }
            })
            .collect();
        let unanswered: Vec<ItemRefView> = items
            .iter()
            .filter(|i| !findings.iter().any(|f| f.item == i.code))
            .map(|i| ItemRefView {
                item: i.code.clone(),
                question: i.question.clone(),
            })
            .collect();
        let subject = present::subject(&a);
        let (compliant, bad, na) = (
            of(FindingResult::Compliant),
            of(FindingResult::Violation),
            of(FindingResult::NotApplicable),
        );
        let answered = compliant + bad + na;
        // "N of M" counts the checklist's own items (an answer to an item the checklist no
        // longer has still counts among the results, not among its items).
        let total = if items.is_empty() {
            answered
        } else {
            items.len()
        };
        let checked = total - unanswered.len().min(total);
        let mut summary = format!(
            "{} в отношении {} (ИНН {}). Проверено пунктов проверочного листа: {checked} из {total}; соответствует: {compliant}, нарушений: {bad}, неприменимо: {na}.",
            capitalised(&text(&a, "kind_name")),
            subject.name,
            subject.inn,
        );
        // Compliance is claimed only for what was checked.
        if !unanswered.is_empty() {
            summary.push_str(&format!(
                " Не проверено пунктов: {}; они перечислены в акте с причинами.",
                unanswered.len()
            ));
        }
        if answered == 0 {
            summary.push_str(" Ни один пункт проверочного листа не проверен.");
        } else if bad == 0 && unanswered.is_empty() {
            summary.push_str(" Нарушений обязательных требований не выявлено.");
        } else if bad == 0 {
            summary
                .push_str(" По проверенным пунктам нарушений обязательных требований не выявлено.");
        } else {
            let listed: Vec<String> = violations
                .iter()
                .map(|v| {
                    let what = v.requirement_text.as_deref().unwrap_or(&v.requirement);
                    let what = what.trim().trim_end_matches('.');
                    let cited: Vec<&str> = [v.legal_act.as_deref(), v.unit.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect();
                    if cited.is_empty() {
                        what.to_owned()
                    } else {
                        format!("{what} ({})", cited.join(", "))
                    }
                })
                .collect();
            summary.push_str(&format!(
                " Выявлены нарушения обязательных требований: {}.",
                listed.join("; ")
            ));
        }
        Ok(ActDraft {
            erknm: assignment::erknm(&a),
            summary,
            findings: findings.iter().map(|f| f.id.to_string()).collect(),
            violations,
            compliant: count(compliant),
            violation_count: count(bad),
            not_applicable: count(na),
            unanswered,
            total: count(total),
        })
    }

    /// Signs the act after checking the PIN again (a wrong PIN counts towards the lockout),
    /// with `inspection_finished`, in one transaction. An inspection has one act. Refused while
    /// the inspection has no ЕРКНМ number, while an interaction interval is under way, and
    /// unless every violation names its legal act and unit and says whether it was remedied, and
    /// unless every checklist item is answered or listed as not checked with a reason.
    pub fn sign_act(&self, id: &str, act: ActInput, pin: &str) -> AppResult<RecordView> {
        let inspection = parse_inspection(id)?;
        let a = self.assignment_of(inspection)?;
        super::visit::refuse_act(&a)?;
        self.refuse_after_act(inspection)?;
        let Some(erknm) = assignment::erknm(&a) else {
            return Err(AppError::invalid(
                "проверка ещё не зарегистрирована в ЕРКНМ: синхронизируйте устройство или обратитесь к планировщику / the inspection is not registered in ЕРКНМ yet: sync the device or ask the planner",
            ));
        };
        if self.store().open_interaction(inspection)?.is_some() {
            return Err(AppError::invalid(
                "завершите взаимодействие, прежде чем подписывать акт / stop the interaction before signing the act",
            ));
        }
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
        if let Some(stray) = act
            .violations
            .iter()
            .find(|v| !draft.violations.iter().any(|d| d.finding == v.finding))
        {
            return Err(AppError::invalid(format!(
                "нарушение {} больше не числится в результатах: обновите акт / violation {} is no longer among the findings: reload the act",
                stray.finding, stray.finding
            )));
        }
        let violations =
            draft
                .violations
                .iter()
                .map(|v| {
                    let input = act.violations.iter().find(|i| i.finding == v.finding);
                    Ok(kinds::Violation {
                        requirement: v.requirement.clone(),
                        legal_act: v.legal_act.clone().or_else(|| {
                            present::filled(input.and_then(|i| i.legal_act.as_deref()))
                        }),
                        unit: v
                            .unit
                            .clone()
                            .or_else(|| present::filled(input.and_then(|i| i.unit.as_deref()))),
                        finding: Some(RecordId::parse(&v.finding).map_err(|e| {
                            AppError::new(super::ErrorKind::Internal, e.to_string())
                        })?),
                        remedied: input.map(|i| i.remedied),
                    })
                })
                .collect::<AppResult<Vec<_>>>()?;
        let not_checked = not_checked(&draft.unanswered, act.not_checked)?;
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
            erknm: Some(erknm),
            not_checked,
        };
        body.check_contents()
            .map_err(|e| AppError::invalid(e.to_string()))?;
        let finished = kinds::InspectionFinished {
            inspection,
            position: None,
        };
        // The PIN proves the inspector signs this act now, not whoever finds the tablet
        // unlocked. The key it opens must be the session's.
        let key = self.check_pin(pin)?;
        // The PIN check takes a moment and a background pull may land meanwhile (a checklist
        // item added): what is signed must still be what was checked.
        let again = self.act_draft(id)?;
        if again.findings != draft.findings || again.unanswered != draft.unanswered {
            return Err(AppError::invalid(
                "результаты или проверочный лист изменились во время подписания: обновите акт / the findings or the checklist changed while signing: reload the act",
            ));
        }
        let stored = self.store().create_records(
            &key,
            vec![
                (RecordKind::Act, map_of(&body)?),
                (RecordKind::InspectionFinished, map_of(&finished)?),
            ],
        )?;
        self.sync.wake();
        let act_seq = stored
            .first()
            .map(|r| r.seq)
            .ok_or_else(|| AppError::new(super::ErrorKind::Internal, "no act signed"))?;
        self.signed_view(act_seq)
    }
}

/// The act's list of items not checked: exactly the draft's unanswered items, each with a
/// reason. An act never passes over an item in silence.
fn not_checked(
    unanswered: &[ItemRefView],
    input: Vec<NotCheckedInput>,
) -> AppResult<Vec<kinds::NotChecked>> {
    if let Some(stray) = input
        .iter()
        .find(|n| !unanswered.iter().any(|u| u.item == n.item))
    {
        return Err(AppError::invalid(format!(
            "пункт «{}» уже проверен или не входит в проверочный лист: обновите акт / item «{}» is answered or not in the checklist: reload the act",
            stray.item, stray.item
        )));
    }
    let missing: Vec<&str> = unanswered
        .iter()
        .filter(|u| {
            !input
                .iter()
                .any(|n| n.item == u.item && !n.reason.trim().is_empty())
        })
        .map(|u| u.item.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(AppError::invalid(format!(
            "не на все пункты проверочного листа есть ответ: ответьте или укажите, почему пункт не проверен ({}) / not every checklist item is answered: answer it or say why it was not checked ({})",
            missing.join(", "),
            missing.join(", ")
        )));
    }
    unanswered
        .iter()
        .map(|u| {
            let reason = input
                .iter()
                .find(|n| n.item == u.item)
                .map(|n| checked_text(&n.reason, "причина / reason"))
                .transpose()?
                .unwrap_or_default();
            Ok(kinds::NotChecked {
                item: u.item.clone(),
                reason,
            })
        })
        .collect()
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
