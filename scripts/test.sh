#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this): formatting, lints, every test.
# It installs or starts what the tests need; today that is only the Rust toolchain, which the
# machine has. Later steps (PostgreSQL, Chromium, the Tauri build packages) are added here.
set -euo pipefail
cd "$(dirname "$0")/.."

# The independent test vectors live next to the repository, in ../shared/testdata.
export KND_TESTDATA="${KND_TESTDATA:-$(cd .. && pwd)/shared/testdata}"
if [ ! -f "$KND_TESTDATA/records-v1.json" ]; then
  echo "test data not found in $KND_TESTDATA: clone the project next to ../shared or set KND_TESTDATA" >&2
  exit 1
fi

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test"
cargo test --workspace --locked

step "all tests passed"
