//! What 248-FZ and its decrees require of an inspection before it is scheduled or started: its
//! ground (ч.1 ст.57), the prosecutor's agreement, the moratorium on planned inspections, the
//! ЕРКНМ number (ПП 604) and who a raid may concern (ст.71). Every refusal names the rule, in
//! Russian first and English second.

use knd_shared::calendar::iso_date;
use knd_shared::registry::ObjectAttributes;
use knd_shared::{Ground, InspectionKind};

use super::accounts::plain_text;
use crate::error::{ApiError, ApiResult};
use crate::model::{Inspection, InspectionStatus, ProsecutorAgreement};
use crate::state::AppState;

fn refuse(message: String) -> ApiError {
    ApiError::Unprocessable(message)
}

/// Checks an ЕРКНМ registration number's form: digits only, as the register assigns them. The
/// register's exact length is not fixed here (it has changed over the years), only its bounds.
pub fn check_erknm(number: &str) -> ApiResult<String> {
    let n = number.trim();
    if !(10..=30).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refuse(format!(
            "учётный номер ЕРКНМ — от 10 до 30 цифр, получено {n:?} / an ЕРКНМ registration number is 10 to 30 digits, got {n:?}"
        )));
    }
    Ok(n.to_owned())
}

/// Checks and trims a prosecutor's agreement.
pub fn check_agreement(a: &ProsecutorAgreement) -> ApiResult<ProsecutorAgreement> {
    let reference = plain_text("the prosecutor's agreement reference", &a.reference, 200)
        .map_err(|_| {
            refuse(
                "укажите реквизиты решения прокуратуры о согласовании (до 200 знаков) / give the reference of the prosecutor's decision (up to 200 characters)".into(),
            )
        })?;
    Ok(ProsecutorAgreement {
        reference: reference.to_owned(),
        date: a.date,
    })
}

/// The rules that depend only on the inspection itself.
pub fn check_ground(insp: &Inspection) -> ApiResult<()> {
    let kind = insp.kind;
    if insp.ground == Ground::Unspecified && insp.status != InspectionStatus::Draft {
        return Err(refuse(
            "основание проведения не указано: исправьте его (ч.1 ст.57 248-ФЗ) / the inspection's ground is not stated: correct it (ч.1 ст.57 248-FZ)".into(),
        ));
    }
    if insp.ground.is_planned() && !kind.may_be_planned() {
        return Err(refuse(format!(
            "{} не проводится в плановом порядке ({}) / a {} is never planned",
            kind.name_ru(),
            kind.article(),
            kind.as_str().replace('_', " ")
        )));
    }
    if let Some(a) = &insp.prosecutor_agreement {
        if a.date > insp.starts_on {
            return Err(refuse(format!(
                "согласование прокуратуры ({}) позже начала проверки ({}) / the prosecutor's agreement ({}) is dated after the start ({})",
                iso_date::format(a.date),
                iso_date::format(insp.starts_on),
                iso_date::format(a.date),
                iso_date::format(insp.starts_on),
            )));
        }
    }
    if kind.needs_prosecutor_agreement(insp.ground)
        && insp.prosecutor_agreement.is_none()
        && insp.status != InspectionStatus::Draft
    {
        return Err(refuse(format!(
            "внеплановое мероприятие «{}» по п.1 ч.1 ст.57 проводится только по согласованию с прокуратурой: укажите реквизиты и дату решения / an unplanned {} on ground п.1 ч.1 ст.57 needs the prosecutor's agreement: give the decision's reference and date",
            kind.name_ru(),
            kind.as_str().replace('_', " ")
        )));
    }
    if !insp.other_subjects.is_empty() && kind != InspectionKind::Raid {
        return Err(refuse(format!(
            "несколько контролируемых лиц допускает только рейдовый осмотр (ст.71) / only a raid may concern several controlled persons (ст.71), not a {}",
            kind.as_str().replace('_', " ")
        )));
    }
    Ok(())
}

/// Whether an inspection may move to in progress: it must be registered in ЕРКНМ (ПП 604).
pub fn check_may_start(insp: &Inspection) -> ApiResult<()> {
    if insp.erknm.is_none() {
        return Err(refuse(
            "проверка не внесена в ЕРКНМ: укажите учётный номер до начала (ПП 604) / the inspection is not registered in ЕРКНМ: give its number before it starts (ПП 604)".into(),
        ));
    }
    Ok(())
}

/// The moratorium on planned inspections (ПП 336 as extended by ПП 372): every object of a
/// planned inspection must be one the rules in force on its first day still allow.
pub async fn check_moratorium(state: &AppState, insp: &Inspection) -> ApiResult<()> {
    // A preventive visit is not an inspection: the moratorium sends objects to it.
    if !insp.ground.is_planned() || insp.kind.is_preventive() {
        return Ok(());
    }
    let rules = state
        .store
        .list_control_types(insp.agency)
        .await?
        .into_iter()
        .find(|t| t.id == insp.control_type_id)
        .map(|t| t.rules)
        .ok_or_else(|| refuse(format!("no control type {}", insp.control_type_code)))?;
    let keys: Vec<String> = insp.objects.iter().map(|(_, k)| k.clone()).collect();
    let objects = state.store.objects_by_keys(insp.agency, &keys).await?;
    let mut refused = Vec::new();
    for o in &objects {
        let attributes = ObjectAttributes::from_json(Some(&o.attributes))
            .map_err(|e| refuse(format!("{}: {e}", o.object_key)))?;
        if let Err(e) = rules.check_planned_inspection(insp.starts_on, o.risk_category, &attributes)
        {
            refused.push(format!("{}: {e}", o.object_key));
        }
    }
    if !refused.is_empty() {
        return Err(refuse(format!(
            "плановая проверка невозможна / a planned inspection is refused: {}",
            refused.join("; ")
        )));
    }
    Ok(())
}
