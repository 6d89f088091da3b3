# Sourced by bench suites: builds the benchmark classes once (Maven profile bench) and runs JMH.
BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$BENCH_ROOT/ci/env.sh"
BENCH_BUILD="${BENCH_BUILD:-$BENCH_ROOT/target-bench}"

bench_build() {
  (cd "$BENCH_ROOT" && mvn -B -q -ntp -Pbench -DbuildDir="$BENCH_BUILD" -DskipTests test-compile dependency:build-classpath \
      -Dmdep.outputFile="$BENCH_BUILD/classpath.txt" -Dmdep.includeScope=test) >&2
}

# bench_jmh <regex> [jmh args...]: runs JMH benchmarks matching regex; machine-readable results in $BENCH_BUILD/jmh-*.json
bench_jmh() {
  local regex="$1"; shift
  local cp="$BENCH_BUILD/test-classes:$BENCH_BUILD/classes:$(cat "$BENCH_BUILD/classpath.txt")"
  java --enable-native-access=ALL-UNNAMED -cp "$cp" org.openjdk.jmh.Main "$regex" "$@"
}
