package org.embed4j.word2vec;

import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.text.Subwords;
import org.embed4j.text.Vocabulary;

/**
 * The kernel's CSR of input rows per word when training with subwords (fastText): word w's rows are
 * {@code ids[offsets[w] .. offsets[w+1])} = its own row w, then V + bucket of each of its character
 * n-grams (W_in has V word rows followed by {@code bucket} n-gram rows). Its input vector is their mean.
 * Immutable after {@link #build}; closes its two tensors.
 */
final class SubwordIndex implements AutoCloseable {
    private final Tensor offsets; // (V+1) I64
    private final Tensor ids; // (offsets[V]) I32

    private SubwordIndex(Tensor offsets, Tensor ids) {
        this.offsets = offsets;
        this.ids = ids;
    }

    static SubwordIndex build(Vocabulary vocab, Subwords subwords) {
        int v = vocab.size();
        long[] off = new long[v + 1];
        int[][] grams = new int[v][];
        long n = 0;
        for (int w = 0; w < v; w++) {
            grams[w] = subwords.ngramBuckets(vocab.word(w));
            off[w] = n;
            n += 1 + grams[w].length;
        }
        off[v] = n;
        int[] flat = new int[Math.toIntExact(n)];
        for (int w = 0; w < v; w++) {
            int p = (int) off[w];
            flat[p++] = w;
            for (int b : grams[w]) {
                flat[p++] = v + b;
            }
        }
        Tensor o = Tensor.of(off);
        try {
            return new SubwordIndex(o, flat.length == 0 ? Tensor.allocate(DType.I32, 0) : Tensor.of(flat));
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
    }

    Tensor offsets() {
        return offsets;
    }

    Tensor ids() {
        return ids;
    }

    @Override
    public void close() {
        offsets.close();
        ids.close();
    }
}
