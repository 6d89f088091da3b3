#!/usr/bin/env bash
# bench/suites/gpu.sh [--quick]: our CUDA kernels beside cuBLAS and cudaMemcpy on one NVIDIA GPU, in one JMH run
# (bench/java/org/embed4j/bench/gpu, Maven profiles bench,gpu,cuda; the anchors through org.bytedeco:cuda 13.1).
# Every launch, ours or an anchor's, is timed with CUDA events on the same stream; setup checks each kernel against a
# plain-Java reference before timing. Cases:
#   gather_d128/_d256, bag_sum_d*, bag_mean_d*   gather and embedding_bag forward, V=2^20, N=2^21 (D=128) or 2^20
#   backward_sgd_d128                            index sort + fused backward/SGD step, N=V=2^20
#   xent_k2 ... xent_k32000                      fused softmax-CE in place, B=2^26/K rows
#   gemm_4096                                    e4j_gemm_cuda vs cuBLAS cublasSgemm (FP32, no TF32)
#   sgns_d128                                    word2vec skip-gram chunk, 10^7 tokens, V=10^5, window 5, 5 negatives
# Bandwidth-bound cases count the fewest bytes they must move; their anchor is cudaMemcpyAsync device-to-device of
# 1 GiB (bytes read + written), so ratio is the fraction of that roof.
# Prints: RESULT gpu <case> ours=<GB/s> anchor=<copy GB/s> ratio=<fraction of the roof> unit=GB/s
#         RESULT gpu gemm_4096 ours=<TFLOP/s> anchor=<cuBLAS TFLOP/s> ratio=<ours/anchor> unit=TFLOP/s
#         RESULT gpu sgns_d128 ours=<M words/s> anchor=na ratio=na unit=Mwords/s
# Needs an NVIDIA driver and the CUDA 13 runtime libraries (ci/cuda-libs.sh finds them, e.g. PyTorch's nvidia wheels).
# E4J_GPU_PACK=<folder> (ci/gpu-pack.sh's .device) runs the packed JRE and jars instead of building with Maven.
# Without a device or libraries: one NOTE per case saying why, and exit status 1.
set -euo pipefail
source "$(dirname "$0")/../common.sh"

CASES="gather_d128 bag_sum_d128 bag_mean_d128 gather_d256 bag_sum_d256 bag_mean_d256 backward_sgd_d128 xent_k2
xent_k10 xent_k1024 xent_k8192 xent_k32000 gemm_4096 sgns_d128"

# note_all <reason>: a NOTE for every case, then exit 1
note_all() {
  local reason c
  reason=$(printf '%s' "$1" | sed 's/ (JavaCPP:.*//' | tr -c ' -~' ' ' | tr -s ' ' | cut -c1-300)
  for c in $CASES; do echo "NOTE gpu $c n/a: $reason"; done
  exit 1
}

if [ -n "${E4J_GPU_PACK:-}" ]; then
  JAVA="$E4J_GPU_PACK/jre/bin/java"
  CP="$(sed "s|^|$E4J_GPU_PACK/bench/|; s|:|:$E4J_GPU_PACK/bench/|g" "$E4J_GPU_PACK/bench/classpath.txt")"
  CSV_DIR="$E4J_GPU_PACK/bench"
else
  (cd "$BENCH_ROOT" && mvn -B -q -ntp -Pbench,gpu,cuda -pl bench -am -Dno-docs -DskipTests package) >&2
  JAVA=java
  CP="$BENCH_ROOT/bench/target-gpu/classes:$(cat "$BENCH_ROOT/bench/target-gpu/classpath.txt")"
  CSV_DIR="$BENCH_ROOT/bench/target-gpu"
fi
if libs=$("$BENCH_ROOT/ci/cuda-libs.sh"); then :; else echo "gpu: CUDA 13 libraries incomplete (above)" >&2; fi
export LD_LIBRARY_PATH="${libs:-}${libs:+${LD_LIBRARY_PATH:+:}}${LD_LIBRARY_PATH:-}"

probe=$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" org.embed4j.bench.gpu.GpuProbe 2>&1) && rc=0 || rc=$?
echo "$probe" | sed 's/^/gpu probe: /' >&2
if [ $rc != 0 ]; then
  note_all "$(echo "$probe" | grep -m1 '^unavailable' || echo "the probe failed (status $rc)")"
fi
cublas=$(echo "$probe" | sed -n 's/^unavailable cublas: //p')

bench_jmh_times "${1:-}"
CSV="$CSV_DIR/jmh-gpu.csv"
rm -f "$CSV"
"$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" org.openjdk.jmh.Main 'org\.embed4j\.bench\.gpu\.' -f 1 \
  "${JMH_TIMES[@]}" -rf csv -rff "$CSV" >&2 || true
[ -s "$CSV" ] || note_all "JMH wrote no results (see the log)"

# Secondary results of GpuTime per benchmark and parameter: <Benchmark>:gpuNanos, :launches, :work (Score column).
bench_csv_rows "$CSV" | awk -F'\t' -v cases="$CASES" -v cublas="$cublas" '
  function fig(x) { return x >= 10 ? sprintf("%.1f", x) : sprintf("%.3g", x) }
  NR == 1 { for (i = 1; i <= NF; i++) { col[$i] = i }; next }
  {
    split($1, parts, ":"); if (!(2 in parts)) next
    n = split(parts[1], name, "."); method = name[n]
    param = ""
    if ("Param: dim" in col && $col["Param: dim"] != "") param = "_d" $col["Param: dim"]
    if ("Param: classes" in col && $col["Param: classes"] != "") param = "_k" $col["Param: classes"]
    value[method param, parts[2]] = $col["Score"]
  }
  function rate(key) {   # work per device nanosecond, or -1 when the benchmark has no result
    if (!((key, "gpuNanos") in value) || value[key, "gpuNanos"] <= 0) return -1
    return value[key, "work"] / value[key, "gpuNanos"]
  }
  function bandwidth(c, key,   o) {
    o = rate(key)
    if (o < 0) { printf "NOTE gpu %s n/a: the benchmark did not run (setup check or launch failed; see the log)\n", c; failed = 1; return }
    if (roof > 0) printf "RESULT gpu %s ours=%s anchor=%s ratio=%.3f unit=GB/s\n", c, fig(o), fig(roof), o / roof
    else printf "RESULT gpu %s ours=%s anchor=na ratio=na unit=GB/s\n", c, fig(o)
  }
  END {
    roof = rate("copy")
    if (roof < 0) { printf "gpu: the copy roof did not run\n" > "/dev/stderr"; failed = 1 }
    for (d = 128; d <= 256; d *= 2) {
      bandwidth("gather_d" d, "gather_d" d); bandwidth("bag_sum_d" d, "bagSum_d" d); bandwidth("bag_mean_d" d, "bagMean_d" d)
    }
    bandwidth("backward_sgd_d128", "backwardSgd")
    split("2 10 1024 8192 32000", ks, " ")
    for (i = 1; i <= 5; i++) bandwidth("xent_k" ks[i], "xent_k" ks[i])
    o = rate("gemmOurs"); a = rate("gemmCublas")
    if (o < 0) { print "NOTE gpu gemm_4096 n/a: the benchmark did not run (see the log)"; failed = 1 }
    else if (a > 0) printf "RESULT gpu gemm_4096 ours=%.2f anchor=%.2f ratio=%.3f unit=TFLOP/s\n", o / 1e3, a / 1e3, o / a
    else {
      printf "RESULT gpu gemm_4096 ours=%.2f anchor=na ratio=na unit=TFLOP/s\n", o / 1e3
      printf "NOTE gpu gemm_4096_cublas n/a: %s\n", (cublas != "" ? cublas : "the cuBLAS benchmark did not run (see the log)")
    }
    o = rate("sgns")
    if (o < 0) { print "NOTE gpu sgns_d128 n/a: the benchmark did not run (see the log)"; failed = 1 }
    else printf "RESULT gpu sgns_d128 ours=%.1f anchor=na ratio=na unit=Mwords/s\n", o * 1e3
    exit failed
  }'
