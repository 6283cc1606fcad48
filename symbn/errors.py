"""symbn's exceptions: one base class, so callers can catch every misuse and input error at once."""

from __future__ import annotations


class SymbnError(Exception):
    """Base class of every error symbn raises on purpose."""


class DerivationError(SymbnError):
    """A derivation was built wrongly (a misuse of the API), reported at the call that caused it."""


class UnknownDerivationError(SymbnError):
    """No shipped derivation has the requested name."""


class InputError(SymbnError):
    """A document or file given to symbn cannot be read as a derivation."""
