#!/usr/bin/env python3
"""GPU benchmarks against PyTorch on the same GPU in the same process: RESULT lines (CUDA events, median of
repeated runs after warm-up). Bandwidths count the fewest bytes each operation must move."""
import ctypes as C

import numpy as np
import torch
import torch.nn.functional as F

from gpu_common import *  # noqa: F401,F403


def bench(fn, reps=20, warm=3):
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b))
    sync()
    return float(np.median(times)) / 1e3  # seconds



def result(name, value, unit, torch_value=None, note=""):
    line = f"RESULT {name}: {value:.4g} {unit}"
    if torch_value is not None:
        line += f"  (torch {torch_value:.4g} {unit}; ratio {value / torch_value:.2f})"
    if note:
        line += f"  [{note}]"
    RESULTS.append(line)
    print(line, flush=True)


def b_all():
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    n = 1 << 28
    x = torch.randn(n, device="cuda")
    y = torch.empty_like(x)
    t = bench(lambda: y.copy_(x))
    copy_bw = 2 * n * 4 / t / 1e9
    result("device copy bandwidth (read+write)", copy_bw, "GB/s")
    del x, y

    V = 1 << 20
    for D in (128, 256):
        Nq = (1 << 21) if D == 128 else (1 << 20)
        W = torch.randn(V, D, device="cuda")
        idx = torch.randint(0, V, (Nq,), device="cuda")
        out = torch.empty(Nq, D, device="cuda")
        ours = bench(lambda: ck(cu.e4j_gather_forward_cuda(ptr(out), ptr(W), ptr(idx), 8, Nq, V, D, ST)))
        theirs = bench(lambda: F.embedding(idx, W))
        by = Nq * D * 4 * 2 + Nq * 8
        result(f"gather D={D} N={Nq} V={V}", by / ours / 1e9, "GB/s", by / theirs / 1e9,
               f"{by / ours / 1e9 / copy_bw * 100:.0f}% of copy; target >= 80%")
        del out
        bags, blen = Nq // 64, 64
        offsets = torch.arange(0, Nq + 1, blen, device="cuda")
        bout = torch.empty(bags, D, device="cuda")
        for mode, mname in ((0, "sum"), (1, "mean")):
            ours = bench(lambda: ck(cu.e4j_embedding_bag_forward_cuda(ptr(bout), None, ptr(W), ptr(idx), 8, ptr(offsets),
                                                                      None, mode, -1, Nq, bags, V, D, ST)))
            theirs = bench(lambda: F.embedding_bag(idx, W, offsets, mode=mname, include_last_offset=True))
            by = Nq * D * 4 + bags * D * 4 + Nq * 8
            result(f"embedding_bag {mname} D={D} bags={bags}x{blen}", by / ours / 1e9, "GB/s", by / theirs / 1e9,
                   f"{by / ours / 1e9 / copy_bw * 100:.0f}% of copy; target >= 80%")
        del W, idx, bout

    # backward + fused optimizer update vs torch backward + optimizer.step()
    V, D, Nq = 1 << 20, 128, 1 << 20
    idx = torch.randint(0, V, (Nq,), device="cuda")
    dout = torch.randn(Nq, D, device="cuda")
    W = torch.randn(V, D, device="cuda")
    s1 = torch.zeros(V, D, device="cuda")
    s2 = torch.zeros(V, D, device="cuda")
    uniq = torch.empty(Nq, dtype=torch.int64, device="cuda")
    seg = torch.empty(Nq + 1, dtype=torch.int64, device="cuda")
    perm = torch.empty(Nq, dtype=torch.int64, device="cuda")
    nu = torch.empty(1, dtype=torch.int64, device="cuda")

    def ours_step(kind):
        o = optim(kind, step=1, lr=0.01)

        def f():
            ck(cu.e4j_index_sort_cuda(ptr(uniq), ptr(seg), ptr(perm), ptr(nu), ptr(idx), 8, -1, Nq, V, None, 0, ST))
            ck(cu.e4j_embedding_backward_update_cuda(ptr(W), ptr(s1), ptr(s2), ptr(dout), ptr(uniq), ptr(seg), ptr(perm),
                                                     0, C.byref(o), Nq, Nq, V, D, ST))
        return f

    p = torch.nn.Parameter(torch.randn(V, D, device="cuda"))
    cases = [("SGD", SGD, torch.optim.SGD([p], lr=0.01), False, "dense grad"),
             ("SGD", SGD, torch.optim.SGD([p], lr=0.01), True, "sparse grad"),
             ("Adagrad", ADAGRAD, torch.optim.Adagrad([p], lr=0.01), True, "sparse grad"),
             ("SparseAdam", SPARSE_ADAM, torch.optim.SparseAdam([p], lr=0.01), True, "sparse grad")]
    for label, kind, topt, sparse, note in cases:
        def theirs_step():
            g = torch.ops.aten.embedding_backward(dout, idx, V, -1, False, sparse)
            p.grad = g
            topt.step()
        ours = bench(ours_step(kind), reps=10)
        theirs = bench(theirs_step, reps=10)
        result(f"backward+{label} update N={Nq} V={V} D={D}", ours * 1e3, "ms", theirs * 1e3,
               f"torch {note}; speed-up {theirs / ours:.2f}x; target >= 2x")
    ours = bench(ours_step(ROWWISE), reps=10)
    result(f"backward+row-wise Adagrad update N={Nq} V={V} D={D}", ours * 1e3, "ms")
    ours = bench(lambda: ck(cu.e4j_index_sort_cuda(ptr(uniq), ptr(seg), ptr(perm), ptr(nu), ptr(idx), 8, -1, Nq, V, None,
                                                   0, ST)), reps=10)
    result(f"index_sort N={Nq} V={V}", ours * 1e3, "ms")
    del W, s1, s2, p, dout

    # softmax cross-entropy (a classifier-sized and an LM-vocabulary-sized row)
    for B, K in ((131072, 1024), (16384, 8192), (4096, 32768)):
        z = torch.randn(B, K, device="cuda")
        tg = torch.randint(0, K, (B,), device="cuda")
        loss = torch.zeros(1, device="cuda")
        ours = bench(lambda: ck(cu.e4j_softmax_xent_cuda(ptr(loss), ptr(z), ptr(z), ptr(tg), None, -100, 0.0, 1, B, K,
                                                         ST)))
        zt = torch.randn(B, K, device="cuda", requires_grad=True)

        def torch_xent():
            F.cross_entropy(zt, tg).backward()
            zt.grad = None
        theirs = bench(torch_xent)
        by = 2 * B * K * 4
        result(f"softmax_xent fwd+bwd in place B={B} K={K}", by / ours / 1e9, "GB/s", by / theirs / 1e9,
               f"{by / ours / 1e9 / copy_bw * 100:.0f}% of copy; target >= 70%")
        del z, zt

    # GEMM 4096^3 FP32
    n = 4096
    A, Bm, Cm = torch.randn(n, n, device="cuda"), torch.randn(n, n, device="cuda"), torch.empty(n, n, device="cuda")
    ours = bench(lambda: ck(cu.e4j_gemm_cuda(0, 0, n, n, n, 1.0, ptr(A), n, ptr(Bm), n, 0.0, ptr(Cm), n, ST)), reps=10)
    theirs = bench(lambda: torch.mm(A, Bm, out=Cm), reps=10)
    fl = 2 * n ** 3
    result(f"gemm {n}^3 FP32", fl / ours / 1e12, "TFLOP/s", fl / theirs / 1e12,
           f"{theirs / ours * 100:.0f}% of torch.mm (cuBLAS, TF32 off); target >= 70%")
    ck(cu.e4j_gemm_cuda(0, 0, n, n, n, 1.0, ptr(A), n, ptr(Bm), n, 0.0, ptr(Cm), n, ST))
    sync()
    refC = torch.mm(A.double(), Bm.double())
    print(f"  gemm 4096 relative error vs float64: {float((Cm.double() - refC).norm() / refC.norm()):.3g}")
    del A, Bm, Cm, refC

    # word2vec SGNS
    V, D, T = 100_000, 128, 10_000_000
    rng = np.random.default_rng(7)
    toks = dev((rng.zipf(1.1, T) % V).astype(np.int32))
    negt = dev((rng.zipf(1.3, 1_000_000) % V).astype(np.int32))
    Win = (torch.rand(V, D, device="cuda") - 0.5) / D
    Wout = torch.zeros(V, D, device="cuda")
    lossd = torch.zeros(1, dtype=torch.float64, device="cuda")
    pairs = torch.zeros(1, dtype=torch.int64, device="cuda")
    ours = bench(lambda: ck(cu.e4j_w2v_train_chunk_cuda(ptr(Win), ptr(Wout), ptr(lossd), ptr(pairs), 99, ptr(toks), T,
                                                        ptr(negt), 1_000_000, None, None, 0, 5, 5, 0.025, 0.0001, V, V, D,
                                                        ST)), reps=3, warm=1)
    result(f"word2vec SGNS window 5 negative 5 D={D} V={V}", T / ours / 1e6, "M words/s", None, "target >= 50")
