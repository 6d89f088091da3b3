#!/usr/bin/env bash
# bench/run.sh <suite> [--quick|--long]: runs one benchmark suite (bench/suites/<suite>.sh) and prints its record on
# stdout: a MACHINE line, a RUN line, the suite's RESULT and NOTE lines, the MACHINE line again with the end load
# (grammar and meaning: bench/check_output.py). The record is checked at the end; it is kept in
# target-bench/results/<name>.txt when the suite succeeded and the record passes, else in <name>.failed.txt and the
# run fails. The suite's stderr (build, JMH, per-seed lines) goes to <name>.log next to it. <name> is
# <suite>[-quick|-long], plus @<settings> when the suite's environment settings were set (CLASSIFY_CV=10 ...), so that
# such a run never replaces the record of the default one.
#
# bench/run.sh report [--quick] [--saved | --any]: writes docs/benchmarks.md from the saved records of every suite (full
# runs, or --quick ones; with their @<settings> variants), first running each suite whose default record is missing;
# --saved never runs a suite and lists the missing ones as not run; --any takes a suite's full record when one is
# saved and its quick record otherwise (never runs a suite).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/common.sh"
RESULTS="$BENCH_ROOT/target-bench/results"
# kernels first, then the side-by-side suites, then the service; a suite missing here comes last
ORDER="gemm embedding xent train-step predict vectors-open word2vec glove classify search serve"
SUITES=$(ls "$HERE/suites" | sed -n 's/\.sh$//p' | awk -v order="$ORDER" '
  BEGIN { n = split(order, o, " "); for (i = 1; i <= n; i++) rank[o[i]] = i }
  { printf "%d %s\n", ($0 in rank) ? rank[$0] : 1000, $0 }' | sort -n -k1,1 -k2 | cut -d' ' -f2 | tr '\n' ' ')

usage() {
  echo "usage: bench/run.sh <suite> [--quick|--long]   (serve also: --attack [--quick])   suites: $SUITES" >&2
  echo "       bench/run.sh report [--quick] [--saved | --any]" >&2
  exit 2
}

# suite_settings <suite>: NAME='value' for every variable set in the environment that the suite reads to change what
# it measures: <SUITE>_* (word2vec: W2V_*), not the build and scratch folders (*_BUILD, *_DIR), and E4J_MAX_LEVEL
# (the native kernel level's cap, see native/README.md)
suite_settings() {
  local prefix name value out=""
  prefix="$(echo "$1" | tr 'a-z-' 'A-Z_')_"
  [ "$1" != word2vec ] || prefix="W2V_"
  for name in $(compgen -e | grep -E "^($prefix|E4J_MAX_LEVEL$)" | grep -vE '_(BUILD|DIR)$' | sort); do
    value=$(printf '%s' "${!name}" | tr -cd ' -~' | tr -d "\"'")
    out+="$name='$value' "
  done
  echo "${out% }"
}

# run_suite <suite> [--quick|--long]: the record on stdout, saved and checked as the header says
run_suite() {
  local suite="$1"; shift
  local name="$suite" machine load0 rc=0 tmp settings
  case "${1:-}" in
    "") ;;
    --quick|--long) name="$suite-${1#--}" ;;
    --attack) [ "$suite" = serve ] || usage; name="$suite-attack${2:+-${2#--}}"; [ "${2:-}" = "" ] || [ "$2" = --quick ] || usage ;;
    *) usage ;;
  esac
  [ $# -le 1 ] || [ "$1" = --attack ] || usage
  settings=$(suite_settings "$suite")
  [ -z "$settings" ] || name="$name@$(echo "$settings" | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' | sed 's/^-*//; s/-*$//')"
  mkdir -p "$RESULTS"
  tmp="$RESULTS/$name.txt.partial"
  machine=$(bench_machine_line)
  load0=$(bench_load)
  {
    echo "${machine/@LOAD@/$load0/pending}"
    echo "RUN $suite date=$(date -u +%Y-%m-%dT%H:%M:%SZ) command=\"${settings:+$settings }bench/run.sh $suite${1:+ $*}\""
  } | tee "$tmp"
  bash "$HERE/suites/$suite.sh" "$@" 2> >(tee "$RESULTS/$name.log" >&2) | tee -a "$tmp" || rc=$?
  echo "${machine/@LOAD@/$load0/$(bench_load)}" | tee -a "$tmp"
  if ! python3 "$HERE/check_output.py" --suite "$suite" "$tmp"; then
    echo "bench/run.sh: the record of $name breaks the grammar of bench/check_output.py (errors above)" >&2
    [ $rc != 0 ] || rc=1
  fi
  if [ $rc = 0 ]; then
    mv "$tmp" "$RESULTS/$name.txt"
  else
    mv "$tmp" "$RESULTS/$name.failed.txt"
    echo "bench/run.sh: $name failed (status $rc); record in $RESULTS/$name.failed.txt, log in $RESULTS/$name.log" >&2
  fi
  return $rc
}

# report [--quick] [--saved | --any]: docs/benchmarks.md from the saved records
report() {
  local quick="" saved=0 any=0 arg suite records=() missing=()
  for arg in "$@"; do
    case "$arg" in
      --quick) quick="--quick" ;;
      --saved) saved=1 ;;
      --any) any=1; saved=1 ;;
      *) usage ;;
    esac
  done
  for suite in $SUITES; do
    local file="$RESULTS/$suite${quick:+-quick}.txt"
    if [ $any = 1 ]; then
      quick=""; file="$RESULTS/$suite.txt"
      [ -f "$file" ] || { quick="--quick"; file="$RESULTS/$suite-quick.txt"; }
    fi
    if [ ! -f "$file" ] && [ $saved = 0 ]; then
      echo "bench/run.sh report: running $suite $quick" >&2
      run_suite "$suite" $quick >/dev/null || echo "bench/run.sh report: $suite failed; it is listed as not run" >&2
    fi
    if [ -f "$file" ]; then records+=("$file"); else missing+=("$suite"); fi
    local variants=("$RESULTS/$suite${quick:+-quick}@"*.txt)
    [ $any = 0 ] || [ -z "$quick" ] || variants+=("$RESULTS/$suite@"*.txt)
    for file in "${variants[@]}"; do  # runs with settings (CLASSIFY_CV=10 ...)
      case "$file" in *.failed.txt) ;; *) [ ! -f "$file" ] || records+=("$file") ;; esac
    done
  done
  python3 "$HERE/report.py" --header "$HERE/report-header.md" --suites "$HERE/suites" \
    --out "$BENCH_ROOT/docs/benchmarks.md" \
    --command "$(echo "bench/run.sh report $*" | sed 's/ *$//')" --missing "${missing[*]}" "${records[@]}"
}

[ $# -ge 1 ] || usage
if [ "$1" = report ]; then
  shift
  report "$@"
elif [ -f "$HERE/suites/$1.sh" ]; then
  run_suite "$@"
else
  usage
fi
