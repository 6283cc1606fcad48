"""The pytest plugin, driven by pytest itself (the ``pytester`` fixture runs real sessions).

Ground truth: in the document, ``y = x + c``, so ``y - c = x`` holds, ``y - x = 2c`` fails at every
``c ≠ 0`` (the sides are ``c`` and ``2c``) and ``2c = c`` fails likewise; the counterexample printed
is re-evaluated here with fractions.
"""

from __future__ import annotations

import re
import subprocess
import sys
from fractions import Fraction

import pytest

pytest_plugins = ["pytester"]

NOTES = """# Centering

$$y = x + c \\quad (1)$$

$$y - c = x \\quad (2)$$

$$y - x = 2 c \\tag{1.10}$$

$$= c \\tag{4}$$
"""

# An unknown function at an irrational argument has no value a trial can compute: undecided.
UNDECIDED = "$$f(\\sqrt{y}) = f(\\sqrt{y}) + 0 \\tag{U}$$\n"

MODULE = """
import symbn

x, c = symbn.symbols("x c")
derivation = symbn.Derivation("module", name="module")
derivation.define(symbn.symbols("y"), x + c, label="A")
derivation.step(symbn.symbols("y") - c, x, label="B")
derivation.step(
    symbn.symbols("y"),
    x - c,
    label="C",
)
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """A real pytest session in ``pytester``'s directory (without Hypothesis's plugin, which is slow
    to start and unused here)."""
    return pytester.runpytest("-p", "no:hypothesispytest", *args)


@pytest.fixture
def notes(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".md", notes=NOTES)
    return pytester


def test_without_the_option_nothing_is_collected(notes: pytest.Pytester) -> None:
    result = run(notes, "--collect-only", "-q")
    assert "notes.md" not in result.stdout.str()


def test_each_claim_is_one_item_named_by_file_and_label(notes: pytest.Pytester) -> None:
    result = run(notes, "--symbn", "--collect-only", "-q")
    items = [line for line in result.outlines if "::" in line]
    assert items == ["notes.md::2", "notes.md::1.10", "notes.md::4"]  # (1) is a definition


def test_a_true_claim_passes_and_a_refuted_one_fails_with_its_counterexample(
    notes: pytest.Pytester,
) -> None:
    result = run(notes, "--symbn", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    out = result.stdout.str()
    block = out[out.index("notes.md:7:3: (1.10)") :]
    match = re.search(
        r"notes\.md:7:3: \(1\.10\) -x \+ y = 2\*c\n"
        r"refuted: the sides differ\n"
        r"at c = (\S+)\n"
        r"lhs = (\S+), rhs = (\S+), lhs - rhs = (\S+)\n"
        r"symbolic remainder lhs - rhs = -c\n",
        block,
    )
    assert match, block
    c, lhs, rhs, difference = (Fraction(v) for v in match.groups())
    assert c != 0 and (lhs, rhs, difference) == (c, 2 * c, -c)
    assert "FAILED notes.md::1.10" in out and "FAILED notes.md::4" in out
    assert "Traceback" not in out and "pytest_plugin.py" not in out


def test_the_document_is_checked_once_for_all_its_items(notes: pytest.Pytester) -> None:
    notes.makeconftest(
        """
import symbn.model

calls = []
original = symbn.model.Derivation.check


def counted(self, **kwargs):
    calls.append(self.name)
    return original(self, **kwargs)


symbn.model.Derivation.check = counted


def pytest_sessionfinish(session):
    symbn.model.Derivation.check = original
    print("symbn checks:", calls)
"""
    )
    result = run(notes, "--symbn", "-p", "no:cacheprovider", "-s")
    result.assert_outcomes(passed=1, failed=2)
    assert "symbn checks: ['notes']" in result.stdout.str()


def test_the_plugin_imports_nothing_heavy_until_asked() -> None:
    code = "import sys, symbn.pytest_plugin; print(sorted({'sympy', 'rich'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_minus_k_selects_claims_by_label(notes: pytest.Pytester) -> None:
    result = run(notes, "--symbn", "-p", "no:cacheprovider", "-k", "1.10")
    result.assert_outcomes(failed=1, deselected=2)
    result = run(notes, "--symbn", "-p", "no:cacheprovider", "-k", "not 1.10 and not 4")
    result.assert_outcomes(passed=1, deselected=2)


def test_last_failed_reruns_only_the_refuted_claims(notes: pytest.Pytester) -> None:
    run(notes, "--symbn").assert_outcomes(passed=1, failed=2)
    result = run(notes, "--symbn", "--lf", "-v")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "run-last-failure: rerun previous 2 failures*",
            "*notes.md::1.10 FAILED*",
            "*notes.md::4 FAILED*",
        ]
    )
    assert "notes.md::2 " not in result.stdout.str()


def test_xdist_shares_the_claims_among_its_workers(notes: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    result = notes.runpytest_subprocess(
        "--symbn", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-n", "2"
    )
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*created: 2/2 workers*"])
    assert "FAILED notes.md::1.10" in result.stdout.str()


def test_undecided_fails_by_default_or_is_an_xfail_or_a_skip(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", hard=UNDECIDED)
    result = run(pytester, "--symbn", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*undecided: numeric trials impossible*"])
    run(pytester, "--symbn", "--symbn-undecided=xfail").assert_outcomes(xfailed=1)
    run(pytester, "--symbn", "--symbn-undecided=skip").assert_outcomes(skipped=1)
    pytester.makeini("[pytest]\nsymbn_undecided = skip\n")
    run(pytester, "--symbn").assert_outcomes(skipped=1)
    pytester.makeini("[pytest]\nsymbn_undecided = maybe\n")
    result = run(pytester, "--symbn")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "symbn_undecided = 'maybe'; use fail, xfail or skip" in result.stderr.str()
    pytester.makeini("[pytest]\n")
    result = run(pytester, "--symbn", "--symbn-timeout=0")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--symbn-timeout takes a positive number of seconds; got 0.0" in result.stderr.str()


def test_symbn_paths_picks_documents_and_derivation_modules(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", notes=NOTES, README="# No equations here\n")
    pytester.makepyfile(derive_centering=MODULE)
    pytester.makeini("[pytest]\nsymbn_paths =\n    notes.md\n    derive_*.py\n")
    result = run(pytester, "--symbn", "--collect-only", "-q")
    items = [line for line in result.outlines if "::" in line]
    assert items == [
        "derive_centering.py::B",
        "derive_centering.py::C",
        "notes.md::2",
        "notes.md::1.10",
        "notes.md::4",
    ]
    result = run(pytester, "--symbn", "-p", "no:cacheprovider", "derive_centering.py")
    result.assert_outcomes(passed=1, failed=1)
    # the failure points at C's label= keyword in the module
    row = next(n for n, text in enumerate(MODULE.strip().splitlines(), 1) if 'label="C"' in text)
    result.stdout.fnmatch_lines([f"derive_centering.py:{row}:5: (C) y = -c + x", "refuted: *"])
    values = re.search(r"at c = (\S+), x = (\S+)\nlhs = (\S+), rhs = (\S+),", result.stdout.str())
    assert values, result.stdout.str()
    c, x, lhs, rhs = (Fraction(v) for v in values.groups())
    assert (lhs, rhs) == (x + c, x - c) and c != 0


def test_a_document_without_equations_is_skipped_unless_named(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", README="# No equations here\n")
    pytester.makefile(".ipynb", plain='{"cells": [], "metadata": {}, "nbformat": 4}')
    result = run(pytester, "--symbn")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result = run(pytester, "--symbn", "README.md")  # named on the command line: it must read
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*README.md: no display equations found*"])
    pytester.makeini("[pytest]\nsymbn_paths = README.md\n")
    result = run(pytester, "--symbn")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*README.md: no display equations found*"])
    assert "Traceback" not in result.stdout.str()


def test_an_unreadable_line_is_one_failure_and_the_rest_is_checked(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".md", notes=NOTES + "\n$$z = \\frob{x}$$\n")
    result = run(pytester, "--symbn", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(["*notes.md:11:7: symbn does not read the command \\frob here"])
    assert "FAILED notes.md::read-problems" in result.stdout.str()
