"""symbn: derivations built in SymPy and checked step by step.

The public API is imported lazily, so that ``symbn --help`` and ``symbn list`` start without SymPy.
"""

from __future__ import annotations

from symbn.lazy import exports

_EXPORTS = {
    "Derivation": "symbn.model",
    "Line": "symbn.model",
    "Kind": "symbn.model",
    "Relation": "symbn.model",
    "Report": "symbn.check",
    "StepResult": "symbn.check",
    "Verdict": "symbn.check",
    "cancel": "symbn.notation",
    "examples": "symbn.notation",
    "group": "symbn.notation",
    "index": "symbn.notation",
    "layer_symbols": "symbn.notation",
    "mean": "symbn.notation",
    "meaning": "symbn.notation",
    "size": "symbn.notation",
    "symbols": "symbn.notation",
    "units": "symbn.notation",
    "written": "symbn.notation",
    "load": "symbn.registry",
    "names": "symbn.registry",
    "SymbnError": "symbn.errors",
    "DerivationError": "symbn.errors",
    "InputError": "symbn.errors",
    "UnknownDerivationError": "symbn.errors",
    "load_ipython_extension": "symbn.ipython",
}

__all__ = sorted(_EXPORTS)


__getattr__ = exports("symbn", _EXPORTS, globals())


def __dir__() -> list[str]:
    return __all__
