#!/usr/bin/env bash
# Browser tests for Prevent Toolkit: axe-core accessibility scans, keyboard-only journeys and
# the self-assessment journey, in Debian's headless Chromium (/usr/bin/chromium; no browser is
# ever downloaded).
#
# What it does:
#   1. installs the pinned npm packages (npm ci) when node_modules is missing or older than
#      package-lock.json;
#   2. builds the stylesheet and the preventkit binary (both are no-ops when up to date);
#   3. starts `preventkit serve --demo` on a free local port with a new SQLite database in a
#      temporary folder (the demonstration data includes the shipped assessment frameworks and
#      two periods of the Prevent duty benchmark);
#   4. runs the tests with Node's built-in test runner and exits with its status. The test
#      files run as separate processes; an account that several files sign in with keeps its
#      two-factor key in a shared folder for this run (E2E_STATE_DIR).
#
# Without /usr/bin/chromium the tests are skipped (exit 0), except when CI=true (exit 1).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$here"

chromium=/usr/bin/chromium
if [[ ! -x "$chromium" ]]; then
  echo "Browser tests SKIPPED: $chromium is not installed (apt-get install chromium)"
  if [[ "${CI:-}" == "true" ]]; then
    echo "e2e/run.sh: CI=true, so the browser tests must run: failing" >&2
    exit 1
  fi
  exit 0
fi

command -v node >/dev/null 2>&1 || { echo "e2e/run.sh: node not found; install Node.js 20 or newer" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "e2e/run.sh: npm not found; install Node.js 20 or newer" >&2; exit 1; }

# 1. npm packages. npm writes node_modules/.package-lock.json last, so it tells us whether an
# install finished and whether it is older than package-lock.json.
marker="node_modules/.package-lock.json"
if [[ ! -f "$marker" || package-lock.json -nt "$marker" ]]; then
  echo "e2e: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
  touch "$marker"
fi

# 2. The stylesheet first (the binary embeds it), then the binary.
echo "e2e: building the stylesheet and the preventkit binary"
"$root/assets/build.sh"
(cd "$root" && cargo build --quiet --bin preventkit)
bin="${CARGO_TARGET_DIR:-$root/target}/debug/preventkit"
[[ -x "$bin" ]] || { echo "e2e/run.sh: $bin not found after cargo build" >&2; exit 1; }

# 3. The server, on a free port, with its own database; stopped and cleaned up on exit.
tmp="$(mktemp -d "${TMPDIR:-/tmp}/preventkit-e2e.XXXXXX")"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_server_log() {
  echo "---- last lines of the server log ----" >&2
  tail -n 40 "$tmp/server.log" >&2 || true
}

port="$(node -e '
  const s = require("node:net").createServer();
  s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });
')"
base_url="http://127.0.0.1:$port"

export PREVENTKIT_DATABASE_URL="sqlite://$tmp/e2e.db"
export PREVENTKIT_LISTEN="127.0.0.1:$port"
export PREVENTKIT_PUBLIC_URL="$base_url"
export PREVENTKIT_METRICS_LISTEN=""
# Pages render with strict templates, as in every other test.
export PREVENTKIT_STRICT_TEMPLATES=1

"$bin" serve --demo >"$tmp/server.log" 2>&1 &
server_pid=$!

echo "e2e: waiting for the server at $base_url"
deadline=$((SECONDS + 60))
until node -e '
  fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));
' "$base_url/healthz" 2>/dev/null; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "e2e/run.sh: the server stopped before it was ready" >&2
    show_server_log
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "e2e/run.sh: the server did not answer /healthz within 60 seconds" >&2
    show_server_log
    exit 1
  fi
  sleep 0.5
done

# 4. The tests. The TAP reporter ends with the summary lines (# pass N, # fail N).
status=0
mkdir -p "$tmp/accounts"
BASE_URL="$base_url" E2E_STATE_DIR="$tmp/accounts" node --test --test-reporter=tap ${E2E_TESTS:-tests/*.test.mjs} || status=$?
if ((status != 0)); then
  show_server_log
fi
exit "$status"
