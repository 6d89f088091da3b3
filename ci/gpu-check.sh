#!/usr/bin/env bash
# GPU verification of embed4j in one call on a machine with an NVIDIA GPU, from the pack that ci/gpu-pack.sh made
# (PACK: $E4J_GPU_PACK, default .device; the machine needs no JDK, Maven or network):
#   paths     the pack's libraries, JRE, jars and test packages, and the python driver's files are there
#   device    nvidia-smi sees a GPU and the carried libembed4j_cuda.so sees it too (else both libraries are built
#             here with CMake, when nvcc is there)
#   python    native/tests/cuda/gpu_check.py: every CUDA kernel against the scalar C reference and PyTorch, then
#             the benchmarks against PyTorch on the same GPU (--no-bench skips them, --quick passes through)
#   java      the JUnit tests of $E4J_GPU_JAVA_TESTS (default: backend nn optim classify word2vec vectors) with CUDA
#             the auto-selected backend (GpuTestMain --require-cuda), from the pack's JRE and jars
#   jmh       with --jmh: bench/run.sh gpu [--quick], the JVM suite (our kernels beside cuBLAS and cudaMemcpy);
#             --quick only shortens this suite
#   sanitizer with --sanitize: compute-sanitizer memcheck and racecheck over the conformance run (no benchmarks),
#             when the machine has compute-sanitizer
# --dry-run checks the paths and says what it would run, without a device. The log goes to $OUT/gpu-report.txt
# (or ./gpu-report.txt), and a summary of the steps ends it.
# Exit status: 0 every step passed; 1 a check failed; 2 no device, or the pack is incomplete.
# Usage: ci/gpu-check.sh [--dry-run] [--quick] [--no-bench] [--no-java] [--jmh] [--sanitize] [LIBDIR]
#   LIBDIR: the native libraries to test (default PACK/lib)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PACK=$(realpath -m "${E4J_GPU_PACK:-.device}")
REPORT="${OUT:-.}/gpu-report.txt"
JAVA_TESTS="${E4J_GPU_JAVA_TESTS:-org.embed4j.backend org.embed4j.nn org.embed4j.optim org.embed4j.classify org.embed4j.word2vec org.embed4j.vectors}"
DRY=0 QUICK=() BENCH=1 JAVA=1 JMH=0 SANITIZE=0 LIBDIR=""
for arg in "$@"; do
  case "$arg" in
    --dry-run) DRY=1 ;;
    --quick) QUICK=(--quick) ;;
    --no-bench) BENCH=0 ;;
    --no-java) JAVA=0 ;;
    --jmh) JMH=1 ;;
    --sanitize) SANITIZE=1 ;;
    -*) echo "usage: ci/gpu-check.sh [--dry-run] [--quick] [--no-bench] [--no-java] [--jmh] [--sanitize] [LIBDIR]" >&2
        exit 2 ;;
    *) LIBDIR="$arg" ;;
  esac
done
LIBDIR=$(realpath -m "${LIBDIR:-$PACK/lib}")
export PYTHONUNBUFFERED=1
: >"$REPORT"
SUMMARY=()

log() { echo "$*" | tee -a "$REPORT"; }
# step <name> <status 0|1|2> [detail]: one summary line per step
step() { SUMMARY+=("$([ "$2" = 0 ] && echo PASS || echo FAIL) $1${3:+: $3}"); }
finish() {
  log ""
  log "==== SUMMARY ===="
  for line in "${SUMMARY[@]}"; do log "$line"; done
  exit "$1"
}

log "== embed4j GPU check, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), pack $PACK"

# ---------------------------------------------------------------- paths
missing=()
need() { [ -e "$1" ] || missing+=("$1"); }
for f in libembed4j.so libembed4j_cuda.so; do need "$LIBDIR/$f"; done
for f in gpu_check.py gpu_common.py gpu_tests_embedding.py gpu_tests_dense.py gpu_bench.py abi.py; do
  need "native/tests/cuda/$f"
done
need native/include/embed4j.h
need native/include/embed4j_cuda.h
if [ $JAVA = 1 ]; then
  need "$PACK/jre/bin/java"
  need "$PACK/java/gputestmain.jar"
  need "$(ls "$PACK"/java/embed4j-core-*-tests.jar 2>/dev/null | head -1 || true)"
fi
if [ $JMH = 1 ]; then
  need "$PACK/bench/classpath.txt"
  if [ -f "$PACK/bench/classpath.txt" ]; then
    for jar in $(tr ':' ' ' <"$PACK/bench/classpath.txt"); do need "$PACK/bench/$jar"; done
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "missing: ${missing[*]} (make the pack with ci/gpu-pack.sh)"
  step paths 1 "${#missing[@]} missing"
  finish 2
fi
JAVA_CP="$(ls "$PACK"/java/*.jar 2>/dev/null | tr '\n' ':')"
JAVA_PROPS=(-Dembed4j.repo.root="$ROOT" -Dembed4j.shared.data="$ROOT/../shared/data")
run_java_tests() {  # run_java_tests [GpuTestMain options]: in src/core, as Surefire runs core's tests
  (cd src/core && timeout "${E4J_GPU_JAVA_TIMEOUT:-360}" "$PACK/jre/bin/java" --enable-native-access=ALL-UNNAMED \
    -Xss8m "${JAVA_PROPS[@]}" -cp "$JAVA_CP" GpuTestMain "$@" $JAVA_TESTS 2>&1)
}
if [ $JAVA = 1 ]; then
  run_java_tests --discover | grep -E '^(discovered|FAIL|backend)' | tee -a "$REPORT"
  [ "${PIPESTATUS[0]}" = 0 ] || { step paths 1 "the Java test packages are not all in the pack"; finish 2; }
fi
log "paths: libraries in $LIBDIR, python driver, $([ $JAVA = 1 ] && echo "JRE and test jars, ")$([ $JMH = 1 ] && echo "JMH suite, ")all there"
step paths 0

if [ $DRY = 1 ]; then
  has() { command -v "$1" >/dev/null 2>&1 && echo yes || echo no; }
  log "dry run: nvidia-smi $(has nvidia-smi), python3 $(has python3)$(python3 -c 'import torch, numpy; print(", torch", torch.__version__)' 2>/dev/null || echo ', no torch'), compute-sanitizer $(has compute-sanitizer), nvcc $(has nvcc)"
  log "dry run: CUDA 13 libraries for the JVM suite: $(ci/cuda-libs.sh 2>&1 | tr '\n' ' ')"
  log "dry run: would run python3 native/tests/cuda/gpu_check.py $LIBDIR$([ $BENCH = 0 ] && echo ' --no-bench')"
  [ $JAVA = 0 ] || log "dry run: would run GpuTestMain --require-cuda $JAVA_TESTS"
  [ $JMH = 0 ] || log "dry run: would run E4J_GPU_PACK=$PACK bench/run.sh gpu ${QUICK[*]}"
  [ $SANITIZE = 0 ] || log "dry run: would run compute-sanitizer --tool memcheck and --tool racecheck over the conformance"
  finish 0
fi

# ---------------------------------------------------------------- device
if ! smi=$(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv,noheader 2>&1); then
  log "no CUDA device: nvidia-smi failed: $(echo "$smi" | head -3 | tr '\n' ' ')"
  step device 2 "no GPU available"
  finish 2
fi
log "$smi"
# device_count <libdir>: prints the count libembed4j_cuda sees, or why it cannot be loaded or sees none
device_count() {
  python3 - "$1" <<'PY'
import ctypes, sys
try:
    ctypes.CDLL(sys.argv[1] + "/libembed4j.so")
    cu = ctypes.CDLL(sys.argv[1] + "/libembed4j_cuda.so")
except OSError as e:
    print("cannot load:", e); sys.exit(1)
cu.e4j_cuda_last_error.restype = ctypes.c_char_p
n = ctypes.c_int32(0)
cu.e4j_cuda_device_count(ctypes.byref(n))
print(n.value if n.value > 0 else "0 devices: " + cu.e4j_cuda_last_error().decode()); sys.exit(0 if n.value > 0 else 1)
PY
}
if ! seen=$(device_count "$LIBDIR"); then
  log "the carried libraries see no device ($seen); building both here with CMake"
  BUILD=/tmp/e4j-gpu-build
  NVCC=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
  start=$(date +%s)
  VERSION=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -1)  # the jar's, which the Java side checks
  cmake -S native -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DE4J_CUDA=ON -DCMAKE_CUDA_COMPILER="$NVCC" \
        -DE4J_VERSION="$VERSION" -DE4J_OUTPUT_DIR="$BUILD/out" >"$BUILD.log" 2>&1 && cmake --build "$BUILD" -j "$(nproc)" >>"$BUILD.log" 2>&1
  rc=$?
  tail -5 "$BUILD.log" | tee -a "$REPORT"
  log "build status $rc in $(( $(date +%s) - start )) s"
  LIBDIR="$BUILD/out"
  if ! seen=$(device_count "$LIBDIR"); then
    log "no CUDA device for libembed4j_cuda: $seen"
    step device 2 "no GPU available to libembed4j_cuda"
    finish 2
  fi
fi
step device 0 "$seen device(s) seen by $LIBDIR/libembed4j_cuda.so"
RC=0

# ---------------------------------------------------------------- python: conformance + PyTorch benchmarks
log "== python conformance$([ $BENCH = 1 ] && echo ' and benchmarks')"
python3 native/tests/cuda/gpu_check.py "$LIBDIR" $([ $BENCH = 0 ] && echo --no-bench) 2>&1 | tee -a "$REPORT"
s=${PIPESTATUS[0]}
step python "$s" "$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$REPORT" | tail -1)"
[ "$s" = 0 ] || RC=1

# ---------------------------------------------------------------- java: JUnit with CUDA auto-selected
if [ $JAVA = 1 ]; then
  log "== Java tests with CUDA auto-selected: $JAVA_TESTS"
  JAVA_PROPS+=(-Dembed4j.native.path="$LIBDIR")  # the libraries under test rather than the core jar's copies
  run_java_tests --require-cuda | grep -v '^INFO\|^WARNING\|^[A-Z][a-z][a-z] [0-9]' | tee -a "$REPORT"
  s=${PIPESTATUS[0]}
  step java "$s" "$(grep -E 'tests (successful|failed|skipped|aborted)' "$REPORT" | tr -s ' ' | tr '\n' ';' | sed 's/;$//')"
  [ "$s" = 0 ] || RC=1
fi

# ---------------------------------------------------------------- jmh: the JVM GPU suite
if [ $JMH = 1 ]; then
  log "== JMH GPU suite (bench/run.sh gpu ${QUICK[*]})"
  PATH="$PACK/jre/bin:$PATH" E4J_GPU_PACK="$PACK" bench/run.sh gpu "${QUICK[@]}" 2>>"$REPORT.jmh.log" | tee -a "$REPORT"
  s=${PIPESTATUS[0]}
  step jmh "$s" "stderr in $REPORT.jmh.log"
  [ "$s" = 0 ] || RC=1
fi

# ---------------------------------------------------------------- compute-sanitizer
if [ $SANITIZE = 1 ]; then
  SAN=$(command -v compute-sanitizer || ls /usr/local/cuda/bin/compute-sanitizer 2>/dev/null || true)
  if [ -z "$SAN" ]; then
    log "compute-sanitizer: not on this machine"
    step sanitizer 1 "compute-sanitizer not found"
    RC=1
  else
    for tool in memcheck racecheck; do
      log "== compute-sanitizer --tool $tool (conformance only; PyTorch's kernels are checked too)"
      # without PyTorch's caching allocator every tensor is its own cudaMalloc, so memcheck sees its bounds
      PYTORCH_NO_CUDA_MEMORY_CACHING=1 timeout "${E4J_GPU_SANITIZE_TIMEOUT:-600}" "$SAN" --tool "$tool" \
        --error-exitcode 9 python3 native/tests/cuda/gpu_check.py "$LIBDIR" --no-bench 2>&1 | tail -40 | tee -a "$REPORT"
      s=${PIPESTATUS[0]}
      step "sanitizer $tool" "$s" "$([ "$s" = 9 ] && echo 'errors reported' || echo "status $s")"
      [ "$s" = 0 ] || RC=1
    done
  fi
fi
finish "$RC"
