//! Inspections (КНМ): created by planners, assigned to inspectors, moved through the status
//! machine, and checked against the law's terms on the working-day calendar.

use knd_shared::calendar::Calendar;
use knd_shared::{Ground, InspectionId, InspectionKind, UserId};
use serde::Deserialize;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::accounts::{audit, plain_text};
use super::inspection_law as law;
use super::policy::{self, Action};
use crate::error::{ApiError, ApiResult};
use crate::model::{Actor, Inspection, InspectionStatus, ProsecutorAgreement, Role, User};
use crate::state::AppState;

/// Most objects one inspection may cover.
const MAX_OBJECTS: usize = 500;
/// Most inspectors on one inspection.
const MAX_INSPECTORS: usize = 20;

/// A new inspection, as a planner submits it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInspection {
    /// One of the nine kinds of ст.56, e.g. `field_check`, `raid`, `inspection_visit`.
    #[schema(value_type = String, example = "field_check")]
    pub kind: InspectionKind,
    /// The ground of ч.1 ст.57: `plan` (п.2) for a planned inspection, otherwise the unplanned
    /// ground (`harm_or_risk_indicator` п.1, `instruction` п.3, `prosecutor_demand` п.4,
    /// `order_deadline` п.5, `programme_event` п.6, `other` with the point named in the note).
    #[schema(value_type = String, example = "plan")]
    pub ground: Ground,
    /// Required before an unplanned field check or inspection visit on ground п.1 is scheduled.
    pub prosecutor_agreement: Option<ProsecutorAgreement>,
    /// The ЕРКНМ registration number (ПП 604); required before the inspection starts.
    pub erknm: Option<String>,
    /// Further controlled persons (INN) of a raid (ст.71); only a raid may have any.
    #[serde(default)]
    pub other_subjects: Vec<String>,
    /// The control type's code.
    pub control_type: String,
    /// The controlled person's INN.
    pub subject_inn: String,
    /// Keys of the subject's objects of that control type.
    pub objects: Vec<String>,
    /// The checklist's code (mandatory for raids and field checks, ПП 1844).
    pub checklist: Option<String>,
    #[serde(with = "knd_shared::calendar::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub starts_on: Date,
    #[serde(with = "knd_shared::calendar::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub ends_on: Date,
    /// Inspectors (users with the inspector role) to assign.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub inspectors: Vec<UserId>,
    #[serde(default)]
    pub note: String,
    /// `draft` (default) or `scheduled`.
    pub status: Option<InspectionStatus>,
}

/// Changes to an inspection: rescheduling, reassignment, objects, checklist, note.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionChange {
    #[serde(default, with = "knd_shared::calendar::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub starts_on: Option<Date>,
    #[serde(default, with = "knd_shared::calendar::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<Date>,
    #[schema(value_type = Option<Vec<String>>)]
    pub inspectors: Option<Vec<UserId>>,
    pub objects: Option<Vec<String>>,
    pub checklist: Option<String>,
    pub note: Option<String>,
    #[schema(value_type = Option<String>)]
    pub ground: Option<Ground>,
    pub prosecutor_agreement: Option<ProsecutorAgreement>,
    pub erknm: Option<String>,
    pub other_subjects: Option<Vec<String>>,
}

/// The kind's term in working days, checked on the calendar (ст.70–73).
pub fn check_term(
    calendar: &Calendar,
    kind: InspectionKind,
    places: usize,
    starts_on: Date,
    ends_on: Date,
) -> ApiResult<()> {
    if ends_on < starts_on {
        return Err(ApiError::Unprocessable(
            "дата окончания раньше даты начала / ends_on is before starts_on".into(),
        ));
    }
    let Some(max) = kind.max_working_days(places) else {
        return Ok(());
    };
    let before = starts_on.previous_day().ok_or_else(|| {
        ApiError::Unprocessable(
            "дата начала вне допустимого диапазона / starts_on is out of range".into(),
        )
    })?;
    let days = calendar
        .working_days_between(before, ends_on)
        .map_err(|e| {
            ApiError::Unprocessable(format!(
                "производственный календарь: {e} / the production calendar: {e}"
            ))
        })?;
    if days > max {
        return Err(ApiError::Unprocessable(format!(
            "{} длится не более {max} рабочих дней, а с {from} по {to} их {days} / \
             a {} lasts at most {max} working days; {from} to {to} is {days}",
            kind.name_ru(),
            kind.as_str(),
            from = knd_shared::calendar::iso_date::format(starts_on),
            to = knd_shared::calendar::iso_date::format(ends_on),
        )));
    }
    Ok(())
}

/// Resolves object keys to the subject's objects of the control type, naming any that are not.
async fn resolve_objects(
    state: &AppState,
    insp: &Inspection,
    keys: &[String],
) -> ApiResult<Vec<(uuid::Uuid, String)>> {
    if keys.is_empty() || keys.len() > MAX_OBJECTS {
        return Err(ApiError::Unprocessable(format!(
            "мероприятие охватывает от 1 до {MAX_OBJECTS} объектов / \
             an inspection covers 1 to {MAX_OBJECTS} objects"
        )));
    }
    let found = state.store.objects_by_keys(insp.agency, keys).await?;
    let mut refused = Vec::new();
    for key in keys {
        match found.iter().find(|o| &o.object_key == key) {
            None => refused.push(format!("{key}: нет такого объекта / no such object")),
            Some(o)
                if o.subject_inn != insp.subject_inn
                    && !insp
                        .other_subjects
                        .iter()
                        .any(|(_, inn)| inn == &o.subject_inn) =>
            {
                refused.push(format!(
                    "{key}: принадлежит другому лицу / belongs to another subject"
                ));
            }
            Some(o) if o.control_type_code != insp.control_type_code => {
                refused.push(format!(
                    "{key}: относится к другому виду контроля / is under another control type"
                ));
            }
            Some(_) => {}
        }
    }
    if !refused.is_empty() {
        return Err(ApiError::Unprocessable(format!(
            "объекты отклонены / objects refused: {}",
            refused.join("; ")
        )));
    }
    let mut objects: Vec<_> = found.into_iter().map(|o| (o.id, o.object_key)).collect();
    objects.dedup_by(|a, b| a.0 == b.0);
    Ok(objects)
}

async fn resolve_checklist(
    state: &AppState,
    insp: &Inspection,
    code: Option<&str>,
) -> ApiResult<Option<(uuid::Uuid, String)>> {
    let Some(code) = code else {
        if insp.kind.requires_checklist() {
            return Err(ApiError::Unprocessable(format!(
                "для мероприятия «{}» нужен проверочный лист (ПП 1844) / a {} needs a checklist (ПП 1844)",
                insp.kind.name_ru(),
                insp.kind.as_str()
            )));
        }
        return Ok(None);
    };
    let id = state
        .store
        .checklist_id(insp.agency, &insp.control_type_code, code)
        .await?
        .ok_or_else(|| {
            ApiError::Unprocessable(format!(
                "у вида контроля {} нет проверочного листа {code} / control type {} has no checklist {code}",
                insp.control_type_code,
                insp.control_type_code
            ))
        })?;
    Ok(Some((id, code.to_owned())))
}

async fn check_inspectors(state: &AppState, insp: &Inspection) -> ApiResult<()> {
    if insp.inspectors.len() > MAX_INSPECTORS {
        return Err(ApiError::Unprocessable(format!(
            "не более {MAX_INSPECTORS} инспекторов / at most {MAX_INSPECTORS} inspectors"
        )));
    }
    for id in &insp.inspectors {
        match state.store.get_user(insp.agency, *id).await? {
            Some(u) if u.role == Role::Inspector && u.disabled_at.is_none() => {}
            _ => {
                return Err(ApiError::Unprocessable(format!(
                    "пользователь {id} не является действующим инспектором ведомства / \
                     user {id} is not an active inspector of the agency"
                )));
            }
        }
    }
    if insp.status != InspectionStatus::Draft && insp.inspectors.is_empty() {
        return Err(ApiError::Unprocessable(
            "запланированному мероприятию нужен хотя бы один инспектор / \
             a scheduled inspection needs at least one inspector"
                .into(),
        ));
    }
    Ok(())
}

/// Resolves the further subjects of a raid by INN, naming any that are unknown.
async fn resolve_other_subjects(
    state: &AppState,
    insp: &Inspection,
    inns: &[String],
) -> ApiResult<Vec<(uuid::Uuid, String)>> {
    let mut out = Vec::new();
    for inn in inns {
        if inn == &insp.subject_inn {
            continue;
        }
        let s = state
            .store
            .subject_by_inn(insp.agency, inn)
            .await?
            .ok_or_else(|| {
                ApiError::Unprocessable(format!(
                    "нет контролируемого лица с ИНН {inn} / no subject with INN {inn}"
                ))
            })?;
        out.push((s.id, s.inn));
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out.dedup_by(|a, b| a.0 == b.0);
    if out.len() > MAX_OBJECTS {
        return Err(ApiError::Unprocessable(format!(
            "рейд касается не более {MAX_OBJECTS} контролируемых лиц / \
             a raid concerns at most {MAX_OBJECTS} controlled persons"
        )));
    }
    Ok(out)
}

async fn validate(state: &AppState, insp: &Inspection) -> ApiResult<()> {
    check_inspectors(state, insp).await?;
    law::check_ground(insp)?;
    if insp.status != InspectionStatus::Draft {
        law::check_moratorium(state, insp).await?;
    }
    check_term(
        &state.calendar,
        insp.kind,
        insp.objects.len(),
        insp.starts_on,
        insp.ends_on,
    )
}

pub async fn create(
    state: &AppState,
    user: &User,
    new: NewInspection,
    address: Option<&str>,
) -> ApiResult<Inspection> {
    policy::require(
        state,
        user,
        address,
        Action::PlanInspection,
        "inspection.create",
        || "inspection".into(),
    )
    .await?;
    let status = new.status.unwrap_or(InspectionStatus::Draft);
    if !matches!(
        status,
        InspectionStatus::Draft | InspectionStatus::Scheduled
    ) {
        return Err(ApiError::Unprocessable(
            "новое мероприятие — черновик или запланированное / a new inspection is draft or scheduled".into(),
        ));
    }
    let note = new.note.trim();
    if note.chars().count() > 2000 || note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::Unprocessable(
            "примечание — не более 2000 символов, без управляющих символов / \
             a note is at most 2000 characters, without control characters"
                .into(),
        ));
    }
    let subject = state
        .store
        .subject_by_inn(user.agency, &new.subject_inn)
        .await?
        .ok_or_else(|| {
            ApiError::Unprocessable(format!(
                "нет контролируемого лица с ИНН {inn} / no subject with INN {inn}",
                inn = new.subject_inn
            ))
        })?;
    let control_type = state
        .store
        .list_control_types(user.agency)
        .await?
        .into_iter()
        .find(|t| t.code == new.control_type)
        .ok_or_else(|| {
            ApiError::Unprocessable(format!(
                "нет вида контроля {code} / no control type {code}",
                code = new.control_type
            ))
        })?;
    if new.ground == Ground::Unspecified {
        return Err(ApiError::Unprocessable(
            "укажите основание проведения (ч.1 ст.57 248-ФЗ) / state the inspection's ground (ч.1 ст.57 248-FZ)".into(),
        ));
    }
    let now = OffsetDateTime::now_utc();
    let mut inspectors = new.inspectors.clone();
    inspectors.sort();
    inspectors.dedup();
    let mut insp = Inspection {
        id: InspectionId::new(),
        agency: user.agency,
        kind: new.kind,
        ground: new.ground,
        prosecutor_agreement: new
            .prosecutor_agreement
            .as_ref()
            .map(law::check_agreement)
            .transpose()?,
        erknm: new.erknm.as_deref().map(law::check_erknm).transpose()?,
        status,
        subject_id: subject.id,
        subject_inn: subject.inn,
        subject_size: Some(subject.size_class),
        other_subjects: Vec::new(),
        control_type_id: control_type.id,
        control_type_code: control_type.code,
        checklist_id: None,
        checklist_code: None,
        objects: Vec::new(),
        starts_on: new.starts_on,
        ends_on: new.ends_on,
        inspectors,
        note: note.to_owned(),
        created_by: Some(user.id),
        created_at: now,
        updated_at: now,
    };
    insp.other_subjects = resolve_other_subjects(state, &insp, &new.other_subjects).await?;
    insp.objects = resolve_objects(state, &insp, &new.objects).await?;
    (insp.checklist_id, insp.checklist_code) =
        resolve_checklist(state, &insp, new.checklist.as_deref())
            .await?
            .unzip();
    validate(state, &insp).await?;
    let mut a = audit(
        Actor::User(user.id),
        Some(user.agency),
        "inspection.create",
        address,
    );
    a.target = Some(format!("inspection:{}", insp.id));
    a.detail = Some(serde_json::json!({ "status": insp.status.as_str() }));
    state
        .store
        .save_inspection(&insp, None, "created", &a)
        .await?;
    Ok(insp)
}

pub use super::inspection_reads::get;

pub async fn change(
    state: &AppState,
    user: &User,
    id: InspectionId,
    change: InspectionChange,
    address: Option<&str>,
) -> ApiResult<Inspection> {
    policy::require(
        state,
        user,
        address,
        Action::PlanInspection,
        "inspection.change",
        || format!("inspection:{id}"),
    )
    .await?;
    let prev = get(state, user, id).await?;
    let mut next = prev.clone();
    let mut what = Vec::new();
    let editable_plan = matches!(
        prev.status,
        InspectionStatus::Draft | InspectionStatus::Scheduled
    );
    if change.starts_on.is_some() || change.ends_on.is_some() {
        if !editable_plan {
            return Err(ApiError::Conflict(format!(
                "мероприятие в статусе «{}» нельзя перенести / a {} inspection cannot be rescheduled",
                prev.status.name_ru(),
                prev.status.as_str()
            )));
        }
        next.starts_on = change.starts_on.unwrap_or(prev.starts_on);
        next.ends_on = change.ends_on.unwrap_or(prev.ends_on);
        what.push("rescheduled");
    }
    if let Some(ground) = change.ground {
        if !editable_plan {
            return Err(ApiError::Conflict(format!(
                "основание мероприятия в статусе «{}» не меняется / the ground of a {} inspection is fixed",
                prev.status.name_ru(),
                prev.status.as_str()
            )));
        }
        next.ground = ground;
        what.push("ground");
    }
    if let Some(a) = &change.prosecutor_agreement {
        next.prosecutor_agreement = Some(law::check_agreement(a)?);
        what.push("prosecutor_agreement");
    }
    if let Some(number) = &change.erknm {
        if prev.erknm.is_some() && !editable_plan {
            return Err(ApiError::Conflict(format!(
                "номер ЕРКНМ мероприятия в статусе «{}» не меняется / the ЕРКНМ number of a {} inspection is fixed",
                prev.status.name_ru(),
                prev.status.as_str()
            )));
        }
        next.erknm = Some(law::check_erknm(number)?);
        what.push("erknm");
    }
    if let Some(inns) = &change.other_subjects {
        if !editable_plan {
            return Err(ApiError::Conflict(format!(
                "контролируемые лица мероприятия в статусе «{}» не меняются / the controlled persons of a {} inspection are fixed",
                prev.status.name_ru(),
                prev.status.as_str()
            )));
        }
        next.other_subjects = resolve_other_subjects(state, &next, inns).await?;
        // The objects must still belong to the persons named; new objects are checked below.
        if change.objects.is_none() {
            let keys: Vec<String> = next.objects.iter().map(|(_, k)| k.clone()).collect();
            next.objects = resolve_objects(state, &next, &keys).await?;
        }
        what.push("subjects");
    }
    if let Some(keys) = &change.objects {
        if !editable_plan {
            return Err(ApiError::Conflict(format!(
                "объекты мероприятия в статусе «{}» не меняются / the objects of a {} inspection are fixed",
                prev.status.name_ru(),
                prev.status.as_str()
            )));
        }
        next.objects = resolve_objects(state, &next, keys).await?;
        what.push("objects");
    }
    if let Some(code) = &change.checklist {
        if !editable_plan {
            return Err(ApiError::Conflict(format!(
                "проверочный лист мероприятия в статусе «{}» не меняется / the checklist of a {} inspection is fixed",
                prev.status.name_ru(),
                prev.status.as_str()
            )));
        }
        (next.checklist_id, next.checklist_code) =
            resolve_checklist(state, &next, Some(code)).await?.unzip();
        what.push("checklist");
    }
    if let Some(mut inspectors) = change.inspectors {
        if matches!(
            prev.status,
            InspectionStatus::Closed | InspectionStatus::Cancelled
        ) {
            return Err(ApiError::Conflict(format!(
                "мероприятие в статусе «{}» нельзя переназначить / a {} inspection cannot be reassigned",
                prev.status.name_ru(),
                prev.status.as_str()
            )));
        }
        inspectors.sort();
        inspectors.dedup();
        next.inspectors = inspectors;
        what.push("reassigned");
    }
    if let Some(note) = &change.note {
        next.note = if note.trim().is_empty() {
            String::new()
        } else {
            plain_text("a note", note, 2000)?.to_owned()
        };
        what.push("note");
    }
    if what.is_empty() {
        return Ok(prev);
    }
    validate(state, &next).await?;
    next.updated_at = later_than(prev.updated_at);
    let mut a = audit(
        Actor::User(user.id),
        Some(user.agency),
        "inspection.change",
        address,
    );
    a.target = Some(format!("inspection:{id}"));
    a.detail = Some(serde_json::json!({ "changed": what }));
    state
        .store
        .save_inspection(&next, Some(&prev), &what.join(","), &a)
        .await?;
    Ok(next)
}

/// Now, but strictly after `prev` (the optimistic check compares update times).
fn later_than(prev: OffsetDateTime) -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    if now > prev {
        now
    } else {
        prev + time::Duration::microseconds(1)
    }
}

/// A user moves an inspection through the status machine: planners, and reviewers to close it.
pub async fn change_status(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: InspectionId,
    status: InspectionStatus,
    reason: Option<&str>,
) -> ApiResult<Inspection> {
    let action = if status == InspectionStatus::Closed {
        Action::CloseInspection
    } else {
        Action::PlanInspection
    };
    policy::require(state, user, address, action, "inspection.status", || {
        format!("inspection:{id}")
    })
    .await?;
    let prev = get(state, user, id).await?;
    set_status(state, &prev, status, reason, Actor::User(user.id), address).await
}

/// Moves an inspection through the status machine. `actor` is a user, or the server itself when
/// a device's record started or finished it.
pub async fn set_status(
    state: &AppState,
    prev: &Inspection,
    status: InspectionStatus,
    reason: Option<&str>,
    actor: Actor,
    address: Option<&str>,
) -> ApiResult<Inspection> {
    if !prev.status.may_become(status) {
        return Err(ApiError::Conflict(format!(
            "мероприятие в статусе «{}» не может перейти в статус «{}» / a {} inspection cannot become {}",
            prev.status.name_ru(),
            status.name_ru(),
            prev.status.as_str(),
            status.as_str()
        )));
    }
    if status == InspectionStatus::Cancelled && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(ApiError::Unprocessable(
            "для отмены нужна причина / cancelling needs a reason".into(),
        ));
    }
    let reason = reason
        .filter(|r| !r.trim().is_empty())
        .map(|r| plain_text("a reason", r, 2000))
        .transpose()?;
    let mut next = prev.clone();
    next.status = status;
    if status == InspectionStatus::Scheduled {
        validate(state, &next).await?;
    }
    if status == InspectionStatus::InProgress {
        law::check_ground(&next)?;
        law::check_may_start(&next)?;
    }
    next.updated_at = later_than(prev.updated_at);
    let mut a = audit(actor, Some(prev.agency), "inspection.status", address);
    a.target = Some(format!("inspection:{}", prev.id));
    a.detail = Some(serde_json::json!({
        "from": prev.status.as_str(), "to": status.as_str(), "reason": reason,
    }));
    state
        .store
        .save_inspection(&next, Some(prev), status.as_str(), &a)
        .await?;
    Ok(next)
}
