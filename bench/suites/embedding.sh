#!/usr/bin/env bash
# bench/suites/embedding.sh [--quick]: nn.Embedding on a 1M×128 table, 100k random indices (EmbeddingBenchmark):
# gather, EmbeddingBag mean, sum and max (bags of 20), backward fused with SGD. Ours = native CPU backend; anchors in the same
# JVM: libtorch CPU (org.bytedeco:pytorch) and the Java reference; plus a STREAM-style copy (bandwidth roof).
# Effective GB/s = the bytes a kernel must move at least / time:
#   gather  2·N·D·4 + 8N                (read rows, write out, read indices)
#   bag     N·D·4 + B·D·4 + 8N + 8(B+1)   (max also writes its argmax: + B·D·8)
#   update  N·D·4 + 2·U·D·4 + 8N        (read dOut, read+write the U touched rows; U = 95163 expected unique rows)
#   copy    2 · 256 MiB                 (STREAM: read + write)
# Prints: RESULT embedding <case> ours=<GB/s> anchor=<GB/s> ratio=<ours/anchor> unit=GB/s
#   <case> = gather|bag_mean|bag_sum|bag_max|backward_sgd (anchor libtorch), <case>_vs_java (anchor Java backend),
#   <case>_vs_copy (anchor: the copy roof; ratio = fraction of the machine's bandwidth reached).
# If libtorch does not load, each libtorch line is a NOTE <case> n/a line instead; the _vs_java lines remain.
# A missing result of ours fails the suite.
set -euo pipefail
source "$(dirname "$0")/../common.sh"

bench_jmh_times "${1:-}"
bench_jmh_csv embedding 'org\.embed4j\.bench\.(EmbeddingBenchmark|CopyBenchmark)\.'
# columns: Benchmark, Mode, Threads, Samples, Score, Score Error (99.9%), Unit (score in us/op)
bench_csv_rows "$BENCH_CSV" | awk -F'\t' '
  # three significant digits at least, so that a slow anchor (0.0213 GB/s) keeps its precision
  function fig(x) { return x >= 10 ? sprintf("%.1f", x) : sprintf("%.3g", x) }
  NR > 1 {
    n = split($1, parts, "."); us[parts[n]] = $5
  }
  function gbs(bytes, name) { return (name in us) ? bytes / (us[name] * 1e3) : -1 }
  function line(c, o, a) {
    if (o < 0 || a < 0) return
    printf "RESULT embedding %s ours=%s anchor=%s ratio=%.3f unit=GB/s\n", c, fig(o), fig(a), o / a
  }
  END {
    N = 100000; D = 128; B = 5000; U = 95163
    bytes["gather"] = 2 * N * D * 4 + 8 * N
    bytes["bag"] = N * D * 4 + B * D * 4 + 8 * N + 8 * (B + 1)
    bytes["update"] = N * D * 4 + 2 * U * D * 4 + 8 * N
    bytes["bag_sum"] = bytes["bag"]; bytes["bag_max"] = bytes["bag"] + B * D * 8
    label["gather"] = "gather"; label["bag"] = "bag_mean"; label["update"] = "backward_sgd"
    label["bag_sum"] = "bag_sum"; label["bag_max"] = "bag_max"
    roof = gbs(2 * 268435456, "copy")
    split("gather bag bag_sum bag_max update", cases, " ")
    for (i = 1; i <= 5; i++) {
      c = cases[i]
      ours = gbs(bytes[c], c "_ours")
      if (ours < 0) { printf "embedding: no result for %s_ours\n", c > "/dev/stderr"; failed = 1; continue }
      if ((c "_torch") in us) line(label[c], ours, gbs(bytes[c], c "_torch"))
      else printf "NOTE embedding %s n/a: libtorch gave no result (see the log); %s_vs_java has the Java backend" \
        " as anchor\n", label[c], label[c]
      line(label[c] "_vs_java", ours, gbs(bytes[c], c "_java"))
      line(label[c] "_vs_copy", ours, roof)
    }
    exit failed
  }'
