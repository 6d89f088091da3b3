#!/usr/bin/env bash
# bench/suites/word2vec.sh [--quick]: embed4j train-vectors side by side with word2vec C (npm word2vec@1.1.5,
# the original C source + makefile) and fastText (npm fasttext@1.0.0, C++ source with its CLI main.cc), same
# corpus, same settings, same thread count. The anchors are fetched with `npm pack` and built in a temp dir (never
# committed).
# Corpus: ../shared/data/corpus/gutenberg/gutenberg-en-20m.txt.gz, normalised once (lowercase, every run of
# characters other than a-z0-9 -> one space, empty lines dropped), cut to the first N tokens.
#   --quick: N = 5M, 1 epoch, 2 threads, skip-gram.   full: N = 10M, 5 epochs, 2 threads, skip-gram and CBOW, then
#   skip-gram with hierarchical softmax (ours --hs 1 --negative 0 against word2vec C -hs 1 -negative 0) and document
#   vectors on IMDB (below). $W2V_MODELS picks cases, e.g. W2V_MODELS="sg_hs docvec" (default: all of the mode's).
# min-count 5, dim 100, window 5, negative 5, sample 1e-4, default learning rates (0.025 SG / 0.05 CBOW).
# Seeds: one run of every tool per seed in $W2V_SEEDS (spaces or commas; default "1 2 3", --quick "1"). Neither
# word2vec C nor fastText 1.0.0 takes a seed, so the seed shuffles the corpus lines (paragraphs; no tool's window
# crosses a line) and every tool trains on that order; ours also gets --seed. Each seed is a whole run of the three
# tools, so the full mode's time grows with the number of seeds (word2vec C is the slowest of the three).
# Metrics: words/s = corpus tokens x epochs / wall seconds of the whole run (vocabulary pass included, the same
# formula for every tool: word2vec's own Words/thread/sec divides by CPU time, not wall time), words per CPU second
# (user + sys; robust on a shared machine), wall time and peak RSS (/usr/bin/time -v), WordSim-353
# Spearman and Google analogy accuracy restricted to the 30k most frequent words (all models scored by the same
# evaluator: embed4j evaluate). Every figure is the mean over the seeds; with 2 or more seeds ours_std and
# anchor_std give the sample standard deviation.
# docvec (full mode): IMDB's official split (25k/25k, ../shared/data/classify/imdb). Anchor: our fastText-style
# train-classifier (the classify suite's settings: 25 epochs, lr 0.5, word bigrams), which writes the split it uses;
# ours: train-docvectors (PV-DBOW with hierarchical softmax, 10 epochs, min-count 2, no subsampling, lower-cased: the
# best of the settings tried on a 5k/5k sample, docs/benchmarks.md) on the texts of both halves without their labels,
# then test-docvectors: a logistic regression on the training half's vectors, scored on the test half's.
# Quality (WordSim-353, analogies) is a NOTE ... n/a line, not a RESULT, in the quick mode (1 epoch on 5M tokens
# leaves both scores near noise, and the quick mode does not evaluate) and with a single seed (no spread to judge a
# difference by).
# Prints: RESULT word2vec <case> ours=<mean> anchor=<mean> ratio=<bigger is better> unit=<u> seeds=<n>
#         [ours_std=<s> anchor_std=<s>]   (grammar: bench/check_output.py)
#   <case> = [fasttext_]<sg|cbow|sg_hs>_<words_per_sec|words_per_cpu_sec|wall_time|peak_rss|ws353_spearman|
#   google30k_accuracy> (anchor word2vec C; fasttext_: anchor fastText without subwords), docvec_imdb_accuracy
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
source "$ROOT/bench/common.sh"

QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
DATA="${EMBED4J_SHARED_DATA:-$ROOT/../shared/data}"
SRC="$DATA/corpus/gutenberg/gutenberg-en-20m.txt.gz"
WS="$DATA/eval/wordsim353.tsv"
QW="$DATA/eval/questions-words.txt"
for f in "$SRC" "$WS" "$QW"; do
  [ -f "$f" ] || { echo "word2vec bench: missing $f (set EMBED4J_SHARED_DATA)" >&2; exit 1; }
done
THREADS=2
if [ $QUICK = 1 ]; then TOKENS=5000000; EPOCHS=1; MODELS="sg"; SEEDS="1"; else
  TOKENS=10000000; EPOCHS=5; MODELS="sg cbow sg_hs docvec"; SEEDS="1 2 3"; fi
MODELS="${W2V_MODELS:-$MODELS}"
SEEDS="$(echo "${W2V_SEEDS:-$SEEDS}" | tr ',' ' ')"
NSEEDS=$(echo $SEEDS | wc -w)

WORK="$(mktemp -d /tmp/embed4j-w2v-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
log() { echo "word2vec bench: $*" >&2; }

# --- our jar (own build folder so it does not collide with other builds)
BUILD="${W2V_BENCH_BUILD:-$ROOT/target-bench/word2vec}"
log "building embed4j into $BUILD"
bench_cli_jar "$BUILD"
# OURS: the command as an array, for timed (/usr/bin/time runs programs, not shell functions)
OURS=(java --enable-native-access=ALL-UNNAMED -Xmx2g -jar "$JAR")
ours() { "${OURS[@]}" "$@"; }

# --- anchors from the npm registry
log "fetching and building word2vec@1.1.5 and fasttext@1.0.0 in $WORK"
(cd "$WORK" && npm pack --silent word2vec@1.1.5 fasttext@1.0.0 >/dev/null)
mkdir -p "$WORK/w2v" "$WORK/ft"
tar -xzf "$WORK"/word2vec-1.1.5.tgz -C "$WORK/w2v"
tar -xzf "$WORK"/fasttext-1.0.0.tgz -C "$WORK/ft"
W2V_SRC="$(dirname "$(find "$WORK/w2v" -name word2vec.c | head -1)")"
# Its makefile's flags, with the host-specific -march replaced by the ISA our own kernels use (AVX2+FMA),
# so both sides get the same instructions.
(cd "$W2V_SRC" && gcc word2vec.c -o word2vec -lm -pthread -O3 -mavx2 -mfma -Wall -funroll-loops -Wno-unused-result \
   && gcc compute-accuracy.c -o compute-accuracy -lm -O3 -mavx2 -mfma -Wall -funroll-loops)
W2V="$W2V_SRC/word2vec"
FT_MAIN="$(find "$WORK/ft" -name main.cc | head -1)"
FT_SRC="$(dirname "$FT_MAIN")"
g++ -O3 -pthread -std=c++14 -mavx2 -mfma -I"$FT_SRC" "$FT_SRC"/*.cc -o "$WORK/fasttext" 2>"$WORK/ft-build.log" || {
  log "fastText build failed (see below); continuing without it"; tail -5 "$WORK/ft-build.log" >&2; }

# --- corpus, normalised once, cut by token count
CORPUS="$WORK/corpus.txt"
log "normalising the first $TOKENS tokens of $SRC"
bench_corpus "$SRC" "$TOKENS" "$CORPUS"
NTOK=$(wc -w < "$CORPUS")
log "corpus: $NTOK tokens, $(wc -l < "$CORPUS") lines"

# shuffled <seed>: the corpus with its lines in the order the seed gives (the same file for every tool)
shuffled() {
  bench_shuffled "$CORPUS" "$1" "$WORK/corpus-$1.txt"
  echo "$WORK/corpus-$1.txt"
}

# timed <name> <cmd...>: runs under /usr/bin/time -v; sets WALL (s), CPU (s), WPS, WPC and RSS (MiB); output in
# $WORK/<name>.out
timed() {
  bench_timed "$WORK/$1" "${@:2}" || return 1
  WPS=$(awk -v n="$NTOK" -v e="$EPOCHS" -v w="$WALL" 'BEGIN { printf "%.0f", n * e / w }')
  WPC=$(awk -v n="$NTOK" -v e="$EPOCHS" -v c="$CPU" 'BEGIN { printf "%.0f", n * e / c }')
}

# score <vectors>: sets WS353 and G30K with embed4j evaluate (the same evaluator for every model); the quick mode
# does not evaluate (its quality lines are NOTE lines)
score() {
  local out
  WS353=na; G30K=na
  [ $QUICK = 0 ] || return 0
  out="$(ours evaluate "$1" --similarity "$WS" --analogy "$QW" --restrict 30000)"
  WS353=$(echo "$out" | sed -n 's/.*spearman \([-0-9.]*\).*/\1/p' | head -1)
  G30K=$(echo "$out" | sed -n 's/.*total \([0-9.]*\)%.*/\1/p' | head -1)
}

# record <case> <unit> <higher|lower> <printf format> <quality|speed> <ours> <anchor>: one seed's pair of figures
declare -a CASES
declare -A META
mkdir -p "$WORK/figures"
record() {
  [ -n "${META[$1]+x}" ] || { CASES+=("$1"); META[$1]="$2 $3 $4 $5"; }
  echo "$6 $7" >> "$WORK/figures/$1"
}

# record_pair <prefix> <model>: the six figures of ours against the anchor whose figures are in A_*
record_pair() {
  record "$1$2_words_per_sec" words/s higher %.0f speed "$O_WPS" "$A_WPS"
  record "$1$2_words_per_cpu_sec" words/cpu-s higher %.0f speed "$O_WPC" "$A_WPC"
  record "$1$2_wall_time" s lower %.2f speed "$O_WALL" "$A_WALL"
  record "$1$2_peak_rss" MiB lower %.0f speed "$O_RSS" "$A_RSS"
  record "$1$2_ws353_spearman" spearman higher %.4f quality "$O_WS" "$A_WS"
  record "$1$2_google30k_accuracy" % higher %.2f quality "$O_G" "$A_G"
}

# summary <case>: the RESULT line of a case (means over the seeds, std with 2 or more), or its NOTE line
summary() {
  local c="$1" unit dir fmt kind
  read -r unit dir fmt kind <<< "${META[$c]}"
  if [ "$kind" = quality ] && [ $QUICK = 1 ]; then
    echo "NOTE word2vec $c n/a: 1 epoch on 5M tokens leaves WordSim-353 and the analogies near noise; the full mode" \
      "(10M tokens, 5 epochs) prints the mean and std over W2V_SEEDS"
    return
  fi
  if [ "$kind" = quality ] && [ "$NSEEDS" -lt 2 ]; then
    echo "NOTE word2vec $c n/a: one seed gives no spread to judge a difference by; set W2V_SEEDS to 2 or more seeds"
    return
  fi
  bench_seed_summary word2vec "$c" "$unit" "$dir" "$fmt" "$kind" "$WORK/figures/$c"
}

for seed in $SEEDS; do
  SEEDED="$(shuffled "$seed")"
  for m in $MODELS; do
    case "$m" in sg|cbow) ;; *) continue ;; esac
    cbow=0; [ "$m" = cbow ] && cbow=1
    log "seed $seed, $m: embed4j"
    timed ours-$m java --enable-native-access=ALL-UNNAMED -Xmx2g -jar "$JAR" train-vectors --input "$SEEDED" \
      --output "$WORK/ours-$m" --model $m --dim 100 --window 5 --negative 5 --sample 1e-4 --min-count 5 \
      --epochs $EPOCHS --threads $THREADS --seed "$seed" --quiet
    O_WALL=$WALL; O_RSS=$RSS; O_WPS=$WPS; O_WPC=$WPC
    log "seed $seed, $m: embed4j: $(grep '^trained' "$WORK/ours-$m.out")"
    score "$WORK/ours-$m.bin"; O_WS=$WS353; O_G=$G30K

    log "seed $seed, $m: word2vec C"
    timed w2v-$m "$W2V" -train "$SEEDED" -output "$WORK/w2v-$m.bin" -binary 1 -cbow $cbow -size 100 -window 5 \
      -negative 5 -hs 0 -sample 1e-4 -threads $THREADS -iter $EPOCHS -min-count 5
    A_WALL=$WALL; A_RSS=$RSS; A_WPS=$WPS; A_WPC=$WPC
    score "$WORK/w2v-$m.bin"; A_WS=$WS353; A_G=$G30K
    log "seed $seed, $m: words/s ours $O_WPS, word2vec C $A_WPS; WS353 ours $O_WS, word2vec C $A_WS;" \
      "Google-30k ours $O_G %, word2vec C $A_G %"
    record_pair "" "$m"

    if [ -x "$WORK/fasttext" ]; then
      log "seed $seed, $m: fastText (no subwords: -maxn 0)"
      ftm=skipgram; lr=0.025; [ "$m" = cbow ] && { ftm=cbow; lr=0.05; }
      timed ft-$m "$WORK/fasttext" $ftm -input "$SEEDED" -output "$WORK/ft-$m" -dim 100 -ws 5 -neg 5 -t 1e-4 \
        -minCount 5 -epoch $EPOCHS -thread $THREADS -lr $lr -maxn 0 -verbose 2
      A_WALL=$WALL; A_RSS=$RSS; A_WPS=$WPS; A_WPC=$WPC
      score "$WORK/ft-$m.vec"; A_WS=$WS353; A_G=$G30K
      log "seed $seed, $m: words/s fastText $A_WPS; WS353 fastText $A_WS; Google-30k fastText $A_G %"
      record_pair fasttext_ "$m"
    fi
    rm -f "$WORK"/ours-$m.* "$WORK"/w2v-$m.* "$WORK"/ft-$m.*
  done
  if [[ " $MODELS " == *" sg_hs "* ]]; then
    log "seed $seed, sg_hs: embed4j"
    timed ours-sg-hs "${OURS[@]}" train-vectors --input "$SEEDED" --output "$WORK/ours-sg-hs" --model sg --dim 100 --window 5 \
      --hs 1 --negative 0 --sample 1e-4 --min-count 5 --epochs $EPOCHS --threads $THREADS --seed "$seed" --quiet
    O_WALL=$WALL; O_RSS=$RSS; O_WPS=$WPS; O_WPC=$WPC
    score "$WORK/ours-sg-hs.bin"; O_WS=$WS353; O_G=$G30K
    log "seed $seed, sg_hs: word2vec C"
    timed w2v-sg-hs "$W2V" -train "$SEEDED" -output "$WORK/w2v-sg-hs.bin" -binary 1 -cbow 0 -size 100 -window 5 \
      -negative 0 -hs 1 -sample 1e-4 -threads $THREADS -iter $EPOCHS -min-count 5
    A_WALL=$WALL; A_RSS=$RSS; A_WPS=$WPS; A_WPC=$WPC
    score "$WORK/w2v-sg-hs.bin"; A_WS=$WS353; A_G=$G30K
    log "seed $seed, sg_hs: words/s ours $O_WPS, word2vec C $A_WPS; WS353 ours $O_WS, word2vec C $A_WS;" \
      "Google-30k ours $O_G %, word2vec C $A_G %"
    record_pair "" sg_hs
    rm -f "$WORK"/ours-sg-hs.* "$WORK"/w2v-sg-hs.*
  fi
  IMDB_DIR="$DATA/classify/imdb"
  if [[ " $MODELS " == *" docvec "* ]] && [ $QUICK = 0 ] && [ -f "$IMDB_DIR/train.tsv.gz" ]; then
    log "seed $seed, docvec: fastText-style classifier on IMDB (writes the split)"
    timed ft-imdb "${OURS[@]}" train-classifier --train imdb --data "$DATA" --epoch 25 --lr 0.5 --word-ngrams 2 \
      --threads $THREADS --seed "$seed" --quiet --write-split "$WORK/imdb" --output "$WORK/imdb-ft.e4jc"
    FT_ACC=$(awk '/^test accuracy/ { sub("%", "", $3); print $3 }' "$WORK/ft-imdb.out")
    sed 's/^__label__[^ ]* //' "$WORK/imdb/train.txt" "$WORK/imdb/test.txt" > "$WORK/imdb-docs.txt"
    log "seed $seed, docvec: PV-DBOW on the $(wc -l < "$WORK/imdb-docs.txt") IMDB texts"
    timed pv-imdb "${OURS[@]}" train-docvectors --input "$WORK/imdb-docs.txt" --output "$WORK/pv" --dm 0 --dim 100 --hs \
      --negative 0 --min-count 2 --sample 0 --epochs 10 --lowercase --threads $THREADS --seed "$seed" --quiet
    timed pv-imdb-test "${OURS[@]}" test-docvectors --model "$WORK/pv.docvec.safetensors" --train "$WORK/imdb/train.txt" \
      --test "$WORK/imdb/test.txt" --threads $THREADS
    log "seed $seed, docvec: $(tr '\n' ' ' < "$WORK/pv-imdb-test.out")"
    PV_ACC=$(sed -n 's/^doc vectors: logistic regression accuracy \([0-9.]*\)%.*/\1/p' "$WORK/pv-imdb-test.out")
    log "seed $seed, docvec: IMDB accuracy PV-DBOW $PV_ACC %, fastText-style classifier $FT_ACC %"
    record docvec_imdb_accuracy % higher %.2f quality "$PV_ACC" "$FT_ACC"
    rm -rf "$WORK/imdb" "$WORK"/pv* "$WORK"/imdb-*
  fi
  rm -f "$SEEDED"
done
log "settings: $TOKENS tokens, $EPOCHS epoch(s), $THREADS threads, models: $MODELS, seeds: $SEEDS"
for c in "${CASES[@]}"; do summary "$c"; done
if [ ! -x "$WORK/fasttext" ]; then
  for m in $MODELS; do
    case "$m" in sg|cbow) ;; *) continue ;; esac
    echo "NOTE word2vec fasttext_$m n/a: fastText 1.0.0 did not build here (see the log)"
  done
fi
