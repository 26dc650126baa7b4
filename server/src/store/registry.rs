//! The registry: control types, subjects, objects and risk decisions.

use async_trait::async_trait;
use knd_shared::registry::ControlTypeRules;
use knd_shared::{AgencyId, RiskCategory};
use time::Date;

use super::StoreResult;
use crate::model::{
    AuditEntry, ControlObject, ControlType, ImportCounts, NewObject, NewSubject, Subject,
};

/// The registry: control types, subjects, objects and risk decisions.
#[async_trait]
pub trait RegistryStore: Send + Sync {
    /// Creates the agency's control type with this code, or updates its name and rules.
    async fn put_control_type(
        &self,
        agency: AgencyId,
        code: &str,
        name: &str,
        rules: &ControlTypeRules,
        audit: &AuditEntry,
    ) -> StoreResult<ControlType>;

    async fn list_control_types(&self, agency: AgencyId) -> StoreResult<Vec<ControlType>>;

    /// Inserts or updates (by INN) in one transaction.
    async fn import_subjects(
        &self,
        agency: AgencyId,
        rows: &[NewSubject],
        audit: &AuditEntry,
    ) -> StoreResult<ImportCounts>;

    /// Inserts or updates (by object key) in one transaction. Every row's subject INN and control
    /// type code must exist in the agency (the caller checked; otherwise nothing is imported).
    async fn import_objects(
        &self,
        agency: AgencyId,
        rows: &[NewObject],
        audit: &AuditEntry,
    ) -> StoreResult<ImportCounts>;

    /// Which of `inns` the agency has subjects for.
    async fn known_inns(&self, agency: AgencyId, inns: &[String]) -> StoreResult<Vec<String>>;

    /// Subjects in INN order after `after` (keyset pagination).
    async fn list_subjects(
        &self,
        agency: AgencyId,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<Subject>>;

    /// Objects in key order after `after`, optionally of one district.
    async fn list_objects(
        &self,
        agency: AgencyId,
        district: Option<&str>,
        after: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<ControlObject>>;

    /// The agency's subject with this INN.
    async fn subject_by_inn(&self, agency: AgencyId, inn: &str) -> StoreResult<Option<Subject>>;

    /// The agency's objects with these keys (those that exist), in key order.
    async fn objects_by_keys(
        &self,
        agency: AgencyId,
        keys: &[String],
    ) -> StoreResult<Vec<ControlObject>>;

    /// Records a risk-category decision on an object (and optionally its attributes); false when
    /// the agency has no such object.
    #[allow(clippy::too_many_arguments)]
    async fn decide_risk(
        &self,
        agency: AgencyId,
        object_key: &str,
        category: RiskCategory,
        decided_on: Date,
        reason: &str,
        attributes: Option<&serde_json::Value>,
        audit: &AuditEntry,
    ) -> StoreResult<bool>;
}
