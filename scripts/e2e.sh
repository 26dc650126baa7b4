#!/usr/bin/env bash
# End-to-end test of the inspector app: the real Tauri binary (target/debug/knd-inspector), driven
# over WebDriver by tauri-driver + WebKitWebDriver under Xvfb, against a real `knd-server demo`
# (target/debug/knd-server). Installs what is missing on a fresh Debian 12 machine (system
# packages, the UI's npm packages, tauri-driver into target/tools), builds, and runs
# `cargo test -p knd-inspector-e2e --features e2e`. Screenshots and logs: target/e2e-artifacts/.
# A second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
started=$(date +%s)

target="${CARGO_TARGET_DIR:-target}"
case "$target" in /*) ;; *) target="$(pwd)/$target" ;; esac

# The test photos live next to the repository, in ../shared/testdata.
export KND_TESTDATA="${KND_TESTDATA:-$(cd .. && pwd)/shared/testdata}"
if [ ! -d "$KND_TESTDATA/photos" ]; then
  echo "test photos not found in $KND_TESTDATA/photos: clone the project next to ../shared or set KND_TESTDATA" >&2
  exit 1
fi

step "system packages"
# Tauri 2 on Linux (WebKitGTK 4.1 and friends), WebKitWebDriver, and an X server to run it in.
packages=(
  build-essential pkg-config curl file
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev libssl-dev
  webkit2gtk-driver xvfb xauth
)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "all present"
fi
[ -x /usr/bin/WebKitWebDriver ] || { echo "/usr/bin/WebKitWebDriver missing after install" >&2; exit 1; }

step "UI: npm ci"
# npm ci deletes node_modules first, so it runs only when the lock file changed since the last one.
ui=inspector-app/ui
stamp="$ui/node_modules/.knd-lock.sha256"
lock_sha=$(sha256sum "$ui/package-lock.json" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sha" ]; then
  echo "node_modules matches package-lock.json"
else
  (cd "$ui" && npm ci --no-audit --no-fund)
  echo "$lock_sha" >"$stamp"
fi

step "UI: build (ui/dist, embedded into the binary)"
(cd "$ui" && npm run build)

step "cargo build -p knd-inspector (debug)"
cargo build --locked -p knd-inspector

step "cargo build -p knd-server"
# Debug, like the rest of the test suite: a release build would add minutes to CI for a demo
# that seeds a thousand objects.
cargo build --locked -p knd-server

step "tauri-driver (in $target/tools)"
if [ -x "$target/tools/bin/tauri-driver" ]; then
  echo "present: $("$target/tools/bin/tauri-driver" --help | head -n 1 || true)"
else
  cargo install tauri-driver --locked --version '^2' --root "$target/tools"
fi

step "build and lint the e2e test (its code compiles only with the e2e feature)"
cargo clippy --locked -p knd-inspector-e2e --features e2e --all-targets -- -D warnings
cargo test --locked -p knd-inspector-e2e --features e2e --no-run

step "e2e test (Xvfb)"
export WEBKIT_DISABLE_DMABUF_RENDERER=1
export KND_E2E_APP="$target/debug/knd-inspector"
export KND_E2E_SERVER="$target/debug/knd-server"
export KND_E2E_TAURI_DRIVER="$target/tools/bin/tauri-driver"
export KND_E2E_ARTIFACTS="$target/e2e-artifacts"
# The window is 1280x800; the default Xvfb screen (640x480x8) would cut it and its colours.
xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" \
  cargo test --locked -p knd-inspector-e2e --features e2e -- --nocapture

step "e2e passed in $(( $(date +%s) - started )) s; screenshots in $KND_E2E_ARTIFACTS"
ls -1 "$KND_E2E_ARTIFACTS"
