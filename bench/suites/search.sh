#!/usr/bin/env bash
# bench/suites/search.sh [--quick]: exact and approximate nearest-neighbour search (SearchBench).
# 1. exact: a random 100k-word x 100 model (ServeLoad models, .e4jv memory-mapped), 8 closed-loop client threads:
#    anchor = one float top-k pass per query, ours = BatchedSearcher (window SEARCH_WINDOW_US, default 1000 us) over
#    the int8 scan with float rescoring; then the share of 1000 queries whose top-10 equals the float search's.
# 2. hnsw: the sentences of ../shared/data/corpus/gutenberg (one per line, >= 4 words), embedded with vectors trained
#    on them (./embed4j train-vectors, dim 100), SIF + first component removed; a TextIndex over the first ROWS
#    (1M; --quick 200k, with vectors from the same prefix), its HNSW graph (M 32, beam 200, one build thread, the
#    documents in locality order; the library's defaults are M 16, beam 100): build time, size,
#    recall@10 against exact search and q/s of both for 500 held-out sentences with every core busy (exact search
#    splits its scan over the cores, graph searches run on one caller thread per core; best of three passes of at least 1 s) for
#    ef 10..200; reported at the smallest ef whose recall@10 reaches 0.95, every ef logged. REUSE=1 also reuses the
#    text index and graph of an earlier run of the same size (its build time is then a NOTE). SEARCH_HNSW_M,
#    SEARCH_HNSW_BEAM, SEARCH_HNSW_BITS and SEARCH_HNSW_THREADS set the graph's M, build beam, bits a coordinate
#    (32 float; 8, 7, 4 quantized with float rescoring) and build threads (defaults 32, 200, 32, 1). The log also
#    gives the process CPU per query of both.
# 3. knn: k-NN (k 10) through a text index of the training texts of TREC, AG News (test split only here: 90/10
#    holdout, seed 42) and SST-2, against a fastText-style classifier (default options) on the same split.
# Work files in SEARCH_DIR (default /tmp/embed4j-search-bench), kept for reruns (REUSE=1 skips corpus and training).
# Prints: RESULT search <case> ours=<v> anchor=<v|na> ratio=<v|na> unit=<u> (NOTE for k-NN in quick mode).
# Targets (docs/search.md): exact_qps_c8 ratio >= 4, exact_agreement 1, hnsw_recall10 >= 0.95, hnsw_vs_exact >= 20.
set -euo pipefail
source "$(dirname "$0")/../common.sh"

QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
ROWS=1000000; SECS=10; EPOCHS=3
if [ "$QUICK" = 1 ]; then ROWS=200000; SECS=5; EPOCHS=1; fi
DIR="${SEARCH_DIR:-/tmp/embed4j-search-bench}"
DATA="${EMBED4J_SHARED_DATA:-$BENCH_ROOT/../shared/data}"
mkdir -p "$DIR"
echo "search: load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2

bench_build
bench_cli_jar "$DIR"
JAVA=(java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xmx8g -cp "$(bench_classpath)")

# 1. exact search on the word model
[ -f "$DIR/vectors.e4jv" ] || "${JAVA[@]}" org.embed4j.bench.ServeLoad models "$DIR" 100000 100 >&2
"${JAVA[@]}" org.embed4j.bench.SearchBench exact "$DIR/vectors.e4jv" "$SECS" "${SEARCH_WINDOW_US:-1000}"

# 2. sentences (quick: the corpus prefix that holds the collection and the held-out queries) and their vectors
SENT="$DIR/sentences-$ROWS.txt"
if [ "${REUSE:-0}" != 1 ] || [ ! -s "$SENT" ]; then
  # head stops the pipeline early: the SIGPIPE of zcat/sed/awk is expected, so pipefail is off for it
  set +o pipefail
  zcat "$DATA/corpus/gutenberg/gutenberg-en-20m.txt.gz" \
    | sed -E 's/([.!?]["'"'"')]*) +/\1\n/g' | awk 'NF >= 4' | head -n $((ROWS + 500)) > "$SENT"
  set -o pipefail
fi
echo "search: $(wc -l < "$SENT") sentences in $SENT" >&2
MODEL="$DIR/gutenberg-$ROWS.e4jv"
if [ "${REUSE:-0}" != 1 ] || [ ! -f "$MODEL" ]; then
  # --output is a prefix: train-vectors writes <prefix>.e4jv (and .bin, metrics, curve)
  java --enable-native-access=ALL-UNNAMED -jar "$JAR" train-vectors --input "$SENT" --output "${MODEL%.e4jv}" --dim 100 \
    --epochs "$EPOCHS" --min-count 5 --quiet >&2
fi
"${JAVA[@]}" org.embed4j.bench.SearchBench hnsw "$MODEL" "$SENT" "$ROWS" "$DIR"

# 3. k-NN classification through the index
"${JAVA[@]}" org.embed4j.bench.SearchBench knn "$MODEL" "$DATA/classify" "$QUICK" trec ag-news sst2
