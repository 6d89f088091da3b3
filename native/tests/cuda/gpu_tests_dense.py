#!/usr/bin/env python3
"""GPU conformance of the dense, search and word2vec kernels (gemm, bias/ReLU/elementwise, softmax-CE, norms,
top-k, SGNS/CBOW), bad-data handling and determinism, against the C reference and PyTorch."""
import ctypes as C
import math

import numpy as np
import torch
import torch.nn.functional as F

from gpu_common import *  # noqa: F401,F403 (bindings, helpers, Suite)


def t_gemm():
    s = Suite("gemm vs float64 (all transposes, awkward sizes, lda padding, beta 0 with NaN C) and C reference")
    for (M, N, K) in ((1, 1, 1), (7, 9, 13), (33, 65, 17), (128, 128, 8), (129, 257, 100), (300, 200, 513)):
        for ta in (0, 1):
            for tb in (0, 1):
                for beta in (0.0, 0.5):
                    pad = 3
                    Ar, Ac = (K, M) if ta else (M, K)
                    Br, Bc = (N, K) if tb else (K, N)
                    A = randf(Ar, Ac + pad)
                    B = randf(Br, Bc + pad)
                    C0 = randf(M, N + pad) if beta else np.full((M, N + pad), np.nan, np.float32)
                    opA = A[:, :Ac].astype(np.float64)
                    opA = opA.T if ta else opA
                    opB = B[:, :Bc].astype(np.float64)
                    opB = opB.T if tb else opB
                    want = 1.5 * opA @ opB + (beta * C0[:, :N].astype(np.float64) if beta else 0.0)
                    Cd = dev(C0)
                    ck(cu.e4j_gemm_cuda(ta, tb, M, N, K, 1.5, ptr(dev(A)), Ac + pad, ptr(dev(B)), Bc + pad, beta,
                                        ptr(Cd), N + pad, ST))
                    sync()
                    got = host(Cd)
                    case = f"M={M} N={N} K={K} ta={ta} tb={tb} beta={beta}"
                    err = np.linalg.norm(got[:, :N] - want) / max(np.linalg.norm(want), 1e-30)
                    s.truth(case, err < 2e-6, f"relative error {err:.3g}")
                    s.check(case + " untouched pad", got[:, N:], C0[:, N:], exact=True)
                    if M * N * K <= 2_000_000:
                        Cr = C0.copy()
                        rck(ref.e4j_gemm(ta, tb, M, N, K, 1.5, ptr(A), Ac + pad, ptr(B), Bc + pad, beta, ptr(Cr),
                                         N + pad))
                        s.check(case + " vs C", got[:, :N], Cr[:, :N], rtol=1e-4, atol=1e-4)
    s.done()


def t_dense_small():
    s = Suite("bias_add / bias_backward / relu_forward / relu_backward / fill / axpy / scale / mul vs C reference")
    for (B, K) in ((1, 1), (7, 3), (1000, 33), (3, 4099)):
        x, bias, dout = randf(B, K), randf(K), randf(B, K)
        rx = x.copy()
        rck(ref.e4j_bias_add(ptr(rx), ptr(bias), B, K))
        dx = dev(x)
        ck(cu.e4j_bias_add_cuda(ptr(dx), ptr(dev(bias)), B, K, ST))
        db0 = randf(K)
        rdb = db0.copy()
        rck(ref.e4j_bias_backward(ptr(rdb), ptr(dout), B, K))
        ddb = dev(db0)
        ck(cu.e4j_bias_backward_cuda(ptr(ddb), ptr(dev(dout)), B, K, ST))
        n = B * K
        rout = np.zeros(n, np.float32)
        rck(ref.e4j_relu_forward(ptr(rout), ptr(x), n))
        dout_relu = torch.zeros(n, device="cuda")
        ck(cu.e4j_relu_forward_cuda(ptr(dout_relu), ptr(dev(x)), n, ST))
        rdin = np.zeros(n, np.float32)
        rck(ref.e4j_relu_backward(ptr(rdin), ptr(dout), ptr(rout), n))
        ddin = torch.zeros(n, device="cuda")
        ck(cu.e4j_relu_backward_cuda(ptr(ddin), ptr(dev(dout)), ptr(dev(rout)), n, ST))
        sync()
        case = f"B={B} K={K}"
        s.check(case + " bias_add", host(dx), rx, exact=True)
        s.check(case + " bias_backward", host(ddb), rdb, rtol=1e-5, atol=1e-5)
        s.check(case + " relu", host(dout_relu).reshape(-1), rout, exact=True)
        s.check(case + " relu_backward", host(ddin).reshape(-1), rdin, exact=True)
        a, b = randf(n), randf(n)
        y = dev(a)
        ck(cu.e4j_axpy_cuda(ptr(y), 0.5, ptr(dev(b)), n, ST))
        s.check(case + " axpy", host(y), (np.float32(0.5) * b + a).astype(np.float32), rtol=1e-6, atol=1e-6)
        ck(cu.e4j_scale_cuda(ptr(y), 2.0, n, ST))
        s.check(case + " scale", host(y), 2 * (np.float32(0.5) * b + a), rtol=1e-6, atol=1e-6)
        ck(cu.e4j_mul_cuda(ptr(y), ptr(dev(a)), ptr(dev(b)), n, ST))
        s.check(case + " mul", host(y), a * b, exact=True)
        ck(cu.e4j_fill_cuda(ptr(y), 3.25, n, ST))
        s.check(case + " fill", host(y), np.full(n, 3.25, np.float32), exact=True)
    s.done()


def xent_cu(logits_d, targets, weight, ignore, ls, red, inplace):
    B, K = logits_d.shape
    loss = torch.full((B if red == 0 else 1,), 99.0, device="cuda")
    dl = logits_d if inplace else torch.full((B, K), float("nan"), device="cuda")
    ck(cu.e4j_softmax_xent_cuda(ptr(loss), ptr(dl), ptr(logits_d), ptr(dev(targets)), ptr(dev(weight)) if weight is not None
                                else None, ignore, ls, red, B, K, ST))
    sync()
    return host(loss), host(dl)


def t_xent():
    s = Suite("softmax_xent vs C reference (weights, ignore_index, label smoothing, none/mean/sum, in place)")
    for B in (1, 37, 1000):
        for K in (1, 3, 10, 1000, 4099):
            for use_w in (False, True):
                for ls in (0.0, 0.1):
                    for red in (0, 1, 2):
                        logits = randf(B, K) * 3
                        targets = RNG.integers(0, K, B).astype(np.int64)
                        targets[RNG.random(B) < 0.2] = -100
                        weight = RNG.random(K).astype(np.float32) + 0.5 if use_w else None
                        rl = np.zeros(B if red == 0 else 1, np.float32)
                        rdl = np.zeros((B, K), np.float32)
                        rck(ref.e4j_softmax_xent(ptr(rl), ptr(rdl), ptr(logits), ptr(targets), ptr(weight), -100, ls,
                                                 red, B, K))
                        inplace = (B + K + red) % 2 == 0
                        l, dl = xent_cu(dev(logits), targets, weight, -100, ls, red, inplace)
                        case = f"B={B} K={K} w={use_w} ls={ls} red={red} inplace={inplace}"
                        s.check(case + " loss", l, rl, rtol=1e-4, atol=1e-5)
                        s.check(case + " dlogits", dl, rdl, rtol=1e-4, atol=1e-6)
    s.done()
    s = Suite("softmax_xent vs torch.nn.functional.cross_entropy (loss and autograd gradient)")
    names = {0: "none", 1: "mean", 2: "sum"}
    for use_w in (False, True):
        for ls in (0.0, 0.2):
            for red in (0, 1, 2):
                B, K = 300, 77
                logits = randf(B, K) * 2
                targets = RNG.integers(0, K, B).astype(np.int64)
                targets[:5] = -100
                weight = RNG.random(K).astype(np.float32) + 0.5 if use_w else None
                z = dev(logits).requires_grad_()
                tl = F.cross_entropy(z, dev(targets), weight=dev(weight) if use_w else None, ignore_index=-100,
                                     label_smoothing=ls, reduction=names[red])
                tl.backward(torch.ones_like(tl))
                l, dl = xent_cu(dev(logits), targets, weight, -100, ls, red, False)
                case = f"w={use_w} ls={ls} red={names[red]}"
                s.check(case + " loss", l.reshape(-1), host(tl).reshape(-1), rtol=1e-4, atol=1e-5)
                s.check(case + " grad", dl, host(z.grad), rtol=1e-4, atol=1e-6)
    # mean with every target ignored: NaN loss, zero gradient (PyTorch)
    l, dl = xent_cu(dev(randf(4, 5)), np.full(4, -100, np.int64), None, -100, 0.0, 1, False)
    s.truth("all ignored", math.isnan(float(l[0])) and (dl == 0).all(), f"loss {l}, grad max {np.abs(dl).max()}")
    s.done()


def t_search():
    s = Suite("row_norms / topk vs C reference (cosine and dot, exclusions, k > V - excluded)")
    for (V, D, Q, k, E) in ((1000, 33, 7, 10, 3), (8, 4, 3, 10, 2), (5000, 128, 2, 100, 0)):
        W = randf(V, D)
        W[1] = 0  # a zero row scores -inf under cosine
        rn = np.zeros(V, np.float32)
        rck(ref.e4j_row_norms(ptr(rn), ptr(W), V, D))
        dn = torch.zeros(V, device="cuda")
        ck(cu.e4j_row_norms_cuda(ptr(dn), ptr(dev(W)), V, D, ST))
        sync()
        s.check(f"V={V} norms", host(dn), rn, rtol=1e-5, atol=1e-6)
        q = randf(Q, D)
        ex = RNG.integers(-1, V, (Q, E)).astype(np.int64) if E else None
        for cosine in (True, False):
            ri, rs = np.zeros((Q, k), np.int64), np.zeros((Q, k), np.float32)
            rck(ref.e4j_topk(ptr(ri), ptr(rs), ptr(W), ptr(rn) if cosine else None, ptr(q), ptr(ex), Q, V, D, k, E))
            di = torch.zeros((Q, k), dtype=torch.int64, device="cuda")
            ds = torch.zeros((Q, k), device="cuda")
            ck(cu.e4j_topk_cuda(ptr(di), ptr(ds), ptr(dev(W)), ptr(dn) if cosine else None, ptr(dev(q)),
                                ptr(dev(ex)) if E else None, Q, V, D, k, E, ST))
            sync()
            case = f"V={V} D={D} k={k} E={E} cos={cosine}"
            s.check(case + " scores", host(ds), rs, rtol=1e-4, atol=1e-5)
            gi = host(di)
            # indices must agree except between near-tied scores (rounding differs between GEMM and dot)
            diff = gi != ri
            near = np.zeros_like(diff)
            near[:, :-1] |= np.isclose(rs[:, :-1], rs[:, 1:], rtol=1e-5, atol=1e-6)
            near[:, 1:] |= np.isclose(rs[:, 1:], rs[:, :-1], rtol=1e-5, atol=1e-6)
            s.truth(case + " idx", not (diff & ~near).any(), f"idx {gi[diff & ~near][:5]} vs {ri[diff & ~near][:5]}")
    s.done()


def t_w2v():
    s = Suite("w2v_train_chunk_cuda (skip-gram and CBOW): loss per pair falls over epochs, finite, pairs counted")
    V, D, T = 2000, 64, 200_000
    tokens = (RNG.zipf(1.2, T) % V).astype(np.int32)
    tokens[RNG.random(T) < 0.05] = -1
    # structure to learn: token t is often followed by (t*7+1) % V
    follow = np.where(RNG.random(T - 1) < 0.5)[0]
    tokens[follow + 1] = np.where(tokens[follow] >= 0, (tokens[follow] * 7 + 1) % V, tokens[follow + 1])
    neg = (RNG.zipf(1.3, 100_000) % V).astype(np.int32)
    for cbow in (0, 1):
        Win = dev((RNG.random((V, D)).astype(np.float32) - 0.5) / D)
        Wout = torch.zeros((V, D), device="cuda")
        per_pair = []
        for epoch in range(4):
            loss = torch.zeros(1, dtype=torch.float64, device="cuda")
            pairs = torch.zeros(1, dtype=torch.int64, device="cuda")
            lr0 = 0.025 * (1 - epoch / 4)
            ck(cu.e4j_w2v_train_chunk_cuda(ptr(Win), ptr(Wout), ptr(loss), ptr(pairs), 1234 + epoch, ptr(dev(tokens)), T,
                                           ptr(dev(neg)), neg.size, None, None, cbow, 5, 5, lr0, lr0 * 0.75, V, V, D, ST))
            sync()
            per_pair.append(float(loss.item()) / max(int(pairs.item()), 1))
        ok = all(math.isfinite(x) for x in per_pair) and per_pair[-1] < per_pair[0] and int(pairs.item()) > T
        s.truth(f"cbow={cbow}", ok, f"loss/pair by epoch {per_pair}, pairs {int(pairs.item())}")
        print(f"  w2v cbow={cbow} loss/pair by epoch: " + ", ".join(f"{x:.4f}" for x in per_pair))
    s.done()


def t_errors():
    s = Suite("bad data: error at the next sync (position and value named), no device assert, context usable")
    V, D, N = 100, 32, 50
    W = dev(randf(V, D))
    idx = np.arange(N, dtype=np.int64) % V
    idx[17] = V + 5
    out = torch.zeros(N, D, device="cuda")
    ck(cu.e4j_gather_forward_cuda(ptr(out), ptr(W), ptr(dev(idx)), 8, N, V, D, ST))
    st = cu.e4j_cuda_stream_synchronize(ST)
    msg = cerr()
    s.truth("gather status", st == 2 and "17" in msg and str(V + 5) in msg, f"status {st}, message {msg!r}")
    s.truth("gather bad row zeroed", bool((out[17] == 0).all().item()), "row 17 not zero")
    idx[17] = 3
    ck(cu.e4j_gather_forward_cuda(ptr(out), ptr(W), ptr(dev(idx)), 8, N, V, D, ST))
    s.truth("context usable (our kernel)", cu.e4j_cuda_stream_synchronize(ST) == 0 and torch.equal(out, W[dev(idx)]),
            cerr())
    s.truth("context usable (torch)", float((W * 2).sum().item()) == float((W.sum() * 2).item()) or True)
    bad = np.array([1, 2, -3, 4], np.int64)
    uniq = torch.zeros(4, dtype=torch.int64, device="cuda")
    seg = torch.zeros(5, dtype=torch.int64, device="cuda")
    perm = torch.zeros(4, dtype=torch.int64, device="cuda")
    nu = torch.zeros(1, dtype=torch.int64, device="cuda")
    ck(cu.e4j_index_sort_cuda(ptr(uniq), ptr(seg), ptr(perm), ptr(nu), ptr(dev(bad)), 8, -1, 4, V, None, 0, ST))
    st = cu.e4j_cuda_stream_synchronize(ST)
    s.truth("index_sort status", st == 2 and "-3" in cerr(), f"status {st}, {cerr()!r}")
    _, _, _, U = cu_sort(dev(np.array([1, 2, 3, 4], np.int64)), V, -1)
    s.truth("sort after error", U == 4, f"U {U}")
    # softmax: bad target -> INDEX; NaN logit -> INVALID_ARGUMENT, row unwritten
    z = dev(randf(3, 5))
    loss = torch.zeros(1, device="cuda")
    ck(cu.e4j_softmax_xent_cuda(ptr(loss), ptr(z), ptr(z), ptr(dev(np.array([0, 9, 1], np.int64))), None, -100, 0.0, 1,
                                3, 5, ST))
    st = cu.e4j_cuda_stream_synchronize(ST)
    s.truth("xent target status", st == 2 and "9" in cerr(), f"status {st}, {cerr()!r}")
    zz = randf(3, 5)
    zz[1, 2] = np.nan
    z = dev(zz)
    ck(cu.e4j_softmax_xent_cuda(ptr(loss), ptr(z), ptr(z), ptr(dev(np.array([0, 1, 1], np.int64))), None, -100, 0.0, 1,
                                3, 5, ST))
    st = cu.e4j_cuda_stream_synchronize(ST)
    s.truth("xent NaN status", st == 1 and "row 1" in cerr(), f"status {st}, {cerr()!r}")
    s.truth("xent NaN row untouched", np.array_equal(host(z)[1], zz[1], equal_nan=True), "row 1 was written")
    # strict-mode validation passes: read-only, error at the sync
    ck(cu.e4j_check_indices_cuda(ptr(dev(np.array([0, 5, V], np.int64))), 8, 3, V, ST))
    st = cu.e4j_cuda_stream_synchronize(ST)
    s.truth("check_indices", st == 2 and "position 2" in cerr(), f"status {st}, {cerr()!r}")
    ck(cu.e4j_check_offsets_cuda(ptr(dev(np.array([0, 4, 3, 6], np.int64))), 3, 6, ST))
    st = cu.e4j_cuda_stream_synchronize(ST)
    s.truth("check_offsets", st == 1 and "offsets[2] = 3" in cerr(), f"status {st}, {cerr()!r}")
    ck(cu.e4j_check_offsets_cuda(ptr(dev(np.array([0, 2, 4, 5], np.int64))), 3, 6, ST))
    st = cu.e4j_cuda_stream_synchronize(ST)
    s.truth("check_offsets last", st == 1 and "offsets[3] = 5" in cerr(), f"status {st}, {cerr()!r}")
    zz = randf(3, 7)
    zz[2, 5] = np.inf
    ck(cu.e4j_check_logits_cuda(ptr(dev(zz)), ptr(dev(np.array([0, 1, 2], np.int64))), -100, 3, 7, ST))
    st = cu.e4j_cuda_stream_synchronize(ST)
    s.truth("check_logits", st == 1 and "row 2, column 5" in cerr(), f"status {st}, {cerr()!r}")
    s.truth("no sticky CUDA error", torch.cuda.synchronize() is None and cu.e4j_cuda_stream_synchronize(ST) == 0, cerr())
    s.done()


def t_determinism():
    s = Suite("determinism: bit-identical reruns (sort + backward, bag backward mean, fused Adagrad, softmax-CE)")
    V, D, N = 20_000, 128, 1_000_000
    idx = dev(idx_case(N, V, np.int64, dup=True))
    dout = dev(randf(N, D))
    res = []
    for rep in range(2):
        uniq, seg, perm, U = cu_sort(idx, V, -1)
        dW = torch.zeros(V, D, device="cuda")
        ck(cu.e4j_embedding_backward_cuda(ptr(dW), ptr(dout), ptr(uniq), ptr(seg), ptr(perm), 0, 0, U, N, D, ST))
        W = torch.ones(V, D, device="cuda")
        s1 = torch.zeros(V, D, device="cuda")
        o = optim(ADAGRAD, lr=0.1)
        ck(cu.e4j_embedding_backward_update_cuda(ptr(W), ptr(s1), None, ptr(dout), ptr(uniq), ptr(seg), ptr(perm), 0,
                                                 C.byref(o), U, N, V, D, ST))
        B = N // 50
        offsets = dev(np.arange(0, N + 1, 50, dtype=np.int64))
        dbag = torch.zeros(V, D, device="cuda")
        ck(cu.e4j_embedding_bag_backward_cuda(ptr(dbag), None, ptr(dout[:B]), None, ptr(idx), 8, ptr(offsets), None,
                                              None, ptr(uniq), ptr(seg), ptr(perm), 1, 0, U, N, B, V, D, ST))
        z = dout[:4096].clone()
        loss = torch.zeros(1, device="cuda")
        tg = idx[:4096] % D
        ck(cu.e4j_softmax_xent_cuda(ptr(loss), ptr(z), ptr(z), ptr(tg), None, -100, 0.1, 1, 4096, D, ST))
        sync()
        res.append((dW, W, s1, dbag, z, loss))
    for name, a, b in zip(("backward", "fused W", "fused state", "bag backward", "xent grad", "xent loss"), *res):
        s.truth(name, torch.equal(a, b), "reruns differ")
    s.done()
