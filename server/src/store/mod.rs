//! Storage: one trait per area (`accounts.rs`, `devices.rs`, ...) whose union is [`Store`], an SQLite implementation (the embedded default) and a PostgreSQL
//! one, chosen by the database URL. SQL lives only below this module and in `migrations/`.
//!
//! Every state-changing method takes the [`AuditEntry`] that describes it and writes it in the
//! same transaction, so the audit log cannot miss a change that happened.

mod accounts;
mod blobs;
mod business_keys;
mod checklists;
mod cols;
mod devices;
mod field;
mod filings;
mod ingest_rules;
mod inspections;
#[cfg(test)]
mod layering;
mod log_append;
mod planning;
pub mod postgres;
mod projections;
mod pull;
mod records;
mod registry;
mod review;
pub mod search;
mod sql;
pub mod sqlite;
mod users;
mod violation;
mod webhooks;

use std::sync::Arc;

use knd_shared::record::VerifiedRecord;
use knd_shared::{AgencyId, DeviceKey};

pub use ingest_rules::{IngestResult, Rejection};
pub use violation::Violation;

use crate::model::ServerIdentity;

pub use accounts::AccountStore;
pub use blobs::BlobStore;
pub use business_keys::BusinessKeyStore;
pub use checklists::ChecklistStore;
pub use devices::DeviceStore;
pub use field::FieldStore;
pub use filings::{FilingList, FilingStore};
pub use inspections::InspectionStore;
pub use planning::{PlanChange, PlanningStore, PurgeStep, ServerRecord};
pub use projections::ProjectionStore;
pub use pull::{PageDetails, PullStore};
pub use records::RecordStore;
pub use registry::RegistryStore;
pub use review::{NewResolution, ReviewStore};
pub use search::SearchStore;
pub use users::UserStore;
pub use webhooks::WebhookStore;

/// The area traits, for callers of an `Arc<dyn Store>` (a trait's methods need it in scope).
pub mod prelude {
    pub use super::{
        AccountStore, BlobStore, BusinessKeyStore, ChecklistStore, DeviceStore, FieldStore,
        FilingStore, InspectionStore, PlanningStore, ProjectionStore, PullStore, RecordStore,
        RegistryStore, ReviewStore, SearchStore, Store, UserStore, WebhookStore,
    };
}

/// A storage failure. Callers treat these as server errors (500), except
/// [`StoreError::Constraint`] and [`StoreError::Stale`] (409).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The write broke a constraint of the schema; the database's text is not kept (it is not for
    /// clients, and the violation says what matters).
    #[error("constraint: {0}")]
    Constraint(Violation),
    /// An optimistic write found the row changed since it was read.
    #[error("changed meanwhile")]
    Stale,
    #[error("database: {0}")]
    Database(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("unsupported database url {0:?}: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A record that passed the signature and body checks, waiting for the chain and log.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub record: VerifiedRecord,
    /// Exactly as received.
    pub bytes: Vec<u8>,
}

/// The server's own chain, for records of the agency's decisions.
#[derive(Debug, Clone)]
pub struct ServerChain {
    pub identity: ServerIdentity,
    pub key: DeviceKey,
}

/// Why an enrollment code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollRefusal {
    UnknownCode,
    /// The code was for this agency's user, so the refusal goes to its audit log.
    CodeUsed(AgencyId),
    CodeExpired(AgencyId),
}

/// Everything the server stores: the union of the area traits. Callers hold `Arc<dyn Store>` and
/// import [`prelude`] to call the areas' methods.
pub trait Store:
    AccountStore
    + DeviceStore
    + RecordStore
    + RegistryStore
    + ChecklistStore
    + InspectionStore
    + ProjectionStore
    + FieldStore
    + BlobStore
    + PullStore
    + SearchStore
    + ReviewStore
    + UserStore
    + PlanningStore
    + FilingStore
    + WebhookStore
    + BusinessKeyStore
    + 'static
{
}

impl<
    T: AccountStore
        + DeviceStore
        + RecordStore
        + RegistryStore
        + ChecklistStore
        + InspectionStore
        + ProjectionStore
        + FieldStore
        + BlobStore
        + PullStore
        + SearchStore
        + ReviewStore
        + UserStore
        + PlanningStore
        + FilingStore
        + WebhookStore
        + BusinessKeyStore
        + 'static,
> Store for T
{
}

/// The interaction limit of an inspection from its stored kind and size class (both backends).
pub(crate) fn limit_of(kind: &str, size: Option<&str>) -> StoreResult<Option<u32>> {
    let kind = knd_shared::InspectionKind::parse(kind)
        .ok_or_else(|| StoreError::Corrupt(format!("kind {kind:?}")))?;
    let size = size
        .map(|s| {
            knd_shared::registry::SizeClass::parse(s)
                .ok_or_else(|| StoreError::Corrupt(format!("size class {s:?}")))
        })
        .transpose()?;
    Ok(crate::model::interaction_limit_minutes(kind, size))
}

/// The ground of an inspection created before grounds existed (NULL after migration 0005): the
/// one its note states, or unspecified (it then needs a correction). Both backends call it.
pub(crate) fn migrated_ground(note: &str) -> knd_shared::Ground {
    knd_shared::Ground::from_note(note).unwrap_or(knd_shared::Ground::Unspecified)
}

/// Opens the store the URL names and applies pending migrations.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        Ok(Arc::new(sqlite::SqliteStore::open(path).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        postgres::open(url).await
    } else {
        Err(StoreError::UnsupportedUrl(url.to_owned()))
    }
}
