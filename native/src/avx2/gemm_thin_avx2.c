/* gemm_thin_avx2.c — AVX2 kernels for the thin products of nn.Linear with few outputs, where the packed
 * 6x16 path of gemm_avx2.c wastes most of its lanes or is all overhead (same contract: C = alpha·op(A)·op(B)
 * + beta·C, beta == 0 means C is not read; each C element is reduced in an order that does not depend on
 * how rows/columns are split over threads, so results are bit-identical for any thread count):
 *   e4j_gemm_dot_rows  A·Bᵀ, N <= 4 (forward, few outputs; also W·qᵀ of nearest-neighbour search)
 *   e4j_gemm_few_rows  M <= 4, B not transposed (weight gradient dYᵀ·X with few outputs)
 *   e4j_gemm_small_k   K <= E4J_GEMM_SMALL_K_MAX, B not transposed (input gradient dY·W with few outputs)
 * Thread-safe: no state; callers give each thread disjoint rows/columns of C.
 */
#include "avx2_math.h"
#include "gemm_avx2.h"

#include <immintrin.h>

/* Stores the first n (0..8) lanes of x: vmaskmovps stores are microcoded and slow on AMD Zen, so a partial
 * vector goes through a local array instead. */
static inline void store_first(float *p, __m256 x, int64_t n) {
    if (n >= 8) {
        _mm256_storeu_ps(p, x);
        return;
    }
    float t[8];
    _mm256_storeu_ps(t, x);
    for (int64_t q = 0; q < n; q++) p[q] = t[q];
}

/* ------------------------------------------------------------------ A·Bᵀ with N <= 4 */

/* R x Q dot products C[i..i+R, jj..jj+Q] over the whole K (R*Q independent FMA chains), k in steps of 8
 * with a masked tail; rows/columns past the edge repeat the last valid one and are not stored. */
static inline __attribute__((always_inline)) void dot_tile(const gemm_job *j, int R, int Q, int64_t i, int64_t i1,
                                                           int64_t jj) {
    const int64_t K = j->K, N = j->N, lda = j->lda, ldb = j->ldb, ldc = j->ldc;
    const __m256i tail = e4j_first_lanes(K % 8);
    const int64_t kv = K - K % 8;
    const float *ar[12], *br[4];
    __m256 acc[12];
#pragma GCC unroll 12
    for (int r = 0; r < R; r++) ar[r] = j->A + (i + r < i1 ? i + r : i1 - 1) * lda;
#pragma GCC unroll 4
    for (int q = 0; q < Q; q++) br[q] = j->B + (jj + q < N ? jj + q : N - 1) * ldb;
#pragma GCC unroll 12
    for (int t = 0; t < R * Q; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t k = 0; k < kv; k += 8) {
        __m256 w[4];
#pragma GCC unroll 4
        for (int q = 0; q < Q; q++) w[q] = _mm256_loadu_ps(br[q] + k);
#pragma GCC unroll 12
        for (int r = 0; r < R; r++) {
            __m256 x = _mm256_loadu_ps(ar[r] + k);
#pragma GCC unroll 4
            for (int q = 0; q < Q; q++) acc[r * Q + q] = _mm256_fmadd_ps(x, w[q], acc[r * Q + q]);
        }
    }
    if (kv < K) {
        __m256 w[4];
#pragma GCC unroll 4
        for (int q = 0; q < Q; q++) w[q] = _mm256_maskload_ps(br[q] + kv, tail);
#pragma GCC unroll 12
        for (int r = 0; r < R; r++) {
            __m256 x = _mm256_maskload_ps(ar[r] + kv, tail);
#pragma GCC unroll 4
            for (int q = 0; q < Q; q++) acc[r * Q + q] = _mm256_fmadd_ps(x, w[q], acc[r * Q + q]);
        }
    }
    float sums[12];
#pragma GCC unroll 3
    for (int t = 0; t < R * Q; t += 4) { /* R*Q is 12: three 4-way horizontal reductions */
        _mm_storeu_ps(sums + t, e4j_hsum4x256(acc[t], acc[t + 1], acc[t + 2], acc[t + 3]));
    }
    for (int r = 0; r < R && i + r < i1; r++)
        for (int q = 0; q < Q && jj + q < N; q++) {
            float *c = j->C + (i + r) * ldc + jj + q;
            float v = j->alpha * sums[r * Q + q];
            *c = j->beta == 0.0f ? v : v + j->beta * *c;
        }
}

/* Rows [i0, i1) of C = alpha · A (M,K) · B (N,K)ᵀ + beta · C as dot products over K, N <= 4. The tile
 * shape keeps 12 FMA chains busy whatever N is: 12x1, 6x2, 4x3, 3x4 (rows x columns). */
void e4j_gemm_dot_rows(const gemm_job *j, int64_t i0, int64_t i1) {
    const int64_t N = j->N;
    for (int64_t jj = 0; jj < N; jj += 4) {
        int64_t q = N - jj < 4 ? N - jj : 4;
        if (q == 1)
            for (int64_t i = i0; i < i1; i += 12) dot_tile(j, 12, 1, i, i1, jj);
        else if (q == 2)
            for (int64_t i = i0; i < i1; i += 6) dot_tile(j, 6, 2, i, i1, jj);
        else if (q == 3)
            for (int64_t i = i0; i < i1; i += 4) dot_tile(j, 4, 3, i, i1, jj);
        else
            for (int64_t i = i0; i < i1; i += 3) dot_tile(j, 3, 4, i, i1, jj);
    }
}

/* ------------------------------------------------------------------ C with few rows, B not transposed */

/* C[0..R, cols) += over all K (R <= 4 rows, V = 12/R vectors of 8 columns, ncols <= 8V valid):
 * alpha · op(A) rows · B rows + beta · C. A element (r, k) at a[r*rs_a + k*cs_a], B row k at b + k*ldb.
 * Masked loads/stores on the last, partial column chunk; nothing is read or written past ncols. */
static inline __attribute__((always_inline)) void rows_tile(const gemm_job *j, int R, int V, int masked, const float *a,
                                                            int64_t rs_a, int64_t cs_a, const float *b, int64_t ncols,
                                                            float *c) {
    const int64_t K = j->K, ldb = j->ldb, ldc = j->ldc;
    __m256 acc[12];
    __m256i m[12];
#pragma GCC unroll 12
    for (int v = 0; v < V; v++) {
        int64_t left = ncols - 8 * v;
        m[v] = e4j_first_lanes(left < 0 ? 0 : left > 8 ? 8 : left);
    }
#pragma GCC unroll 12
    for (int t = 0; t < R * V; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t k = 0; k < K; k++, b += ldb) {
        __m256 bv[12];
#pragma GCC unroll 12
        for (int v = 0; v < V; v++) bv[v] = masked ? _mm256_maskload_ps(b + 8 * v, m[v]) : _mm256_loadu_ps(b + 8 * v);
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            __m256 av = _mm256_broadcast_ss(a + r * rs_a + k * cs_a);
#pragma GCC unroll 12
            for (int v = 0; v < V; v++) acc[r * V + v] = _mm256_fmadd_ps(av, bv[v], acc[r * V + v]);
        }
    }
    const __m256 va = _mm256_set1_ps(j->alpha), vb = _mm256_set1_ps(j->beta);
#pragma GCC unroll 4
    for (int r = 0; r < R; r++) {
#pragma GCC unroll 12
        for (int v = 0; v < V; v++) {
            float *cp = c + r * ldc + 8 * v;
            __m256 x = _mm256_mul_ps(va, acc[r * V + v]);
            if (j->beta != 0.0f)
                x = _mm256_fmadd_ps(vb, masked ? _mm256_maskload_ps(cp, m[v]) : _mm256_loadu_ps(cp), x);
            if (masked) {
                int64_t left = ncols - 8 * v;
                if (left > 0) store_first(cp, x, left);
            } else {
                _mm256_storeu_ps(cp, x);
            }
        }
    }
}

/* One pass of few_rows_l1: C[0..R, n0..n0+nv) += Σ_{u<U} (alpha·a[r,k+u]) · B[k+u, :] through L1, and the
 * last nt < 8 columns into the register accumulators tacc (stored once, after the last pass). */
static inline __attribute__((always_inline)) void l1_pass(const gemm_job *j, int R, int U, int64_t k, int64_t n0,
                                                          int64_t nv, int64_t nt, __m256i tm, __m256 *tacc) {
    const int64_t ldb = j->ldb, ldc = j->ldc, rs_a = j->ta ? 1 : j->lda, cs_a = j->ta ? j->lda : 1;
    float *c0 = j->C + n0;
    __m256 av[4][8];
    const float *brow[8];
#pragma GCC unroll 8
    for (int u = 0; u < U; u++) {
        brow[u] = j->B + (k + u) * ldb + n0;
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) av[r][u] = _mm256_set1_ps(j->alpha * j->A[r * rs_a + (k + u) * cs_a]);
    }
    for (int64_t q = 0; q < nv; q += 8) {
        __m256 bv[8];
#pragma GCC unroll 8
        for (int u = 0; u < U; u++) bv[u] = _mm256_loadu_ps(brow[u] + q);
#pragma GCC unroll 4
        for (int r = 0; r < R; r++) {
            __m256 acc = _mm256_loadu_ps(c0 + r * ldc + q);
#pragma GCC unroll 8
            for (int u = 0; u < U; u++) acc = _mm256_fmadd_ps(av[r][u], bv[u], acc);
            _mm256_storeu_ps(c0 + r * ldc + q, acc);
        }
    }
    if (nt) {
        __m256 bv[8];
#pragma GCC unroll 8
        for (int u = 0; u < U; u++) bv[u] = _mm256_maskload_ps(brow[u] + nv, tm);
#pragma GCC unroll 4
        for (int r = 0; r < R; r++)
#pragma GCC unroll 8
            for (int u = 0; u < U; u++) tacc[r] = _mm256_fmadd_ps(av[r][u], bv[u], tacc[r]);
    }
}

/* C[0..R, n0..n1) = beta·C + Σ_k (alpha·a[r,k]) · B[k, :], R <= 4 rows, U rows of B per pass: the C rows
 * (<= 16 KiB) stay in L1 while B's rows stream past once, contiguously. K % U leftover rows take passes of
 * one row (never a padded row: 0·Inf would turn an Inf into a NaN). */
static inline __attribute__((always_inline)) void few_rows_l1(const gemm_job *j, int R, int U, int64_t n0, int64_t n1) {
    const int64_t K = j->K, ldc = j->ldc;
    const int64_t nv = (n1 - n0) / 8 * 8, nt = n1 - n0 - nv;
    const __m256i tm = e4j_first_lanes(nt);
    const __m256 vb = _mm256_set1_ps(j->beta);
    for (int r = 0; r < R; r++) {
        float *c = j->C + r * ldc + n0;
        if (j->beta == 0.0f) {
            for (int64_t q = 0; q < n1 - n0; q++) c[q] = 0.0f;
        } else if (j->beta != 1.0f) {
            for (int64_t q = 0; q < nv; q += 8) _mm256_storeu_ps(c + q, _mm256_mul_ps(vb, _mm256_loadu_ps(c + q)));
            for (int64_t q = nv; q < n1 - n0; q++) c[q] *= j->beta;
        }
    }
    float *c0 = j->C + n0;
    __m256 tacc[4];
    for (int r = 0; r < R; r++) tacc[r] = nt ? _mm256_maskload_ps(c0 + r * ldc + nv, tm) : _mm256_setzero_ps();
    int64_t k = 0;
    for (; k + U <= K; k += U) l1_pass(j, R, U, k, n0, nv, nt, tm, tacc);
    for (; k < K; k++) l1_pass(j, R, 1, k, n0, nv, nt, tm, tacc);
    if (nt)
        for (int r = 0; r < R; r++) store_first(c0 + r * ldc + nv, tacc[r], nt);
}

/* Columns [n0, n1) of C for M <= 4, B (K,N) not transposed: B rows are streamed once. One or two rows of
 * C live in L1 and take several B rows per pass (few_rows_l1); three or four live in registers, a chunk of
 * columns at a time (rows_tile): measured faster for those shapes. */
void e4j_gemm_few_rows(const gemm_job *j, int64_t n0, int64_t n1) {
    const int64_t M = j->M, rs_a = j->ta ? 1 : j->lda, cs_a = j->ta ? j->lda : 1;
    if (M <= 2) {
        for (int64_t jj = n0; jj < n1; jj += 1024) { /* <= 8 KiB of C per pass */
            int64_t e = n1 - jj < 1024 ? n1 : jj + 1024;
            if (M == 1)
                few_rows_l1(j, 1, 8, jj, e);
            else
                few_rows_l1(j, 2, 4, jj, e);
        }
        return;
    }
    const int64_t w = 8 * (12 / M); /* columns per tile: 32, 24 */
    for (int64_t jj = n0; jj < n1; jj += w) {
        int64_t nc = n1 - jj < w ? n1 - jj : w;
        const float *b = j->B + jj;
        float *c = j->C + jj;
        int masked = nc < w;
#define E4J_ROWS(R, V) \
    (masked ? rows_tile(j, R, V, 1, j->A, rs_a, cs_a, b, nc, c) : rows_tile(j, R, V, 0, j->A, rs_a, cs_a, b, nc, c))
        switch (M) { /* constant R, V per call so each variant is fully unrolled */
        case 3:
            E4J_ROWS(3, 4);
            break;
        default:
            E4J_ROWS(4, 3);
            break;
        }
#undef E4J_ROWS
    }
}

/* Rows [i0, i1) of C for K <= E4J_GEMM_SMALL_K_MAX, B (K,N) not transposed: C is written once in 4 x 24 tiles
 * straight from A and B (packing and 6x16 edge tiles would cost more than the few FMAs per element). */
void e4j_gemm_small_k(const gemm_job *j, int64_t i0, int64_t i1) {
    const int64_t N = j->N, rs_a = j->ta ? 1 : j->lda, cs_a = j->ta ? j->lda : 1;
    for (int64_t i = i0; i < i1; i += 4) {
        const float *a = j->A + i * rs_a;
        int64_t rows = i1 - i < 4 ? i1 - i : 4;
        for (int64_t jj = 0; jj < N; jj += 24) {
            int64_t nc = N - jj < 24 ? N - jj : 24;
            const float *b = j->B + jj;
            float *c = j->C + i * j->ldc + jj;
            int masked = nc < 24;
#define E4J_ROWS(R) \
    (masked ? rows_tile(j, R, 3, 1, a, rs_a, cs_a, b, nc, c) : rows_tile(j, R, 3, 0, a, rs_a, cs_a, b, nc, c))
            switch (rows) {
            case 1:
                E4J_ROWS(1);
                break;
            case 2:
                E4J_ROWS(2);
                break;
            case 3:
                E4J_ROWS(3);
                break;
            default:
                E4J_ROWS(4);
                break;
            }
#undef E4J_ROWS
        }
    }
}
