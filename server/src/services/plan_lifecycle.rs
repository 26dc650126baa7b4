//! An annual plan's lifecycle: draft → sent for the prosecutor's review (its date) → approved
//! (date, by whom: a server-signed `plan_approved` record carrying the entries' hash; the
//! planned entries become scheduled measures assigned to their inspectors, which devices pull)
//! → published. After approval every change is an amendment with a reason: a new version, a
//! server-signed `plan_amended` record, and the measure rescheduled, reassigned or cancelled.

use knd_shared::calendar::iso_date;
use knd_shared::record::RecordKind;
use knd_shared::record::kinds::{PlanAmended, PlanApproved};
use knd_shared::{Ground, InspectionId, UserId};
use serde::Deserialize;
use serde_json::json;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::model::planning::{EntryStatus, Plan, PlanAmendment, PlanEntry, PlanStatus};
use crate::model::{Actor, InspectionStatus, User};
use crate::services::accounts;
use crate::services::inspections::{self, InspectionChange, NewInspection};
use crate::services::policy::{self, Action};
use crate::state::AppState;
use crate::store::{PlanChange, ServerRecord};

/// A plan of the caller's agency with its entries.
pub async fn get(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: Uuid,
) -> ApiResult<(Plan, Vec<PlanEntry>)> {
    policy::require(
        state,
        user,
        address,
        Action::ReadPlanning,
        "plan.read",
        || format!("plan:{id}"),
    )
    .await?;
    state
        .store
        .plan(user.agency, id)
        .await?
        .ok_or(ApiError::NotFound)
}

pub async fn list(state: &AppState, user: &User, address: Option<&str>) -> ApiResult<Vec<Plan>> {
    policy::require(
        state,
        user,
        address,
        Action::ReadPlanning,
        "plan.list",
        || "plans".into(),
    )
    .await?;
    Ok(state.store.plans(user.agency).await?)
}

/// A step of the lifecycle, as a planner asks for it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Sent for the prosecutor's review on `on`.
    Send {
        #[serde(with = "iso_date")]
        #[schema(value_type = String, format = Date)]
        on: Date,
    },
    /// Approved on `on` by `by` (the head's name and position).
    Approve {
        #[serde(with = "iso_date")]
        #[schema(value_type = String, format = Date)]
        on: Date,
        by: String,
    },
    /// Published on `on`.
    Publish {
        #[serde(with = "iso_date")]
        #[schema(value_type = String, format = Date)]
        on: Date,
    },
}

fn status_ru(s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::Draft => "проект",
        PlanStatus::Sent => "направлен в прокуратуру",
        PlanStatus::Approved => "утверждён",
        PlanStatus::Published => "опубликован",
    }
}

fn refuse_step(from: PlanStatus, to: &str, to_ru: &str) -> ApiError {
    ApiError::Conflict(format!(
        "план в состоянии «{}» нельзя перевести в «{to_ru}» / a {} plan cannot become {to}",
        status_ru(from),
        from.as_str()
    ))
}

/// The entries as their hash covers them: everything but the reasons.
pub fn hashed_entries(entries: &[PlanEntry]) -> serde_json::Value {
    serde_json::Value::Array(
        entries
            .iter()
            .map(|e| {
                json!({
                    "no": e.no,
                    "subject": e.subject,
                    "control_type": e.control_type,
                    "objects": e.objects,
                    "category": e.category,
                    "kind": e.kind,
                    "district": e.district,
                    "status": e.status,
                    "starts_on": e.starts_on.map(iso_date::format),
                    "ends_on": e.ends_on.map(iso_date::format),
                    "inspectors": e.inspectors,
                })
            })
            .collect(),
    )
}

fn entries_hash(entries: &[PlanEntry]) -> ApiResult<knd_shared::Sha256> {
    knd_shared::planning::entries_sha256(&hashed_entries(entries))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

fn check_date(on: Date, after: Option<Date>, today: Date) -> ApiResult<()> {
    if on > today || after.is_some_and(|a| on < a) {
        return Err(ApiError::Unprocessable(format!(
            "дата {} не может быть позже сегодняшней или раньше предыдущего шага / the date {} may be neither after today nor before the previous step",
            iso_date::format(on),
            iso_date::format(on)
        )));
    }
    Ok(())
}

/// Moves a plan one step on.
pub async fn step(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: Uuid,
    step: Step,
) -> ApiResult<Plan> {
    policy::require(state, user, address, Action::BuildPlan, "plan.step", || {
        format!("plan:{id}")
    })
    .await?;
    let (mut plan, mut entries) = state
        .store
        .plan(user.agency, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let expected = plan.version;
    let today = state.today();
    let mut record = None;
    let action;
    match step {
        Step::Send { on } => {
            if plan.status != PlanStatus::Draft {
                return Err(refuse_step(plan.status, "sent", "направлен в прокуратуру"));
            }
            check_date(on, None, today)?;
            plan.status = PlanStatus::Sent;
            plan.sent_on = Some(on);
            action = "plan.send";
        }
        Step::Approve { on, by } => {
            if plan.status != PlanStatus::Sent {
                return Err(refuse_step(plan.status, "approved", "утверждён"));
            }
            check_date(on, plan.sent_on, today)?;
            let by = accounts::plain_text("who approved", &by, 300)
                .map_err(|_| {
                    ApiError::Unprocessable(
                        "укажите, кем утверждён план (должность, ФИО) / say who approved the plan (position, name)".into(),
                    )
                })?
                .to_owned();
            materialise(state, user, address, &plan, &mut entries).await?;
            plan.status = PlanStatus::Approved;
            plan.approved_on = Some(on);
            plan.approved_by = Some(by.clone());
            let body = PlanApproved {
                plan: plan.id,
                year: plan.year,
                kind: plan.kind.as_str().to_owned(),
                version: plan.version,
                approved_on: on,
                approved_by: by,
                sent_on: plan.sent_on,
                entries: u32::try_from(entries.len()).unwrap_or(u32::MAX),
                entries_sha256: entries_hash(&entries)?,
            };
            record = Some(ServerRecord {
                kind: RecordKind::PlanApproved,
                body: serde_json::to_value(&body).map_err(|e| ApiError::Internal(e.to_string()))?,
            });
            action = "plan.approve";
        }
        Step::Publish { on } => {
            if plan.status != PlanStatus::Approved {
                return Err(refuse_step(plan.status, "published", "опубликован"));
            }
            check_date(on, plan.approved_on, today)?;
            plan.status = PlanStatus::Published;
            plan.published_on = Some(on);
            action = "plan.publish";
        }
    }
    let mut a = accounts::audit(Actor::User(user.id), Some(user.agency), action, address);
    a.target = Some(format!("plan:{id}"));
    a.detail = Some(json!({"status": plan.status.as_str()}));
    let change = PlanChange {
        plan: plan.clone(),
        entries: if action == "plan.approve" {
            entries
        } else {
            Vec::new()
        },
        amendment: None,
        record,
    };
    let written = state
        .store
        .change_plan(&change, expected, &state.server, &a)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict("план изменён одновременно / the plan changed meanwhile".into())
        })?;
    plan.record = written.or(plan.record);
    Ok(plan)
}

/// The planned entries become scheduled measures (ground п.2 ч.1 ст.57, or preventive visits),
/// created through the inspections service so every rule of the law checks them again.
async fn materialise(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    plan: &Plan,
    entries: &mut [PlanEntry],
) -> ApiResult<()> {
    let types = state.store.list_control_types(user.agency).await?;
    for e in entries
        .iter_mut()
        .filter(|e| e.status == EntryStatus::Planned && e.inspection.is_none())
    {
        let (Some(starts_on), Some(ends_on)) = (e.starts_on, e.ends_on) else {
            continue;
        };
        let t = types
            .iter()
            .find(|t| t.id == e.control_type)
            .ok_or_else(|| ApiError::Internal("entry's control type".into()))?;
        let keys: Vec<String> = e.why["objects"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|o| o["object_key"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let subject_inn = state
            .store
            .objects_by_keys(user.agency, &keys)
            .await?
            .first()
            .map(|o| o.subject_inn.clone())
            .ok_or_else(|| ApiError::Internal("entry's objects".into()))?;
        let checklist = e
            .kind
            .requires_checklist()
            .then(|| t.rules.planning.checklist.clone())
            .flatten();
        if e.kind.requires_checklist() && checklist.is_none() {
            return Err(ApiError::Unprocessable(format!(
                "для плановых мероприятий вида «{}» ({}) нужен проверочный лист: укажите его в правилах планирования вида контроля {} / planned {}s of {} need a checklist: set it in the planning rules",
                e.kind.name_ru(),
                t.code,
                t.code,
                e.kind.as_str().replace('_', " "),
                t.code
            )));
        }
        let new = NewInspection {
            kind: e.kind,
            ground: Ground::Plan,
            prosecutor_agreement: None,
            erknm: None,
            other_subjects: Vec::new(),
            control_type: t.code.clone(),
            subject_inn,
            objects: keys,
            checklist,
            starts_on,
            ends_on,
            inspectors: e.inspectors.clone(),
            note: format!(
                "План {} г., пункт {} / plan {} entry {}",
                plan.year, e.no, plan.year, e.no
            ),
            status: Some(InspectionStatus::Scheduled),
        };
        let created = inspections::create(state, user, new, address)
            .await
            .map_err(|err| match err {
                ApiError::Unprocessable(m) => ApiError::Unprocessable(format!(
                    "пункт {} плана: {m} / plan entry {}: {m}",
                    e.no, e.no
                )),
                other => other,
            })?;
        e.inspection = Some(created.id.as_uuid());
    }
    Ok(())
}

/// An amendment of an approved or published plan.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    pub entry: u32,
    /// The new start (its end follows from the measure's span on the calendar).
    #[serde(default, with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub starts_on: Option<Date>,
    /// The new inspectors.
    #[serde(default)]
    #[schema(value_type = Option<Vec<String>>)]
    pub inspectors: Option<Vec<UserId>>,
    /// The entry is taken out of the plan (its measure cancelled).
    #[serde(default)]
    pub remove: bool,
    pub reason: String,
}

/// Amends one entry: a new version, a signed record, the measure changed with it.
pub async fn amend(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: Uuid,
    am: Amendment,
) -> ApiResult<(Plan, PlanAmendment)> {
    policy::require(
        state,
        user,
        address,
        Action::BuildPlan,
        "plan.amend",
        || format!("plan:{id}"),
    )
    .await?;
    let reason = accounts::plain_text("the reason", &am.reason, 2000)
        .map_err(|_| {
            ApiError::Unprocessable(
                "поправка требует обоснования (до 2000 знаков) / an amendment needs a reason (up to 2000 characters)".into(),
            )
        })?
        .to_owned();
    let (mut plan, mut entries) = state
        .store
        .plan(user.agency, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !matches!(plan.status, PlanStatus::Approved | PlanStatus::Published) {
        return Err(ApiError::Conflict(
            "поправки вносятся в утверждённый план; проект перестраивается / amendments are for an approved plan; a draft is rebuilt".into(),
        ));
    }
    let Some(e) = entries.iter_mut().find(|e| e.no == am.entry) else {
        return Err(ApiError::NotFound);
    };
    if e.status != EntryStatus::Planned {
        return Err(ApiError::Conflict(
            "пункт не запланирован (исключён или не вошёл в план) / the entry is not planned (removed or left out)".into(),
        ));
    }
    let before = json!({"starts_on": e.starts_on.map(iso_date::format), "ends_on": e.ends_on.map(iso_date::format), "inspectors": e.inspectors});
    let change_text;
    if am.remove {
        e.status = EntryStatus::Removed;
        if let Some(m) = e.inspection {
            inspections::change_status(
                state,
                user,
                address,
                InspectionId::from(m),
                InspectionStatus::Cancelled,
                Some(&reason),
            )
            .await?;
        }
        change_text = format!("пункт {} исключён / entry {} removed", e.no, e.no);
    } else {
        if am.starts_on.is_none() && am.inspectors.is_none() {
            return Err(ApiError::Unprocessable(
                "укажите новую дату, инспекторов или исключение пункта / give a new date, inspectors, or remove the entry".into(),
            ));
        }
        if let Some(start) = am.starts_on {
            let (Some(s0), Some(e0)) = (e.starts_on, e.ends_on) else {
                return Err(ApiError::Conflict("entry has no dates".into()));
            };
            let span = state
                .calendar
                .working_days_between(s0, e0)
                .map_err(|err| ApiError::Unprocessable(err.to_string()))?;
            if start.year() != plan.year || !state.calendar.is_working_day(start).unwrap_or(false) {
                return Err(ApiError::Unprocessable(format!(
                    "новая дата {} — не рабочий день {} г. / the new date {} is not a working day of {}",
                    iso_date::format(start),
                    plan.year,
                    iso_date::format(start),
                    plan.year
                )));
            }
            let end = if span == 0 {
                start
            } else {
                state
                    .calendar
                    .add_working_days(start, span)
                    .map_err(|err| ApiError::Unprocessable(err.to_string()))?
            };
            e.starts_on = Some(start);
            e.ends_on = Some(end);
        }
        if let Some(people) = &am.inspectors {
            if people.is_empty() {
                return Err(ApiError::Unprocessable(
                    "нужен хотя бы один инспектор / at least one inspector".into(),
                ));
            }
            e.inspectors = people.clone();
        }
        if let Some(m) = e.inspection {
            let change = InspectionChange {
                starts_on: am.starts_on.and(e.starts_on),
                ends_on: am.starts_on.and(e.ends_on),
                inspectors: am.inspectors.clone(),
                ..InspectionChange::default()
            };
            inspections::change(state, user, InspectionId::from(m), change, address).await?;
        }
        change_text = format!(
            "пункт {}: {} {} / entry {}: {} {}",
            e.no,
            e.starts_on.map(iso_date::format).unwrap_or_default(),
            e.inspectors.len(),
            e.no,
            e.starts_on.map(iso_date::format).unwrap_or_default(),
            e.inspectors.len()
        );
    }
    let entry = e.clone();
    let expected = plan.version;
    plan.version += 1;
    let body = PlanAmended {
        plan: plan.id,
        year: plan.year,
        kind: plan.kind.as_str().to_owned(),
        version: plan.version,
        entry: entry.no,
        change: change_text,
        reason: reason.clone(),
        entries_sha256: entries_hash(&entries)?,
    };
    let amendment = PlanAmendment {
        plan: plan.id,
        version: plan.version,
        entry: entry.no,
        change: json!({
            "before": before,
            "after": {"starts_on": entry.starts_on.map(iso_date::format), "ends_on": entry.ends_on.map(iso_date::format), "inspectors": entry.inspectors, "status": entry.status},
        }),
        reason,
        made_by: Some(user.id),
        made_at: OffsetDateTime::now_utc(),
        record: knd_shared::RecordId::from(Uuid::nil()),
    };
    let mut a = accounts::audit(
        Actor::User(user.id),
        Some(user.agency),
        "plan.amend",
        address,
    );
    a.target = Some(format!("plan:{id}"));
    a.detail =
        Some(json!({"entry": entry.no, "version": plan.version, "reason": amendment.reason}));
    let change = PlanChange {
        plan: plan.clone(),
        entries: vec![entry],
        amendment: Some(amendment.clone()),
        record: Some(ServerRecord {
            kind: RecordKind::PlanAmended,
            body: serde_json::to_value(&body).map_err(|e| ApiError::Internal(e.to_string()))?,
        }),
    };
    let record = state
        .store
        .change_plan(&change, expected, &state.server, &a)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict("план изменён одновременно / the plan changed meanwhile".into())
        })?
        .ok_or_else(|| ApiError::Internal("amendment record".into()))?;
    Ok((
        plan,
        PlanAmendment {
            record,
            ..amendment
        },
    ))
}
