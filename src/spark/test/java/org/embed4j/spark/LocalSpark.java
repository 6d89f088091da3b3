package org.embed4j.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The tests' Spark: local[2], bound to 127.0.0.1, no UI, two shuffle partitions. One session per test class (start
 * it in {@code @BeforeAll}, stop it in {@code @AfterAll}): Spark's start-up is most of these tests' time.
 */
final class LocalSpark {
    private LocalSpark() {}

    static SparkSession start(String name) {
        return SparkSession.builder()
                .master("local[2]")
                .appName(name)
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.default.parallelism", "2")
                .getOrCreate();
    }
}
