"""MathJax 2, as nbconvert's HTML and the classic Notebook load it (``TeX-AMS_CHTML-full,Safe``),
typesets symbn's math in headless Chromium: the notebook display's MathJax fallback (what an
untrusted notebook shows, where the report's KaTeX does not run), with ``\\cancel`` struck through,
and the Markdown export, whose only gap there is ``\\cancel`` (MathJax 2 has it only from its
cancel extension, and KaTeX refuses the ``\\require`` that would load it).

MathJax 2.7.9 comes from tests/js (``npm ci --prefix tests/js``, run by tests/install.sh); noErrors
and noUndefined are disabled so that an unknown macro is an error node instead of red text.
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

import symbn
from symbn.render import display
from tests.test_html import browser  # noqa: F401  (the headless Chromium fixture)
from tests.test_markdown import math_of

MATHJAX2 = Path(__file__).parent / "js" / "node_modules" / "mathjax" / "MathJax.js"

CONFIG = """
MathJax.Hub.Config({
  TeX: {noErrors: {disabled: true}, noUndefined: {disabled: true}},
  tex2jax: {inlineMath: [['$','$'], ['\\\\(','\\\\)']], displayMath: [['$$','$$'], ['\\\\[','\\\\]']],
            processEscapes: true, processEnvironments: true},
  messageStyle: 'none'
});
MathJax.Hub.Register.StartupHook('End', function () {
  MathJax.Hub.Queue(function () { window.symbnDone = true; });
});
"""


def mathjax2_page(body: str) -> str:
    """A page that loads MathJax 2 from tests/js as nbconvert does, then ``body``."""
    if not MATHJAX2.is_file():
        message = "MathJax 2 is not installed in tests/js; run tests/install.sh"
        if os.environ.get("SYMBN_REQUIRE_REAL_PARTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    src = MATHJAX2.as_uri() + "?config=TeX-AMS_CHTML-full,Safe"
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<script type="text/x-mathjax-config">{CONFIG}</script>'
        f'<script src="{src}"></script></head><body>{body}</body></html>'
    )


def typeset(browser: Any, page: str, where: Path) -> dict[str, Any]:  # noqa: F811
    """Open ``page``, wait for MathJax 2; per ``[data-k]`` element its error texts and strikes."""
    from selenium.webdriver.support.ui import WebDriverWait

    path = where / "mathjax2.html"
    path.write_text(page, encoding="utf-8")
    browser.get(path.as_uri())
    WebDriverWait(browser, 90).until(lambda d: d.execute_script("return window.symbnDone === true"))
    return dict(
        browser.execute_script(
            """
            const items = [...document.querySelectorAll('[data-k]')];
            return {
              typeset: document.querySelectorAll('.mjx-chtml').length,
              items: items.map(e => [e.dataset.k,
                  [...e.querySelectorAll('.mjx-merror')].map(m => m.textContent),
                  e.querySelectorAll('.mjx-menclose').length]),
            };
            """
        )
    )


def test_the_notebook_fallback_typesets_in_mathjax2_with_cancel(
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    section = display.html(symbn.load("batchnorm-bias").check())
    # an untrusted notebook: no script of the output runs, the frontend's MathJax reads the TeX
    body = re.sub(r"<script>.*?</script>", "", section, flags=re.S)
    body = re.sub(r'data-label="([^"]*)"', r'data-label="\1" data-k="\1"', body)
    shown = typeset(browser, mathjax2_page(body), tmp_path)
    assert shown["typeset"] > 0
    errors = {k: e for k, e, _ in shown["items"] if e}
    assert errors == {}
    struck = {k: n for k, _, n in shown["items"]}
    assert struck["1.11"] == 2 and struck["1.10"] == 0  # both cancelled b^{[l]} of 1.11


def test_the_markdown_export_typesets_in_mathjax2_but_for_cancel(
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    report = symbn.load("batchnorm-bias").check()
    items = math_of(report.to_markdown(marks=True)) + math_of(report.to_markdown(why=False))
    body = "".join(
        f'<div data-k="{k}"><script type="math/tex{"; mode=display" if shown else ""}">'
        f"{html.escape(tex, quote=False)}</script></div>"
        for k, (tex, shown) in enumerate(items)
    )
    shown = typeset(browser, mathjax2_page(body), tmp_path)
    errors = {int(k): e for k, e, _ in shown["items"] if e}
    assert all(r"\cancel" in items[k][0] for k in errors), json.dumps(errors)
    assert all(
        all(re.search(r"Undefined control sequence \\cancel", m) for m in found)
        for found in errors.values()
    ), errors
    cancelled = [k for k, (tex, _) in enumerate(items) if r"\cancel" in tex]
    assert set(errors) == set(cancelled)  # the gap is exactly \cancel: everything else renders
