/* gemm_avx2.c — AVX2+FMA GEMM: C = alpha·op(A)·op(B) + beta·C (row-major; see gemm_ref.c, the spec).
 *
 * Layout (the BLIS/Goto scheme, written from the papers):
 *   for jc over N in NC columns        B block  (kc x nc)  packed into 16-wide panels   -> stays in L2/L3
 *     for pc over K in kc <= KC_MAX      (beta applies on the first pc block only; later blocks add)
 *       for ic over M in mc <= MC_MAX    A block  (mc x kc)  packed into 6-tall panels    -> stays in L2
 *         for jr, ir: 6x16 micro-kernel, 12 ymm accumulators, one FMA chain per accumulator per k (at level 2,
 *         pairs of full packed 6-row panels go to a 12x16 AVX-512 tile with the same per-element arithmetic).
 * The four transpose cases differ only in how the panels are packed. Block sizes are for Zen 3/4 and
 * Skylake-class cores (32 KiB L1d, >= 512 KiB L2): a B micro-panel of kc x 16 floats (<= 24 KiB) stays in
 * L1 while the mc/6 A micro-panels stream from L2 (mc x kc x 4 <= 216 KiB).
 * Edge tiles (fewer than 6 rows or 16 columns) are computed into a zero-padded local tile and merged.
 * Packing only pays when a panel is reused: an A block that meets at most 2 column panels, and (B not
 * transposed) a B block that meets at most 3 row panels, are read in place by the same kernel (strided A
 * broadcasts, unaligned or masked B rows). The thin shapes of nn.Linear with few outputs (N <= 4 forward,
 * M <= 4 weight gradient, K <= 8 input gradient) go to the kernels of gemm_thin_avx2.c instead, where a
 * 6x16 tile would waste most of its lanes or be all load/store overhead.
 *
 * Threads: the C matrix is cut into e4j_threads contiguous strips (rows, or columns when N is the wider
 * side) by e4j_pool_parallel_for (persistent workers, pool.c); each strip runs the whole loop nest
 * above on its own packing buffers, so no thread waits on another. Each C element is reduced by one thread
 * in the same order, so the result does not depend on the thread count. Calls below PAR_MIN_FLOPS stay on
 * the caller's thread.
 * Memory: kernels never allocate. Packing buffers come from a static pool of POOL_SLOTS slots, each taken
 * by one strip for the duration of its loop nest (lock-free try-acquire; when every slot is busy, the
 * strip yields until one frees, which always happens because holders never wait on anything).
 * Thread-safe: yes; concurrent calls must not share C.
 */
#include "gemm_avx2.h"
#include "avx2_math.h"

#include <immintrin.h>
#include <sched.h>

#define MR E4J_GEMM_MR
#define NR E4J_GEMM_NR
#define KC_MAX 384  /* K is split into ceil(K/KC_MAX) equal blocks */
#define MC_MAX 144  /* multiple of MR */
#define NC_MAX 1024 /* multiple of NR */
#define POOL_SLOTS 16
#define PAR_MIN_FLOPS (1LL << 21) /* ~20 us of work: below it, waking a worker costs more than it saves */
#define DIRECT_A_MAX_PANELS 2     /* A read in place when its block meets at most this many NR panels */
#define DIRECT_B_MAX_TILES 3      /* B (not transposed) read in place when its block meets <= this many MR tiles */

static float pool_a[POOL_SLOTS][MC_MAX * KC_MAX] __attribute__((aligned(64)));
static float pool_b[POOL_SLOTS][KC_MAX * NC_MAX] __attribute__((aligned(64)));
static int pool_busy[POOL_SLOTS];

static int acquire_slot(int64_t hint) {
    for (;;) {
        for (int64_t t = 0; t < POOL_SLOTS; t++) {
            int s = (int)((hint + t) % POOL_SLOTS);
            if (!__atomic_load_n(&pool_busy[s], __ATOMIC_RELAXED) &&
                !__atomic_exchange_n(&pool_busy[s], 1, __ATOMIC_ACQUIRE))
                return s;
        }
        sched_yield();
    }
}

static void release_slot(int s) { __atomic_store_n(&pool_busy[s], 0, __ATOMIC_RELEASE); }

/* ------------------------------------------------------------------ micro-kernel */

enum { B_PACKED = 0, B_ROWS = 1, B_MASKED = 2 }; /* aligned panel, 16 readable floats per row, masked row */

/* c (6,16) stride ldc = alpha · op(A) tile (6 x kc) · op(B) tile (kc x 16) + beta · c; beta == 0: c not read.
 * A element (r, k) at a[r*rs_a + k*cs_a], rows >= mr repeat row mr-1 (their results are discarded by the
 * caller); B row k at b + k*rs_b, read per bmode (mlo/mhi: lane masks of the valid columns for B_MASKED).
 * Always inlined so each call site is specialised on its constant strides and mode. */
static inline __attribute__((always_inline)) void tile_6x16(int64_t kc, const float *a, int64_t rs_a, int64_t cs_a,
                                                            int64_t mr, const float *b, int64_t rs_b, int bmode,
                                                            __m256i mlo, __m256i mhi, float *c, int64_t ldc,
                                                            float alpha, float beta) {
    const float *a0 = a, *a1 = a + (mr > 1 ? 1 : 0) * rs_a, *a2 = a + (mr > 2 ? 2 : mr - 1) * rs_a;
    const float *a3 = a + (mr > 3 ? 3 : mr - 1) * rs_a, *a4 = a + (mr > 4 ? 4 : mr - 1) * rs_a;
    const float *a5 = a + (mr > 5 ? 5 : mr - 1) * rs_a;
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    if (beta != 0.0f)
        for (int r = 0; r < MR; r++) {
            _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
            _mm_prefetch((const char *)(c + r * ldc + 15), _MM_HINT_T0);
        }
#define E4J_LOADB(p, m) \
    (bmode == B_PACKED ? _mm256_load_ps(p) : bmode == B_ROWS ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m))
#define E4J_STEP(o)                                                                          \
    do {                                                                                     \
        __m256 b0 = E4J_LOADB(b + rs_b * (o), mlo), b1 = E4J_LOADB(b + rs_b * (o) + 8, mhi); \
        __m256 av = _mm256_broadcast_ss(a0 + cs_a * (o));                                    \
        c00 = _mm256_fmadd_ps(av, b0, c00);                                                  \
        c01 = _mm256_fmadd_ps(av, b1, c01);                                                  \
        av = _mm256_broadcast_ss(a1 + cs_a * (o));                                           \
        c10 = _mm256_fmadd_ps(av, b0, c10);                                                  \
        c11 = _mm256_fmadd_ps(av, b1, c11);                                                  \
        av = _mm256_broadcast_ss(a2 + cs_a * (o));                                           \
        c20 = _mm256_fmadd_ps(av, b0, c20);                                                  \
        c21 = _mm256_fmadd_ps(av, b1, c21);                                                  \
        av = _mm256_broadcast_ss(a3 + cs_a * (o));                                           \
        c30 = _mm256_fmadd_ps(av, b0, c30);                                                  \
        c31 = _mm256_fmadd_ps(av, b1, c31);                                                  \
        av = _mm256_broadcast_ss(a4 + cs_a * (o));                                           \
        c40 = _mm256_fmadd_ps(av, b0, c40);                                                  \
        c41 = _mm256_fmadd_ps(av, b1, c41);                                                  \
        av = _mm256_broadcast_ss(a5 + cs_a * (o));                                           \
        c50 = _mm256_fmadd_ps(av, b0, c50);                                                  \
        c51 = _mm256_fmadd_ps(av, b1, c51);                                                  \
    } while (0)
    int64_t k = 0;
    for (; k + 4 <= kc; k += 4) {
        if (bmode == B_PACKED) _mm_prefetch((const char *)(b + 8 * NR), _MM_HINT_T0);
        E4J_STEP(0);
        E4J_STEP(1);
        E4J_STEP(2);
        E4J_STEP(3);
        a0 += 4 * cs_a, a1 += 4 * cs_a, a2 += 4 * cs_a, a3 += 4 * cs_a, a4 += 4 * cs_a, a5 += 4 * cs_a;
        b += 4 * rs_b;
    }
    for (; k < kc; k++) {
        E4J_STEP(0);
        a0 += cs_a, a1 += cs_a, a2 += cs_a, a3 += cs_a, a4 += cs_a, a5 += cs_a;
        b += rs_b;
    }
#undef E4J_STEP
#undef E4J_LOADB
    const __m256 va = _mm256_set1_ps(alpha);
    __m256 acc[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
    if (beta == 0.0f) {
        for (int r = 0; r < MR; r++) {
            _mm256_storeu_ps(c + r * ldc, _mm256_mul_ps(va, acc[2 * r]));
            _mm256_storeu_ps(c + r * ldc + 8, _mm256_mul_ps(va, acc[2 * r + 1]));
        }
    } else if (beta == 1.0f) {
        for (int r = 0; r < MR; r++) {
            _mm256_storeu_ps(c + r * ldc, _mm256_fmadd_ps(va, acc[2 * r], _mm256_loadu_ps(c + r * ldc)));
            _mm256_storeu_ps(c + r * ldc + 8, _mm256_fmadd_ps(va, acc[2 * r + 1], _mm256_loadu_ps(c + r * ldc + 8)));
        }
    } else {
        const __m256 vb = _mm256_set1_ps(beta);
        for (int r = 0; r < MR; r++) {
            _mm256_storeu_ps(c + r * ldc,
                             _mm256_fmadd_ps(va, acc[2 * r], _mm256_mul_ps(vb, _mm256_loadu_ps(c + r * ldc))));
            _mm256_storeu_ps(c + r * ldc + 8,
                             _mm256_fmadd_ps(va, acc[2 * r + 1], _mm256_mul_ps(vb, _mm256_loadu_ps(c + r * ldc + 8))));
        }
    }
}

/* Merges an mr x nr corner of a local 6x16 tile t into c: c = t + beta·c (beta == 0: c not read). */
static void merge_edge(const float *t, float *c, int64_t ldc, int64_t mr, int64_t nr, float beta) {
    for (int64_t r = 0; r < mr; r++) {
        float *cr = c + r * ldc;
        const float *tr = t + r * NR;
        if (beta == 0.0f)
            for (int64_t q = 0; q < nr; q++) cr[q] = tr[q];
        else
            for (int64_t q = 0; q < nr; q++) cr[q] = tr[q] + beta * cr[q];
    }
}

/* One mr x nr tile of C (k range of one block); A and B either packed or in place (see gemm_strip). */
static void tile(const gemm_job *j, int64_t kc, const float *a, int64_t rs_a, int64_t cs_a, int64_t mr, const float *b,
                 int64_t rs_b, int b_packed, int64_t nr, float *c, float beta) {
    const __m256i none = _mm256_setzero_si256();
    float t[MR * NR] __attribute__((aligned(32)));
    if (b_packed) {
        if (mr == MR && nr == NR && rs_a == 1 && cs_a == MR) {
            tile_6x16(kc, a, 1, MR, MR, b, NR, B_PACKED, none, none, c, j->ldc, j->alpha, beta); /* the hot path */
        } else if (mr == MR && nr == NR) {
            tile_6x16(kc, a, rs_a, cs_a, MR, b, NR, B_PACKED, none, none, c, j->ldc, j->alpha, beta);
        } else {
            tile_6x16(kc, a, rs_a, cs_a, mr, b, NR, B_PACKED, none, none, t, NR, j->alpha, 0.0f);
            merge_edge(t, c, j->ldc, mr, nr, beta);
        }
    } else if (mr == MR && nr == NR) {
        tile_6x16(kc, a, rs_a, cs_a, MR, b, rs_b, B_ROWS, none, none, c, j->ldc, j->alpha, beta);
    } else {
        if (nr == NR)
            tile_6x16(kc, a, rs_a, cs_a, mr, b, rs_b, B_ROWS, none, none, t, NR, j->alpha, 0.0f);
        else
            tile_6x16(kc, a, rs_a, cs_a, mr, b, rs_b, B_MASKED, e4j_first_lanes(nr),
                      e4j_first_lanes(nr > 8 ? nr - 8 : 0), t, NR, j->alpha, 0.0f);
        merge_edge(t, c, j->ldc, mr, nr, beta);
    }
}

/* ------------------------------------------------------------------ blocking */

/* Splits n into ceil(n/max) equal blocks rounded up to a multiple of unit (fewer, fatter tails). */
static int64_t block_size(int64_t n, int64_t max, int64_t unit) {
    int64_t nb = (n + max - 1) / max;
    int64_t b = (n + nb - 1) / nb;
    b = (b + unit - 1) / unit * unit;
    return b < max ? b : max;
}

/* The whole loop nest for C[m0..m1, n0..n1), on one thread with one pool slot. */
static void gemm_strip(const gemm_job *j, int64_t m0, int64_t m1, int64_t n0, int64_t n1, int slot) {
    float *abuf = pool_a[slot], *bbuf = pool_b[slot];
    const int64_t K = j->K, ldc = j->ldc, lda = j->lda, ldb = j->ldb;
    const int64_t kcb = block_size(K, KC_MAX, 1), mcb = block_size(m1 - m0, MC_MAX, MR);
    const int direct_b = !j->tb && (m1 - m0 + MR - 1) / MR <= DIRECT_B_MAX_TILES;
    for (int64_t jc = n0; jc < n1; jc += NC_MAX) {
        int64_t nc = n1 - jc < NC_MAX ? n1 - jc : NC_MAX;
        const int direct_a = (nc + NR - 1) / NR <= DIRECT_A_MAX_PANELS;
        for (int64_t pc = 0; pc < K; pc += kcb) {
            int64_t kc = K - pc < kcb ? K - pc : kcb;
            float beta = pc == 0 ? j->beta : 1.0f;
            if (!direct_b) e4j_gemm_pack_b(j, jc, nc, pc, kc, bbuf);
            for (int64_t ic = m0; ic < m1; ic += mcb) {
                int64_t mc = m1 - ic < mcb ? m1 - ic : mcb;
                if (!direct_a) e4j_gemm_pack_a(j, ic, mc, pc, kc, abuf);
                for (int64_t jr = 0; jr < nc; jr += NR) {
                    int64_t nr = nc - jr < NR ? nc - jr : NR;
                    const float *bp = direct_b ? j->B + pc * ldb + jc + jr : bbuf + jr * kc;
                    int64_t ir = 0;
                    if (j->tile12 && !direct_a && !direct_b && nr == NR) /* pairs of full packed panels */
                        for (; ir + 2 * MR <= mc; ir += 2 * MR)
                            j->tile12(kc, abuf + ir * kc, abuf + (ir + MR) * kc, bp, j->C + (ic + ir) * ldc + jc + jr,
                                      ldc, j->alpha, beta);
                    for (; ir < mc; ir += MR) {
                        int64_t mr = mc - ir < MR ? mc - ir : MR;
                        float *c = j->C + (ic + ir) * ldc + jc + jr;
                        if (direct_a) {
                            const float *ap = j->ta ? j->A + pc * lda + ic + ir : j->A + (ic + ir) * lda + pc;
                            tile(j, kc, ap, j->ta ? 1 : lda, j->ta ? lda : 1, mr, bp, ldb, !direct_b, nr, c, beta);
                        } else {
                            tile(j, kc, abuf + ir * kc, 1, MR, mr, bp, ldb, !direct_b, nr, c, beta);
                        }
                    }
                }
            }
        }
    }
}

/* ------------------------------------------------------------------ entry */

static void run_strips(void *ctx, int64_t begin, int64_t end) {
    const gemm_job *j = (const gemm_job *)ctx;
    int slot = acquire_slot(begin);
    if (j->split_m) {
        int64_t m1 = end * MR < j->M ? end * MR : j->M;
        gemm_strip(j, begin * MR, m1, 0, j->N, slot);
    } else {
        int64_t n1 = end * NR < j->N ? end * NR : j->N;
        gemm_strip(j, 0, j->M, begin * NR, n1, slot);
    }
    release_slot(slot);
}

static void run_dot_rows(void *ctx, int64_t begin, int64_t end) { /* units of 24 rows */
    const gemm_job *j = (const gemm_job *)ctx;
    e4j_gemm_dot_rows(j, begin * 24, end * 24 < j->M ? end * 24 : j->M);
}

static void run_small_k(void *ctx, int64_t begin, int64_t end) { /* units of 4 rows */
    const gemm_job *j = (const gemm_job *)ctx;
    e4j_gemm_small_k(j, begin * 4, end * 4 < j->M ? end * 4 : j->M);
}

static void run_few_rows(void *ctx, int64_t begin, int64_t end) { /* units of 96 columns */
    const gemm_job *j = (const gemm_job *)ctx;
    e4j_gemm_few_rows(j, begin * 96, end * 96 < j->N ? end * 96 : j->N);
}

void e4j_gemm_avx2(int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                   int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc) {
    e4j_gemm_run(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, NULL);
}

void e4j_gemm_run(int32_t trans_a, int32_t trans_b, int64_t M, int64_t N, int64_t K, float alpha, const float *A,
                  int64_t lda, const float *B, int64_t ldb, float beta, float *C, int64_t ldc, gemm_tile12_fn tile12) {
    gemm_job j = {trans_a, trans_b, M, N, K, alpha, beta, A, B, C, lda, ldb, ldc, 0, tile12};
    if (!trans_a && trans_b && N <= 4) { /* nn.Linear forward with <= 4 outputs */
        int64_t grain = (int64_t)((double)PAR_MIN_FLOPS / (48.0 * (double)K * (double)N)) + 1;
        e4j_pool_parallel_for((M + 23) / 24, grain, run_dot_rows, &j);
        return;
    }
    if (!trans_b && M <= 4) { /* nn.Linear weight gradient with <= 4 outputs */
        int64_t grain = (int64_t)((double)PAR_MIN_FLOPS / (192.0 * (double)K * (double)M)) + 1;
        e4j_pool_parallel_for((N + 95) / 96, grain, run_few_rows, &j);
        return;
    }
    if (!trans_b && K <= E4J_GEMM_SMALL_K_MAX) { /* nn.Linear input gradient with few outputs */
        int64_t grain = (int64_t)((double)PAR_MIN_FLOPS / (8.0 * (double)K * (double)N)) + 1;
        e4j_pool_parallel_for((M + 3) / 4, grain, run_small_k, &j);
        return;
    }
    int64_t units_m = (M + MR - 1) / MR, units_n = (N + NR - 1) / NR;
    j.split_m = units_m >= units_n; /* cut the side with more micro-tiles */
    int64_t units = j.split_m ? units_m : units_n;
    double unit_flops = 2.0 * (double)K * (double)(j.split_m ? MR * N : NR * M);
    int64_t grain = (int64_t)((double)PAR_MIN_FLOPS / unit_flops) + 1;
    e4j_pool_parallel_for(units, grain, run_strips, &j);
}
