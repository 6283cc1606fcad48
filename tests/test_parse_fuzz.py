"""Hostile documents: a clean symbn error or verdict, within the time budget, never a crash or a hang.

Whole documents run through the real command in a subprocess; a ``TimeoutExpired`` there is a hang
and fails the test (no assertion on elapsed time). Random text is read in-process under the
checker's own budget (:func:`symbn.budget.run_budgeted`), where a timeout is a failure too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symbn.budget import Failure, run_budgeted
from symbn.errors import InputError
from symbn.parse import read_text

HANG = 120  # seconds before a run counts as a hang (a failure), far above any budget used here
STEP_BUDGET = "2"


def payload(marker: Path) -> str:
    return f"__import__('os').system('touch {marker}')"


def hostile_documents(marker: Path) -> dict[str, tuple[str, str | None]]:
    """name → (document text, sidecar TOML or None); every payload would create ``marker`` if run."""
    code = payload(marker)
    toml_code = code.replace("'", "\\u0027")
    return {
        "payload-as-equation": (f"$${code}$$\n", None),
        "payload-on-a-side": (f"$$x = {code}$$\n\n$$y = 1 + 1$$\n", None),
        "payload-in-text": (f"$$x = 1 \\quad \\text{{{code}}}$$\n", None),
        "payload-in-tag": (f"$$x = 1 \\tag{{{code}}}$$\n", None),
        "payload-in-subscript": (f"$$x_{{{code}}} = 1$$\n", None),
        "payload-in-superscript": (f"$$x^{{[{code}]}} = a^{{({code})}}$$\n", None),
        "payload-in-mathrm": (f"$$\\mathrm{{{code}}} = 1$$\n", None),
        "payload-in-heading": (f"# {code}\n\n$$x = 1$$\n", None),
        "payload-in-sidecar": ("$$x = 1$$\n", f'title = "{toml_code}"\nsizes = ["{toml_code}"]\n'),
        "payload-in-sidecar-names": ("$$x = 1$$\n", f'names = ["{toml_code}"]\n'),
        "payload-in-declare-block": (
            f'$$x = 1$$\n\n```symbn-declare\nnames = ["{toml_code}"]\n```\n',
            None,
        ),
        "payload-in-comment-declaration": (f"<!-- symbn: {code} -->\n$$x = 1$$\n", None),
        "tex-shell-escape": (
            f"\\begin{{equation}}\\immediate\\write18{{touch {marker}}} x = 1\\end{{equation}}\n",
            None,
        ),
        "unbalanced-open": ("$$x = \\frac{1}{{{m}$$\n\n$$y = 2 - 2 + y$$\n", None),
        "unbalanced-close": ("$$x = 1}}}) + 2$$\n\n$$y = y$$\n", None),
        "unclosed-display": ("$$x = 1$$\n\n$$y = 2\n", None),
        "tex-unclosed-environment": ("\\begin{align} x &= 1 \\\\ y &= 2\n", None),
        "tower-of-exponents": ("$$x = 9^{9^{9^{9}}}$$\n\n$$y = 2 + 2 - 2 - y + y + 2$$\n", None),
        "huge-symbolic-exponent": ("$$x = y^{10^{10}}$$\n", None),
        "big-but-allowed-power": ("$$(x + 1)^{1000} = (1 + x)^{1000}$$\n", None),
        "huge-number": ("$$x = " + "9" * 100_000 + "$$\n", None),
        "deep-braces": ("$$x = " + "{" * 100_000 + "x" + "}" * 100_000 + "$$\n", None),
        "deep-parentheses": ("$$x = " + "(" * 5000 + "x" + ")" * 5000 + "$$\n", None),
        "deep-sums": ("$$x = " + "\\sum_{i=1}^{m} " * 500 + "x_i$$\n", None),
        "deep-roots": ("$$x = " + "\\sqrt{" * 300 + "x" + "}" * 300 + "$$\n", None),
        "long-logs": ("$$x = " + "\\log " * 5000 + "x$$\n", None),
        "megabyte-equation-line": ("$$x = " + "x + " * 260_000 + "x$$\n\n$$y = y$$\n", None),
        "megabyte-prose-line": ("a" * 1_100_000 + "\n\n$$y = 1 + y - 1$$\n", None),
        "many-dollars": ("$$" * 200_000 + "\n", None),
        "many-environments": ("\\begin{equation}" * 50_000 + "\n", None),
        "unclosed-fences": ("```a\n" * 100_000 + "$$x = 1$$\n", None),
        "unclosed-comments": ("<!--" * 250_000 + "$$x = 1$$\n", None),
        "unclosed-texts": ("$$x = 1 " + "\\text{" * 4000 + "$$\n", None),
        "spaces-after-a-number": ("$$x = 1 (1)" + " " * 100_000 + "x$$\n", None),
        "spaces-in-a-heading": ("#" + " " * 300_000 + "#x\n$$x = 1$$\n", None),
        "tex-percent-lines": ("% symbn-declare\n" + "%" * 500_000 + "\n$$x = 1$$\n", None),
        "too-many-equations": ("$$x = x$$\n" * 600, None),
        "nul-and-control-bytes": ("$$x\x00 = \x07\x1b[31m 1$$\n", None),
        "unicode-soup": ("$$α = β ≠ ∑ 😀 = ‮x$$\n", None),
        "only-relations": ("$$= = = =$$\n$$=$$\n", None),
        "bad-toml": ("$$x = 1$$\n", "sizes = [\n"),
        "wrong-toml-types": ("$$x = 1$$\n", "sizes = 3\nbar = 7\n[examples]\ncount = []\n"),
    }


def run_check(path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from symbn.cli import main; main()"]
    try:
        return subprocess.run(
            [*command, "check", str(path), "--timeout", STEP_BUDGET],
            capture_output=True,
            text=True,
            timeout=HANG,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"symbn check {path.name} hung (no answer within {HANG} s)")


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode in (0, 1, 2), result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    for line in result.stderr.splitlines():
        assert line.startswith("Error: "), line[:300]
        assert len(line) < 1000, line[:300]


@pytest.mark.parametrize("name", sorted(hostile_documents(Path("/nonexistent"))))
def test_a_hostile_document_gets_a_clean_answer(tmp_path: Path, name: str) -> None:
    marker = tmp_path / "pwned"
    text, sidecar = hostile_documents(marker)[name]
    path = tmp_path / ("doc.tex" if name.startswith("tex-") else "doc.md")
    path.write_text(text, encoding="utf-8")
    if sidecar is not None:
        (tmp_path / (path.name + ".symbn.toml")).write_text(sidecar, encoding="utf-8")
    result = run_check(path)
    assert_clean(result)
    assert not marker.exists(), "a payload from the document was executed"


def test_the_other_equations_are_still_checked(tmp_path: Path) -> None:
    text, _ = hostile_documents(tmp_path / "pwned")["tower-of-exponents"]
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    result = run_check(path)
    assert result.returncode == 2
    assert "doc.md:1:11: the exponent 387420489 is too large" in result.stderr
    assert "(2)" in result.stdout and "every claim holds" in result.stdout


def test_binary_and_oversized_files_are_input_errors(tmp_path: Path) -> None:
    binary = tmp_path / "binary.md"
    binary.write_bytes(bytes(range(256)) * 64)
    big = tmp_path / "big.md"
    big.write_bytes(b"$$x = 1$$\n" + b"a" * (5 << 20))
    missing = tmp_path / "missing.md"
    for path, words in ((binary, "not UTF-8"), (big, "bytes"), (missing, "cannot read")):
        result = run_check(path)
        assert result.returncode == 2
        assert_clean(result)
        assert words in result.stderr


# Random text, read in-process under the checker's budget ----------------------------------------

PIECES = [
    "x",
    "y",
    "m",
    "i",
    "2",
    "0",
    "9",
    " ",
    "=",
    "+",
    "-",
    "^",
    "_",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    "&",
    "\\\\",
    "\\frac",
    "\\sum",
    "\\sqrt",
    "\\cdot",
    "\\left(",
    "\\right)",
    "\\bar",
    "\\overline",
    "\\cancel",
    "\\text{",
    "\\tag{",
    "\\sigma",
    "\\mu",
    "\\quad",
    "\\neq",
    ":=",
    "\\partial",
    "\\mathrm{",
    "\\exp",
    "\\log",
    "a^{[l-1](i)}",
    "W^{[l]}",
    "$$",
    "\n",
    "(1.2)",
    "\\begin{align}",
    "\\end{align}",
    "__import__('os')",
    "\\int",
    "%",
    "<!--",
    "-->",
    "```",
]


def read_summary(text: str, kind: str) -> tuple[str, Any]:
    """What reading ``text`` gives, in picklable form; any exception but InputError propagates."""
    try:
        document = read_text(text, "fuzz", kind=kind)
    except InputError as exc:
        return "input-error", str(exc)
    return "read", (len(document.derivation.lines), document.problems)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=60).map("".join))
def test_random_text_is_read_or_refused_cleanly(body: str) -> None:
    variants = [
        (body, "md"),
        (f"$${body}$$", "md"),
        (f"$$x = {body}$$\n$$= {body} \\tag{{2}}$$", "md"),
        (f"\\begin{{align}}x &= {body} \\\\ &= {body}\\end{{align}}", "tex"),
    ]
    for text, kind in variants:
        outcome = run_budgeted(read_summary, (text, kind), 20.0)
        assert not isinstance(outcome, Failure), f"{outcome.reason} on {text!r}"
        kind, detail = outcome
        if kind == "input-error":
            assert "\n" not in detail
        else:
            assert all("\n" not in problem for problem in detail[1])
