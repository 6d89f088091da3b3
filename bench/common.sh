# Sourced by bench suites: builds the benchmark module (Maven profile bench) and runs JMH.
BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$BENCH_ROOT/ci/env.sh"
BENCH_BUILD="$BENCH_ROOT/bench/target"

# bench_build: compiles bench/ and the modules it needs; $BENCH_BUILD/classes and classpath.txt are the result.
bench_build() {
  (cd "$BENCH_ROOT" && mvn -B -q -ntp -Pbench -pl bench -am -Dno-docs -DskipTests package) >&2
}

# bench_classpath: the JMH classes and everything they need, for java -cp.
bench_classpath() {
  echo "$BENCH_BUILD/classes:$(cat "$BENCH_BUILD/classpath.txt")"
}

# bench_cli_jar <folder>: builds the CLI's runnable jar and copies it to <folder>/embed4j.jar, a copy that later
# builds in the tree cannot change while a long benchmark runs; sets JAR to it.
bench_cli_jar() {
  mkdir -p "$1"
  (cd "$BENCH_ROOT" && mvn -B -q -ntp -pl src/cli -am -Dno-docs -DskipTests package) >&2
  cp "$BENCH_ROOT"/src/cli/target/embed4j-cli-*-all.jar "$1/embed4j.jar"
  JAR="$1/embed4j.jar"
}

# bench_jmh <regex> [jmh args...]: runs JMH benchmarks matching regex; machine-readable results in $BENCH_BUILD/jmh-*.json
bench_jmh() {
  local regex="$1"; shift
  java --enable-native-access=ALL-UNNAMED -cp "$(bench_classpath)" org.openjdk.jmh.Main "$regex" "$@"
}

# bench_jmh_times [--quick]: sets JMH_TIMES, the iteration flags the JMH suites share:
# 3 warmups + 5 measured iterations of 1 s; --quick: 1 warmup + 3 measured.
bench_jmh_times() {
  JMH_TIMES=(-wi 3 -w 1s -i 5 -r 1s)
  if [ "${1:-}" = "--quick" ]; then
    JMH_TIMES=(-wi 1 -w 1s -i 3 -r 1s)
  fi
}

# bench_jmh_csv <suite> <regex> [jmh args...]: builds, runs the benchmarks matching regex in one fork with
# JMH_TIMES (bench_jmh_times, unless the caller set it), and sets BENCH_CSV to the results
# ($BENCH_BUILD/jmh-<suite>.csv: "Benchmark","Mode","Threads","Samples","Score",...,"Param: ..."). A run that
# wrote no results ends the suite with status 1; a run that failed after writing some keeps them (JMH writes
# the file only at the end, so partial results mean the failure was in a later, reported benchmark).
bench_jmh_csv() {
  local suite="$1" regex="$2"; shift 2
  [ -n "${JMH_TIMES+x}" ] || bench_jmh_times
  BENCH_CSV="$BENCH_BUILD/jmh-$suite.csv"
  bench_build
  rm -f "$BENCH_CSV"
  bench_jmh "$regex" -f 1 "${JMH_TIMES[@]}" "$@" -rf csv -rff "$BENCH_CSV" >&2 || true
  if [ ! -s "$BENCH_CSV" ]; then
    echo "$suite: JMH wrote no results ($BENCH_CSV)" >&2
    exit 1
  fi
}
