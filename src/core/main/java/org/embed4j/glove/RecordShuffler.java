package org.embed4j.glove;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.embed4j.io.AtomicFiles;

/**
 * Puts the co-occurrence records in random order, as the reference's shuffle does, within a memory budget: records
 * are buffered (12 bytes each); when every record fits, the whole buffer is shuffled once (Fisher-Yates) and written.
 * Otherwise each full buffer is shuffled and written as a chunk file, and the chunks are then merged by reading
 * an equal share of the buffer from each chunk in turn, shuffling that, and writing it: not a uniform
 * permutation of everything, but every stretch of the output mixes all chunks, which is what SGD needs.
 * Deterministic for a seed. The result is a {@link CooccurrenceFile}, written under a temporary name and renamed.
 * Not thread-safe.
 */
final class RecordShuffler implements AutoCloseable {
    private final Path target;
    private final Path workDir;
    private final int maxRecords;
    private final long seed;
    private final List<Path> chunks = new ArrayList<>();
    private final ByteBuffer out = CooccurrenceFile.recordBuffer();
    private int[] w1;
    private int[] w2;
    private float[] x;
    private int n;
    private long total;

    /** @param budgetBytes heap for the buffer, counting the moment it doubles (old and new arrays: 18 bytes a record) */
    RecordShuffler(Path target, Path workDir, long budgetBytes, long seed) {
        this.target = target;
        this.workDir = workDir;
        this.maxRecords = (int) Math.max(1024, Math.min(Integer.MAX_VALUE - 8, budgetBytes / 18));
        this.seed = seed;
        allocate(Math.min(maxRecords, 1 << 16));
    }

    private void allocate(int capacity) {
        w1 = w1 == null ? new int[capacity] : java.util.Arrays.copyOf(w1, capacity);
        w2 = w2 == null ? new int[capacity] : java.util.Arrays.copyOf(w2, capacity);
        x = x == null ? new float[capacity] : java.util.Arrays.copyOf(x, capacity);
    }

    /** Chunk files written so far (0 when everything fits in memory). */
    int chunks() {
        return chunks.size();
    }

    void add(int word, int context, float weight) throws IOException {
        if (n == w1.length) {
            if (n < maxRecords) {
                allocate((int) Math.min(maxRecords, 2L * n));
            } else {
                writeChunk();
            }
        }
        w1[n] = word;
        w2[n] = context;
        x[n] = weight;
        n++;
        total++;
    }

    private void writeChunk() throws IOException {
        shuffle(n, new SplittableRandom(seed * 0x9E3779B97F4A7C15L + chunks.size()));
        Path chunk = workDir.resolve("cooccur-shuffle-" + chunks.size() + ".bin");
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(chunk), 1 << 16)) {
            CooccurrenceFile.writeRecords(o, w1, w2, x, 0, n, out);
        }
        chunks.add(chunk);
        n = 0;
    }

    private void shuffle(int count, SplittableRandom rng) {
        for (int i = count - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int a = w1[i];
            w1[i] = w1[j];
            w1[j] = a;
            int b = w2[i];
            w2[i] = w2[j];
            w2[j] = b;
            float v = x[i];
            x[i] = x[j];
            x[j] = v;
        }
    }

    /** Writes the shuffled file for a vocabulary of {@code vocabSize} words and returns it opened. */
    CooccurrenceFile finish(int vocabSize, long fingerprint) throws IOException {
        if (chunks.isEmpty()) {
            shuffle(n, new SplittableRandom(seed * 0x9E3779B97F4A7C15L));
            AtomicFiles.write(target, o -> {
                o.write(CooccurrenceFile.header(vocabSize, total, fingerprint));
                CooccurrenceFile.writeRecords(o, w1, w2, x, 0, n, out);
            });
        } else {
            if (n > 0) {
                writeChunk();
            }
            AtomicFiles.write(target, o -> {
                o.write(CooccurrenceFile.header(vocabSize, total, fingerprint));
                mergeChunks(o);
            });
        }
        w1 = null;
        w2 = null;
        x = null;
        return CooccurrenceFile.open(target, vocabSize, fingerprint);
    }

    private void mergeChunks(OutputStream o) throws IOException {
        List<DataInputStream> ins = new ArrayList<>();
        try {
            for (Path c : chunks) {
                ins.add(new DataInputStream(new BufferedInputStream(Files.newInputStream(c), 1 << 16)));
            }
            int share = Math.max(1, w1.length / chunks.size());
            SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L - 1);
            byte[] rec = new byte[CooccurrenceFile.RECORD_BYTES];
            ByteBuffer bb = ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN);
            boolean any = true;
            while (any) {
                any = false;
                int count = 0;
                for (DataInputStream in : ins) {
                    for (int k = 0; k < share && readRecord(in, rec); k++) {
                        bb.clear();
                        w1[count] = bb.getInt();
                        w2[count] = bb.getInt();
                        x[count] = bb.getFloat();
                        count++;
                        any = true;
                    }
                }
                shuffle(count, rng);
                CooccurrenceFile.writeRecords(o, w1, w2, x, 0, count, out);
            }
        } finally {
            for (InputStream in : ins) {
                in.close();
            }
        }
    }

    private static boolean readRecord(DataInputStream in, byte[] rec) throws IOException {
        try {
            in.readFully(rec);
            return true;
        } catch (EOFException e) {
            return false;
        }
    }

    /** Deletes the chunk files. */
    @Override
    public void close() {
        CooccurrenceCounter.deleteAll(chunks);
    }
}
