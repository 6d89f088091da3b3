package org.embed4j.glove;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Tensor;
import org.embed4j.vectors.WordVectors;

/**
 * GloVe's parameters as host tensors: the word matrix W and the context matrix C, each (V, D+1) with the bias in
 * the last column, and their Adagrad sums of squared gradients, (V, D+1) per element or (V) per row, which start
 * at 1 (as the reference's gradsq). W and C start uniform in ±0.5/D (biases too), from one seeded stream.
 * Owns its tensors; close it. The matrices are written by the Hogwild workers without locks.
 */
final class GloveWeights implements AutoCloseable {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    final int vocabSize;
    final int dim;
    final Tensor w;
    final Tensor c;
    final Tensor gradsqW;
    final Tensor gradsqC;

    private GloveWeights(int vocabSize, int dim, Tensor w, Tensor c, Tensor gradsqW, Tensor gradsqC) {
        this.vocabSize = vocabSize;
        this.dim = dim;
        this.w = w;
        this.c = c;
        this.gradsqW = gradsqW;
        this.gradsqC = gradsqC;
    }

    /** Fresh weights for V words of dimension D, as the header describes. */
    static GloveWeights init(int vocabSize, int dim, GloveOptions.Adagrad adagrad, long seed) {
        int width = dim + 1;
        Tensor w = Tensor.allocate(DType.F32, vocabSize, width);
        Tensor c = Tensor.allocate(DType.F32, vocabSize, width);
        Tensor gw = stateTensor(vocabSize, width, adagrad);
        Tensor gc = stateTensor(vocabSize, width, adagrad);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] row = new float[width];
        for (Tensor m : List.of(w, c)) {
            for (long r = 0; r < vocabSize; r++) {
                for (int k = 0; k < width; k++) {
                    row[k] = (float) ((rng.nextDouble() - 0.5) / dim);
                }
                MemorySegment.copy(row, 0, m.segment(), F32, r * width * 4L, width);
            }
        }
        fill(gw, 1f);
        fill(gc, 1f);
        return new GloveWeights(vocabSize, dim, w, c, gw, gc);
    }

    /** Weights from saved tensors (a checkpoint); takes ownership. Shapes are checked. */
    static GloveWeights of(
            int vocabSize, int dim, GloveOptions.Adagrad adagrad, Tensor w, Tensor c, Tensor gw, Tensor gc) {
        long width = dim + 1L;
        long[] matrix = {vocabSize, width};
        long[] state = adagrad == GloveOptions.Adagrad.ROWWISE ? new long[] {vocabSize} : matrix;
        expect("W", w, matrix);
        expect("C", c, matrix);
        expect("gradsq_W", gw, state);
        expect("gradsq_C", gc, state);
        return new GloveWeights(vocabSize, dim, w, c, gw, gc);
    }

    private static void expect(String name, Tensor t, long[] shape) {
        if (t == null || t.dtype() != DType.F32 || !java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(name + " must be F32 " + java.util.Arrays.toString(shape) + ", got "
                    + (t == null ? "nothing" : t.describe()));
        }
    }

    private static Tensor stateTensor(int vocabSize, int width, GloveOptions.Adagrad adagrad) {
        return adagrad == GloveOptions.Adagrad.ROWWISE
                ? Tensor.allocate(DType.F32, vocabSize)
                : Tensor.allocate(DType.F32, vocabSize, width);
    }

    private static void fill(Tensor t, float v) {
        MemorySegment s = t.segment();
        for (long i = 0; i < t.numel(); i++) {
            s.setAtIndex(F32, i, v);
        }
    }

    /** The first non-finite value of W and C, as "W[row, col] = NaN", or null when every value is finite. */
    String firstNonFinite() {
        for (Tensor m : List.of(w, c)) {
            MemorySegment s = m.segment();
            for (long i = 0; i < m.numel(); i++) {
                float v = s.getAtIndex(F32, i);
                if (!Float.isFinite(v)) {
                    return (m == w ? "W[" : "C[") + i / (dim + 1) + ", " + i % (dim + 1) + "] = " + v;
                }
            }
        }
        return null;
    }

    /** The word vectors: W's vector columns, plus C's for {@link GloveOptions.Output#WORD_PLUS_CONTEXT}. */
    WordVectors toVectors(List<String> words, GloveOptions.Output output) {
        int width = dim + 1;
        float[] out = new float[Math.multiplyExact(vocabSize, dim)];
        float[] row = new float[width];
        for (int r = 0; r < vocabSize; r++) {
            MemorySegment.copy(w.segment(), F32, (long) r * width * 4, row, 0, width);
            System.arraycopy(row, 0, out, r * dim, dim);
            if (output == GloveOptions.Output.WORD_PLUS_CONTEXT) {
                MemorySegment.copy(c.segment(), F32, (long) r * width * 4, row, 0, width);
                for (int k = 0; k < dim; k++) {
                    out[r * dim + k] += row[k];
                }
            }
        }
        return WordVectors.of(words, out, dim);
    }

    @Override
    public void close() {
        w.close();
        c.close();
        gradsqW.close();
        gradsqC.close();
    }
}
