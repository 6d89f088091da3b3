#!/usr/bin/env python3
"""Shared plumbing of the GPU check (gpu_check.py): ctypes bindings of libembed4j_cuda and of the scalar C
reference in libembed4j (isa level 0), read from the headers by abi.py; device helpers (torch tensors as device
memory on torch's stream), result bookkeeping and the Suite that folds many cases of one kernel into one PASS/FAIL
line.
The libraries are loaded from sys.argv[1] at import. Not thread-safe; one process, one GPU.
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

import abi

LIBDIR = sys.argv[1] if len(sys.argv) > 1 else "."
P, I, L, Fl, U64 = C.c_void_p, C.c_int32, C.c_int64, C.c_float, C.c_uint64


# e4j_optim and the optimizer kinds, as embed4j.h declares them.
Optim = abi.struct_type(abi.CPU_HEADER, "e4j_optim")
_KINDS = abi.parse_enum(abi.CPU_HEADER, "e4j_optim_kind")
SGD, ADAM, ADAMW, ADAGRAD = _KINDS["E4J_OPT_SGD"], _KINDS["E4J_OPT_ADAM"], _KINDS["E4J_OPT_ADAMW"], _KINDS["E4J_OPT_ADAGRAD"]
ROWWISE, SPARSE_ADAM = _KINDS["E4J_OPT_ROWWISE_ADAGRAD"], _KINDS["E4J_OPT_SPARSE_ADAM"]


# Bindings from the headers: every prototype of embed4j_cuda.h on libembed4j_cuda, every prototype of embed4j.h on
# the scalar C reference (libembed4j at isa level 0). A declared function the library lacks fails here, at load.
cu = abi.bind(C.CDLL(os.path.join(LIBDIR, "libembed4j_cuda.so")), abi.parse(abi.CUDA_HEADER))
ref = None
try:
    ref = abi.bind(C.CDLL(os.path.join(LIBDIR, "libembed4j.so")), abi.parse(abi.CPU_HEADER))
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


RESULTS = []
