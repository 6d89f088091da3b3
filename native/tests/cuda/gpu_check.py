#!/usr/bin/env python3
"""GPU conformance and benchmarks of libembed4j_cuda (driven by ci/gpu-check.sh on a machine with a GPU).

Conformance: every CUDA kernel against the scalar C reference of libembed4j (isa level 0) on awkward sizes,
duplicates, padding and bags, plus PyTorch for PyTorch semantics (optimizers, cross-entropy); determinism
(bit-identical reruns); bad-index handling (error at the next sync, context still usable).
Benchmarks: RESULT lines against PyTorch on the same GPU in the same run.

Usage: gpu_check.py LIBDIR [--no-bench]   (LIBDIR holds libembed4j_cuda.so and libembed4j.so)
Exit status: 0 when every check passed. Not thread-safe; one process, one GPU.
"""
import sys
import time

from gpu_common import FAILS, PASSES, RESULTS, init_device, ref, report, run
from gpu_tests_embedding import (t_backward, t_bag_backward, t_bag_forward, t_gather, t_renorm, t_sort,
                                 t_sparse_dense_update, t_update)
from gpu_tests_dense import t_dense_small, t_determinism, t_errors, t_gemm, t_search, t_w2v, t_xent
from gpu_bench import b_all


def main():
    t0 = time.time()
    init_device()
    tests = [t_gather, t_bag_forward, t_sort, t_backward, t_bag_backward, t_update, t_sparse_dense_update, t_renorm,
             t_gemm, t_dense_small, t_xent, t_search, t_w2v, t_errors, t_determinism]
    for t in tests:
        if ref is None and t not in (t_errors, t_determinism, t_w2v):
            report(t.__name__, False, "C reference library not loaded")
            continue
        run(t.__name__, t)
        sys.stdout.flush()
    print(f"conformance took {time.time() - t0:.1f} s", flush=True)
    if "--no-bench" not in sys.argv:
        run("benchmarks", b_all)
    print("\n==== SUMMARY ====")
    print(f"{len(PASSES)} passed, {len(FAILS)} failed" + (": " + ", ".join(FAILS) if FAILS else ""))
    for line in RESULTS:
        print(line)
    print(f"total {time.time() - t0:.1f} s")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
