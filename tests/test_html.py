"""The HTML report: one self-contained page, checked as text and in a real headless Chromium.

The browser tests drive Debian's ``chromium`` with Selenium and its ``chromedriver``, with the
network switched off: the page must load, KaTeX must typeset every formula without an error node,
every line must be visible, and a refuted line must show its evidence. A screenshot of the seed is
saved in ``tests/artifacts/`` for review by eye.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import symbn
from symbn.cli import main
from symbn.model import Derivation, Kind

ARTIFACTS = Path(__file__).parent / "artifacts"


def slipped(seed: Derivation) -> Derivation:
    """The seed with a sign slip in 1.10 (``+ b`` where ``- b`` belongs), every other line as written."""
    from derivations.batchnorm_bias import W, a, b, batch_mean, j

    out = symbn.Derivation(seed.title, name=seed.name, conclusion=seed.conclusion)
    for line in seed.lines:
        rhs = symbn.written(W * a[j], b, -W * batch_mean, b) if line.label == "1.10" else line.rhs
        if line.kind is Kind.DEFINITION:
            out.define(line.lhs, rhs, label=line.label, why=line.why)
        elif line.kind is Kind.CONTINUATION:
            out.then(rhs, label=line.label, why=line.why)
        else:
            out.step(line.lhs, rhs, label=line.label, why=line.why)
    return out


def test_derive_writes_one_self_contained_page(tmp_path: Path) -> None:
    target = tmp_path / "bn.html"
    result = CliRunner().invoke(main, ["derive", "--format", "html", "-o", str(target)])
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    # Nothing is fetched: no external stylesheet, script, font or image (KaTeX's own script
    # holds such strings; the page's markup and style must not).
    markup = re.sub(r"<script>.*?</script>", "", page, flags=re.S)
    assert markup.count("<script") == 0 and page.count("<script>") == 2
    assert not re.search(r"<link\b|<img\b|<iframe\b|src=", markup)
    assert not re.search(r"url\((?!data:)", markup)
    assert page.count("@font-face") >= 10 and "data:font/woff2;base64," in page
    for line in symbn.load("batchnorm-bias").lines:
        assert f'data-label="{line.label}"' in page
    assert "every claim holds" in page


def test_check_writes_the_page_of_a_document() -> None:
    result = CliRunner().invoke(
        main, ["check", "--format", "html", "tests/data/batchnorm-bias-cancellation.md"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>") and 'data-label="1.12"' in result.stdout


def test_user_text_is_escaped() -> None:
    x = symbn.symbols("x")
    d = symbn.Derivation('<script>alert("t")</script> & co')
    d.step(x, x, why='<img src=x onerror="alert(1)"> $x < 1$')
    page = d.to_html()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert" in page and "&lt;img src=x" in page


def test_a_refuted_line_carries_its_evidence_and_the_hint(seed: Derivation) -> None:
    page = slipped(seed).check().to_html()
    lines = dict(
        re.findall(
            r'data-label="([^"]+)">(.*?)(?=<div class="symbn-line|</div>\n</div>)', page, re.S
        )
    )
    assert "symbn-refuted" in page and "✗ refuted" in lines["1.10"]
    assert "<details" in lines["1.10"] and "counterexample and remainder" in lines["1.10"]
    assert "follows from 1.10, which is refuted" in lines["1.11"]
    assert "<details" not in lines["1.12"]
    assert "_s1" not in page and "**" not in page.split("<script>")[0]


# In a real browser --------------------------------------------------------------------------


def _tool(variable: str, names: tuple[str, ...], reason: str) -> str:
    """A browser part from ``$variable`` or the PATH; skip without it, or fail where CI requires it."""
    found = os.environ.get(variable) or next(filter(None, map(shutil.which, names)), None)
    if found is None:
        message = f"{' or '.join(names)} is not installed ({reason}); run tests/install.sh"
        if os.environ.get("SYMBN_REQUIRE_REAL_PARTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium under Selenium, offline."""
    chromium = _tool("SYMBN_CHROMIUM", ("chromium", "chromium-browser"), "the HTML report")
    driver_path = _tool("SYMBN_CHROMEDRIVER", ("chromedriver",), "Selenium drives Chromium")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--window-size=1100,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_network_conditions(
        offline=True, latency=0, download_throughput=0, upload_throughput=0
    )
    try:
        yield driver
    finally:
        driver.quit()


def _load(browser: Any, page: str, where: Path) -> dict[str, Any]:
    """Open ``page`` from a file and wait until KaTeX has typeset it; what the page shows."""
    from selenium.webdriver.support.ui import WebDriverWait

    path = where / "report.html"
    path.write_text(page, encoding="utf-8")
    browser.get(path.as_uri())
    WebDriverWait(browser, 60).until(
        lambda d: d.execute_script(
            "return document.querySelectorAll('[data-tex]').length > 0 && "
            "[...document.querySelectorAll('[data-tex]')].every(e => e.querySelector('.katex'))"
        )
    )
    return dict(
        browser.execute_script(
            """
            const lines = [...document.querySelectorAll('.symbn-line')];
            const box = e => e.getBoundingClientRect();
            return {
              errors: [...document.querySelectorAll('.katex-error')].map(e => e.title || e.textContent),
              math: document.querySelectorAll('[data-tex]').length,
              typeset: document.querySelectorAll('[data-tex] .katex').length,
              lines: lines.map(e => [e.dataset.label, box(e).width, box(e).height,
                                     getComputedStyle(e).visibility, e.offsetParent !== null]),
              fetched: performance.getEntriesByType('resource').map(r => r.name)
                         .filter(n => !n.startsWith('data:')),
              fonts: document.fonts.status,
              height: document.documentElement.scrollHeight,
              open: [...document.querySelectorAll('details[open]')].map(
                        e => e.closest('.symbn-line').dataset.label),
            };
            """
        )
    )


def _assert_shown(shown: dict[str, Any], labels: list[str]) -> None:
    assert shown["errors"] == []
    assert shown["math"] > 0 and shown["typeset"] >= shown["math"]
    assert [row[0] for row in shown["lines"]] == labels
    for label, width, height, visibility, displayed in shown["lines"]:
        assert width > 100 and height > 10 and visibility == "visible" and displayed, label
    assert shown["fetched"] == []


def test_the_seed_report_renders_offline_in_chromium(browser: Any, tmp_path: Path) -> None:
    seed = symbn.load("batchnorm-bias")
    shown = _load(browser, seed.check().to_html(), tmp_path)
    _assert_shown(shown, [line.label for line in seed.lines])
    ARTIFACTS.mkdir(exist_ok=True)
    browser.set_window_size(1100, min(int(shown["height"]) + 40, 8000))
    assert browser.save_screenshot(str(ARTIFACTS / "batchnorm-bias.png"))


def test_a_refuted_report_shows_its_evidence_in_chromium(browser: Any, tmp_path: Path) -> None:
    bad = slipped(symbn.load("batchnorm-bias"))
    shown = _load(browser, bad.check().to_html(), tmp_path)
    _assert_shown(shown, [line.label for line in bad.lines])
    assert shown["open"] == ["1.10", "1.11"]
    browser.set_window_size(1100, min(int(shown["height"]) + 40, 8000))
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "batchnorm-bias-refuted.png"))


@pytest.mark.parametrize("name", symbn.names())
def test_every_shipped_report_typesets_without_errors(
    browser: Any, tmp_path: Path, name: str
) -> None:
    d = symbn.load(name)
    shown = _load(browser, d.check().to_html(), tmp_path)
    _assert_shown(shown, [line.label for line in d.lines])
