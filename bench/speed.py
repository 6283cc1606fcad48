"""Speed benchmark: whole-process wall times as ratios to a baseline measured in the same run.

    python bench/speed.py [--runs N] [--quick] [--json]

Absolute times on a shared machine are noise, so every figure is a ratio of medians against a
baseline taken in the same run, interleaved with it: ``symbn derive`` and ``symbn derive --all``
against ``python -c "import sympy"``, and ``symbn check`` of the seed's document too; ``symbn --help`` and ``symbn list`` against
``python -c "import click"`` (and neither may import SymPy); symbn's checker against the naive
``sympy.simplify(lhs - rhs) == 0`` on the same definition-substituted steps; time per step of
synthetic derivations of 10, 100 and 1000 steps and of sums over 1 to 4 nested indices; peak memory
of ``symbn derive --all`` by ``/usr/bin/time -v``; the scaling rows: ``symbn check`` of
synthetic documents of 10 to 5,000 equations (and of 50 definitions used by 5,000 claims), whole
process, with the time and peak memory per claim and the slope of a straight line through them;
and, against ``python -c "import sympy"`` with the cache on: a second ``symbn check`` of a
generated 300-equation document (replayed by the run cache, and compared with a check without
cache), the same document after an edit of its prose (a new run, every verdict from the verdict
cache), and ``derive``, ``derive --all`` and the seed's check run a second time. Every other row
runs with ``SYMBN_NO_CACHE=1``: it measures reading and checking, not the cache.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PYTHON = sys.executable
SYMBN = str(Path(PYTHON).with_name("symbn"))
CACHED = "check of 300 equations, cached"
EDITED = "check of 300 equations after an edit, verdicts cached"
TARGETS = {
    "derive": 1.3,
    "derive --all": 2.0,
    "check seed": 1.3,
    "--help": 1.5,
    "list": 1.5,
    CACHED: 1.5,
}
SEED_DOCUMENT = str(
    Path(__file__).resolve().parent.parent / "tests/data/batchnorm-bias-cancellation.md"
)
SCALE_SIZES = [10, 100, 400, 1000, 5000]
SIMPLE_CLAIM_MS = 3.0
NAIVE_SPEEDUP = 10.0
MEMORY_LIMIT_MB = 250
# As installed: pip byte-compiles what it installs, so the measured processes may write and use
# .pyc files even where the calling shell forbids it (an editable install has none otherwise).
# The verdict cache is off (every row measures checking) except in the cached row, which sets
# its own folder.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["SYMBN_NO_CACHE"] = "1"


def _wall(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time and CPU time (user + system, with the process's own children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env or ENV
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def ratio(
    command: list[str], baseline: list[str], runs: int, env: dict[str, str] | None = None
) -> dict[str, float]:
    """Median wall (and CPU) time of ``command`` and of ``baseline``, run interleaved; their ratio."""
    _wall(command, env), _wall(baseline)  # warm the file cache and write the byte-code
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(_wall(command, env))
        theirs.append(_wall(baseline))
    mine = statistics.median(w for w, _ in ours)
    base = statistics.median(w for w, _ in theirs)
    mine_cpu = statistics.median(c for _, c in ours)
    base_cpu = statistics.median(c for _, c in theirs)
    return {
        "seconds": round(mine, 3),
        "baseline_seconds": round(base, 3),
        "ratio": round(mine / base, 2),
        "cpu_ratio": round(mine_cpu / base_cpu, 2) if base_cpu else float("nan"),
    }


def has_all_flag() -> bool:
    """Whether ``symbn derive`` has an ``--all`` option (added by another change)."""
    out = subprocess.run(
        [SYMBN, "derive", "--help"], capture_output=True, text=True, check=False, env=ENV
    )
    return "--all" in out.stdout


def imports_sympy(args: list[str]) -> bool:
    """Whether ``symbn ARGS`` imports SymPy, by ``python -X importtime``."""
    out = subprocess.run(
        [PYTHON, "-X", "importtime", SYMBN, *args],
        capture_output=True,
        text=True,
        check=False,
        env=ENV,
    )
    modules = [line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if "|" in line]
    return any(m == "sympy" or m.startswith("sympy.") for m in modules)


def peak_memory_mb(args: list[str]) -> float | None:
    """Peak resident memory of ``symbn ARGS`` in MB, by ``/usr/bin/time -v`` (None without it)."""
    if not os.path.exists("/usr/bin/time"):
        return None
    out = subprocess.run(
        ["/usr/bin/time", "-v", SYMBN, *args], capture_output=True, text=True, check=False, env=ENV
    )
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    return round(int(found.group(1)) / 1024, 1) if found else None


def document(equations: int = 300) -> str:
    """A Markdown document of ``equations`` numbered displays: definitions, and true claims that use
    them (polynomial identities and sums over the examples)."""
    rows = ["# A long derivation", ""]
    for k in range(1, equations // 5 + 1):
        n = 5 * (k - 1)
        rows.append(f"$$u^{{[{k}]}} = x + {k} \\tag{{{n + 1}}}$$\n")
        for j in range(1, 4):
            rows.append(
                f"$$(u^{{[{k}]}} + {j})^2 = x^2 + {2 * (k + j)} x + {(k + j) ** 2} \\tag{{{n + 1 + j}}}$$\n"
            )
        rows.append(
            f"$$\\sum_{{i=1}}^{{m}} ({k} a_i + u^{{[{k}]}}) = {k} \\sum_{{i=1}}^{{m}} a_i + m x + {k} m"
            f" \\tag{{{n + 5}}}$$\n"
        )
    return "\n".join(rows)


def _cache_env(folder: str) -> dict[str, str]:
    env = {**ENV, "SYMBN_CACHE_DIR": str(Path(folder, "cache"))}
    env.pop("SYMBN_NO_CACHE", None)
    return env


def cached_check(baseline: list[str], runs: int) -> dict[str, Any]:
    """A second ``symbn check`` of a 300-equation document: replayed from the run cache; and
    whether it printed what a check without any cache prints."""
    with tempfile.TemporaryDirectory(prefix="symbn-bench-") as folder:
        path = Path(folder, "notes.md")
        path.write_text(document(300), encoding="utf-8")
        env = _cache_env(folder)
        command = [SYMBN, "check", str(path)]
        fresh = subprocess.run(
            [*command, "--no-cache"], capture_output=True, text=True, check=False, env=env
        )
        figure: dict[str, Any] = ratio(command, baseline, runs, env)
        second = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
        figure["same_report"] = (fresh.stdout, fresh.returncode) == (second.stdout, 0)
    return figure


def edited_check(baseline: list[str], runs: int) -> dict[str, Any]:
    """``symbn check`` of the 300-equation document after an edit of its prose: a new run (the
    run cache misses) whose verdicts all come from the verdict cache."""
    with tempfile.TemporaryDirectory(prefix="symbn-bench-") as folder:
        path = Path(folder, "notes.md")
        env = _cache_env(folder)
        text = document(300)
        path.write_text(text, encoding="utf-8")
        _wall([SYMBN, "check", str(path)], env)
        ours, theirs = [], []
        for n in range(runs):
            path.write_text(f"{text}\nEdit number {n}.\n", encoding="utf-8")
            ours.append(_wall([SYMBN, "check", str(path)], env))
            theirs.append(_wall(baseline))
    mine, base = statistics.median(w for w, _ in ours), statistics.median(w for w, _ in theirs)
    return {
        "seconds": round(mine, 3),
        "baseline_seconds": round(base, 3),
        "ratio": round(mine / base, 2),
        "cpu_ratio": round(
            statistics.median(c for _, c in ours) / statistics.median(c for _, c in theirs), 2
        ),
    }


def second_run(args: list[str], baseline: list[str], runs: int) -> dict[str, Any]:
    """``symbn ARGS`` run again with the cache on (the first run, the warm-up, stores it)."""
    with tempfile.TemporaryDirectory(prefix="symbn-bench-") as folder:
        return ratio([SYMBN, *args], baseline, runs, _cache_env(folder))


# In-process measurements ------------------------------------------------------------------------


def substituted_steps(name: str) -> list[tuple[str, Any, Any]]:
    """The equality steps of a shipped derivation with its definitions substituted, as the checker sees them."""
    import symbn
    from symbn.check import _plan, substitute
    from symbn.model import Relation

    steps = []
    for line, job in _plan(symbn.load(name), 0):
        if job is None or line.relation is not Relation.EQUAL:
            continue
        definitions = job[1]
        lhs, _ = substitute(line.lhs_meaning, definitions)
        rhs, _ = substitute(line.rhs_meaning, definitions)
        steps.append((line.label, lhs, rhs))
    return steps


def _naive(lhs: Any, rhs: Any) -> bool:
    import sympy

    return bool(sympy.simplify(lhs - rhs) == 0)


def checker_vs_naive(names: list[str], timeout: float) -> dict[str, Any]:
    """symbn's checker against ``simplify(lhs - rhs) == 0`` on the same steps, both in this process."""
    import symbn
    from symbn.budget import Failure, run_budgeted
    from symbn.check import Verdict

    ours = naive = 0.0
    proved_ours = proved_naive = total = 0
    naive_fails: list[str] = []
    for name in names:
        derivation = symbn.load(name)
        derivation.check(timeout=timeout)  # warm SymPy's caches for both sides alike
        started = time.perf_counter()
        report = derivation.check(timeout=timeout)
        ours += time.perf_counter() - started
        for label, lhs, rhs in substituted_steps(name):
            total += 1
            proved_ours += report[label].verdict is Verdict.PROVED
            started = time.perf_counter()
            outcome = run_budgeted(_naive, (lhs, rhs), timeout)
            naive += time.perf_counter() - started
            if outcome is True:
                proved_naive += 1
            else:
                why = outcome.reason if isinstance(outcome, Failure) else "simplify(lhs - rhs) != 0"
                naive_fails.append(f"{name} {label}: {why}")
    return {
        "steps": total,
        "symbn_seconds": round(ours, 3),
        "naive_seconds": round(naive, 3),
        "speedup": round(naive / ours, 1) if ours else None,
        "symbn_proved": proved_ours,
        "naive_proved": proved_naive,
        "naive_fails": naive_fails,
    }


def _chain(steps: int) -> Any:
    """A synthetic derivation of ``steps`` true steps over one indexed sum each."""
    from sympy import Rational, Sum

    import symbn

    a = symbn.examples("a")
    b = symbn.symbols("b")
    m = symbn.size("m")
    i = symbn.index("i", m)
    d = symbn.Derivation(f"chain of {steps}", name=f"chain-{steps}")
    for k in range(1, steps + 1):
        c = Rational(k, 7)
        d.step(Sum(c * a[i] + b, (i, 1, m)), c * Sum(a[i], (i, 1, m)) + m * b, label=str(k))
    return d


def _nested(depth: int, steps: int) -> Any:
    """``steps`` true steps, each a sum over ``depth`` nested indices."""
    from sympy import Integer, Sum

    import symbn

    a = symbn.examples("a")
    b = symbn.symbols("b")
    m = symbn.size("m")
    idx = [symbn.index(f"i{k}", m) for k in range(depth)]
    d = symbn.Derivation(f"nested {depth}", name=f"nested-{depth}")
    for k in range(1, steps + 1):
        body = Integer(k) * a[idx[0]] + b
        lhs = Sum(body, *[(x, 1, m) for x in idx])
        rhs = k * m ** (depth - 1) * Sum(a[idx[0]], (idx[0], 1, m)) + m**depth * b
        d.step(lhs, rhs, label=str(k))
    return d


def _per_step(derivation: Any, timeout: float) -> dict[str, Any]:
    started = time.perf_counter()
    report = derivation.check(timeout=timeout)
    seconds = time.perf_counter() - started
    counts = {v.value: n for v, n in report.counts().items() if n}
    return {
        "steps": len(derivation.lines),
        "seconds": round(seconds, 3),
        "ms_per_step": round(1000 * seconds / len(derivation.lines), 2),
        "verdicts": counts,
    }


def growth(sizes: list[int], depths: list[int], timeout: float) -> dict[str, Any]:
    """Time per step of long chains and of deeply nested sums; the slope of time per step in n."""
    _per_step(_chain(3), timeout)
    chains = {n: _per_step(_chain(n), timeout) for n in sizes}
    nested = {d: _per_step(_nested(d, 5), timeout) for d in depths}
    xs = [float(n) for n in sizes]
    ys = [chains[n]["ms_per_step"] for n in sizes]
    slope = statistics.linear_regression(xs, ys).slope if len(xs) > 1 else 0.0
    return {
        "chains": chains,
        "slope_ms_per_step_per_step": round(slope, 5),
        "nested": nested,
    }


# Scaling: whole processes on synthetic documents ---------------------------------------------


def synthetic_document(claims: int, definitions: int = 0) -> str:
    """A Markdown document of simple true claims: ``(x + k)^2 = x^2 + 2k x + k^2``, or with
    ``definitions`` names ``u_k = x + k y`` first, each then used by the claims in turn."""
    rows = ["# synthetic"]
    if definitions:
        names = ", ".join(f'"u_{{{k}}}"' for k in range(definitions))
        rows.append(f"<!-- symbn: names = [{names}] -->")
    label = 0
    for k in range(definitions):
        label += 1
        rows.append(f"$$u_{{{k}}} = x + {k} y \\tag{{{label}}}$$")
    for c in range(claims):
        label += 1
        if definitions:
            k = c % definitions
            rows.append(f"$$2 u_{{{k}}} - x = x + {2 * k} y \\tag{{{label}}}$$")
        else:
            n = c + 1
            rows.append(f"$$(x + {n})^2 = x^2 + {2 * n} x + {n * n} \\tag{{{label}}}$$")
    return "\n\n".join(rows) + "\n"


def _measured(command: list[str], runs: int) -> dict[str, float]:
    """Median wall and CPU seconds of ``runs`` runs of ``command``, and its peak memory (MB) once."""
    timed = [_wall(command) for _ in range(runs)]
    peak = peak_memory_mb(command[1:])
    return {
        "seconds": round(statistics.median(w for w, _ in timed), 3),
        "cpu_seconds": round(statistics.median(c for _, c in timed), 3),
        "peak_mb": float("nan") if peak is None else peak,
    }


def scaling(sizes: list[int], runs: int, folder: Path) -> dict[str, Any]:
    """``symbn check`` of synthetic documents of each size: time and memory per claim, and slopes.

    The slope is that of a straight line through (claims, seconds): the cost of one more claim,
    start-up excluded; flat per claim means the line fits (time at the largest size is start-up
    plus slope times claims, within a quarter).
    """
    folder.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict[str, Any]] = {}
    cases = [(f"{n} equations", n, 0) for n in sizes] + [("50 definitions, 5000 claims", 5050, 50)]
    for name, claims, definitions in cases:
        path = folder / f"synthetic-{claims}-{definitions}.md"
        path.write_text(synthetic_document(claims - definitions, definitions), encoding="utf-8")
        figure = _measured([SYMBN, "check", str(path)], runs)
        figure["claims"] = claims - definitions
        figure["ms_per_claim"] = round(1000 * figure["seconds"] / figure["claims"], 2)
        rows[name] = figure
    plain = [rows[f"{n} equations"] for n in sizes]
    xs = [float(r["claims"]) for r in plain]
    fit = statistics.linear_regression(xs, [r["seconds"] for r in plain])
    cpu_fit = statistics.linear_regression(xs, [r["cpu_seconds"] for r in plain])
    memory = [r["peak_mb"] for r in plain]
    memory_fit = (
        statistics.linear_regression(xs, memory)
        if all(m == m for m in memory)  # no NaN: /usr/bin/time measured every size
        else None
    )
    largest = plain[-1]
    predicted = fit.intercept + fit.slope * largest["claims"]
    return {
        "rows": rows,
        "slope_ms_per_claim": round(1000 * fit.slope, 3),
        "cpu_slope_ms_per_claim": round(1000 * cpu_fit.slope, 3),
        "start_seconds": round(fit.intercept, 3),
        "memory_kb_per_claim": None if memory_fit is None else round(1024 * memory_fit.slope, 2),
        "linear": abs(largest["seconds"] - predicted) <= 0.25 * largest["seconds"],
    }


def phases(claims: int, timeout: float) -> dict[str, float]:
    """CPU milliseconds a claim of a synthetic document spends in each phase, in this process:
    reading, the parent's share of checking, the workers' checking, drawing for the terminal."""
    import io

    from rich.console import Console

    from symbn.check import check
    from symbn.parse.document import read_text

    text = synthetic_document(claims)
    read_text(synthetic_document(5), "warm.md")  # the parser and first-use imports, not counted
    started = time.process_time()
    document = read_text(text, "synthetic.md")
    read = time.process_time()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = check(document.derivation, timeout=timeout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    checked = time.process_time()
    Console(file=io.StringIO(), highlight=False, width=100).print(report)
    drawn = time.process_time()
    workers = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "claims": claims,
        "read_ms": round(1000 * (read - started) / claims, 2),
        "check_parent_ms": round(1000 * (checked - read) / claims, 2),
        "check_workers_ms": round(1000 * workers / claims, 2),
        "draw_ms": round(1000 * (drawn - checked) / claims, 2),
    }


# Report ---------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """The processor, its cores (all, and those this process may use), Python, and the load."""
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {
        "nproc": os.cpu_count(),
        "usable_cores": usable,
        "cpu": model,
        "python": sys.version.split()[0],
        "load_average": round(load, 2),
    }


def run(runs: int, quick: bool, timeout: float, scale_runs: int) -> dict[str, Any]:
    import tempfile

    import symbn

    sympy_baseline = [PYTHON, "-c", "import sympy"]
    click_baseline = [PYTHON, "-c", "import click"]
    all_flag = has_all_flag()
    out: dict[str, Any] = {"machine": machine(), "runs": runs, "processes": {}}
    out["processes"]["derive"] = ratio([SYMBN, "derive"], sympy_baseline, runs)
    out["processes"]["derive --all"] = (
        ratio([SYMBN, "derive", "--all"], sympy_baseline, runs) if all_flag else None
    )
    out["processes"]["check seed"] = ratio([SYMBN, "check", SEED_DOCUMENT], sympy_baseline, runs)
    out["processes"]["--help"] = ratio([SYMBN, "--help"], click_baseline, runs)
    out["processes"]["list"] = ratio([SYMBN, "list"], click_baseline, runs)
    out["processes"][CACHED] = cached_check(sympy_baseline, runs)
    out["processes"][EDITED] = edited_check(sympy_baseline, runs)
    out["second_runs"] = {
        "derive": second_run(["derive"], sympy_baseline, runs),
        "derive --all": second_run(["derive", "--all"], sympy_baseline, runs),
        "check seed": second_run(["check", SEED_DOCUMENT], sympy_baseline, runs),
    }
    out["sympy_imported"] = {
        "--help": imports_sympy(["--help"]),
        "list": imports_sympy(["list"]),
    }
    out["checker_vs_naive"] = checker_vs_naive(symbn.names(), timeout)
    sizes = [10, 100] if quick else [10, 100, 1000]
    out["growth"] = growth(sizes, [1, 2, 3, 4], timeout)
    memory_args = ["derive", "--all"] if all_flag else ["derive"]
    out["peak_memory"] = {
        "command": "symbn " + " ".join(memory_args),
        "mb": peak_memory_mb(memory_args),
    }
    with tempfile.TemporaryDirectory(prefix="symbn-speed-") as folder:
        out["scaling"] = scaling(SCALE_SIZES, scale_runs, Path(folder))
    out["phases"] = phases(1000, timeout)
    out["machine_after"] = machine()
    return out


def targets(result: dict[str, Any]) -> list[tuple[str, bool | None, str]]:
    """Each target: its name, whether it holds (None: not measurable here), and the figure."""
    rows: list[tuple[str, bool | None, str]] = []
    for name, limit in TARGETS.items():
        figure = result["processes"][name]
        base = "import click" if name in ("--help", "list") else "import sympy"
        if figure is None:
            rows.append(
                (f"symbn {_command(name)} vs {base} ≤ {limit}×", None, "n/a (no --all option yet)")
            )
        else:
            rows.append(
                (
                    f"symbn {_command(name)} vs {base} ≤ {limit}×",
                    figure["ratio"] <= limit,
                    f"{figure['ratio']}× ({figure['seconds']} s vs {figure['baseline_seconds']} s;"
                    f" CPU time {figure['cpu_ratio']}×)",
                )
            )
    same = result["processes"][CACHED]["same_report"]
    rows.append(("the cached second check prints what a check without cache prints", same, str(same)))
    edited = result["processes"][EDITED]
    rows.append(
        (
            f"symbn {EDITED} vs import sympy",
            None,
            f"{edited['ratio']}× ({edited['seconds']} s; CPU time {edited['cpu_ratio']}×)",
        )
    )
    for name, figure in result["second_runs"].items():
        rows.append(
            (
                f"symbn {_command(name)} run again, from the run cache, vs import sympy",
                None,
                f"{figure['ratio']}× ({figure['seconds']} s; CPU time {figure['cpu_ratio']}×)",
            )
        )
    for command, imported in result["sympy_imported"].items():
        rows.append(
            (
                f"symbn {command} does not import SymPy",
                not imported,
                "imports SymPy" if imported else "no SymPy",
            )
        )
    naive = result["checker_vs_naive"]
    rows.append(
        (
            f"checker vs simplify(lhs - rhs) == 0 ≥ {NAIVE_SPEEDUP:g}× faster",
            bool(naive["speedup"] and naive["speedup"] >= NAIVE_SPEEDUP),
            f"{naive['speedup']}× ({naive['symbn_seconds']} s vs {naive['naive_seconds']} s, {naive['steps']} steps)",
        )
    )
    rows.append(
        (
            "checker proves at least as many steps as simplify",
            naive["symbn_proved"] >= naive["naive_proved"],
            f"{naive['symbn_proved']} vs {naive['naive_proved']} of {naive['steps']}",
        )
    )
    chains = result["growth"]["chains"]
    first, last = min(chains), max(chains)
    flat = chains[last]["ms_per_step"] <= 2 * chains[first]["ms_per_step"]
    rows.append(
        (
            "time per step flat in the number of steps",
            flat,
            ", ".join(f"{n}: {c['ms_per_step']} ms" for n, c in chains.items())
            + f"; slope {result['growth']['slope_ms_per_step_per_step']} ms per step per step",
        )
    )
    nested = result["growth"]["nested"]
    rows.append(
        (
            "sums over 1-4 nested indices all proved",
            all(set(n["verdicts"]) == {"proved"} for n in nested.values()),
            ", ".join(
                f"depth {d}: {n['ms_per_step']} ms/step {n['verdicts']}" for d, n in nested.items()
            ),
        )
    )
    scale = result["scaling"]
    figures = scale["rows"]
    rows.append(
        (
            "symbn check of 10 / 100 / 400 / 1000 / 5000 equations: time per claim, whole process",
            None,
            ", ".join(
                f"{r['claims']}: {r['seconds']} s ({r['ms_per_claim']} ms a claim, {r['peak_mb']} MB)"
                for name, r in figures.items()
                if name.endswith("equations")
            ),
        )
    )
    rows.append(
        (
            f"one more simple claim costs ≤ {SIMPLE_CLAIM_MS:g} ms of CPU (slope: reading, checking "
            "and drawing it), time linear in claims",
            scale["cpu_slope_ms_per_claim"] <= SIMPLE_CLAIM_MS and scale["linear"],
            f"{scale['slope_ms_per_claim']} ms a claim wall, {scale['cpu_slope_ms_per_claim']} ms "
            f"CPU (start-up {scale['start_seconds']} s); the straight line "
            + ("fits" if scale["linear"] else "does NOT fit")
            + " at the largest size",
        )
    )
    split = result["phases"]
    rows.append(
        (
            f"CPU a claim at {split['claims']} equations, by phase",
            None,
            f"reading {split['read_ms']} ms, checking {split['check_workers_ms']} ms in the "
            f"workers and {split['check_parent_ms']} ms in the parent, drawing "
            f"{split['draw_ms']} ms",
        )
    )
    shared = figures["50 definitions, 5000 claims"]
    rows.append(
        (
            "50 definitions used by 5000 claims",
            None,
            f"{shared['seconds']} s ({shared['ms_per_claim']} ms a claim, {shared['peak_mb']} MB)",
        )
    )
    rows.append(
        (
            "memory linear in the equations",
            None,
            "n/a"
            if scale["memory_kb_per_claim"] is None
            else f"{scale['memory_kb_per_claim']} kB of peak memory a claim",
        )
    )
    memory = result["peak_memory"]
    rows.append(
        (
            f"peak memory of {memory['command']} < {MEMORY_LIMIT_MB} MB",
            None if memory["mb"] is None else memory["mb"] < MEMORY_LIMIT_MB,
            "n/a (no /usr/bin/time)" if memory["mb"] is None else f"{memory['mb']} MB",
        )
    )
    return rows


def _command(name: str) -> str:
    return "check " + Path(SEED_DOCUMENT).name if name == "check seed" else name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (the median counts)")
    parser.add_argument("--quick", action="store_true", help="skip the 1000-step chain")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per step")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    parser.add_argument(
        "--scale-runs", type=int, default=3, help="runs per synthetic document (the median counts)"
    )
    args = parser.parse_args(argv)
    if not shutil.which(SYMBN):
        print(f"symbn is not installed next to {PYTHON}", file=sys.stderr)
        return 2
    result = run(max(1, args.runs), args.quick, args.timeout, max(1, args.scale_runs))
    rows = targets(result)
    result["targets"] = [{"target": t, "holds": h, "figure": f} for t, h, f in rows]
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        m, after = result["machine"], result["machine_after"]
        print(
            f"machine: {m['cpu']}, {m['nproc']} cores ({m['usable_cores']} usable), "
            f"Python {m['python']}; load average {m['load_average']} before, "
            f"{after['load_average']} after; median of {result['runs']} runs\n"
        )
        for target, holds, figure in rows:
            mark = {True: "ok  ", False: "MISS", None: "n/a "}[holds]
            print(f"[{mark}] {target}: {figure}")
        fails = result["checker_vs_naive"]["naive_fails"]
        if fails:
            print("\nsteps simplify(lhs - rhs) == 0 does not prove:")
            for line in fails:
                print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
