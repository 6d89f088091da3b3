package org.embed4j.vectors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.embed4j.backend.Backend;
import org.embed4j.backend.Backends;
import org.embed4j.internal.scope.ModelScope;
import org.embed4j.tensor.DType;
import org.embed4j.tensor.Device;
import org.embed4j.tensor.Tensor;

/**
 * Cosine search over the (V,D) matrix of a {@link WordVectors} through the {@link Backend}'s kernels:
 * {@code topk} (e4j_topk with row norms from {@code rowNorms}) for nearest neighbours and 3CosAdd, and
 * {@code gemm} for the all-row cosines that 3CosMul needs. Results match the brute-force definition
 * cos(q, W[v]) = q·W[v] / (|q|·|W[v]|) computed in float; ties go to the lower row; rows of norm 0 never
 * match.
 *
 * <p>The backend and the weight/norm tensors are set up once, on first use ({@link Backends#auto()}): host
 * backends search the matrix in place (off-heap copy or memory-mapped file, never copied); a device backend gets
 * one device copy, freed when the vectors' {@link ModelScope} closes (which waits for the calls in flight) or
 * becomes unreachable. Norms computed here live in the scope's arena. Callers run inside the scope (between
 * {@code enter} and {@code exit}). Thread-safe: the lazy setup is guarded, the matrix is never written, and each
 * call uses its own query and output tensors.
 */
final class Search {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** Top-k answers of Q queries, row-major (Q,k); idx -1 marks an empty slot. */
    record TopK(long[] idx, float[] score, int k) {}

    private record State(Backend backend, Tensor weight, Tensor norms, MemorySegment hostNorms) {}

    private final ModelScope scope;
    private final MemorySegment matrix; // (V,D) F32, native order
    private final long rows;
    private final int dim;
    private final MemorySegment storedNorms; // (V) F32 from a native file, or null: computed on first use
    private final RowCheck check;
    private volatile State state;

    Search(ModelScope scope, MemorySegment matrix, long rows, int dim, MemorySegment storedNorms) {
        this(scope, matrix, rows, dim, storedNorms, RowCheck.NONE);
    }

    /** {@code check} checks a row before an answer names it or its norm is used (rows of a mapped file). */
    Search(ModelScope scope, MemorySegment matrix, long rows, int dim, MemorySegment storedNorms, RowCheck check) {
        this.scope = scope;
        this.matrix = matrix;
        this.rows = rows;
        this.dim = dim;
        this.storedNorms = storedNorms;
        this.check = check;
    }

    /** ||W[row]||_2 as the search kernels see it. */
    float norm(long row) {
        check.row(row);
        return state().hostNorms.getAtIndex(F32, row);
    }

    /** The row check of these rows (see {@link RowCheck}). */
    RowCheck check() {
        return check;
    }

    /**
     * The k best rows among the first {@code restrict} rows for each of {@code q} queries (q×D floats),
     * skipping {@code exclude} (q×e rows, -1 = unused; e may be 0). k is clipped to {@code restrict}.
     */
    TopK topk(float[] queries, int q, long[] exclude, int e, int k, long restrict) {
        long limit = Math.min(restrict, rows);
        int kk = (int) Math.min(k, limit);
        if (q == 0 || kk == 0) {
            return new TopK(new long[0], new float[0], 0);
        }
        State s = state();
        Backend b = s.backend;
        Tensor w = s.weight.rows(0, limit);
        Tensor n = s.norms.rows(0, limit);
        boolean host = b.device().isHost();
        try (Tensor hq = Tensor.of(queries, q, dim);
                Tensor hx = e == 0 ? null : Tensor.of(exclude, q, e);
                Tensor dq = host ? null : b.fromHost(hq);
                Tensor dx = host || hx == null ? null : b.fromHost(hx);
                Tensor outIdx = host ? Tensor.allocate(DType.I64, q, kk) : b.zeros(DType.I64, q, kk);
                Tensor outScore = host ? Tensor.allocate(DType.F32, q, kk) : b.zeros(DType.F32, q, kk)) {
            b.topk(outIdx, outScore, w, n, host ? hq : dq, host ? hx : dx);
            if (host) {
                return checked(new TopK(outIdx.toLongArray(), outScore.toFloatArray(), kk));
            }
            try (Tensor i = b.toHost(outIdx);
                    Tensor sc = b.toHost(outScore)) {
                return checked(new TopK(i.toLongArray(), sc.toFloatArray(), kk));
            }
        }
    }

    /**
     * Checks every row an answer names ({@link RowCheck}) and its cosine: a valid row gives a cosine within [-1, 1]
     * up to float rounding, which is clamped away; anything else means that a dot product overflowed float (a query
     * or row with values near float's limit) and is an error rather than a NaN or infinite answer. Rows of norm 0
     * (score -infinity) are left for the caller to drop.
     */
    static TopK checked(TopK top, RowCheck check) {
        long[] idx = top.idx();
        float[] score = top.score();
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < 0 || score[i] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            check.row(idx[i]);
            score[i] = clampCosine(score[i], idx[i]);
        }
        return top;
    }

    private TopK checked(TopK top) {
        return checked(top, check);
    }

    /** {@code c} clamped to [-1, 1] when it is a cosine up to rounding; an overflow error naming the row if not. */
    static float clampCosine(float c, long row) {
        if (!(Math.abs(c) <= 1.001f)) {
            throw new IllegalArgumentException("the cosine with row " + row + " is " + c
                    + ": a dot product overflowed float (the query or the row has values too large)");
        }
        return Math.max(-1f, Math.min(1f, c));
    }

    /**
     * cos(query j, W[v]) for every row v &lt; rows and each of {@code q} queries, as (V,q) row-major
     * (gemm W·Qᵀ, then divided by the norms); rows of norm 0 get -infinity.
     */
    float[] cosinesAll(float[] queries, int q) {
        if (rows == 0 || q == 0) {
            return new float[0];
        }
        if (rows * q > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("too many scores for one array: " + rows + " rows x " + q + " queries");
        }
        State s = state();
        Backend b = s.backend;
        boolean host = b.device().isHost();
        float[] dots;
        try (Tensor hq = Tensor.of(queries, q, dim);
                Tensor dq = host ? null : b.fromHost(hq);
                Tensor c = host ? Tensor.allocate(DType.F32, rows, q) : b.zeros(DType.F32, rows, q)) {
            b.gemm(false, true, 1f, s.weight, host ? hq : dq, 0f, c);
            if (host) {
                dots = c.toFloatArray();
            } else {
                try (Tensor hc = b.toHost(c)) {
                    dots = hc.toFloatArray();
                }
            }
        }
        float[] qn = new float[q];
        for (int j = 0; j < q; j++) {
            double sum = 0;
            for (int d = 0; d < dim; d++) {
                float x = queries[j * dim + d];
                sum += (double) x * x;
            }
            qn[j] = (float) Math.sqrt(sum);
        }
        for (long v = 0; v < rows; v++) {
            float nv = s.hostNorms.getAtIndex(F32, v);
            for (int j = 0; j < q; j++) {
                int at = (int) (v * q + j);
                dots[at] = nv == 0f ? Float.NEGATIVE_INFINITY : dots[at] / (nv * qn[j]);
            }
        }
        return dots;
    }

    private State state() {
        State s = state;
        if (s == null) {
            synchronized (this) {
                s = state;
                if (s == null) {
                    s = prepare(Backends.auto());
                    state = s;
                }
            }
        }
        return s;
    }

    private State prepare(Backend backend) {
        Tensor hostWeight = Tensor.wrap(matrix, DType.F32, Device.CPU, null, rows, dim);
        if (backend.device().isHost()) {
            MemorySegment hostNorms = storedNorms != null ? storedNorms : newHostSegment(rows);
            Tensor normsHost = Tensor.wrap(hostNorms, DType.F32, Device.CPU, null, rows);
            if (storedNorms == null && rows > 0) {
                backend.rowNorms(normsHost, hostWeight);
            }
            return new State(backend, hostWeight, normsHost, hostNorms);
        }
        Tensor w = backend.fromHost(hostWeight);
        Tensor n;
        MemorySegment hostNorms;
        if (storedNorms != null) {
            hostNorms = storedNorms;
            n = backend.fromHost(Tensor.wrap(storedNorms, DType.F32, Device.CPU, null, rows));
        } else {
            n = backend.zeros(DType.F32, rows);
            backend.rowNorms(n, w);
            hostNorms = newHostSegment(rows);
            try (Tensor h = backend.toHost(n)) {
                MemorySegment.copy(h.segment(), 0, hostNorms, 0, rows * Float.BYTES);
            }
        }
        // The device copies live as long as these vectors; the action must not reach this object.
        scope.onClose(() -> {
            w.close();
            n.close();
        });
        return new State(backend, w, n, hostNorms);
    }

    private MemorySegment newHostSegment(long floats) {
        return scope.arena().allocate(Math.max(1, floats * Float.BYTES), 64).asSlice(0, floats * Float.BYTES);
    }
}
