"""Integers of any length in the renderers: Python refuses ``str()`` past 4,300 digits by default.

That limit guards parsers against quadratic conversions of untrusted text; a renderer printing an
integer the checker already holds exactly must print it, so the limit is lifted while it prints.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def any_digits() -> Iterator[None]:
    """Integers convert to and from text whatever their length inside this block (then as before)."""
    get = getattr(sys, "get_int_max_str_digits", None)
    if get is None:  # Python before 3.11 (and its backports): no limit to lift
        yield
        return
    old = get()
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.set_int_max_str_digits(old)


def printing_any_digits(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` run inside :func:`any_digits`."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with any_digits():
            return function(*args, **kwargs)

    return wrapper
