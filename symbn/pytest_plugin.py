"""The pytest plugin: every claim of a document or a derivation module is one test item.

Opt in with ``pytest --symbn``. Markdown, LaTeX and notebook files are read with the reader of
``symbn check``; Python modules matched by the ``symbn_paths`` ini option (globs) are imported and
their module-level ``derivation`` is checked. Items are named by file and label
(``notes.md::1.10``), so ``-k``, ``-x`` and ``--lf`` select claims; definitions are not items. Each
file is checked once, the first time one of its items runs, and the items report their verdicts:
a refuted claim fails with its counterexample and remainder; an undecided one fails, or is an
xfail or a skip with ``--symbn-undecided``. A thin layer: no mathematics here.

This module is imported by every pytest run where symbn is installed, so it imports nothing heavy
until ``--symbn`` is given and a file is collected.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from symbn.check import Report, StepResult
    from symbn.model import Derivation, Line

DOCUMENTS = (".md", ".markdown", ".tex", ".latex", ".ltx", ".ipynb")
UNDECIDED = ("fail", "xfail", "skip")


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--symbn`` and its options, and the ``symbn_paths`` ini option."""
    group = parser.getgroup("symbn", "checking derivations with symbn")
    group.addoption(
        "--symbn",
        action="store_true",
        default=False,
        help="collect the claims of Markdown, LaTeX and notebook files (and of the Python modules "
        "matched by symbn_paths) as test items",
    )
    group.addoption(
        "--symbn-undecided",
        choices=UNDECIDED,
        default=None,
        help="what an undecided claim is: a failure (default), an xfail or a skip",
    )
    group.addoption(
        "--symbn-timeout",
        type=float,
        default=None,
        help="seconds allowed per claim (default 5); past it the claim is undecided",
    )
    group.addoption(
        "--symbn-seed", type=int, default=None, help="seed of the numeric trials (default 0)"
    )
    parser.addini(
        "symbn_paths",
        type="linelist",
        default=[],
        help="globs, relative to the root directory, of the documents and derivation modules "
        "symbn collects (default: every .md, .tex and .ipynb file pytest visits)",
    )
    parser.addini(
        "symbn_undecided", default="fail", help="what an undecided claim is: fail, xfail or skip"
    )


def pytest_configure(config: pytest.Config) -> None:
    """Refuse a bad ``symbn_undecided`` or ``--symbn-timeout`` before anything runs."""
    if config.getoption("symbn"):
        _undecided(config)
        timeout = config.getoption("symbn_timeout")
        if timeout is not None and not timeout > 0:
            raise pytest.UsageError(
                f"--symbn-timeout takes a positive number of seconds; got {timeout}"
            )


def _undecided(config: pytest.Config) -> str:
    mode = config.getoption("symbn_undecided") or config.getini("symbn_undecided")
    if mode not in UNDECIDED:
        raise pytest.UsageError(f"symbn_undecided = {mode!r}; use fail, xfail or skip")
    return str(mode)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """A :class:`DocumentFile` or :class:`ModuleFile` for each file symbn is asked to check."""
    config = parent.config
    if not config.getoption("symbn"):
        return None
    suffix = file_path.suffix.lower()
    globs: list[str] = config.getini("symbn_paths")
    if globs:
        if not _matches(file_path, config.rootpath, globs):
            return None
    elif suffix not in DOCUMENTS:
        return None
    if suffix in DOCUMENTS:
        explicit = bool(globs) or _named(file_path, config)
        return DocumentFile.from_parent(parent, path=file_path, explicit=explicit)
    if suffix == ".py":
        return ModuleFile.from_parent(parent, path=file_path)
    return None


def _named(path: Path, config: pytest.Config) -> bool:
    """Whether ``path`` itself was given on the command line (not found in a folder)."""
    given = {(config.invocation_params.dir / arg.split("::")[0]).resolve() for arg in config.args}
    return path.resolve() in given


def _matches(path: Path, root: Path, globs: list[str]) -> bool:
    try:
        relative = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        relative = path.as_posix()
    return any(fnmatch.fnmatch(relative, g) or Path(relative).match(g) for g in globs)


class ClaimFailure(Exception):
    """A claim that does not hold; its text is the failure pytest shows."""


class _Checked(pytest.File):
    """A file whose derivation is checked once, when the first of its items runs."""

    _report: Report | None = None
    locations: dict[str, tuple[int, int]]
    chains = False

    def derivation(self) -> Derivation:
        """The derivation the file holds (read or imported at collection)."""
        raise NotImplementedError

    def report(self) -> Report:
        """The file's report: the whole derivation checked once, then kept for its items."""
        if self._report is None:
            options = self.config.option
            timeout = 5.0 if options.symbn_timeout is None else options.symbn_timeout
            seed = 0 if options.symbn_seed is None else options.symbn_seed
            from symbn.cache import default_cache

            cache = default_cache()  # unchanged claims take their stored verdicts
            self._report = self.derivation().check(timeout=timeout, seed=seed, cache=cache)
        return self._report

    def claims(self, derivation: Derivation) -> Iterator[ClaimItem]:
        """One item per claim (definitions are not items)."""
        for line in derivation.lines:
            if line.is_claim:
                yield ClaimItem.from_parent(self, name=line.label, line=line)


class DocumentFile(_Checked):
    """A Markdown, LaTeX or notebook document, read as ``symbn check`` reads it."""

    chains = True

    def __init__(self, *, explicit: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.explicit = explicit

    def collect(self) -> Iterator[pytest.Item]:
        from symbn.errors import SymbnError
        from symbn.locate import in_document
        from symbn.parse.document import read_document

        if not self.explicit and not self._has_display_math():
            return  # found by pytest's walk, not named, and holds no display equation
        try:
            document = read_document(self.path)
        except SymbnError as exc:
            raise self.CollectError(str(exc)) from None
        except Exception as exc:  # never a traceback for a document, whatever it holds
            raise self.CollectError(
                f"{self.path}: cannot read this document ({type(exc).__name__})"
            ) from None
        self._derivation = document.derivation
        self.locations = in_document(document)
        if document.problems:
            yield ReadingItem.from_parent(self, name="read-problems", problems=document.problems)
        yield from self.claims(document.derivation)

    def derivation(self) -> Derivation:
        return self._derivation

    def _has_display_math(self) -> bool:
        """Whether a document pytest walked into is one to check (a README without maths is not)."""
        from symbn.parse.document import has_display_math

        return has_display_math(self.path)


class ModuleFile(_Checked):
    """A Python module whose module-level ``derivation`` is checked."""

    def collect(self) -> Iterator[pytest.Item]:
        from symbn.errors import SymbnError
        from symbn.locate import in_module
        from symbn.model import Derivation

        name = f"_symbn_{self.path.stem}_{zlib.crc32(str(self.path).encode()):08x}"
        spec = importlib.util.spec_from_file_location(name, self.path)
        if spec is None or spec.loader is None:
            raise self.CollectError(f"{self.path}: cannot import this module")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except SymbnError as exc:
            sys.modules.pop(name, None)
            raise self.CollectError(f"{self.path}: {exc}") from None
        derivation = getattr(module, "derivation", None)
        if not isinstance(derivation, Derivation):
            raise self.CollectError(
                f"{self.path}: defines no module-level `derivation` (a symbn.Derivation)"
            )
        self._derivation = derivation
        self.locations = in_module(self.path)
        yield from self.claims(derivation)

    def derivation(self) -> Derivation:
        return self._derivation


class ClaimItem(pytest.Item):
    """One claim of a checked file: passes when it holds, fails with its counterexample."""

    def __init__(self, *, line: Line, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.line = line

    @property
    def checked(self) -> _Checked:
        assert isinstance(self.parent, _Checked)
        return self.parent

    def runtest(self) -> None:
        from symbn.check import Verdict

        result = self.checked.report()[self.line.label]
        if result.holds:
            return
        if result.verdict is Verdict.UNDECIDED:
            mode = _undecided(self.config)
            if mode == "xfail":
                pytest.xfail(f"symbn: undecided: {result.reason}")
            if mode == "skip":
                pytest.skip(f"symbn: undecided: {result.reason}")
        raise ClaimFailure(self._failure(result))

    def _failure(self, result: StepResult) -> str:
        from symbn.render.github import failure_text
        from symbn.render.unicode import names_in

        derivation = self.checked.report().derivation
        names = names_in([s for ln in derivation.lines for s in (ln.lhs_meaning, ln.rhs_meaning)])
        return f"{self._where()}: {failure_text(result, names)}"

    def _where(self) -> str:
        from symbn.locate import lookup

        spot = lookup(self.checked.locations, self.line.label, chains=self.checked.chains)
        path = self.checked.nodeid  # relative to the root directory, as pytest names files
        return f"{path}:{spot[0]}:{spot[1]}" if spot else path

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """The claim's failure as symbn words it, without a traceback into the plugin."""
        if isinstance(excinfo.value, ClaimFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        from symbn.locate import lookup

        spot = lookup(self.checked.locations, self.line.label, chains=self.checked.chains)
        return self.path, spot[0] - 1 if spot else None, f"symbn ({self.line.label})"


class ReadingItem(pytest.Item):
    """The equations of a document that could not be read: one failure listing them, one a line."""

    def __init__(self, *, problems: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problems = problems

    def runtest(self) -> None:
        raise ClaimFailure("\n".join(self.problems))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, ClaimFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, "symbn: equations that cannot be read"
