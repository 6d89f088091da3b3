#!/usr/bin/env bash
# bench/suites/classify.sh [--quick]: embed4j train-classifier side by side with fastText 1.0.0 (npm fasttext@1.0.0,
# its C++ source and CLI, built with g++ -O3 in a temp dir, never committed) on the labelled sets of
# ../shared/data/classify. Same examples: our train-classifier writes the split it uses (official split where the set
# has one, else the seeded stratified 90/10 hold-out; training lines shuffled with the seed, because fastText reads
# its file in order and some sets ship sorted by label) and fastText trains and tests on those files.
# Settings for both: -wordNgrams 2 -epoch 25 -lr 0.5, dim 100, bucket 2,000,000, 1 thread (fastText's defaults
# otherwise). fastText sees the raw text; we lower-case and split punctuation off (our tokenizer).
# Accuracy: ours from train-classifier on the same test split, fastText's P@1 from `fasttext test` (single-label
# sets: P@1 = accuracy). Train time: wall-clock of the whole training command for both (reading the data, building
# the dictionary, training, saving the model; ours also includes JVM start-up and writing the split files).
#   --quick: trec, sst2, mr, sms.   full: also sst5, subj, mpqa, imdb, 20ng.   $CLASSIFY_SETS overrides the list.
# Prints: RESULT classify <set>-accuracy ours=<v> anchor=<v> ratio=<ours/anchor> unit=%
#         RESULT classify <set>-train-time ours=<s> anchor=<s> ratio=<anchor/ours> unit=s
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
source "$ROOT/ci/env.sh"

QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
DATA="${EMBED4J_SHARED_DATA:-$ROOT/../shared/data}"
[ -d "$DATA/classify" ] || { echo "classify bench: missing $DATA/classify (set EMBED4J_SHARED_DATA)" >&2; exit 1; }
if [ $QUICK = 1 ]; then SETS="trec sst2 mr sms"; else SETS="trec sst2 sst5 mr subj mpqa sms imdb 20ng"; fi
SETS="${CLASSIFY_SETS:-$SETS}"  # e.g. CLASSIFY_SETS="imdb 20ng" bench/run.sh classify
THREADS=1
EPOCH=25; LR=0.5; NGRAMS=2

WORK="$(mktemp -d /tmp/embed4j-classify-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
log() { echo "classify bench: $*" >&2; }

# --- our jar (own build folder so it does not collide with other builds)
BUILD="${CLASSIFY_BENCH_BUILD:-$ROOT/target-classbench}"
log "building embed4j into $BUILD"
(cd "$ROOT" && mvn -B -q -ntp -DbuildDir="$BUILD" -DskipTests package) >&2
JAR="$BUILD/embed4j-0.1.0-all.jar"
# transparent huge pages for the Java heap: the 2M x 100 input matrix (800 MB) is touched at random rows, and with
# 4 KiB pages (THP "madvise" here) page faults and TLB misses dominated the wall time (IMDB 4x slower without it)
ours() { java --enable-native-access=ALL-UNNAMED -Xmx6g -XX:+UseTransparentHugePages -jar "$JAR" "$@"; }

# --- the anchor from the npm registry
log "fetching and building fasttext@1.0.0 in $WORK"
(cd "$WORK" && npm pack --silent fasttext@1.0.0 >/dev/null)
mkdir -p "$WORK/ft"
tar -xzf "$WORK"/fasttext-1.0.0.tgz -C "$WORK/ft"
FT_SRC="$(dirname "$(find "$WORK/ft" -name main.cc | head -1)")"
g++ -O3 -pthread -std=c++14 -mavx2 -mfma -I"$FT_SRC" "$FT_SRC"/*.cc -o "$WORK/fasttext" 2>"$WORK/ft-build.log" || {
  log "fastText build failed:"; tail -5 "$WORK/ft-build.log" >&2; exit 1; }
FT="$WORK/fasttext"

# timed <name> <cmd...>: runs the command, output in $WORK/<name>.out; sets WALL (seconds)
timed() {
  local name="$1"; shift
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || { log "$name failed:"; tail -20 "$WORK/$name.err" >&2; return 1; }
  t1=$(date +%s.%N)
  WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
}

result() { # result <case> <ours> <anchor> <ratio> <unit>
  printf "RESULT classify %s ours=%s anchor=%s ratio=%s unit=%s\n" "$1" "$2" "$3" "$4" "$5"
}

for set in $SETS; do
  dir="$WORK/$set"
  log "$set: ours"
  timed "ours-$set" ours train-classifier --train "$set" --data "$DATA" --epoch $EPOCH --lr $LR --word-ngrams $NGRAMS \
      --threads $THREADS --seed 1 --quiet --write-split "$dir" --output "$dir/ours.e4jc" || continue
  OURS_T=$WALL
  OURS_ACC=$(awk '/^test accuracy/ { sub("%", "", $3); print $3 }' "$WORK/ours-$set.out")
  rm -f "$dir/ours.e4jc"
  log "$set: fastText ($(wc -l < "$dir/train.txt") train / $(wc -l < "$dir/test.txt") test lines)"
  timed "ft-$set" "$FT" supervised -input "$dir/train.txt" -output "$dir/ft" -wordNgrams $NGRAMS -epoch $EPOCH -lr $LR \
      -thread $THREADS -verbose 0 || continue
  FT_T=$WALL
  "$FT" test "$dir/ft.bin" "$dir/test.txt" > "$WORK/ft-test-$set.out"
  FT_ACC=$(awk '$1 == "P@1" { printf "%.2f", 100 * $2 }' "$WORK/ft-test-$set.out")
  rm -f "$dir/ft.bin" "$dir/ft.vec"
  result "$set-accuracy" "$OURS_ACC" "$FT_ACC" "$(awk -v o="$OURS_ACC" -v a="$FT_ACC" 'BEGIN { printf "%.3f", o / a }')" "%"
  result "$set-train-time" "$OURS_T" "$FT_T" "$(awk -v o="$OURS_T" -v a="$FT_T" 'BEGIN { printf "%.3f", a / o }')" "s"
done
