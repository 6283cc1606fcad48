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
