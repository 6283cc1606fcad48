#!/usr/bin/env bash
# Set up everything the tests use, on a fresh machine: a virtual environment in .venv with symbn and
# its test dependencies, and the real parts the tests drive (pdflatex, KaTeX and MathJax under Node,
# PyTorch's CPU build). Safe to run again: each step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# GNU time (/usr/bin/time -v) measures the peak memory in bench/speed.py.
if [ ! -x /usr/bin/time ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq time >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test,dev]'

# PyTorch's CPU build, pinned, for the cross-checks in tests/test_torch.py (an optional test extra,
# never a runtime dependency); skipped when it is already importable.
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
    .venv/bin/python -m pip install --quiet 'torch==2.13.0'
fi

# pdflatex compiles the LaTeX export in the tests; pdftoppm turns its PDF into pictures for review.
if ! command -v pdflatex >/dev/null || ! command -v pdftoppm >/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y texlive-latex-base texlive-latex-recommended \
        texlive-latex-extra poppler-utils
fi

# Headless Chromium and its WebDriver open the HTML report in tests/test_html.py (Selenium, from the
# test extra, drives them).
if ! { command -v chromium >/dev/null || command -v chromium-browser >/dev/null; } \
    || ! command -v chromedriver >/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
fi

# Real KaTeX and MathJax under Node parse the Markdown export's math (tests/js, pinned by its lock).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
fi
npm ci --prefix tests/js --no-audit --no-fund --loglevel=error
