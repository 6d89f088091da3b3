#!/usr/bin/env python3
"""The C ABI as Python reads it: the prototypes of native/include/embed4j.h and embed4j_cuda.h, parsed at run
time, so that the headers are the one description of every exported function (the Python GPU tests bind
their ctypes from here; abi_check.py checks the headers and the tests against each other).

A prototype is `E4J_API <return type> <name>(<parameters>);` outside comments and preprocessor lines. Each
parameter keeps the comment written after it (its shape, "(N,D) ..."). Plain Python, no third-party modules:
it runs on any machine, GPU or not. Pure functions; thread-safe.
"""
import ctypes
import os
import re
from dataclasses import dataclass

INCLUDE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "include"))
CPU_HEADER = os.path.join(INCLUDE, "embed4j.h")
CUDA_HEADER = os.path.join(INCLUDE, "embed4j_cuda.h")

# C scalar types of the ABI -> ctypes. Every pointer is passed as c_void_p.
SCALARS = {"int32_t": ctypes.c_int32, "int64_t": ctypes.c_int64, "uint64_t": ctypes.c_uint64,
           "float": ctypes.c_float, "double": ctypes.c_double, "e4j_status": ctypes.c_int32}


@dataclass(frozen=True)
class Param:
    ctype: str  # "const float *", "int64_t", ...
    name: str
    comment: str  # the comment written after the parameter, "" when none

    @property
    def is_pointer(self):
        return "*" in self.ctype


@dataclass(frozen=True)
class Proto:
    name: str
    restype: str  # "e4j_status", "int64_t", "const char *", ...
    params: tuple
    header: str

    @property
    def arity(self):
        return len(self.params)


def _segments(text):
    """Splits C text into ("code" | "comment", text) pieces; preprocessor lines are dropped."""
    text = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", "", text, flags=re.M)
    out, i, n = [], 0, len(text)
    while i < n:
        j = text.find("/*", i)
        k = text.find("//", i)
        if k != -1 and (j == -1 or k < j):  # a line comment (none in the headers, but harmless)
            out.append(("code", text[i:k]))
            e = text.find("\n", k)
            e = n if e == -1 else e
            out.append(("comment", text[k + 2:e]))
            i = e
            continue
        if j == -1:
            out.append(("code", text[i:]))
            break
        e = text.find("*/", j + 2)
        if e == -1:
            raise ValueError("unterminated comment")
        out.append(("code", text[i:j]))
        out.append(("comment", text[j + 2:e]))
        i = e + 2
    return out


def _split_type_name(decl):
    """'const float *W' -> ('const float *', 'W'); 'void' -> None."""
    decl = " ".join(decl.split())
    if decl in ("", "void"):
        return None
    m = re.fullmatch(r"(.*?[\s*])(\w+)", decl)
    if not m:
        raise ValueError(f"cannot read parameter {decl!r}")
    ctype = re.sub(r"\s*\*", " *", m.group(1)).strip()
    return ctype, m.group(2)


def parse(path):
    """name -> Proto for every E4J_API prototype of the header at path, in file order."""
    with open(path, encoding="utf-8") as f:
        segs = _segments(f.read())
    # one stream of (kind, char) so that comments stay attached to the code around them
    stream = [(kind, ch) for kind, txt in segs for ch in (txt if kind == "code" else [txt])]
    code = "".join(ch if kind == "code" else "\0" for kind, ch in stream)
    protos = {}
    for m in re.finditer(r"\bE4J_API\b", code):
        head_end = code.index("(", m.end())
        head = code[m.end():head_end].replace("\0", " ")
        rm = re.fullmatch(r"\s*(.*?[\s*])(\w+)\s*", head)
        if not rm:
            raise ValueError(f"{os.path.basename(path)}: cannot read the prototype at {head!r}")
        restype = re.sub(r"\s*\*", " *", " ".join(rm.group(1).split())).strip()
        name = rm.group(2)
        # the parameter list: up to the matching ')', split at top-level commas, comments kept per parameter
        depth, i, params, cur, comments = 0, head_end + 1, [], [], []
        while True:
            kind, ch = stream[i]
            if kind == "comment":
                comments.append(" ".join(ch.split()))
            elif ch == "(":
                depth += 1
                cur.append(ch)
            elif ch == ")" and depth > 0:
                depth -= 1
                cur.append(ch)
            elif ch in ",)":
                tn = _split_type_name("".join(cur))
                if tn is not None:
                    params.append(Param(tn[0], tn[1], " ".join(comments)))
                cur, comments = [], []
                if ch == ")":
                    break
            else:
                cur.append(ch)
            i += 1
        if name in protos:
            raise ValueError(f"{os.path.basename(path)}: {name} declared twice")
        protos[name] = Proto(name, restype, tuple(params), os.path.basename(path))
    return protos


def _code(path):
    with open(path, encoding="utf-8") as f:
        return "".join(t if kind == "code" else " " for kind, t in _segments(f.read()))


def parse_enum(path, name):
    """Enumerator -> value of `typedef enum <name> { ... }` in the header (explicit or implicit values)."""
    m = re.search(r"\benum\s+" + re.escape(name) + r"\s*\{(.*?)\}", _code(path), re.S)
    if not m:
        raise ValueError(f"{os.path.basename(path)}: no enum {name}")
    values, nxt = {}, 0
    for item in filter(None, (x.strip() for x in m.group(1).split(","))):
        key, _, val = (x.strip() for x in item.partition("="))
        nxt = int(val, 0) if val else nxt
        values[key] = nxt
        nxt += 1
    return values


def parse_struct(path, name):
    """(field, C type) pairs of `typedef struct <name> { ... }` in the header, in declaration order."""
    m = re.search(r"\bstruct\s+" + re.escape(name) + r"\s*\{(.*?)\}", _code(path), re.S)
    if not m:
        raise ValueError(f"{os.path.basename(path)}: no struct {name}")
    fields = []
    for decl in filter(None, (d.strip() for d in m.group(1).split(";"))):
        first, *more = (x.strip() for x in decl.split(","))
        ctype, field = _split_type_name(first)
        fields.append((field, ctype))
        fields.extend((f, ctype) for f in more)
    return fields


def struct_type(path, name):
    """A ctypes.Structure with the fields of the header's struct, for passing it by pointer."""
    return type(name, (ctypes.Structure,), {"_fields_": [(f, ctype_of(t)) for f, t in parse_struct(path, name)]})


def ctype_of(ctype):
    """The ctypes type that passes a C parameter or return value of type ctype."""
    if ctype in ("const char *", "char *"):
        return ctypes.c_char_p
    if "*" in ctype:
        return ctypes.c_void_p
    base = ctype.replace("const ", "").strip()
    if base == "void":
        return None
    if base not in SCALARS:
        raise ValueError(f"no ctypes mapping for C type {ctype!r}")
    return SCALARS[base]


def bind(lib, protos):
    """Sets argtypes and restype of every prototype on a loaded ctypes library. A function the header declares
    but the library lacks fails here, when the library is loaded, not at its first call."""
    for p in protos.values():
        try:
            f = getattr(lib, p.name)
        except AttributeError:
            raise AttributeError(f"{lib._name} does not export {p.name}, declared in {p.header}") from None
        f.argtypes = [ctypes.c_void_p if q.is_pointer else ctype_of(q.ctype) for q in p.params]
        f.restype = ctype_of(p.restype)
    return lib
