#!/usr/bin/env bash
# bench/suites/vectors-open.sh [--quick]: time to open a 1M×300 word-vector model from our memory-mapped
# native format (.e4jv) vs reading the same vectors as word2vec binary (VectorsOpenBenchmark, JMH single shots,
# warm page cache for both). Needs ~2.5 GB free in $VECTORS_DIR (default /tmp/embed4j-vectors-bench); the files
# are deleted afterwards unless KEEP_VECTORS=1. --quick: 1 warmup + 2 measured shots instead of 1 + 5.
# Prints: RESULT vectors-open <case> ours=<ms> anchor=<ms> ratio=<anchor/ours> unit=ms
set -euo pipefail
source "$(dirname "$0")/../common.sh"

DIR="${VECTORS_DIR:-/tmp/embed4j-vectors-bench}"
mkdir -p "$DIR"
free_kb=$(df -Pk "$DIR" | awk 'NR == 2 { print $4 }')
if [ "$free_kb" -lt $((3 * 1024 * 1024)) ]; then
  echo "vectors-open: need 3 GB free in $DIR, have $((free_kb / 1024)) MB; set VECTORS_DIR" >&2
  exit 1
fi
JMH_TIMES=(-wi 1 -i 5)
if [ "${1:-}" = "--quick" ]; then
  JMH_TIMES=(-wi 1 -i 2)
fi

cleanup() {
  if [ "${KEEP_VECTORS:-0}" != "1" ]; then
    rm -f "$DIR"/v*.bin "$DIR"/v*.e4jv
    rmdir "$DIR" 2>/dev/null || true
  fi
}
trap cleanup EXIT # also when JMH fails: the 2.5 GB of test files must not stay behind
bench_jmh_csv vectors-open 'org\.embed4j\.bench\.VectorsOpenBenchmark\.' -jvmArgsAppend "-Dvectors.dir=$DIR"
# columns: Benchmark, Mode, Threads, Samples, Score, Score Error (99.9%), Unit (score in ms/op)
bench_csv_rows "$BENCH_CSV" | awk -F'\t' '
  NR > 1 {
    n = split($1, parts, "."); split(parts[n], p, "_")
    ms[p[1], p[2]] = $5; if (!(p[1] in seen)) { seen[p[1]] = 1; order[++count] = p[1] }
  }
  END {
    for (i = 1; i <= count; i++) {
      c = order[i]; o = ms[c, "ours"]; a = ms[c, "anchor"]
      printf "RESULT vectors-open %s ours=%.1f anchor=%.1f ratio=%.2f unit=ms\n", c, o, a, a / o
    }
  }'
