#!/usr/bin/env bash
# Set up everything the tests use, on a fresh machine: a virtual environment in .venv with symbn and
# its test dependencies, and the real parts the tests drive (pdflatex, KaTeX and MathJax under Node,
# PyTorch's CPU build). Safe to run again: each step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test,dev]'

# PyTorch's CPU build, pinned, for the cross-checks in tests/test_torch.py (an optional test extra,
# never a runtime dependency); skipped when it is already importable.
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
    .venv/bin/python -m pip install --quiet 'torch==2.13.0'
fi
