#!/usr/bin/env bash
# bench/suites/serve.sh [--quick|--long|--attack [--quick]]: the HTTP service under load, against an anchor measured
# in the same run.
#
# Writes a random 100k-word × 100 model (.e4jv, memory-mapped) and a 4-label classifier (ServeLoad models), then
# for each of two servers in turn — ours, `embed4j serve` (the CLI jar, on loopback with a bearer token), and the
# anchor — starts it, warms it up, drives it for classify batch 1, classify batch 32 and nearest k=10 with wrk
# (Debian package wrk, installed here when missing and apt-get can; one wrk thread, N keep-alive connections,
# fixed duration, --latency for p50/p99, a Lua script that POSTs pre-built JSON bodies with the token), or, without
# wrk, with ServeLoad's Java client. Reads the server's RSS after warm-up and after the load (and every 2 s in
# between, for the peak) and its CPU time per request, and ends it with SIGTERM (a clean shutdown is logged).
# Then JMH SampleTime figures of the same library calls in process (ServeLibraryBenchmark).
#
# The anchor (SERVE_ANCHOR): "jetty" (default) is ServeAnchor, the same two endpoints over the same library calls
# on a bare Jetty handler with no limits, auth, checks or metrics: the ratio is what the service costs beyond
# HTTP and the model. "jar:<path>" runs `serve` of another embed4j CLI jar instead (another build, to compare two
# versions of the service in one run).
# Seconds per case: 8 (--quick 4, --long 60: the soak). Client and servers share the machine's cores.
# Server JVM options: SERVE_JAVA_OPTS (default a fixed 256 MB pre-touched heap, so that RSS growth means
# something outside the heap grows). SERVE_CLIENT=java forces the Java client.
#
# --attack: the attack soak (ServeAttack) against ours alone, 30 s (--quick 10 s): normal classify requests at
# SERVE_ATTACK_RATE per second (default 200) from 127.0.0.1 while attackers on 127.0.0.2-5 hold 1,030 keep-alive
# connections, trickle 1,100 heads a byte at a time, send 1 MiB bodies on 160 connections and 1 MiB bodies at
# 1 KiB/s on 200 (the body attackers hold the token: a misbehaving client, not a stranger stopped at 401). The server
# runs with the JVM settings docs/serving.md recommends for a service: a fixed, pre-touched 256 MB heap (so that its
# RSS is known at start and growth means memory outside the heap) and a 20 ms G1 pause goal (G1's default, 200 ms,
# lets the young generation grow until pauses approach it); its request memory budget is the default 64 MiB.
# SERVE_ATTACK_JAVA_OPTS replaces those JVM options (GC logging, JFR, other heaps); SERVE_ATTACK_JAR runs another CLI
# jar as the server (a build to compare with, back to back). The attackers' JVM runs at nice 10 (SERVE_ATTACK_NICE):
# a real attacker's sockets are driven by its own machine's cores, and here its JVM takes half a core or more of the
# two, which at equal priority measures the harness, not the server; the attack's counts (ATTACKERS line) show its
# intensity. Also printed (stderr): the CPU seconds of the server and of the attackers' JVM during the normal client's
# run, and the path of the normal client's per-request trace.
#
# Prints: RESULT serve <case> ours=<v> anchor=<v> ratio=<bigger is better> unit=<u> (the grammar of bench/run.sh).
# Counts whose ratio says nothing (errors, a clean shutdown, RSS growth near 0) print ratio=na.
set -euo pipefail
source "$(dirname "$0")/../common.sh"

MODE=load; SECS=8; JMH_TIMES=(-wi 2 -i 3 -w 2s -r 3s)
case "${1:-}" in
  --quick) SECS=4; JMH_TIMES=(-wi 1 -i 1 -w 1s -r 2s) ;;
  --long) SECS=60 ;;
  --attack) MODE=attack; SECS=30; [ "${2:-}" = --quick ] && SECS=10 ;;
esac
DIR="${SERVE_DIR:-/tmp/embed4j-serve-bench}"
mkdir -p "$DIR"

bench_build
CP="$(bench_classpath)"
bench_cli_jar "$DIR/jar"
JAVA_CP=(java --enable-native-access=ALL-UNNAMED -cp "$CP")

# rewritten every run (a few seconds) so that they always match the file formats of this build; REUSE_MODELS=1 keeps them
if [ "${REUSE_MODELS:-0}" != "1" ] || [ ! -f "$DIR/vectors.e4jv" ] || [ ! -f "$DIR/classifier.e4jc" ]; then
  echo "serve: writing models to $DIR" >&2
  "${JAVA_CP[@]}" org.embed4j.bench.ServeLoad models "$DIR" 100000 100 >&2
fi
TOKEN_FILE="$DIR/token"
(umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$TOKEN_FILE")
TICK=$(getconf CLK_TCK)
SERVER=""; SAMPLER=""
cleanup() { kill $SERVER $SAMPLER ${ATTACKERS:-} 2>/dev/null || true; }
trap cleanup EXIT

# start_server <label> <java options...> -- <command...>: runs it in the background, sets SERVER and PORT
start_server() {
  local label="$1"; shift
  LOG="$DIR/server-$label.log"; : > "$LOG"
  "$@" > "$LOG" 2>&1 &
  SERVER=$!
  PORT=""
  for _ in $(seq 1 300); do
    PORT=$(sed -n 's/^embed4j serve: listening on http:\/\/[^:]*:\([0-9]*\)$/\1/p' "$LOG" | head -1)
    [ -n "$PORT" ] && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$LOG" >&2; echo "serve: $label died" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$PORT" ] || { cat "$LOG" >&2; echo "serve: $label has no port after 30 s" >&2; exit 1; }
}
# stop_server: SIGTERM; sets CLEAN to 1 when the server logged a clean shutdown ("embed4j serve: stopped")
stop_server() {
  kill -TERM "$SERVER"
  local status=0; wait "$SERVER" || status=$?
  echo "serve: server exited with status $status after SIGTERM" >&2
  SERVER=""
  CLEAN=0; grep -q "^embed4j serve: stopped" "$LOG" && CLEAN=1
}
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER/stat"; }

SERVE_ARGS=(serve --model "$DIR/vectors.e4jv" --classifier "$DIR/classifier.e4jc" --port 0 --token-file "$TOKEN_FILE")
OURS=(java --enable-native-access=ALL-UNNAMED ${SERVE_JAVA_OPTS:--Xms256m -Xmx256m -XX:+AlwaysPreTouch} -jar "$JAR" "${SERVE_ARGS[@]}")

if [ "$MODE" = attack ]; then
  echo "serve: attack soak, ${SECS} s; load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2
  start_server ours java --enable-native-access=ALL-UNNAMED \
    ${SERVE_ATTACK_JAVA_OPTS:--Xms256m -Xmx256m -XX:+AlwaysPreTouch -XX:MaxGCPauseMillis=20} -jar "${SERVE_ATTACK_JAR:-$JAR}" \
    "${SERVE_ARGS[@]}"
  for c in classify-b1 nearest-k10; do
    "${JAVA_CP[@]}" org.embed4j.bench.ServeLoad load "$PORT" "$c" 4 20000 3 "$TOKEN_FILE" >&2
  done
  BASE=$(rss_mb)
  (while kill -0 "$SERVER" 2>/dev/null; do rss_mb; echo; sleep 0.5; done) > "$DIR/rss-attack.txt" 2>/dev/null &
  SAMPLER=$!
  # attackers and the normal client in separate JVMs: the attackers' threads must not delay the normal requests
  nice -n "${SERVE_ATTACK_NICE:-10}" "${JAVA_CP[@]}" -Xmx1g org.embed4j.bench.ServeAttack attackers "$PORT" $((SECS + 8)) \
    "$TOKEN_FILE" >&2 &
  ATTACKERS=$!
  sleep 3 # the attack is on before the first normal request
  S0=$(cpu_ticks); A0=$(awk '{ print $14 + $15 }' "/proc/$ATTACKERS/stat")
  LINE=$("${JAVA_CP[@]}" -Dserve.attack.trace="$DIR/attack-trace.txt" org.embed4j.bench.ServeAttack normal "$PORT" "$SECS" \
    "${SERVE_ATTACK_RATE:-200}" "$TOKEN_FILE")
  S1=$(cpu_ticks); A1=$(awk '{ print $14 + $15 }' "/proc/$ATTACKERS/stat" 2>/dev/null || echo "$A0") # 0 when they ended first
  echo "$LINE" >&2
  # CPU seconds during the normal client's run: the server's and the attackers' (they share the cores)
  echo "serve: CPU s during the normal run: server $(( (S1 - S0) / TICK )).$(( (S1 - S0) % TICK )) of $SECS s, attackers $(( (A1 - A0) / TICK )).$(( (A1 - A0) % TICK )); trace in $DIR/attack-trace.txt" >&2
  wait "$ATTACKERS" || true
  kill "$SAMPLER" 2>/dev/null || true; SAMPLER=""
  PEAK=$(awk -v p=0 '$1 > p { p = $1 } END { printf "%.1f", p }' "$DIR/rss-attack.txt")
  grep -E "embed4j_(http_connections|request_memory|request_rate|model_ready)" <(curl -s -H "Authorization: Bearer $(cat "$TOKEN_FILE")" \
    "http://127.0.0.1:$PORT/metrics") >&2 || true
  stop_server
  echo "serve: load average at end: $(cut -d' ' -f1-3 /proc/loadavg); RSS MB after warm-up $BASE, peak $PEAK; clean stop $CLEAN" >&2
  trap - EXIT
  echo "$LINE" | awk -v base="$BASE" -v peak="$PEAK" '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    ok = v["normal_ok"] / v["normal_total"]
    anchor = base + 64   # the baseline RSS plus the default request memory budget (64 MiB)
    printf "RESULT serve attack-normal-success ours=%.4f anchor=1 ratio=%.4f unit=fraction\n", ok, ok
    printf "RESULT serve attack-normal-p99 ours=%.3f anchor=50 ratio=%.2f unit=ms\n", v["p99_ms"], 50 / v["p99_ms"]
    printf "RESULT serve attack-rss-peak ours=%.1f anchor=%.1f ratio=%.2f unit=MB\n", peak, anchor, anchor / peak
  }'
  exit 0
fi

# the load generator: wrk when present or installable (a bench-only tool, so installed here, not by ci/)
CLIENT=java
if [ "${SERVE_CLIENT:-wrk}" = wrk ]; then
  if ! command -v wrk >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "serve: installing wrk (Debian package) for the load generator" >&2
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }; } >/dev/null 2>&1 || true
  fi
  command -v wrk >/dev/null && CLIENT=wrk || echo "serve: no wrk; using the Java client (it takes a larger share of the cores)" >&2
fi
for c in classify-b1 classify-b32 nearest-k10; do "${JAVA_CP[@]}" org.embed4j.bench.ServeLoad bodies "$c" "$DIR/bodies-$c.txt"; done
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
    line=$("${JAVA_CP[@]}" org.embed4j.bench.ServeLoad load "$PORT" "$kase" "$conns" 4000000 "$secs" "$TOKEN_FILE")
  fi
  c1=$(cpu_ticks)
  echo "$line" | awk -v t="$((c1 - c0))" -v hz="$TICK" '{
    for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    n = v["ok"] + v["errors"]; printf "%s server_cpu_us=%.1f\n", $0, (n > 0 ? t / hz * 1e6 / n : 0) }'
}

# measure <label>: warm-up, the three cases, RSS and a clean stop of the running server; writes $DIR/load-<label>.txt
measure() {
  local label="$1" out="$DIR/load-$1.txt" before after peak
  : > "$out"
  echo "serve: $label: load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; client: $CLIENT" >&2
  # warm-up: JIT the server's paths before anything is measured
  for c in classify-b1 classify-b32 nearest-k10; do load "$c" 8 3 >&2; done
  before=$(rss_mb)
  (while kill -0 "$SERVER" 2>/dev/null; do rss_mb; echo; sleep 2; done) > "$DIR/rss-$label.txt" 2>/dev/null &
  SAMPLER=$!
  load classify-b1 16 "$SECS" | tee -a "$out" >&2
  load classify-b32 8 "$SECS" | tee -a "$out" >&2
  load nearest-k10 8 "$SECS" | tee -a "$out" >&2
  after=$(rss_mb)
  kill "$SAMPLER" 2>/dev/null || true; SAMPLER=""
  peak=$(awk -v p="$after" '$1 > p { p = $1 } END { printf "%.1f", p }' "$DIR/rss-$label.txt")
  stop_server
  echo "serve: $label: load average at end: $(cut -d' ' -f1-3 /proc/loadavg); RSS MB after warm-up $before, peak $peak, after $after; clean stop $CLEAN" >&2
  echo "RSS before=$before after=$after peak=$peak clean=$CLEAN" >> "$out"
}

start_server ours "${OURS[@]}"
measure ours
ANCHOR="${SERVE_ANCHOR:-jetty}"
case "$ANCHOR" in
  jetty) start_server anchor "${JAVA_CP[@]}" ${SERVE_JAVA_OPTS:--Xms256m -Xmx256m -XX:+AlwaysPreTouch} org.embed4j.bench.ServeAnchor "$DIR" 0 ;;
  jar:*) start_server anchor java --enable-native-access=ALL-UNNAMED ${SERVE_JAVA_OPTS:--Xms256m -Xmx256m -XX:+AlwaysPreTouch} \
           -jar "${ANCHOR#jar:}" "${SERVE_ARGS[@]}" ;;
  *) echo "serve: SERVE_ANCHOR must be jetty or jar:<path>, got $ANCHOR" >&2; exit 2 ;;
esac
measure anchor
trap - EXIT

csv="$BENCH_BUILD/jmh-serve.csv"
bench_jmh 'org\.embed4j\.bench\.ServeLibraryBenchmark\.' -f 1 "${JMH_TIMES[@]}" -jvmArgsAppend "-Dserve.dir=$DIR" \
  -rf csv -rff "$csv" >&2

awk '
  FNR == 1 { who = (FILENAME ~ /load-ours/) ? "ours" : "anchor" }
  /^LOAD / { c = $2; for (i = 3; i <= NF; i++) { split($i, kv, "="); v[who, c, kv[1]] = kv[2] } if (who == "ours") order[++n] = c }
  /^RSS / { for (i = 2; i <= NF; i++) { split($i, kv, "="); r[who, kv[1]] = kv[2] } }
  function line(name, o, a, ratio, unit) { printf "RESULT serve %s ours=%s anchor=%s ratio=%s unit=%s\n", name, o, a, ratio, unit }
  END {
    for (i = 1; i <= n; i++) {
      c = order[i]
      o = v["ours", c, "rps"]; a = v["anchor", c, "rps"]
      line(c "-rps", sprintf("%.0f", o), sprintf("%.0f", a), a > 0 ? sprintf("%.2f", o / a) : "na", "req/s")
      for (q = 1; q <= 2; q++) {
        k = q == 1 ? "p50_ms" : "p99_ms"; o = v["ours", c, k]; a = v["anchor", c, k]
        line(c "-" (q == 1 ? "p50" : "p99"), sprintf("%.3f", o), sprintf("%.3f", a), o > 0 ? sprintf("%.2f", a / o) : "na", "ms")
      }
      o = v["ours", c, "server_cpu_us"]; a = v["anchor", c, "server_cpu_us"]
      line(c "-server-cpu", sprintf("%.1f", o), sprintf("%.1f", a), o > 0 ? sprintf("%.2f", a / o) : "na", "us/req")
      eo += v["ours", c, "errors"]; ea += v["anchor", c, "errors"]
    }
    # counts: both measured, a ratio of them says nothing
    line("errors", eo, ea, "na", "count")
    line("rss-growth", sprintf("%.1f", r["ours", "after"] - r["ours", "before"]), sprintf("%.1f", r["anchor", "after"] - r["anchor", "before"]), "na", "MB")
    line("rss-peak", r["ours", "peak"], r["anchor", "peak"], sprintf("%.2f", r["anchor", "peak"] / r["ours", "peak"]), "MB")
    line("sigterm-clean", r["ours", "clean"], r["anchor", "clean"], "na", "bool")
  }' "$DIR/load-ours.txt" "$DIR/load-anchor.txt"
# JMH SampleTime CSV: "Benchmark","Mode",...,"Score",...,"Unit"; percentiles are rows named <bench>:p0.50 etc.
# The library calls themselves: nothing in the same run to compare them with, so anchor=na.
awk -F, '
  NR > 1 {
    gsub(/"/, ""); name = $1; sub(/^.*Benchmark\./, "", name)
    if (name ~ /:p0\.50$/ || name ~ /:p0\.99$/) { split(name, p, ":"); s[p[1], p[2]] = $5; seen[p[1]] = 1 }
  }
  END {
    for (b in seen) {
      for (q = 1; q <= 2; q++) {
        pq = (q == 1) ? "p0.50" : "p0.99"
        printf "RESULT serve inproc-%s-%s ours=%.1f anchor=na ratio=na unit=us\n", b, pq, s[b, pq]
      }
    }
  }' "$csv"
