"""The run cache: a ``symbn check`` or ``symbn derive`` whose every input is unchanged prints what
it printed before, without reading, checking or importing SymPy.

A run's key digests everything its output can depend on: the command and each option as parsed,
the working folder, the bytes of every document, of the sidecars the reader would look for beside
it and of each ``--declare`` file; symbn's own source and the shipped derivations'; the versions
of Python and of the libraries that compute or draw; and what the output goes to (which standard
streams are terminals and their sizes, the streams' encodings, and every environment variable
that sets colour, width, encoding or symbn's behaviour). An entry holds the exit code and each
piece written to stdout and stderr, in order; a replay writes them again.

Only a run that is a function of its key is stored: none with a claim that ran out of time or lost
its worker, none whose reading stopped at its budget or failed inside the reader, none that wrote
a file, and none whose inputs changed while it ran. Entries live beside the verdict cache
(:mod:`symbn.cache`), in the same checksummed, atomically renamed files: a missing, damaged or
foreign entry is a miss, so the run is done again; it can never print something else.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from symbn.cache import Store, default_root
from symbn.parse.files import sidecar_candidates

FORMAT = 1
LAYOUT = f"runs-v{FORMAT}"
MAX_BYTES = 64 << 20  # the run cache's own size bound, beside the verdicts'
WAYS = ("out", "err", "draw")  # how a piece was written: click to stdout, to stderr, rich to stdout
MAX_INPUT = 64 << 20  # an input larger than this is not digested: the run is not cached
# The libraries whose code decides what a run computes or how it is drawn (gmpy2 and flint change
# SymPy's and mpmath's arithmetic where they are installed).
LIBRARIES = ("sympy", "mpmath", "gmpy2", "flint", "rich", "click", "lark", "tomli", "platformdirs")
# Environment variables read by rich, click, Python's encoding or symbn itself: all in the key.
VARIABLE_PREFIXES = (
    "SYMBN_",
    "SYMPY_",
    "MPMATH_",
    "TTY_",
    "JUPYTER_",
    "LC_",
    "CLICOLOR",
    "PYTHONIO",
    "PYTHONUTF8",
)
VARIABLES = ("TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "LANG")

_SOURCES: bytes | None = None


class Runs(Store):
    """Stored runs under ``root``: their exit codes and what they wrote."""

    def __init__(self, root: Path, max_bytes: int = MAX_BYTES) -> None:
        super().__init__(root, max_bytes, LAYOUT)

    def get(self, key: str) -> tuple[int, list[tuple[str, str]]] | None:
        """The exit code and the pieces written (``(how, text)``, how being ``out``, ``err`` or
        ``draw``) of the run stored under ``key``; None without a whole, well-formed entry."""
        record = self.read(key)
        if record is None or record.get("format") != FORMAT:
            return None
        code, pieces = record.get("code"), record.get("pieces")
        if not isinstance(code, int) or isinstance(code, bool) or code not in (0, 1, 2):
            return None
        if not isinstance(pieces, list):
            return None
        written: list[tuple[str, str]] = []
        for piece in pieces:
            if not (
                isinstance(piece, list)
                and len(piece) == 2
                and piece[0] in WAYS
                and isinstance(piece[1], str)
            ):
                return None
            written.append((piece[0], piece[1]))
        self.touch(key)
        return code, written

    def put(self, key: str, code: int, pieces: Sequence[tuple[str, str]]) -> bool:
        """Store a finished run; whether it was stored (never an error: the run has printed)."""
        record = {"format": FORMAT, "key": key, "code": code, "pieces": [list(p) for p in pieces]}
        stored = self.write(key, record)
        if stored:
            self.evict()
        return stored


def default_runs() -> Runs | None:
    """The user's run cache, beside the verdicts; None when ``SYMBN_NO_CACHE=1`` is set."""
    if os.environ.get("SYMBN_NO_CACHE", "") not in ("", "0"):
        return None
    return Runs(default_root())


# Keys ---------------------------------------------------------------------------------------------


def inputs(documents: Iterable[str], declarations: Iterable[str] = ()) -> bytes | None:
    """The digest of every file the reader would read for ``documents``, or None when one of them
    is not a regular file that can be read whole (a FIFO, a device, a folder): such a run is
    never cached. A sidecar that is absent is digested as absent."""
    hasher = hashlib.sha256(b"symbn run inputs\n")
    for name in documents:
        path = Path(name)
        data = _regular(path)
        if data is None:
            return None
        _feed(hasher, b"document", name.encode("utf-8", "surrogateescape"), data)
        for candidate in sidecar_candidates(path):
            side = _regular(candidate) if os.path.lexists(candidate) else b""
            if side is None:
                return None
            _feed(hasher, b"sidecar", str(candidate).encode("utf-8", "surrogateescape"), side)
    for name in declarations:
        data = _regular(Path(name))
        if data is None:
            return None
        _feed(hasher, b"declare", name.encode("utf-8", "surrogateescape"), data)
    return hasher.digest()


def key(command: str, params: dict[str, Any], files: bytes) -> str:
    """The key of a run of ``command`` with ``params`` (click's, parsed) on inputs ``files``."""
    hasher = hashlib.sha256(b"symbn run %d\n" % FORMAT)
    options = json.dumps(params, sort_keys=True, default=repr).encode()
    try:
        folder = os.getcwd()
    except OSError:
        folder = ""
    _feed(hasher, command.encode(), options, folder.encode("utf-8", "surrogateescape"))
    _feed(hasher, files, sources(), _libraries(), _console())
    return hasher.hexdigest()


def source_files() -> list[tuple[str, Path]]:
    """symbn's files and the shipped derivations' (installed inside the package, or in the
    ``derivations/`` folder beside it in a clone): the code, the grammar and the assets an export
    embeds, each with the name it is digested under; byte-code is left out."""
    package = Path(__file__).resolve().parent
    found = []
    for root in (package, package.parent / "derivations"):
        for path in sorted(root.rglob("*")):
            if "__pycache__" in path.parts or path.suffix == ".pyc" or not path.is_file():
                continue
            found.append((path.relative_to(root.parent).as_posix(), path))
    return found


def sources() -> bytes:
    """The digest of :func:`source_files`, name and bytes of each (once a process)."""
    global _SOURCES
    if _SOURCES is None:
        hasher = hashlib.sha256(b"symbn sources\n")
        for name, path in source_files():
            _feed(hasher, name.encode("utf-8", "surrogateescape"), path.read_bytes())
        _SOURCES = hasher.digest()
    return _SOURCES


def _libraries() -> bytes:
    """Python's version, and where each library is with its ``__init__``'s size and time: an
    install or upgrade rewrites it (found without importing any of them)."""
    import importlib.util

    parts = [sys.version, sys.implementation.name, sys.platform, repr(sys.flags.utf8_mode)]
    for name in LIBRARIES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        if origin is None:
            parts.append(f"{name}: absent")
            continue
        folder = Path(origin).parent
        marks = []
        for path in (
            Path(origin),
            folder / "release.py",
            folder / "version.py",
            folder / "_version.py",
        ):
            try:
                info = os.stat(path)
            except OSError:
                continue
            marks.append(f"{path.name} {info.st_size} {info.st_mtime_ns}")
        parts.append(f"{name}: {origin} {' '.join(marks)}")
    return "\n".join(parts).encode("utf-8", "surrogateescape")


def _console() -> bytes:
    """What the output is written to: terminals and their sizes, encodings, the variables read."""
    parts: list[str] = []
    for stream in (sys.stdout, sys.stderr):
        try:
            tty = bool(stream.isatty())
        except (AttributeError, ValueError, OSError):
            tty = False
        parts.append(f"{tty} {getattr(stream, 'encoding', None)} {getattr(stream, 'errors', None)}")
    for descriptor in (0, 1, 2):
        try:
            parts.append(repr(tuple(os.get_terminal_size(descriptor))))
        except (OSError, ValueError):
            parts.append("no terminal")
    for name, value in sorted(os.environ.items()):
        if name in VARIABLES or name.startswith(VARIABLE_PREFIXES):
            parts.append(f"{name}={value}")
    return "\n".join(parts).encode("utf-8", "surrogateescape")


def _regular(path: Path) -> bytes | None:
    """The bytes of the regular file at ``path``, or None (not regular, unreadable, too large)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode) or os.stat(path).st_size > MAX_INPUT:
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks, size = [], 0
        while size <= MAX_INPUT:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return None if size > MAX_INPUT else b"".join(chunks)


def _feed(hasher: Any, *parts: bytes) -> None:
    """Feed ``parts`` unambiguously: each with its length before it."""
    for part in parts:
        hasher.update(b"%d:" % len(part))
        hasher.update(part)


def replayable(reports: Iterable[Any], documents: Iterable[Any] = ()) -> bool:
    """Whether a run's output is a function of its key: no claim ran out of time or lost its
    worker (``exhausted``), no document stopped reading at its budget."""
    if any(getattr(document, "stopped", True) for document in documents):
        return False
    return not any(result.exhausted for report in reports for result in report)


__all__ = ["Runs", "default_runs", "inputs", "key", "replayable", "source_files", "sources"]
