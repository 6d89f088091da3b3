package org.embed4j.backend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The optimizer update rules of the Java reference, per element (or per row for row-wise Adagrad), in the
 * order torch.optim applies them (PyTorch 2.x, single-tensor path, float32 arithmetic; bias corrections in
 * double as Python computes them). g is the gradient of one element; w, m (state1), v (state2) its slots.
 *
 * <pre>
 * every kind     g = maximize ? -g : g
 * SGD            g += wd·w;  momentum: buf = first ? g : μ·buf + (1-dampening)·g;  g = nesterov ? g + μ·buf : buf
 *                w -= lr·g
 * ADAM           g += wd·w;  m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²
 *                w -= (lr / (1-β1^t)) · m / (sqrt(v) / sqrt(1-β2^t) + eps)
 * ADAMW          w *= 1 - lr·wd, then ADAM without the L2 term
 * ADAGRAD        g += wd·w;  s += g²;  w -= lr·g / (sqrt(s) + eps)       (lr already includes lr_decay)
 * ROWWISE_ADAGRAD g += wd·w;  s[r] += mean_d(g²);  w -= lr·g / (sqrt(s[r]) + eps)      (FBGEMM)
 * SPARSE_ADAM    m += (g - m)(1-β1);  v += (g² - v)(1-β2);
 *                w -= (lr·sqrt(1-β2^t)/(1-β1^t)) · m / (sqrt(v) + eps)  (torch.optim.SparseAdam: no weight decay)
 * </pre>
 * PyTorch's Adam uses lerp for m, which rounds differently in the last bit; native kernels are compared with
 * a tolerance. Sparse updates apply weight decay lazily to touched rows only. One instance per call; not
 * thread-safe.
 */
final class OptimizerRules {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final OptimStep step;
    private final MemorySegment w;
    private final MemorySegment s1;
    private final MemorySegment s2;
    private final float adamStepSize;
    private final float adamBiasCorrection2Sqrt;
    private final float adamWDecay;

    OptimizerRules(OptimStep step, MemorySegment w, MemorySegment s1, MemorySegment s2) {
        this.step = step;
        this.w = w;
        this.s1 = s1;
        this.s2 = s2;
        double bc1 = 1.0 - Math.pow(step.beta1(), step.step());
        double bc2 = 1.0 - Math.pow(step.beta2(), step.step());
        if (step.kind() == OptimKind.SPARSE_ADAM) {
            this.adamStepSize = (float) (step.lr() * Math.sqrt(bc2) / bc1);
        } else {
            this.adamStepSize = (float) (step.lr() / bc1);
        }
        this.adamBiasCorrection2Sqrt = (float) Math.sqrt(bc2);
        this.adamWDecay = 1f - step.lr() * step.weightDecay();
    }

    /** Updates element {@code i} of the parameter (and the same element of the state tensors) with gradient g. */
    void updateElement(long i, float g) {
        float grad = step.maximize() ? -g : g;
        float wi = w.getAtIndex(F, i);
        float lr = step.lr();
        float wd = step.weightDecay();
        switch (step.kind()) {
            case SGD -> {
                if (wd != 0f) {
                    grad = grad + wd * wi;
                }
                if (step.momentum() != 0f) {
                    float buf = step.firstStep()
                            ? grad
                            : step.momentum() * s1.getAtIndex(F, i) + (1f - step.dampening()) * grad;
                    s1.setAtIndex(F, i, buf);
                    grad = step.nesterov() ? grad + step.momentum() * buf : buf;
                }
                w.setAtIndex(F, i, wi - lr * grad);
            }
            case ADAM, ADAMW -> {
                if (step.kind() == OptimKind.ADAMW) {
                    wi = wi * adamWDecay;
                } else if (wd != 0f) {
                    grad = grad + wd * wi;
                }
                float m = step.beta1() * s1.getAtIndex(F, i) + (1f - step.beta1()) * grad;
                float v = step.beta2() * s2.getAtIndex(F, i) + (1f - step.beta2()) * grad * grad;
                s1.setAtIndex(F, i, m);
                s2.setAtIndex(F, i, v);
                float denom = (float) Math.sqrt(v) / adamBiasCorrection2Sqrt + step.eps();
                w.setAtIndex(F, i, wi - adamStepSize * (m / denom));
            }
            case ADAGRAD -> {
                if (wd != 0f) {
                    grad = grad + wd * wi;
                }
                float sum = s1.getAtIndex(F, i) + grad * grad;
                s1.setAtIndex(F, i, sum);
                w.setAtIndex(F, i, wi - lr * (grad / ((float) Math.sqrt(sum) + step.eps())));
            }
            case SPARSE_ADAM -> {
                float m = s1.getAtIndex(F, i);
                float v = s2.getAtIndex(F, i);
                m = m + (grad - m) * (1f - step.beta1());
                v = v + (grad * grad - v) * (1f - step.beta2());
                s1.setAtIndex(F, i, m);
                s2.setAtIndex(F, i, v);
                w.setAtIndex(F, i, wi - adamStepSize * (m / ((float) Math.sqrt(v) + step.eps())));
            }
            case ROWWISE_ADAGRAD -> throw new UnsupportedOperationException("ROWWISE_ADAGRAD updates whole rows");
        }
    }

    /** Updates row {@code row} (D elements) of a sparse parameter with the row gradient {@code g}. */
    void updateRow(long row, float[] g) {
        int d = g.length;
        long base = row * d;
        if (step.kind() != OptimKind.ROWWISE_ADAGRAD) {
            for (int k = 0; k < d; k++) {
                updateElement(base + k, g[k]);
            }
            return;
        }
        float[] grad = new float[d];
        double sumSquares = 0;
        for (int k = 0; k < d; k++) {
            float gk = step.maximize() ? -g[k] : g[k];
            if (step.weightDecay() != 0f) {
                gk = gk + step.weightDecay() * w.getAtIndex(F, base + k);
            }
            grad[k] = gk;
            sumSquares += (double) gk * gk;
        }
        float state = s1.getAtIndex(F, row) + (d == 0 ? 0f : (float) (sumSquares / d));
        s1.setAtIndex(F, row, state);
        float denom = (float) Math.sqrt(state) + step.eps();
        for (int k = 0; k < d; k++) {
            float wk = w.getAtIndex(F, base + k);
            w.setAtIndex(F, base + k, wk - step.lr() * (grad[k] / denom));
        }
    }
}
