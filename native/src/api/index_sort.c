/* e4j_index_sort: the deterministic sort every backward / update / renorm consumes.
 * Output: uniq (U rows ascending), seg (U+1 segment starts), perm (positions sorted by row, stable:
 * equal rows keep position order). Padding entries are dropped; perm past seg[U] is set to -1.
 * Algorithm (both stable, both O(N + ...), no allocation; the caller provides the workspace):
 *   V <= 2N + 1024: counting sort over the V rows (workspace: V+1 counters);
 *   otherwise:      LSD radix sort of (row, position) pairs, 11-bit digits, only the digits that
 *                   log2(V) needs (workspace: 3N int64 + 2048 counters).
 * Single-threaded: it is O(N) and far cheaper than the backward it serves. Thread-safe. */
#include "kernels.h"

#include <string.h>

#define RADIX_BITS 11
#define RADIX (1 << RADIX_BITS)

static int use_counting(int64_t N, int64_t V) { return V <= 2 * N + 1024; }

E4J_API int64_t e4j_index_sort_workspace_bytes(int64_t N, int64_t V) {
    if (N < 0 || V < 0) {
        e4j_fail(E4J_ERR_INVALID_ARGUMENT, "index_sort workspace: sizes must be >= 0, got N=%lld V=%lld", (long long)N,
                 (long long)V);
        return -1;
    }
    if (use_counting(N, V)) return (V + 1) * (int64_t)sizeof(int64_t);
    return (3 * N + RADIX) * (int64_t)sizeof(int64_t);
}

static int64_t finish(int64_t *uniq, int64_t *seg, const int64_t *keys, int64_t M) {
    int64_t U = 0;
    for (int64_t k = 0; k < M; k++)
        if (k == 0 || keys[k] != keys[k - 1]) {
            uniq[U] = keys[k];
            seg[U++] = k;
        }
    seg[U] = M;
    return U;
}

E4J_API e4j_status e4j_index_sort(int64_t *uniq, int64_t *seg, int64_t *perm, int64_t *num_unique, const void *idx,
                                  int32_t idx_type, int64_t padding_idx, int64_t N, int64_t V, void *workspace,
                                  int64_t workspace_bytes) {
    if (N < 0 || V < 0)
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "sizes must be >= 0, got N=%lld V=%lld", (long long)N, (long long)V);
    e4j_status st = e4j_check_idx_type(idx_type);
    if (st) return st;
    if (!seg || !num_unique || (N > 0 && (!uniq || !perm || !idx)))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "index_sort: uniq, seg, perm, num_unique and idx must not be NULL");
    int64_t need = e4j_index_sort_workspace_bytes(N, V);
    if (N > 0 && (workspace_bytes < need || !workspace))
        return e4j_fail(E4J_ERR_WORKSPACE, "index_sort needs %lld workspace bytes for N=%lld V=%lld, got %lld",
                        (long long)need, (long long)N, (long long)V, (long long)(workspace ? workspace_bytes : 0));
    if (N > 0 && ((uintptr_t)workspace & 7u))
        return e4j_fail(E4J_ERR_INVALID_ARGUMENT, "index_sort workspace must be 8-byte aligned");
    if ((st = e4j_check_padding(padding_idx, V))) return st;
    if ((st = e4j_check_indices(idx, idx_type, N, V))) return st;
    if (N == 0) {
        seg[0] = 0;
        *num_unique = 0;
        return E4J_OK;
    }
    int64_t *ws = (int64_t *)workspace;
    int64_t M = 0, U = 0;
    if (use_counting(N, V)) {
        int64_t *start = ws; /* (V+1): counts, then start positions */
        memset(start, 0, (size_t)(V + 1) * sizeof(int64_t));
        for (int64_t j = 0; j < N; j++) {
            int64_t r = e4j_idx_at(idx, idx_type, j);
            if (r != padding_idx) start[r + 1]++;
        }
        for (int64_t v = 0; v < V; v++) {
            if (start[v + 1] > 0) {
                uniq[U] = v;
                seg[U++] = start[v];
            }
            start[v + 1] += start[v];
        }
        M = start[V];
        seg[U] = M;
        for (int64_t j = 0; j < N; j++) { /* ascending j: stable */
            int64_t r = e4j_idx_at(idx, idx_type, j);
            if (r != padding_idx) perm[start[r]++] = j;
        }
    } else {
        int64_t *k0 = ws, *k1 = ws + N, *p1 = ws + 2 * N, *count = ws + 3 * N;
        int64_t *p0 = perm;
        for (int64_t j = 0; j < N; j++) {
            int64_t r = e4j_idx_at(idx, idx_type, j);
            if (r != padding_idx) {
                k0[M] = r;
                p0[M++] = j;
            }
        }
        int bits = 0;
        while (bits < 63 && ((int64_t)1 << bits) < V) bits++;
        for (int shift = 0; shift < bits; shift += RADIX_BITS) {
            memset(count, 0, RADIX * sizeof(int64_t));
            for (int64_t k = 0; k < M; k++) count[(k0[k] >> shift) & (RADIX - 1)]++;
            int64_t sum = 0;
            for (int64_t b = 0; b < RADIX; b++) {
                int64_t c = count[b];
                count[b] = sum;
                sum += c;
            }
            for (int64_t k = 0; k < M; k++) {
                int64_t at = count[(k0[k] >> shift) & (RADIX - 1)]++;
                k1[at] = k0[k];
                p1[at] = p0[k];
            }
            int64_t *t = k0;
            k0 = k1;
            k1 = t;
            t = p0;
            p0 = p1;
            p1 = t;
        }
        if (p0 != perm) memcpy(perm, p0, (size_t)M * sizeof(int64_t));
        U = finish(uniq, seg, k0, M);
    }
    for (int64_t k = M; k < N; k++) perm[k] = -1;
    *num_unique = U;
    return E4J_OK;
}
