#!/usr/bin/env python3
"""Checks the C ABI headers and their Python users against each other; needs no GPU and no third-party module.

  1. embed4j.h and embed4j_cuda.h parse (abi.py), and every pointer parameter carries a shape comment "(...)"
     whose names are letters of the legend of embed4j.h or parameters of the same function (the stream handle
     e4j_cuda_stream *st is the one exception: it has no shape);
  2. every call the Python GPU tests make on `cu.` (libembed4j_cuda) or `ref.` (libembed4j) names a function of
     the matching header, with as many positional arguments as the prototype has parameters;
  3. with --lib DIR (repeatable): every prototype is exported by DIR/libembed4j.so (and DIR/libembed4j_cuda.so
     when present), and every exported e4j_ symbol is declared (read with nm, so sanitizer builds work too).

Usage: abi_check.py [--lib DIR]...   Prints one line per check and a summary; exit status 1 on any failure.
"""
import ast
import glob
import os
import re
import subprocess
import sys

import abi

HERE = os.path.dirname(os.path.abspath(__file__))
# The shape letters of embed4j.h's legend; each must appear in the legend's text, so the two cannot drift apart.
LEGEND = ["N", "V", "D", "B", "K", "U", "Q", "k", "E", "n", "M", "T", "S", "R", "bytes"]
HANDLE = "e4j_cuda_stream *"


def legend_text(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"Shape legend:(.*?)\*/", text, re.S)
    if not m:
        raise SystemExit(f"{path}: no 'Shape legend:' paragraph")
    return m.group(1)


def check_shapes(protos, legend, errors):
    for p in protos.values():
        names = {q.name for q in p.params}
        for q in p.params:
            if not q.is_pointer or q.ctype == HANDLE:
                continue
            m = re.match(r"\(([^()]*(?:\([^()]*\))?[^()]*)\)", q.comment)
            if not m:
                errors.append(f"{p.header}: {p.name}: pointer parameter {q.name} has no shape comment /* (...) */")
                continue
            for word in re.findall(r"[A-Za-z_]\w*", m.group(1)):
                if word not in legend and word not in names:
                    errors.append(f"{p.header}: {p.name}: shape of {q.name} {m.group(0)!r} uses {word!r}, "
                                  "neither a legend letter nor a parameter")


def check_calls(files, libs, errors):
    """libs: {'cu': protos, 'ref': protos}. Returns the number of calls checked."""
    checked = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
        called = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    isinstance(node.func.value, ast.Name) and node.func.value.id in libs:
                called.add(id(node.func))
                lib, name = node.func.value.id, node.func.attr
                where = f"{os.path.basename(path)}:{node.lineno}"
                proto = libs[lib].get(name)
                if proto is None:
                    errors.append(f"{where}: {lib}.{name} is not declared in the header of {lib}")
                elif node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                    errors.append(f"{where}: {lib}.{name} is called with */** or keywords; arity cannot be checked")
                elif len(node.args) != proto.arity:
                    errors.append(f"{where}: {lib}.{name} called with {len(node.args)} arguments, "
                                  f"{proto.header} declares {proto.arity}")
                checked += 1
        for node in ast.walk(tree):  # attribute uses other than calls must name declared functions too
            if isinstance(node, ast.Attribute) and id(node) not in called and isinstance(node.value, ast.Name) \
                    and node.value.id in libs and node.attr.startswith("e4j_") and node.attr not in libs[node.value.id]:
                errors.append(f"{os.path.basename(path)}:{node.lineno}: {node.value.id}.{node.attr} is not declared")
    return checked


def exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.split() and line.split()[-1].startswith("e4j_")}


def check_library(lib, protos, errors):
    syms = exported(lib)
    for name in protos:
        if name not in syms:
            errors.append(f"{lib} does not export {name}, declared in {protos[name].header}")
    for name in sorted(syms - set(protos)):
        errors.append(f"{lib} exports {name}, which its header does not declare")
    return len(syms)


def main(argv):
    libdirs = [argv[i + 1] for i, a in enumerate(argv) if a == "--lib" and i + 1 < len(argv)]
    errors = []
    cpu, cuda = abi.parse(abi.CPU_HEADER), abi.parse(abi.CUDA_HEADER)
    print(f"embed4j.h: {len(cpu)} prototypes; embed4j_cuda.h: {len(cuda)} prototypes")
    text = legend_text(abi.CPU_HEADER)
    for letter in LEGEND:
        if not re.search(r"(?<![\w])" + re.escape(letter) + r"(?![\w])", text):
            errors.append(f"embed4j.h: legend letter {letter!r} is not explained in the 'Shape legend' paragraph")
    pointers = sum(q.is_pointer and q.ctype != HANDLE for p in list(cpu.values()) + list(cuda.values()) for q in p.params)
    check_shapes(cpu, set(LEGEND), errors)
    check_shapes(cuda, set(LEGEND), errors)
    print(f"shape comments: {pointers} pointer parameters checked (stream handles excluded)")
    files = sorted(glob.glob(os.path.join(HERE, "gpu_*.py")))
    n = check_calls(files, {"cu": cuda, "ref": cpu}, errors)
    print(f"python calls: {n} calls in {len(files)} files checked against the headers")
    for d in libdirs:
        for name, protos in (("libembed4j.so", cpu), ("libembed4j_cuda.so", cuda)):
            lib = os.path.join(d, name)
            if os.path.exists(lib):
                print(f"{lib}: {check_library(lib, protos, errors)} exported e4j_ symbols checked")
            elif name == "libembed4j.so":
                errors.append(f"{lib} not found")
    for e in errors:
        print("FAIL " + e)
    print("abi_check: " + ("OK" if not errors else f"{len(errors)} failures"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
