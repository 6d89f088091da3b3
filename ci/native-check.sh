#!/usr/bin/env bash
# The native guards the Maven build does not run (Maven already builds libembed4j with -Werror and runs ctest):
#   1. format: clang-format 14 --dry-run --Werror over every C/CUDA source of native/ and bench/native (.clang-format);
#   2. abi:    native/tests/cuda/abi_check.py: shape comments of the headers, the Python GPU tests' calls against the
#              prototypes, and the symbols the built libraries export;
#   3. asan:   the C library and tests built with -DE4J_SANITIZE=ON (ASan + UBSan, no recovery) in a build directory
#              of their own, and ctest run there: any sanitizer finding fails its test.
# Every guard runs; the exit status is non-zero when any failed, and the last line names them.
# Usage: ci/native-check.sh [BUILD_DIR [LIBDIR...]]
#   BUILD_DIR  the sanitizer build (default target/native-asan; never packaged)
#   LIBDIR     more directories whose libembed4j*.so the ABI check reads (e.g. the Maven build's, with the CUDA one)
set -uo pipefail
cd "$(dirname "$0")/.."
source ci/env.sh
BUILD="${1:-target/native-asan}"
shift || true
failed=()

echo "== format (clang-format)"
CF=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$CF" ]; then
  echo "clang-format not found: run ci/install-deps.sh (Debian package clang-format, version 14)"
  failed+=(format)
elif ! "$CF" --version | grep -q "version 14\."; then
  echo "the formatting is defined by clang-format 14; $CF is: $("$CF" --version)"
  failed+=(format)
else
  mapfile -t sources < <(find native bench/native -type f \( -name '*.c' -o -name '*.h' -o -name '*.cu' -o -name '*.cuh' \) | sort)
  if "$CF" --style=file --dry-run --Werror "${sources[@]}"; then
    echo "${#sources[@]} files formatted as .clang-format says"
  else
    echo "to fix: $CF -i --style=file <file> (the diagnostics above name each file and line)"
    failed+=(format)
  fi
fi

echo "== asan (cmake -DE4J_SANITIZE=ON in $BUILD, ctest)"
if cmake -S native -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DE4J_SANITIZE=ON -DE4J_CUDA=OFF -DE4J_VERSION=asan >/dev/null \
    && cmake --build "$BUILD" -j "$(nproc)" >"$BUILD.log" 2>&1; then
  (cd "$BUILD" && ctest --output-on-failure) || failed+=(asan)
else
  tail -40 "$BUILD.log"
  echo "sanitizer build failed (full log: $BUILD.log)"
  failed+=(asan)
fi

echo "== abi (native/tests/cuda/abi_check.py)"
libs=()
[ -f "$BUILD/out/libembed4j.so" ] && libs+=(--lib "$BUILD/out")
for d in "$@"; do libs+=(--lib "$d"); done
python3 native/tests/cuda/abi_check.py "${libs[@]}" || failed+=(abi)

if [ ${#failed[@]} -gt 0 ]; then
  echo "native-check: FAILED: ${failed[*]}"
  exit 1
fi
echo "native-check: OK (format, asan, abi)"
