//! Risk-scored planning (ст.23-25 248-FZ, ПП 1511): the risk model that proposes a category with
//! its explanation, risk indicators over events, which objects are due for a planned inspection
//! or a mandatory preventive visit in a year, and the scheduler that turns them into a plan under
//! the inspectors' capacity. Pure: the server reads the facts and hands them in.

pub mod due;
pub mod indicators;
pub mod model;
pub mod policy;
pub mod schedule;

pub use indicators::{EventKind, IndicatorRule};
pub use model::{Explanation, ObjectFacts, RiskModel};
pub use policy::{MeasureLoad, PlanningRules};

/// The SHA-256 of a plan's entries as canonical JSON (RFC 8785): what the server's
/// `plan_approved` and `plan_amended` records carry, so an exported plan (the JSON of its
/// entries) can be checked against the signed record by anyone.
pub fn entries_sha256(entries: &serde_json::Value) -> Result<crate::Sha256, serde_json::Error> {
    serde_json_canonicalizer::to_vec(entries).map(|bytes| crate::Sha256::digest(&bytes))
}
