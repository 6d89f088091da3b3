#!/usr/bin/env bash
# bench/suites/glove.sh [--quick]: embed4j's GloVe (train-vectors --model glove) against embed4j's own skip-gram on
# the same corpus, same thread count, both scored by the same evaluator (embed4j evaluate).
# Corpus: as the word2vec suite: ../shared/data/corpus/gutenberg/gutenberg-en-20m.txt.gz, normalised once
# (lowercase, every run of characters other than a-z0-9 -> one space, empty lines dropped), cut to the first N
# tokens. --quick: N = 2M; full: N = 10M. 2 threads, dim 100, min-count 5.
#   GloVe: window 10, x_max 100, alpha 0.75, lr 0.05, $GLOVE_EPOCHS epochs (default 15, the reference's demo.sh),
#          memory budget $GLOVE_MEMORY MB (default 1024), output W + C.
#   skip-gram (the anchor): window 5, negative 5, sample 1e-4, 5 epochs (the word2vec suite's settings).
# Seeds: one run of both per seed in $GLOVE_SEEDS (spaces or commas; default "1 2 3", --quick "1"); the seed shuffles
# the corpus lines (paragraphs) and is passed as --seed.
# Metrics: wall seconds of the whole run (/usr/bin/time -v; for GloVe the co-occurrence build plus training, as
# train_seconds), GloVe's build and training seconds as it reports them, peak RSS of the whole run and, for GloVe, of
# each phase (VmHWM before and after training, as train-vectors reports it), and quality: WordSim-353 and
# SimLex-999 Spearman, Google analogies restricted to the 30k most frequent words, MSR analogies (3CosAdd).
# Quality is a NOTE ... n/a line, not a RESULT, in the quick mode (2M tokens compare noise) and with a single seed.
# Prints: RESULT glove <case> ours=<mean> anchor=<mean|na> ratio=<bigger is better|na> unit=<u> seeds=<n>
#         [ours_std=<s> anchor_std=<s>]   (grammar: bench/check_output.py)
#   <case> = ws353 | simlex999 | google30k | msr | train_seconds | peak_rss (anchor: skip-gram)
#            cooccur_seconds | fit_seconds | cooccur_peak_rss | fit_peak_rss (GloVe's phases; anchor na)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
source "$ROOT/bench/common.sh"

QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
DATA="${EMBED4J_SHARED_DATA:-$ROOT/../shared/data}"
SRC="$DATA/corpus/gutenberg/gutenberg-en-20m.txt.gz"
WS="$DATA/eval/wordsim353.tsv"
SL="$DATA/eval/simlex999.txt"
QW="$DATA/eval/questions-words.txt"
MSR="$DATA/eval/msr_analogy.csv"
for f in "$SRC" "$WS" "$SL" "$QW" "$MSR"; do
  [ -f "$f" ] || { echo "glove bench: missing $f (set EMBED4J_SHARED_DATA)" >&2; exit 1; }
done
THREADS=2
EPOCHS="${GLOVE_EPOCHS:-15}"
MEMORY="${GLOVE_MEMORY:-1024}"
if [ $QUICK = 1 ]; then TOKENS=2000000; SEEDS="1"; else TOKENS=10000000; SEEDS="1 2 3"; fi
SEEDS="$(echo "${GLOVE_SEEDS:-$SEEDS}" | tr ',' ' ')"
NSEEDS=$(echo $SEEDS | wc -w)

WORK="$(mktemp -d /tmp/embed4j-glove-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
log() { echo "glove bench: $*" >&2; }

BUILD="${GLOVE_BENCH_BUILD:-$ROOT/target-bench/glove}"
log "building embed4j into $BUILD"
bench_cli_jar "$BUILD"
ours() { java --enable-native-access=ALL-UNNAMED -Xmx2g -jar "$JAR" "$@"; }

CORPUS="$WORK/corpus.txt"
log "normalising the first $TOKENS tokens of $SRC"
bench_corpus "$SRC" "$TOKENS" "$CORPUS"
log "corpus: $(wc -w < "$CORPUS") tokens, $(wc -l < "$CORPUS") lines"

shuffled() {
  bench_shuffled "$CORPUS" "$1" "$WORK/corpus-$1.txt"
  echo "$WORK/corpus-$1.txt"
}

# timed <name> <cmd...>: bench_timed with its files in $WORK/<name>.out and .err (WALL, CPU, RSS)
timed() { bench_timed "$WORK/$1" "${@:2}"; }

# score <vectors>: sets WS, SL, G30K and MS (na in the quick mode, whose quality lines are NOTE lines)
score() {
  local out
  WS=na; SLX=na; G30K=na; MS=na
  [ $QUICK = 0 ] || return 0
  out="$(ours evaluate "$1" --similarity "$WS_FILE" "$SL" --analogy "$QW" --msr "$MSR" --restrict 30000 2>/dev/null)"
  echo "$out" | sed 's/^/glove bench:   /' >&2
  WS=$(echo "$out" | sed -n 's/^similarity wordsim353.tsv: spearman \([-0-9.]*\).*/\1/p' | head -1)
  SLX=$(echo "$out" | sed -n 's/^similarity simlex999.txt: spearman \([-0-9.]*\).*/\1/p' | head -1)
  G30K=$(echo "$out" | sed -n 's/^analogy .*total \([0-9.]*\)%.*/\1/p' | head -1)
  MS=$(echo "$out" | sed -n 's/^msr .*total \([0-9.]*\)%.*/\1/p' | head -1)
}
WS_FILE="$WS"

declare -a CASES
declare -A META
mkdir -p "$WORK/figures"
# record <case> <unit> <higher|lower> <printf format> <quality|speed|solo> <ours> <anchor>
record() {
  [ -n "${META[$1]+x}" ] || { CASES+=("$1"); META[$1]="$2 $3 $4 $5"; }
  echo "$6 $7" >> "$WORK/figures/$1"
}

summary() {
  local c="$1" unit dir fmt kind
  read -r unit dir fmt kind <<< "${META[$c]}"
  if [ "$kind" = quality ] && [ $QUICK = 1 ]; then
    echo "NOTE glove $c n/a: 2M tokens leave the similarity and analogy scores of both models near noise; the full" \
      "mode (10M tokens) prints the mean and std over GLOVE_SEEDS"
    return
  fi
  if [ "$kind" = quality ] && [ "$NSEEDS" -lt 2 ]; then
    echo "NOTE glove $c n/a: one seed gives no spread to judge a difference by; set GLOVE_SEEDS to 2 or more seeds"
    return
  fi
  bench_seed_summary glove "$c" "$unit" "$dir" "$fmt" "$kind" "$WORK/figures/$c" " threads=2"
}

for seed in $SEEDS; do
  SEEDED="$(shuffled "$seed")"
  log "seed $seed: GloVe ($EPOCHS epochs, memory $MEMORY MB)"
  timed glove java --enable-native-access=ALL-UNNAMED -Xmx2g -jar "$JAR" train-vectors --model glove \
    --input "$SEEDED" --output "$WORK/glove" --dim 100 --window 10 --min-count 5 --epochs "$EPOCHS" \
    --threads $THREADS --seed "$seed" --memory "$MEMORY" --work-dir "$WORK/glove-tmp" --quiet
  G_WALL=$WALL; G_RSS=$RSS
  grep -E '^(trained|peak)' "$WORK/glove.out" | sed 's/^/glove bench:   /' >&2
  G_BUILD=$(sed -n 's/.* built in \([0-9.]*\) s,.*/\1/p' "$WORK/glove.out")
  G_FIT=$(sed -n 's/.* epochs in \([0-9.]*\) s,.*/\1/p' "$WORK/glove.out")
  G_BUILD_RSS=$(sed -n 's/^peak RSS: co-occurrence build \([0-9]*\) MB.*/\1/p' "$WORK/glove.out")
  G_FIT_RSS=$(sed -n 's/^peak RSS: .*, training \([0-9]*\) MB.*/\1/p' "$WORK/glove.out")
  score "$WORK/glove.e4jv"; G_WS=$WS; G_SL=$SLX; G_G=$G30K; G_M=$MS

  log "seed $seed: skip-gram (5 epochs)"
  timed sg java --enable-native-access=ALL-UNNAMED -Xmx2g -jar "$JAR" train-vectors --model sg --input "$SEEDED" \
    --output "$WORK/sg" --dim 100 --window 5 --negative 5 --sample 1e-4 --min-count 5 --epochs 5 \
    --threads $THREADS --seed "$seed" --quiet
  S_WALL=$WALL; S_RSS=$RSS
  grep '^trained' "$WORK/sg.out" | sed 's/^/glove bench:   /' >&2
  score "$WORK/sg.e4jv"; S_WS=$WS; S_SL=$SLX; S_G=$G30K; S_M=$MS
  log "seed $seed: wall GloVe $G_WALL s (build $G_BUILD s, training $G_FIT s), skip-gram $S_WALL s;" \
    "peak RSS GloVe $G_RSS MiB (build ${G_BUILD_RSS:-?}, training ${G_FIT_RSS:-?}), skip-gram $S_RSS MiB"

  record ws353 spearman higher %.4f quality "$G_WS" "$S_WS"
  record simlex999 spearman higher %.4f quality "$G_SL" "$S_SL"
  record google30k % higher %.2f quality "$G_G" "$S_G"
  record msr % higher %.2f quality "$G_M" "$S_M"
  record train_seconds s lower %.1f speed "$G_WALL" "$S_WALL"
  record peak_rss MB lower %.0f speed "$G_RSS" "$S_RSS"
  record cooccur_seconds s lower %.1f solo "$G_BUILD" na
  record fit_seconds s lower %.1f solo "$G_FIT" na
  [ -z "$G_BUILD_RSS" ] || record cooccur_peak_rss MB lower %.0f solo "$G_BUILD_RSS" na
  [ -z "$G_FIT_RSS" ] || record fit_peak_rss MB lower %.0f solo "$G_FIT_RSS" na
  rm -f "$WORK"/glove.* "$WORK"/sg.* "$SEEDED"
done
log "settings: $TOKENS tokens, GloVe $EPOCHS epochs, skip-gram 5 epochs, $THREADS threads, seeds: $SEEDS"
for c in "${CASES[@]}"; do summary "$c"; done
