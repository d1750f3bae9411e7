#!/usr/bin/env bash
# Build the Prevent Toolkit stylesheet: assets/src/app.scss -> assets/dist/app.css
#
# Installs the pinned npm dependencies (npm ci) only when node_modules is
# missing or older than package-lock.json, then compiles with the local dart
# sass. Quiet on success; prints the failing step on error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

fail() {
  echo "assets/build.sh: $*" >&2
  exit 1
}

command -v npm >/dev/null 2>&1 || fail "npm not found; install Node.js 20 or newer"
[[ -f package-lock.json ]] || fail "package-lock.json is missing"

# npm ci recreates node_modules; the marker npm writes at the end of an
# install (.package-lock.json) tells us whether it finished and how old it is.
marker="node_modules/.package-lock.json"
if [[ ! -f "$marker" || package-lock.json -nt "$marker" ]]; then
  log="$(mktemp)"
  trap 'rm -f "$log"' EXIT
  if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
    cat "$log" >&2
    fail "npm ci failed"
  fi
  # npm ci does not always touch the marker; make sure the next run sees it
  # as up to date.
  touch "$marker"
fi

sass_bin="node_modules/.bin/sass"
[[ -x "$sass_bin" ]] || fail "$sass_bin not found after npm ci"

mkdir -p dist
# Compile to a temporary file so a failed build never leaves a half-written
# dist/app.css behind. --quiet-deps hides deprecation warnings raised inside
# govuk-frontend itself; warnings from our own src/ still show.
tmp="dist/.app.css.tmp"
if ! "$sass_bin" --no-source-map --style=compressed --quiet-deps \
  --load-path=node_modules src/app.scss "$tmp"; then
  rm -f "$tmp"
  fail "sass compilation of src/app.scss failed"
fi
mv -f "$tmp" dist/app.css
