//! Seeding the demo agency through the same services the API calls, so that every value is
//! validated and every change is in the audit log under the user who would make it: the operator
//! creates the agency and its admin, the admin the other users and the enrollment code, a planner
//! the reference data, the registry and the inspections.

use anyhow::{Context as _, bail};
use knd_shared::AgencyId;
use time::OffsetDateTime;

use super::data::DemoData;
use super::generator::{Registry, Spec};
use crate::error::ApiError;
use crate::model::{Actor, Role, User};
use crate::services::registry::{self, ImportMode, ImportReport};
use crate::services::{accounts, risk_events};
use crate::state::AppState;

/// Rows per import: each chunk is one call of the import service, hence one transaction, and
/// stays well under the API's body limit when the same files are posted over HTTP.
pub const IMPORT_CHUNK_ROWS: usize = 50_000;

/// The demo's users: login and role. One password for all, printed on the console. Inspectors
/// past the fourth follow as `inspector5`, `inspector6`, ... ([`logins`]).
pub const USERS: [(&str, Role); 9] = [
    ("admin", Role::Admin),
    ("planner1", Role::Planner),
    ("planner2", Role::Planner),
    ("inspector1", Role::Inspector),
    ("inspector2", Role::Inspector),
    ("inspector3", Role::Inspector),
    ("inspector4", Role::Inspector),
    ("reviewer", Role::Reviewer),
    ("auditor", Role::Auditor),
];

/// The inspectors of a demo with `objects` objects: one per 5,000 (a large agency's load: 200
/// for a million), at least the four the small demo has always had.
pub fn inspectors_for(objects: usize) -> usize {
    objects.div_ceil(5_000).max(4)
}

/// The demo's users with `inspectors` inspectors (at least one): [`USERS`], fewer inspectors
/// when asked, then `inspector5` on.
pub fn logins(inspectors: usize) -> Vec<(String, Role)> {
    let inspectors = inspectors.max(1);
    let mut n = 0;
    let mut out: Vec<(String, Role)> = Vec::new();
    for (login, role) in USERS {
        if role == Role::Inspector {
            n += 1;
            if n > inspectors {
                continue;
            }
        }
        out.push((login.to_owned(), role));
    }
    out.extend((n + 1..=inspectors).map(|i| (format!("inspector{i}"), Role::Inspector)));
    out
}

/// The accounts of the demo agency.
#[derive(Debug)]
pub struct Accounts {
    pub agency: AgencyId,
    pub agency_name: String,
    pub users: Vec<User>,
}

impl Accounts {
    pub fn by_login(&self, login: &str) -> anyhow::Result<&User> {
        self.users
            .iter()
            .find(|u| u.login == login)
            .with_context(|| format!("no demo user {login}"))
    }

    pub fn with_role(&self, role: Role) -> Vec<User> {
        self.users
            .iter()
            .filter(|u| u.role == role)
            .cloned()
            .collect()
    }
}

pub fn api(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// The agency, its admin (created by the operator) and the other users (created by the admin),
/// with `inspectors` inspectors.
pub async fn accounts(
    state: &AppState,
    data: &DemoData,
    password: &str,
    inspectors: usize,
) -> anyhow::Result<Accounts> {
    let agency = accounts::create_agency(state, &data.registry.agency, Actor::Operator)
        .await
        .map_err(api)?;
    let mut users = Vec::new();
    let mut admin: Option<User> = None;
    for (login, role) in logins(inspectors) {
        let login = login.as_str();
        let actor = admin
            .as_ref()
            .map_or(Actor::Operator, |a| Actor::User(a.id));
        let user = accounts::create_user(
            state,
            agency.id,
            login,
            password.to_owned(),
            role,
            actor,
            None,
        )
        .await
        .map_err(api)
        .with_context(|| format!("creating user {login}"))?;
        if role == Role::Admin && admin.is_none() {
            admin = Some(user.clone());
        }
        users.push(user);
    }
    Ok(Accounts {
        agency: agency.id,
        agency_name: agency.name,
        users,
    })
}

/// Counts of the reference data put.
#[derive(Debug, Default)]
pub struct Reference {
    pub control_types: usize,
    pub requirements: usize,
    pub checklists: usize,
}

/// The control types with their rules, requirements and checklists, as a planner puts them.
pub async fn reference_data(
    state: &AppState,
    planner: &User,
    data: &DemoData,
) -> anyhow::Result<Reference> {
    let mut counts = Reference::default();
    for t in &data.control_types {
        registry::put_control_type(state, planner, &t.code, &t.name, t.rules(), None)
            .await
            .map_err(api)
            .with_context(|| format!("control type {}", t.code))?;
        counts.control_types += 1;
        for r in &t.requirements {
            registry::put_requirement(state, planner, &t.code, r.clone(), None)
                .await
                .map_err(api)
                .with_context(|| format!("requirement {}/{}", t.code, r.code))?;
            counts.requirements += 1;
        }
        for c in &t.checklists {
            registry::put_checklist(
                state,
                planner,
                &t.code,
                &c.code,
                &c.name,
                c.items.clone(),
                None,
            )
            .await
            .map_err(api)
            .with_context(|| format!("checklist {}/{}", t.code, c.code))?;
            counts.checklists += 1;
        }
    }
    Ok(counts)
}

fn check_report(what: &str, report: &ImportReport) -> anyhow::Result<()> {
    if let Some(first) = report.refused.first() {
        bail!(
            "the generated {what} were refused ({} rows; line {}: {})",
            report.refused.len(),
            first.line,
            first.reason
        );
    }
    Ok(())
}

/// What the registry import did.
#[derive(Debug, Default)]
pub struct Imported {
    pub subjects: u64,
    pub objects: u64,
    pub seconds: f64,
}

/// Generates the registry with its history ending on the agency's today and imports it through
/// the import service, in chunks of [`IMPORT_CHUNK_ROWS`] rows; all or nothing per chunk, and a
/// refused row is an error (the generator makes only valid rows).
pub async fn registry(
    state: &AppState,
    planner: &User,
    spec: Spec,
) -> anyhow::Result<(Registry, Imported)> {
    let started = std::time::Instant::now();
    let reg = Registry::generate_on(spec, state.today())?;
    let mut done = Imported::default();
    for csv in reg.subject_chunks(IMPORT_CHUNK_ROWS) {
        let report =
            registry::import_subjects(state, planner, &csv, ImportMode::AllOrNothing, None)
                .await
                .map_err(api)?;
        check_report("subjects", &report)?;
        done.subjects += report.inserted + report.updated;
    }
    for csv in reg.object_chunks(IMPORT_CHUNK_ROWS) {
        let report = registry::import_objects(state, planner, &csv, ImportMode::AllOrNothing, None)
            .await
            .map_err(api)?;
        check_report("objects", &report)?;
        done.objects += report.inserted + report.updated;
        if spec.objects > IMPORT_CHUNK_ROWS {
            tracing::info!(
                objects = done.objects,
                of = spec.objects,
                "importing the demo registry"
            );
        }
    }
    done.seconds = started.elapsed().as_secs_f64();
    Ok((reg, done))
}

/// What the history import did.
#[derive(Debug, Default)]
pub struct HistoryImported {
    pub events: u64,
    /// Risk indicators the daily run fired on the history.
    pub triggered: u64,
    pub seconds: f64,
}

/// Imports the registry's history as a planner would hand over an earlier system's: the risk
/// events CSV in chunks of [`IMPORT_CHUNK_ROWS`] rows (a refused row is an error), then one run
/// of the risk indicators over it ("run now"), which fires what the history holds.
pub async fn history(
    state: &AppState,
    planner: &User,
    reg: &Registry,
) -> anyhow::Result<HistoryImported> {
    let started = std::time::Instant::now();
    let mut done = HistoryImported::default();
    for csv in reg.history_chunks(IMPORT_CHUNK_ROWS) {
        let report = risk_events::import_csv(state, planner, &csv, ImportMode::ValidRows, None)
            .await
            .map_err(api)?;
        check_report("risk events", &report)?;
        done.events += report.inserted;
        tracing::info!(
            events = done.events,
            "importing the demo registry's history"
        );
    }
    done.triggered = risk_events::run_daily(state, planner, None)
        .await
        .map_err(api)?
        .triggered;
    done.seconds = started.elapsed().as_secs_f64();
    Ok(done)
}

/// A one-time enrollment code for an inspector's tablet, created by the admin.
pub async fn enrollment_code(
    state: &AppState,
    admin: &User,
    inspector: &User,
) -> anyhow::Result<(String, OffsetDateTime)> {
    accounts::create_enrollment_code(state, Some(admin), inspector.id, admin.agency, None)
        .await
        .map_err(api)
}

/// A random password that is easy to read aloud and type: no 0/o, 1/l/i.
pub fn random_password() -> String {
    use rand_core::{OsRng, RngCore as _};
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut out = String::from("demo");
    let mut filled = 0;
    while filled < 12 {
        let mut byte = [0u8; 1];
        OsRng.fill_bytes(&mut byte);
        // Rejection keeps the choice uniform: 248 is the largest multiple of 31 below 256.
        if usize::from(byte[0]) >= ALPHABET.len() * 8 {
            continue;
        }
        if filled % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]));
        filled += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_enough_and_differ() {
        let a = random_password();
        assert_eq!(a.len(), "demo-xxxx-xxxx-xxxx".len(), "{a}");
        assert!(a.chars().count() >= accounts::MIN_PASSWORD_CHARS);
        assert_ne!(a, random_password());
    }
}
