#!/usr/bin/env bash
# bench/suites/train-step.sh [--quick]: time per training step of the embedding MLP classifier (TrainStepBenchmark:
# EmbeddingBag mean V=10k D=100 → Linear+ReLU 100 → Linear 6, softmax-CE, Adam; batch 64 × 20 tokens):
# the native CPU backend (ours) vs the Java reference backend (anchor), in the same JVM run.
# Prints: RESULT train-step mlp_b64_d100_v10k ours=<ms> anchor=<ms> ratio=<anchor/ours> unit=ms
set -euo pipefail
source "$(dirname "$0")/../common.sh"

bench_jmh_times "${1:-}"
bench_jmh_csv train-step 'org\.embed4j\.bench\.TrainStepBenchmark\.'
# columns: Benchmark, Mode, Threads, Samples, Score, Score Error (99.9%), Unit, Param: backend (ms/op)
bench_csv_rows "$BENCH_CSV" | awk -F'\t' '
  NR > 1 { ms[$8] = $5 }
  END {
    if (!("cpu" in ms) || !("java" in ms)) { print "train-step: missing cpu or java result" > "/dev/stderr"; exit 1 }
    printf "RESULT train-step mlp_b64_d100_v10k ours=%.3f anchor=%.3f ratio=%.2f unit=ms\n", ms["cpu"], ms["java"], ms["java"] / ms["cpu"]
  }'
