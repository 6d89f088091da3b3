/* test_w2v.c — the vector word2vec kernels against the scalar reference (e4j_set_isa_level 0 vs 1, and vs 2
 * where the CPU has AVX-512):
 * skip-gram and CBOW, with and without subwords, awkward D (vector tails) and windows, from the
 * same weights and the same RNG state. Pass: identical rng state and pair count, loss within 1e-4
 * relative, every weight within 2e-5 + 2e-4·|w| (float sums in another order, polynomial exp/log).
 * Also: bad token -> E4J_ERR_INDEX with weights untouched; bad negative table entry -> E4J_ERR_INDEX;
 * small workspace -> E4J_ERR_WORKSPACE. A failure prints the case and the worst element by position.
 * Exit status 0 = pass (ctest); skips the vector levels the CPU lacks. */
#include "embed4j.h"
#include "w2v_fixtures.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct problem {
    int64_t V, R, D, T, S;
    int32_t window, negative, cbow, subwords;
    float *W_in, *W_out;
    int32_t *tokens, *table, *sub_ids;
    int64_t *sub_off;
} problem;

static problem make(int64_t V, int64_t D, int64_t T, int32_t window, int32_t negative, int32_t cbow, int32_t subwords) {
    problem p = {V, V, D, T, 1000, window, negative, cbow, subwords, 0, 0, 0, 0, 0, 0};
    if (subwords) {
        p.R = V + 37; /* 37 "buckets" */
        make_subwords(V, &p.sub_off, &p.sub_ids);
    }
    p.W_in = malloc((size_t)(p.R * D) * sizeof(float));
    p.W_out = malloc((size_t)(V * D) * sizeof(float));
    for (int64_t i = 0; i < p.R * D; i++) p.W_in[i] = frand(1.0f / (float)D);
    for (int64_t i = 0; i < V * D; i++) p.W_out[i] = frand(0.5f);
    p.tokens = make_tokens(T, V);
    p.table = make_table(p.S, V);
    return p;
}

static void release(problem *p) {
    free(p->W_in);
    free(p->W_out);
    free(p->tokens);
    free(p->table);
    free(p->sub_ids);
    free(p->sub_off);
}

static int32_t run(problem *p, float *W_in, float *W_out, double *loss, int64_t *pairs, uint64_t *rng) {
    int64_t wsb = e4j_w2v_workspace_bytes(p->D, p->window, p->negative);
    void *ws = malloc((size_t)wsb);
    int32_t st = e4j_w2v_train_chunk(W_in, W_out, loss, pairs, rng, p->tokens, p->T, p->table, p->S,
                                     p->subwords ? p->sub_off : NULL, p->subwords ? p->sub_ids : NULL, p->cbow,
                                     p->window, p->negative, 0.025f, 0.0125f, p->V, p->R, p->D, ws, wsb);
    free(ws);
    return st;
}

static int vector_level = 1; /* the level compared with the reference (1 AVX2, 2 AVX-512) */

static void case_ref_vs_avx2(int64_t V, int64_t D, int64_t T, int32_t window, int32_t negative, int32_t cbow,
                             int32_t subwords) {
    char tag[160];
    snprintf(tag, sizeof tag, "%s%s V=%lld D=%lld T=%lld window=%d negative=%d", cbow ? "cbow" : "sg",
             subwords ? "+subwords" : "", (long long)V, (long long)D, (long long)T, window, negative);
    problem p = make(V, D, T, window, negative, cbow, subwords);
    size_t in_bytes = (size_t)(p.R * D) * sizeof(float), out_bytes = (size_t)(V * D) * sizeof(float);
    float *in_a = malloc(in_bytes), *out_a = malloc(out_bytes), *in_b = malloc(in_bytes), *out_b = malloc(out_bytes);
    memcpy(in_a, p.W_in, in_bytes);
    memcpy(out_a, p.W_out, out_bytes);
    memcpy(in_b, p.W_in, in_bytes);
    memcpy(out_b, p.W_out, out_bytes);
    double la = 0, lb = 0;
    int64_t pa = 0, pb = 0;
    uint64_t ra = 12345, rb = 12345;
    e4j_set_isa_level(0);
    int32_t sa = run(&p, in_a, out_a, &la, &pa, &ra);
    e4j_set_isa_level(vector_level);
    int32_t sb = run(&p, in_b, out_b, &lb, &pb, &rb);
    if (sa != E4J_OK || sb != E4J_OK) {
        printf("FAIL %s: status ref %d level %d %d (%s)\n", tag, sa, vector_level, sb, e4j_last_error());
        failures++;
    } else {
        if (ra != rb || pa != pb || pa == 0) {
            printf("FAIL %s: rng %llu vs %llu, pairs %lld vs %lld\n", tag, (unsigned long long)ra,
                   (unsigned long long)rb, (long long)pa, (long long)pb);
            failures++;
        }
        if (!(fabs(la - lb) <= 1e-4 * fabs(la)) || !(la > 0)) {
            printf("FAIL %s: loss ref %.9g level %d %.9g\n", tag, la, vector_level, lb);
            failures++;
        }
        compare(tag, "W_in", in_a, in_b, p.R * D, D);
        compare(tag, "W_out", out_a, out_b, V * D, D);
        if (memcmp(in_a, p.W_in, in_bytes) == 0) {
            printf("FAIL %s: W_in did not change\n", tag);
            failures++;
        }
    }
    free(in_a);
    free(out_a);
    free(in_b);
    free(out_b);
    release(&p);
}

static void case_errors(int level) {
    e4j_set_isa_level(level);
    problem p = make(20, 9, 300, 3, 4, 0, 0);
    size_t in_bytes = (size_t)(p.R * p.D) * sizeof(float);
    float *in0 = malloc(in_bytes);
    memcpy(in0, p.W_in, in_bytes);
    double loss = 0;
    int64_t pairs = 0;
    uint64_t rng = 1;
    p.tokens[250] = 20; /* == V */
    int32_t st = run(&p, p.W_in, p.W_out, &loss, &pairs, &rng);
    if (st != E4J_ERR_INDEX || memcmp(in0, p.W_in, in_bytes) != 0 || !strstr(e4j_last_error(), "tokens[250]")) {
        printf("FAIL errors level %d: bad token gave status %d (%s) or changed W_in\n", level, st, e4j_last_error());
        failures++;
    }
    p.tokens[250] = 3;
    for (int64_t i = 0; i < p.S; i++) p.table[i] = 99;
    st = run(&p, p.W_in, p.W_out, &loss, &pairs, &rng);
    if (st != E4J_ERR_INDEX || !strstr(e4j_last_error(), "neg_table")) {
        printf("FAIL errors level %d: bad table gave status %d (%s)\n", level, st, e4j_last_error());
        failures++;
    }
    char ws[16];
    st = e4j_w2v_train_chunk(p.W_in, p.W_out, &loss, &pairs, &rng, p.tokens, p.T, p.table, p.S, NULL, NULL, 0, 3, 4,
                             0.025f, 0.0f, p.V, p.R, p.D, ws, sizeof ws);
    if (st != E4J_ERR_WORKSPACE) {
        printf("FAIL errors level %d: small workspace gave status %d\n", level, st);
        failures++;
    }
    if (e4j_w2v_workspace_bytes(0, 5, 5) >= 0) {
        printf("FAIL errors: workspace_bytes(D=0) did not fail\n");
        failures++;
    }
    free(in0);
    release(&p);
}

int main(void) {
    if (e4j_set_isa_level(1) != E4J_OK) {
        printf("SKIP ref vs avx2: %s\n", e4j_last_error());
        case_errors(0);
        return failures ? 1 : 0;
    }
    for (vector_level = 1; vector_level <= 2 && e4j_set_isa_level(vector_level) == E4J_OK; vector_level++) {
        static const int64_t dims[] = {1, 7, 8, 9, 17, 100};
        for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
            for (int cbow = 0; cbow <= 1; cbow++) {
                case_ref_vs_avx2(50, dims[i], 600, 5, 5, cbow, 0);
                case_ref_vs_avx2(50, dims[i], 600, 3, 7, cbow, 1);
            }
        }
        case_ref_vs_avx2(1000, 100, 3000, 1, 0, 0, 0);  /* no negatives */
        case_ref_vs_avx2(1000, 100, 3000, 8, 15, 0, 0); /* O = 16: two vectors of logits */
        case_ref_vs_avx2(3, 33, 500, 5, 5, 1, 0);       /* tiny vocabulary: most negatives masked */
        /* skip-gram's window blocks (four contexts or outputs at a time, then the rest) on every window, so C = 1 .. 16
         * contexts, by O = 1 .. 16 outputs, on vector tails of both widths (8 and 16 lanes) */
        static const int64_t block_dims[] = {1, 7, 17, 100, 301};
        static const int32_t negs[] = {0, 1, 3, 4, 5, 8, 15};
        for (int32_t w = 1; w <= 8; w++)
            for (size_t n = 0; n < sizeof negs / sizeof negs[0]; n++)
                for (size_t i = 0; i < sizeof block_dims / sizeof block_dims[0]; i++)
                    case_ref_vs_avx2(60, block_dims[i], 200, w, negs[n], 0, (int32_t)(n + i) % 4 == 0);
        case_errors(vector_level);
    }
    case_errors(0);
    if (failures == 0) printf("PASS test_w2v\n");
    return failures ? 1 : 0;
}
