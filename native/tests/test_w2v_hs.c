/* test_w2v_hs.c — the general word2vec kernel (hierarchical softmax, negative sampling, document rows):
 *  - a two-word case worked by hand (one inner node) on both levels: the update word2vec C's -hs 1 makes;
 *  - AVX2 against the scalar reference (e4j_set_isa_level 0 vs 1) for skip-gram, CBOW mean and sum, with
 *    hierarchical softmax, negative sampling or both, with and without subwords and document rows (PV-DBOW
 *    with and without word inputs, PV-DM), frozen words, awkward D: identical rng state and pair count, loss
 *    within 1e-4 relative, every weight within 2e-5 + 2e-4·|w| (test_w2v.c's tolerance);
 *  - frozen words leave W_in, W_hs and W_out bit-identical and move W_doc;
 *  - bad token, doc, code, table entry -> E4J_ERR_INDEX with the weights untouched where promised; no output
 *    layer, unknown flags -> E4J_ERR_INVALID_ARGUMENT; small workspace -> E4J_ERR_WORKSPACE.
 * Exit status 0 = pass (ctest); skips the AVX2 half on a CPU without AVX2+FMA. */
#include "embed4j.h"
#include "w2v_fixtures.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HS = 1, NS = 2 };

typedef struct problem {
    int64_t V, R, H, P, D, T, S;
    int32_t window, negative, mode, flags, subwords, max_code;
    float *W_in, *W_hs, *W_out, *W_doc;
    int32_t *tokens, *docs, *table, *sub_ids, *codes;
    int64_t *sub_off, *code_off;
} problem;

/* Random codes: each word a path of 1..max_code distinct inner nodes (a tree is not needed by the kernel). */
static void make_codes(problem *p) {
    p->code_off = malloc((size_t)(p->V + 1) * sizeof(int64_t));
    p->codes = malloc((size_t)(p->V * p->max_code) * sizeof(int32_t));
    int64_t n = 0;
    for (int64_t w = 0; w < p->V; w++) {
        p->code_off[w] = n;
        int64_t most = p->max_code < p->H ? p->max_code : p->H;
        int len = 1 + (int)(urand() % (uint32_t)most);
        int32_t start = (int32_t)(urand() % (uint32_t)p->H);
        for (int i = 0; i < len; i++) p->codes[n++] = (int32_t)(2 * ((start + i) % p->H) + (urand() & 1));
    }
    p->code_off[p->V] = n;
}

static problem make(int64_t V, int64_t D, int64_t T, int32_t window, int32_t out, int32_t mode, int32_t subwords,
                    int64_t docs, int32_t flags) {
    problem p = {0};
    p.V = V;
    p.R = V;
    p.H = V - 1;
    p.P = docs;
    p.D = D;
    p.T = T;
    p.S = 1000;
    p.window = window;
    p.negative = (out & NS) ? 5 : 0;
    p.mode = mode;
    p.flags = flags;
    p.subwords = subwords;
    p.max_code = 12;
    if (out & HS) make_codes(&p);
    if (subwords) {
        p.R = V + 37;
        make_subwords(V, &p.sub_off, &p.sub_ids);
    }
    p.W_in = malloc((size_t)(p.R * D) * sizeof(float));
    p.W_hs = malloc((size_t)(p.H * D) * sizeof(float));
    p.W_out = malloc((size_t)(V * D) * sizeof(float));
    p.W_doc = malloc((size_t)((docs > 0 ? docs : 1) * D) * sizeof(float));
    for (int64_t i = 0; i < p.R * D; i++) p.W_in[i] = frand(1.0f / (float)D);
    for (int64_t i = 0; i < p.H * D; i++) p.W_hs[i] = frand(0.5f);
    for (int64_t i = 0; i < V * D; i++) p.W_out[i] = frand(0.5f);
    for (int64_t i = 0; i < (docs > 0 ? docs : 1) * D; i++) p.W_doc[i] = frand(1.0f / (float)D);
    p.tokens = make_tokens(T, V);
    p.docs = malloc((size_t)T * sizeof(int32_t));
    for (int64_t t = 0; t < T; t++) p.docs[t] = docs > 0 ? (int32_t)((t * docs) / T) : 0;
    p.table = make_table(p.S, V);
    return p;
}

static void release(problem *p) {
    free(p->W_in);
    free(p->W_hs);
    free(p->W_out);
    free(p->W_doc);
    free(p->tokens);
    free(p->docs);
    free(p->table);
    free(p->sub_ids);
    free(p->sub_off);
    free(p->codes);
    free(p->code_off);
}

typedef struct weights {
    float *in, *hs, *out, *doc;
} weights;

static weights copy_weights(const problem *p) {
    weights w;
    size_t in = (size_t)(p->R * p->D), hs = (size_t)(p->H * p->D), out = (size_t)(p->V * p->D),
           doc = (size_t)((p->P > 0 ? p->P : 1) * p->D);
    w.in = malloc(in * sizeof(float));
    w.hs = malloc(hs * sizeof(float));
    w.out = malloc(out * sizeof(float));
    w.doc = malloc(doc * sizeof(float));
    memcpy(w.in, p->W_in, in * sizeof(float));
    memcpy(w.hs, p->W_hs, hs * sizeof(float));
    memcpy(w.out, p->W_out, out * sizeof(float));
    memcpy(w.doc, p->W_doc, doc * sizeof(float));
    return w;
}

static void free_weights(weights *w) {
    free(w->in);
    free(w->hs);
    free(w->out);
    free(w->doc);
}

static int32_t run_ws(const problem *p, weights *w, double *loss, int64_t *pairs, uint64_t *rng, void *ws,
                      int64_t wsb) {
    return e4j_w2v_hs_train_chunk(w->in, p->codes ? w->hs : NULL, p->negative ? w->out : NULL, p->P ? w->doc : NULL,
                                  loss, pairs, rng, p->tokens, p->P ? p->docs : NULL, p->T, p->code_off, p->codes,
                                  p->negative ? p->table : NULL, p->S, p->subwords ? p->sub_off : NULL,
                                  p->subwords ? p->sub_ids : NULL, p->mode, p->flags, p->window, p->negative,
                                  p->max_code, 0.025f, 0.0125f, p->V, p->R, p->H, p->P, p->D, ws, wsb);
}

static int32_t run(const problem *p, weights *w, double *loss, int64_t *pairs, uint64_t *rng) {
    int64_t wsb = e4j_w2v_hs_workspace_bytes(p->D, p->window, (p->codes ? p->max_code : 0) + p->negative + 1);
    void *ws = malloc((size_t)wsb);
    int32_t st = run_ws(p, w, loss, pairs, rng, ws, wsb);
    free(ws);
    return st;
}

static void case_ref_vs_avx2(int64_t V, int64_t D, int32_t window, int32_t out, int32_t mode, int32_t subwords,
                             int64_t docs, int32_t flags) {
    char tag[200];
    snprintf(tag, sizeof tag, "mode=%d%s%s%s docs=%lld flags=%d V=%lld D=%lld window=%d", mode, (out & HS) ? " hs" : "",
             (out & NS) ? " ns" : "", subwords ? " +subwords" : "", (long long)docs, flags, (long long)V, (long long)D,
             window);
    problem p = make(V, D, 700, window, out, mode, subwords, docs, flags);
    weights a = copy_weights(&p), b = copy_weights(&p);
    double la = 0, lb = 0;
    int64_t pa = 0, pb = 0;
    uint64_t ra = 12345, rb = 12345;
    e4j_set_isa_level(0);
    int32_t sa = run(&p, &a, &la, &pa, &ra);
    e4j_set_isa_level(1);
    int32_t sb = run(&p, &b, &lb, &pb, &rb);
    if (sa != E4J_OK || sb != E4J_OK) {
        printf("FAIL %s: status ref %d avx2 %d (%s)\n", tag, sa, sb, e4j_last_error());
        failures++;
    } else {
        if (ra != rb || pa != pb || pa == 0) {
            printf("FAIL %s: rng %llu vs %llu, pairs %lld vs %lld\n", tag, (unsigned long long)ra,
                   (unsigned long long)rb, (long long)pa, (long long)pb);
            failures++;
        }
        if (!(fabs(la - lb) <= 1e-4 * fabs(la)) || !(la > 0)) {
            printf("FAIL %s: loss ref %.9g avx2 %.9g\n", tag, la, lb);
            failures++;
        }
        compare(tag, "W_in", a.in, b.in, p.R * D, D);
        if (p.codes) compare(tag, "W_hs", a.hs, b.hs, p.H * D, D);
        if (p.negative) compare(tag, "W_out", a.out, b.out, V * D, D);
        if (docs) compare(tag, "W_doc", a.doc, b.doc, docs * D, D);
        int frozen = (flags & E4J_W2V_FREEZE_WORDS) != 0, no_words = (flags & E4J_W2V_NO_WORD_INPUTS) != 0;
        int in_same = memcmp(a.in, p.W_in, (size_t)(p.R * D) * sizeof(float)) == 0;
        if (in_same != (frozen || no_words)) {
            printf("FAIL %s: W_in %s\n", tag, in_same ? "did not change" : "changed though frozen or not an input");
            failures++;
        }
        if (frozen && (memcmp(a.hs, p.W_hs, (size_t)(p.H * D) * sizeof(float)) != 0 ||
                       memcmp(b.hs, p.W_hs, (size_t)(p.H * D) * sizeof(float)) != 0 ||
                       memcmp(b.out, p.W_out, (size_t)(V * D) * sizeof(float)) != 0 ||
                       memcmp(b.in, p.W_in, (size_t)(p.R * D) * sizeof(float)) != 0)) {
            printf("FAIL %s: frozen words changed\n", tag);
            failures++;
        }
        if (docs && memcmp(b.doc, p.W_doc, (size_t)(docs * D) * sizeof(float)) == 0) {
            printf("FAIL %s: W_doc did not change\n", tag);
            failures++;
        }
    }
    free_weights(&a);
    free_weights(&b);
    release(&p);
}

/* Two words, one inner node (word 0 = branch 0, word 1 = branch 1), tokens "0 1", window 1, skip-gram:
 * t=0: input word 1, target 1; t=1 (lr halfway): input word 0, target 0 — worked by hand in double. */
static void case_by_hand(int level) {
    const int64_t D = 3;
    float in[6] = {0.1f, -0.2f, 0.3f, 0.05f, 0.4f, -0.1f}, hs[3] = {0.2f, 0.1f, -0.3f};
    double ein[6], ehs[3];
    for (int i = 0; i < 6; i++) ein[i] = in[i];
    for (int i = 0; i < 3; i++) ehs[i] = hs[i];
    int32_t tokens[2] = {0, 1}, codes[2] = {0, 1};
    int64_t off[3] = {0, 1, 2};
    double lr[2] = {0.025, 0.025 + (0.0125 - 0.025) * 0.5}, want_loss = 0;
    for (int t = 0; t < 2; t++) {
        double *x = ein + (1 - t) * D, label = t == 0 ? 1.0 : 0.0, dotv = 0;
        for (int d = 0; d < D; d++) dotv += x[d] * ehs[d];
        double sig = 1.0 / (1.0 + exp(-dotv)), g = (label - sig) * lr[t];
        want_loss += label ? log1p(exp(-dotv)) : log1p(exp(dotv));
        double dx[3];
        for (int d = 0; d < D; d++) dx[d] = g * ehs[d];
        for (int d = 0; d < D; d++) ehs[d] += g * x[d];
        for (int d = 0; d < D; d++) x[d] += dx[d];
    }
    e4j_set_isa_level(level);
    double loss = 0;
    int64_t pairs = 0;
    uint64_t rng = 7;
    int64_t wsb = e4j_w2v_hs_workspace_bytes(D, 1, 2);
    void *ws = malloc((size_t)wsb);
    int32_t st =
        e4j_w2v_hs_train_chunk(in, hs, NULL, NULL, &loss, &pairs, &rng, tokens, NULL, 2, off, codes, NULL, 0, NULL,
                               NULL, E4J_W2V_SKIP_GRAM, 0, 1, 0, 1, 0.025f, 0.0125f, 2, 2, 1, 0, D, ws, wsb);
    free(ws);
    int bad = st != E4J_OK || pairs != 2 || !(fabs(loss - want_loss) <= 1e-5);
    for (int i = 0; i < 6; i++) bad |= !(fabs(in[i] - ein[i]) <= 1e-6);
    for (int i = 0; i < 3; i++) bad |= !(fabs(hs[i] - ehs[i]) <= 1e-6);
    if (bad) {
        printf("FAIL by hand level %d: status %d pairs %lld loss %.9g (want %.9g) W_in[0] %.9g (want %.9g) "
               "W_hs[0] %.9g (want %.9g)\n",
               level, st, (long long)pairs, loss, want_loss, in[0], ein[0], hs[0], ehs[0]);
        failures++;
    }
}

static void expect(const char *what, int level, int32_t st, int32_t want, const char *msg) {
    if (st != want || (msg && !strstr(e4j_last_error(), msg))) {
        printf("FAIL errors level %d: %s gave status %d (%s), want %d with '%s'\n", level, what, st, e4j_last_error(),
               want, msg ? msg : "");
        failures++;
    }
}

static void case_errors(int level) {
    e4j_set_isa_level(level);
    problem p = make(20, 9, 300, 3, HS | NS, E4J_W2V_SKIP_GRAM, 0, 4, 0);
    weights w = copy_weights(&p);
    double loss = 0;
    int64_t pairs = 0;
    uint64_t rng = 1;
    p.tokens[250] = 20; /* == V */
    expect("bad token", level, run(&p, &w, &loss, &pairs, &rng), E4J_ERR_INDEX, "tokens[250]");
    if (memcmp(w.in, p.W_in, (size_t)(p.R * p.D) * sizeof(float)) != 0) {
        printf("FAIL errors level %d: bad token changed W_in\n", level);
        failures++;
    }
    p.tokens[250] = 3;
    p.docs[3] = 4; /* == P */
    p.tokens[3] = 1;
    expect("bad doc", level, run(&p, &w, &loss, &pairs, &rng), E4J_ERR_INDEX, "docs[3]");
    if (memcmp(w.doc, p.W_doc, (size_t)(p.P * p.D) * sizeof(float)) != 0) {
        printf("FAIL errors level %d: bad doc changed W_doc\n", level);
        failures++;
    }
    p.docs[3] = 0;
    int32_t saved = p.codes[p.code_off[5]];
    p.codes[p.code_off[5]] = (int32_t)(2 * p.H); /* inner node H: out of range */
    expect("bad code", level, run(&p, &w, &loss, &pairs, &rng), E4J_ERR_INDEX, "codes[");
    p.codes[p.code_off[5]] = saved;
    for (int64_t i = 0; i < p.S; i++) p.table[i] = 99;
    expect("bad table", level, run(&p, &w, &loss, &pairs, &rng), E4J_ERR_INDEX, "neg_table");
    char ws[16];
    expect("small workspace", level, run_ws(&p, &w, &loss, &pairs, &rng, ws, sizeof ws), E4J_ERR_WORKSPACE, NULL);
    int32_t st =
        e4j_w2v_hs_train_chunk(w.in, NULL, NULL, NULL, &loss, &pairs, &rng, p.tokens, NULL, p.T, NULL, NULL, NULL, 0,
                               NULL, NULL, 0, 0, 3, 0, 0, 0.025f, 0.0f, p.V, p.R, 0, 0, p.D, ws, sizeof ws);
    expect("no output layer", level, st, E4J_ERR_INVALID_ARGUMENT, "no output layer");
    p.flags = 64;
    expect("unknown flags", level, run(&p, &w, &loss, &pairs, &rng), E4J_ERR_INVALID_ARGUMENT, "flags");
    if (e4j_w2v_hs_workspace_bytes(0, 5, 5) >= 0) {
        printf("FAIL errors: workspace_bytes(D=0) did not fail\n");
        failures++;
    }
    free_weights(&w);
    release(&p);
}

int main(void) {
    case_by_hand(0);
    if (e4j_set_isa_level(1) != E4J_OK) {
        printf("SKIP ref vs avx2: %s\n", e4j_last_error());
        case_errors(0);
        return failures ? 1 : 0;
    }
    case_by_hand(1);
    static const int64_t dims[] = {1, 7, 8, 9, 17, 100};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        for (int32_t mode = 0; mode <= 2; mode++) {
            case_ref_vs_avx2(50, dims[i], 5, HS, mode, 0, 0, 0);
            case_ref_vs_avx2(50, dims[i], 3, HS | NS, mode, 1, 0, 0);
            case_ref_vs_avx2(50, dims[i], 4, NS, mode, 0, 7, 0); /* paragraph vectors with negative sampling */
            case_ref_vs_avx2(50, dims[i], 2, HS, mode, 0, 7, 0); /* PV-DBOW with words / PV-DM */
        }
        case_ref_vs_avx2(50, dims[i], 5, HS, 0, 0, 7, E4J_W2V_NO_WORD_INPUTS);                             /* PV-DBOW */
        case_ref_vs_avx2(50, dims[i], 5, HS | NS, 0, 0, 3, E4J_W2V_NO_WORD_INPUTS | E4J_W2V_FREEZE_WORDS); /* infer */
        case_ref_vs_avx2(50, dims[i], 3, HS | NS, 1, 1, 3, E4J_W2V_FREEZE_WORDS); /* infer, PV-DM */
    }
    case_ref_vs_avx2(1000, 100, 8, HS, 0, 0, 0, 0);  /* long codes, wide windows */
    case_ref_vs_avx2(3, 33, 5, HS | NS, 1, 0, 0, 0); /* tiny vocabulary: most negatives masked */
    case_errors(0);
    case_errors(1);
    if (failures == 0) printf("PASS test_w2v_hs\n");
    return failures ? 1 : 0;
}
