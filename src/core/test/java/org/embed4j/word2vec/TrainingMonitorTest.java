package org.embed4j.word2vec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.embed4j.train.TrainingListener;
import org.junit.jupiter.api.Test;

/**
 * The monitor driven by a simulated clock and simulated workers: a short run still logs a record every
 * 1/{@value TrainingMonitor#RECORDS_PER_RUN} of its words, a stalled run one record at the end, progress stays at a
 * few updates a second, and each record's loss is the mean over its own interval.
 */
class TrainingMonitorTest {
    private static final long MS = 1_000_000L;

    /** Records and progress calls seen by the monitor. */
    private static final class Seen implements TrainingListener {
        final List<Map<String, Object>> records = new ArrayList<>();
        int progress;

        @Override
        public void onProgress(String task, long done, long total, String unit, String status) {
            progress++;
        }

        @Override
        public void onMetrics(Map<String, Object> record) {
            records.add(record);
        }
    }

    @Test
    void aFourSecondRunLogsAboutTwoHundredRecords() {
        long total = 2_000_000;
        TrainingState state = new TrainingState(total);
        TrainingMonitor m = new TrainingMonitor("t", state, total, 2, Word2VecOptions.defaults(), 0);
        Seen seen = new Seen();
        long now = 0;
        int ticks = 0;
        // a 10k-word chunk lands every other 20 ms poll: 200 chunks in 4 s
        while (state.words.get() < total) {
            now += TrainingMonitor.POLL_MILLIS * MS;
            if (++ticks % 2 == 0) {
                state.words.addAndGet(10_000);
                state.pairs.add(1000);
                state.loss.add(1000 * 2.5);
            }
            m.tick(seen, false, now);
        }
        m.tick(seen, true, now);
        assertTrue(seen.records.size() >= 190 && seen.records.size() <= 202, seen.records.size() + " records");
        assertEquals(total, ((Number) seen.records.getLast().get("words")).longValue());
        assertEquals(2.5, (Double) seen.records.getLast().get("loss"), 1e-9);
        long seconds = now / (1000 * MS);
        assertTrue(seen.progress <= 4 * seconds + 2, seen.progress + " progress updates in " + seconds + " s");
        assertTrue(seen.progress >= 4 * seconds - 1, seen.progress + " progress updates in " + seconds + " s");
    }

    @Test
    void recordsFollowTheWordsNotThePolls() {
        long total = 100_000_000;
        TrainingState state = new TrainingState(total);
        TrainingMonitor m = new TrainingMonitor("t", state, total, 1, Word2VecOptions.defaults(), 0);
        Seen seen = new Seen();
        long now = 0;
        // 60 polls (1.2 s) without a word: nothing to record, even after a second has passed
        for (int i = 0; i < 60; i++) {
            now += TrainingMonitor.POLL_MILLIS * MS;
            m.tick(seen, false, now);
        }
        assertEquals(0, seen.records.size());
        // one checkpoint (total/200 = 500k words) crossed: one record, whose loss covers only its own pairs
        state.words.addAndGet(500_000);
        state.pairs.add(10);
        state.loss.add(40);
        m.tick(seen, false, now += TrainingMonitor.POLL_MILLIS * MS);
        assertEquals(1, seen.records.size());
        assertEquals(4.0, (Double) seen.records.getFirst().get("loss"), 1e-9);
        state.words.addAndGet(100_000);
        state.pairs.add(10);
        state.loss.add(10);
        m.tick(seen, false, now += TrainingMonitor.POLL_MILLIS * MS);
        assertEquals(1, seen.records.size(), "below the next checkpoint and within the second: no record");
        m.tick(seen, false, now + 1000 * MS);
        assertEquals(2, seen.records.size(), "a second after the last record: one more");
        assertEquals(1.0, (Double) seen.records.getLast().get("loss"), 1e-9);
        // the closing record with no new words: its loss is kept, its throughput is unknown rather than zero
        m.tick(seen, true, now + 1100 * MS);
        assertEquals(3, seen.records.size());
        assertTrue(Double.isNaN((Double) seen.records.getLast().get("words_per_sec")));
    }
}
