#!/usr/bin/env bash
# Load benchmark of the Prevent Toolkit JSON API. See docs/BENCHMARKS.md.
#
# For each storage engine (SQLite always; PostgreSQL when a server is reachable) it seeds a
# fresh database, starts the release server on a free port of 127.0.0.1, drives three
# scenarios with wrk at concurrency 1, 16 and 64, prints throughput, p50 and p99 latency and
# errors per run and the server's peak memory, then stops the server.
#
# Settings (environment):
#   PREVENTKIT_BENCH_DATABASE_URL  a PostgreSQL URL naming an existing database on the server
#                                  to use (default postgres://postgres@127.0.0.1:5432/postgres);
#                                  a fresh database is created beside it and dropped afterwards
#   PK_BENCH_ENGINES               engines to run (default "sqlite postgresql")
#   PK_BENCH_DURATION              length of each wrk run (default 10s)
#   PK_BENCH_PARTNERSHIPS          partnerships to seed (default 400)
#   PK_BENCH_OUT                   folder to keep the seeds, logs and wrk output in (default:
#                                  a temporary folder, removed at the end)
#
# Exits non-zero when any measured request failed (a status error, or a connect, read, write
# or timeout error), after printing the report: a run with failures measured something other
# than a working server.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
DURATION=${PK_BENCH_DURATION:-10s}
PARTNERSHIPS=${PK_BENCH_PARTNERSHIPS:-400}
ENGINES=${PK_BENCH_ENGINES:-sqlite postgresql}
PG_BASE=${PREVENTKIT_BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
CONCURRENCY=(1 16 64)
SCENARIOS=(list get put)
SCRIPT="$ROOT/bench/wrk/api.lua"

log() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# --- Tools -----------------------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
    log "installing wrk from the distribution's packages"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get install -y wrk || { $SUDO apt-get update && $SUDO apt-get install -y wrk; }
fi
command -v curl >/dev/null 2>&1 || die "curl is needed"

log "building release binaries"
cargo build --release --quiet -p preventkit -p preventkit-bench
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps 2>/dev/null |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
BIN="${TARGET_DIR:-$ROOT/target}/release"
[ -x "$BIN/preventkit" ] && [ -x "$BIN/preventkit-bench-seed" ] ||
    die "release binaries not found in $BIN"

# --- Working folder, clean-up ----------------------------------------------------------------
if [ -n "${PK_BENCH_OUT:-}" ]; then
    WORK=$PK_BENCH_OUT
    mkdir -p "$WORK"
    KEEP=1
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/preventkit-bench.XXXXXX")
    KEEP=0
fi
SERVER_PID=""
PG_DB=""
RESULTS="$WORK/results.txt"
: >"$RESULTS"

stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}

cleanup() {
    stop_server
    if [ -n "$PG_DB" ]; then
        psql "$PG_BASE" -q -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
    fi
    [ "$KEEP" -eq 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Helpers ---------------------------------------------------------------------------------
free_port() {
    local p
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 20000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    die "no free port found on 127.0.0.1"
}

# Field F (1 partnership, 2 assessment, 3 token) of target I in the seed's Lua file.
target_field() {
    sed -n 's/.*partnership = "\([^"]*\)", assessment = "\([^"]*\)", token = "\([^"]*\)".*/\1 \2 \3/p' \
        "$1" | sed -n "${2}p" | cut -d' ' -f"$3"
}

# A value from /proc/<pid>/status in kB (VmHWM is the peak resident set size).
proc_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# Check that one request answers the expected status before measuring (a wrong path or token
# would otherwise turn a whole run into fast errors).
check() {
    local expect=$1 method=$2 url=$3 token=$4 body=${5:-} code
    if [ -n "$body" ]; then
        code=$(curl -s -o /dev/null -w '%{http_code}' -X "$method" \
            -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
            --data "$body" "$url")
    else
        code=$(curl -s -o /dev/null -w '%{http_code}' -X "$method" \
            -H "Authorization: Bearer $token" "$url")
    fi
    [ "$code" = "$expect" ] || die "$method $url answered $code, expected $expect"
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

# --- One engine ------------------------------------------------------------------------------
run_engine() {
    local engine=$1 url=$2
    local dir="$WORK/$engine"
    mkdir -p "$dir"
    log "$engine: seeding $PARTNERSHIPS partnerships"
    "$BIN/preventkit-bench-seed" --database-url "$url" --out "$dir" \
        --partnerships "$PARTNERSHIPS" | tee "$dir/seed.txt" >&2

    local port base
    port=$(free_port)
    base="http://127.0.0.1:$port"
    PREVENTKIT_DATABASE_URL="$url" PREVENTKIT_LISTEN="127.0.0.1:$port" \
        PREVENTKIT_LOG="warn,sqlx=error" PREVENTKIT_METRICS_LISTEN="" \
        "$BIN/preventkit" serve >"$dir/server.log" 2>&1 &
    SERVER_PID=$!
    local ready=0
    for _ in $(seq 1 150); do
        if curl -fs -o /dev/null "$base/readyz"; then
            ready=1
            break
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ "$ready" -eq 1 ] || {
        cat "$dir/server.log" >&2
        die "$engine: the server did not become ready"
    }
    local rss_start
    rss_start=$(proc_kb "$SERVER_PID" VmRSS)

    local seed="$dir/seed.lua" p a t
    p=$(target_field "$seed" 1 1)
    a=$(target_field "$seed" 1 2)
    t=$(target_field "$seed" 1 3)
    check 200 GET "$base/api/v1/partnerships/$p/assessments/$a/responses" "$t"
    check 200 GET "$base/api/v1/partnerships/$p/assessments/$a/responses/1.1" "$t"
    # The last target is kept for this check, so the measured runs start from known versions.
    check 200 PUT "$base/api/v1/partnerships/$(target_field "$seed" 7 1)/assessments/$(target_field "$seed" 7 2)/responses/1.1" \
        "$(target_field "$seed" 7 3)" '{"rating":"developing","details":"Checked by the benchmark.","version":3}'

    local load_before
    load_before=$(cut -d' ' -f1 /proc/loadavg)
    local next_target=2 scenario c threads out line errors
    for scenario in "${SCENARIOS[@]}"; do
        for c in "${CONCURRENCY[@]}"; do
            threads=$((c < 2 ? c : 2))
            log "$engine: $scenario, $c connections, $threads threads, $DURATION"
            out="$dir/wrk-$scenario-c$c.txt"
            PK_BENCH_SCENARIO=$scenario wrk -t"$threads" -c"$c" -d"$DURATION" --timeout 10s \
                --latency -s "$SCRIPT" "$base" -- "$seed" "$next_target" >"$out" 2>&1 || {
                cat "$out" >&2
                die "wrk failed"
            }
            [ "$scenario" != put ] || next_target=$((next_target + threads))
            line=$(grep '^RESULT ' "$out" || true)
            [ -n "$line" ] || {
                cat "$out" >&2
                die "no result from wrk"
            }
            errors=$(($(field status_errors "$line") + $(field connect "$line") +
                $(field read "$line") + $(field write "$line") + $(field timeout "$line")))
            printf '%s %s %s %s %s %s %s %s\n' "$engine" "$scenario" "$c" "$threads" \
                "$(field rps "$line")" "$(field p50_ms "$line")" "$(field p99_ms "$line")" \
                "$errors" >>"$RESULTS"
        done
    done
    local peak
    peak=$(proc_kb "$SERVER_PID" VmHWM)
    stop_server
    printf 'MEMORY %s %s %s\n' "$engine" "$rss_start" "$peak" >>"$RESULTS"
    printf 'LOAD %s %s %s\n' "$engine" "$load_before" "$(cut -d' ' -f1 /proc/loadavg)" >>"$RESULTS"
}

machine() {
    echo "$(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)," \
        "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1);" \
        "load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# --- Run -------------------------------------------------------------------------------------
log "machine: $(machine)"
for engine in $ENGINES; do
    case "$engine" in
        sqlite)
            run_engine sqlite "sqlite://$WORK/sqlite/bench.db"
            ;;
        postgresql)
            if ! command -v psql >/dev/null 2>&1 ||
                ! PGCONNECT_TIMEOUT=3 psql "$PG_BASE" -Atqc 'SELECT 1' >/dev/null 2>&1; then
                log "postgresql: no server reachable at the configured URL; skipped"
                echo "SKIPPED postgresql" >>"$RESULTS"
                continue
            fi
            PG_DB="preventkit_bench_$(date +%s)_$$"
            psql "$PG_BASE" -q -c "CREATE DATABASE $PG_DB" >/dev/null
            base_noq=${PG_BASE%%\?*}
            query=${PG_BASE#"$base_noq"}
            run_engine postgresql "${base_noq%/*}/$PG_DB$query"
            psql "$PG_BASE" -q -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null
            PG_DB=""
            ;;
        *) die "unknown engine $engine" ;;
    esac
done

# --- Report ----------------------------------------------------------------------------------
echo
echo "Prevent Toolkit API load benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "Machine: $(machine)"
echo "Each run: $DURATION; threads = min(connections, 2); $PARTNERSHIPS partnerships;" \
    "shipped Prevent duty benchmark framework"
echo "Scenarios: list = GET all responses of one assessment, get = GET one response," \
    "put = PUT one rating"
echo
printf '%-11s %-5s %5s %8s %10s %10s %7s\n' engine scen. conns req/s "p50 ms" "p99 ms" errors
while read -r engine scenario c _ rps p50 p99 errors; do
    case "$engine" in
        MEMORY | LOAD | SKIPPED) continue ;;
    esac
    printf '%-11s %-5s %5s %8.0f %10.2f %10.2f %7s\n' \
        "$engine" "$scenario" "$c" "$rps" "$p50" "$p99" "$errors"
done <"$RESULTS"
echo
while read -r tag engine start peak; do
    case "$tag" in
        MEMORY) awk -v e="$engine" -v s="$start" -v p="$peak" 'BEGIN {
            printf "Server memory (%s): %.0f MiB resident after start, %.0f MiB peak (VmHWM)\n",
                e, s / 1024, p / 1024 }' ;;
        LOAD) printf 'Load average (%s, 1 minute): %s when its runs began, %s when they ended\n' \
            "$engine" "$start" "$peak" ;;
        SKIPPED) echo "PostgreSQL was skipped: no server reachable." ;;
    esac
done <"$RESULTS"

# --- Verdict ---------------------------------------------------------------------------------
failed=$(awk '$1 != "MEMORY" && $1 != "LOAD" && $1 != "SKIPPED" { n += $8 } END { print n + 0 }' \
    "$RESULTS")
if [ "$failed" -gt 0 ]; then
    echo
    die "$failed request(s) failed (the errors column above): these runs did not measure a working server"
fi
