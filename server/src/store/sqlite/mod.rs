//! The SQLite store: the embedded default. One writer connection (SQLite has one writer at a time
//! anyway) and a few readers, in WAL mode; every call runs on tokio's blocking pool.

mod accounts;
mod blobs;
mod business_keys;
mod checklists;
mod checkpoint;
mod cols;
mod conn;
mod devices;
mod field;
mod filings;
mod inspections;
mod planning;
mod plans;
mod projections;
mod pull;
mod records;
mod registry;
mod review;
mod search;
mod users;
mod webhooks;

pub use conn::SqliteStore;
use conn::{db_err, hash_col, insert_audit, parse_uuid, ts};
