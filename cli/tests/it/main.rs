//! The `knd` binary, run as a process.
#![allow(clippy::unwrap_used, clippy::expect_used, unreachable_pub)]

mod deadline;
mod filing;
mod verify;

use std::path::PathBuf;

use assert_cmd::Command;

pub fn knd() -> Command {
    Command::cargo_bin("knd").unwrap()
}

/// `../shared/testdata` next to the repository root, or `$KND_TESTDATA`.
pub fn testdata(name: &str) -> String {
    let dir = std::env::var_os("KND_TESTDATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata"));
    let path = dir.join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read test data {}: {e}", path.display()))
}
