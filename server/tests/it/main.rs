//! knd-server end to end: the real server on 127.0.0.1:0, over HTTP, on SQLite and PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    unreachable_pub,
    missing_debug_implementations
)]

mod access;
mod binary;
mod common;
mod console;
mod console_admin;
mod console_filings;
mod console_inspections;
mod console_plans;
mod console_registry;
mod console_risk;
mod crash;
mod declarations;
mod demo;
mod document_pdf;
mod enroll;
mod errors;
mod feed_order;
mod field;
mod filing_attachments;
mod filings;
mod hardening;
mod inspections;
mod law;
pub(crate) mod log_proofs;
mod matrix;
mod plan_rebuild;
mod planning;
mod planning_plan;
mod projections;
mod pull;
mod pull_warnings;
mod push;
mod registry;
mod signed_filings;
mod store_story;
mod upload_expiry;
mod uploads;
mod versions;
mod webhooks;
