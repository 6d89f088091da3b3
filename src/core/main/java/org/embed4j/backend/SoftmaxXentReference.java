package org.embed4j.backend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.embed4j.tensor.Tensor;

/**
 * Reference fused softmax cross-entropy (C: e4j_softmax_xent), torch.nn.functional.cross_entropy with
 * class-index targets, class weights w (1 when absent), ignore_index and label smoothing ε:
 *
 * <pre>
 * logp_k = x_k - logsumexp(x)                                   per row, in double
 * loss_i = (1-ε)·(-w_t·logp_t) + (ε/K)·(-Σ_k w_k·logp_k)       t = target_i; 0 for ignored rows
 * MEAN: Σ_i loss_i / Σ_i w_t (non-ignored rows)   SUM: Σ_i loss_i   NONE: loss_i per row
 * dx_j = s·[(1-ε)·w_t·(p_j - [j==t]) + (ε/K)·(p_j·Σ_k w_k - w_j)]  s = 1/Σ w_t (MEAN), 1 (SUM, NONE)
 * </pre>
 * MEAN with every target ignored (or B = 0): loss NaN and dlogits 0, as PyTorch. The whole input is checked
 * first (targets in [0,K) or ignore_index; finite logits), so a failed call writes nothing; dlogits may alias
 * logits because each row is read completely before it is written. Stateless; thread-safe.
 */
final class SoftmaxXentReference {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private SoftmaxXentReference() {}

    static void compute(
            Tensor loss,
            Tensor dLogits,
            Tensor logits,
            Tensor targets,
            Tensor weight,
            long ignoreIndex,
            float labelSmoothing,
            Reduction reduction) {
        int b = Math.toIntExact(logits.size(0));
        int k = Math.toIntExact(logits.size(1));
        MemorySegment x = logits.segment();
        long[] t = targets.toLongArray();
        double[] w = new double[k];
        for (int j = 0; j < k; j++) {
            w[j] = weight == null ? 1.0 : weight.getFloat(j);
        }
        checkInputs(x, t, b, k, ignoreIndex);

        double weightSum = 0; // Σ_k w_k, for the smoothing term
        for (int j = 0; j < k; j++) {
            weightSum += w[j];
        }
        double totalWeight = 0; // Σ_i w_{t_i} over non-ignored rows: the MEAN denominator
        for (int i = 0; i < b; i++) {
            if (t[i] != ignoreIndex) {
                totalWeight += w[(int) t[i]];
            }
        }
        double eps = labelSmoothing;
        double gradScale = reduction == Reduction.MEAN ? 1.0 / totalWeight : 1.0;
        boolean zeroGrad = reduction == Reduction.MEAN && totalWeight == 0; // 0/0: PyTorch's NaN loss, zero grad
        MemorySegment dx = dLogits == null ? null : dLogits.segment();
        MemorySegment out = loss.segment();

        double total = 0;
        double[] logp = new double[k];
        for (int i = 0; i < b; i++) {
            boolean ignored = t[i] == ignoreIndex;
            double rowLoss = 0;
            if (!ignored) {
                logSoftmax(x, (long) i * k, k, logp);
                int target = (int) t[i];
                double smooth = 0;
                for (int j = 0; j < k; j++) {
                    smooth -= w[j] * logp[j];
                }
                rowLoss = (1 - eps) * (-w[target] * logp[target]) + (eps / k) * smooth;
            }
            if (reduction == Reduction.NONE) {
                out.setAtIndex(F, i, (float) rowLoss);
            }
            total += rowLoss;
            if (dx != null) {
                writeRowGradient(
                        dx, (long) i * k, k, logp, w, weightSum, ignored || zeroGrad ? -1 : (int) t[i], eps, gradScale);
            }
        }
        if (reduction == Reduction.MEAN) {
            out.setAtIndex(F, 0, (float) (total / totalWeight));
        } else if (reduction == Reduction.SUM) {
            out.setAtIndex(F, 0, (float) total);
        }
    }

    /** Every check before anything is written: target range first, then finiteness, row by row. */
    private static void checkInputs(MemorySegment x, long[] t, int b, int k, long ignoreIndex) {
        for (int i = 0; i < b; i++) {
            if (t[i] != ignoreIndex && (t[i] < 0 || t[i] >= k)) {
                throw new IndexOutOfBoundsException("target " + t[i] + " at row " + i + " is out of range for " + k
                        + " classes (expected 0 <= target < " + k + " or ignore_index " + ignoreIndex + ")");
            }
        }
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < k; j++) {
                float v = x.getAtIndex(F, (long) i * k + j);
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("logits contain " + v + " at (row, col) = (" + i + ", " + j
                            + "); cross-entropy needs finite logits");
                }
            }
        }
    }

    private static void logSoftmax(MemorySegment x, long base, int k, double[] logp) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, x.getAtIndex(F, base + j));
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            sum += Math.exp(x.getAtIndex(F, base + j) - max);
        }
        double lse = max + Math.log(sum);
        for (int j = 0; j < k; j++) {
            logp[j] = x.getAtIndex(F, base + j) - lse;
        }
    }

    /** target < 0: the row contributes no gradient (ignored, or MEAN with nothing counted). */
    private static void writeRowGradient(
            MemorySegment dx,
            long base,
            int k,
            double[] logp,
            double[] w,
            double weightSum,
            int target,
            double eps,
            double scale) {
        if (target < 0) {
            for (int j = 0; j < k; j++) {
                dx.setAtIndex(F, base + j, 0f);
            }
            return;
        }
        for (int j = 0; j < k; j++) {
            double p = Math.exp(logp[j]);
            double g = (1 - eps) * w[target] * (p - (j == target ? 1 : 0)) + (eps / k) * (p * weightSum - w[j]);
            dx.setAtIndex(F, base + j, (float) (scale * g));
        }
    }
}
