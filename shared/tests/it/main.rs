//! knd-shared against the independent test vectors in `../shared/testdata`, and property tests.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod bundle;
mod calendar_cross_check;
mod log_props;
mod merkle_vectors;
mod note_vectors;
mod plan_schedule;
mod plan_schedule_cases;
mod record_props;
mod record_vectors;

use std::path::PathBuf;

/// `../shared/testdata` next to the repository root, or `$KND_TESTDATA`. Missing test data fails
/// the test run: a vector test that silently skips is a test that cannot fail.
pub fn testdata(name: &str) -> String {
    let dir = std::env::var_os("KND_TESTDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata"));
    let path = dir.join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read test data {}: {e} (clone the project next to ../shared, or set KND_TESTDATA)",
            path.display()
        )
    })
}

pub fn hex32(s: &str) -> knd_shared::Sha256 {
    knd_shared::Sha256::parse(s).unwrap()
}
mod webhook_node;
