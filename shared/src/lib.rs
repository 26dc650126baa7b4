//! `knd-shared`: the one place where the KND record format, hashing, signing, the Merkle log maths,
//! signed notes and the working-day calendar live.
//!
//! The crate is pure: no file or network IO, no async runtime, no SQL. Callers (the server, the
//! inspector app, the `knd` command-line tool) read bytes and hand them in.

pub mod bundle;
pub mod calendar;
pub mod domain;
pub mod filing_key;
pub mod filings;
pub mod geo;
pub mod ids;
pub mod keys;
pub mod log;
pub mod note;
pub mod planning;
pub mod receipt;
pub mod record;
pub mod registry;
pub mod subject;
pub mod webhook;

pub use domain::{Ground, InspectionKind, RiskCategory};
pub use ids::{AgencyId, DeviceId, InspectionId, ObjectId, RecordId, SubjectId, UserId};
pub use keys::{DeviceKey, KeyError, PublicKey, Sha256};
pub use subject::{Inn, InnError, Ogrn, OgrnError};
