#!/usr/bin/env bash
# Packs what ci/gpu-check.sh needs on a GPU machine that has no JDK, Maven or network, into PACK (default .device,
# git-ignored; the device tool carries it, 64 MiB at most):
#   lib/     libembed4j.so + libembed4j_cuda.so (the core build's, for the python check; gpu-check.sh rebuilds them
#            there with CMake when they do not load)
#   jre/     a jlink'ed Java runtime without native symbols: java.base, java.logging, java.management, jdk.management (the allocation tests'
#            ThreadMXBean), jdk.unsupported (javacpp), jdk.zipfs (JUnit scans the test jar through it)
#   java/    the core jar (both libraries inside), core's test jar, JUnit (core's test scope + the platform launcher),
#            gputestmain.jar (native/tests/cuda/GpuTestMain.java, compiled here)
#   bench/   the GPU JMH suite (bench/target-gpu's jar: org.embed4j.bench.gpu only), JMH, javacpp and
#            org.bytedeco:cuda with its linux-x86_64 JNI jar, cut down to libjnicudart and libjnicublas (the only two
#            the suite loads); classpath.txt, relative to bench/
# Usage: ci/gpu-pack.sh [--no-build] [--no-bench] [PACK]
#   --no-build  use the modules' target folders as they are (after: mvn -Pcuda -pl src/core -am package and, for the
#               suite, mvn -Pbench,gpu,cuda -pl bench -am package)
#   --no-bench  leave the JMH suite out
# Prints the size of each part and of the whole; fails when the whole is over 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/env.sh
BUILD=1 BENCH=1 PACK=.device
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    --no-bench) BENCH=0 ;;
    -*) echo "usage: ci/gpu-pack.sh [--no-build] [--no-bench] [PACK]" >&2; exit 2 ;;
    *) PACK="$arg" ;;
  esac
done
PACK=$(realpath -m "$PACK")
CORE=src/core/target
NATIVE="$CORE/classes/org/embed4j/native/linux-x86_64"
MVN=(mvn -B -q -ntp -Dno-docs -DskipTests)

if [ $BUILD = 1 ]; then
  "${MVN[@]}" -Pcuda -pl src/core -am package
  [ $BENCH = 0 ] || "${MVN[@]}" -Pbench,gpu,cuda -pl bench -am package
fi
for f in "$NATIVE/libembed4j.so" "$NATIVE/libembed4j_cuda.so" "$CORE"/embed4j-core-*-tests.jar; do
  [ -f "$f" ] || { echo "ci/gpu-pack.sh: $f is missing: build with mvn -Pcuda -pl src/core -am package" >&2; exit 1; }
done
CORE_JAR=$(ls "$CORE"/embed4j-core-*.jar | grep -v -- '-tests.jar\|-sources.jar\|-javadoc.jar' | head -1)
TESTS_JAR=$(ls "$CORE"/embed4j-core-*-tests.jar | head -1)
unzip -l "$CORE_JAR" | grep -q 'linux-x86_64/libembed4j_cuda.so' \
  || { echo "ci/gpu-pack.sh: $CORE_JAR has no libembed4j_cuda.so: build core with -Pcuda" >&2; exit 1; }

rm -rf "$PACK/lib" "$PACK/jre" "$PACK/java" "$PACK/bench"
mkdir -p "$PACK/lib" "$PACK/java" "$PACK/bench"
cp "$NATIVE/libembed4j.so" "$NATIVE/libembed4j_cuda.so" "$PACK/lib/"

jlink --add-modules java.base,java.logging,java.management,jdk.management,jdk.unsupported,jdk.zipfs \
      --output "$PACK/jre" --strip-debug --no-header-files --no-man-pages --compress=zip-9 \
      --strip-native-debug-symbols=exclude-debuginfo-files
# libjvm.so keeps its 4 MB symbol table through jlink; a crash log of this throwaway runtime can do without it
! command -v strip >/dev/null || strip --strip-unneeded "$PACK/jre/lib/server/libjvm.so"

# The Java tests: core's jars, its test-scope dependencies (JUnit) and the launcher JUnit's console would bring.
cp "$CORE_JAR" "$TESTS_JAR" "$PACK/java/"
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
"${MVN[@]}" -o -pl src/core dependency:build-classpath -DincludeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
tr ':' '\n' <"$CP_FILE" | grep -E '/(junit-|opentest4j|apiguardian)[^/]*\.jar$' | xargs -I{} cp {} "$PACK/java/"
PLATFORM=$(ls "$PACK/java" | sed -n 's/^junit-platform-engine-\(.*\)\.jar$/\1/p')
"${MVN[@]}" dependency:copy -Dartifact="org.junit.platform:junit-platform-launcher:$PLATFORM" \
  -DoutputDirectory="$PACK/java" >/dev/null
RUNNER=$(mktemp -d)
javac -d "$RUNNER" -cp "$(ls "$PACK"/java/*.jar | tr '\n' ':')" native/tests/cuda/GpuTestMain.java
jar cf "$PACK/java/gputestmain.jar" -C "$RUNNER" .
rm -rf "$RUNNER"

if [ $BENCH = 1 ]; then
  BENCH_JAR=bench/target-gpu/embed4j-bench-0.1.0.jar
  [ -f "$BENCH_JAR" ] && [ -f bench/target-gpu/classpath.txt ] \
    || { echo "ci/gpu-pack.sh: $BENCH_JAR missing: mvn -Pbench,gpu,cuda -pl bench -am package" >&2; exit 1; }
  cp "$BENCH_JAR" "$PACK/bench/embed4j-bench-gpu.jar"
  entries=(embed4j-bench-gpu.jar "../java/$(basename "$CORE_JAR")")
  for jar in $(tr ':' '\n' <bench/target-gpu/classpath.txt \
      | grep -E '/(jmh-core|jopt-simple|commons-math3|javacpp|cuda)-[^/]*\.jar$'); do
    name=$(basename "$jar")
    case "$name" in
      cuda-*-linux-x86_64.jar)  # the JNI jar without the libraries the suite never loads (cuDNN, cuFFT, NPP, ...)
        dir=$(mktemp -d)
        unzip -q "$jar" 'META-INF/*' 'org/bytedeco/cuda/linux-x86_64/libjnicudart.so' \
          'org/bytedeco/cuda/linux-x86_64/libjnicublas.so' -d "$dir"
        jar --create --no-manifest --file "$PACK/bench/$name" -C "$dir" .
        rm -rf "$dir" ;;
      *) cp "$jar" "$PACK/bench/" ;;
    esac
    entries+=("$name")
  done
  (IFS=:; echo "${entries[*]}") >"$PACK/bench/classpath.txt"
fi

du -sh "$PACK"/lib "$PACK"/jre "$PACK"/java "$PACK"/bench 2>/dev/null
total=$(du -sm "$PACK/lib" "$PACK/jre" "$PACK/java" "$PACK/bench" 2>/dev/null | awk '{ s += $1 } END { print s }')
echo "ci/gpu-pack.sh: $PACK holds ${total} MiB (the device tool carries 64 MiB at most)"
[ "$total" -le 64 ] || { echo "ci/gpu-pack.sh: over 64 MiB" >&2; exit 1; }
