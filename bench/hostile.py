"""Hostile-input benchmark: the worst time and peak memory of ``symbn check`` over hostile documents.

    python bench/hostile.py [--timeout S] [--total-timeout S] [--only NAME …] [--json]

Each case is a document (and sometimes a sidecar) built to make a checker work without end: power
towers, exponents and sum bounds of 10^100, 5,000-deep nesting, 100,000-digit numbers, a sidecar
100,000 arrays deep, thousands of equations, hundreds of slow 14 KB lines, a 3.9 MB file. Every
case runs as its own process group under ``/usr/bin/time -v``; the report gives each case's exit
code, wall time and peak resident memory, whether any process of the group outlived ``symbn``, and
the worst time and memory over the corpus. It fails (exit 1) when a case ends in a traceback, with
an exit code other than 0, 1 or 2, or leaves a process running.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from speed import ENV, SYMBN, machine

BACKSTOP = 900.0  # seconds of wall time before a case is declared hung and its group killed


def _doc(*rows: str) -> str:
    return "# Hostile\n\n" + "\n\n".join(f"$${row}$$" for row in rows) + "\n"


def _slow_line(k: int) -> str:
    terms = " + ".join(f"x^{{{j}}} y^{{{k % 7 + j % 5}}}" for j in range(1, 200))
    return f"({terms})^{{3}} = ({terms})^{{2}} ({terms}) + {k} \\tag{{{k}}}"


CASES: dict[str, Callable[[], dict[str, str]]] = {
    "power tower of a definition": lambda: {
        "doc.md": _doc("c := 3", "((c^{1000})^{1000})^{1000} = 0")
    },
    "exponent 10^100": lambda: {"doc.md": _doc("x^{10^{100}} = x \\cdot x^{10^{100} - 1}")},
    "exponent 999 of a sum": lambda: {"doc.md": _doc("(x + y + 1)^{999} = (1 + y + x)^{999}")},
    "sum to 10^100": lambda: {"doc.md": _doc("\\sum_{i=1}^{10^{100}} i = 5")},
    "5,000 nested parentheses": lambda: {"doc.md": _doc("(" * 5000 + "x" + ")" * 5000 + " = x")},
    "1,000 nested fractions": lambda: {
        "doc.md": _doc("\\frac{1}{" * 1000 + "x" + "}" * 1000 + " = x")
    },
    "fractions nested 50 deep": lambda: {
        "doc.md": _doc("\\frac{1}{1 + " * 50 + "x" + "}" * 50 + " = x")
    },
    "exponent tower 500 deep": lambda: {"doc.md": _doc("x^{" * 500 + "2" + "}" * 500 + " = 1")},
    "100,000-digit integers": lambda: {
        "doc.md": _doc(f"1{'0' * 99_999} + 1 = 1{'0' * 99_998}2", f"y = 3{'7' * 99_999}")
    },
    "60-digit integers": lambda: {
        "doc.md": _doc(f"1{'0' * 59} + 1 = 1{'0' * 58}2", f"3{'7' * 59} x = x")
    },
    "1,000 distinct names": lambda: {
        "doc.md": _doc(
            " + ".join(f"a_{{{k}}}" for k in range(1_000))
            + " = "
            + " + ".join(f"a_{{{k}}}" for k in reversed(range(1_000)))
        )
    },
    "2,000 equations": lambda: {
        "doc.md": _doc(*(f"x + {k} = {k} + x \\tag{{{k}}}" for k in range(1, 2001)))
    },
    "250 slow 14 KB lines": lambda: {"doc.md": _doc(*(_slow_line(k) for k in range(1, 251)))},
    "3.9 MB of prose": lambda: {
        "doc.md": "# Big\n\n" + ("word " * 80 + "\n") * 9_700 + "\n$$x + 1 = 1 + x$$\n"
    },
    "sidecar 100,000 arrays deep": lambda: {
        "doc.md": _doc("x + 1 = 1 + x"),
        "doc.md.symbn.toml": "sizes = " + "[" * 100_000 + "]" * 100_000 + "\n",
    },
}


def run_case(name: str, files: dict[str, str], options: list[str]) -> dict[str, Any]:
    """Run ``symbn check`` on the case's document in its own process group and measure it."""
    with tempfile.TemporaryDirectory() as folder:
        for file, text in files.items():
            Path(folder, file).write_text(text, encoding="utf-8")
        command = ["/usr/bin/time", "-v", SYMBN, "check", "doc.md", *options]
        begun = time.monotonic()
        process = subprocess.Popen(
            command,
            cwd=folder,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            _, err = process.communicate(timeout=BACKSTOP)
            hung = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, err = process.communicate()
            hung = True
        wall = time.monotonic() - begun
        left = _group_members(process.pid)
        if left:
            os.killpg(process.pid, signal.SIGKILL)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    status = re.search(r"Exit status: (\d+)", err)
    code = int(status.group(1)) if status else None
    return {
        "case": name,
        "exit": code,
        "wall_s": round(wall, 2),
        "peak_mb": round(int(peak.group(1)) / 1024, 1) if peak else None,
        "left_running": left,
        "hung": hung,
        "traceback": "Traceback (most recent call last)" in err,
        "bytes": sum(len(text.encode()) for text in files.values()),
    }


def _group_members(group: int) -> int:
    """How many processes of the process group ``group`` are still alive."""
    found = subprocess.run(["pgrep", "-g", str(group)], capture_output=True, text=True)
    return len(found.stdout.split())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=1.0, help="--timeout of each run")
    parser.add_argument("--total-timeout", type=float, default=20.0, help="its --total-timeout")
    parser.add_argument("--only", nargs="*", default=None, help="run only these cases")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    if not os.path.exists("/usr/bin/time"):
        print("bench/hostile.py needs GNU time (/usr/bin/time); tests/install.sh installs it")
        return 2
    options = ["--timeout", str(args.timeout), "--total-timeout", str(args.total_timeout)]
    chosen = {k: v for k, v in CASES.items() if args.only is None or k in args.only}
    results = [run_case(name, make(), options) for name, make in chosen.items()]
    bad = [
        r
        for r in results
        if r["hung"] or r["traceback"] or r["left_running"] or r["exit"] not in (0, 1, 2)
    ]
    worst_time = max(results, key=lambda r: r["wall_s"])
    worst_memory = max(results, key=lambda r: r["peak_mb"] or 0)
    summary = {
        "machine": machine(),
        "options": options,
        "cases": results,
        "worst_time": worst_time,
        "worst_memory": worst_memory,
        "failures": [r["case"] for r in bad],
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        m = summary["machine"]
        print(f"machine: {m['nproc']} × {m['cpu']}, Python {m['python']}")
        print(f"symbn check doc.md {' '.join(options)}")
        print(f"{'case':32} {'bytes':>9} {'exit':>4} {'wall s':>7} {'peak MB':>8} left")
        for r in results:
            print(
                f"{r['case']:32} {r['bytes']:>9} {r['exit']!s:>4} {r['wall_s']:>7} "
                f"{r['peak_mb']!s:>8} {r['left_running']}"
            )
        print(
            f"worst time {worst_time['wall_s']} s ({worst_time['case']}); "
            f"peak memory {worst_memory['peak_mb']} MB ({worst_memory['case']})"
        )
        if bad:
            print("FAILED: " + ", ".join(summary["failures"]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
