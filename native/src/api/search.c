/* Exported search kernels:
 *   e4j_row_norms: norms[v] = sqrt(dot(W[v], W[v])) (float, the level's dot primitive);
 *   e4j_topk: per query, the k rows with the highest score, best first, ties to the lower row.
 *     score = dot(q, W[v]) / (||q|| * norms[v]) (cosine) or dot(q, W[v]); rows with norm 0 score -inf
 *     and so does every row for a zero query (0/0 = NaN, which ranks as -inf, as the Java reference).
 * topk scores W in blocks of TOPK_BLOCK rows into a stack buffer, and keeps the k best in a bounded
 * min-heap that lives in the query's own output slots (root = worst kept), so any k works without a
 * workspace: O(V*D + V log k) per query, then a heap sort in place. Exclusions are checked only for
 * candidates that would enter the heap. Queries are split over threads; with fewer queries than threads
 * (and k <= 128) each query's rows are split instead, every slice keeping its own heap (~12 KiB of stack),
 * and the slices are merged. Deterministic: a row's score does not depend on its block or thread, and
 * the top k of the total order (score desc, row asc) does not depend on the split.
 * Thread-safe. */
#include "kernels.h"

#include <math.h>
#include <stdint.h>

#define TOPK_BLOCK 256

typedef struct search_ctx {
    const e4j_prims *p;
    float *norms;
    int64_t *out_idx;
    float *out_score;
    const float *W, *cnorms, *queries;
    const int64_t *exclude;
    int64_t Q, V, D, k, E;
} search_ctx;

static void norms_range(void *vctx, int64_t v0, int64_t v1) {
    const search_ctx *c = (const search_ctx *)vctx;
    for (int64_t v = v0; v < v1; v++) {
        const float *w = c->W + v * c->D;
        c->norms[v] = sqrtf(c->p->dot(w, w, c->D));
    }
}

E4J_API e4j_status e4j_row_norms(float *norms, const float *W, int64_t V, int64_t D) {
    if (V < 0 || D < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got V=%lld D=%lld", (long long)V, (long long)D);
    if (V == 0) return E4J_OK;
    if (!norms || (!W && D > 0)) return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "row_norms: norms and W must not be NULL");
    search_ctx c = {e4j_prims_get(), norms, NULL, NULL, W, NULL, NULL, NULL, 1, V, D, 0, 0};
    e4j_parallel_for(V, e4j_grain(D + 1), norms_range, &c);
    return E4J_OK;
}

/* a is worse than b: lower score, or equal score and higher row */
static inline int worse(float sa, int64_t ra, float sb, int64_t rb) { return sa < sb || (sa == sb && ra > rb); }

static void sift_down(int64_t *ri, float *sc, int64_t n, int64_t i) {
    for (;;) {
        int64_t l = 2 * i + 1, m = i;
        if (l < n && worse(sc[l], ri[l], sc[m], ri[m])) m = l;
        if (l + 1 < n && worse(sc[l + 1], ri[l + 1], sc[m], ri[m])) m = l + 1;
        if (m == i) return;
        float ts = sc[i];
        sc[i] = sc[m];
        sc[m] = ts;
        int64_t tr = ri[i];
        ri[i] = ri[m];
        ri[m] = tr;
        i = m;
    }
}

static void sift_up(int64_t *ri, float *sc, int64_t i) {
    while (i > 0) {
        int64_t parent = (i - 1) / 2;
        if (!worse(sc[i], ri[i], sc[parent], ri[parent])) return;
        float ts = sc[i];
        sc[i] = sc[parent];
        sc[parent] = ts;
        int64_t tr = ri[i];
        ri[i] = ri[parent];
        ri[parent] = tr;
        i = parent;
    }
}

/* Offers rows [r_begin, r_end) of W to the heap (ri, sc) of capacity k holding *n entries. */
static void scan_rows(const search_ctx *c, int64_t qi, int64_t r_begin, int64_t r_end, int64_t *ri, float *sc,
                      int64_t k, int64_t *n_io) {
    const int64_t D = c->D;
    const float *q = c->queries + qi * D;
    const int64_t *ex = c->exclude ? c->exclude + qi * c->E : NULL;
    float qn = c->cnorms ? sqrtf(c->p->dot(q, q, D)) : 1.0f;
    float block[TOPK_BLOCK];
    int64_t n = *n_io;
    for (int64_t r0 = r_begin; r0 < r_end; r0 += TOPK_BLOCK) {
        int64_t r1 = r0 + TOPK_BLOCK < r_end ? r0 + TOPK_BLOCK : r_end;
        c->p->dot_rows(block, q, c->W, r0, r1, D);
        for (int64_t r = r0; r < r1; r++) {
            float s = block[r - r0];
            if (c->cnorms) {
                float nv = c->cnorms[r];
                s = nv == 0.0f ? -INFINITY : s / (qn * nv);
            }
            if (s != s) s = -INFINITY;
            if (n == k && !worse(sc[0], ri[0], s, r)) continue;
            int skip = 0;
            for (int64_t e = 0; ex && e < c->E; e++) skip |= ex[e] == r;
            if (skip) continue;
            if (n < k) {
                ri[n] = r;
                sc[n] = s;
                sift_up(ri, sc, n++);
            } else {
                ri[0] = r;
                sc[0] = s;
                sift_down(ri, sc, n, 0);
            }
        }
    }
    *n_io = n;
}

/* Offers one candidate (already scored and not excluded) to the heap. */
static void offer(int64_t *ri, float *sc, int64_t k, int64_t *n, int64_t r, float s) {
    if (*n < k) {
        ri[*n] = r;
        sc[*n] = s;
        sift_up(ri, sc, (*n)++);
    } else if (worse(sc[0], ri[0], s, r)) {
        ri[0] = r;
        sc[0] = s;
        sift_down(ri, sc, *n, 0);
    }
}

/* Heap sort in place (the worst goes last), then -1 / -inf for the slots nothing filled. */
static void finish_heap(int64_t *ri, float *sc, int64_t n, int64_t k) {
    for (int64_t end = n - 1; end > 0; end--) {
        float ts = sc[0];
        sc[0] = sc[end];
        sc[end] = ts;
        int64_t tr = ri[0];
        ri[0] = ri[end];
        ri[end] = tr;
        sift_down(ri, sc, end, 0);
    }
    for (int64_t j = n; j < k; j++) {
        ri[j] = -1;
        sc[j] = -INFINITY;
    }
}

static void topk_range(void *vctx, int64_t q0, int64_t q1) {
    const search_ctx *c = (const search_ctx *)vctx;
    for (int64_t qi = q0; qi < q1; qi++) {
        int64_t n = 0, *ri = c->out_idx + qi * c->k;
        float *sc = c->out_score + qi * c->k;
        scan_rows(c, qi, 0, c->V, ri, sc, c->k, &n);
        finish_heap(ri, sc, n, c->k);
    }
}

/* Few queries, many threads: each of SPLIT_PARTS slices of W keeps its own heap of k on the caller's
 * stack, and the slices' winners are merged. The top k of a total order (score, then row) does not
 * depend on how W was sliced, so the result equals the single-threaded one. */
#define SPLIT_PARTS 8
#define SPLIT_MAX_K 128

typedef struct split_ctx {
    const search_ctx *c;
    int64_t qi, parts;
    int64_t ri[SPLIT_PARTS][SPLIT_MAX_K];
    float sc[SPLIT_PARTS][SPLIT_MAX_K];
    int64_t n[SPLIT_PARTS];
} split_ctx;

static void split_range(void *vctx, int64_t p0, int64_t p1) {
    split_ctx *s = (split_ctx *)vctx;
    for (int64_t p = p0; p < p1; p++) {
        int64_t V = s->c->V, r0 = V * p / s->parts, r1 = V * (p + 1) / s->parts;
        s->n[p] = 0;
        scan_rows(s->c, s->qi, r0, r1, s->ri[p], s->sc[p], s->c->k, &s->n[p]);
    }
}

static void topk_split(const search_ctx *c, int64_t parts) {
    split_ctx s;
    s.c = c;
    s.parts = parts;
    for (int64_t qi = 0; qi < c->Q; qi++) {
        s.qi = qi;
        e4j_parallel_for(parts, 1, split_range, &s);
        int64_t n = 0, *ri = c->out_idx + qi * c->k;
        float *sc = c->out_score + qi * c->k;
        for (int64_t p = 0; p < parts; p++)
            for (int64_t j = 0; j < s.n[p]; j++) offer(ri, sc, c->k, &n, s.ri[p][j], s.sc[p][j]);
        finish_heap(ri, sc, n, c->k);
    }
}

E4J_API e4j_status e4j_topk(int64_t *out_idx, float *out_score, const float *W, const float *norms,
                            const float *queries, const int64_t *exclude, int64_t Q, int64_t V, int64_t D, int64_t k,
                            int64_t E) {
    if (Q < 0 || V < 0 || D < 0 || k < 0 || E < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got Q=%lld V=%lld D=%lld k=%lld E=%lld",
                        (long long)Q, (long long)V, (long long)D, (long long)k, (long long)E);
    if (Q == 0 || k == 0) return E4J_OK;
    if (!out_idx || !out_score || !queries || (V > 0 && D > 0 && !W))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "topk: out_idx, out_score, W and queries must not be NULL");
    if (exclude)
        for (int64_t i = 0; i < Q * E; i++)
            if (exclude[i] != -1 && (exclude[i] < 0 || exclude[i] >= V))
                return e4j_fail(E4J_ERR_INDEX,
                                "exclude value %lld at (query, slot) = (%lld, %lld) is out of range"
                                " (expected -1 or 0 <= row < %lld)",
                                (long long)exclude[i], (long long)(i / E), (long long)(i % E), (long long)V);
    search_ctx c = {e4j_prims_get(), NULL, out_idx, out_score, W, norms, queries, exclude, Q, V, D, k, E};
    int64_t parts = e4j_threads < SPLIT_PARTS ? e4j_threads : SPLIT_PARTS;
    int64_t per_part = V / (parts > 0 ? parts : 1);
    if (Q < parts && k <= SPLIT_MAX_K && per_part >= TOPK_BLOCK && per_part * (D + 1) >= ((int64_t)1 << 16))
        topk_split(&c, parts);
    else
        e4j_parallel_for(Q, e4j_grain(V * (D + 1)), topk_range, &c);
    return E4J_OK;
}

/* ---------------------------------------------------------------- e4j_topk_i8
 * Each query is scaled by a power of two 2^sh into int16 (q16 = rint(q * 2^sh), |q16| <= 2^B, 2^B the largest
 * power of two <= min(32767, (2^31-1) / (128*D)), so no dot of D int8 values leaves int32), the dots with the int8
 * rows are exact integers (dot_rows_i8, the same at every level), and
 *   score = ((float) dot * rscale[v]) * f,  f = (float) (2^-sh / (double) qn),  qn = (float) sqrt(sum (double) q^2).
 * A query whose qn is 0 or not finite scores -inf everywhere. JavaBackend.topkInt8 computes the same bits.
 * Queries go in groups of I8_GROUP, scored together so that each int8 row is read once per group. Work is split
 * over query groups when there are at least as many groups as threads (each thread walks W once, in chunks of
 * I8_CHUNK rows that stay in cache while all of its groups score them), else over row slices with per-slice heaps
 * on the stack (k <= SPLIT_MAX_K) merged at the end, as topk_split does. Every row is offered to every heap, so a
 * heap holds min(k, rows seen) entries and no count needs storing. Deterministic: a (query, row) score depends on
 * neither the group, the chunk, the thread nor the level. */
#define I8_GROUP 8
#define I8_CHUNK 2048
#define I8_BLOCK 128  /* rows scored per dot_rows_i8 call: a block of int8 rows stays in L1 for all tiles */
#define I8_DCHUNK 512 /* int16 query values per query on the stack; longer queries go in dimension chunks */

typedef struct i8_ctx {
    const e4j_prims *p;
    int64_t *out_idx;
    float *out_score;
    const int8_t *W;
    const float *rscale, *queries;
    int64_t Q, V, D, k;
} i8_ctx;

/* The power-of-two scale of query q: q16 = rint(q * 2^sh); *f = the factor of its scores, NAN for a query that
 * scores -inf everywhere. */
static int i8_query_scale(const float *q, int64_t D, float *f) {
    int64_t qmax = D > 0 ? INT32_MAX / (128 * D) : 32767;
    if (qmax > 32767) qmax = 32767;
    int B = 0;
    while ((int64_t)2 << B <= qmax) B++;
    float amax = 0.0f;
    double ss = 0.0;
    for (int64_t d = 0; d < D; d++) {
        float a = fabsf(q[d]);
        amax = a > amax ? a : amax;
        ss += (double)q[d] * (double)q[d];
    }
    float qn = (float)sqrt(ss);
    if (!(qn > 0.0f && qn < INFINITY)) {
        *f = NAN;
        return 0;
    }
    int e;
    frexpf(amax, &e); /* amax < 2^e */
    *f = (float)ldexp(1.0 / (double)qn, e - B);
    return B - e;
}

/* q16 = rint(q * 2^sh) (exact in double), or zeros for a query that scores -inf (f NAN: its values may not be
 * finite) */
static void i8_quantize(int16_t *q16, const float *q, int64_t n, int sh, float f) {
    const double p = ldexp(1.0, sh);
    for (int64_t d = 0; d < n; d++) q16[d] = f == f ? (int16_t)rint((double)q[d] * p) : 0;
}

/* Offers rows [r_begin, r_end) to the heaps of queries [q0, q0+G): query g's heap is (ri + g*ld, sc + g*ld)
 * and holds min(k, seen) entries, seen = rows offered to it before r_begin. */
static void scan_i8(const i8_ctx *c, int64_t q0, int64_t G, int64_t r_begin, int64_t r_end, int64_t *ri, float *sc,
                    int64_t ld, int64_t seen) {
    const int64_t D = c->D, k = c->k;
    const float *q = c->queries + q0 * D;
    const int one = D <= I8_DCHUNK; /* the whole query fits: quantize it once */
    int32_t dots[I8_GROUP * I8_BLOCK], part[I8_GROUP * I8_BLOCK];
    float block[I8_BLOCK];
    int16_t q16[I8_GROUP * I8_DCHUNK];
    float f[I8_GROUP];
    int sh[I8_GROUP];
    for (int64_t g = 0; g < G; g++) {
        sh[g] = i8_query_scale(q + g * D, D, &f[g]);
        if (one) i8_quantize(q16 + g * D, q + g * D, D, sh[g], f[g]);
    }
    for (int64_t r0 = r_begin; r0 < r_end; r0 += I8_BLOCK) {
        int64_t r1 = r0 + I8_BLOCK < r_end ? r0 + I8_BLOCK : r_end, m = r1 - r0;
        if (one) {
            c->p->dot_rows_i8(dots, q16, G, c->W, D, r0, r1, D);
        } else {
            for (int64_t i = 0; i < G * m; i++) dots[i] = 0;
            for (int64_t d0 = 0; d0 < D; d0 += I8_DCHUNK) {
                int64_t n = D - d0 < I8_DCHUNK ? D - d0 : I8_DCHUNK;
                for (int64_t g = 0; g < G; g++) i8_quantize(q16 + g * n, q + g * D + d0, n, sh[g], f[g]);
                c->p->dot_rows_i8(part, q16, G, c->W + d0, D, r0, r1, n);
                for (int64_t i = 0; i < G * m; i++) dots[i] += part[i];
            }
        }
        for (int64_t g = 0; g < G; g++) {
            int64_t *gri = ri + g * ld;
            float *gsc = sc + g * ld, fg = f[g];
            const int32_t *dg = dots + g * m;
            const float *rs = c->rscale + r0;
            int64_t n = seen + (r0 - r_begin) < k ? seen + (r0 - r_begin) : k, i = 0;
            const float worst = n == k ? gsc[0] : -INFINITY;
            int hit = 0;
            for (int64_t j = 0; j < m; j++) { /* a loop the compiler vectorizes */
                float s = (float)dg[j] * rs[j] * fg;
                s = rs[j] == 0.0f || s != s ? -INFINITY : s;
                block[j] = s;
                hit |= s >= worst;
            }
            if (!hit) continue; /* the heap is full and no row of the block can enter (most blocks) */
            for (; i < m && n < k; i++) offer(gri, gsc, k, &n, r0 + i, block[i]);
            for (; i < m; i++) /* the heap is full: only a score >= its worst can enter */
                if (block[i] >= gsc[0]) offer(gri, gsc, k, &n, r0 + i, block[i]);
        }
    }
}

static void i8_groups_range(void *vctx, int64_t g0, int64_t g1) {
    const i8_ctx *c = (const i8_ctx *)vctx;
    for (int64_t r0 = 0; r0 < c->V; r0 += I8_CHUNK) {
        int64_t r1 = r0 + I8_CHUNK < c->V ? r0 + I8_CHUNK : c->V;
        for (int64_t g = g0; g < g1; g++) {
            int64_t q0 = g * I8_GROUP, G = c->Q - q0 < I8_GROUP ? c->Q - q0 : I8_GROUP;
            scan_i8(c, q0, G, r0, r1, c->out_idx + q0 * c->k, c->out_score + q0 * c->k, c->k, r0);
        }
    }
    for (int64_t qi = g0 * I8_GROUP; qi < g1 * I8_GROUP && qi < c->Q; qi++) {
        int64_t n = c->V < c->k ? c->V : c->k;
        finish_heap(c->out_idx + qi * c->k, c->out_score + qi * c->k, n, c->k);
    }
}

typedef struct i8_split_ctx {
    const i8_ctx *c;
    int64_t q0, G, parts;
    int64_t ri[SPLIT_PARTS][I8_GROUP * SPLIT_MAX_K];
    float sc[SPLIT_PARTS][I8_GROUP * SPLIT_MAX_K];
} i8_split_ctx;

static void i8_split_range(void *vctx, int64_t p0, int64_t p1) {
    i8_split_ctx *s = (i8_split_ctx *)vctx;
    for (int64_t p = p0; p < p1; p++) {
        int64_t V = s->c->V, r0 = V * p / s->parts, r1 = V * (p + 1) / s->parts;
        scan_i8(s->c, s->q0, s->G, r0, r1, s->ri[p], s->sc[p], s->c->k, 0);
    }
}

/* Few query groups, several threads: one group at a time, its rows split over parts, then merged. */
static void topk_i8_split(const i8_ctx *c, int64_t parts) {
    i8_split_ctx s;
    s.c = c;
    s.parts = parts;
    for (int64_t q0 = 0; q0 < c->Q; q0 += I8_GROUP) {
        s.q0 = q0;
        s.G = c->Q - q0 < I8_GROUP ? c->Q - q0 : I8_GROUP;
        e4j_parallel_for(parts, 1, i8_split_range, &s);
        for (int64_t g = 0; g < s.G; g++) {
            int64_t n = 0, *ri = c->out_idx + (q0 + g) * c->k;
            float *sc = c->out_score + (q0 + g) * c->k;
            for (int64_t p = 0; p < parts; p++) {
                int64_t rows = c->V * (p + 1) / parts - c->V * p / parts, have = rows < c->k ? rows : c->k;
                for (int64_t j = 0; j < have; j++)
                    offer(ri, sc, c->k, &n, s.ri[p][g * c->k + j], s.sc[p][g * c->k + j]);
            }
            finish_heap(ri, sc, n, c->k);
        }
    }
}

E4J_API int32_t e4j_topk_i8(int64_t *out_idx, float *out_score, const int8_t *W8, const float *rscale,
                            const float *queries, int64_t Q, int64_t V, int64_t D, int64_t k) {
    if (Q < 0 || V < 0 || D < 0 || k < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got Q=%lld V=%lld D=%lld k=%lld", (long long)Q,
                        (long long)V, (long long)D, (long long)k);
    if (Q == 0 || k == 0) return E4J_OK;
    if (D > INT32_MAX / 128)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "topk_i8: D=%lld is above %d, the int32 dot limit", (long long)D,
                        INT32_MAX / 128);
    if (!out_idx || !out_score || !queries || (V > 0 && (!rscale || (D > 0 && !W8))))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT,
                        "topk_i8: out_idx, out_score, W8, rscale and queries must not be NULL");
    i8_ctx c = {e4j_prims_get(), out_idx, out_score, W8, rscale, queries, Q, V, D, k};
    int64_t groups = (Q + I8_GROUP - 1) / I8_GROUP;
    int64_t parts = e4j_threads < SPLIT_PARTS ? e4j_threads : SPLIT_PARTS;
    if (groups < parts && k <= SPLIT_MAX_K && V / parts >= TOPK_BLOCK && V * (D + 1) >= ((int64_t)1 << 16))
        topk_i8_split(&c, parts);
    else
        e4j_parallel_for(groups, e4j_grain(V * (D + 1) * I8_GROUP), i8_groups_range, &c);
    return E4J_OK;
}
