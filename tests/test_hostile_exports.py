"""Exports escape what users wrote: no TeX command of theirs runs, no HTML tag of theirs opens, and
integers of any length print."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

import symbn
from symbn.check import Report, Verdict
from symbn.model import Derivation
from symbn.render.display import plain
from symbn.render.latex import SAFE_COMMANDS, safe_math

PAYLOADS = [
    r"$\immediate\write18{touch PWNED}$",
    r"\immediate\write18{touch PWNED}",
    r"$\input{/etc/passwd}$",
    r"\input{/etc/passwd}",
    r"$^^5cinput{/etc/passwd}$",
    r"$\csname input\endcsname{/etc/passwd}$",
    r"$\def\x{\input}\x{/etc/passwd}$",
    r"$\catcode`\@=0 @input{/etc/passwd}$",
    r"$x % the rest of the line is gone$",
    r"$}\input{/etc/passwd}{$",
    r"$\text{\input{/etc/passwd}}$",
    r"$\\ \end{align} \input{/etc/passwd} \begin{align}$",
    "$a #1 & b$",
    "<script>alert(1)</script>",
    r"$<script>alert(2)</script>$",
    r"$\text{<img src=x onerror=alert(3)>}$",
    "<img src=x onerror=alert(4)>",
]
# Control words symbn itself writes around the user's text.
STRUCTURE = {
    "documentclass", "usepackage", "allowdisplaybreaks", "begin", "end", "section", "paragraph",
    "tag", "label", "notag", "displaybreak", "intertext", "small", "textbackslash", "textasciitilde",
    "textasciicircum", "sim",
}  # fmt: skip


def _hostile(text: str, payload_dir: Path | None = None) -> Derivation:
    x = symbn.symbols("x")
    payload = text.replace("PWNED", str(payload_dir / "pwned")) if payload_dir else text
    d = symbn.Derivation(f"Title {payload}", name="hostile")
    d.step(x + x, 2 * x, label="1", why=f"why {payload}")
    d.step(x * x, x**2, label="2", why=payload)
    d.conclude(f"conclusion {payload}")
    d.note(f"note {payload}")
    return d


def _control_words(tex: str) -> set[str]:
    """Every control word TeX would read in ``tex`` (``\\\\`` and ``\\{`` are control symbols)."""
    return set(re.findall(r"\\([A-Za-z]+)", re.sub(r"\\\\", " ", tex)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_user_command_survives_in_the_latex_export(payload: str) -> None:
    d = _hostile(payload)
    for tex in (d.to_latex(standalone=True), d.to_latex(env="equation+aligned")):
        unknown = _control_words(tex) - SAFE_COMMANDS - STRUCTURE
        assert not unknown, unknown
        assert "^^" not in tex
        assert not re.search(r"(?<!\\)%", tex), "an unescaped comment character"
        assert not re.search(r"(?<!\\)#", tex)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_user_tag_opens_in_the_markdown_export(payload: str) -> None:
    d = _hostile(payload)
    for md in (d.to_markdown(), d.to_markdown(marks=True)):
        assert not re.search(r"(?<!\\)<[A-Za-z/!?]", md), md


def test_the_notebook_html_and_markdown_escape_too() -> None:
    d = _hostile("<script>alert(5)</script> $<b>x</b>$")
    for shown in (d._repr_markdown_(), d._repr_latex_()):  # type: ignore[attr-defined]
        assert not re.search(r"(?<!\\)<[A-Za-z/!?]", shown)


def test_safe_math_keeps_ordinary_math() -> None:
    for tex in (
        r"\frac{1}{m} \sum_{i=1}^{m} x^{(i)}",
        r"\mu_\mathcal{B} \neq \sigma^2",
        r"\sqrt{\sigma^2 + \epsilon}",
        r"\left( a \right) \cdot \hat{z}",
        r"\text{the mean}",
    ):
        assert safe_math(tex) == tex


def test_safe_math_shows_what_it_refuses() -> None:
    assert safe_math(r"\input{f}") == r"\backslash\mathrm{input}{f}"
    assert safe_math("a % b") == r"a \% b"
    assert safe_math("}{") == r"\}\{"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no pdflatex")
def test_the_hostile_export_compiles_and_runs_nothing_even_with_shell_escape(
    tmp_path: Path,
) -> None:
    d = _hostile(" ".join(PAYLOADS[:12]), payload_dir=tmp_path)
    source = d.to_latex(standalone=True)
    (tmp_path / "doc.tex").write_text(source, encoding="utf-8")
    done = subprocess.run(
        ["pdflatex", "-shell-escape", "-halt-on-error", "-interaction=nonstopmode", "doc.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (tmp_path / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, [line for line in log.splitlines() if line.startswith("!")]
    assert not (tmp_path / "pwned").exists()
    assert "root:" not in log  # /etc/passwd was not read in
    assert "(/etc/passwd" not in log


# Big integers ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_report() -> Report:
    x = symbn.symbols("x")
    big = sympy.Integer(7) ** 20_000  # 16,902 digits, past Python's 4,300-digit str() limit
    d = symbn.Derivation("big", name="big")
    d.step(x + big, big + x, label="1")
    d.step(x - x + big, big + 1, label="2")
    return d.check(timeout=60)


def test_big_integers_print_in_every_export(big_report: Report) -> None:
    for text in (
        big_report.to_latex(marks=True),
        big_report.to_markdown(marks=True),
        big_report.derivation.to_latex(),
        big_report.derivation.to_markdown(),
        plain(big_report),
    ):
        assert "could not be displayed" not in text
        assert "Traceback" not in text
    latex = big_report.derivation.to_latex()
    head, tail = _leading_digits(7**20_000, 15), f"{7**20_000 % 10**15:015d}"
    assert head + tail[:0] in latex and latex.count(head) >= 1 and tail in latex
    assert sys.get_int_max_str_digits() in (0, 4300)  # the limit is lifted only while printing


def _leading_digits(n: int, k: int) -> str:
    """The first ``k`` decimal digits of ``n``, without converting ``n`` to text."""
    import math

    size = int(n.bit_length() * math.log10(2)) + 1
    while 10 ** (size - 1) > n:
        size -= 1
    top = n // 10 ** (size - k)
    out = ""
    for _ in range(k):
        top, digit = divmod(top, 10)
        out = "0123456789"[digit] + out
    return out


def test_the_digit_limit_is_restored_after_printing(big_report: Report) -> None:
    before = sys.get_int_max_str_digits()
    big_report.to_latex()
    assert sys.get_int_max_str_digits() == before


def test_a_label_is_never_rich_markup() -> None:
    x = symbn.symbols("x")
    d = symbn.Derivation("t", name="t").step(x, x, label="[link=http://evil]1[/link]")
    assert "[link=http://evil]1[/link]" in plain(d.check())


def test_big_integers_get_their_true_verdicts_in_the_workers(big_report: Report) -> None:
    # x + N = N + x holds and N = N + 1 does not, whatever N; past 4,300 digits the worker used
    # to fail converting N to text and leave the false step undecided.
    assert big_report["1"].verdict is Verdict.PROVED
    assert big_report["2"].verdict is Verdict.REFUTED
