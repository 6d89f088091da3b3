#!/usr/bin/env python3
"""Checks the record that bench/run.sh <suite> prints on stdout (and saves in target-bench/results/).

Grammar. Every line is one of four records; nothing else may appear (suites log to stderr). Only printable
ASCII (0x20-0x7e), fields separated by one space, lines end with LF (a CR anywhere is an error).

  MACHINE cpu="<model name>" isa=<scalar|avx2|avx512> cores=<n> mem=<GiB> load=<start>/<end> jdk=<version> commit=<sha>
  RUN <suite> date=<YYYY-MM-DDTHH:MM:SSZ> command="<the command that produced this output>"
  RESULT <suite> <case> ours=<number> anchor=<number|na> ratio=<number|na> unit=<unit> [<key>=<value> ...]
  NOTE <suite> <case> n/a: <reason>

Order: MACHINE, RUN, the RESULT and NOTE lines (at least one RESULT), MACHINE. The first MACHINE line is computed
before the suite starts and has load=<start>/pending; the last repeats it with the 1-minute load average at the
end (load=<start>/<end>), every other field unchanged.

Fields:
  number      -?D+(.D+)?([eE][-+]?D+)?   (no nan, no inf, no sign on positives)
  cpu         /proc/cpuinfo's model name, printable ASCII without '"'
  isa         from the CPUID flags in /proc/cpuinfo: avx512 (avx512f), avx2 (avx2 and fma), else scalar
  cores       processors this process may use (nproc); mem: MemTotal in GiB
  jdk         the runtime version of the java on PATH (25.0.3+9-LTS); commit: short sha, -dirty with local changes
  suite       [a-z0-9-]+, the same on every line (the suite named by RUN)
  case        [A-Za-z0-9][A-Za-z0-9_.+-]*, unique within one output (RESULT and NOTE together)
  anchor      what ran in the same run on the same machine; na when no peer ran (a target is not an anchor:
              targets live in the docs)
  ratio       bigger is better: ours/anchor, or anchor/ours where less is better (time, memory); it must agree
              with the printed ours and anchor within their printed precision; na exactly when anchor is na
  unit        [A-Za-z%][A-Za-z0-9%/_.-]*  (GB/s, GFLOP/s, ms, us, %, words/s, ...)
  extras      key=value, key [a-z][a-z0-9_]*, value printable ASCII without spaces or '"'. Known keys:
                seeds=<n>, folds=<n>, threads=<n>     positive integers
                ours_std=<number>, anchor_std=<number>  sample standard deviation over seeds (or folds); they
                                                       need seeds= or folds= of at least 2, and anchor_std an anchor
              Quality over seeds is therefore "ours=<mean> anchor=<mean> ... seeds=3 ours_std=<s> anchor_std=<s>".
  reason      why a case has no figure in this mode (free text, printable ASCII); quick modes print a NOTE, not a
              RESULT, for quality that would be noise at their size.

Usage:
  check_output.py [--suite <suite>] FILE...   one "FILE:LINE: message" per error; exit 1 when a file breaks the grammar
  check_output.py --fixtures DIR              DIR/*.txt must pass; every DIR/bad/<name>.txt must fail with an error
                                              containing the text of DIR/bad/<name>.expect
"""

import re
import sys
from pathlib import Path

NUMBER = r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
SUITE = r"[a-z0-9][a-z0-9-]*"
CASE = r"[A-Za-z0-9][A-Za-z0-9_.+-]*"
MACHINE_RE = re.compile(
    r'MACHINE cpu="(?P<cpu>[ !#-~]+)" isa=(?P<isa>scalar|avx2|avx512) cores=(?P<cores>[1-9][0-9]*)'
    rf" mem=(?P<mem>{NUMBER}) load=(?P<load_start>{NUMBER})/(?P<load_end>{NUMBER}|pending)"
    r" jdk=(?P<jdk>[0-9][0-9A-Za-z.+_-]*) commit=(?P<commit>[0-9a-f]{7,40}(?:-dirty)?|na)"
)
RUN_RE = re.compile(
    rf'RUN (?P<suite>{SUITE}) date=(?P<date>[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}T[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}Z)'
    r' command="(?P<command>[ !#-~]+)"'
)
RESULT_RE = re.compile(
    rf"RESULT (?P<suite>{SUITE}) (?P<case>{CASE}) ours=(?P<ours>{NUMBER}) anchor=(?P<anchor>{NUMBER}|na)"
    rf" ratio=(?P<ratio>{NUMBER}|na) unit=(?P<unit>[A-Za-z%][A-Za-z0-9%/_.-]*)(?P<extras>(?: [^ ]+)*)"
)
NOTE_RE = re.compile(rf"NOTE (?P<suite>{SUITE}) (?P<case>{CASE}) n/a: (?P<reason>[!-~][ -~]*)")
EXTRA_RE = re.compile(r'(?P<key>[a-z][a-z0-9_]*)=(?P<value>[!#-~]+)')
COUNT_KEYS = ("seeds", "folds", "threads")
STD_KEYS = ("ours_std", "anchor_std")
RESERVED_KEYS = ("ours", "anchor", "ratio", "unit")


class Output:
    """One parsed output: the two MACHINE lines, the RUN line, RESULT and NOTE records as dicts, in order."""

    def __init__(self):
        self.machine_start = None
        self.machine_end = None
        self.run = None
        self.results = []
        self.notes = []


def _half_ulp(text):
    """Half a unit in the last printed place of a number: how far the printed value may be from the true one."""
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 0.5 * 10.0 ** (int(exponent or 0) - decimals)


def _ratio_consistent(ours, anchor, ratio):
    """Whether the printed ratio is ours/anchor or anchor/ours for some true values that print as ours and anchor."""
    o, a, r = float(ours), float(anchor), float(ratio)
    if o < 0 or a < 0:
        return True  # a signed quantity (a score that can go negative): no interval argument; the syntax still holds
    ho, ha, hr = _half_ulp(ours), _half_ulp(anchor), _half_ulp(ratio)
    slack = 1e-9
    lo_r, hi_r = r - hr - slack, r + hr + slack

    def overlaps(num_lo, num_hi, den_lo, den_hi):
        lo = num_lo / den_hi
        hi = num_hi / den_lo if den_lo > 0 else float("inf")
        return lo * (1 - slack) <= hi_r and lo_r <= hi * (1 + slack)

    o_lo, o_hi, a_lo, a_hi = max(0.0, o - ho), o + ho, max(0.0, a - ha), a + ha
    return overlaps(o_lo, o_hi, a_lo, a_hi) or overlaps(a_lo, a_hi, o_lo, o_hi)


def _check_extras(rec, text, err):
    """Parses the key=value fields after unit= into rec["extras"] and checks the known keys."""
    extras = {}
    for field in text.split():
        m = EXTRA_RE.fullmatch(field)
        if not m:
            err(f"extra field {field!r} is not key=value (key [a-z][a-z0-9_]*, value without spaces or '\"')")
            continue
        key, value = m["key"], m["value"]
        if key in extras or key in RESERVED_KEYS:
            err(f"field {key}= appears twice")
        extras[key] = value
        if key in COUNT_KEYS and not re.fullmatch(r"[1-9][0-9]*", value):
            err(f"{key}={value}: not a positive integer")
        if key in STD_KEYS and (not re.fullmatch(NUMBER, value) or value.startswith("-")):
            err(f"{key}={value}: not a non-negative number")
    if any(k in extras for k in STD_KEYS):
        n = max((int(extras[k]) for k in ("seeds", "folds") if re.fullmatch(r"[0-9]+", extras.get(k, ""))), default=0)
        if n < 2:
            err("a standard deviation needs seeds= or folds= of at least 2")
    if "anchor_std" in extras and rec["anchor"] == "na":
        err("anchor_std with anchor=na")
    rec["extras"] = extras


def _check_result(rec, err):
    if (rec["anchor"] == "na") != (rec["ratio"] == "na"):
        err(f"anchor={rec['anchor']} with ratio={rec['ratio']}: ratio is na exactly when anchor is na")
    elif rec["anchor"] != "na" and not _ratio_consistent(rec["ours"], rec["anchor"], rec["ratio"]):
        err(f"ratio={rec['ratio']} is neither ours/anchor nor anchor/ours ({rec['ours']}, {rec['anchor']})")


def parse(data, suite=None):
    """Parses one output (bytes); returns (Output, errors) with errors as (line number, message)."""
    out, errors = Output(), []
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    cases = set()
    for no, raw in enumerate(lines, 1):

        def err(msg, no=no):
            errors.append((no, msg))

        bad = next(((i, b) for i, b in enumerate(raw) if not 0x20 <= b <= 0x7E), None)
        if bad is not None:
            what = {0x0D: "carriage return", 0x09: "tab"}.get(bad[1], "not printable ASCII")
            err(f"byte 0x{bad[1]:02x} ({what}) at column {bad[0] + 1}")
            continue
        line = raw.decode("ascii")
        kind = line.split(" ", 1)[0]
        if no == 1 and kind != "MACHINE":
            err("the first line must be MACHINE (printed before the suite starts)")
        if no == 2 and kind != "RUN":
            err("the second line must be RUN")
        if kind == "MACHINE":
            m = MACHINE_RE.fullmatch(line)
            if not m:
                err("malformed MACHINE line (see the grammar in bench/check_output.py)")
            elif out.machine_start is None:
                out.machine_start = m.groupdict()
                if m["load_end"] != "pending":
                    err("the first MACHINE line must have load=<start>/pending")
            elif out.machine_end is None:
                out.machine_end = m.groupdict()
                if no != len(lines):
                    err("the closing MACHINE line must be the last line")
                if m["load_end"] == "pending":
                    err("the closing MACHINE line must carry the end load")
                changed = [k for k in m.groupdict() if k != "load_end" and m[k] != out.machine_start[k]]
                if changed:
                    err(f"the closing MACHINE line differs from the first in {', '.join(changed)}")
            else:
                err("more than two MACHINE lines")
        elif kind == "RUN":
            m = RUN_RE.fullmatch(line)
            if not m:
                err('malformed RUN line: RUN <suite> date=<UTC> command="<command>"')
            elif out.run is not None or no != 2:
                err("RUN must be the second line, once")
            else:
                out.run = m.groupdict()
                suite = suite or m["suite"]
                if m["suite"] != suite:
                    err(f"RUN names suite {m['suite']}, expected {suite}")
        elif kind in ("RESULT", "NOTE"):
            m = (RESULT_RE if kind == "RESULT" else NOTE_RE).fullmatch(line)
            if not m:
                err(
                    "malformed RESULT line: RESULT <suite> <case> ours=<number> anchor=<number|na> ratio=<number|na>"
                    " unit=<unit> [key=value ...]"
                    if kind == "RESULT"
                    else "malformed NOTE line: NOTE <suite> <case> n/a: <reason>"
                )
                continue
            rec = m.groupdict()
            if out.run is None or out.machine_end is not None:
                err(f"{kind} outside the MACHINE/RUN header and the closing MACHINE line")
            if suite is not None and rec["suite"] != suite:
                err(f"suite {rec['suite']} in an output of suite {suite}")
            if rec["case"] in cases:
                err(f"case {rec['case']} appears twice")
            cases.add(rec["case"])
            if kind == "RESULT":
                _check_extras(rec, rec.pop("extras"), err)
                _check_result(rec, err)
                out.results.append(rec)
            else:
                out.notes.append(rec)
        elif line == "":
            err("empty line")
        else:
            err(f"not a MACHINE, RUN, RESULT or NOTE line: {line[:60]!r} (logs go to stderr)")
    if not lines:
        errors.append((0, "empty output"))
        return out, errors
    if errors:
        return out, errors  # what follows would only repeat the errors above
    if out.machine_end is None:
        errors.append((len(lines), "no closing MACHINE line with the end load"))
    if not out.results:
        errors.append((len(lines), "no RESULT line"))
    return out, errors


def check_files(paths, suite=None):
    """Prints every error as FILE:LINE: message; returns the number of files with errors."""
    failed = 0
    for path in paths:
        _, errors = parse(Path(path).read_bytes(), suite)
        for no, msg in errors:
            print(f"{path}:{no}: {msg}", file=sys.stderr)
        failed += bool(errors)
    return failed


def check_fixtures(folder):
    """Good fixtures must pass, bad ones must fail with their expected message; returns the number of surprises."""
    folder = Path(folder)
    good, bad = sorted(folder.glob("*.txt")), sorted((folder / "bad").glob("*.txt"))
    if not good or not bad:
        print(f"{folder}: need fixtures in {folder}/*.txt and {folder}/bad/*.txt", file=sys.stderr)
        return 1
    surprises = check_files(good)
    for path in bad:
        expect = path.with_suffix(".expect").read_text().strip()
        _, errors = parse(path.read_bytes())
        if not any(expect in msg for _, msg in errors):
            got = "; ".join(f"{no}: {msg}" for no, msg in errors) or "no error"
            print(f"{path}: expected an error containing {expect!r}, got: {got}", file=sys.stderr)
            surprises += 1
    print(f"check_output: {len(good)} recorded outputs pass, {len(bad)} malformed ones fail as expected"
          if surprises == 0 else f"check_output: {surprises} fixture(s) misjudged", file=sys.stderr)
    return surprises


def main(argv):
    if len(argv) == 2 and argv[0] == "--fixtures":
        return 1 if check_fixtures(argv[1]) else 0
    suite = None
    if len(argv) >= 2 and argv[0] == "--suite":
        suite, argv = argv[1], argv[2:]
    if not argv or any(a.startswith("--") for a in argv):
        print(__doc__.split("Usage:")[1], file=sys.stderr)
        return 2
    return 1 if check_files(argv, suite) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
