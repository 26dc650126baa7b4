//! Who may do what: the one place that decides. Services ask it before they act, so the HTTP API
//! and the console share the same rules; routes never look at a role.
//!
//! The allow table (action → roles; "own" marks a narrower scope):
//!
//! | action                | admin | planner | inspector | reviewer | auditor |
//! |-----------------------|-------|---------|-----------|----------|---------|
//! | `ReadUsers`           |   ✓   |         |  self     |          |    ✓    |
//! | `ManageUsers`         |   ✓   |         |           |          |         |
//! | `ListDevices`         |   ✓   |         |  own      |          |    ✓    |
//! | `ReadDevice`          |   ✓   |  own    |  own      |  own     |    ✓    |
//! | `RevokeDevice`        |   ✓   |         |           |          |         |
//! | `EnrollDevice`        |   ✓   |         |  self     |          |         |
//! | `ReadAudit`           |   ✓   |         |           |          |    ✓    |
//! | `ReadRegistry`        |   ✓   |    ✓    |     ✓     |    ✓     |    ✓    |
//! | `EditRegistry`        |   ✓   |    ✓    |           |          |         |
//! | `ImportRegistry`      |   ✓   |    ✓    |           |          |         |
//! | `PlanInspection`      |   ✓   |    ✓    |           |          |         |
//! | `CloseInspection`     |   ✓   |    ✓    |           |    ✓     |         |
//! | `ReadInspection`      |   ✓   |    ✓    |  own      |    ✓     |    ✓    |
//! | `ReadFieldData`       |   ✓   |    ✓    |  own      |    ✓     |    ✓    |
//! | `ReadReviewFlags`     |   ✓   |    ✓    |           |    ✓     |    ✓    |
//! | `ResolveReviewFlags`  |   ✓   |    ✓    |           |    ✓     |         |
//! | `ReadRecord`          |   ✓   |    ✓    |  own      |    ✓     |    ✓    |
//! | `ReadPlanning`        |   ✓   |    ✓    |           |          |    ✓    |
//! | `EditRiskModel`       |   ✓   |    ✓    |           |          |         |
//! | `DecideCategory`      |   ✓   |    ✓    |           |          |         |
//! | `RecordRiskEvent`     |   ✓   |    ✓    |           |    ✓     |         |
//! | `BuildPlan`           |   ✓   |    ✓    |           |          |         |
//! | `ReadFilings`         |   ✓   |    ✓    |           |    ✓     |    ✓    |
//! | `DecideFilings`       |   ✓   |         |           |    ✓     |         |
//!
//! "self" and "own" are decided beside the table: a user reads their own account and enrolls
//! their own device whatever the table says; an inspector's inspections, field data and records
//! are those of inspections assigned to them and of their devices ([`Scope`]). Everything is
//! within the caller's agency: another agency's objects answer 404, never 403, so their
//! existence is not revealed. Devices and businesses are not users: a device reads its own
//! records and pulls its inspector's assignments; a business reads the documents addressed to
//! its ИНН, files objections and appeals about them, and reads its own filings and the records
//! of what was decided on them.

use knd_shared::{AgencyId, UserId};

use crate::error::{ApiError, ApiResult};
use crate::model::{ApiKey, Device, Role, StoredRecord, User};
use crate::services::accounts;
use crate::state::AppState;

/// A thing a console user may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// List the agency's users, or read another user.
    ReadUsers,
    /// Create users.
    ManageUsers,
    /// List the agency's devices.
    ListDevices,
    /// Read another user's device.
    ReadDevice,
    RevokeDevice,
    /// Create an enrollment code for another user's device.
    EnrollDevice,
    ReadAudit,
    /// Control types, requirements, checklists, subjects and objects.
    ReadRegistry,
    /// Put control types, requirements, checklists, subjects, objects and risk decisions.
    EditRegistry,
    /// The CSV imports of subjects and objects.
    ImportRegistry,
    /// Create, reschedule, reassign and move inspections through their statuses.
    PlanInspection,
    /// Close a completed inspection.
    CloseInspection,
    ReadInspection,
    ReadFieldData,
    ReadReviewFlags,
    /// Accept or reject a review flag (accepting a held document releases it).
    ResolveReviewFlags,
    ReadRecord,
    /// The risk model, proposals, triggered indicators, absences and plans.
    ReadPlanning,
    /// A control type's risk model, indicators and planning policy; the planning settings.
    EditRiskModel,
    /// Confirm or reject a proposed risk category; run the scoring and the indicators.
    DecideCategory,
    /// Register an event about an object (a confirmed complaint, a sensor reading, a notice).
    RecordRiskEvent,
    /// Build, amend and move the annual plan through its lifecycle; inspector absences.
    BuildPlan,
    /// Objections and appeals of controlled persons.
    ReadFilings,
    /// Register, refuse and decide objections and appeals (ст.39–43, ст.49).
    DecideFilings,
}

impl Action {
    /// The roles allowed the action (the table above, as data).
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Action::ReadUsers | Action::ReadDevice | Action::ReadAudit => &[Admin, Auditor],
            Action::ListDevices => &[Admin, Auditor, Inspector],
            Action::ManageUsers | Action::RevokeDevice | Action::EnrollDevice => &[Admin],
            Action::EditRegistry | Action::ImportRegistry | Action::PlanInspection => {
                &[Admin, Planner]
            }
            Action::CloseInspection | Action::ResolveReviewFlags => &[Admin, Planner, Reviewer],
            Action::ReadReviewFlags => &[Admin, Planner, Reviewer, Auditor],
            Action::ReadPlanning => &[Admin, Planner, Auditor],
            Action::EditRiskModel | Action::DecideCategory | Action::BuildPlan => &[Admin, Planner],
            Action::RecordRiskEvent => &[Admin, Planner, Reviewer],
            Action::ReadFilings => &[Admin, Planner, Reviewer, Auditor],
            Action::DecideFilings => &[Admin, Reviewer],
            Action::ReadRegistry
            | Action::ReadInspection
            | Action::ReadFieldData
            | Action::ReadRecord => &Role::ALL,
        }
    }

    /// Whether `role` may do this (before any narrower scope).
    pub fn allows(self, role: Role) -> bool {
        self.roles().contains(&role)
    }
}

/// How much of the agency a user sees of an action's objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything of the agency.
    Agency,
    /// Only what is the user's own: inspections assigned to them, their devices and records.
    Own(UserId),
}

/// What `user` sees of the objects of `action` (for the actions the table marks "own").
pub fn scope(user: &User, action: Action) -> Scope {
    let narrowed = matches!(
        action,
        Action::ListDevices | Action::ReadInspection | Action::ReadFieldData | Action::ReadRecord
    );
    if narrowed && user.role == Role::Inspector {
        Scope::Own(user.id)
    } else {
        Scope::Agency
    }
}

/// A role's name as a person reads it, Russian then English.
pub fn role_title(role: Role) -> (&'static str, &'static str) {
    match role {
        Role::Admin => ("Администратор", "administrator"),
        Role::Planner => ("Планировщик", "planner"),
        Role::Inspector => ("Инспектор", "inspector"),
        Role::Reviewer => ("Рецензент", "reviewer"),
        Role::Auditor => ("Аудитор", "auditor"),
    }
}

/// The 403 for a role that may not do something.
pub fn forbidden(role: Role) -> ApiError {
    let (ru, en) = role_title(role);
    ApiError::Forbidden(format!(
        "Роль «{ru}» не позволяет это действие / The {en} role may not do this"
    ))
}

/// Allows `action` to `user`, or audits the refusal (`audit` names it in the audit log, with
/// its `target`) and answers 403.
pub async fn require(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    action: Action,
    audit: &str,
    target: impl FnOnce() -> String,
) -> ApiResult<()> {
    if action.allows(user.role) {
        return Ok(());
    }
    accounts::audit_denied(state, user, audit, target(), address).await?;
    Err(forbidden(user.role))
}

/// Whether `user` may read the account `id` (their own always).
pub async fn require_user_read(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    id: UserId,
) -> ApiResult<()> {
    if id == user.id {
        return Ok(());
    }
    require(state, user, address, Action::ReadUsers, "user.read", || {
        format!("user:{id}")
    })
    .await
}

/// Whether `user` may create an enrollment code for `target`: an admin for anyone of the
/// agency, an inspector for themselves. No user (the operator) may always.
pub fn may_enroll_for(user: Option<&User>, target: UserId) -> bool {
    user.is_none_or(|u| {
        Action::EnrollDevice.allows(u.role) || (u.role == Role::Inspector && u.id == target)
    })
}

/// Whether `user` may read `device` (of the user's agency): their own, or by role.
pub fn may_read_device(user: &User, device: &Device) -> bool {
    device.user == Some(user.id) || Action::ReadDevice.allows(user.role)
}

/// A device at work: not revoked, and an inspector's (the server's own chain is no one's). It
/// acts for that inspector in their agency: pulls their assignments, uploads photos, reads the
/// agency's blobs. (Pushes are answered per record instead: `revoked_device`.)
pub fn working_device(device: &Device) -> ApiResult<(AgencyId, UserId)> {
    if device.revoked_at.is_some() {
        return Err(ApiError::Forbidden(
            "устройство отозвано / the device is revoked".into(),
        ));
    }
    match (device.agency, device.user) {
        (Some(agency), Some(user)) => Ok((agency, user)),
        _ => Err(ApiError::Forbidden(
            "устройство не закреплено за инспектором / the device belongs to no inspector".into(),
        )),
    }
}

/// Whether `record` is the server's enrollment of a filing key of the subject.
fn enrolled_for(record: &StoredRecord, inn: &str) -> bool {
    if record.kind != knd_shared::record::RecordKind::DeviceEnrolled.as_str() {
        return false;
    }
    knd_shared::record::parse_unverified(&record.bytes)
        .ok()
        .and_then(|r| {
            knd_shared::record::kinds::decode_body::<knd_shared::record::kinds::DeviceEnrolled>(
                &r.body,
            )
            .ok()
        })
        .and_then(|e| e.subject)
        .is_some_and(|s| s.as_str() == inn)
}

/// Who reads a record: a console user, the device that signed it, or a business.
#[derive(Debug, Clone, Copy)]
pub enum RecordReader<'a> {
    User(&'a User),
    Device(&'a Device),
    Business(&'a ApiKey),
}

/// Whether `reader` may read `record`: a user of the record's agency (an inspector: their own
/// devices' records only), the device that signed it, or the business a projected warning, act
/// or order is addressed to, whose filing (or step on one) it is, or whose filing key it enrolls.
pub async fn may_read_record(
    state: &AppState,
    reader: RecordReader<'_>,
    record: &StoredRecord,
) -> ApiResult<bool> {
    Ok(match reader {
        RecordReader::Device(d) => record.device == d.id,
        RecordReader::Business(key) => {
            state
                .store
                .projected_document(record.id)
                .await?
                .is_some_and(|d| {
                    !d.held_for_review && d.subject_inn.as_deref() == Some(key.subject_inn.as_str())
                })
                || state
                    .store
                    .filing_record_subject(record.id)
                    .await?
                    .is_some_and(|inn| inn == key.subject_inn)
                || enrolled_for(record, &key.subject_inn)
        }
        RecordReader::User(u) => {
            if record.agency != Some(u.agency) || !Action::ReadRecord.allows(u.role) {
                return Ok(false);
            }
            match scope(u, Action::ReadRecord) {
                Scope::Agency => true,
                Scope::Own(me) => state
                    .store
                    .get_device(Some(u.agency), record.device)
                    .await?
                    .is_some_and(|d| d.user == Some(me)),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table's rows, as the module comment states them.
    #[test]
    fn the_table() {
        use Role::*;
        let check = |action: Action, allowed: &[Role]| {
            for role in Role::ALL {
                assert_eq!(
                    action.allows(role),
                    allowed.contains(&role),
                    "{action:?} {role:?}"
                );
            }
        };
        check(Action::ManageUsers, &[Admin]);
        check(Action::RevokeDevice, &[Admin]);
        check(Action::ReadAudit, &[Admin, Auditor]);
        check(Action::ListDevices, &[Admin, Auditor, Inspector]);
        check(Action::EditRegistry, &[Admin, Planner]);
        check(Action::CloseInspection, &[Admin, Planner, Reviewer]);
        check(
            Action::ReadReviewFlags,
            &[Admin, Planner, Reviewer, Auditor],
        );
        check(Action::ResolveReviewFlags, &[Admin, Planner, Reviewer]);
        check(Action::ReadInspection, &Role::ALL);
        check(Action::ReadFilings, &[Admin, Planner, Reviewer, Auditor]);
        check(Action::DecideFilings, &[Admin, Reviewer]);
    }

    #[test]
    fn a_refusal_names_the_role_in_russian_first() {
        let ApiError::Forbidden(detail) = forbidden(Role::Inspector) else {
            panic!("not a 403");
        };
        assert_eq!(
            detail,
            "Роль «Инспектор» не позволяет это действие / The inspector role may not do this"
        );
    }
}
