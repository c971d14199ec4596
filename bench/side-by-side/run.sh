#!/usr/bin/env bash
# Side-by-side benchmark (issue 18): grabkit against yt-dlp on the same
# mock upstream, all on 127.0.0.1.
#
#   bash bench/side-by-side/run.sh [--quick]
#   bash bench/side-by-side/run.sh --hold   # mock + grabkit up, for perf
#
# What it does, in order (each step is a function below):
#   1. installs what is missing: nginx + its echo module + wrk (Debian),
#      a virtualenv target/bench-venv with yt-dlp, fastapi, uvicorn (PyPI);
#      builds grabkit and the plugins only if they are missing;
#   2. starts the mock upstream: a private nginx (prefix target/bench/mock),
#      TLS with a throwaway CA, the fixtures of one Bilibili video
#      (BV117411r7R1) for every URL grabkit's plugin and yt-dlp's BiliBiliIE
#      ask for, and one Weibo status; a second port answers after 100 ms;
#   3. starts grabkit (`serve`, API keys on, result cache off, per-key rate
#      limit out of the way) and the yt-dlp service (FastAPI, 2 workers);
#   4. measures with wrk and curl, prints the table and writes it to
#      target/bench/side-by-side.md;
#   5. stops everything it started (trap EXIT). The system nginx is never
#      touched: every nginx call names our own prefix, config and error log.
#
# Settings (environment):
#   GRABKIT_BIN      grabkit binary [target/release/grabkit; built if missing]
#   BENCH_PLUGINS    plugin folder [target/plugins; built if bilibili/weibo missing]
#   BENCH_SECS       seconds per load run [10; 3 with --quick]
#   BENCH_RUNS       load runs per row, the median reported [3; 1 with --quick]
#   MOCK_WORKERS     nginx worker processes [1]
#   HOLD_SLOW        with --hold, grabkit's upstream is the 100 ms port [0]
#   MOCK_PORT, MOCK_SLOW_PORT, GRABKIT_PORT, YTDLP_PORT  [18443 18444 18080 18081]

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

QUICK=0
HOLD=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        --hold) HOLD=1 ;;
        -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

SECS="${BENCH_SECS:-$([ "$QUICK" = 1 ] && echo 3 || echo 10)}"
RUNS="${BENCH_RUNS:-$([ "$QUICK" = 1 ] && echo 1 || echo 3)}"
MOCK_PORT="${MOCK_PORT:-18443}"
MOCK_SLOW_PORT="${MOCK_SLOW_PORT:-18444}"
GRABKIT_PORT="${GRABKIT_PORT:-18080}"
YTDLP_PORT="${YTDLP_PORT:-18081}"
MOCK_WORKERS="${MOCK_WORKERS:-1}"
DELAY_SECS=0.1

BENCH="$ROOT/target/bench"
MOCK="$BENCH/mock"               # nginx prefix: conf/, logs/, tmp/, tls/, docroot/
ACCESS_LOG="$MOCK/logs/access.log"
VENV="$ROOT/target/bench-venv"
PY="$VENV/bin/python"
REPORT="$BENCH/side-by-side.md"
ADMIN_TOKEN="bench-admin-$$"

VIDEO_URL="https://www.bilibili.com/video/BV117411r7R1"
WEIBO_URL="https://weibo.com/1220057585/Q0KtXh6z2"
MOCKED_HOSTS=(api.bilibili.com www.bilibili.com m.weibo.cn)

GRABKIT_BIN="${GRABKIT_BIN:-target/release/grabkit}"
PLUGINS="${BENCH_PLUGINS:-target/plugins}"

PIDS=()          # every process this script started, stopped on exit
GK_PID=""        # the grabkit now running
GK_TOKEN=""      # its API key

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- cleanup

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Stop one process we started, and forget it.
stop_pid() {
    local pid="$1" keep=() p
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

# ------------------------------------------------------------- installing

# nginx, its echo module (the latency mode's non-blocking sleep) and wrk,
# from Debian. Debian 12 names the module package libnginx-mod-http-echo;
# nginx-light pulls it in where it exists, plain nginx does not.
install_packages() {
    local need=()
    command -v nginx >/dev/null || need+=(nginx)
    [ -e /usr/lib/nginx/modules/ngx_http_echo_module.so ] || need+=(libnginx-mod-http-echo)
    command -v wrk >/dev/null || need+=(wrk)
    command -v openssl >/dev/null || need+=(openssl)
    command -v curl >/dev/null || need+=(curl)
    [ ${#need[@]} = 0 ] && return
    [ "$(id -u)" = 0 ] || die "missing ${need[*]}; install them as root (apt-get install -y ${need[*]})"
    log "installing ${need[*]} (apt)"
    # grep reads all (no -q): a closed pipe would fail apt-cache under pipefail.
    has_candidate() { apt-cache policy "$1" 2>/dev/null | grep 'Candidate: [0-9]' >/dev/null; }
    local pkgs=() p
    # Package lists may be missing or stale: refresh once if any is unknown.
    for p in "${need[@]}"; do
        has_candidate "$p" || { apt-get update -qq; break; }
    done
    for p in "${need[@]}"; do
        if [ "$p" = nginx ] && has_candidate nginx-light; then p=nginx-light; fi
        has_candidate "$p" || die "no Debian package $p (apt-cache policy $p)"
        pkgs+=("$p")
    done
    # The package's postinst would start the system nginx where services may
    # start; that one is not ours and we leave it alone (containers here
    # refuse service starts through policy-rc.d anyway).
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
}

# yt-dlp and the service around it, in a virtualenv of their own.
install_venv() {
    if [ -x "$PY" ] && "$PY" -c 'import yt_dlp, fastapi, uvicorn' 2>/dev/null; then
        return
    fi
    log "creating $VENV (yt-dlp, fastapi, uvicorn)"
    python3 -m venv "$VENV"
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q yt-dlp fastapi uvicorn
}

# The release build (or GRABKIT_BIN) and the plugins, built only if missing:
# a build takes long on 2 cores, and an existing one is used as it is.
build_grabkit() {
    if [ ! -x "$GRABKIT_BIN" ]; then
        [ "$GRABKIT_BIN" = target/release/grabkit ] || die "GRABKIT_BIN=$GRABKIT_BIN does not exist"
        log "building grabkit (cargo build --release -p grabkit)"
        cargo build --release -p grabkit
    fi
    if [ ! -f "$PLUGINS/bilibili.wasm" ] || [ ! -f "$PLUGINS/weibo.wasm" ]; then
        log "building the plugins (cargo xtask plugins)"
        cargo xtask plugins
    fi
    GRABKIT_BIN="$(cd "$(dirname "$GRABKIT_BIN")" && pwd)/$(basename "$GRABKIT_BIN")"
    PLUGINS="$(cd "$PLUGINS" && pwd)"
}

# --------------------------------------------------------------- helpers

port_free() { ! ss -Htln "sport = :$1" | grep . >/dev/null; }

# Wait until URL answers 2xx (curl args after the URL), up to $2 seconds.
wait_http() {
    local url="$1" secs="$2" i
    shift 2
    for ((i = 0; i < secs * 4; i++)); do
        curl -sf -o /dev/null "$@" "$url" && return 0
        sleep 0.25
    done
    return 1
}

access_lines() { wc -l < "$ACCESS_LOG"; }

now() { date +%s.%N; }

# Upstream requests the mock answered between two clock times (its log's
# $msec is when each answer was done).
lines_between() {
    awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b { n++ } END { print n + 0 }' "$ACCESS_LOG"
}

# Wait until the mock has had no request for a second (at most 60 s): a
# server keeps working on what a finished wrk run left in flight, and that
# tail must not land in the next row's count.
wait_quiet() {
    local last n quiet=0 i
    last="$(access_lines)"
    for ((i = 0; i < 240 && quiet < 4; i++)); do
        sleep 0.25
        n="$(access_lines)"
        if [ "$n" = "$last" ]; then quiet=$((quiet + 1)); else quiet=0; last="$n"; fi
    done
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# --------------------------------------------------------------- the mock

# A throwaway CA and a leaf certificate for the mocked names. A separate CA
# (not one self-signed leaf) because rustls refuses a CA certificate used
# as a server's own.
make_tls() {
    local d="$MOCK/tls" san
    [ -f "$d/server.pem" ] && [ -f "$d/ca.pem" ] && return
    mkdir -p "$d"
    san="$(printf 'DNS:%s,' "${MOCKED_HOSTS[@]}")IP:127.0.0.1"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$d/ca.key" -out "$d/ca.pem" -days 30 -subj /CN=grabkit-bench-ca \
        -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$d/server.key" -out "$d/server.csr" -subj /CN=bench-mock 2>/dev/null
    printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
        "$san" > "$d/leaf.ext"
    openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
        -CAcreateserial -out "$d/server.pem" -days 30 -extfile "$d/leaf.ext" 2>/dev/null
}

start_mock() {
    log "starting the mock upstream (nginx, https://127.0.0.1:$MOCK_PORT and :$MOCK_SLOW_PORT +${DELAY_SECS}s)"
    mkdir -p "$MOCK"/{conf,logs,tmp}
    rm -rf "$MOCK/docroot"
    "$PY" "$HERE/fixtures.py" "$ROOT/tests/fixtures" "$MOCK/docroot"
    make_tls
    # nginx's workers must read the docroot: as root they may run as root.
    local user_line=""
    [ "$(id -u)" = 0 ] && user_line="user root;"
    sed -e "s#@PREFIX@#$MOCK#g; s#@DOCROOT@#$MOCK/docroot#g" \
        -e "s#@PORT@#$MOCK_PORT#g; s#@SLOW_PORT@#$MOCK_SLOW_PORT#g" \
        -e "s#@WORKERS@#$MOCK_WORKERS#g; s#@DELAY@#$DELAY_SECS#g" \
        -e "s#@USER_LINE@#$user_line#; s#@ECHO_MODULE@#/usr/lib/nginx/modules/ngx_http_echo_module.so#" \
        "$HERE/nginx.conf.in" > "$MOCK/conf/nginx.conf"
    : > "$ACCESS_LOG"
    : > "$MOCK/logs/error.log"
    local ngx=(nginx -p "$MOCK" -c "$MOCK/conf/nginx.conf" -e "$MOCK/logs/error.log")
    "${ngx[@]}" -t -q || die "nginx config test failed ($MOCK/conf/nginx.conf)"
    "${ngx[@]}" &
    PIDS+=($!)
    wait_http "https://api.bilibili.com/x/web-interface/nav" 10 --cacert "$MOCK/tls/ca.pem" \
        --connect-to "api.bilibili.com:443:127.0.0.1:$MOCK_PORT" || die "the mock did not start ($MOCK/logs/error.log)"
    # The latency mode must really wait, and without blocking its worker:
    # 20 requests at once should all take about DELAY, not 20 × DELAY.
    local t
    t="$(mock_parallel_probe)"
    log "latency mode: 20 requests at once answered in ${t}s (the delay is ${DELAY_SECS}s)"
    awk -v t="$t" -v d="$DELAY_SECS" 'BEGIN { exit !(t >= d && t < 4 * d) }' \
        || die "the slow port does not delay as it should (20 at once took ${t}s)"
}

# Wall time for 20 simultaneous requests to the slow port.
mock_parallel_probe() {
    local start end i pids=()
    start="$(date +%s.%N)"
    for i in $(seq 20); do
        curl -sf -o /dev/null --cacert "$MOCK/tls/ca.pem" \
            --connect-to "api.bilibili.com:443:127.0.0.1:$MOCK_SLOW_PORT" \
            "https://api.bilibili.com/x/web-interface/nav" &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || true; done
    end="$(date +%s.%N)"
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

# The URLs (host + path) the mock saw since access-log line $1.
urls_since() {
    tail -n "+$(($1 + 1))" "$ACCESS_LOG" \
        | awk '{ split($5, u, "?"); print $3 u[1] }' | sort | uniq -c | sort -k2
}

# ---------------------------------------------------------------- grabkit

# Start grabkit as in production (keys on), its plugin requests for the
# mocked names sent to mock port $1, with a fresh data dir named $2 (fresh,
# so a "first" parse really is the first: no WBI key in the plugin's store).
start_grabkit() {
    local port="$1" name="$2" dir="$BENCH/grabkit-$2" resolve h
    rm -rf "$dir"
    mkdir -p "$dir"
    # [cache] ttl_secs = 0: no result cache; [keys]: the per-key rate limit
    # (10/s by default) would otherwise be what we measure.
    cat > "$dir/config.toml" <<'EOF'
[cache]
ttl_secs = 0

[keys]
rate_per_sec = 1000000
rate_burst = 1000000
EOF
    resolve="$(for h in "${MOCKED_HOSTS[@]}"; do printf '%s=127.0.0.1:%s,' "$h" "$port"; done)"
    GK_TOKEN="$("$GRABKIT_BIN" keys create --name bench --config "$dir/config.toml" --data-dir "$dir/data" \
        | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
    log "starting grabkit ($name: mock port $port)"
    # The compiled-plugin cache is kept between runs (target/bench/grabkit-cache),
    # apart from the one in the plugins folder that other work may use.
    "$GRABKIT_BIN" serve --config "$dir/config.toml" \
        --listen "127.0.0.1:$GRABKIT_PORT" --data-dir "$dir/data" \
        --plugins "$PLUGINS" --cache-dir "$BENCH/grabkit-cache" \
        --allow-loopback --ca-cert "$MOCK/tls/ca.pem" --resolve "${resolve%,}" \
        --admin-token "$ADMIN_TOKEN" > "$dir/grabkit.log" 2>&1 &
    GK_PID=$!
    PIDS+=("$GK_PID")
    # A first start compiles every plugin (a debug build takes a while).
    wait_http "http://127.0.0.1:$GRABKIT_PORT/healthz" 180 || die "grabkit did not start ($dir/grabkit.log)"
}

stop_grabkit() {
    [ -n "$GK_PID" ] && stop_pid "$GK_PID"
    GK_PID=""
}

# One parse through the API; prints "HTTP_CODE SECONDS", the body to $2.
grabkit_parse() {
    curl -s -o "$2" -w '%{http_code} %{time_total}\n' \
        -H "Authorization: Bearer $GK_TOKEN" -H 'Content-Type: application/json' \
        -d "{\"url\":\"$1\",\"cache\":\"no\"}" "http://127.0.0.1:$GRABKIT_PORT/api/v1/parse"
}

# Check that a parse works and is the fixture's; prints its title.
check_grabkit_parse() {
    local url="$1" out="$BENCH/check.json" got
    got="$(grabkit_parse "$url" "$out")"
    [ "${got%% *}" = 200 ] || die "grabkit parse of $url: HTTP ${got%% *}: $(head -c 400 "$out")"
    "$PY" - "$out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))["data"]
assert d.get("videos") or d.get("images"), "no media in the answer"
print(d["title"])
EOF
}

# ----------------------------------------------------------------- yt-dlp

start_ytdlp() {
    log "starting the yt-dlp service (uvicorn, 2 workers, mock port $MOCK_PORT)"
    BENCH_MOCK_PORT="$MOCK_PORT" "$VENV/bin/uvicorn" ytdlp_service:app --app-dir "$HERE" \
        --host 127.0.0.1 --port "$YTDLP_PORT" --workers 2 \
        --log-level warning --no-access-log > "$BENCH/ytdlp-service.log" 2>&1 &
    PIDS+=($!)
    wait_http "http://127.0.0.1:$YTDLP_PORT/healthz" 60 || die "the yt-dlp service did not start ($BENCH/ytdlp-service.log)"
}

# ------------------------------------------------------------------- rows

ROWS=()            # the table's lines
declare -A RPS P50 P99 UPR   # per row key: req/s, p50, p99 (ms), upstream requests per request
declare -A ALL_RPS           # per row key: every run's req/s
NOTES=()

# wrk_row KEY LABEL CONNECTIONS URL BODY [wrk args...]
# One bounded wrk run (BENCH_SECS). The mock's access log is counted over
# the run's time window, so every row also says how many upstream requests
# per second it caused, and per request answered.
wrk_row() {
    local key="$1" label="$2" conns="$3" url="$4" body="$5"
    shift 5
    local start end out line n secs rps p50 p99 non2xx conn rd wr tmo errs up up_rps
    # This VM's throughput moves by tens of percent between runs: run each
    # row RUNS times and keep the median run (by req/s), with its latency
    # and its upstream counts.
    local run lines=() spans=() all=""
    for run in $(seq "$RUNS"); do
        log "wrk: $label (${SECS}s, run $run of $RUNS)"
        wait_quiet
        start="$(now)"
        out="$(WRK_BODY="$body" wrk -t2 -c"$conns" -d"${SECS}s" --timeout 30s --latency \
            -s "$HERE/wrk.lua" "$@" "$url")"
        end="$(now)"
        line="$(grep '^BENCH ' <<<"$out")" || die "wrk printed no summary: $out"
        lines+=("$line")
        spans+=("$start $end")
        all+="$(cut -d' ' -f4 <<<"$line") "
    done
    local mid
    mid="$(for run in "${!lines[@]}"; do echo "$(cut -d' ' -f4 <<<"${lines[$run]}") $run"; done \
        | sort -n | awk '{ a[NR] = $2 } END { print a[int((NR + 1) / 2)] }')"
    line="${lines[$mid]}"
    read -r start end <<<"${spans[$mid]}"
    read -r _ n secs rps p50 p99 non2xx conn rd wr tmo <<<"$line"
    ALL_RPS[$key]="${all% }"
    errs=$((non2xx + conn + rd + wr + tmo))
    up="$(lines_between "$start" "$end")"
    up_rps="$(awk -v u="$up" -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", u / (b - a) }')"
    RPS[$key]="$rps"
    P50[$key]="$p50"
    P99[$key]="$p99"
    UPR[$key]="$(awk -v u="$up_rps" -v r="$rps" 'BEGIN { printf "%.2f", (r > 0 ? u / r : 0) }')"
    [ "$errs" = 0 ] || label="$label **($errs errors: $non2xx non-2xx, $tmo timeouts, $((conn + rd + wr)) socket)**"
    ROWS+=("$(printf '| %s | %.0f | %.2f ms | %.2f ms |' "$label" "$rps" "$p50" "$p99")")
    NOTES+=("| $label | $n | $up | $up_rps | ${UPR[$key]} | ${ALL_RPS[$key]// / · } |")
}

# A short unrecorded run, so the first row does not pay for warming up
# (plugin instance pools, connection pools, Python's lazy imports).
warm_up() {
    WRK_BODY="$2" wrk -t1 -c4 -d1s --timeout 30s -s "$HERE/wrk.lua" "${@:3}" "$1" > /dev/null
}

GK_ARGS=()
set_gk_args() {
    GK_ARGS=(-H "Authorization: Bearer $GK_TOKEN" -H "Content-Type: application/json")
}
body_for() { printf '{"url":"%s","cache":"no"}' "$1"; }

# ------------------------------------------------------------------- main

main() {
    mkdir -p "$BENCH"
    ulimit -n "$(ulimit -Hn)"        # 1000 connections in flight, and their upstream ones
    [ "$(ulimit -n)" -ge 4096 ] || die "open-files limit $(ulimit -n) is too low for the 1000-in-flight run"
    # Other work on the machine (a build) takes CPU from every row: say so.
    LOAD_AT_START="$(cut -d' ' -f1-3 /proc/loadavg)"
    install_packages
    local p
    for p in "$MOCK_PORT" "$MOCK_SLOW_PORT" "$GRABKIT_PORT" "$YTDLP_PORT"; do
        port_free "$p" || die "port $p is in use (set MOCK_PORT, MOCK_SLOW_PORT, GRABKIT_PORT, YTDLP_PORT)"
    done
    install_venv
    build_grabkit
    start_mock

    # --- yt-dlp really parses the mock's video (the same as yt-dlp -J)
    log "yt-dlp -J $VIDEO_URL (against the mock)"
    local before yt_title
    before="$(access_lines)"
    BENCH_MOCK_PORT="$MOCK_PORT" "$PY" "$HERE/ytdlp_service.py" -J "$VIDEO_URL" > "$BENCH/ytdlp.json" \
        || die "yt-dlp -J failed against the mock"
    yt_title="$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["title"], "|", len(d["formats"]), "formats |", d.get("uploader"))' "$BENCH/ytdlp.json")"
    local yt_urls
    yt_urls="$(urls_since "$before")"

    # --- grabkit against the instant mock: throughput rows
    start_grabkit "$MOCK_PORT" fast
    set_gk_args
    before="$(access_lines)"
    local gk_title gk_weibo_title gk_urls
    gk_title="$(check_grabkit_parse "$VIDEO_URL")"
    gk_urls="$(urls_since "$before")"
    gk_weibo_title="$(check_grabkit_parse "$WEIBO_URL")"

    local api="http://127.0.0.1:$GRABKIT_PORT/api/v1/parse"
    wrk_row mock "mock fetched directly (playurl JSON, 1 request)" 16 \
        "https://127.0.0.1:$MOCK_PORT/x/player/wbi/playurl?fnval=4048" "" -H "Host: api.bilibili.com"
    warm_up "$api" "$(body_for "$VIDEO_URL")" "${GK_ARGS[@]}"
    wrk_row bili16 "grabkit Bilibili, 16 in flight" 16 "$api" "$(body_for "$VIDEO_URL")" "${GK_ARGS[@]}"
    wrk_row bili64 "grabkit Bilibili, 64 in flight" 64 "$api" "$(body_for "$VIDEO_URL")" "${GK_ARGS[@]}"
    wrk_row weibo16 "grabkit Weibo (1 upstream request), 16 in flight" 16 "$api" "$(body_for "$WEIBO_URL")" "${GK_ARGS[@]}"
    wrk_row weibo64 "grabkit Weibo (1 upstream request), 64 in flight" 64 "$api" "$(body_for "$WEIBO_URL")" "${GK_ARGS[@]}"
    # The same Bilibili link without "cache":"no": with ttl_secs = 0 the
    # cache keeps nothing, but identical parses in flight still share one
    # plugin run, so this row counts answers, not parses.
    wrk_row bili16shared "grabkit Bilibili, 16 in flight, identical parses shared (no \"cache\":\"no\")" 16 \
        "$api" "{\"url\":\"$VIDEO_URL\"}" "${GK_ARGS[@]}"
    stop_grabkit

    # --- the yt-dlp service
    local ytdlp_pid
    start_ytdlp
    ytdlp_pid="${PIDS[-1]}"
    local yapi="http://127.0.0.1:$YTDLP_PORT/parse" ybody="{\"url\":\"$VIDEO_URL\"}"
    # Each worker imports yt-dlp's extractors on its first parse (about a
    # second of CPU): two rounds of 4 complete parses, so both are warm.
    local round j pids
    for round in 1 2; do
        pids=()
        for j in 1 2 3 4; do
            curl -sf -o /dev/null -H "Content-Type: application/json" -d "$ybody" "$yapi" &
            pids+=($!)
        done
        for j in "${pids[@]}"; do wait "$j" || die "yt-dlp service warm-up parse failed ($BENCH/ytdlp-service.log)"; done
    done
    wrk_row ytdlp16 "yt-dlp service (uvicorn, 2 workers), 16 in flight" 16 "$yapi" "$ybody" -H "Content-Type: application/json"
    # Let it finish what wrk left in flight, then stop it: it must not take
    # CPU from (or send requests during) the rows after it.
    wait_quiet
    stop_pid "$ytdlp_pid"

    # --- latency mode: every upstream answer after 100 ms
    start_grabkit "$MOCK_SLOW_PORT" slow
    set_gk_args
    local first repeat=() r i
    wait_quiet
    before="$(access_lines)"
    first="$(grabkit_parse "$VIDEO_URL" "$BENCH/check.json")"
    [ "${first%% *}" = 200 ] || die "grabkit parse (slow mock): HTTP ${first%% *}"
    local first_up=$(( $(access_lines) - before ))
    before="$(access_lines)"
    for i in 1 2 3 4 5; do
        r="$(grabkit_parse "$VIDEO_URL" "$BENCH/check.json")"
        [ "${r%% *}" = 200 ] || die "grabkit parse (slow mock): HTTP ${r%% *}"
        repeat+=("${r#* }")
    done
    local repeat_up
    repeat_up="$(awk -v u="$(( $(access_lines) - before ))" 'BEGIN { printf "%.1f", u / 5 }')"
    ROWS+=("$(printf '| grabkit Bilibili, one parse alone, first (100 ms mock; %d upstream requests) | — | %.1f ms | — |' \
        "$first_up" "$(awk -v t="${first#* }" 'BEGIN { print t * 1000 }')")")
    ROWS+=("$(printf '%s\n' "${repeat[@]}" | sort -n | awk -v up="$repeat_up" '{ t[NR] = $1 * 1000 }
        END { printf "| grabkit Bilibili, one parse alone, repeat ×%d (100 ms mock; %s upstream requests each; p99 column = max) | — | %.1f ms | %.1f ms |", NR, up, t[int((NR + 1) / 2)], t[NR] }')")

    # yt-dlp, the same two parses, timed inside its process (no HTTP hop,
    # no interpreter start: the fairest number for it).
    local label secs t0 t1 _title yt_times
    wait_quiet
    yt_times="$(BENCH_MOCK_PORT="$MOCK_SLOW_PORT" "$PY" "$HERE/ytdlp_service.py" time "$VIDEO_URL")" \
        || die "yt-dlp failed against the slow mock"
    while read -r label secs t0 t1 _title; do
        ROWS+=("$(printf '| yt-dlp, one parse alone, %s (100 ms mock; %d upstream requests; in-process extract_info) | — | %.1f ms | — |' \
            "$label" "$(lines_between "$t0" "$t1")" "$(awk -v t="$secs" 'BEGIN { print t * 1000 }')")")
    done <<<"$yt_times"

    # --- memory: idle, then during 1000 parses in flight (100 ms mock, so
    # they really are waiting on the upstream, as in production)
    local idle peak sampler
    idle="$(rss_kb "$GK_PID")"
    : > "$BENCH/rss.samples"
    ( while kill -0 "$GK_PID" 2>/dev/null; do rss_kb "$GK_PID" >> "$BENCH/rss.samples"; sleep 0.1; done ) &
    sampler=$!
    PIDS+=("$sampler")
    wrk_row bili1000 "grabkit Bilibili, 1000 in flight (100 ms mock)" 1000 "$api" "$(body_for "$VIDEO_URL")" "${GK_ARGS[@]}"
    stop_pid "$sampler"
    peak="$(sort -n "$BENCH/rss.samples" | tail -1)"
    stop_grabkit

    # ------------------------------------------------------------- report
    local ratio16 ratio64 vs_ytdlp
    ratio16="$(awk -v r="${RPS[bili16]}" -v u="${UPR[bili16]}" -v m="${RPS[mock]}" 'BEGIN { printf "%.3f", r * u / m }')"
    ratio64="$(awk -v r="${RPS[bili64]}" -v u="${UPR[bili64]}" -v m="${RPS[mock]}" 'BEGIN { printf "%.3f", r * u / m }')"
    vs_ytdlp="$(awk -v g="${RPS[bili16]}" -v y="${RPS[ytdlp16]}" 'BEGIN { printf "%.1f", g / y }')"

    {
        echo "# grabkit vs yt-dlp, side by side"
        echo
        echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) · $(nproc) cores (load average at start: $LOAD_AT_START) · ${SECS} s per run, median of $RUNS · wrk -t2 · grabkit: \`${GRABKIT_BIN#"$ROOT"/}\` ($("$GRABKIT_BIN" --version)), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?') · yt-dlp $("$PY" -c 'import yt_dlp; print(yt_dlp.version.__version__)') · mock: nginx $(nginx -v 2>&1 | sed 's#.*/##'), $MOCK_WORKERS worker, TLS"
        echo
        echo "| what | req/s | p50 | p99 |"
        echo "|---|---:|---:|---:|"
        printf '%s\n' "${ROWS[@]}"
        echo
        echo "- ratio to the ceiling (grabkit Bilibili upstream requests/s ÷ the mock's req/s): **$ratio16** at 16 in flight (${RPS[bili16]} parses/s × ${UPR[bili16]} upstream requests per parse ÷ ${RPS[mock]}), $ratio64 at 64"
        echo "- grabkit Bilibili parses/s ÷ yt-dlp's, 16 in flight: **${vs_ytdlp}×** (${RPS[bili16]} ÷ ${RPS[ytdlp16]})"
        echo "- grabkit resident memory (VmRSS): $idle KB idle before the 1000-in-flight run (after the single parses above), peak $peak KB during it (sampled every 0.1 s): **$(awk -v p="$peak" -v i="$idle" 'BEGIN { printf "%.1f", (p - i) / 1000 }') KB per in-flight parse** ((peak − idle) ÷ 1000; with the default limits 256 parses run at once and the rest wait for a slot)"
        echo
        echo "Upstream requests counted in the mock's access log, per row:"
        echo
        echo "| row (median run) | requests answered | upstream requests | upstream req/s | per request answered | req/s of each run |"
        echo "|---|---:|---:|---:|---:|---|"
        printf '%s\n' "${NOTES[@]}"
        echo
        echo "yt-dlp parsed the mock's video: **$yt_title** (grabkit: $gk_title; Weibo: $gk_weibo_title)"
        echo
        echo "URLs yt-dlp asked for (yt-dlp -J, host + path, count):"
        echo '```'
        echo "$yt_urls"
        echo '```'
        echo "URLs grabkit's Bilibili plugin asked for (first parse):"
        echo '```'
        echo "$gk_urls"
        echo '```'
        echo "In latency mode a parse's floor is its round trips one after another × 100 ms: grabkit's Bilibili parse is view → nav (WBI key; first parse only, then kept an hour) → both playurls at once (3 round trips first, 2 after); yt-dlp's is page → pagelist → nav (first only, then kept 30 s) → playurl → player/wbi/v2, each after the last (5, then 4)."
        echo
        echo "Notes: parses are sent with \`\"cache\":\"no\"\` besides \`[cache] ttl_secs = 0\`, so every request runs the plugin (see the \"shared\" row for what identical links in flight do otherwise). The ceiling row is wrk over HTTP/1.1; grabkit's client speaks HTTP/2 to the mock. Client, servers and mock share the same $(nproc) cores."
    } > "$REPORT"
    cat "$REPORT"
    log "written to ${REPORT#"$ROOT"/}"
}

# Start the instant mock and grabkit, print how to load them, and wait:
# for profiling (perf record -g -p PID) with the same setup as the rows.
hold() {
    mkdir -p "$BENCH"
    ulimit -n "$(ulimit -Hn)"
    install_packages
    install_venv
    build_grabkit
    start_mock
    if [ "${HOLD_SLOW:-0}" = 1 ]; then
        start_grabkit "$MOCK_SLOW_PORT" slow
    else
        start_grabkit "$MOCK_PORT" fast
    fi
    set_gk_args
    check_grabkit_parse "$VIDEO_URL" >/dev/null
    local api="http://127.0.0.1:$GRABKIT_PORT/api/v1/parse" body
    body="$(body_for "$VIDEO_URL")"
    log "grabkit pid $GK_PID on :$GRABKIT_PORT; load it with:"
    printf 'WRK_BODY=%q wrk -t2 -c16 -d10s -s %q' "$body" "$HERE/wrk.lua" >&2
    printf ' %q' "${GK_ARGS[@]}" "$api" >&2
    printf '\n' >&2
    log "Ctrl-C stops it"
    wait "$GK_PID"
}

if [ "$HOLD" = 1 ]; then hold; else main; fi
