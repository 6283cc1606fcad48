"""Declarations: what plain LaTeX leaves ambiguous, said once per document.

Which letters are sizes, which are positive, which ``x^2``-looking names are one name, which names
are families of examples (``a^{[l-1]}`` written alone is the current example), whether a bar is the
batch mean. Read from TOML (a sidecar ``FILE.symbn.toml``, a ``symbn-declare`` block in the document)
with :mod:`tomllib`, which parses data and never runs code, and from command-line options.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from symbn.errors import InputError
from symbn.notation import GREEK
from symbn.parse.files import read_regular_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

GREEK_NAMES = frozenset([*GREEK, "varepsilon", "vartheta", "varphi", "ell"])
KEYS = {
    "title",
    "name",
    "sizes",
    "positive",
    "names",
    "bar",
    "units",
    "claims",
    "examples",
    "assume",
    "values",
    "outputs",
}
MAX_ASSUMPTIONS = 50
MAX_DECLARATION_BYTES = 256 << 10  # a declaration is a few lines; a cap keeps a hostile one cheap
MAX_DEPTH = 4  # the deepest a declaration nests: [examples] families = [...]
EXAMPLE_KEYS = {"families", "count", "index", "current"}
BAR_MEANINGS = ("name", "mean")

_WRITTEN = re.compile(
    r"^(?P<base>\\[A-Za-z]+\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z]+)"
    r"(?P<scripts>(?:[_^](?:\{(?:[^{}]|\{[^{}]*\})*\}|[A-Za-z0-9]))*)$"
)
_SCRIPT = re.compile(r"([_^])(\{(?:[^{}]|\{[^{}]*\})*\}|[A-Za-z0-9])")
_WORD_COMMAND = re.compile(r"^\\(?:mathrm|text|textrm|operatorname|mathit)\{([A-Za-z]+)\}$")


def canonical(base: str, sub: str = "", sup: str = "") -> str:
    """The name symbn gives ``base`` with these scripts: ``sigma^2``, ``W^{[l]}``, ``z_{norm}^{[l]}``."""
    out = base
    for mark, body in (("_", sub), ("^", sup)):
        if body:
            out += f"{mark}{body}" if len(body) == 1 else f"{mark}{{{body}}}"
    return out


def canonical_base(written: str) -> str:
    """``\\sigma`` → ``sigma``, ``\\mathrm{run}`` → ``run``; letters and accents stay as written."""
    word = _WORD_COMMAND.match(written)
    if word:
        return word.group(1)
    if written.startswith("\\") and written[1:] in GREEK_NAMES:
        return written[1:]
    return written


def name_of(written: str) -> str:
    """The canonical name of a name written in LaTeX, as a declaration gives it (``\\sigma^2``)."""
    text = re.sub(r"\s+", "", written)
    match = _WRITTEN.match(text)
    if not match or not text:
        raise InputError(
            f'cannot read {written!r} as a name; write it as in the document, e.g. "a^{{[l-1]}}"'
        )
    parts = {"_": "", "^": ""}
    for mark, body in _SCRIPT.findall(match.group("scripts")):
        parts[mark] = body[1:-1] if body.startswith("{") else body
    return canonical(canonical_base(match.group("base")), parts["_"], parts["^"])


@dataclass(frozen=True)
class Declaration:
    """The notation of one document; every field has a safe default (a plain real letter)."""

    title: str = ""
    name: str = ""
    sizes: frozenset[str] = frozenset()
    positive: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    bar: str = "name"
    units: frozenset[str] = frozenset()
    claims: frozenset[str] = frozenset()
    families: frozenset[str] = frozenset()
    count: str = ""
    index: str = "i"
    current: str = "j"
    assume: tuple[str, ...] = ()
    values: frozenset[str] = frozenset()  # never functions: a(b + c) is a product
    outputs: frozenset[str] = frozenset()  # what an undefined loss L is a function of (∂L/∂…)
    sources: tuple[str, ...] = field(default=())
    # where each of ``assume`` is written (its errors name it): one entry per assumption
    assume_sources: tuple[str, ...] = field(default=(), compare=False)

    def merged(self, other: Declaration) -> Declaration:
        """This declaration extended by ``other`` (lists joined, ``other``'s single values win)."""
        return replace(
            self,
            title=other.title or self.title,
            name=other.name or self.name,
            sizes=self.sizes | other.sizes,
            positive=self.positive | other.positive,
            names=self.names | other.names,
            bar=other.bar if other.bar != "name" else self.bar,
            units=self.units | other.units,
            claims=self.claims | other.claims,
            families=self.families | other.families,
            count=other.count or self.count,
            index=other.index if other.index != "i" else self.index,
            current=other.current if other.current != "j" else self.current,
            assume=self.assume + tuple(a for a in other.assume if a not in self.assume),
            assume_sources=self.assumption_sources
            + tuple(
                where
                for a, where in zip(other.assume, other.assumption_sources, strict=True)
                if a not in self.assume
            ),
            values=self.values | other.values,
            outputs=self.outputs | other.outputs,
            sources=self.sources + other.sources,
        )

    @property
    def assumption_sources(self) -> tuple[str, ...]:
        """Where each assumption is written (the last source where none is recorded)."""
        if len(self.assume_sources) == len(self.assume):
            return self.assume_sources
        fallback = self.sources[-1] if self.sources else "the declaration"
        return (fallback,) * len(self.assume)

    @property
    def example_count(self) -> str:
        """The size the examples run to: declared, or the only declared size."""
        if self.count:
            return self.count
        return next(iter(self.sizes)) if len(self.sizes) == 1 else ""


def from_toml(text: str, source: str) -> Declaration:
    """A declaration from TOML text; unknown keys and wrong types are errors that name the key."""
    return from_mapping(_loaded(text, source), source)


def from_file(path: str | Path) -> Declaration:
    """The declaration in the TOML file at ``path`` (a sidecar or ``--declare``), errors at its line.

    Only a regular file is read, at most :data:`MAX_DECLARATION_BYTES` of it; a key that is wrong
    is reported at ``path:line`` where the key is written.
    """
    text = read_regular_text(path, MAX_DECLARATION_BYTES, "declaration file")
    source = str(path)
    data = _loaded(text, source)
    for key, value in data.items():
        from_mapping({key: value}, _key_line(text, key, source))
    found = from_mapping(data, source)
    if found.assume:
        where = _key_line(text, "assume", source)
        found = replace(found, assume_sources=(where,) * len(found.assume))
    return found


def _loaded(text: str, source: str) -> dict[str, Any]:
    """``text`` parsed as TOML, capped in size and depth; every failure an :class:`InputError`."""
    if len(text) > MAX_DECLARATION_BYTES:
        raise InputError(
            f"{source}: a declaration of {len(text)} characters; symbn reads up to "
            f"{MAX_DECLARATION_BYTES}"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise InputError(f"{source}: nested too deeply for a declaration") from None
    except ValueError as exc:  # an integer past Python's digit limit, and the like
        raise InputError(f"{source}: not a declaration symbn reads: {exc}") from None
    _check_depth(data, source)
    return data


def _check_depth(data: dict[str, Any], source: str) -> None:
    """An error naming the outermost key of anything nested deeper than :data:`MAX_DEPTH`."""
    todo: list[tuple[Any, int, str]] = [(value, 1, key) for key, value in data.items()]
    while todo:
        value, depth, key = todo.pop()
        if depth > MAX_DEPTH:
            raise InputError(
                f"{source}: {key}: nested more than {MAX_DEPTH} levels; a declaration holds strings, "
                "lists of strings and the [examples] table"
            )
        children = (
            value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        )
        todo.extend((child, depth + 1, key) for child in children)


def _key_line(text: str, key: str, source: str) -> str:
    """``source:line`` of the first line that sets or opens ``key``, else ``source`` alone."""
    pattern = re.compile(rf"^[ \t]*(?:\[[ \t]*)?[\"']?{re.escape(key)}[\"']?[ \t]*(?:[=.\]])", re.M)
    match = pattern.search(text)
    if match is None:
        return source
    return f"{source}:{text.count(chr(10), 0, match.start()) + 1}"


def from_mapping(data: dict[str, Any], source: str) -> Declaration:
    """A declaration from parsed TOML data (see the README's "Checking a document")."""
    unknown = set(data) - KEYS
    if unknown:
        raise InputError(
            f"{source}: unknown key {sorted(unknown)[0]!r}; known keys: {', '.join(sorted(KEYS))}"
        )
    examples = data.get("examples", {})
    if not isinstance(examples, dict):
        raise InputError(f"{source}: 'examples' must be a table: [examples] families = [...]")
    unknown = set(examples) - EXAMPLE_KEYS
    if unknown:
        raise InputError(
            f"{source}: unknown key {sorted(unknown)[0]!r} in [examples]; known keys: "
            f"{', '.join(sorted(EXAMPLE_KEYS))}"
        )
    bar = _text(data, "bar", source) or "name"
    if bar not in BAR_MEANINGS:
        raise InputError(f'{source}: bar must be "mean" or "name", not {bar!r}')
    count = _text(examples, "count", source)
    sizes = _names(data, "sizes", source) | ({name_of(count)} if count else set())
    return Declaration(
        title=_text(data, "title", source),
        name=_text(data, "name", source),
        sizes=frozenset(sizes),
        positive=frozenset(_names(data, "positive", source)),
        names=frozenset(_names(data, "names", source)),
        bar=bar,
        units=frozenset(_names(data, "units", source)),
        claims=frozenset(_strings(data, "claims", source)),
        families=frozenset(_names(examples, "families", source)),
        count=name_of(count) if count else "",
        index=_letter(examples, "index", source) or "i",
        current=_letter(examples, "current", source) or "j",
        assume=(assumptions := _assumptions(data, source)),
        assume_sources=(source,) * len(assumptions),
        values=frozenset(_names(data, "values", source)),
        outputs=frozenset(_names(data, "outputs", source)),
        sources=(source,),
    )


def _text(data: dict[str, Any], key: str, source: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise InputError(f"{source}: {key} must be a string")
    return value


def _strings(data: dict[str, Any], key: str, source: str) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{source}: {key} must be a list of strings")
    return value


def _assumptions(data: dict[str, Any], source: str) -> tuple[str, ...]:
    """``assume = ["\\alpha > 0", "\\epsilon_0 = 0"]``: relations read later by symbn's grammar."""
    found = _strings(data, "assume", source)
    if len(found) > MAX_ASSUMPTIONS:
        raise InputError(f"{source}: more than {MAX_ASSUMPTIONS} assumptions")
    return tuple(found)


def _names(data: dict[str, Any], key: str, source: str) -> set[str]:
    written = _strings(data, key, source)
    try:
        return {name_of(v) for v in written}
    except InputError as exc:
        raise InputError(f"{source}: {key}: {exc}") from None


def _letter(data: dict[str, Any], key: str, source: str) -> str:
    value = _text(data, key, source)
    if value and not re.fullmatch(r"[A-Za-z]", value):
        raise InputError(f"{source}: [examples] {key} must be one letter, not {value!r}")
    return value


def declaration_for(derivation: Any) -> str:
    """The TOML declaration that reads ``derivation``'s rendered LaTeX back into the same objects.

    Written next to a rendered document as ``FILE.symbn.toml``, it lets ``symbn check`` give the
    rendered derivation the verdicts the library gives it (the round trip).
    """
    from sympy import Idx, Indexed, IndexedBase, Symbol

    from symbn.notation import ExampleFamily, HiddenIdx, Mean, UnitFamily, parse_name

    sizes: set[str] = set()
    positive: set[str] = set()
    names: set[str] = set()
    families: set[str] = set()
    units: set[str] = set()
    count, index, current, bar = "", "", "", False
    claims = [
        line.label
        for line in derivation.lines
        if line.is_claim and line.kind.value == "claim" and isinstance(line.lhs, (Symbol, Indexed))
    ]
    for line in derivation.lines:
        for side in (line.lhs, line.rhs):
            for symbol in side.atoms(Symbol):
                if isinstance(symbol, Idx):
                    continue
                if symbol.is_integer and symbol.is_positive:
                    sizes.add(symbol.name)
                elif symbol.is_positive:
                    positive.add(symbol.name)
                parsed = parse_name(symbol.name)
                wordy = parsed.sub.isalpha() and len(parsed.sub) >= 2
                if (parsed.sup and not parsed.sup.startswith("[")) or (parsed.sub and not wordy):
                    names.add(symbol.name)
            for base in side.atoms(IndexedBase):
                if isinstance(base, ExampleFamily):
                    families.add(str(base.label))
                elif isinstance(base, UnitFamily):
                    units.add(str(base.label))
            for hidden in side.atoms(HiddenIdx):
                current, count = str(hidden.label), str(hidden.upper)
            for average in side.atoms(Mean):
                variable, _, upper = average.limits[0]
                index, count, bar = str(getattr(variable, "label", variable)), str(upper), True
    lines = [f"name = {_toml(derivation.name)}", f"title = {_toml(derivation.title)}"]
    for key, values in (("sizes", sizes), ("positive", positive), ("names", names)):
        if values:
            lines.append(f"{key} = [{', '.join(_toml(v) for v in sorted(values))}]")
    if units:
        lines.append(f"units = [{', '.join(_toml(v) for v in sorted(units))}]")
    if bar:
        lines.append('bar = "mean"')
    if claims:
        lines.append(f"claims = [{', '.join(_toml(v) for v in claims)}]")
    if derivation.assumptions:
        from symbn.render.latex import latex

        assumed = ", ".join(_toml(latex(a)) for a in derivation.assumptions)
        lines.append(f"assume = [{assumed}]")
    if families:
        lines.append("\n[examples]")
        lines.append(f"families = [{', '.join(_toml(v) for v in sorted(families))}]")
        for key, value in (("count", count), ("index", index), ("current", current)):
            if value:
                lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n"


def _toml(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def to_mapping(decl: Declaration) -> dict[str, Any]:
    """``decl`` as the keys of a sidecar (empty when it declares nothing): for JSON and TOML."""
    found: dict[str, Any] = {}
    for key in ("title", "name"):
        if getattr(decl, key):
            found[key] = getattr(decl, key)
    for key in ("sizes", "positive", "names", "units", "claims", "values", "outputs"):
        if getattr(decl, key):
            found[key] = sorted(getattr(decl, key))
    if decl.bar != "name":
        found["bar"] = decl.bar
    if decl.assume:
        found["assume"] = list(decl.assume)
    if decl.families:
        examples: dict[str, Any] = {"families": sorted(decl.families)}
        for key in ("count", "index", "current"):
            if getattr(decl, key):
                examples[key] = getattr(decl, key)
        found["examples"] = examples
    return found


def to_toml(decl: Declaration) -> str:
    """``decl`` as the TOML of a sidecar (what ``--write-declaration`` saves for the user to edit)."""
    lines = ["# The notation symbn inferred from this document; edit it and keep it beside it."]
    tables: list[str] = []
    for key, value in to_mapping(decl).items():
        if isinstance(value, dict):
            tables.append(f"\n[{key}]")
            tables.extend(f"{k} = {_toml_value(v)}" for k, v in value.items())
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines + tables) + "\n"


def _toml_value(value: str | list[str]) -> str:
    if isinstance(value, str):
        return _toml(value)
    return f"[{', '.join(_toml(v) for v in value)}]"
