#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this): formatting, lints, every test, on
# SQLite and on PostgreSQL. It installs and starts what the tests need on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "$0")/.."

suite_started=$(date +%s)
step() { printf '\n== [%4d s] %s\n' "$(( $(date +%s) - suite_started ))" "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# The independent test vectors live next to the repository, in ../shared/testdata.
export KND_TESTDATA="${KND_TESTDATA:-$(cd .. && pwd)/shared/testdata}"
if [ ! -f "$KND_TESTDATA/records-v1.json" ]; then
  echo "test data not found in $KND_TESTDATA: clone the project next to ../shared or set KND_TESTDATA" >&2
  exit 1
fi

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# PostgreSQL for the store conformance tests: KND_TEST_POSTGRES_URL names a server where the tests
# may create databases; without it, start the machine's cluster (installing it if needed).
start_postgres() {
  if [ -n "${KND_TEST_POSTGRES_URL:-}" ]; then return; fi
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster "$version" main start 2>/dev/null || true
  for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p 5432 && break
    sleep 0.5
  done
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }
  as_root runuser -u postgres -- psql -qc "ALTER USER postgres PASSWORD 'postgres'" >/dev/null
  export KND_TEST_POSTGRES_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres
  # Databases of earlier runs.
  as_root runuser -u postgres -- psql -qAtc \
    "SELECT 'DROP DATABASE ' || datname || ';' FROM pg_database WHERE datname LIKE 'knd_test_%'" \
    | as_root runuser -u postgres -- psql -q >/dev/null
}

# The inspector app's Tauri shell links WebKitGTK, and embeds the UI, which is built from npm
# packages: both must exist before clippy and the tests compile the workspace.
tauri_packages="libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev"
install_missing() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

step "Debian packages for the Tauri build"
install_missing $tauri_packages pkg-config

step "the inspector UI (npm ci, vite build, npm test)"
command -v npm >/dev/null || install_missing nodejs npm
(cd inspector-app/ui && npm ci --no-audit --no-fund --loglevel=error && npm run build && npm test)

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "one libsqlite3-sys in the dependency graph"
n=$(cargo tree --workspace --locked -e normal -i libsqlite3-sys --prefix none 2>/dev/null | grep -c '^libsqlite3-sys' || true)
[ "$n" = 1 ] || { echo "expected exactly one libsqlite3-sys, found $n" >&2; exit 1; }

step "PostgreSQL"
start_postgres

step "cargo test"
cargo test --workspace --locked

step "the agency console in Chromium (playwright-core, axe-core)"
command -v chromium >/dev/null || install_missing chromium
cargo build -p knd-server --locked
(cd tests/console && npm ci --no-audit --no-fund --loglevel=error && node run.mjs)

step "the inspector app end to end (Tauri window under Xvfb, tauri-driver, WebKitWebDriver)"
bash scripts/e2e.sh

step "all tests passed"
