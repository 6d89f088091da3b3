#!/usr/bin/env bash
# bench/suites/spark.sh [--quick]: embed4j on Spark in local mode on this machine, against Spark MLlib's Word2Vec and
# against embed4j's single-machine training, on the corpus of the word2vec bench:
# ../shared/data/corpus/gutenberg/gutenberg-en-20m.txt.gz, normalised once (lowercase, every run of characters
# other than a-z0-9 -> one space, empty lines dropped), cut to the first N tokens.
#   full:    N = 10M, 5 epochs. Ours (SparkWord2Vec, one thread per task; 4 sync rounds per epoch and merge average,
#            the defaults: SPARK_BENCH_ROUNDS=32 SPARK_BENCH_MERGE=sum is the better setting with 2 partitions, see
#            docs/spark.md) with 2, 4 and 8
#            partitions on local[2] and 2 on local[1] (scaling); MLlib Word2Vec (skip-gram, hierarchical softmax:
#            its only mode; maxIter = epochs) with 2, 4 and 8 partitions on local[2] (SPARK_BENCH_MLLIB_PARTS="2"
#            runs only the first: each MLlib run takes tens of minutes); single-machine
#            `embed4j train-vectors --threads 2` as the quality reference.
#   --quick: N = 2M, 1 epoch, 2 partitions only; quality lines become NOTE lines (one epoch on 2M tokens is noise).
# Settings everywhere: skip-gram, dim 100, window 5, min-count 5 (ours also negative 5, sample 1e-4, lr 0.025, as
# the word2vec bench). words/s = corpus tokens x epochs / seconds of the fit (vocabulary pass included, Spark
# start-up excluded). Quality: WordSim-353 Spearman and Google analogies over the 30k most frequent words, every
# model scored by `embed4j evaluate`.
# Inference: TextEmbeddingModel over 200k lines of the corpus on local[2] (read from a file, cached, rows written to
# Spark's no-op sink) against a plain loop of TextEmbedder calls on 2 threads in one JVM (so the ratio is per core);
# the best of three interleaved runs each.
# The Spark JVMs get -Xmx6g and Spark's own --add-opens flags.
# Prints: RESULT spark <case> ours=<v> anchor=<v> ratio=<bigger is better> unit=<u>, or NOTE spark <case> n/a: <why>
#   mllib_words_per_sec, ws353_vs_single, ws353_vs_mllib, infer_texts_per_sec (the issue's four), and
#   google30k_vs_single, google30k_vs_mllib, words_per_sec_vs_single, scaling_local2_vs_local1,
#   ws353_p4_vs_single, ws353_p8_vs_single, ws353_p4_vs_mllib_p4, ws353_p8_vs_mllib_p8 (full mode).
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
  [ -f "$f" ] || { echo "spark bench: missing $f (set EMBED4J_SHARED_DATA)" >&2; exit 1; }
done
if [ $QUICK = 1 ]; then TOKENS=2000000; EPOCHS=1; PARTS="2"; else TOKENS=10000000; EPOCHS=5; PARTS="2 4 8"; fi
# MLlib takes several times longer than ours at every partition count; SPARK_BENCH_MLLIB_PARTS narrows its runs
MLLIB_PARTS="${SPARK_BENCH_MLLIB_PARTS:-$PARTS}"
ROUNDS="${SPARK_BENCH_ROUNDS:-4}"
MERGE="${SPARK_BENCH_MERGE:-average}"

WORK="$(mktemp -d /tmp/embed4j-spark-bench.XXXXXX)"
trap 'cp "$WORK/spark.log" "${SPARK_BENCH_LOG:-/dev/null}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
log() { echo "spark bench: $*" >&2; }

# --- builds: the CLI jar (evaluate, train-vectors) and the spark module with its test classes (SparkBench), copied
# to a folder of their own so that later builds in the tree cannot change them mid-run
BUILD="${SPARK_BENCH_BUILD:-$ROOT/target-bench/spark}"
log "building embed4j into $BUILD"
bench_cli_jar "$BUILD"
(cd "$ROOT" && mvn -B -q -ntp -pl src/spark -am -Dno-docs -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test) >&2
rm -rf "$BUILD/classes" "$BUILD/test-classes" "$BUILD/lib"
mkdir -p "$BUILD/lib"
cp -r "$ROOT/src/spark/target/classes" "$BUILD/classes"
cp -r "$ROOT/src/spark/target/test-classes" "$BUILD/test-classes"
CP="$BUILD/test-classes:$BUILD/classes"
for entry in $(tr ':' ' ' < "$ROOT/src/spark/target/bench-classpath.txt"); do
  case "$entry" in
    "$ROOT"/*) cp "$entry" "$BUILD/lib/"; CP="$CP:$BUILD/lib/$(basename "$entry")" ;; # our own jars: copied
    *) CP="$CP:$entry" ;;                                                               # Maven's: immutable
  esac
done
SPARK_OPTS=(-Xmx6g -XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
  --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true
  --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
  -Dlog4j2.configurationFile="$WORK/log4j2.properties")
# Spark's warnings and embed4j's progress (one line per sync round) go to $WORK/spark.log
cat > "$WORK/log4j2.properties" <<'LOG'
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = stderr
appender.stderr.type = Console
appender.stderr.name = stderr
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.embed4j.name = org.embed4j
logger.embed4j.level = info
LOG
bench() { SPARK_LOCAL_IP=127.0.0.1 java "${SPARK_OPTS[@]}" -cp "$CP" org.embed4j.spark.SparkBench "$@" 2>>"$WORK/spark.log" | grep '^BENCH '; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
ours() { java --enable-native-access=ALL-UNNAMED -Xmx2g -jar "$JAR" "$@"; }

# --- corpus, normalised once, cut by token count (as bench/suites/word2vec.sh)
CORPUS="$WORK/corpus.txt"
log "normalising the first $TOKENS tokens of $SRC"
bench_corpus "$SRC" "$TOKENS" "$CORPUS"
NTOK=$(wc -w < "$CORPUS")
log "corpus: $NTOK tokens, $(wc -l < "$CORPUS") lines"
wps() { awk -v n="$NTOK" -v e="$EPOCHS" -v s="$1" 'BEGIN { printf "%.0f", n * e / s }'; }

# score <vectors>: sets WS353 and G30K with embed4j evaluate
score() {
  local out
  out="$(ours evaluate "$1" --similarity "$WS" --analogy "$QW" --restrict 30000)"
  WS353=$(echo "$out" | sed -n 's/.*spearman \([-0-9.]*\).*/\1/p' | head -1)
  G30K=$(echo "$out" | sed -n 's/.*total \([0-9.]*\)%.*/\1/p' | head -1)
}

declare -A W S G
for p in $PARTS; do
  log "ours: $p partitions on local[2]"
  line=$(bench ours "local[2]" "$CORPUS" $EPOCHS $p $ROUNDS "$WORK/ours-p$p.e4jv" $MERGE)
  W[ours$p]=$(wps "$(field "$line" seconds)"); score "$WORK/ours-p$p.e4jv"; S[ours$p]=$WS353; G[ours$p]=$G30K
  log "ours p$p: ${W[ours$p]} words/s, WS353 $WS353, Google-30k $G30K% ($line)"
done
for p in $MLLIB_PARTS; do
  log "mllib: $p partitions on local[2]"
  line=$(bench mllib "local[2]" "$CORPUS" $EPOCHS $p "$WORK/mllib-p$p.txt")
  W[mllib$p]=$(wps "$(field "$line" seconds)"); score "$WORK/mllib-p$p.txt"; S[mllib$p]=$WS353; G[mllib$p]=$G30K
  log "mllib p$p: ${W[mllib$p]} words/s, WS353 $WS353, Google-30k $G30K% ($line)"
done
if [ $QUICK = 0 ]; then
  log "ours: 2 partitions on local[1]"
  line=$(bench ours "local[1]" "$CORPUS" $EPOCHS 2 $ROUNDS "$WORK/ours-local1.e4jv" $MERGE)
  W[local1]=$(wps "$(field "$line" seconds)")
  log "ours local[1]: ${W[local1]} words/s ($line)"
fi
log "single machine: train-vectors --threads 2"
start=$(date +%s.%N)
ours train-vectors --input "$CORPUS" --output "$WORK/single" --model sg --dim 100 --window 5 --negative 5 \
  --sample 1e-4 --min-count 5 --epochs $EPOCHS --threads 2 --quiet >&2
W[single]=$(wps "$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')")
score "$WORK/single.bin"; S[single]=$WS353; G[single]=$G30K
log "single: ${W[single]} words/s (JVM start-up included), WS353 $WS353, Google-30k $G30K%"

log "inference: TextEmbeddingModel on local[2] vs a 2-thread loop"
# 200k lines, cycling a small corpus (awk, not cat | head: head's early exit would fail the pipeline under pipefail)
awk -v n=200000 '{ line[NR] = $0 } END { for (i = 0; NR > 0 && i < n; i++) print line[i % NR + 1] }' "$CORPUS" \
  > "$WORK/texts.txt"
line=$(bench infer "local[2]" "$WORK/ours-p2.e4jv" "$WORK/texts.txt" 2)
log "inference: $line"

result() { # case ours anchor unit format
  awk -v c="$1" -v o="$2" -v a="$3" -v u="$4" -v f="$5" 'BEGIN {
    printf "RESULT spark %s ours=" f " anchor=" f " ratio=%.3f unit=%s\n", c, o, a, (a != 0 ? o / a : 0), u }'
}
quality() { # case ours anchor unit format
  if [ $QUICK = 1 ]; then
    echo "NOTE spark $1 n/a: quick mode (1 epoch on 2M tokens): quality there is noise; run the full mode"
  else
    result "$@"
  fi
}
result mllib_words_per_sec "${W[ours2]}" "${W[mllib2]}" words/s %.0f
quality ws353_vs_single "${S[ours2]}" "${S[single]}" spearman %.4f
quality ws353_vs_mllib "${S[ours2]}" "${S[mllib2]}" spearman %.4f
result infer_texts_per_sec "$(field "$line" spark_texts_per_sec)" "$(field "$line" loop_texts_per_sec)" texts/s %.0f
quality google30k_vs_single "${G[ours2]}" "${G[single]}" % %.2f
quality google30k_vs_mllib "${G[ours2]}" "${G[mllib2]}" % %.2f
result words_per_sec_vs_single "${W[ours2]}" "${W[single]}" words/s %.0f
if [ $QUICK = 0 ]; then
  result scaling_local2_vs_local1 "${W[ours2]}" "${W[local1]}" words/s %.0f
  for p in 4 8; do
    result ws353_p${p}_vs_single "${S[ours$p]}" "${S[single]}" spearman %.4f
    if [ -n "${S[mllib$p]+x}" ]; then
      result ws353_p${p}_vs_mllib_p${p} "${S[ours$p]}" "${S[mllib$p]}" spearman %.4f
    else
      echo "NOTE spark ws353_p${p}_vs_mllib_p${p} n/a: MLlib was not run with $p partitions (SPARK_BENCH_MLLIB_PARTS)"
    fi
    result google30k_p${p}_vs_single "${G[ours$p]}" "${G[single]}" % %.2f
  done
fi
