/* gemm_pack_avx2.c — packing of op(A) and op(B) blocks into the panel layouts of the AVX2 micro-kernel
 * (gemm_avx2.c): A into (kc x MR) panels, B into (kc x NR) panels, zero-padded past the matrix edge so
 * the kernel never branches on size. All four transpose cases are handled here: a transposed operand is
 * read as 8x8 tiles and transposed in registers. Deterministic; thread-safe (writes only dst).
 */
#include "avx2_math.h"
#include "gemm_avx2.h"

#include <immintrin.h>
#include <string.h>

#define MR E4J_GEMM_MR
#define NR E4J_GEMM_NR

/* Packs op(A)[i0 .. i0+mc, p0 .. p0+kc) into ceil(mc/MR) panels of (kc x MR), zero rows past mc:
 * dst[panel*kc*MR + k*MR + r] = op(A)[i0 + panel*MR + r, p0 + k]. */
void e4j_gemm_pack_a(const gemm_job *j, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float *dst) {
    const int64_t lda = j->lda;
    for (int64_t i = 0; i < mc; i += MR, dst += kc * MR) {
        int64_t mr = mc - i < MR ? mc - i : MR;
        if (j->ta) { /* A stored (K,M): each k gives mr contiguous values */
            const float *src = j->A + p0 * lda + i0 + i;
            for (int64_t k = 0; k < kc; k++, src += lda) {
                int64_t r = 0;
                for (; r < mr; r++) dst[k * MR + r] = src[r];
                for (; r < MR; r++) dst[k * MR + r] = 0.0f;
            }
        } else { /* A stored (M,K): MR row streams; 8x8 transposes of 8 k values, rows 6..7 dropped */
            const float *row[8];
            for (int64_t r = 0; r < 8; r++) row[r] = j->A + (i0 + i + (r < mr ? r : 0)) * lda + p0;
            int64_t k = 0;
            if (mr == MR) {
                for (; k + 8 <= kc; k += 8) {
                    __m256 v[8];
                    for (int r = 0; r < MR; r++) v[r] = _mm256_loadu_ps(row[r] + k);
                    v[6] = v[7] = _mm256_setzero_ps();
                    e4j_transpose8(v);
                    /* v[kk] holds k+kk for rows 0..7; store rows 0..5 (overlapping 8-wide stores, in order) */
                    for (int kk = 0; kk < 8; kk++) {
                        float tmp[8] __attribute__((aligned(32)));
                        _mm256_store_ps(tmp, v[kk]);
                        memcpy(dst + (k + kk) * MR, tmp, MR * sizeof(float));
                    }
                }
            }
            for (; k < kc; k++) {
                int64_t r = 0;
                for (; r < mr; r++) dst[k * MR + r] = row[r][k];
                for (; r < MR; r++) dst[k * MR + r] = 0.0f;
            }
        }
    }
}

/* Packs op(B)[p0 .. p0+kc, j0 .. j0+nc) into ceil(nc/NR) panels of (kc x NR), zero columns past nc:
 * dst[panel*kc*NR + k*NR + c] = op(B)[p0 + k, j0 + panel*NR + c]. */
void e4j_gemm_pack_b(const gemm_job *j, int64_t j0, int64_t nc, int64_t p0, int64_t kc, float *dst) {
    const int64_t ldb = j->ldb;
    for (int64_t jj = 0; jj < nc; jj += NR, dst += kc * NR) {
        int64_t nr = nc - jj < NR ? nc - jj : NR;
        if (!j->tb) { /* B stored (K,N): each k gives nr contiguous values */
            const float *src = j->B + p0 * ldb + j0 + jj;
            if (nr == NR) {
                for (int64_t k = 0; k < kc; k++, src += ldb) {
                    _mm256_store_ps(dst + k * NR, _mm256_loadu_ps(src));
                    _mm256_store_ps(dst + k * NR + 8, _mm256_loadu_ps(src + 8));
                }
            } else {
                for (int64_t k = 0; k < kc; k++, src += ldb) {
                    int64_t c = 0;
                    for (; c < nr; c++) dst[k * NR + c] = src[c];
                    for (; c < NR; c++) dst[k * NR + c] = 0.0f;
                }
            }
        } else { /* B stored (N,K): NR column streams, transposed 8x8 at a time */
            const float *col = j->B + (j0 + jj) * ldb + p0;
            int64_t k = 0;
            if (nr == NR) {
                for (; k + 8 <= kc; k += 8) {
                    for (int h = 0; h < 2; h++) {
                        __m256 v[8];
                        for (int c = 0; c < 8; c++) v[c] = _mm256_loadu_ps(col + (h * 8 + c) * ldb + k);
                        e4j_transpose8(v);
                        for (int kk = 0; kk < 8; kk++) _mm256_store_ps(dst + (k + kk) * NR + h * 8, v[kk]);
                    }
                }
            }
            for (; k < kc; k++) {
                int64_t c = 0;
                for (; c < nr; c++) dst[k * NR + c] = col[c * ldb + k];
                for (; c < NR; c++) dst[k * NR + c] = 0.0f;
            }
        }
    }
}
