#!/usr/bin/env bash
# bench/run.sh <suite> [--quick]: runs one benchmark suite (bench/suites/<suite>.sh) and ends with
# RESULT lines: RESULT <suite> <case> ours=<v> anchor=<v> ratio=<bigger is better> unit=<u>
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../ci/env.sh"
if [ $# -lt 1 ] || [ ! -f "$HERE/suites/$1.sh" ]; then
  echo "usage: bench/run.sh <suite> [--quick]; suites: $(ls "$HERE/suites" | sed 's/\.sh$//' | tr '\n' ' ')" >&2
  exit 2
fi
suite="$1"; shift
exec bash "$HERE/suites/$suite.sh" "$@"
