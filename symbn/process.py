"""The ``symbn`` process: signals, a fast exit once the output is out, the renderer loaded while checking.

Kept apart from :mod:`symbn.cli` (the click commands) because it is about the process, not about
the commands: ``entry`` is the installed script's entry point.

A stopping signal ends the run cleanly: Ctrl-C (SIGINT), SIGTERM and SIGHUP unwind the parent,
which ends its workers on the way out (they ignore Ctrl-C themselves, and die with the parent
anyway, see :mod:`symbn.budget`), print one line on stderr and exit with 128 + the signal's
number: 130, 143 and 129, as a shell reports a command a signal ended.
"""

from __future__ import annotations

import codecs
import errno
import io
import os
import signal
import sys
import threading
import unicodedata
from types import FrameType

STOPPING = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Stopped(BaseException):
    """A stopping signal arrived; a BaseException so that nothing on the way catches it as an error."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def message(self) -> str:
        """The one line the run ends with."""
        if self.signum == signal.SIGINT:
            return "symbn: interrupted"
        return f"symbn: stopped by {signal.Signals(self.signum).name}"


ASCII_ERRORS = "symbn-ascii"
# What a console without Unicode shows for the characters symbn draws (anything else: its
# decomposition, a Greek letter's name, or "?").
ASCII = {
    "✓": "+",
    "✗": "x",
    "≈": "~",
    "≠": "!=",
    "≤": "<=",
    "≥": ">=",
    "→": "->",
    "←": "<-",
    "⇒": "=>",
    "∂": "d",
    "Σ": "sum",
    "∑": "sum",
    "∏": "prod",
    "√": "sqrt",
    "∞": "oo",
    "·": "*",
    "×": "x",
    "−": "-",
    "—": "--",
    "–": "-",
    "…": "...",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "±": "+-",
    "∈": " in ",
    "─": "-",
    "━": "-",
    "│": "|",
    "┃": "|",
    "⎯": "-",
    "‾": "-",
    "╲": "\\",
    "╱": "/",
    "⎛": "(",
    "⎜": "|",
    "⎝": "(",
    "⎞": ")",
    "⎟": "|",
    "⎠": ")",
    "⎡": "[",
    "⎢": "|",
    "⎣": "[",
    "⎤": "]",
    "⎥": "|",
    "⎦": "]",
    "⎧": "{",
    "⎨": "{",
    "⎩": "{",
    "⎪": "|",
    "⎫": "}",
    "⎬": "}",
    "⎭": "}",
    "\u0303": "~",
    "\u0302": "^",
    "\u0304": "-",
    "\u0305": "-",
    "\u20d7": "->",
    "\u00a0": " ",
    "⁻": "^-",
    "₋": "_-",
    "⋅": "*",
    "∙": "*",
    "•": "*",
    "≔": ":=",
    "≡": "==",
    "\u0336": "",  # the stroke through a cancelled term: the term stays readable
    **{sup: f"^{d}" for d, sup in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")},
    **{sub: f"_{d}" for d, sub in enumerate("₀₁₂₃₄₅₆₇₈₉")},
}
# A closed pipe exits as a shell reports a command that SIGPIPE ended: `symbn derive | head -1`
# under `set -o pipefail` fails like `yes | head -1`, and no verdict is claimed for unread output.
BROKEN_PIPE = 141
UNWRITABLE = 2


def ascii_replacement(error: UnicodeError) -> tuple[str, int]:
    """The ``symbn-ascii`` codec error handler: readable ASCII for what the console cannot show."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return "".join(_ascii(char) for char in error.object[error.start : error.end]), error.end


def _ascii(char: str) -> str:
    if char in ASCII:
        return ASCII[char]
    name = unicodedata.name(char, "")
    if name.startswith("GREEK ") and " LETTER " in name:
        word = name.split(" LETTER ")[1].split()[0].lower()
        return word.capitalize() if "CAPITAL" in name else word
    plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    return plain or "?"


codecs.register_error(ASCII_ERRORS, ascii_replacement)


def ascii_console() -> None:
    """Let stdout and stderr write readable ASCII where their encoding cannot show symbn's Unicode."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None)
        if stream is None or encoding is None or not hasattr(stream, "reconfigure"):
            continue
        try:
            "✓≈μΣ─⎛".encode(encoding)
        except UnicodeEncodeError:
            stream.reconfigure(errors=ASCII_ERRORS)
        except LookupError:
            pass


def output_failed(exc: OSError) -> int:
    """The exit code for a failed write to stdout, after making every later write harmless.

    A closed pipe is :data:`BROKEN_PIPE`, silently; anything else (a full disk) is one line on
    stderr and :data:`UNWRITABLE`. Standard output then goes to the null device, so the final
    flush does not fail again with the rest of the buffer.
    """
    _discard_stdout()
    if exc.errno == errno.EPIPE:
        return BROKEN_PIPE
    try:
        print(f"Error: cannot write the output: {exc.strerror or exc}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass
    return UNWRITABLE


class ClosedStream(io.TextIOBase):
    """Standard output when the process started without one (``>&-``): every write is an error.

    Python sets ``sys.stdout`` to None then, and output would vanish with exit code 0; this makes
    a command that writes there fail with one line and code 2 instead.
    """

    encoding = "utf-8"

    def write(self, text: str) -> int:
        """Refuse, as writing to a closed descriptor does."""
        raise OSError(errno.EBADF, "the standard output is closed")

    def writable(self) -> bool:
        """Nothing can be written here."""
        return True

    def isatty(self) -> bool:
        """Not a terminal."""
        return False


def _discard_stdout() -> None:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


def _stop(signum: int, frame: FrameType | None) -> None:
    """Unwind on the first stopping signal; later ones are ignored, so the cleanup runs to its end."""
    for other in STOPPING:
        signal.signal(other, signal.SIG_IGN)
    raise Stopped(signum)


def stop_on_signals() -> None:
    """Turn SIGINT, SIGTERM and SIGHUP into :class:`Stopped` in this (main) thread."""
    for signum in STOPPING:
        if signal.getsignal(signum) is not signal.SIG_IGN:  # nohup's SIGHUP stays ignored
            signal.signal(signum, _stop)


class Prefetch:
    """Imports the renderer in a thread while the checker's worker process computes.

    The parent only waits on a pipe while a forked worker checks the steps, so on a machine with
    more than one core the renderer's imports (rich, SymPy's pretty printer) cost no wall time
    there. The thread starts once the first worker is forked, and every later fork waits for it to
    end (``os.register_at_fork``), so no child can inherit an import lock held by the thread.
    """

    thread: threading.Thread | None = None
    registered = False

    def __init__(self, wanted: bool) -> None:
        self.wanted = wanted and (os.cpu_count() or 1) > 1

    def on_progress(self, line: object) -> None:
        """Start the import thread when the first claim starts (the worker is forked by then)."""
        if not self.wanted or Prefetch.thread is not None:
            return
        if not Prefetch.registered:
            if not hasattr(os, "register_at_fork"):  # no fork here: workers are spawned
                return
            os.register_at_fork(before=Prefetch.wait)
            Prefetch.registered = True
        Prefetch.thread = threading.Thread(target=_import_renderer, daemon=True)
        Prefetch.thread.start()

    @staticmethod
    def wait() -> None:
        """Wait for the import thread, if one runs (before a fork, and before the process ends)."""
        thread = Prefetch.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()


def _import_renderer() -> None:
    try:
        from rich.console import Console  # noqa: F401
        from rich.table import Table  # noqa: F401

        import symbn.render.terminal  # noqa: F401
    except Exception:  # pragma: no cover - the renderer imports again, and reports, when it runs
        pass


MAX_PRINTED_DIGITS = 200_000  # (10^{59})^{100} has 5,901 digits; Python prints 4,300 by default


def allow_long_numbers() -> None:
    """Let the numbers a claim may hold be printed: the reader's caps (60 digits a number, powers
    up to 1000) allow a few hundred thousand digits, past Python's guard of 4,300."""
    limit = getattr(sys, "get_int_max_str_digits", None)
    if limit is not None and 0 < limit() < MAX_PRINTED_DIGITS:
        sys.set_int_max_str_digits(MAX_PRINTED_DIGITS)


def entry() -> None:
    """The ``symbn`` command: :func:`main` with clean stops on signals, then a fast exit.

    Tearing down an interpreter full of SymPy objects takes tens of milliseconds and does nothing
    a short-lived command needs, so once the output is flushed the process ends with ``os._exit``.
    """
    code: int = 0
    stop_on_signals()
    if sys.stdout is None:
        sys.stdout = ClosedStream()
    ascii_console()
    allow_long_numbers()
    try:
        from symbn.cli import main

        main()
    except SystemExit as done:
        if isinstance(done.code, int):
            code = done.code
        elif done.code is not None:
            print(done.code, file=sys.stderr)
            code = 1
    except Stopped as stopped:
        code = 128 + stopped.signum
        try:
            print(stopped.message, file=sys.stderr)
        except (OSError, ValueError):  # a hung-up terminal
            pass
    Prefetch.wait()
    if sys.stdout is not None:
        try:
            sys.stdout.flush()
        except OSError as exc:
            code = output_failed(exc) if code in (0, 1) else code
        except ValueError:
            pass
    if sys.stderr is not None:
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)
