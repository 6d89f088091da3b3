#!/usr/bin/env bash
# bench/suites/predict.sh [--quick]: in-process serving latency (PredictBenchmark, JMH SampleTime, one thread):
# TextClassifier.predict(text, 1) for a 20-word text on a fastText-shaped classifier (dim 100, bigrams, 2M buckets)
# and TextEmbedder.embed of the same text on 100k×100 vectors. No other implementation runs in the same JVM, so
# there is no anchor (anchor=na); the budget, p99 <= 50 us, is a target and lives in docs/benchmarks.md.
#   --quick: 1 warm-up + 2 measured iterations of 1 s instead of 2×2 s + 3×3 s.
# Prints: RESULT predict <case> ours=<us> anchor=na ratio=na unit=us
#   <case> = predict-p50|predict-p99|embed-p50|embed-p99
set -euo pipefail
source "$(dirname "$0")/../common.sh"

JMH_TIMES=(-wi 2 -w 2s -i 3 -r 3s)
if [ "${1:-}" = "--quick" ]; then
  JMH_TIMES=(-wi 1 -w 1s -i 2 -r 1s)
fi

bench_build
json="$BENCH_BUILD/jmh-predict.json"
rm -f "$json"
bench_jmh 'org\.embed4j\.bench\.PredictBenchmark\.' -f 1 "${JMH_TIMES[@]}" -rf json -rff "$json" >&2
if [ ! -s "$json" ]; then
  echo "predict: JMH wrote no results ($json)" >&2
  exit 1
fi
python3 - "$json" <<'PY'
import json, sys
for run in json.load(open(sys.argv[1])):
    case = run["benchmark"].rsplit(".", 1)[1]
    pct = run["primaryMetric"]["scorePercentiles"]
    for name, key in (("p50", "50.0"), ("p99", "99.0")):
        ours = pct[key]
        print(f"RESULT predict {case}-{name} ours={ours:.2f} anchor=na ratio=na unit=us")
PY
