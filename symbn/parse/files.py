"""Reading a file a user named: regular files only, and never more than a cap.

A FIFO blocks on open, ``/dev/zero`` never ends and ``/proc`` files report a size of 0, so the size
in ``stat`` proves nothing: the file is opened without blocking, checked to be a regular file on the
open descriptor (no race with a rename), and read up to one byte past the cap.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from symbn.errors import InputError


def read_regular(path: str | Path, limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file at ``path``; an :class:`InputError` past ``limit`` bytes or for anything else."""
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"{path}: {_kind(mode)}, not a regular file; symbn reads {what}s only")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError(f"{path}: {_kind(mode)}, not a regular file; symbn reads {what}s only")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise InputError(f"{path}: more than {limit} bytes; symbn reads {what}s up to {limit}")
    return b"".join(chunks)


def sidecar_candidates(path: Path) -> tuple[Path, Path]:
    """Where a document's declaration may be, in order: ``FILE.symbn.toml``, ``STEM.symbn.toml``."""
    return path.with_name(path.name + ".symbn.toml"), path.with_suffix(".symbn.toml")


def sidecar(path: Path) -> Path | None:
    """The declaration file next to ``path``: the first of :func:`sidecar_candidates` that exists."""
    for candidate in sidecar_candidates(path):
        if candidate.is_file():
            return candidate
    return None


def read_regular_text(path: str | Path, limit: int, what: str = "file") -> str:
    """:func:`read_regular` decoded as UTF-8, with the offending byte named when it is not."""
    data = read_regular(path, limit, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"
