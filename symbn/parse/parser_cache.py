"""The grammar's LALR parser, built once and kept in the user's own cache directory.

Building Lark's tables from ``grammar.lark`` costs about 50 ms at every start of ``symbn check``;
loading them costs about 5. The file's name and first line carry a digest of the grammar, the
options, and Lark's and Python's versions, so an edited grammar is never read with old tables.

Loading the tables unpickles them, which can run code, so a file is only read from a directory
that the user owns and nobody else can write (``$XDG_CACHE_HOME/symbn`` or ``~/.cache/symbn``,
created with mode 0700), and only if the file is a regular one the user owns that nobody else can
write. It is written to a temporary file and renamed, so runs at the same time never read half a
file. Anything else (no home directory, a read-only one, a full disk, a damaged or foreign file,
no ``os.getuid``) builds the parser in memory as before. ``SYMBN_NO_PARSER_CACHE=1`` turns the
cache off.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from lark import Lark

DISABLE = "SYMBN_NO_PARSER_CACHE"
_MAGIC = b"symbn-lark-tables "


def digest(grammar: str, options: dict[str, Any]) -> str:
    """What the tables depend on: the grammar, the options, Lark's and Python's versions."""
    import lark

    key = repr((grammar, sorted(options.items()), lark.__version__, sys.version_info[:2]))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def cache_directory() -> Path | None:
    """The private directory the tables go to, or None where there is none (or it is off)."""
    if os.environ.get(DISABLE) or not hasattr(os, "getuid"):
        return None
    base = os.environ.get("XDG_CACHE_HOME", "")
    try:
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    except (RuntimeError, KeyError):  # no home directory to be found
        return None
    return root / "symbn"


def _private(info: os.stat_result, kind: int) -> bool:
    """A file of this ``kind`` owned by this user that nobody else can write."""
    return (
        stat.S_IFMT(info.st_mode) == kind
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _load(path: Path, key: str) -> Lark | None:
    """The tables stored at ``path`` for ``key``, or None if they are missing or not to be trusted."""
    try:
        if not _private(os.lstat(path.parent), stat.S_IFDIR):
            return None
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        with os.fdopen(descriptor, "rb") as file:
            if not _private(os.fstat(file.fileno()), stat.S_IFREG):
                return None
            if file.readline() != _MAGIC + key.encode("ascii") + b"\n":
                return None
            return Lark.load(io.BytesIO(file.read()))
    except Exception:  # a damaged file: build the parser instead
        return None


def _store(path: Path, key: str, parser: Lark) -> None:
    """Keep ``parser``'s tables at ``path``, all or nothing; silently nothing where that fails."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(os.lstat(path.parent), stat.S_IFDIR):
            return
        data = io.BytesIO()
        parser.save(data)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".parser-", suffix=".tmp")
    except Exception:
        return
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(_MAGIC + key.encode("ascii") + b"\n")
            file.write(data.getvalue())
        os.replace(temporary, path)
    except Exception:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def cached_lark(grammar: str, **options: Any) -> Lark:
    """``Lark(grammar, **options)``, its tables loaded from the cache when they are there."""
    key = digest(grammar, options)
    folder = cache_directory()
    path = None if folder is None else folder / f"parser-{key[:32]}.lark"
    if path is not None:
        loaded = _load(path, key)
        if loaded is not None:
            return loaded
    parser = Lark(grammar, **options)
    if path is not None:
        _store(path, key, parser)
    return parser
