#!/usr/bin/env bash
# bench/suites/xent.sh [--quick]: fused softmax cross-entropy, loss + dlogits in one pass (XentBenchmark):
# the native CPU backend (ours) vs the Java reference (anchor), on B×K = 65536×2, 65536×10, 4096×1000, 256×32000,
# plus a STREAM-style copy (CopyBenchmark) in the same JMH run as the bandwidth roof.
# Effective GB/s = 2·B·K·4 / time (read the logits, write the gradient; the kernel cannot move less).
# time = the median call: JMH's sample mode times single calls, for the kernels and the copy alike. The means of 1 s
# iterations (the average-time mode) carried a tail of slow calls on this 2-vCPU VM and the roof's mean spread over
# 44-66 GB/s between runs of the same command; its median held at 57-61 GB/s in four runs of five. The kernels'
# medians still differ between forks (docs/cpu-kernels.md). STREAM itself reports the best of its trials.
# Prints: RESULT xent <case> ours=<GB/s> anchor=<GB/s> ratio=<ours/anchor> unit=GB/s   (anchor: Java backend)
#         RESULT xent <case>_vs_copy ours=<GB/s> anchor=<copy GB/s> ratio=<fraction of the roof> unit=GB/s
set -euo pipefail
source "$(dirname "$0")/../common.sh"

bench_jmh_times "${1:-}"
bench_jmh_csv xent 'org\.embed4j\.bench\.(XentBenchmark|CopyBenchmark)\.' -bm sample
# columns: Benchmark, Mode, Threads, Samples, Score, Score Error (99.9%), Unit, Param: shape (score in us/op); in
# sample mode every benchmark has a row per percentile, named <benchmark>:p0.50 (older JMH: <benchmark>·p0.50)
bench_csv_rows "$BENCH_CSV" | awk -F'\t' '
  # three significant digits at least, so that a slow anchor (0.0213 GB/s) keeps its precision
  function fig(x) { return x >= 10 ? sprintf("%.1f", x) : sprintf("%.3g", x) }
  NR > 1 {
    if ($1 !~ /(:|·)p0\.50$/) next
    name = $1; sub(/(:|·)p0\.50$/, "", name)
    n = split(name, parts, "."); method = parts[n]; shape = (NF >= 8) ? $8 : ""
    if (method == "copy") { copy_us = $5; next }
    us[shape, method] = $5
    if (!(shape in seen)) { seen[shape] = 1; order[++count] = shape }
  }
  END {
    roof = copy_us > 0 ? 2 * 268435456 / (copy_us * 1e3) : -1
    for (i = 1; i <= count; i++) {
      s = order[i]; split(s, p, "_"); b = substr(p[1], 2) + 0; k = substr(p[2], 2) + 0
      bytes = 2.0 * b * k * 4
      if (!((s, "ours") in us)) { printf "xent: no result for %s ours\n", s > "/dev/stderr"; failed = 1; continue }
      o = bytes / (us[s, "ours"] * 1e3)
      if ((s, "anchor") in us) {
        a = bytes / (us[s, "anchor"] * 1e3)
        printf "RESULT xent %s ours=%s anchor=%s ratio=%.3f unit=GB/s\n", s, fig(o), fig(a), o / a
      }
      if (roof > 0) printf "RESULT xent %s_vs_copy ours=%s anchor=%s ratio=%.3f unit=GB/s\n", s, fig(o), fig(roof), o / roof
    }
    exit failed
  }'
