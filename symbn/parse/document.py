"""A Markdown or LaTeX document → a :class:`~symbn.model.Derivation`, with its own equation numbers.

Display equations are ``$$ … $$`` and ``\\[ … \\]`` blocks and the ``equation``, ``align``,
``gather`` and ``multline`` environments (starred or not); rows of an ``align`` (or an
``aligned`` inside ``$$``) are separate lines. A row that starts with ``=`` continues the previous
one. The number of a row is its ``\\tag{…}``, else a trailing ``(1.9)``, else it is counted
(1, 2, … skipping numbers used by tags). Top-level ``\\text{…}`` is the justification, as is an
italic paragraph right after a ``$$`` block. Definitions: a row ``name = …`` (or ``name := …``)
whose left side is a plain name, or a family entry, that no earlier row uses and its right side
does not use, defines it; every other row is a claim (list a label under ``claims`` to force one).
"""

from __future__ import annotations

import bisect
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

from lark import Tree
from sympy import Derivative, Expr, Idx, Indexed, IndexedBase, Pow, Symbol
from sympy.core.function import AppliedUndef

from symbn.errors import DerivationError, InputError, SymbnError
from symbn.model import Derivation, defined_name, recursion_step
from symbn.notation import meaning
from symbn.parse.backward import Backward
from symbn.parse.declare import Declaration, from_file, from_toml
from symbn.parse.files import read_regular, sidecar
from symbn.parse.latex import (
    APPROXIMATE,
    DEFINE,
    DIFFERENT,
    MAX_LENGTH,
    Builder,
    Chain,
    Inference,
    MathError,
    Survey,
    bound_letters,
    index_letters,
    parse_tree,
    stability_constants,
)

MAX_FILE_BYTES = 4 << 20
MAX_READING_MB = 1024  # reading stops (located, exit 2) once it has used this much more memory
MAX_EQUATIONS = 20_000  # hostile input: a bound on the rows read (with MAX_FILE_BYTES)

_OPEN = re.compile(
    r"\$\$|(?<!\\)\$|\\\[|\\begin\{(equation|align|gather|multline|eqnarray|flalign|alignat"
    r"|xalignat|xxalignat|displaymath|dmath|dseries|dgroup|darray|IEEEeqnarray|IEEEeqnarraybox"
    r"|empheq|mathpar)(\*?)\}"
)
# Display environments symbn does not read (breqn, IEEEtran, empheq, mathpartir): refused, located.
_UNREAD_ENVIRONMENTS = {
    "dmath",
    "dseries",
    "dgroup",
    "darray",
    "IEEEeqnarray",
    "IEEEeqnarraybox",
    "empheq",
    "mathpar",
}
# Environments whose rows hold several equations side by side, each pair of columns one: a & b & c & d
_COLUMN_OPENERS = {"align", "alignat", "xalignat", "xxalignat", "flalign"}
_COLUMN_ENV = re.compile(
    r"\\begin\{(?:aligned|alignedat|align|alignat|xalignat|xxalignat|flalign)\*?\}"
)
_COLUMNS = re.compile(r"\s*\{\s*\d+\s*\}")  # the column pairs of an alignat: {2}
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_INLINE_CLOSE = re.compile(r"(?<!\\)\$")
_INTERTEXT = re.compile(r"\\(?:short)?intertext\s*\{")
_LEFT_NUMBER = re.compile(r"^\s*\\text\{\(([^(){}]*)\)\}\s*&&")
_NOTE_PIECE = re.compile(
    r"\s+|\\q?quad(?![A-Za-z])|\\(?:text|mbox|textrm|textit)\s*\{|\{|\\(?:backslash|sim)(?![A-Za-z])|\\hat\{\\ \}"
    r"|\\[&%#_{}$]"
)
_NOTE_SPECIALS = {
    "\\backslash": "\\",
    "\\sim": "~",
    "\\hat{\\ }": "^",
    "\\&": "&",
    "\\%": "%",
    "\\#": "#",
    "\\_": "_",
    "\\{": "{",
    "\\}": "}",
    "\\$": "$",
}
_INNER_ENV = re.compile(
    r"\\(begin|end)\{(aligned|split|gathered|alignedat|alignat|xalignat|xxalignat|align|gather"
    r"|eqnarray|equation|multline|flalign|array)\*?\}(?:\s*\[\s*[tbc]\s*\])?(\{[0-9a-z|@.]*\})?"
)


def _inner_env_end(text: str, at: int) -> int:
    """Where the inner environment's opening that starts at ``at`` ends (with its arguments)."""
    found = _INNER_ENV.match(text, at)
    return found.end() if found else at


# An inner environment's optional argument symbn does not know (the position is [t], [b] or [c]).
_INNER_OPTION = re.compile(r"\\begin\{(?:aligned|gathered|alignedat|array|split)\*?\}\s*(?=\[)")
# An equation number: "(1.9)" at the end, apart from the mathematics (f(2) is an application).
_TRAILING_NUMBER = re.compile(
    r"(?:(?<=\s)|(?<=&)|(?<=\\quad)|^)\([ \t]*(\d+(?:\.\d+)*[a-z]?)[ \t]*\)\s*(?:[.,;]\s*)?$"
)
_TRAILING_PUNCT = re.compile(r"[.,;]\s*$")
# Text that ends where an operand must follow: "(1)" after it is mathematics, not a number.
_AWAITS_OPERAND = re.compile(
    r"(?:[-+*/=^_<>({\[]|\\(?:cdot|times|pm|mp|div|le|ge|leq|geq|neq|ne|approx|equiv))\s*$"
)
_HEADING = re.compile(r"^#{1,6}[ \t]+([^\n]+)$", re.M)
_TEX_TITLE = re.compile(r"\\(?:title|section\*?)\{([^{}]*)\}")
_TEX_DECLARE = re.compile(r"^%[ \t]*symbn-declare[ \t]*\n((?:%[^\n]*\n)*(?:%[^\n]*)?)", re.M)
_ITALIC = re.compile(r"[ \t]*\n(?:[ \t]*\n)?[ \t]*\*(?!\*)([^*\n]+)\*[ \t]*(?:\n|$)")
_TEXT_COMMAND = re.compile(r"\\(text|mbox|textrm|textit)\s*\{")
TEXT_UNESCAPE = {
    r"\textbackslash{}": "\\",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    r"\&": "&",
    r"\%": "%",
    r"\#": "#",
    r"\_": "_",
    r"\{": "{",
    r"\}": "}",
    r"\$": "$",
}


@dataclass(frozen=True)
class Row:
    """One line of display mathematics: its text (other parts blanked, so offsets are the file's)."""

    text: str
    offset: int
    label: str = ""
    why: str = ""
    refusal: tuple[int, str] | None = None  # (offset in text, message): read, and refused


class Place(NamedTuple):
    """Where something is written: 1-based line and column (of its cell, in a notebook)."""

    file: str
    line: int
    column: int
    cell: int | None = None

    def __str__(self) -> str:
        """``file:line:column``, or ``file:cell N:line:column`` in a notebook."""
        cell = "" if self.cell is None else f"cell {self.cell}:"
        return f"{self.file}:{cell}{self.line}:{self.column}"

    def as_dict(self) -> dict[str, Any]:
        """The place as JSON fields (``cell`` only for a notebook)."""
        found: dict[str, Any] = {"file": self.file, "line": self.line, "column": self.column}
        if self.cell is not None:
            found["cell"] = self.cell
        return found


class Problem(str):
    """One reading problem: its one-line text (``file:line:column: message``) and, for JSON and
    annotations, its parts: the :class:`Place` (``None`` when it has none, as a sidecar's
    ``assume`` error) and the message without the place."""

    place: Place | None
    message: str

    def __new__(cls, text: str, place: Place | None = None) -> Problem:
        """The problem ``text``; with ``place``, the text must start with it."""
        problem = super().__new__(cls, text)
        prefix = f"{place}: "
        if place is not None and text.startswith(prefix):
            problem.place, problem.message = place, text[len(prefix) :]
        else:
            problem.place, problem.message = None, text
        return problem

    def as_dict(self, path: str) -> dict[str, Any]:
        """The problem as JSON: its place's fields (else just ``path``) and the message."""
        where = self.place.as_dict() if self.place else {"file": path}
        return {**where, "message": self.message}


@dataclass
class Document:
    """A read document: the derivation built from it and the problems met (one line each)."""

    path: str
    derivation: Derivation
    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    unread: int = 0  # display rows that could not be read: the summary must never say all holds
    inferred: Declaration = field(default_factory=Declaration)  # notation read from the writing
    locations: dict[str, Place] = field(default_factory=dict)  # label → where its row starts
    stopped: bool = False  # reading stopped at its time or memory budget: rows were left unread


class _Positions:
    def __init__(self, path: str, text: str, cells: list[tuple[int, int]] | None = None) -> None:
        self.path = path
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.cells = cells or []  # (offset where a notebook's cell starts, its number)

    def place(self, offset: int) -> Place:
        """The :class:`Place` of an offset into the text."""
        line = bisect.bisect_right(self.starts, offset) - 1
        column = offset - self.starts[line] + 1
        if not self.cells:
            return Place(self.path, line + 1, column)
        k = bisect.bisect_right([start for start, _ in self.cells], offset) - 1
        start, number = self.cells[max(k, 0)]
        first = bisect.bisect_right(self.starts, start) - 1
        return Place(self.path, line - first + 1, column, number)

    def where(self, offset: int) -> str:
        """``file:line:column`` of an offset (``file:cell N:line:column`` in a notebook)."""
        return str(self.place(offset))


def notebook_text(data: bytes, path: str) -> tuple[str, list[tuple[int, int]]]:
    """The Markdown cells of a Jupyter notebook as one text, and where each cell starts.

    The notebook is read as JSON data; its code cells are never run, nor read.
    """
    import json

    try:
        notebook = json.loads(data.decode("utf-8"))
        cells = notebook["cells"] if isinstance(notebook, dict) else None
        if not isinstance(cells, list):
            raise ValueError("no list of cells")
    except (UnicodeDecodeError, ValueError, KeyError) as exc:
        raise InputError(f"{path}: not a Jupyter notebook ({exc})") from None
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        starts.append((offset, number))
        parts.append(text + "\n\n")
        offset += len(text) + 2
    return "".join(parts), starts


def read_document(
    path: str | Path, extra: Declaration | None = None, *, budget: float | None = None
) -> Document:
    """Read and build the document at ``path``; an :class:`InputError` when it cannot be read at all.

    ``budget``: CPU seconds the reading may take; the displays not reached by then are not read
    (one problem says so), so a huge document cannot keep the reader busy outside every budget.
    """
    file = Path(path)
    raw = read_regular(file, MAX_FILE_BYTES, "document")
    try:
        cells: list[tuple[int, int]] | None = None
        if file.suffix.lower() == ".ipynb":
            text, cells = notebook_text(raw, str(file))
        else:
            text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{file}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read: {exc.strerror or exc}") from None
    declaration = Declaration()
    side = sidecar(file)
    if side is not None:
        declaration = from_file(side)
    kind = "tex" if file.suffix.lower() in (".tex", ".latex", ".ltx") else "md"
    return read_text(
        text, str(file), kind=kind, declaration=declaration, extra=extra, cells=cells, budget=budget
    )


def has_display_math(path: str | Path) -> bool:
    """Whether the document at ``path`` holds display mathematics to read (code blocks and
    comments excluded), found by the reader's own scan without building anything.

    ``False`` for a file that cannot be read at all: a document only found by a walk is skipped.
    """
    file = Path(path)
    try:
        raw = read_regular(file, MAX_FILE_BYTES, "document")
        cells: list[tuple[int, int]] | None = None
        if file.suffix.lower() == ".ipynb":
            text, cells = notebook_text(raw, str(file))
        else:
            text = raw.decode("utf-8")
        kind = "tex" if file.suffix.lower() in (".tex", ".latex", ".ltx") else "md"
        positions = _Positions(str(file), text, cells)
        visible, _, skips = _declarations(text, kind, positions)
        rows, problems = _rows(visible, kind, positions, skips)
    except (SymbnError, OSError, UnicodeDecodeError):
        return False
    return bool(rows or problems)


def read_text(
    text: str,
    path: str = "<text>",
    *,
    kind: str = "md",
    declaration: Declaration | None = None,
    extra: Declaration | None = None,
    cells: list[tuple[int, int]] | None = None,
    budget: float | None = None,
) -> Document:
    """Build the derivation written in ``text`` (Markdown ``md`` or LaTeX ``tex``); ``cells``:
    where each cell of a notebook starts in ``text`` and its number, for locations; ``budget``:
    CPU seconds the reading may take (see :func:`read_document`)."""
    deadline = None if budget is None else time.process_time() + budget
    if len(text) > MAX_FILE_BYTES:
        raise InputError(
            f"{path}: {len(text)} characters; symbn reads documents up to {MAX_FILE_BYTES}"
        )
    positions = _Positions(path, text, cells)
    visible, declared, skips = _declarations(text, kind, positions)
    decl = (declaration or Declaration()).merged(declared)
    if extra is not None:
        decl = decl.merged(extra)
    rows, problems = _rows(visible, kind, positions, skips)
    if not rows and not problems:
        raise InputError(f"{path}: no display equations found ($$ … $$, equation, align)")
    title = decl.title or _title(text, kind) or Path(path).stem
    name = decl.name or re.sub(r"[^a-z0-9]+", "-", Path(path).stem.lower()).strip("-") or "document"
    derivation = Derivation(title, name=name)
    locations: dict[str, Place] = {}
    stop = _Deadline(deadline, budget)
    unread, inferred = _build(derivation, rows, decl, positions, problems, locations, stop)
    messages = [
        Problem(message, positions.place(offset) if offset >= 0 else None)
        for offset, message in sorted(problems)
    ]
    derivation.not_read = tuple(messages)
    return Document(
        path, derivation, messages, len(rows), unread, inferred, locations, stopped=stop.fired
    )


# Declarations ---------------------------------------------------------------------------------


_SKIP = re.compile(r"symbn:\s*skip")


def _declarations(
    text: str, kind: str, positions: _Positions
) -> tuple[str, Declaration, list[int]]:
    """The text with code blocks and comments blanked, the declarations found in them, and where
    each ``symbn: skip`` comment ends (the display after it is not read)."""
    decl = Declaration()
    skips: list[int] = []
    chars = list(text)

    def blank(start: int, end: int) -> None:
        for k in range(start, end):
            if chars[k] != "\n":
                chars[k] = " "

    def add(body: str, offset: int) -> None:
        nonlocal decl
        decl = decl.merged(from_toml(body, positions.where(offset)))

    if kind == "md":
        for start, body_start, body_end, end, info in _fences(text):
            if info in ("symbn-declare", "toml symbn-declare"):
                add(text[body_start:body_end], body_start)
            blank(start, end)
        pos = 0
        while (start := text.find("<!--", pos)) >= 0:
            close = text.find("-->", start + 4)
            end = len(text) if close < 0 else close + 3
            body = text[start + 4 : close if close >= 0 else len(text)]
            if _SKIP.fullmatch(body.strip()):
                skips.append(end)
            elif body.lstrip().startswith("symbn:") and close >= 0:
                add(body.lstrip()[len("symbn:") :], start + 4)
            blank(start, end)
            pos = end
    else:
        for match in _TEX_DECLARE.finditer(text):
            body = re.sub(r"^%[ \t]?", "", match.group(1), flags=re.M)
            add(body, match.start(1))
        for match in re.finditer(r"(?<!\\)%[^\n]*", text):
            if _SKIP.fullmatch(match.group(0)[1:].strip()):
                skips.append(match.end())
            blank(match.start(), match.end())
    return "".join(chars), decl, skips


def _fences(text: str) -> list[tuple[int, int, int, int, str]]:
    """Fenced code blocks: (start, body start, body end, end, info string); unclosed runs to the end."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    found = []
    k = 0
    while k < len(lines):
        marker = lines[k][:3]
        if marker in ("```", "~~~"):
            close = k + 1
            while close < len(lines) and lines[close].strip() != marker:
                close += 1
            end = starts[min(close + 1, len(lines))]
            found.append((starts[k], starts[k + 1], starts[close], end, lines[k][3:].strip()))
            k = close + 1
            continue
        k += 1
    return found


def _title(text: str, kind: str) -> str:
    match = _HEADING.search(text) if kind == "md" else _TEX_TITLE.search(text)
    if not match:
        return ""
    return match.group(1).rstrip("# \t").replace("*", "").strip()


# Finding the equations ------------------------------------------------------------------------


def _rows(
    text: str, kind: str, positions: _Positions, skips: list[int] | None = None
) -> tuple[list[Row], list[tuple[int, str]]]:
    pending = sorted(skips or [])
    rows: list[Row] = []
    problems: list[tuple[int, str]] = []
    pos = 0
    paragraph_end = -1
    while True:
        match = _OPEN.search(text, pos)
        if match is None:
            break
        opener = match.group(0)
        if opener == "$":
            # Inline math ($\sigma$$^{2}$ is two of them, not a display): skip to its closing $
            # within the paragraph, as MathJax, KaTeX and TeX read it; a lone $ is text.
            if paragraph_end < match.end():
                blank_line = _BLANK_LINE.search(text, match.end())
                paragraph_end = len(text) if blank_line is None else blank_line.start()
            close = _INLINE_CLOSE.search(text, match.end(), paragraph_end)
            pos = match.end() if close is None else close.end()
            continue
        if opener == "$$":
            closer = "$$"
        elif opener == "\\[":
            closer = "\\]"
        else:
            closer = f"\\end{{{match.group(1)}{match.group(2)}}}"
        end = text.find(closer, match.end())
        if end < 0:
            problems.append(
                (
                    match.start(),
                    f"{positions.where(match.start())}: {opener} is never closed by {closer}",
                )
            )
            break
        skipped = bool(pending) and pending[0] <= end  # a marker before or inside the display
        while pending and pending[0] <= end:
            pending.pop(0)
        if skipped or _SKIP.search(text, match.end(), end):
            pos = end + len(closer)  # the author asked symbn not to read this display
            continue
        if match.group(1) in _UNREAD_ENVIRONMENTS:
            problems.append(
                (
                    match.start(),
                    f"{positions.where(match.start())}: symbn does not read the "
                    f"{match.group(1)}{match.group(2)} environment: write its rows in an align "
                    "(or equation) environment, or put % symbn: skip before it",
                )
            )
            pos = end + len(closer)
            continue
        body_start = match.end()
        if match.group(1) and match.group(1).endswith("alignat"):
            pairs = _COLUMNS.match(text, body_start)
            body_start = pairs.end() if pairs else body_start
        inner = _COLUMN_ENV.search(text, body_start, end)
        columns = match.group(1) in _COLUMN_OPENERS or inner is not None
        block = _block_rows(text, body_start, end, columns=columns)
        if opener == "$$" and block:
            why = _ITALIC.match(text, end + 2)
            if why and not block[-1].why:
                words = why.group(1).strip()
                if _CONDITION.search(words):
                    at = why.start(1) - block[-1].offset
                    block[-1] = replace(block[-1], refusal=(at, _condition_message(words)))
                else:
                    block[-1] = replace(block[-1], why=words)
        rows.extend(block)
        if len(rows) > MAX_EQUATIONS:
            raise InputError(f"{positions.path}: more than {MAX_EQUATIONS} equations")
        pos = end + len(closer)
    return _number(rows), problems


def _block_rows(text: str, start: int, end: int, *, columns: bool = False) -> list[Row]:
    unknown = [
        (
            m.end(),
            "an inner environment's position is [t], [b] or [c]: anything else in brackets "
            "here is not mathematics; write one of those, or leave it out",
        )
        for m in _INNER_OPTION.finditer(text, start, end)
        if _inner_env_end(text, m.start()) <= m.end()  # not a known position [t], [b], [c]
    ]
    body = _INNER_ENV.sub(lambda m: " " * len(m.group(0)), text[start:end])
    body, spacing = _row_spacing(body)
    spacing = sorted(spacing + [(at - start, message) for at, message in unknown])
    # A cases environment is one term of its row: its \\, & and \text are its own, not the row's
    masks = [(m.start(), m.group(0)) for m in _CASES.finditer(body)]
    for at, written in masks:
        blank = re.sub(r"[^\n]", " ", written[2:])
        body = body[:at] + "{" + blank[:-1] + " }" + body[at + len(written) :]
    body, spans = _join_operator_rows(body, _split_rows(body))
    rows: list[Row] = []
    for piece_start, piece_end in spans:
        pieces = _row(
            body[piece_start:piece_end], start + piece_start, follows=bool(rows), columns=columns
        )
        bad = next(((at, m) for at, m in spacing if piece_start <= at < piece_end), None)
        if bad is not None:
            label = next((p.label for p in pieces if p.label), "")
            refusal = (bad[0] - piece_start, bad[1])
            pieces = [Row(body[piece_start:piece_end], start + piece_start, label, refusal=refusal)]
        for row in (_unmask(r, masks, start) for r in pieces):
            if not row.text.strip() and row.refusal is None:
                # A row with only a justification (or a number): it belongs to the equation above
                # it, as the renderers place a justification too long to stand beside its line.
                if rows:
                    last = rows[-1]
                    why = "; ".join(w for w in (last.why, row.why) if w)
                    rows[-1] = Row(last.text, last.offset, last.label or row.label, why)
                continue
            if not row.text.strip() and rows:
                # a condition on the row below the equation: the equation is refused, there
                last = rows[-1]
                assert row.refusal is not None
                at = row.offset + row.refusal[0] - last.offset
                rows[-1] = replace(
                    last, label=last.label or row.label, refusal=(at, row.refusal[1])
                )
                continue
            rows.append(row)
    return rows


# The optional space after a row's \\ (\\[4pt], \\*[-1.5ex], \\[0.5\baselineskip]): layout only.
_LENGTH = re.compile(
    r"[-+]?\s*(?:(?:\d+(?:[.,]\d*)?|[.,]\d+)\s*(?:true)?(?:pt|em|ex|mm|cm|in|bp|mu|pc|dd|cc|sp|px"
    r"|nd|nc)(?![A-Za-z])|(?:\d+(?:[.,]\d*)?|[.,]\d+)?\s*\\(?:baselineskip|normalbaselineskip|jot"
    r"|lineskip|lineskiplimit|smallskipamount|medskipamount|bigskipamount|parskip"
    r"|abovedisplayskip|belowdisplayskip|abovedisplayshortskip|belowdisplayshortskip)(?![A-Za-z]))"
)
_GLUE = re.compile(
    rf"{_LENGTH.pattern}(?:\s*plus\s*{_LENGTH.pattern})?(?:\s*minus\s*{_LENGTH.pattern})?"
)


def _row_spacing(body: str) -> tuple[str, list[tuple[int, str]]]:
    """``body`` with the ``*`` and the ``[length]`` after each row's ``\\`` blanked, and where a
    bracket after ``\\`` is not a length symbn recognises (each refused: never read as math)."""
    chars = list(body)
    bad: list[tuple[int, str]] = []
    for k in _top_level_backslashes(body):
        if not body.startswith("\\\\", k):
            continue
        j = k + 2
        if body[j : j + 1] == "*":
            chars[j] = " "
            j += 1
        spaced = re.match(r"\s+\[", body[j:])
        if spaced:
            bad.append(
                (
                    j + spaced.end() - 1,
                    "a [ after \\\\ and a space: amsmath reads it as mathematics, MathJax and "
                    "KaTeX as the row's spacing; write the spacing right after \\\\ (\\\\[4pt]), or "
                    "the bracket as \\left[ … \\right]",
                )
            )
            continue
        if body[j : j + 1] != "[":
            continue
        close = body.find("]", j)
        argument = body[j + 1 : close] if close >= 0 else body[j + 1 :]
        if close >= 0 and _GLUE.fullmatch(argument.strip()):
            for m in range(j, close + 1):
                if chars[m] != "\n":
                    chars[m] = " "
            continue
        bad.append(
            (
                j,
                f"\\\\[{' '.join(argument.split())[:30]}]: not a length symbn recognises as the "
                "row's spacing (4pt, 1.5em, -2mm, 0.5\\baselineskip); write one of these, or "
                "leave the spacing out",
            )
        )
    return "".join(chars), bad


_CASES = re.compile(r"\\begin\s*\{cases\}(?:(?!\\begin\s*\{cases\})[\s\S])*?\\end\s*\{cases\}")


def _unmask(row: Row, masks: list[tuple[int, str]], start: int) -> Row:
    """``row`` with each cases environment it holds written back in (its span was masked)."""
    text = row.text
    for at, written in masks:
        rel = start + at - row.offset
        if rel < 0 or rel + len(written) > len(text):
            continue
        inside = text[rel + 1 : rel + len(written) - 1]
        if text[rel] == "{" and text[rel + len(written) - 1] == "}" and not inside.strip():
            text = text[:rel] + written + text[rel + len(written) :]
    return row if text == row.text else replace(row, text=text)


def _top_level_backslashes(text: str) -> Iterator[int]:
    """Positions of the backslashes outside any braces; an escaped pair (``\\{``, ``\\\\``) counts once."""
    depth, k = 0, 0
    while k < len(text):
        char = text[k]
        if char == "\\":
            if depth == 0:
                yield k
            k += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        k += 1


# A row that goes on with the expression of the row above it: it starts (after &, \quad) with a
# + or - and has no relation of its own (&\quad + b^{[l]}, as the LaTeX export breaks a long line).
_OPERATOR_ROW = re.compile(r"(?:[\s&]|\\q?quad(?![A-Za-z]))*[+-]")
_ROW_RELATION = re.compile(r"=|<|>|\\(?:neq?|[lg]eq?|approx|coloneqq|equiv|[lg]t)(?![A-Za-z])")
_ROW_TEXT = re.compile(r"\\(?:text|mbox|textrm|textit)(?![A-Za-z])")


def _join_operator_rows(
    body: str, spans: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """Rows that continue the expression above them joined to it, the ``\\\\`` between blanked
    (positions stay those of the document). Never after a row with text: its justification would
    swallow the terms."""
    chars = list(body)
    out: list[tuple[int, int]] = []
    for begin, end in spans:
        row = body[begin:end]
        if (
            out
            and _OPERATOR_ROW.match(row)
            and not any(_ROW_RELATION.match(row, k) for k in _top_level_positions(row))
            and not _ROW_TEXT.search(
                _LEFT_NUMBER.sub("", _without_intertexts(body[slice(*out[-1])]))
            )
        ):
            chars[out[-1][1] : begin] = " " * (begin - out[-1][1])
            out[-1] = (out[-1][0], end)
            continue
        out.append((begin, end))
    return "".join(chars), out


def _without_intertexts(text: str) -> str:
    """``text`` with its ``\\intertext{…}`` paragraphs taken out (text between rows, not in one)."""
    for start, stop in reversed(_intertexts(text)):
        text = text[:start] + text[stop:]
    return text


def _top_level_positions(text: str) -> Iterator[int]:
    """Positions in ``text`` outside any braces (a relation in ``\\sum_{i=1}`` is not the row's)."""
    depth, k = 0, 0
    while k < len(text):
        char = text[k]
        if char == "\\" and text[k + 1 : k + 2] in "{}":
            k += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0:
            yield k
        k += 1


def _split_rows(body: str) -> list[tuple[int, int]]:
    """Spans of the rows of a block: split at ``\\\\`` outside braces."""
    spans, begin = [], 0
    for k in _top_level_backslashes(body):
        if body.startswith("\\\\", k):
            spans.append((begin, k))
            begin = k + 2
    spans.append((begin, len(body)))
    return spans


def _row(text: str, offset: int, *, follows: bool = False, columns: bool = False) -> list[Row]:
    """The lines of one row; ``follows``: a row after another in its block, which may be a
    justification alone. Two relations on one row (``\\mu = … \\qquad \\sigma = …``) are two lines;
    ``columns``: the row is an align's, whose second, fourth, … ``&`` starts another equation."""
    if len(text) > MAX_LENGTH:
        return [Row(text, offset)]  # too long to read: the parser says so, with its position
    chars = list(text)
    label = ""

    def blank(start: int, stop: int) -> None:
        for k in range(start, stop):
            if chars[k] != "\n":
                chars[k] = " "

    tags = list(re.finditer(r"\\tag\*?\s*\{([^{}]*)\}", text))
    for match in tags:
        label = match.group(1).strip()
        blank(match.start(), match.end())
    left = _LEFT_NUMBER.match(text)
    if len(tags) > 1 or (tags and left):
        at = tags[1].start() if len(tags) > 1 else tags[0].start()
        label = tags[0].group(1).strip()
        return [
            Row(
                text,
                offset,
                label,
                refusal=(
                    at,
                    "a second number for this row (\\tag{…} once per row, "
                    "and no \\text{(…)} && on its left with it): which one names it? write one",
                ),
            )
        ]
    if left:  # the number of an aligned row, written on its left: \text{(1.9)} && …
        label = _unescape(left.group(1).strip())
        blank(left.start(), left.end())
    for start, stop in _intertexts(text):
        blank(start, stop)
    for match in re.finditer(
        r"\\(label\s*\{[^{}]*\}|nonumber\b|notag\b|displaybreak(?:\[\d\])?)", text
    ):
        blank(match.start(), match.end())
    number = _TRAILING_NUMBER.search("".join(chars))
    if number and _AWAITS_OPERAND.search("".join(chars)[: number.start()]):
        number = None  # a − (1): the parenthesis is an operand, not an equation number
    if number and label:
        # x = 1 \quad (2) \tag{3}: a second number, or the factor (2)? never guessed
        return [
            Row(
                text,
                offset,
                label,
                refusal=(
                    number.start(),
                    f"({number.group(1)}) at the end of a row numbered {label}: a second number "
                    "or a factor? write one number (\\tag{…}), or \\cdot (…) for a factor",
                ),
            )
        ]
    if number:
        label = number.group(1)
        blank(number.start(), number.end())
    cleaned = "".join(chars)
    if not re.sub(r"\\[vcl]?dots(?![A-Za-z])|[\s&]", "", cleaned) and re.search("dots", cleaned):
        return []  # a \vdots row: the rows around it are the equations
    lead = re.match(
        r"(?:[\s&]|\\q?quad(?![A-Za-z]))*(\{|\\(?:text|mbox|textrm|textit)\s*\{)", cleaned
    )
    if lead and lead.group(1) == "{" and _loose_relation(cleaned, lead.start(1), len(cleaned)):
        lead = None  # {x}^2 &= 2: mathematics that begins with a group, not a justification
    if follows and lead:
        # a row below an equation that is only a justification: {b - b = 0}, \text{…}{x}
        start = len(cleaned) - len(cleaned.lstrip(" \t\n&"))
        why = _note_words(cleaned, start, len(cleaned))
        if _CONDITION.search(why):
            return [Row("", offset, label, why, refusal=(start, _condition_message(why)))]
        loose = _loose_relation(cleaned, start, len(cleaned))
        if loose is not None:
            message = _loose_message(cleaned, loose, starts_row=True)
            return [Row(text, offset, label, refusal=(loose, message))]
        return [Row("", offset, label, why)]
    leading_and = re.match(r"(?:[\s&,]|\\q?quad(?![A-Za-z]))*\\text\s*\{\s*and\s*\}", cleaned)
    if leading_and:
        loose = _loose_relation(cleaned, leading_and.end(), len(cleaned))
        if loose is not None:
            message = _loose_message(cleaned, loose, starts_row=True)
            return [Row(text, offset, label, refusal=(leading_and.start(), message))]
    rows: list[Row] = []
    found, stray = _lines(cleaned, columns=columns)
    if stray is not None:
        return [
            Row(
                text,
                offset,
                label,
                refusal=(
                    stray,
                    "a column of this align holds no relation of its own: it would be read as "
                    "multiplying the equation before it; write it in the same column, or as "
                    "\\quad \\text{…} after the equation",
                ),
            )
        ]
    for begin, end, why_at, text_at in found:
        refusal = _text_inside(cleaned, begin, text_at)
        if refusal is not None:
            return [Row(text, offset, label, refusal=refusal)]
        piece = [" " if k < begin or k >= end else c for k, c in enumerate(cleaned)]
        why = ""
        if why_at is not None:
            why = _note_words(cleaned, why_at, end)
            if _CONDITION.search(why):
                return [Row(text, offset, label, refusal=(why_at, _condition_message(why)))]
            loose = _loose_relation(cleaned, why_at, end)
            if loose is not None:
                starts_row = not re.sub(r"[\s&]|\\q?quad(?![A-Za-z])", "", cleaned[begin:why_at])
                message = _loose_message(cleaned, loose, starts_row)
                return [Row(text, offset, label, refusal=(loose, message))]
            piece[why_at:end] = [" " if c != "\n" else c for c in cleaned[why_at:end]]
        body = "".join(" " if c == "&" else c for c in piece)
        punct = _TRAILING_PUNCT.search(body)
        if punct:
            body = body[: punct.start()] + " " * (len(body) - punct.start())
        if body.strip() or why:
            rows.append(Row(body, offset, "" if rows else label, why))
    if not rows and label:
        rows.append(Row(" " * len(text), offset, label))
    return rows


# A justification that begins with a condition (|x| = x \quad \text{if } x \ge 0): the claim holds only
# under it, and symbn checks claims for every value, so the condition must be declared instead.
# The condition is a word such as "if", "since", "where" followed by a relation (in $…$ or in the
# words), "for" followed by a comparison or a restricting word ("for positive x"), or a bare
# comparison or restriction ("(x positive)", "x > 0").
_COMPARISON = (
    r"(?:>|<|≤|≥|≠|∉|\\g[et](?:q|qq|qslant)?(?![A-Za-z])|\\l[et](?:q|qq|qslant)?(?![A-Za-z])"
    r"|\\neq?(?![A-Za-z])|\\notin(?![A-Za-z])|\\to(?![A-Za-z])|\\rightarrow(?![A-Za-z])"
    r"|(?<![ijklnt] )(?<![ijklnt])(?<![ijklnt]\$ )(?<![ijklnt]\$)(?:\\in(?![A-Za-z])|∈))"
)
_RESTRICTING = (
    r"(?:strictly\s+)?(?:positive|negative|non-?negative|non-?positive|non-?zero|nonvanishing"
    r"|integers?|integral|natural|even|odd|large|small|rational|irrational|distinct|invertible"
    r"|bounded|finite|sufficiently)\b"
)
_CONDITION_WORDS = (
    r"(?:if|iff|when|whenever|unless|provided|providing|assuming|assume|supposing|suppose|given"
    r"|since|as|because|where|wherever|whereas)"
)
_CONDITION = re.compile(
    rf"^\W*{_CONDITION_WORDS}\b.*(?:{_COMPARISON}|=)"
    rf"|^\W*for\b.*(?:{_COMPARISON}|\b{_RESTRICTING})"
    rf"|^\W*for\b(?!.*\\[lcv]?dots).*="
    rf"|^[(\s]*\$?\\?[A-Za-z]+(?:_\{{?\w+\}}?)?\$?\s*(?:is\s+|are\s+)?(?:{_COMPARISON}|{_RESTRICTING})"
    r"|^[(\s]*(?:strictly\s+)?(?:positive|negative|non-?negative|non-?positive|non-?zero)\b",
    re.S | re.I,
)
# A relation the justification holds as mathematics (not inside \text{…} nor a {…} group, as
# symbn's renderers write mathematics in a justification): it would be displayed but not checked.
_LOOSE_RELATION = re.compile(
    r"(?<![\\<>:])=|<|>|:=|\\(?:neq?|[lg]eq?q?|[lg]eqslant|[lg]t|approx|equiv|coloneqq|leftarrow"
    r"|gets|simeq|cong|propto)(?![A-Za-z])"
)


def _loose_relation(text: str, start: int, end: int) -> int | None:
    """Where ``text[start:end]`` (a justification) holds a relation outside ``\\text{…}`` and
    outside every ``{…}`` group, else None."""
    top = _top_level(text, 0, len(text))
    for match in _LOOSE_RELATION.finditer(text, start, end):
        if not top[match.start()]:
            continue
        before = _note_words(text, start, match.start())
        if _INDEX_RANGE.fullmatch(before) and re.search(r"\\[lcv]?dots", text[match.end() : end]):
            continue  # \text{for } i = 1, \dots, m: the range of an index, not a claim
        return match.start()
    return None


_INDEX_RANGE = re.compile(r"\W*for\s+(?:(?:all|each|every|any)\s+)?\$?[ijklnpqrst]\$?\s*")


def _loose_message(text: str, at: int, starts_row: bool) -> str:
    shown = " ".join(text[at : at + 40].split())
    if starts_row:
        return (
            f"this row begins with text, so symbn would read all of it as a justification and "
            f"never check the relation ({shown}…) it holds: put the words outside the display, or "
            "after the mathematics (1 + 1 = 2 \\quad \\text{…})"
        )
    return (
        f"the justification holds a relation ({shown}…) that would be displayed but never "
        "checked: write it as a row of its own, inside \\text{…} as words, or in braces {…} "
        "to keep it in the justification"
    )


def _condition_message(why: str) -> str:
    return (
        f"the justification states a condition ({why}); symbn checks a claim for every value, so "
        'declare the condition (assume = ["x \\\\ge 0"]) or split the cases into documents'
    )


# Where one line of a row ends and the next begins: \qquad, \quad, ",\quad", \text{and}, ⇒.
_SEPARATOR = re.compile(
    r",?\s*\\q?quad(?![A-Za-z])|,?\s*\\text\s*\{\s*and\s*\}"
    r"|\\(?:Rightarrow|implies|Longrightarrow)(?![A-Za-z])"
)
_RELATION = re.compile(
    r"(?<![\\<>])=|\\(?:neq?|coloneqq|leftarrow|gets|equiv|approx)(?![A-Za-z])|:="
)
_TEXT_START = re.compile(r"\\(?:text|mbox|textrm|textit)\s*\{")


def _top_level(text: str, start: int, end: int) -> list[bool]:
    """For each position in [start, end): whether it is outside every brace and bracket."""
    out, depth, k = [], 0, start
    while k < end:
        char = text[k]
        if char == "\\" and k + 1 < end and text[k + 1] in "{}":
            out += [depth == 0, depth == 0]
            k += 2
            continue
        if char in "{":
            depth += 1
        out.append(depth == 0 if char not in "}" else False)
        if char == "}":
            depth -= 1
        k += 1
    return out


def _lines(
    text: str, *, columns: bool = False
) -> tuple[list[tuple[int, int, int | None, int | None]], int | None]:
    """The lines of a row as (start, end, where the justification starts, where its text starts),
    and where a column of an align holds something that is neither an equation nor a note.

    The mathematics of a line ends at its first top-level ``\\text{…}`` (or a ``{…}`` right after
    ``\\qquad``, as symbn's renderers write a justification): the rest of the line is its
    justification. A separator followed by another relation starts a new line; with ``columns``,
    so does the second, fourth, … top-level ``&`` (the next pair of an align's columns).
    """
    top = _top_level(text, 0, len(text))
    found = [(m.start(), m.end(), False) for m in _SEPARATOR.finditer(text) if top[m.start()]]
    ampersands = [k for k, char in enumerate(text) if char == "&" and top[k]]
    if columns:
        found += [(k, k + 1, True) for k in ampersands[1::2]]
    else:
        # elsewhere (an array, a split, a misplaced &) an & that starts a relation of its own is
        # another equation too: a = 2 & 2 = 4 (or a &= 2 & 2 &= 4) is never a = 2 \cdot 2 = 4
        bounds = [*ampersands, len(text)]
        segments = [text[k + 1 : bounds[n + 1]] for n, k in enumerate(ampersands)]
        for n, k in enumerate(ampersands):
            seg = segments[n]
            leads = _RELATION.match(seg.lstrip()) is not None
            holds = any(top[k + 1 + m.start()] for m in _RELATION.finditer(seg))
            following = n + 1 < len(segments) and (
                _RELATION.match(segments[n + 1].lstrip()) is not None
            )
            if (holds and not leads) or (not holds and seg.strip() and following):
                found.append((k, k + 1, False))
    seps: list[tuple[int, int, bool]] = []
    for sep in sorted(found):
        if not seps or sep[0] >= seps[-1][1]:
            seps.append(sep)
    starts = [0] + [end for _, end, _ in seps]
    ends = [start for start, _, _ in seps] + [len(text)]
    stray: int | None = None
    spans = list(zip(starts, ends, strict=True))
    lines: list[tuple[int, int, int | None, int | None]] = []
    current: list[int] | None = None  # [start, end, why start or -1, text start or -1]
    for k, (begin, end) in enumerate(spans):
        piece = text[begin:end]
        text_at = next(
            (begin + m.start() for m in _TEXT_START.finditer(piece) if top[begin + m.start()]),
            None,
        )
        lead = begin + len(piece) - len(piece.lstrip())
        after_qquad = k > 0 and "qquad" in text[ends[k - 1] : begin]
        if after_qquad and text[lead : lead + 1] == "{":
            text_at = lead
        relation = any(top[begin + m.start()] for m in _RELATION.finditer(piece))
        if text_at is not None:
            relation = any(
                top[begin + m.start()] and begin + m.start() < text_at
                for m in _RELATION.finditer(piece)
            )
        in_note = current is not None and current[2] >= 0
        starts_new = (
            current is not None
            and not in_note
            and relation
            and not piece.lstrip(" \t\n&").startswith(("=", "\\neq", "\\ne "))
            and _has_relation(text, current[0], current[1], top)
        )
        column = k > 0 and seps[k - 1][2]
        if (
            column
            and not starts_new
            and not in_note
            and text_at is None
            and stray is None
            and piece.replace("&", " ").strip()
            and not relation
        ):
            stray = lead
        if current is None or starts_new:
            if current is not None:
                lines.append(_line(current))
            current = [begin, end, -1, -1]
        elif piece.strip() or in_note:
            current[1] = end  # an empty piece (y = x, \qquad \tag{1}) adds nothing
        if not in_note and text_at is not None:
            current[2] = _note_start(text, current[0], text_at)
            current[3] = text_at
    if current is not None:
        lines.append(_line(current))
    return lines, stray


def _line(current: list[int]) -> tuple[int, int, int | None, int | None]:
    begin, end, why_at, text_at = current
    return begin, end, None if why_at < 0 else why_at, None if text_at < 0 else text_at


def _has_relation(text: str, begin: int, end: int, top: list[bool]) -> bool:
    return any(top[begin + m.start()] for m in _RELATION.finditer(text[begin:end]))


def _note_start(text: str, begin: int, text_at: int) -> int:
    """Where a justification starts: its ``\\text``, or the ``\\quad`` / ``&&`` right before it."""
    head = text[begin:text_at]
    stripped = re.sub(r"(?:\s|&|,|\\q?quad(?![A-Za-z])|\\[,;:! ])*$", "", head)
    return begin + len(stripped)


def _text_inside(text: str, begin: int, text_at: int | None) -> tuple[int, str] | None:
    """The ``\\text{…}`` that ends a line's mathematics, when it stands inside the mathematics
    (``= \\text{3} + 2``, ``4 \\text{ + 1}``): displayed but never checked, so refused."""
    match = _TEXT_START.match(text, text_at) if text_at is not None else None
    if match is None:
        return None
    close = _matching_brace(text, match.end() - 1)
    body = text[match.end() : close] if close is not None else ""
    before = text[begin : match.start()].rstrip()
    after_operator = before.endswith(("=", "+", "-", "(", "\\cdot", "\\times", "*", "/"))
    after_separator = not before or re.search(r"(&|,|\\q?quad|\\[,;:! ])$", before)
    if after_operator or (not after_separator and not re.search(r"[A-Za-z]{2}", body)):
        return (
            match.start(),
            f"\\text{{{body}}} is inside the mathematics: it would be displayed but not "
            "checked; write it as mathematics, or put text only after the equation "
            "(\\quad \\text{…})",
        )
    return None


def _note_words(text: str, start: int, end: int) -> str:
    """A justification as text: ``\\text{…}`` as its words, other mathematics as ``$…$``."""
    words: list[str] = []
    math: list[str] = []

    def flush() -> None:
        joined = " ".join("".join(math).split())
        if joined:
            words.append(f"${joined}$")
        math.clear()

    k = start
    while k < end:
        piece = _NOTE_PIECE.match(text, k)
        if piece is None or piece.end() > end:
            char = text[k]
            if char == "&":
                char = " "
            if char.isspace() and not math:
                words.append(" ")
            else:
                math.append(char)
            k += 1
            continue
        token = piece.group(0)
        if token.isspace() or token.startswith("\\quad") or token.startswith("\\qquad"):
            if math:
                math.append(" ")
            else:
                words.append(" ")
            k = piece.end()
            continue
        if token.endswith("{"):
            close = _matching_brace(text, piece.end() - 1)
            if close is None or close >= end:
                math.append(text[k:end])
                break
            body = text[piece.end() : close]
            flush()
            words.append(_unescape(body) if token != "{" else f"${body.strip()}$")
            k = close + 1
            continue
        flush()
        words.append(_NOTE_SPECIALS.get(token, " "))
        k = piece.end()
    flush()
    return re.sub(r"\s+", " ", "".join(words)).strip()


def _intertexts(text: str) -> list[tuple[int, int]]:
    """``\\intertext{…}`` spans (text between the rows of an ``align``: never an equation)."""
    found = []
    pos = 0
    while (match := _INTERTEXT.search(text, pos)) is not None:
        close = _matching_brace(text, match.end() - 1)
        end = len(text) if close is None else close + 1
        found.append((match.start(), end))
        pos = end
    return found


def _matching_brace(text: str, open_at: int) -> int | None:
    depth = 0
    k = open_at
    while k < len(text):
        if text[k] == "\\":
            k += 2
            continue
        if text[k] == "{":
            depth += 1
        elif text[k] == "}":
            depth -= 1
            if depth == 0:
                return k
        k += 1
    return None


def _unescape(text: str) -> str:
    for escaped, plain in TEXT_UNESCAPE.items():
        text = text.replace(escaped, plain)
    return text


def _number(rows: list[Row]) -> list[Row]:
    taken = {r.label for r in rows if r.label}
    counter = 0
    out = []
    for row in rows:
        label = row.label
        if not label:
            counter += 1
            while str(counter) in taken:
                counter += 1
            label = str(counter)
        out.append(replace(row, label=label))
    return out


# Building the derivation ----------------------------------------------------------------------


def _build(
    derivation: Derivation,
    rows: list[Row],
    decl: Declaration,
    positions: _Positions,
    problems: list[tuple[int, str]],
    locations: dict[str, Place],
    deadline: _Deadline,
) -> tuple[int, Declaration]:
    """Add the rows to ``derivation``; the number of rows that could not be read, and the notation
    inferred from the document's own writing."""
    trees: list[Any] = []
    inferred: set[str] = set()
    indices: set[str] = set()
    for k, row in enumerate(rows):
        if deadline.up():  # the loop below says so, at the first row it does not build
            trees.extend([None] * (len(rows) - k))
            break
        if row.refusal is not None:
            _report(problems, positions, row.offset + row.refusal[0], row.refusal[1])
            trees.append(None)
            continue
        try:
            tree = parse_tree(row.text)
            inferred |= bound_letters(tree)
            indices |= index_letters(tree)
        except MathError as exc:
            _report(problems, positions, row.offset + exc.pos, exc.message)
            tree = None
        trees.append(tree)
    inference = Inference()
    for row, tree in zip(rows, trees, strict=True):
        if tree is not None:
            inference.walk(tree, row.text, row.offset)
    guessed = inference.declaration(decl, indices)
    declared = decl.sizes | decl.positive | decl.names | decl.values | decl.families | decl.units
    stable = sorted(stability_constants(trees) - declared)
    if stable:
        guessed = replace(guessed, positive=guessed.positive | set(stable))
        shown = ", ".join(f"$\\{name}$" for name in stable)
        derivation.note(
            f"{shown} is read as positive (a stability constant: written only added under a "
            "square root or a power, as in $\\sqrt{\\sigma^2 + \\epsilon}$)"
        )
    decl = decl.merged(guessed)
    sizes = frozenset(decl.sizes | (inferred - decl.positive - decl.names))
    survey = Survey()
    for row, tree in zip(rows, trees, strict=True):
        if tree is not None:
            survey.walk(tree, row.text, row.offset)
    builder = Builder(
        decl,
        sizes,
        index_letters=frozenset(indices - sizes),
        survey=survey,
        where=positions.where,
        euler=not _makes_quantity(trees, decl, "e", "letter", {"e"}),
        archimedes=not _makes_quantity(trees, decl, "\\pi", "greek", {"pi", "\\pi"}),
    )
    for row, tree in zip(rows, trees, strict=True):
        if tree is not None:
            builder.note_sums(tree, row.text, row.offset)
    readable = True
    used: set[Any] = set()
    backward = Backward(declared=decl.outputs)
    _survey_derivatives(builder, rows, trees, backward)
    failed: dict[
        Any, tuple[int, str]
    ] = {}  # a name whose definition could not be read → where that row is
    unread = 0
    for k, (row, tree) in enumerate(zip(rows, trees, strict=True)):
        if deadline.up():
            deadline.report(problems, positions, row, len(rows) - k)
            unread += len(rows) - k
            break
        if tree is None:
            readable = False
            unread += 1
            _note_failed(builder, row, used, failed)
            continue
        builder.text, builder.offset = row.text, row.offset
        try:
            chain = builder.chain_of(tree)
            _refuse_overlapping_cases(chain, row.text)
            cause = _uses_failed(chain, failed)
            if cause is not None:
                name, where = cause
                _report(
                    problems,
                    positions,
                    row.offset,
                    f"({row.label}) uses {name}, whose definition at {positions.where(where)} "
                    "could not be read; it is not checked",
                )
                readable = False
                unread += 1
                continue
            count = len(derivation.lines)
            chain = _read_losses(derivation, chain, backward, used, row.label)
            readable = _add(derivation, chain, row, decl, readable, used, positions, problems)
            unread += 0 if readable else 1
            start = row.offset + len(row.text) - len(row.text.lstrip())
            for line in derivation.lines[count:]:
                used |= _names_in(line.lhs_meaning) | _names_in(line.rhs_meaning)
                locations[line.label] = positions.place(start)
            continue
        except MathError as exc:
            _report(problems, positions, row.offset + exc.pos, exc.message)
        except DerivationError as exc:
            _report(problems, positions, row.offset, str(exc))
        except RecursionError:
            _report(problems, positions, row.offset, "the expression is nested too deeply")
        except Exception as exc:
            _report(
                problems,
                positions,
                row.offset,
                f"cannot build this equation ({type(exc).__name__})",
            )
        readable = False
        unread += 1
        _note_failed(builder, row, used, failed)
    _assume(derivation, builder, decl, problems)
    _check_usage(builder, decl, positions)
    return unread, replace(guessed, outputs=guessed.outputs | backward.outputs())


def _refuse_overlapping_cases(chain: Chain, text: str) -> None:
    """A ``cases`` whose two conditions can both hold, with different values there: a reader does
    not take the first that holds (SymPy's ``Piecewise`` would), so it is refused. Decided only
    for conditions that compare one variable with numbers; others are read as written."""
    from sympy import EmptySet, Intersection, Piecewise, simplify
    from sympy.logic.boolalg import And, BooleanTrue, Or

    def simple(cond: Any) -> Any:
        if isinstance(cond, BooleanTrue) or len(cond.free_symbols) != 1:
            return None
        parts = [cond] if not isinstance(cond, (And, Or)) else list(cond.args)
        for part in parts:
            if not getattr(part, "is_Relational", False):
                return None
            if not any(side.is_number for side in part.args):
                return None
        try:
            return cond.as_set()
        except Exception:  # not a set SymPy can make: read as written
            return None

    found = re.search(r"\\begin\s*\{cases\}", text)
    at = found.start() if found else 0
    for side in [chain.lhs, *(rhs for _, rhs in chain.steps)]:
        if side is None:
            continue
        for piecewise in meaning(side).atoms(Piecewise):
            cases = [(value, cond, simple(cond)) for value, cond in piecewise.args]
            for k, (value, cond, first) in enumerate(cases):
                for other, cond2, second in cases[k + 1 :]:
                    if first is None or second is None:
                        continue
                    if cond.free_symbols != cond2.free_symbols:
                        continue
                    both = Intersection(first, second)
                    if both == EmptySet:
                        continue
                    if both.is_FiniteSet and len(both) <= 8:
                        (variable,) = cond.free_symbols
                        if all(
                            simplify((value - other).subs(variable, point)) == 0 for point in both
                        ):
                            continue
                    elif simplify(value - other) == 0:
                        continue
                    from symbn.render.latex import latex

                    (variable,) = cond.free_symbols
                    raise MathError(
                        at,
                        f"the cases {latex(cond)} and {latex(cond2)} both hold at "
                        f"{latex(variable)} = {latex(_a_point(both))}, with different values "
                        "there: which one is meant? write conditions that do not overlap "
                        "(symbn does not take the first that holds)",
                    )


def _a_point(found: Any) -> Any:
    """One point of a nonempty set of real numbers (an interval, a finite set, a union)."""
    from sympy import Integer, Interval, Rational, Union

    if isinstance(found, Union):
        return _a_point(found.args[0])
    if isinstance(found, Interval):
        start, end = found.start, found.end
        if start.is_finite and end.is_finite:
            return (start + end) / 2 if start != end else start
        if start.is_finite:
            return start + 1
        if end.is_finite:
            return end - 1
        return Integer(0)
    if found.is_FiniteSet:
        return sorted(found, key=lambda v: Rational(v) if v.is_Rational else 0)[0]
    return Integer(0)


def _survey_derivatives(
    builder: Builder, rows: list[Row], trees: list[Any], backward: Backward
) -> None:
    """Note every derivative the document writes, so that what a loss is a function of is judged
    on the whole document (the rows are built again, for real, afterwards)."""
    for row, tree in zip(rows, trees, strict=True):
        if tree is None or not _DERIVATIVE_HINT.search(row.text):
            continue
        builder.text, builder.offset = row.text, row.offset
        try:
            chain = builder.chain_of(tree)
        except Exception:  # reported when the row is built for real
            continue
        for side in [chain.lhs, *(rhs for _, rhs in chain.steps)]:
            if side is not None:
                backward.survey(side)


_DERIVATIVE_HINT = re.compile(r"\\partial|\\[dt]?frac\s*\{?\s*d")


def _read_losses(
    derivation: Derivation, chain: Chain, backward: Backward, used: set[Any], label: str
) -> Chain:
    """``chain`` with the derivatives of an undefined loss read by the chain rule (:mod:`backward`)."""
    sides = [chain.lhs, *(rhs for _, rhs in chain.steps)]
    read = [None if s is None else backward.read(derivation, s, used, label) for s in sides]
    backward.refuse_value_use(read, label)
    steps = tuple((rel, rhs) for (rel, _), rhs in zip(chain.steps, read[1:], strict=True))
    return Chain(read[0], steps, chain.lhs_pos)


class _Deadline:
    """When reading must stop: at a CPU time (``time.process_time``; ``None``: no limit), or once
    reading has raised this process's peak memory by :data:`MAX_READING_MB` (the parse trees of
    huge rows add up; a kernel that used more before is not held against the document)."""

    def __init__(self, at: float | None, budget: float | None) -> None:
        self.at, self.budget = at, budget
        self.base = _peak_memory_mb()
        self.fired = False  # whether reading was stopped

    def up(self) -> bool:
        """Whether the reading's time or memory is spent."""
        if self.at is not None and time.process_time() >= self.at:
            return True
        return self.memory_spent()

    def memory_spent(self) -> bool:
        """Whether reading has raised the peak memory by more than :data:`MAX_READING_MB`."""
        return _peak_memory_mb() - self.base > MAX_READING_MB

    def report(
        self, problems: list[tuple[int, str]], positions: _Positions, row: Row, left: int
    ) -> None:
        """Say that reading stopped at ``row``, with ``left`` rows not read from there on."""
        self.fired = True
        if self.memory_spent():
            spent = f"more than {MAX_READING_MB} MB of memory were used reading"
        else:
            spent = f"the document's budget of {self.budget:g} s was spent reading"
        _report(
            problems,
            positions,
            row.offset,
            f"reading stopped here: {spent}, so {left} display row(s) from here on are not read; "
            "raise --total-timeout, or split the document",
        )


def _peak_memory_mb() -> float:
    """This process's peak resident memory in MB (0 where it cannot be read)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def _note_failed(
    builder: Builder, row: Row, used: set[Any], failed: dict[Any, tuple[int, str]]
) -> None:
    """Remember what a row that could not be read would have defined (its left side's names)."""
    match = _top_level_relation(row.text)
    if match is None or not row.text[: match.start()].strip():
        return
    text = row.text[: match.start()]
    saved = (builder.text, builder.offset)
    try:
        builder.text, builder.offset = text, row.offset
        lhs = meaning(builder.expression(text))
    except Exception:  # the left side does not read either: nothing to point at
        return
    finally:
        builder.text, builder.offset = saved
    if isinstance(lhs, AppliedUndef):
        names = {lhs.func}
    elif isinstance(lhs, Pow) and isinstance(lhs.base, Symbol):
        names = {lhs.base}
    elif isinstance(lhs, (Symbol, Indexed)):
        names = _names_in(lhs)
    else:
        return
    for name in names - used:
        failed.setdefault(name, (row.offset, " ".join(text.split())))


def _uses_failed(chain: Chain, failed: dict[Any, tuple[int, str]]) -> tuple[str, int] | None:
    """A name of ``chain`` whose definition could not be read, and where, else None."""
    if not failed:
        return None
    sides = [chain.lhs, *(rhs for _, rhs in chain.steps)]
    for side in sides:
        if side is None:
            continue
        for name in _names_in(meaning(side)):
            if name in failed:
                where, written = failed[name]
                return written, where
    return None


def _makes_quantity(
    trees: list[Any], decl: Declaration, written: str, rule: str, names: set[str]
) -> bool:
    """Whether the document makes a constant's letter a quantity: a row that begins ``written = …``
    or ``written := …`` (parsed as ``rule``), or one of ``names`` declared (``e`` is then no
    longer Euler's number). ``\\pi \\neq 3`` or ``\\pi \\approx 3.14`` says something of the constant."""
    declared = decl.names | decl.sizes | decl.positive | decl.families | decl.units | decl.values
    if declared & names:
        return True
    for tree in trees:
        if tree is None or tree.data != "relations":
            continue
        first, relation = tree.children[0], str(tree.children[1])
        if relation in DIFFERENT or relation == APPROXIMATE:
            continue
        if isinstance(first, Tree) and first.data == rule and str(first.children[0]) == written:
            return True
    return False


_ASSUMED_RELATION = re.compile(r"\\geq?(?![A-Za-z])|\\leq?(?![A-Za-z])|>=|<=|[<>=]")


def _assume(
    derivation: Derivation, builder: Builder, decl: Declaration, problems: list[tuple[int, str]]
) -> None:
    """The declared assumptions (``assume = ["\\alpha > 0"]``), read with symbn's grammar."""
    from sympy import Eq, Ge, Gt, Le, Lt

    relations = {">": Gt, "<": Lt, ">=": Ge, "<=": Le, "=": Eq}
    for written, source in zip(decl.assume, decl.assumption_sources, strict=True):
        match = _top_level_relation(written)
        if match is None:
            problems.append(
                (-1, f"{source}: assume: {written!r} is not a relation such as \\alpha > 0")
            )
            continue
        op = {"\\ge": ">=", "\\geq": ">=", "\\le": "<=", "\\leq": "<="}.get(
            match.group(0), match.group(0)
        )
        try:
            sides = []
            for text in (written[: match.start()], written[match.end() :]):
                builder.text, builder.offset = text, 0
                sides.append(builder.expression(text))
            derivation.assume(relations[op](meaning(sides[0]), meaning(sides[1])))
        except (MathError, DerivationError, RecursionError, TypeError, ValueError) as exc:
            reason = exc.message if isinstance(exc, MathError) else str(exc) or type(exc).__name__
            problems.append((-1, f"{source}: assume {written!r}: {reason}"))


def _top_level_relation(text: str) -> re.Match[str] | None:
    """The first relation sign of ``text`` outside braces (``\\sum_{i=1}`` has its ``=`` inside)."""
    depth = 0
    for match in re.finditer(r"[{}]|" + _ASSUMED_RELATION.pattern, text):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            return match
    return None


def _add(
    derivation: Derivation,
    chain: Chain,
    row: Row,
    decl: Declaration,
    previous_readable: bool,
    used: set[Any],
    positions: _Positions,
    problems: list[tuple[int, str]],
) -> bool:
    """Add the lines of one row; False when the row could not be added."""
    steps = list(chain.steps)
    approximate = next((k for k, (rel, _) in enumerate(steps) if rel == APPROXIMATE), None)
    if approximate is not None:
        # a ≈ b is shown as written and never checked: symbn decides equalities only
        derivation.note(
            f"({row.label}) ${' '.join(row.text.split())}$ is an approximation: not checked"
        )
        steps = steps[:approximate]
        if not steps:
            return True
        chain = Chain(chain.lhs, tuple(steps), chain.lhs_pos)
    labels = [row.label] + [f"{row.label}.{k}" for k in range(2, len(steps) + 1)]
    for side in [chain.lhs, *(rhs for _, rhs in steps)]:
        if side is not None:
            _refuse_blind_derivatives(derivation, side)
    relation, rhs = steps[0]
    if chain.lhs is None:
        if not derivation.lines or not previous_readable:
            _report(
                problems,
                positions,
                row.offset,
                f"({row.label}) continues a line that could not be read; it is not checked",
            )
            return False
        if relation in DEFINE:
            raise MathError(0, f"{relation} needs a left side")
        if relation in DIFFERENT:
            derivation.differs(derivation.lines[-1].rhs, rhs, label=labels[0], why=row.why)
        else:
            derivation.then(rhs, label=labels[0], why=row.why)
    else:
        if _recursion(chain.lhs, relation, row.label, decl, used, derivation):
            derivation.recursion(chain.lhs, rhs, label=labels[0], why=row.why)
        elif relation in DEFINE or (
            relation not in DIFFERENT and _defines(chain.lhs, rhs, row.label, decl, used)
        ):
            derivation.define(chain.lhs, rhs, label=labels[0], why=row.why)
        elif relation in DIFFERENT:
            derivation.differs(chain.lhs, rhs, label=labels[0], why=row.why)
        else:
            _refuse_undeclared_power(chain, rhs, used)
            _refuse_late_definition(derivation, chain.lhs, rhs, row.label, decl)
            derivation.step(chain.lhs, rhs, label=labels[0], why=row.why)
    for (relation, rhs), label in zip(steps[1:], labels[1:], strict=True):
        if relation in DEFINE:
            raise MathError(0, f"{relation} can only follow the name it defines")
        if relation in DIFFERENT:
            derivation.differs(derivation.lines[-1].rhs, rhs, label=label, why=row.why)
        else:
            derivation.then(rhs, label=label, why=row.why)
    return True


def _report(
    problems: list[tuple[int, str]], positions: _Positions, offset: int, message: str
) -> None:
    problems.append((offset, f"{positions.where(offset)}: {message}"))


def _names_in(expr: Expr) -> set[Any]:
    found: set[Any] = set(expr.atoms(Symbol))
    found |= {i.base for i in expr.atoms(Indexed)}
    found |= {i.label for i in expr.atoms(IndexedBase)}
    found |= {f.func for f in expr.atoms(AppliedUndef)}
    return found


def _defines(lhs: Expr, rhs: Expr, label: str, decl: Declaration, used: set[Any]) -> bool:
    """Whether ``lhs = rhs`` introduces ``lhs``: a plain name or family entry met here first."""
    if label in decl.claims:
        return False
    if isinstance(lhs, AppliedUndef):
        # sigma(x) = 1/(1 + e^{-x}): the function sigma, for every argument
        arguments = lhs.args
        plain = all(isinstance(a, Symbol) and not a.is_integer for a in arguments)
        if not plain or len(set(arguments)) != len(arguments):
            return False
        return lhs.func not in used and lhs.func not in _names_in(meaning(rhs))
    if isinstance(lhs, Indexed):
        indices = lhs.indices
        plain = all(isinstance(i, Idx) or (isinstance(i, Symbol) and i.is_integer) for i in indices)
        if not plain or len(set(indices)) != len(indices):
            return False
    elif not isinstance(lhs, Symbol) or isinstance(lhs, Idx) or lhs.is_integer:
        return False
    name = defined_name(lhs)
    return name not in used and name not in _names_in(rhs) | _names_in(meaning(rhs))


def _recursion(
    lhs: Expr, relation: str, label: str, decl: Declaration, used: set[Any], derivation: Derivation
) -> bool:
    """Whether ``Q_{n+1} = …`` defines the next term of a sequence met here first (a recursion)."""
    if label in decl.claims or relation in DIFFERENT or not isinstance(lhs, Indexed):
        return False
    if recursion_step(lhs) is None:
        return False
    if lhs.base in {defined_name(line.lhs) for line in derivation.definitions}:
        return False
    if lhs.base in used:
        first = next(
            line
            for line in derivation.lines
            if lhs.base in _names_in(line.lhs_meaning) | _names_in(line.rhs_meaning)
        )
        from symbn.render.latex import latex

        raise MathError(
            0,
            f"({label}) reads as the recursion that defines {latex(lhs.base)}, which "
            f"({first.label}) uses before it: write the recursion before its first use, or list "
            f'"{label}" under claims to check this line as a claim',
        )
    return True


def _refuse_blind_derivatives(derivation: Derivation, expr: Expr) -> None:
    """``d y / d x`` of a name ``y`` that is neither ``x`` nor defined before would be 0 by fiat.

    A derivative *with respect to* a defined quantity is read: the checker keeps its variable a
    variable (``∂(3u)/∂u = 3`` with ``u = 2x``) and substitutes its definition afterwards.
    """
    defined = derivation.defined.keys()
    for node in meaning(expr).atoms(Derivative):
        names = _names_in(node.expr)
        if names & defined:
            continue
        for variable, _ in node.variable_count:
            if variable not in node.expr.free_symbols and not (names & _names_in(variable)):
                from symbn.render.latex import latex

                raise MathError(
                    0,
                    f"the derivative of {latex(node.expr)} with respect to {latex(variable)}: "
                    f"{latex(node.expr)} is not defined before and does not contain "
                    f"{latex(variable)}; define it first (a line such as y = …)",
                )


def _refuse_late_definition(
    derivation: Derivation, lhs: Expr, rhs: Expr, label: str, decl: Declaration
) -> None:
    """``x = 2`` (``x_i = …``, ``f(x) = …``) after rows that use an undefined ``x``: a definition
    that comes after its first use, said at the use, never a refutation of a claim nobody meant."""
    if label in decl.claims:
        return
    named = _would_define(lhs)
    if named is None:
        return
    definitions: dict[Any, Any] = {
        key.func if isinstance(key, AppliedUndef) else key: line
        for key, line in derivation.defined.items()
    }
    if named in definitions:
        return
    reach: set[Any] = set()
    todo = list(_names_in(meaning(rhs)))
    while todo:
        name = todo.pop()
        if name in reach:
            continue
        reach.add(name)
        if name in definitions:
            todo += list(_names_in(definitions[name].rhs_meaning))
    if named in reach:
        return
    first = next(
        (
            line
            for line in derivation.lines
            if named in _names_in(line.lhs_meaning) | _names_in(line.rhs_meaning)
        ),
        None,
    )
    if first is None:
        return
    from symbn.render.latex import latex

    shown = f"{named}(…)" if isinstance(lhs, AppliedUndef) else latex(lhs)
    raise MathError(
        0,
        f"({label}) reads as the definition of {shown}, which ({first.label}) uses before it: "
        f'define {shown} before its first use, or list "{label}" under claims to check '
        "this line as a claim",
    )


def _would_define(lhs: Expr) -> Any:
    """The name a left side would define if it came first (as :func:`_defines` reads it), else None."""
    if isinstance(lhs, AppliedUndef):
        arguments = lhs.args
        plain = all(isinstance(a, Symbol) and not a.is_integer for a in arguments)
        return lhs.func if plain and len(set(arguments)) == len(arguments) else None
    if isinstance(lhs, Indexed):
        indices = lhs.indices
        plain = all(isinstance(i, Idx) or (isinstance(i, Symbol) and i.is_integer) for i in indices)
        return lhs.base if plain and len(set(indices)) == len(indices) else None
    if isinstance(lhs, Symbol) and not isinstance(lhs, Idx) and not lhs.is_integer:
        return lhs
    return None


def _refuse_undeclared_power(chain: Chain, rhs: Expr, used: set[Any]) -> None:
    """``\\sigma^2 = …`` with σ met nowhere before is a name the declaration must list."""
    lhs = chain.lhs
    if not (isinstance(lhs, Pow) and isinstance(lhs.base, Symbol) and lhs.exp.is_Number):
        return
    if lhs.base in used or lhs.base in _names_in(meaning(rhs)):
        return
    from symbn.render.latex import latex

    written = latex(lhs)
    raise MathError(
        chain.lhs_pos,
        f"{written} is read as a power of {latex(lhs.base)}, which appears nowhere before; "
        f'if {written} names a quantity, declare names = ["{_toml_escape(written)}"]',
    )


def _toml_escape(text: str) -> str:
    return text.replace("\\", "\\\\")


def _check_usage(builder: Builder, decl: Declaration, positions: _Positions) -> None:
    for name, uses in builder.usage.items():
        if "alone" in uses and "family" in uses and name not in decl.families:
            raise InputError(
                f"{positions.where(uses['alone'])}: {name} is written alone here and per example "
                f"at {positions.where(uses['family'])}; declare it as a family of examples "
                f'([examples] families = ["{_toml_escape(name)}"], count = "m") so that alone it '
                "means the current example"
            )
