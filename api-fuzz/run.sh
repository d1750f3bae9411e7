#!/usr/bin/env bash
# API checks for Prevent Toolkit: schemathesis generates requests from the OpenAPI document at
# /api/v1/openapi.json and checks every answer against it (no server errors; status codes,
# content types, bodies and headers as documented), on a real server.
#
# What it does:
#   1. installs the pinned schemathesis into api-fuzz/.venv (git-ignored) when it is missing or
#      not the pinned version;
#   2. builds the preventkit binary (a no-op when up to date) and starts `preventkit serve
#      --demo` on a free local port with a new SQLite database in a temporary folder;
#   3. makes API tokens for demonstration accounts the way a person does (prepare.py: sign in,
#      set up two-factor authentication, "API tokens" page) and reads the ids to test with;
#   4. runs schemathesis with api-fuzz/schemathesis.toml (examples per operation bounded, a
#      fixed seed, a hard time limit) and exits with its status.
#
# Without python3 (3.9 or newer) the checks are skipped (exit 0), except when CI=true (exit 1).
# API_FUZZ_MAX_EXAMPLES overrides the examples per operation; API_FUZZ_SEED the seed.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
TIME_LIMIT=300

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$here"

skip_or_fail() {
  echo "API checks SKIPPED: $1"
  if [[ "${CI:-}" == "true" ]]; then
    echo "api-fuzz/run.sh: CI=true, so the API checks must run: failing" >&2
    exit 1
  fi
  exit 0
}

python=""
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null 2>&1 \
    && "$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
    python="$candidate"
    break
  fi
done
[[ -n "$python" ]] || skip_or_fail "python3 (3.9 or newer, with venv and ensurepip) is not installed"

# 1. schemathesis, pinned, in a virtual environment inside the repository (git-ignored).
venv="$here/.venv"
st="$venv/bin/schemathesis"
if [[ ! -x "$st" ]] || [[ "$("$st" --version 2>/dev/null)" != *"$SCHEMATHESIS_VERSION"* ]]; then
  echo "api-fuzz: installing schemathesis $SCHEMATHESIS_VERSION into api-fuzz/.venv"
  rm -rf "$venv"
  if ! "$python" -m venv "$venv" \
    || ! "$venv/bin/python" -m pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION"; then
    rm -rf "$venv"
    skip_or_fail "schemathesis $SCHEMATHESIS_VERSION could not be installed"
  fi
fi

# 2. The binary and the server, on a free port, with its own database; stopped on exit.
(cd "$root" && cargo build --quiet --bin preventkit)
bin="${CARGO_TARGET_DIR:-$root/target}/debug/preventkit"
[[ -x "$bin" ]] || { echo "api-fuzz/run.sh: $bin not found after cargo build" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/preventkit-api-fuzz.XXXXXX")"
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

port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base_url="http://127.0.0.1:$port"

PREVENTKIT_DATABASE_URL="sqlite://$tmp/api-fuzz.db" \
  PREVENTKIT_LISTEN="127.0.0.1:$port" \
  PREVENTKIT_PUBLIC_URL="$base_url" \
  PREVENTKIT_METRICS_LISTEN="" \
  "$bin" serve --demo >"$tmp/server.log" 2>&1 &
server_pid=$!

echo "api-fuzz: waiting for the server at $base_url"
deadline=$((SECONDS + 60))
until "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$base_url/healthz" 2>/dev/null; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "api-fuzz/run.sh: the server stopped before it was ready" >&2
    show_server_log
    exit 1
  fi
  if ((SECONDS >= deadline)); then
    echo "api-fuzz/run.sh: the server did not answer /healthz within 60 seconds" >&2
    show_server_log
    exit 1
  fi
  sleep 0.5
done

# A spare role for the membership calls to change and remove: given from the command line
# (the console gives roles directly; through the API a role is an invitation the person
# accepts), to an account the run does not otherwise use.
if ! PREVENTKIT_DATABASE_URL="sqlite://$tmp/api-fuzz.db" PREVENTKIT_METRICS_LISTEN="" \
  "$bin" partnership add-member --partnership "Riverton Prevent Partnership" \
  --email regional@riverton.example --role auditor >"$tmp/spare.log" 2>&1; then
  cat "$tmp/spare.log" >&2
  show_server_log
  exit 1
fi

# 3. Tokens and ids.
if ! "$python" "$here/prepare.py" "$base_url" >"$tmp/ids"; then
  show_server_log
  exit 1
fi
set -a
# shellcheck disable=SC1091
. "$tmp/ids"
set +a

# 4. The checks, bounded: examples per operation, a fixed seed, and a hard time limit.
echo "api-fuzz: schemathesis $SCHEMATHESIS_VERSION against $base_url (at most ${TIME_LIMIT}s)"
status=0
timeout --kill-after=10 "$TIME_LIMIT" "$st" --config-file "$here/schemathesis.toml" run \
  "$base_url/api/v1/openapi.json" \
  --max-examples "${API_FUZZ_MAX_EXAMPLES:-50}" \
  --seed "${API_FUZZ_SEED:-20260101}" \
  --workers 2 \
  --no-color || status=$?
if ((status == 124 || status == 137)); then
  echo "api-fuzz/run.sh: schemathesis did not finish within ${TIME_LIMIT}s" >&2
fi
if ((status != 0)); then
  show_server_log
fi
exit "$status"
