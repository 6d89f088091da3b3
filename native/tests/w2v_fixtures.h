/* The random word2vec problems of test_w2v.c and test_w2v_hs.c: an LCG (so each test draws the same data on every
 * machine), Zipf-ish token ids with sentence breaks, a negative table, subword lists, and the weight comparison both
 * use (2e-5 + 2e-4·|w|, the worst element printed by (row, column)). Header-only; each test is one executable, and
 * a failed check increments `failures`. */
#ifndef E4J_W2V_FIXTURES_H
#define E4J_W2V_FIXTURES_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int failures = 0;
static uint64_t seed = 0x9E3779B97F4A7C15ull;

static uint32_t urand(void) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(seed >> 33);
}
static float frand(float scale) { return ((float)(urand() & 0xFFFFFF) / 16777216.0f - 0.5f) * scale; }

/* Zipf-ish id in [0, V). */
static int32_t zipf_id(int64_t V) { return (int32_t)((uint64_t)(urand() % V) * (urand() % V) / V); }

/* (T) token ids, a sentence break (-1) about every 12 tokens. */
static int32_t *make_tokens(int64_t T, int64_t V) {
    int32_t *tokens = malloc((size_t)T * sizeof(int32_t));
    for (int64_t t = 0; t < T; t++) {
        uint32_t u = urand() % 1000;
        tokens[t] = (u < 80) ? -1 : zipf_id(V);
    }
    return tokens;
}

/* (S) negative-table entries. */
static int32_t *make_table(int64_t S, int64_t V) {
    int32_t *table = malloc((size_t)S * sizeof(int32_t));
    for (int64_t i = 0; i < S; i++) table[i] = zipf_id(V);
    return table;
}

/* Subword lists of V words over V + 37 rows: each word its own row, then 0..3 of the 37 "bucket" rows. */
static void make_subwords(int64_t V, int64_t **sub_off, int32_t **sub_ids) {
    int64_t *off = malloc((size_t)(V + 1) * sizeof(int64_t));
    int32_t *ids = malloc((size_t)(V * 4) * sizeof(int32_t));
    int64_t n = 0;
    for (int64_t w = 0; w < V; w++) {
        off[w] = n;
        ids[n++] = (int32_t)w;
        int k = (int)(urand() % 4);
        for (int i = 0; i < k; i++) ids[n++] = (int32_t)(V + urand() % 37);
    }
    off[V] = n;
    *sub_off = off;
    *sub_ids = ids;
}

/* a (reference) against b (vector level), n weights in rows of D: fails on the worst element out of tolerance. */
static void compare(const char *tag, const char *what, const float *a, const float *b, int64_t n, int64_t D) {
    double worst = 0;
    int64_t wi = -1;
    for (int64_t i = 0; i < n; i++) {
        double err = fabs((double)a[i] - b[i]), tol = 2e-5 + 2e-4 * fabs((double)a[i]);
        if (!(err <= tol) && (wi < 0 || err > worst)) {
            worst = err;
            wi = i;
        }
    }
    if (wi >= 0) {
        printf("FAIL %s: %s[%lld,%lld] ref %.8g avx2 %.8g\n", tag, what, (long long)(wi / D), (long long)(wi % D),
               a[wi], b[wi]);
        failures++;
    }
}

#endif
