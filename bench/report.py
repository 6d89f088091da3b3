#!/usr/bin/env python3
"""Writes docs/benchmarks.md from saved bench records (bench/run.sh report calls it).

The page is the hand-written header (bench/report-header.md), then one section per record: the command, the date and
the machine it ran on (its closing MACHINE line, verbatim), a table with every RESULT line, the NOTE lines as a list,
what the suite measures (the header comment of bench/suites/<suite>.sh, so the explanation lives with the code), and
the raw record. Records that break the grammar of check_output.py are refused: the page is not written.

Usage: report.py --header FILE --suites DIR --out FILE --command TEXT [--missing "suite ..."] RECORD...
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

import check_output


def _cell(value, std):
    return f"{value} ± {std}" if std is not None else value


def _suite_comment(script):
    """The header comment of a suite script without the shebang and the comment marks, or None."""
    if not script.is_file():
        return None
    lines = []
    for line in script.read_text().split("\n")[1:]:
        if not line.startswith("#"):
            break
        lines.append(line[2:] if line.startswith("# ") else line[1:])
    return "\n".join(lines).strip() or None


def _section(path, out, suites_dir, described):
    run, machine = out.run, out.machine_end
    settings = run["command"].partition("bench/run.sh")[0].strip()
    lines = [
        f"## {run['suite']}" + (f", {settings}" if settings else ""),
        "",
        f"`{run['command']}` at {run['date']}, commit `{machine['commit']}`: {machine['cpu']} ({machine['isa']}),"
        f" {machine['cores']} cores, {machine['mem']} GiB, load {machine['load_start']} at the start and"
        f" {machine['load_end']} at the end, JDK {machine['jdk']}.",
        "",
        "```text",
        Path(path).read_text().rstrip("\n").split("\n")[-1],
        "```",
        "",
        "| case | ours | anchor | ratio | unit | more |",
        "|---|--:|--:|--:|---|---|",
    ]
    for r in out.results:
        extras = dict(r["extras"])
        ours = _cell(r["ours"], extras.pop("ours_std", None))
        anchor = _cell(r["anchor"], extras.pop("anchor_std", None))
        more = " ".join(f"{k}={v}" for k, v in extras.items())
        lines.append(f"| {r['case']} | {ours} | {anchor} | {r['ratio']} | {r['unit']} | {more} |")
    if out.notes:
        lines += ["", "Not measured in this run:", ""]
        lines += [f"- `{n['case']}`: {n['reason']}" for n in out.notes]
    comment = None if run["suite"] in described else _suite_comment(Path(suites_dir) / f"{run['suite']}.sh")
    described.add(run["suite"])
    if comment:
        lines += ["", "<details><summary>what the suite measures</summary>", "", "```text", comment, "```", ""]
        lines += ["</details>"]
    lines += [
        "",
        "<details><summary>record</summary>",
        "",
        "```text",
        Path(path).read_text().rstrip("\n"),
        "```",
        "",
        "</details>",
        "",
    ]
    return lines


def main():
    parser = argparse.ArgumentParser(description="writes docs/benchmarks.md from bench records")
    parser.add_argument("--header", required=True)
    parser.add_argument("--suites", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--missing", default="")
    parser.add_argument("records", nargs="*")
    args = parser.parse_args()

    sections, bad, described = [], 0, set()
    for path in args.records:
        out, errors = check_output.parse(Path(path).read_bytes())
        for no, msg in errors:
            print(f"{path}:{no}: {msg}", file=sys.stderr)
        if errors:
            bad += 1
        else:
            sections += _section(path, out, args.suites, described)
    if bad:
        print(f"report: {bad} record(s) break the grammar; rerun those suites ({args.out} unchanged)", file=sys.stderr)
        return 1
    text = Path(args.header).read_text().rstrip("\n").replace("@COMMAND@", args.command) + "\n\n"
    missing = args.missing.split()
    if missing:
        text += "Not run for this page: " + ", ".join(f"`{s}`" for s in missing) + ".\n\n"
    text += "\n".join(sections)
    out_path = Path(args.out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=out_path.name + ".", dir=out_path.parent)
    with os.fdopen(fd, "w") as f:
        f.write(text.rstrip("\n") + "\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, out_path)
    print(f"report: wrote {out_path} ({len(args.records)} suites, {len(missing)} not run)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
