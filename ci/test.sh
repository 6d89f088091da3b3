#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what is missing, builds the native
# libraries (CPU always; CUDA too when nvcc is present, so it never rots), runs the C tests
# (ctest) and the Java tests (JUnit through Maven Surefire), checks embed4j-core's dependencies, and
# builds and runs a separate consumer project against the installed artifacts, and submits a Spark job to a
# standalone cluster started on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/env.sh
ci/install-deps.sh

PROFILE=()
if command -v nvcc >/dev/null 2>&1 || [ -x /usr/local/cuda/bin/nvcc ] || [ -x /usr/local/bin/nvcc ]; then
  PROFILE=(-Pcuda)
  echo "ci/test.sh: nvcc found, building the CUDA library too (GPU tests skip without a device)"
fi

# The grammar of the benchmark records: recorded outputs of every suite pass, malformed ones fail.
python3 bench/check_output.py --fixtures bench/fixtures
# verify, then install into the local repository (with the sources and javadoc jars) for the consumer check below
mvn -B -ntp "${PROFILE[@]}" clean install
# C-level conformance of the scalar reference and AVX2 kernels, built by the Maven run above.
(cd src/core/target/native && ctest --output-on-failure)
# C/CUDA format, the headers against the Python GPU bindings and the built libraries, and the C tests under ASan/UBSan.
ci/native-check.sh target/native-asan src/core/target/classes/org/embed4j/native/linux-x86_64
# embed4j-core depends on javacpp and java.* modules only
bash ci/check-core-deps.sh
# a separate project that uses embed4j-core through the BOM, on the class path and on the module path
bash ci/consumer/run.sh
# embed4j-spark submitted to a Spark standalone cluster on this machine (executors in JVMs of their own)
bash ci/spark-cluster.sh --no-build
