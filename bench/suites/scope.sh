#!/usr/bin/env bash
# bench/suites/scope.sh [--quick]: the cost of the close guarantee on WordVectors' smallest calls
# (ModelScopeBenchmark, JMH average time): a row copy and a word lookup through the model, against the same work
# on a plain off-heap segment and HashMap (the anchor), with 1 thread and with one thread per core.
# Prints: RESULT scope <case>-t<threads> ours=<ns> anchor=<ns> ratio=<anchor/ours> unit=ns
set -euo pipefail
source "$(dirname "$0")/../common.sh"

bench_jmh_times "${1:-}"
for t in 1 "$(nproc)"; do
  bench_jmh_csv "scope-t$t" 'org\.embed4j\.bench\.ModelScopeBenchmark\.' -t "$t"
  # CSV: "Benchmark","Mode","Threads","Samples","Score",... (score in ns/op)
  awk -F, -v t="$t" '
    NR > 1 {
      gsub(/"/, "")
      n = split($1, parts, "."); split(parts[n], p, "_")
      ns[p[1], p[2]] = $5; if (!(p[1] in seen)) { seen[p[1]] = 1; order[++count] = p[1] }
    }
    END {
      for (i = 1; i <= count; i++) {
        c = order[i]; o = ns[c, "ours"]; a = ns[c, "anchor"]
        printf "RESULT scope %s-t%s ours=%.1f anchor=%.1f ratio=%.2f unit=ns\n", c, t, o, a, a / o
      }
    }' "$BENCH_CSV"
done
