//! The warning about the inadmissibility of a violation (ст.49): prevention, so it is issued
//! outside a control measure with interaction (such a measure that finds violations ends in an
//! order). It names each requirement with its legal act and structural unit, the conduct that may
//! lead to a violation and at least one proposed measure, a date per measure optional.

use knd_shared::calendar::iso_date;
use knd_shared::record::Timestamp;
use knd_shared::record::kinds::{self, CitedRequirement, RecordKind, WarningRequirement};
use time::Date;

use super::assignment;
use super::fieldwork::{checked_text, map_of, parse_inspection};
use super::views::{MeasureInput, RecordView, WarningRequirementInput};
use super::{App, AppError, AppResult};

/// Longest requirement, legal act or unit: a legal act's full title is a few hundred characters.
const MAX_CITATION: usize = 1_000;

fn field(s: &str, what: &str) -> AppResult<String> {
    let s = s.trim();
    if s.chars().count() > MAX_CITATION {
        return Err(AppError::invalid(format!(
            "{what}: не более {MAX_CITATION} знаков / {what}: at most {MAX_CITATION} characters"
        )));
    }
    Ok(s.to_owned())
}

/// Whether a warning may be issued in a measure of this kind: only without interaction.
/// `None` (an assignment that names no known kind) is refused: it cannot be shown to be one.
pub(super) fn warning_allowed(kind: Option<knd_shared::InspectionKind>) -> bool {
    kind.is_some_and(|k| !k.involves_interaction())
}

fn measure(m: MeasureInput, today: Date) -> AppResult<Option<kinds::Measure>> {
    let what = checked_text(&m.what, "мера / measure")?;
    let by = m.by.as_deref().map(str::trim).filter(|b| !b.is_empty());
    if what.is_empty() {
        if by.is_some() {
            return Err(AppError::invalid(
                "опишите меру, для которой указан срок / describe the measure the date is for",
            ));
        }
        return Ok(None);
    }
    let by = by
        .map(|b| {
            iso_date::parse(b).map_err(|_| {
                AppError::invalid(format!(
                    "неверная дата / invalid date: {b} (ГГГГ-ММ-ДД / YYYY-MM-DD)"
                ))
            })
        })
        .transpose()?;
    if let Some(by) = by {
        if by < today {
            return Err(AppError::invalid(format!(
                "срок меры {by} уже прошёл / the measure's date {by} is in the past"
            )));
        }
    }
    Ok(Some(kinds::Measure { what, by }))
}

impl App {
    /// Issues a warning (ст.49) to the inspection's subject. Refused in a measure with
    /// interaction, and unless every requirement is cited with its legal act and unit, the
    /// conduct is described and at least one measure is proposed.
    pub fn issue_warning(
        &self,
        id: &str,
        requirements: Vec<WarningRequirementInput>,
        text: &str,
        measures: Vec<MeasureInput>,
    ) -> AppResult<RecordView> {
        let inspection = parse_inspection(id)?;
        let a = self.assignment_of(inspection)?;
        if !warning_allowed(assignment::kind(&a)) {
            return Err(AppError::invalid(
                "предостережение не объявляется в ходе мероприятия со взаимодействием: при нарушениях выдаётся предписание / a warning is not issued in a control measure with interaction: violations lead to an order",
            ));
        }
        let mut cited = Vec::with_capacity(requirements.len());
        for r in requirements {
            let c = CitedRequirement {
                requirement: field(&r.requirement, "требование / requirement")?,
                legal_act: field(&r.legal_act, "нормативный акт / legal act")?,
                unit: field(&r.unit, "структурная единица / structural unit")?,
            };
            if !(c.requirement.is_empty() && c.legal_act.is_empty() && c.unit.is_empty()) {
                cited.push(WarningRequirement::Cited(c));
            }
        }
        let text = checked_text(text, "текст / text")?;
        let subject = assignment::subject_inn(&a)?;
        // A measure's date is checked against the agency's today when the assignment gives its
        // zone, else the device's (the date is a proposal, not a legal deadline).
        let today = assignment::agency_today(&a).unwrap_or_else(|_| {
            let now = Timestamp::now().as_datetime();
            now.to_offset(time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC))
                .date()
        });
        let mut parsed = Vec::with_capacity(measures.len());
        for m in measures {
            parsed.extend(measure(m, today)?);
        }
        let body = kinds::Warning {
            subject,
            inspection: Some(inspection),
            requirements: cited,
            text,
            measures: parsed,
        };
        body.check_contents()
            .map_err(|e| AppError::invalid(e.to_string()))?;
        let mut records: Vec<_> = self.start_if_needed(inspection)?.into_iter().collect();
        records.push((RecordKind::Warning, map_of(&body)?));
        self.sign(records)
    }
}
