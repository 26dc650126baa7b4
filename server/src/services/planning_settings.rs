//! What a planner edits before building a plan: a control type's risk model, indicators and
//! planning policy (each save a new version of its rules, with who and why), the agency's
//! planning settings (working minutes, travel per district), and inspectors' absences.

use knd_shared::planning::{IndicatorRule, PlanningRules, RiskModel};
use knd_shared::{UserId, calendar::iso_date};
use time::Date;

use crate::error::{ApiError, ApiResult};
use crate::model::planning::{Absence, RulesVersion};
use crate::model::{Actor, ControlType, Role, User};
use crate::services::accounts;
use crate::services::plan_build::{PlanningSettings, settings};
use crate::services::policy::{self, Action};
use crate::state::AppState;

/// The agency's control type by code.
pub async fn control_type(state: &AppState, user: &User, code: &str) -> ApiResult<ControlType> {
    state
        .store
        .list_control_types(user.agency)
        .await?
        .into_iter()
        .find(|t| t.code == code)
        .ok_or(ApiError::NotFound)
}

/// The parts of a control type's rules planning owns.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanningRulesChange {
    /// The risk model (omitted: unchanged).
    #[schema(value_type = Option<Object>)]
    pub risk_model: Option<RiskModel>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub indicators: Option<Vec<IndicatorRule>>,
    #[schema(value_type = Option<Object>)]
    pub planning: Option<PlanningRules>,
    /// Why (kept with the version).
    pub reason: String,
}

/// Saves a change of a control type's risk model, indicators or planning policy as its next
/// version: validated as a whole (the law's constraints included), audited with the reason.
pub async fn save_rules(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    code: &str,
    change: PlanningRulesChange,
) -> ApiResult<ControlType> {
    policy::require(
        state,
        user,
        address,
        Action::EditRiskModel,
        "risk_model.put",
        || format!("control_type:{}", code.escape_debug()),
    )
    .await?;
    let reason = accounts::plain_text("the reason", &change.reason, 2000).map_err(|_| {
        ApiError::Unprocessable(
            "укажите основание изменения (до 2000 знаков) / give the change's reason (up to 2000 characters)".into(),
        )
    })?;
    let t = control_type(state, user, code).await?;
    let mut rules = t.rules.clone();
    if let Some(m) = change.risk_model {
        rules.risk_model = Some(m);
    }
    if let Some(i) = change.indicators {
        rules.indicators = i;
    }
    if let Some(p) = change.planning {
        rules.planning = p;
    }
    rules
        .validate()
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let mut a = accounts::audit(
        Actor::User(user.id),
        Some(user.agency),
        "risk_model.put",
        address,
    );
    a.target = Some(format!("control_type:{code}"));
    a.detail = Some(serde_json::json!({"reason": reason}));
    Ok(state
        .store
        .put_control_type(user.agency, &t.code, &t.name, &rules, &a)
        .await?)
}

/// Every version of a control type's rules, newest first.
pub async fn versions(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    code: &str,
) -> ApiResult<Vec<RulesVersion>> {
    policy::require(
        state,
        user,
        address,
        Action::ReadPlanning,
        "risk_model.versions",
        || format!("control_type:{}", code.escape_debug()),
    )
    .await?;
    let t = control_type(state, user, code).await?;
    Ok(state.store.rules_versions(t.id).await?)
}

pub async fn get_settings(
    state: &AppState,
    user: &User,
    address: Option<&str>,
) -> ApiResult<PlanningSettings> {
    policy::require(
        state,
        user,
        address,
        Action::ReadPlanning,
        "planning_settings.read",
        || "planning_settings".into(),
    )
    .await?;
    settings(state, user.agency).await
}

pub async fn put_settings(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    s: PlanningSettings,
) -> ApiResult<PlanningSettings> {
    policy::require(
        state,
        user,
        address,
        Action::EditRiskModel,
        "planning_settings.put",
        || "planning_settings".into(),
    )
    .await?;
    s.validate()?;
    let mut a = accounts::audit(
        Actor::User(user.id),
        Some(user.agency),
        "planning_settings.put",
        address,
    );
    a.detail = Some(serde_json::to_value(&s).map_err(|e| ApiError::Internal(e.to_string()))?);
    let v = serde_json::to_value(&s).map_err(|e| ApiError::Internal(e.to_string()))?;
    state
        .store
        .set_planning_settings(user.agency, &v, &a)
        .await?;
    Ok(s)
}

/// The agency's inspectors' absences between two days.
pub async fn absences(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    from: Date,
    to: Date,
) -> ApiResult<Vec<Absence>> {
    policy::require(
        state,
        user,
        address,
        Action::ReadPlanning,
        "absences.read",
        || "absences".into(),
    )
    .await?;
    if to < from || (to - from).whole_days() > 400 {
        return Err(ApiError::Unprocessable(
            "период — не более 400 дней, окончание не раньше начала / the period is at most 400 days, ending no earlier than it starts".into(),
        ));
    }
    Ok(state.store.absences(user.agency, from, to).await?)
}

/// Marks an inspector away on every day from `from` to `to` (`reason` given), or clears them.
pub async fn set_absence(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    inspector: UserId,
    from: Date,
    to: Date,
    reason: Option<&str>,
) -> ApiResult<u32> {
    policy::require(
        state,
        user,
        address,
        Action::BuildPlan,
        "absences.put",
        || format!("user:{inspector}"),
    )
    .await?;
    let who = state
        .store
        .get_user(user.agency, inspector)
        .await?
        .filter(|u| u.role == Role::Inspector)
        .ok_or(ApiError::NotFound)?;
    if to < from || (to - from).whole_days() > 366 {
        return Err(ApiError::Unprocessable(
            "период отсутствия — не более года, окончание не раньше начала / an absence is at most a year, ending no earlier than it starts".into(),
        ));
    }
    let reason = reason
        .map(|r| {
            accounts::plain_text("the reason", r, 200).map_err(|_| {
                ApiError::Unprocessable(
                    "причина отсутствия — до 200 знаков (отпуск, обучение, болезнь) / the reason is up to 200 characters (leave, training, sickness)".into(),
                )
            })
        })
        .transpose()?;
    let mut days = Vec::new();
    let mut d = from;
    while d <= to {
        days.push(d);
        d = d.next_day().ok_or(ApiError::BadRequest("date".into()))?;
    }
    let mut a = accounts::audit(
        Actor::User(user.id),
        Some(user.agency),
        "absences.put",
        address,
    );
    a.target = Some(format!("user:{}", who.id));
    a.detail = Some(serde_json::json!({
        "from": iso_date::format(from), "to": iso_date::format(to), "reason": reason,
    }));
    state.store.set_absences(who.id, &days, reason, &a).await?;
    Ok(u32::try_from(days.len()).unwrap_or(u32::MAX))
}
