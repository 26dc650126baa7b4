//! Domain logic. Services take and return domain types; they know nothing of HTTP.

pub mod accounts;
pub mod blobs;
pub mod csv_export;
pub mod enrollment;
pub mod ingest;
pub mod inspection_law;
pub mod inspections;
pub mod passwords;
pub mod projections;
pub mod pull;
pub mod registry;
pub mod registry_one;
pub mod throttle;
pub mod tokens;
pub mod transparency;
pub mod upload_files;
pub mod uploads;
