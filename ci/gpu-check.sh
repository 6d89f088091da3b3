#!/usr/bin/env bash
# GPU verification of libembed4j_cuda in one go (native/tests/cuda/gpu_check.py does the work):
#  1. uses the libraries in $1 (default .device/lib: built on the workstation and carried) when they load and
#     see a device; otherwise builds both native libraries here with CMake (-DE4J_CUDA=ON);
#  2. runs every CUDA kernel against the scalar C reference of libembed4j and PyTorch (awkward sizes,
#     duplicates, padding, bags, determinism, bad indices), then benchmarks against PyTorch on the same GPU;
#  3. writes the log to $OUT/gpu-report.txt (or ./gpu-report.txt) and exits non-zero if a check failed.
# Needs: an NVIDIA GPU, python3 with torch and numpy; nvcc + CMake only when it has to build.
# Usage: ci/gpu-check.sh [LIBDIR] [--quick] [--no-bench]
set -uo pipefail
cd "$(dirname "$0")/.."
LIBDIR="${1:-.device/lib}"
shift || true
REPORT="${OUT:-.}/gpu-report.txt"
export PYTHONUNBUFFERED=1

{
  echo "== embed4j GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.mem --format=csv,noheader 2>&1 || true
} | tee "$REPORT"

usable() {
  [ -f "$1/libembed4j_cuda.so" ] && [ -f "$1/libembed4j.so" ] && python3 - "$1" <<'PY'
import ctypes, sys
cu = ctypes.CDLL(sys.argv[1] + "/libembed4j_cuda.so"); ctypes.CDLL(sys.argv[1] + "/libembed4j.so")
n = ctypes.c_int32(0); cu.e4j_cuda_device_count(ctypes.byref(n)); sys.exit(0 if n.value > 0 else 1)
PY
}

if ! usable "$LIBDIR"; then
  echo "== building the native libraries here (carried ones missing or unusable)" | tee -a "$REPORT"
  BUILD=/tmp/e4j-gpu-build
  NVCC=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
  start=$(date +%s)
  cmake -S native -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DE4J_CUDA=ON -DCMAKE_CUDA_COMPILER="$NVCC" \
        -DE4J_OUTPUT_DIR="$BUILD/out" >"$BUILD.log" 2>&1 \
    && cmake --build "$BUILD" -j "$(nproc)" >>"$BUILD.log" 2>&1
  rc=$?
  tail -20 "$BUILD.log" | tee -a "$REPORT"
  echo "== build rc=$rc in $(( $(date +%s) - start )) s" | tee -a "$REPORT"
  LIBDIR="$BUILD/out"
fi

python3 native/tests/cuda/gpu_check.py "$LIBDIR" "$@" 2>&1 | tee -a "$REPORT"
rc=${PIPESTATUS[0]}

# Optional Java half: a jlink'ed runtime, the classes and the jars carried in .device (made by ci/gpu-pack.sh) run
# the JUnit tests of the packages in E4J_GPU_JAVA_TESTS with the CUDA backend available.
if [ -x .device/jre/bin/java ] && [ -d .device/java ]; then
  echo "== Java tests on the GPU: ${E4J_GPU_JAVA_TESTS:-org.embed4j.backend org.embed4j.nn org.embed4j.examples.mlp}" | tee -a "$REPORT"
  CP=".device/java/classes:.device/java/test-classes:$(ls .device/java/*.jar | tr '\n' ':')"
  timeout "${E4J_GPU_JAVA_TIMEOUT:-240}" .device/jre/bin/java --enable-native-access=ALL-UNNAMED -Xss8m \
      -Dembed4j.shared.data=../shared/data -cp "$CP" GpuTestMain ${E4J_GPU_JAVA_TESTS:-org.embed4j.backend org.embed4j.nn org.embed4j.examples.mlp} 2>&1 \
    | grep -v "^INFO\|^WARNING\|^[A-Z][a-z][a-z] [0-9]" | tee -a "$REPORT"
  jrc=${PIPESTATUS[0]}
  echo "== Java tests rc=$jrc" | tee -a "$REPORT"
  [ "$jrc" -ne 0 ] && rc=1
fi
exit "$rc"
