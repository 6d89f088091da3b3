#!/usr/bin/env bash
# bench/suites/serve.sh [--quick|--long]: the HTTP service under load. Writes a random 100k-word × 100 model
# (.e4jv, memory-mapped) and a 4-label classifier (ServeLoad models), starts `embed4j serve` on loopback with a
# bearer token, then drives it for classify batch 1, classify batch 32 and nearest k=10 with wrk (Debian package
# wrk, installed here when missing and apt-get can; one wrk thread, N keep-alive connections, fixed duration,
# --latency for p50/p99, a Lua script that POSTs pre-built JSON bodies with the token), or, without wrk, with
# ServeLoad's Java client (fixed request count and time limit; it costs the shared cores several times more).
# Reads the server's RSS after warm-up and after the load (and every 2 s in between, for the peak), and the
# server's CPU time per request. Ends with SIGTERM and checks the server logs a clean shutdown. Then JMH
# SampleTime figures of the same library calls in process (ServeLibraryBenchmark).
# Seconds per case: 8 (--quick 4, --long 60: the soak of issue 7). Client and server share the machine's cores.
# Server JVM options: SERVE_JAVA_OPTS (default a fixed 256 MB pre-touched heap, so that RSS growth means
# something outside the heap grows). SERVE_CLIENT=java forces the Java client.
# Prints: RESULT serve <case> ours=<v> anchor=<target> ratio=<bigger is better> unit=<u>
# Targets (issue 7): classify >= 20000 req/s with p99 <= 5 ms; in-process predict p99 <= 50 us; no errors;
# RSS growth over the run < 20 MB.
set -euo pipefail
source "$(dirname "$0")/../common.sh"

SECS=8; JMH_TIMES=(-wi 2 -i 3 -w 2s -r 3s)
case "${1:-}" in
  --quick) SECS=4; JMH_TIMES=(-wi 1 -i 1 -w 1s -r 2s) ;;
  --long) SECS=60 ;;
esac
DIR="${SERVE_DIR:-/tmp/embed4j-serve-bench}"
mkdir -p "$DIR"

bench_build
CP="$(bench_classpath)"
JAVA=(java --enable-native-access=ALL-UNNAMED -cp "$CP")

# rewritten every run (a few seconds) so that they always match the file formats of this build; REUSE_MODELS=1 keeps them
if [ "${REUSE_MODELS:-0}" != "1" ] || [ ! -f "$DIR/vectors.e4jv" ] || [ ! -f "$DIR/classifier.e4jc" ]; then
  echo "serve: writing models to $DIR" >&2
  "${JAVA[@]}" org.embed4j.bench.ServeLoad models "$DIR" 100000 100 >&2
fi
TOKEN_FILE="$DIR/token"
(umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$TOKEN_FILE")

LOG="$DIR/server.log"
: > "$LOG"
# fixed, pre-touched heap: RSS then grows only if something outside the heap leaks
"${JAVA[@]}" ${SERVE_JAVA_OPTS:--Xms256m -Xmx256m -XX:+AlwaysPreTouch} org.embed4j.cli.Main serve --model "$DIR/vectors.e4jv" \
  --classifier "$DIR/classifier.e4jc" --port 0 --token-file "$TOKEN_FILE" > "$LOG" 2>&1 &
SERVER=$!
cleanup() { kill "$SERVER" ${SAMPLER:-} 2>/dev/null || true; }
trap cleanup EXIT
PORT=""
for _ in $(seq 1 300); do
  PORT=$(sed -n 's/^embed4j serve: listening on http:\/\/[^:]*:\([0-9]*\)$/\1/p' "$LOG" | head -1)
  [ -n "$PORT" ] && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$LOG" >&2; echo "serve: the server died" >&2; exit 1; }
  sleep 0.1
done
[ -n "$PORT" ] || { cat "$LOG" >&2; echo "serve: no port after 30 s" >&2; exit 1; }
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER/stat"; }
TICK=$(getconf CLK_TCK)

# the load generator: wrk when present or installable (a bench-only tool, so installed here, not by ci/)
CLIENT=java
if [ "${SERVE_CLIENT:-wrk}" = wrk ]; then
  if ! command -v wrk >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "serve: installing wrk (Debian package) for the load generator" >&2
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }; } >/dev/null 2>&1 || true
  fi
  command -v wrk >/dev/null && CLIENT=wrk || echo "serve: no wrk; using the Java client (it takes a larger share of the cores)" >&2
fi
for c in classify-b1 classify-b32 nearest-k10; do "${JAVA[@]}" org.embed4j.bench.ServeLoad bodies "$c" "$DIR/bodies-$c.txt"; done
# wrk's script: every connection cycles through the bodies of the case; requests are formatted once, in init
cat > "$DIR/post.lua" <<'LUA'
local requests, n, i = {}, 0, 0
init = function(args)
  local f = io.open(os.getenv("TOKEN_FILE")); local token = f:read("*l"); f:close()
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  for body in io.lines(os.getenv("BODIES")) do
    n = n + 1
    requests[n] = wrk.format("POST", wrk.path, headers, body)
  end
end
request = function()
  i = i % n + 1
  return requests[i]
end
LUA

# load <case> <connections> <seconds>: one LOAD line (case ok errors rps p50_ms p99_ms seconds cpu_us_per_req)
load() {
  local kase="$1" conns="$2" secs="$3" path=/v1/nearest c0 c1 line
  case "$kase" in classify*) path=/v1/classify ;; esac
  c0=$(cpu_ticks)
  if [ "$CLIENT" = wrk ]; then
    line=$(BODIES="$DIR/bodies-$kase.txt" TOKEN_FILE="$TOKEN_FILE" timeout $((secs + 60)) \
      wrk -t1 -c"$conns" -d"${secs}s" --timeout 2s --latency -s "$DIR/post.lua" "http://127.0.0.1:$PORT$path" \
      | tee -a "$DIR/wrk.txt" | awk -v c="$kase" -v conns="$conns" '
        function ms(v) {
          if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
          if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
          if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
          return v + 0
        }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        / requests in / { n = $1; secs = $4; sub(/,$/, "", secs); secs = secs ~ /m$/ ? substr(secs, 1, length(secs) - 1) * 60 : secs + 0 }
        /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { err += $5 }
        /^Requests\/sec:/ { rps = $2 }
        END { printf "LOAD %s ok=%d errors=%d rps=%.1f p50_ms=%.3f p99_ms=%.3f seconds=%.2f concurrency=%d client=wrk\n",
                     c, n - err, err, rps, p50, p99, secs, conns }')
  else
    line=$("${JAVA[@]}" org.embed4j.bench.ServeLoad load "$PORT" "$kase" "$conns" 4000000 "$secs" "$TOKEN_FILE")
  fi
  c1=$(cpu_ticks)
  echo "$line" | awk -v t="$((c1 - c0))" -v hz="$TICK" '{
    for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    n = v["ok"] + v["errors"]; printf "%s server_cpu_us=%.1f\n", $0, (n > 0 ? t / hz * 1e6 / n : 0) }'
}
echo "serve: load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; client: $CLIENT" >&2
# warm-up: JIT the server's paths before anything is measured
for c in classify-b1 classify-b32 nearest-k10; do load "$c" 8 3 >&2; done
RSS_BEFORE=$(rss_mb)
(while kill -0 "$SERVER" 2>/dev/null; do rss_mb; echo; sleep 2; done) > "$DIR/rss.txt" 2>/dev/null &
SAMPLER=$!
OUT="$DIR/load.txt"; : > "$OUT"
load classify-b1 16 "$SECS" | tee -a "$OUT" >&2
load classify-b32 8 "$SECS" | tee -a "$OUT" >&2
load nearest-k10 8 "$SECS" | tee -a "$OUT" >&2
RSS_AFTER=$(rss_mb)
kill "$SAMPLER" 2>/dev/null || true
RSS_PEAK=$(awk -v p="$RSS_AFTER" '$1 > p { p = $1 } END { printf "%.1f", p }' "$DIR/rss.txt")
echo "serve: load average at end: $(cut -d' ' -f1-3 /proc/loadavg); RSS MB after warm-up $RSS_BEFORE, peak $RSS_PEAK, after $RSS_AFTER" >&2

kill -TERM "$SERVER"
STATUS=0; wait "$SERVER" || STATUS=$?
trap - EXIT
# the JVM exits with 143 (128 + SIGTERM) after its shutdown hooks; the hook prints "stopped" once requests are done
CLEAN=0; grep -q "^embed4j serve: stopped" "$LOG" && CLEAN=1
echo "serve: server exited with status $STATUS after SIGTERM, clean shutdown logged: $CLEAN" >&2

csv="$BENCH_BUILD/jmh-serve.csv"
bench_jmh 'org\.embed4j\.bench\.ServeLibraryBenchmark\.' -f 1 "${JMH_TIMES[@]}" -jvmArgsAppend "-Dserve.dir=$DIR" \
  -rf csv -rff "$csv" >&2

awk -v before="$RSS_BEFORE" -v after="$RSS_AFTER" -v peak="$RSS_PEAK" -v clean="$CLEAN" '
  /^LOAD / {
    c = $2; for (i = 3; i <= NF; i++) { split($i, kv, "="); v[c, kv[1]] = kv[2] }
    order[++n] = c; errors += v[c, "errors"]
  }
  END {
    for (i = 1; i <= n; i++) {
      c = order[i]; rps = v[c, "rps"]; p50 = v[c, "p50_ms"]; p99 = v[c, "p99_ms"]
      if (c ~ /^classify/) {
        printf "RESULT serve %s-rps ours=%.0f anchor=20000 ratio=%.2f unit=req/s\n", c, rps, rps / 20000
      } else {
        printf "RESULT serve %s-rps ours=%.0f anchor=na ratio=na unit=req/s\n", c, rps
      }
      printf "RESULT serve %s-p50 ours=%.3f anchor=5 ratio=%.2f unit=ms\n", c, p50, 5 / p50
      printf "RESULT serve %s-p99 ours=%.3f anchor=5 ratio=%.2f unit=ms\n", c, p99, 5 / p99
      printf "RESULT serve %s-server-cpu ours=%.1f anchor=na ratio=na unit=us/req\n", c, v[c, "server_cpu_us"]
    }
    printf "RESULT serve errors ours=%d anchor=0 ratio=%s unit=count\n", errors, errors == 0 ? "1.00" : "0.00"
    # flat memory: growth from after warm-up to after the load within 20 MB (ratio >= 1 passes)
    growth = after - before
    printf "RESULT serve rss-growth ours=%.1f anchor=20 ratio=%.2f unit=MB\n", growth, 20 / (growth > 1 ? growth : 1)
    printf "RESULT serve rss-after-load ours=%.1f anchor=%.1f ratio=%.2f unit=MB\n", after, before, before / after
    printf "RESULT serve rss-peak ours=%.1f anchor=%.1f ratio=%.2f unit=MB\n", peak, before, before / peak
    printf "RESULT serve sigterm-clean ours=%d anchor=1 ratio=%d unit=bool\n", clean, clean
  }' "$OUT"
# JMH SampleTime CSV: "Benchmark","Mode",...,"Score",...,"Unit"; percentiles are rows named <bench>:p0.50 etc.
awk -F, '
  NR > 1 {
    gsub(/"/, ""); name = $1; sub(/^.*Benchmark\./, "", name)
    if (name ~ /:p0\.50$/ || name ~ /:p0\.99$/) { split(name, p, ":"); s[p[1], p[2]] = $5; seen[p[1]] = 1 }
  }
  END {
    for (b in seen) {
      anchor = (b == "predict") ? 50 : 0
      for (q = 1; q <= 2; q++) {
        pq = (q == 1) ? "p0.50" : "p0.99"; o = s[b, pq]
        if (anchor > 0) printf "RESULT serve inproc-%s-%s ours=%.1f anchor=%d ratio=%.2f unit=us\n", b, pq, o, anchor, anchor / o
        else printf "RESULT serve inproc-%s-%s ours=%.1f anchor=na ratio=na unit=us\n", b, pq, o
      }
    }
  }' "$csv"
