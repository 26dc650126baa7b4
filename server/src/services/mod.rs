//! Domain logic. Services take and return domain types; they know nothing of HTTP.

pub mod accounts;
pub mod blobs;
pub mod csv_export;
pub mod devices;
pub mod enrollment;
pub mod ingest;
pub mod inspection_law;
pub mod inspection_reads;
pub mod inspections;
pub mod passwords;
pub mod policy;
pub mod projections;
pub mod pull;
pub mod records;
pub mod registry;
pub mod registry_one;
pub mod registry_reads;
pub mod registry_search;
pub mod throttle;
pub mod tokens;
pub mod transparency;
pub mod upload_files;
pub mod uploads;
