#!/usr/bin/env python3
"""GPU conformance and benchmarks of libembed4j_cuda (driven by ci/gpu-check.sh on a machine with a GPU).

Conformance: every CUDA kernel against the scalar C reference of libembed4j (isa level 0) on awkward sizes,
duplicates, padding and bags, plus PyTorch for PyTorch semantics (optimizers, cross-entropy); determinism
(bit-identical reruns); bad-index handling (error at the next sync, context still usable).
Benchmarks: RESULT lines against PyTorch on the same GPU in the same run.

Usage: gpu_check.py LIBDIR [--quick]   (LIBDIR holds libembed4j_cuda.so and libembed4j.so)
Exit status: 0 when every check passed. Not thread-safe; one process, one GPU.
"""
import ctypes as C
import math
import os
import sys
import time
import traceback

import numpy as np
import torch
import torch.nn.functional as F

LIBDIR = sys.argv[1] if len(sys.argv) > 1 else "."
QUICK = "--quick" in sys.argv
P, I, L, Fl, U64 = C.c_void_p, C.c_int32, C.c_int64, C.c_float, C.c_uint64
CODES = {"p": P, "i": I, "l": L, "f": Fl, "u": U64}

CUDA_SPECS = {
    "e4j_cuda_device_count": "p", "e4j_cuda_device_name": "pii", "e4j_cuda_device_properties": "pi",
    "e4j_cuda_stream_wrap": "pip", "e4j_cuda_stream_create": "pi", "e4j_cuda_stream_destroy": "p",
    "e4j_cuda_stream_synchronize": "p", "e4j_cuda_runtime_version": "pp",
    "e4j_fill_cuda": "pflp", "e4j_axpy_cuda": "pfplp", "e4j_scale_cuda": "pflp", "e4j_mul_cuda": "ppplp",
    "e4j_gather_forward_cuda": "pppilll" + "p",
    "e4j_embedding_bag_forward_cuda": "ppppippilllll" + "p",
    "e4j_index_sort_cuda": "pppppilllpl" + "p",
    "e4j_embedding_backward_cuda": "pppppiilll" + "p",
    "e4j_embedding_bag_backward_cuda": "pppppippppppiilllll" + "p",
    "e4j_embedding_backward_update_cuda": "pppppppipllll" + "p",
    "e4j_sparse_rows_update_cuda": "pppppplll" + "p",
    "e4j_dense_update_cuda": "pppppl" + "p",
    "e4j_embedding_renorm_cuda": "ppfflll" + "p",
    "e4j_gemm_cuda": "iilllfplplfpl" + "p",
    "e4j_bias_add_cuda": "ppll" + "p", "e4j_bias_backward_cuda": "ppll" + "p",
    "e4j_relu_forward_cuda": "ppl" + "p", "e4j_relu_backward_cuda": "pppl" + "p",
    "e4j_softmax_xent_cuda": "ppppplfill" + "p",
    "e4j_row_norms_cuda": "ppll" + "p", "e4j_topk_cuda": "pppppplllll" + "p",
    "e4j_w2v_train_chunk_cuda": "ppppu" + "pl" + "pl" + "pp" + "iii" + "ff" + "lll" + "p",
}
REF_SPECS = {k[:-5]: v[:-1] for k, v in CUDA_SPECS.items() if k.endswith("_cuda") and not k.startswith("e4j_cuda")}
for k in ("e4j_fill", "e4j_axpy", "e4j_scale", "e4j_mul", "e4j_w2v_train_chunk"):
    REF_SPECS.pop(k, None)
REF_SPECS["e4j_set_isa_level"] = "i"


class Optim(C.Structure):
    _fields_ = [("kind", I), ("nesterov", I), ("step", L), ("lr", Fl), ("momentum", Fl), ("dampening", Fl),
                ("weight_decay", Fl), ("beta1", Fl), ("beta2", Fl), ("eps", Fl), ("first_step", I), ("maximize", I)]


SGD, ADAM, ADAMW, ADAGRAD, ROWWISE, SPARSE_ADAM = range(6)


def bind(lib, specs, err_fn):
    for name, spec in specs.items():
        f = getattr(lib, name)
        f.argtypes = [CODES[c] for c in spec]
        f.restype = I
    getattr(lib, err_fn).restype = C.c_char_p
    getattr(lib, err_fn).argtypes = []


cu = C.CDLL(os.path.join(LIBDIR, "libembed4j_cuda.so"))
bind(cu, CUDA_SPECS, "e4j_cuda_last_error")
cu.e4j_index_sort_workspace_bytes_cuda.restype = L
cu.e4j_index_sort_workspace_bytes_cuda.argtypes = [L, L]
ref = None
try:
    ref = C.CDLL(os.path.join(LIBDIR, "libembed4j.so"))
    bind(ref, REF_SPECS, "e4j_last_error")
    ref.e4j_index_sort_workspace_bytes.restype = L
    ref.e4j_index_sort_workspace_bytes.argtypes = [L, L]
    assert ref.e4j_set_isa_level(0) == 0, "scalar level"
except Exception as e:  # the CUDA checks still run against PyTorch
    print("NOTE C reference unavailable:", e)
    ref = None

FAILS, PASSES, LOG = [], [], []


def report(name, ok, detail=""):
    (PASSES if ok else FAILS).append(name)
    print(("PASS " if ok else "FAIL ") + name + ("  " + detail if detail else ""), flush=True)


def cerr():
    return cu.e4j_cuda_last_error().decode()


class CudaError(Exception):
    def __init__(self, status, msg):
        super().__init__(f"status {status}: {msg}")
        self.status = status


def ck(status):
    if status != 0:
        raise CudaError(status, cerr())


def rck(status):
    if status != 0:
        raise RuntimeError(f"C reference status {status}: {ref.e4j_last_error().decode()}")


def ptr(t):
    if t is None:
        return None
    if isinstance(t, np.ndarray):
        return t.ctypes.data_as(P)
    return P(t.data_ptr())


KEEP = []  # temporaries passed to kernels stay alive until the next sync (the caching allocator would reuse them)


def dev(a):
    t = torch.from_numpy(np.ascontiguousarray(a)).cuda()
    KEEP.append(t)
    return t


def host(t):
    torch.cuda.synchronize()
    return t.detach().cpu().numpy()


ST = P()


def init_device():
    count = I(0)
    ck(cu.e4j_cuda_device_count(C.byref(count)))
    if count.value == 0:
        raise SystemExit("no CUDA device: " + cerr())
    name_buf = C.create_string_buffer(256)
    ck(cu.e4j_cuda_device_name(name_buf, 256, 0))
    props = (L * 8)()
    ck(cu.e4j_cuda_device_properties(props, 0))
    rt, drv = I(0), I(0)
    cu.e4j_cuda_runtime_version(C.byref(rt), C.byref(drv))
    print(f"device: {count.value} x {name_buf.value.decode()} cc {props[0]}.{props[1]}, {props[2]} SMs, "
          f"{props[3] / 2**30:.0f} GiB, L2 {props[4] / 2**20:.0f} MiB; cudart {rt.value}, driver {drv.value}; "
          f"torch {torch.__version__}")
    ck(cu.e4j_cuda_stream_wrap(C.byref(ST), 0, P(torch.cuda.current_stream().cuda_stream)))


def sync():
    ck(cu.e4j_cuda_stream_synchronize(ST))
    KEEP.clear()


def close(name, got, want, rtol=1e-5, atol=1e-6, exact=False):
    got = np.asarray(got)
    want = np.asarray(want)
    if got.shape != want.shape:
        report(name, False, f"shape {got.shape} != {want.shape}")
        return False
    if exact:
        bad = ~((got == want) | (np.isnan(got) & np.isnan(want)) if got.dtype.kind == "f" else (got == want))
    else:
        g, w = got.astype(np.float64), want.astype(np.float64)
        bad = ~((np.abs(g - w) <= atol + rtol * np.abs(w)) | (np.isnan(g) & np.isnan(w)))
    if bad.any():
        pos = np.argwhere(bad)[:5]
        det = "; ".join(f"{tuple(p)}: got {got[tuple(p)]!r} want {want[tuple(p)]!r}" for p in pos)
        report(name, False, f"{int(bad.sum())} mismatches, first: {det}")
        return False
    report(name, True)
    return True


RNG = np.random.default_rng(1234)


def randf(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def run(name, fn):
    try:
        fn()
    except Exception:
        report(name, False, "exception:\n" + traceback.format_exc())


# ------------------------------------------------------------------------------------------ reference helpers

def ref_sort(idx, V, pad):
    N = idx.size
    it = 4 if idx.dtype == np.int32 else 8
    uniq, seg, perm = np.zeros(max(N, 1), np.int64), np.zeros(N + 1, np.int64), np.zeros(max(N, 1), np.int64)
    nu = np.zeros(1, np.int64)
    wsb = ref.e4j_index_sort_workspace_bytes(N, V)
    ws = np.zeros(max(wsb // 8 + 1, 1), np.int64)
    rck(ref.e4j_index_sort(ptr(uniq), ptr(seg), ptr(perm), ptr(nu), ptr(idx), it, pad, N, V, ptr(ws), wsb))
    return uniq, seg, perm, int(nu[0])


def cu_sort(idx_d, V, pad, upper=False):
    N = idx_d.numel()
    it = 4 if idx_d.dtype == torch.int32 else 8
    uniq = torch.empty(max(N, 1), dtype=torch.int64, device="cuda")
    seg = torch.empty(N + 1, dtype=torch.int64, device="cuda")
    perm = torch.empty(max(N, 1), dtype=torch.int64, device="cuda")
    nu = torch.empty(1, dtype=torch.int64, device="cuda")
    ck(cu.e4j_index_sort_cuda(ptr(uniq), ptr(seg), ptr(perm), ptr(nu), ptr(idx_d), it, pad, N, V, None, 0, ST))
    sync()
    return uniq, seg, perm, (N if upper else int(nu.item()))


def optim(kind, step=1, lr=0.1, momentum=0.0, dampening=0.0, wd=0.0, b1=0.9, b2=0.999, eps=1e-8, nesterov=0,
          first=0, maximize=0):
    return Optim(kind, nesterov, step, lr, momentum, dampening, wd, b1, b2, eps, first, maximize)


def idx_case(N, V, dtype, dup=False):
    if dup:
        a = RNG.zipf(1.3, N) % V
    else:
        a = RNG.integers(0, V, N)
    return a.astype(dtype)


SIZES_D = [1, 3, 4, 7, 8, 31, 32, 33, 100, 128, 257]


class Suite:
    """Aggregates many cases of one kernel into one PASS/FAIL line naming the first failing case."""

    def __init__(self, name):
        self.name, self.n, self.fail = name, 0, None

    def check(self, case, got, want, rtol=1e-5, atol=1e-6, exact=False):
        self.n += 1
        got, want = np.asarray(got), np.asarray(want)
        if got.shape != want.shape:
            det = f"shape {got.shape} != {want.shape}"
        else:
            if exact:
                eq = got == want
                if got.dtype.kind == "f":
                    eq |= np.isnan(got) & np.isnan(want)
            else:
                g, w = got.astype(np.float64), want.astype(np.float64)
                with np.errstate(invalid="ignore"):
                    eq = (g == w) | (np.abs(g - w) <= atol + rtol * np.abs(w)) | (np.isnan(g) & np.isnan(w))
            if eq.all():
                return True
            pos = np.argwhere(~eq)[:4]
            det = f"{int((~eq).sum())} mismatches, first " + "; ".join(
                f"{tuple(int(x) for x in p)}: got {got[tuple(p)]!r} want {want[tuple(p)]!r}" for p in pos)
        if self.fail is None:
            self.fail = f"[{case}] {det}"
        return False

    def truth(self, case, ok, det=""):
        self.n += 1
        if not ok and self.fail is None:
            self.fail = f"[{case}] {det}"

    def done(self):
        report(self.name, self.fail is None, f"{self.n} checks" + ("" if self.fail is None else "; " + self.fail))


def t_gather():
    s = Suite("gather_forward vs C reference (bit-exact; int32/int64; aligned and misaligned)")
    V = 1000
    for D in SIZES_D:
        for N in (1, 17, 4099):
            for dt in (np.int32, np.int64):
                W, idx = randf(V, D), idx_case(N, V, dt)
                want = np.zeros((N, D), np.float32)
                rck(ref.e4j_gather_forward(ptr(want), ptr(W), ptr(idx), idx.itemsize, N, V, D))
                for misalign in (0, 1):
                    big = torch.empty(V * D + 1, device="cuda")
                    Wd = big[misalign:misalign + V * D].view(V, D)
                    Wd.copy_(dev(W))
                    out = torch.full((N, D), float("nan"), device="cuda")
                    ck(cu.e4j_gather_forward_cuda(ptr(out), ptr(Wd), ptr(dev(idx)), idx.itemsize, N, V, D, ST))
                    sync()
                    s.check(f"N={N} D={D} {dt.__name__} mis={misalign}", host(out), want, exact=True)
    s.done()


def bag_case(B, V, pad, maxlen=9):
    lens = RNG.integers(0, maxlen + 1, B)
    lens[0] = 0  # an empty bag
    offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    N = int(offsets[-1])
    idx = RNG.integers(0, V, N).astype(np.int64)
    if pad >= 0 and N > 0:
        idx[RNG.random(N) < 0.2] = pad
        # a bag made only of padding
        if B > 2 and lens[2] > 0:
            idx[offsets[2]:offsets[3]] = pad
    return idx, offsets, N


def t_bag_forward():
    s = Suite("embedding_bag_forward vs C reference (sum/mean/max, psw, padding, empty bags)")
    V, B = 50, 37
    for mode in (0, 1, 2):
        for D in (1, 4, 7, 33, 128):
            for use_psw in ((False, True) if mode == 0 else (False,)):
                for pad in (-1, 3):
                    for dt in (np.int64, np.int32):
                        idx, offsets, N = bag_case(B, V, pad)
                        idx = idx.astype(dt)
                        W = randf(V, D)
                        psw = randf(N) if use_psw else None
                        out = np.zeros((B, D), np.float32)
                        am = np.zeros((B, D), np.int64) if mode == 2 else None
                        rck(ref.e4j_embedding_bag_forward(ptr(out), ptr(am), ptr(W), ptr(idx), idx.itemsize,
                                                          ptr(offsets), ptr(psw), mode, pad, N, B, V, D))
                        outd = torch.full((B, D), float("nan"), device="cuda")
                        amd = torch.full((B, D), -7, dtype=torch.int64, device="cuda") if mode == 2 else None
                        pswd = dev(psw) if use_psw else None
                        ck(cu.e4j_embedding_bag_forward_cuda(ptr(outd), ptr(amd), ptr(dev(W)), ptr(dev(idx)),
                                                             idx.itemsize, ptr(dev(offsets)), ptr(pswd), mode, pad,
                                                             N, B, V, D, ST))
                        sync()
                        case = f"mode={mode} D={D} psw={use_psw} pad={pad} {dt.__name__}"
                        s.check(case, host(outd), out, rtol=1e-5, atol=1e-6)
                        if mode == 2:
                            s.check(case + " argmax", host(amd), am, exact=True)
    s.done()
    # PyTorch semantics on one case
    s = Suite("embedding_bag_forward vs torch.nn.functional.embedding_bag")
    V, B, D = 50, 37, 16
    for mode, mname in ((0, "sum"), (1, "mean"), (2, "max")):
        idx, offsets, N = bag_case(B, V, 3)
        W = randf(V, D)
        want = F.embedding_bag(dev(idx), dev(W), dev(offsets), mode=mname, include_last_offset=True,
                               padding_idx=3)
        outd = torch.zeros((B, D), device="cuda")
        amd = torch.zeros((B, D), dtype=torch.int64, device="cuda")
        ck(cu.e4j_embedding_bag_forward_cuda(ptr(outd), ptr(amd) if mode == 2 else None, ptr(dev(W)), ptr(dev(idx)),
                                             8, ptr(dev(offsets)), None, mode, 3, N, B, V, D, ST))
        sync()
        s.check(mname, host(outd), host(want), rtol=1e-5, atol=1e-6)
    s.done()


def t_sort():
    s = Suite("index_sort vs C reference (exact; padding dropped; U=N padding of uniq/seg/perm)")
    for N in (0, 1, 7, 1000, 100000):
        for V in (1, 5, 1000, 1 << 20):
            for pad in (-1, 0, V - 1):
                for dt in (np.int64, np.int32):
                    idx = idx_case(N, V, dt, dup=True)
                    wu, wseg, wperm, wU = ref_sort(idx, V, pad)
                    uniq, seg, perm, U = cu_sort(dev(idx), V, pad)
                    case = f"N={N} V={V} pad={pad} {dt.__name__}"
                    s.truth(case + " U", U == wU, f"U {U} != {wU}")
                    if U != wU:
                        continue
                    s.check(case + " uniq", host(uniq)[:U], wu[:U], exact=True)
                    s.check(case + " seg", host(seg)[:U + 1], wseg[:U + 1], exact=True)
                    s.check(case + " perm", host(perm)[:N], wperm[:N], exact=True)
                    s.truth(case + " pad", (host(uniq)[U:N] == -1).all() and (host(seg)[U + 1:] == wseg[U]).all(),
                            "uniq/seg not padded past U")
    s.done()


def t_backward():
    s = Suite("embedding_backward vs C reference (dense/compact, scale_grad_by_freq, padding, U=N bound)")
    V = 300
    for N in (1, 1000, 5000):
        for D in (1, 5, 32, 128, 130):
            for sgbf in (0, 1):
                for compact in (0, 1):
                    for pad in (-1, 7):
                        idx = idx_case(N, V, np.int64, dup=True)
                        wu, wseg, wperm, wU = ref_sort(idx, V, pad)
                        dout = randf(N, D)
                        dW0 = randf(wU if compact else V, D)
                        want = dW0.copy()
                        rck(ref.e4j_embedding_backward(ptr(want), ptr(dout), ptr(wu), ptr(wseg), ptr(wperm), sgbf,
                                                       compact, wU, N, D))
                        for upper in ((False, True) if not compact else (False,)):
                            uniq, seg, perm, U = cu_sort(dev(idx), V, pad, upper=upper)
                            dW = dev(dW0)
                            ck(cu.e4j_embedding_backward_cuda(ptr(dW), ptr(dev(dout)), ptr(uniq), ptr(seg), ptr(perm),
                                                              sgbf, compact, U, N, D, ST))
                            sync()
                            s.check(f"N={N} D={D} freq={sgbf} compact={compact} pad={pad} upper={upper}", host(dW),
                                    want, rtol=1e-5, atol=1e-5)
    s.done()
    s = Suite("embedding_backward vs torch autograd (padding_idx, scale_grad_by_freq)")
    for sgbf in (False, True):
        V, N, D = 200, 3000, 64
        idx = idx_case(N, V, np.int64, dup=True)
        W = dev(randf(V, D)).requires_grad_()
        dout = dev(randf(N, D))
        F.embedding(dev(idx), W, padding_idx=5, scale_grad_by_freq=sgbf).backward(dout)
        uniq, seg, perm, U = cu_sort(dev(idx), V, 5)
        dW = torch.zeros(V, D, device="cuda")
        ck(cu.e4j_embedding_backward_cuda(ptr(dW), ptr(dout), ptr(uniq), ptr(seg), ptr(perm), int(sgbf), 0, U, N, D, ST))
        sync()
        s.check(f"freq={sgbf}", host(dW), host(W.grad), rtol=1e-5, atol=1e-5)
    s.done()


def t_bag_backward():
    s = Suite("embedding_bag_backward vs C reference (sum/mean/max, psw + dpsw, padding, compact)")
    V, B = 60, 41
    for mode in (0, 1, 2):
        for D in (1, 4, 33, 128):
            for use_psw in ((False, True) if mode == 0 else (False,)):
                for pad in (-1, 3):
                    for compact in (0, 1):
                        idx, offsets, N = bag_case(B, V, pad, maxlen=12)
                        W = randf(V, D)
                        psw = randf(N) if use_psw else None
                        am = None
                        if mode == 2:
                            out = np.zeros((B, D), np.float32)
                            am = np.zeros((B, D), np.int64)
                            rck(ref.e4j_embedding_bag_forward(ptr(out), ptr(am), ptr(W), ptr(idx), 8, ptr(offsets),
                                                              None, 2, pad, N, B, V, D))
                        wu, wseg, wperm, wU = ref_sort(idx, V, pad)
                        dout = randf(B, D)
                        dW0 = randf(wU if compact else V, D)
                        want = dW0.copy()
                        wdpsw = np.full(N, 5.0, np.float32) if use_psw else None
                        rck(ref.e4j_embedding_bag_backward(ptr(want), ptr(wdpsw), ptr(dout), ptr(W), ptr(idx), 8,
                                                           ptr(offsets), ptr(psw), ptr(am), ptr(wu), ptr(wseg),
                                                           ptr(wperm), mode, compact, wU, N, B, V, D))
                        uniq, seg, perm, U = cu_sort(dev(idx), V, pad)
                        dW = dev(dW0)
                        dpsw = torch.full((N,), 7.0, device="cuda") if use_psw else None
                        ck(cu.e4j_embedding_bag_backward_cuda(ptr(dW), ptr(dpsw), ptr(dev(dout)), ptr(dev(W)),
                                                              ptr(dev(idx)), 8, ptr(dev(offsets)),
                                                              ptr(dev(psw)) if use_psw else None,
                                                              ptr(dev(am)) if mode == 2 else None, ptr(uniq), ptr(seg),
                                                              ptr(perm), mode, compact, U, N, B, V, D, ST))
                        sync()
                        case = f"mode={mode} D={D} psw={use_psw} pad={pad} compact={compact}"
                        s.check(case, host(dW), want, rtol=1e-5, atol=1e-5)
                        if use_psw:
                            s.check(case + " dpsw", host(dpsw), wdpsw, rtol=1e-4, atol=1e-5)
    s.done()


def opt_states(kind, V, D):
    s1 = s2 = None
    if kind == ROWWISE:
        s1 = RNG.random(V).astype(np.float32)
    elif kind == ADAGRAD:
        s1 = RNG.random((V, D)).astype(np.float32)
    elif kind in (SPARSE_ADAM, ADAM, ADAMW):
        s1 = randf(V, D) * 0.1
        s2 = RNG.random((V, D)).astype(np.float32) * 0.1
    return s1, s2


def t_update():
    s = Suite("embedding_backward_update (fused) vs C reference (SGD, Adagrad, row-wise Adagrad, SparseAdam; 3 steps)")
    V = 200
    for kind in (SGD, ADAGRAD, ROWWISE, SPARSE_ADAM):
        for D in (1, 7, 64, 130):
            for sgbf in (0, 1):
                for wd, maxim in ((0.0, 0), (0.01, 1)):
                    if kind == SPARSE_ADAM and wd:
                        wd = 0.0
                    W = randf(V, D)
                    s1, s2 = opt_states(kind, V, D)
                    rW, r1, r2 = W.copy(), None if s1 is None else s1.copy(), None if s2 is None else s2.copy()
                    dW, d1, d2 = dev(W), None if s1 is None else dev(s1), None if s2 is None else dev(s2)
                    for step in (1, 2, 3):
                        N = 900
                        idx = idx_case(N, V, np.int64, dup=True)
                        dout = randf(N, D)
                        o = optim(kind, step=step, lr=0.05, wd=wd, maximize=maxim, eps=1e-6)
                        wu, wseg, wperm, wU = ref_sort(idx, V, 4)
                        rck(ref.e4j_embedding_backward_update(ptr(rW), ptr(r1), ptr(r2), ptr(dout), ptr(wu), ptr(wseg),
                                                              ptr(wperm), sgbf, C.byref(o), wU, N, V, D))
                        uniq, seg, perm, U = cu_sort(dev(idx), V, 4, upper=(step == 2))
                        ck(cu.e4j_embedding_backward_update_cuda(ptr(dW), ptr(d1), ptr(d2), ptr(dev(dout)), ptr(uniq),
                                                                 ptr(seg), ptr(perm), sgbf, C.byref(o), U, N, V, D, ST))
                        sync()
                    case = f"kind={kind} D={D} freq={sgbf} wd={wd} max={maxim}"
                    s.check(case + " W", host(dW), rW, rtol=1e-4, atol=1e-5)
                    if s1 is not None:
                        s.check(case + " state1", host(d1), r1, rtol=1e-4, atol=1e-6)
                    if s2 is not None:
                        s.check(case + " state2", host(d2), r2, rtol=1e-4, atol=1e-6)
    s.done()
    # PyTorch semantics: SparseAdam and Adagrad on sparse gradients, SGD on the dense gradient.
    s = Suite("embedding_backward_update vs torch.optim (SparseAdam, Adagrad sparse, SGD)")
    V, D, N = 300, 32, 2000
    for kind in (SPARSE_ADAM, ADAGRAD, SGD):
        W0 = randf(V, D)
        Wt = torch.nn.Parameter(dev(W0))
        if kind == SPARSE_ADAM:
            opt = torch.optim.SparseAdam([Wt], lr=0.01)
        elif kind == ADAGRAD:
            opt = torch.optim.Adagrad([Wt], lr=0.05, eps=1e-10)
        else:
            opt = torch.optim.SGD([Wt], lr=0.05)
        dW = dev(W0)
        s1 = torch.zeros(V, D, device="cuda") if kind != SGD else None
        s2 = torch.zeros(V, D, device="cuda") if kind == SPARSE_ADAM else None
        for step in (1, 2, 3):
            idx = dev(idx_case(N, V, np.int64, dup=True))
            dout = dev(randf(N, D))
            opt.zero_grad()
            F.embedding(idx, Wt, sparse=kind != SGD).backward(dout)
            opt.step()
            o = optim(kind, step=step, lr=0.01 if kind == SPARSE_ADAM else 0.05, eps=1e-8 if kind == SPARSE_ADAM else 1e-10)
            uniq, seg, perm, U = cu_sort(idx, V, -1)
            ck(cu.e4j_embedding_backward_update_cuda(ptr(dW), ptr(s1), ptr(s2), ptr(dout), ptr(uniq), ptr(seg),
                                                     ptr(perm), 0, C.byref(o), U, N, V, D, ST))
            sync()
        s.check(f"kind={kind}", host(dW), host(Wt), rtol=1e-4, atol=1e-5)
    s.done()


def t_sparse_dense_update():
    s = Suite("sparse_rows_update vs C reference")
    V = 100
    for kind in (SGD, ADAGRAD, ROWWISE, SPARSE_ADAM):
        for D in (1, 33, 128):
            uniq = np.sort(RNG.choice(V, 40, replace=False)).astype(np.int64)
            U = uniq.size
            W = randf(V, D)
            s1, s2 = opt_states(kind, V, D)
            g = randf(U, D)
            o = optim(kind, step=3, lr=0.05, eps=1e-6)
            rW, r1, r2 = W.copy(), None if s1 is None else s1.copy(), None if s2 is None else s2.copy()
            rck(ref.e4j_sparse_rows_update(ptr(rW), ptr(r1), ptr(r2), ptr(g), ptr(uniq), C.byref(o), U, V, D))
            dW, d1, d2 = dev(W), None if s1 is None else dev(s1), None if s2 is None else dev(s2)
            ck(cu.e4j_sparse_rows_update_cuda(ptr(dW), ptr(d1), ptr(d2), ptr(dev(g)), ptr(dev(uniq)), C.byref(o), U, V, D,
                                              ST))
            sync()
            s.check(f"kind={kind} D={D}", host(dW), rW, rtol=1e-4, atol=1e-6)
            if s1 is not None:
                s.check(f"kind={kind} D={D} s1", host(d1), r1, rtol=1e-4, atol=1e-6)
    s.done()
    s = Suite("dense_update vs C reference and torch.optim (SGD momentum/nesterov/wd, Adam, AdamW, Adagrad; 3 steps)")
    n = 1003
    configs = [("sgd", SGD, dict(lr=0.1)), ("sgd-mom", SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, wd=0.01)),
               ("sgd-nesterov", SGD, dict(lr=0.1, momentum=0.9, nesterov=1, maximize=1)),
               ("adam", ADAM, dict(lr=0.01, wd=0.01)), ("adamw", ADAMW, dict(lr=0.01, wd=0.1)),
               ("adagrad", ADAGRAD, dict(lr=0.05, eps=1e-10, wd=0.01))]
    for label, kind, kw in configs:
        W = randf(n)
        rW, dW = W.copy(), dev(W)
        need1 = kind != SGD or kw.get("momentum", 0) != 0
        r1 = np.zeros(n, np.float32) if need1 else None
        r2 = np.zeros(n, np.float32) if kind in (ADAM, ADAMW) else None
        d1 = None if r1 is None else dev(r1)
        d2 = None if r2 is None else dev(r2)
        p = torch.nn.Parameter(dev(W))
        if kind == SGD:
            topt = torch.optim.SGD([p], lr=kw["lr"], momentum=kw.get("momentum", 0), dampening=kw.get("dampening", 0),
                                   weight_decay=kw.get("wd", 0), nesterov=bool(kw.get("nesterov", 0)),
                                   maximize=bool(kw.get("maximize", 0)))
        elif kind == ADAM:
            topt = torch.optim.Adam([p], lr=kw["lr"], weight_decay=kw["wd"])
        elif kind == ADAMW:
            topt = torch.optim.AdamW([p], lr=kw["lr"], weight_decay=kw["wd"])
        else:
            topt = torch.optim.Adagrad([p], lr=kw["lr"], eps=kw["eps"], weight_decay=kw["wd"])
        for step in (1, 2, 3):
            g = randf(n)
            o = optim(kind, step=step, first=int(step == 1), **kw)
            rck(ref.e4j_dense_update(ptr(rW), ptr(r1), ptr(r2), ptr(g), C.byref(o), n))
            ck(cu.e4j_dense_update_cuda(ptr(dW), ptr(d1), ptr(d2), ptr(dev(g)), C.byref(o), n, ST))
            p.grad = dev(g)
            topt.step()
        sync()
        s.check(label + " vs C", host(dW), rW, rtol=1e-5, atol=1e-6)
        s.check(label + " vs torch", host(dW), host(p), rtol=1e-5, atol=1e-6)
    s.done()


def t_renorm():
    s = Suite("embedding_renorm vs C reference and torch.embedding_renorm_")
    V = 100
    for D in (1, 7, 64, 200):
        for p in (1.0, 2.0, 3.5):
            W = randf(V, D) * 2
            idx = idx_case(300, V, np.int64, dup=True)
            wu, _, _, wU = ref_sort(idx, V, -1)
            rW = W.copy()
            rck(ref.e4j_embedding_renorm(ptr(rW), ptr(wu), 1.0, p, wU, V, D))
            dW = dev(W)
            uniq, _, _, U = cu_sort(dev(idx), V, -1, upper=True)
            ck(cu.e4j_embedding_renorm_cuda(ptr(dW), ptr(uniq), 1.0, p, U, V, D, ST))
            sync()
            s.check(f"D={D} p={p} vs C", host(dW), rW, rtol=1e-5, atol=1e-6)
            # torch's CPU kernel: its CUDA kernel raises negative entries to non-integer p without abs (NaN norm)
            tW = torch.from_numpy(W.copy())
            torch.embedding_renorm_(tW, torch.from_numpy(idx), 1.0, p)
            s.check(f"D={D} p={p} vs torch (CPU)", host(dW), tW.numpy(), rtol=1e-5, atol=1e-6)
    s.done()


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


# ------------------------------------------------------------------------------------------ benchmarks

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


RESULTS = []


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
