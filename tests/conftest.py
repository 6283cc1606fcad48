"""Shared fixtures: the seed derivation, and a way to rebuild it with one line replaced.

The verdict cache is off in every test, and in every process a test starts (``SYMBN_NO_CACHE``),
so each test checks what it checks; its folder is a temporary one, never the user's cache.
``tests/test_cache.py`` turns it on, in folders of its own.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Any

import pytest

import symbn
from symbn.model import Derivation, Kind

_CACHE_DIR = tempfile.mkdtemp(prefix="symbn-test-cache-")
atexit.register(shutil.rmtree, _CACHE_DIR, ignore_errors=True)
os.environ["SYMBN_CACHE_DIR"] = _CACHE_DIR
os.environ["SYMBN_NO_CACHE"] = "1"


@pytest.fixture(scope="session")
def seed() -> Derivation:
    return symbn.load("batchnorm-bias")


def replaced(derivation: Derivation, label: str, rhs: Any) -> Derivation:
    """``derivation`` up to ``label``, whose right side becomes ``rhs`` (a mutant of that line)."""
    out = symbn.Derivation(derivation.title, name=derivation.name)
    out.assume(*derivation.assumptions)
    for line in derivation.lines:
        new_rhs = rhs if line.label == label else line.rhs
        if line.kind is Kind.DEFINITION:
            out.define(line.lhs, new_rhs, label=line.label)
        elif line.relation.value == "≠":
            out.differs(line.lhs, new_rhs, label=line.label)
        else:
            out.step(line.lhs, new_rhs, label=line.label)
        if line.label == label:
            return out
    raise KeyError(label)


def require_tool(name: str, reason: str) -> str:
    """The path of the real tool ``name``; skip the test without it, or fail where CI requires it."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed ({reason}); run tests/install.sh"
        if os.environ.get("SYMBN_REQUIRE_REAL_PARTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path
