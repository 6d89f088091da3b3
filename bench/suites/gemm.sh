#!/usr/bin/env bash
# bench/suites/gemm.sh [--quick]: e4j_gemm (CPU backend, AVX2) vs OpenBLAS cblas_sgemm, same JVM, same memory.
# Cases (GemmBenchmark): square 256/512/1024/2048 and nn.Linear's three products on a batch of 512,
# each with 1 and 2 threads (one JMH fork per thread count: the native thread count is process-wide).
# Prints: RESULT gemm <case>_t<threads> ours=<GFLOP/s> anchor=<GFLOP/s> ratio=<ours/anchor> unit=GFLOP/s
set -euo pipefail
source "$(dirname "$0")/../common.sh"

bench_jmh_times "${1:-}"
for threads in 1 2; do
  bench_jmh_csv "gemm-t$threads" 'org\.embed4j\.bench\.GemmBenchmark\.' -jvmArgsAppend "-Dembed4j.threads=$threads"
  # columns: Benchmark, Mode, Threads, Samples, Score, Score Error (99.9%), Unit, Param: shape (score in us/op)
  bench_csv_rows "$BENCH_CSV" | awk -F'\t' -v t="$threads" '
    function dims(s,   p, in_, out) {   # sets M N K for a case name (see GemmBenchmark.Case)
      if (s ~ /^sq/) { M = N = K = substr(s, 3) + 0; return }
      split(s, p, "_"); in_ = substr(p[2], 3) + 0; out = substr(p[3], 4) + 0
      if (p[1] == "fwd") { M = 512; N = out; K = in_ }
      else if (p[1] == "dx") { M = 512; N = in_; K = out }
      else { M = out; N = in_; K = 512 }
    }
    NR > 1 {
      n = split($1, parts, "."); method = parts[n]; shape = $NF
      us[shape, method] = $5; if (!(shape in seen)) { seen[shape] = 1; order[++count] = shape }
    }
    END {
      for (i = 1; i <= count; i++) {
        s = order[i]; dims(s); flops = 2.0 * M * N * K
        if (!((s, "ours") in us) || !((s, "anchor") in us)) { printf "gemm: no result for %s\n", s > "/dev/stderr"; failed = 1; continue }
        o = flops / (us[s, "ours"] * 1e3); a = flops / (us[s, "anchor"] * 1e3)
        printf "RESULT gemm %s_t%d ours=%.2f anchor=%.2f ratio=%.3f unit=GFLOP/s\n", s, t, o, a, o / a
      }
      exit failed
    }'
done
