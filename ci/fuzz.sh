#!/usr/bin/env bash
# ci/fuzz.sh [seconds-per-target] [seed]: the long run of the fuzz tests. The test suite runs 1000 mutants of every
# fuzz target (at most 2 s each); this runs each for the given time (default 300 s: about 75 minutes for the 15 targets)
# with a seed (default: a new one each run, printed so that a finding can be reproduced with it). Targets: every
# model reader, format detection, the data-set and evaluation files (src/core ReadersFuzzTest) and the parsing of
# request bodies (src/serve RequestParsingFuzzTest). Inputs that break the property are saved under
# src/<module>/target/fuzz-findings/ and the run fails.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/env.sh
ci/install-deps.sh
SECONDS_PER_TARGET="${1:-300}"
SEED="${2:-$(( $(date +%s) % 1000000 ))}"
echo "ci/fuzz.sh: ${SECONDS_PER_TARGET} s per target, seed ${SEED} (rerun: ci/fuzz.sh ${SECONDS_PER_TARGET} ${SEED})"
mvn -B -ntp -Dno-docs -pl src/core,src/serve -am verify \
  -Dtest='ReadersFuzzTest,RequestParsingFuzzTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dembed4j.fuzz.seconds="$SECONDS_PER_TARGET" -Dembed4j.fuzz.iterations=9223372036854775807 -Dembed4j.fuzz.seed="$SEED" \
  -Dsurefire.timeout=0 -Djunit.jupiter.execution.timeout.default=0
