# Sourced by bench/run.sh and the suites: builds the benchmark module (Maven profile bench), runs JMH, reads its
# CSV, and describes the machine (the MACHINE line).
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

# bench_csv_rows <file>: the rows of a JMH CSV result file (header first), fields unquoted and separated by tabs, for
# awk -F'\t'. JMH ends its CSV lines with CR LF; a plain awk -F, keeps the CR in the last field, so every suite reads
# JMH's CSV through this.
bench_csv_rows() {
  python3 -c '
import csv, sys
for row in csv.reader(open(sys.argv[1], newline="")):
    print("\t".join(field.strip() for field in row))' "$1"
}

# bench_machine_line: the MACHINE line (grammar in bench/check_output.py) with the text @LOAD@ where
# load=<start>/<end> goes. bench/run.sh prints it for every suite, at the start (end load "pending") and at the end;
# suites never print it themselves. The ISA comes from the CPUID flags the kernel reports in /proc/cpuinfo, never
# from the model name.
bench_machine_line() {
  local cpu flags isa mem jdk java_home commit
  [ -r /proc/cpuinfo ] || { echo "bench: the MACHINE line needs /proc/cpuinfo (Linux)" >&2; return 1; }
  cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -1 | tr -cd ' -~' | tr -d '"' | tr -s ' ' \
    | sed 's/ *$//')
  flags=" $(sed -n 's/^flags[[:space:]]*: *//p' /proc/cpuinfo | head -1) "
  isa=scalar
  if [[ "$flags" == *" avx512f "* ]]; then isa=avx512
  elif [[ "$flags" == *" avx2 "* && "$flags" == *" fma "* ]]; then isa=avx2; fi
  mem=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
  java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  jdk=$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/\1/p' "$java_home/release" 2>/dev/null)
  [ -n "$jdk" ] || jdk=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p')
  commit=$(git -C "$BENCH_ROOT" rev-parse --short=7 HEAD 2>/dev/null || echo na)
  if [ "$commit" != na ] && [ -n "$(git -C "$BENCH_ROOT" status --porcelain --untracked-files=no)" ]; then
    commit="$commit-dirty"
  fi
  echo "MACHINE cpu=\"${cpu:-unknown}\" isa=$isa cores=$(nproc) mem=$mem load=@LOAD@ jdk=${jdk:-unknown} commit=$commit"
}

# bench_load: the 1-minute load average now.
bench_load() {
  cut -d' ' -f1 /proc/loadavg
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

# bench_corpus <src.gz> <tokens> <out>: the word2vec suites' corpus: <src.gz> lower-cased, every run of characters
# other than a-z0-9 -> one space, empty lines dropped, cut to the first <tokens> tokens, written to <out>.
bench_corpus() {
  local pipefail_was=0
  [[ -o pipefail ]] && pipefail_was=1
  set +o pipefail # awk stops reading at N tokens: zcat, tr and sed then die of SIGPIPE, on purpose
  zcat "$1" | tr 'A-Z' 'a-z' | sed -E 's/[^a-z0-9]+/ /g; s/^ +//; s/ +$//' | awk -v max="$2" '
    NF == 0 { next }
    { if (n + NF >= max) { line = $1; for (i = 2; i <= max - n; i++) line = line " " $i; print line; exit }
      n += NF; print }' > "$3"
  [ $pipefail_was = 0 ] || set -o pipefail
}

# bench_shuffled <corpus> <seed> <out>: the corpus with its lines (paragraphs) in the order the seed gives, so that
# every tool of a seed trains on the same order.
bench_shuffled() {
  python3 -c 'import random, sys
lines = open(sys.argv[1]).readlines()
random.Random(int(sys.argv[2])).shuffle(lines)
open(sys.argv[3], "w").writelines(lines)' "$1" "$2" "$3"
}

# bench_timed <prefix> <cmd...>: runs cmd under /usr/bin/time -v with stdout in <prefix>.out and stderr in
# <prefix>.err (its last 20 lines shown when cmd fails, and then status 1); sets WALL (wall seconds), CPU (user +
# system seconds) and RSS (peak resident MiB).
bench_timed() {
  local prefix="$1"; shift
  /usr/bin/time -v "$@" >"$prefix.out" 2>"$prefix.err" || { tail -20 "$prefix.err" >&2; return 1; }
  WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$prefix.err")
  CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$prefix.err")
  RSS=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$prefix.err")
}

# bench_seed_summary <suite> <case> <unit> <higher|lower> <printf format> <kind> <figures> [extras]: the RESULT line
# of a case over seeds; <figures> has one "ours anchor" line per seed. Prints the means, the ratio (bigger is
# better: ours/anchor for higher, anchor/ours for lower), seeds=<n>, the extras (e.g. " threads=2") and, with 2 or
# more seeds, ours_std and anchor_std (sample standard deviations). Kind solo: ours alone (anchor=na ratio=na, no
# extras). A mean of 0 in the ratio's denominator gives a NOTE line instead.
bench_seed_summary() {
  awk -v s="$1" -v c="$2" -v u="$3" -v dir="$4" -v fmt="$5" -v kind="$6" -v extra="${8:-}" '
    { o[NR] = $1; a[NR] = $2; so += $1; sa += $2 }
    END {
      n = NR; mo = so / n; ma = sa / n
      for (i = 1; i <= n; i++) { qo += (o[i] - mo) ^ 2; qa += (a[i] - ma) ^ 2 }
      O = sprintf(fmt, mo)
      if (kind == "solo") {
        std = n > 1 ? sprintf(" ours_std=" fmt, sqrt(qo / (n - 1))) : ""
        printf "RESULT %s %s ours=%s anchor=na ratio=na unit=%s seeds=%d%s\n", s, c, O, u, n, std; exit
      }
      A = sprintf(fmt, ma)
      den = (dir == "higher") ? A + 0 : O + 0
      if (den == 0) { printf "NOTE %s %s n/a: a mean of 0 (ours %s, anchor %s) gives no ratio\n", s, c, O, A; exit }
      r = (dir == "higher") ? O / A : A / O
      std = n > 1 ? sprintf(" ours_std=" fmt " anchor_std=" fmt, sqrt(qo / (n - 1)), sqrt(qa / (n - 1))) : ""
      printf "RESULT %s %s ours=%s anchor=%s ratio=%.3f unit=%s seeds=%d%s%s\n", s, c, O, A, r, u, n, extra, std
    }' "$7"
}
