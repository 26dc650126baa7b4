//! Registry search and the readers of an object's page: subjects and objects found by ИНН, ОГРН,
//! name or address fragment and object key, with filters and keyset pages; an object's
//! neighbours by coordinates, its history of risk decisions and its inspections.
//!
//! Fragments are matched through full-text indexes (SQLite FTS5 trigram tables, PostgreSQL
//! pg_trgm), prefixes through B-tree ranges, so a page costs the same at 1,000,000 objects as at
//! 1,000. A fragment must have 3 characters at least (a trigram); the service enforces it.

use async_trait::async_trait;
use knd_shared::{AgencyId, InspectionId, RiskCategory};
use time::{Date, OffsetDateTime};

use super::StoreResult;
use crate::model::{ControlObject, Subject};

/// Which subjects a search finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectMatch {
    All,
    InnPrefix(String),
    OgrnPrefix(String),
    /// A fragment of the name (3 characters or more).
    Name(String),
}

/// A page of subjects in ИНН order after `after`.
#[derive(Debug, Clone)]
pub struct SubjectSearch {
    pub matching: SubjectMatch,
    pub after: Option<String>,
    pub limit: u32,
}

/// Which objects a search finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectMatch {
    All,
    KeyPrefix(String),
    /// A fragment of the address (3 characters or more).
    Address(String),
    /// The objects of the subject with this ИНН.
    SubjectInn(String),
}

/// The risk filter: a category, or objects with none assigned (ч.7 ст.23: they count as low).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskFilter {
    Category(RiskCategory),
    Unassigned,
}

impl RiskFilter {
    /// As the statements take it (`none` for unassigned).
    pub(crate) fn code(self) -> &'static str {
        match self {
            RiskFilter::Category(c) => c.as_str(),
            RiskFilter::Unassigned => "none",
        }
    }
}

/// A page of objects in key order after `after`, matched and filtered.
#[derive(Debug, Clone)]
pub struct ObjectSearch {
    pub matching: ObjectMatch,
    /// A control type's code.
    pub control_type: Option<String>,
    pub district: Option<String>,
    pub risk: Option<RiskFilter>,
    pub after: Option<String>,
    pub limit: u32,
}

/// A latitude/longitude box, degrees × 10^7, bounds included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GeoBox {
    pub lat: (i64, i64),
    pub lon: (i64, i64),
}

/// A risk-category decision an object's row carried (ч.1 ст.23).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskDecision {
    pub category: RiskCategory,
    pub decided_on: Date,
    pub reason: String,
    /// When the row took it.
    pub recorded_at: OffsetDateTime,
}

/// Registry search and the object page's readers.
#[async_trait]
pub trait SearchStore: Send + Sync {
    async fn search_subjects(
        &self,
        agency: AgencyId,
        q: &SubjectSearch,
    ) -> StoreResult<Vec<Subject>>;

    async fn search_objects(
        &self,
        agency: AgencyId,
        q: &ObjectSearch,
    ) -> StoreResult<Vec<ControlObject>>;

    /// The agency's object with this id.
    async fn object_by_id(
        &self,
        agency: AgencyId,
        id: uuid::Uuid,
    ) -> StoreResult<Option<ControlObject>>;

    /// At most `limit` of the agency's objects inside the box (in no particular order: the
    /// caller sorts them by distance and shrinks the box when the limit is reached).
    async fn objects_in_box(
        &self,
        agency: AgencyId,
        area: GeoBox,
        limit: u32,
    ) -> StoreResult<Vec<ControlObject>>;

    /// The object's risk decisions, newest first.
    async fn risk_history(
        &self,
        agency: AgencyId,
        object: uuid::Uuid,
        limit: u32,
    ) -> StoreResult<Vec<RiskDecision>>;

    /// The agency's inspections of the object, latest start first.
    async fn object_inspections(
        &self,
        agency: AgencyId,
        object: uuid::Uuid,
        limit: u32,
    ) -> StoreResult<Vec<InspectionId>>;

    /// The districts the agency's objects are in, in order (at most `limit`).
    async fn districts(&self, agency: AgencyId, limit: u32) -> StoreResult<Vec<String>>;
}

/// The end of a prefix's range: every string starting with `prefix` is below it (in byte order,
/// which both backends' keyset pages use).
pub(crate) fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// The lowest key (or ИНН) a page may hold: just above the cursor `after` (keys, ИНН and ОГРН
/// are letters, digits and `. - _ :`, so `after` followed by U+0001 is the next possible one),
/// and not below `prefix`.
pub(crate) fn lowest(after: Option<&str>, prefix: Option<&str>) -> String {
    let above = after.map_or_else(String::new, |a| format!("{a}\u{1}"));
    match prefix {
        Some(p) if p > above.as_str() => p.to_owned(),
        _ => above,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_start_above_the_cursor_and_within_the_prefix() {
        assert_eq!(lowest(None, None), "");
        assert_eq!(lowest(Some("K-049"), None), "K-049\u{1}");
        assert_eq!(lowest(None, Some("K-")), "K-");
        assert_eq!(lowest(Some("K-049"), Some("K-")), "K-049\u{1}");
        assert_eq!(lowest(Some("A-1"), Some("K-")), "K-");
        assert!(lowest(Some("K-049"), None).as_str() < "K-050");
        assert!(lowest(Some("K-049"), None).as_str() > "K-049");
    }
}
