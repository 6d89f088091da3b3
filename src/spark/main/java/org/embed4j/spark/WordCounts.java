package org.embed4j.spark;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Word counting for the vocabulary pass: each partition counts its words in a local hash map first and emits one
 * (word, count) pair per distinct word, which reduceByKey then sums across partitions. Spark's map-side combine does
 * the same per record, at the cost of a pair object per token; counting locally first makes the pass several times
 * cheaper. One instance per partition (not thread-safe).
 */
final class WordCounts {
    private final Map<String, long[]> counts = new HashMap<>();

    void add(String word) {
        counts.computeIfAbsent(word, k -> new long[1])[0]++;
    }

    /** The partition's (word, count) pairs. */
    Iterator<Tuple2<String, Long>> pairs() {
        List<Tuple2<String, Long>> out = new ArrayList<>(counts.size());
        counts.forEach((w, c) -> out.add(new Tuple2<>(w, c[0])));
        return out.iterator();
    }

    /** The per-partition pairs summed by word. */
    static JavaPairRDD<String, Long> reduce(JavaRDD<Tuple2<String, Long>> partitionCounts) {
        return partitionCounts.mapToPair(t -> t).reduceByKey(Long::sum);
    }
}
