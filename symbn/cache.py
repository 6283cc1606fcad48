"""The verdict cache: a claim whose inputs have not changed is not checked again.

Each claim's verdict is stored under a key that digests exactly what :func:`symbn.check.decide`
reads: the claim's two sides and relation, every assumption of the derivation, the definitions the
claim reaches (directly, through other definitions, or through an assumption), the claim's own
seed (which folds in ``--seed``, the derivation's name and the label), and the environment:
symbn's source files, SymPy's, mpmath's and Python's versions. An expression is digested by its
type and SymPy's own ``_hashable_content`` (what SymPy's ``==`` compares), so two expressions share
a key only when SymPy holds them equal; nothing here computes a normal form or a meaning.

The budget is not in the key; a record keeps the budget it was decided under. A finished
computation does not depend on the budget (only :mod:`symbn.budget` reads a clock), so a holding
verdict is reused under the same or a bigger budget; a refuted, undecided or inconsistent one only
under the same budget, and a claim that ran out of CPU time is re-checked under any other budget.
Other failures (a worker that died, memory, the wall-clock backstop) are never stored.

Entries are files, one per claim, ``<root>/v1/<2 hex>/<key>.json``: written to a temporary file in
the same folder then renamed over the name (atomic on POSIX and Windows), so concurrent runs need
no lock and a reader sees a whole entry or none. Each file begins with the SHA-256 of its body and
names its own key; a truncated, corrupt, foreign or unreadable entry is a miss, never a verdict.
Records are JSON; an expression (a remainder) is stored as a table of nodes rebuilt from a
whitelist of SymPy classes, and stored only if it rebuilds to the same expression. Nothing is
pickled or evaluated.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = 1
LAYOUT = f"v{FORMAT}"
MAX_BYTES = 64 << 20  # the cache's size bound; the oldest entries go first
MAX_ENTRY = 4 << 20  # an entry larger than this is not read
STALE_TEMPORARY = 3600.0  # seconds after which a temporary file left by a crashed run is removed
MAGIC = b"symbn-cache"
# Of the timeouts, only those measured in the worker's CPU time are stored: a wall-clock one says
# more about the machine's load at the time than about the claim.
CPU_TIMEOUTS = ("(CPU time of the worker)", "(the worker's CPU limit)")
# The normal form's canonical summation indices (symbn.normal) have fixed dummy indices at least
# this large: the same in every process, so they may appear in a key.
CANONICAL_DUMMIES = 7_000_000_000


class Unsupported(Exception):
    """An expression this module cannot digest or store faithfully: the claim is not cached."""


# Digests of expressions ------------------------------------------------------------------------


class Digests:
    """SHA-256 digests of expressions by SymPy equality, each distinct node hashed once per run.

    A node's digest is that of its type and of its ``_hashable_content`` with every SymPy object in
    it replaced by that object's digest (a Merkle tree), computed without recursion, so a deep or
    shared expression costs its number of distinct nodes. A Dummy that is not one of the normal
    form's canonical indices has no stable digest; ``any_dummy`` digests it by its name and
    assumptions alone (to compare two expressions whose dummies correspond, never for a key).
    """

    def __init__(self, *, any_dummy: bool = False) -> None:
        self.any_dummy = any_dummy
        self._memo: dict[int, tuple[Any, bytes]] = {}
        self._types: dict[Any, bytes] = {}

    def of(self, expr: Any) -> bytes:
        """The digest of ``expr``; :class:`Unsupported` if it holds something without a stable one."""
        from sympy import Basic

        memo = self._memo
        stack: list[tuple[Any, bool]] = [(expr, False)]
        while stack:
            node, ready = stack.pop()
            if id(node) in memo:
                continue
            if not isinstance(node, Basic):
                raise Unsupported(f"a {type(node).__name__} inside an expression")
            content = _content(node, self.any_dummy)
            if not ready:
                children = [c for c in _basics(content) if id(c) not in memo]
                if children:
                    stack.append((node, True))
                    stack.extend((c, False) for c in children)
                    continue
            hasher = hashlib.sha256(self._type(node))
            _feed(hasher, content, memo)
            memo[id(node)] = (node, hasher.digest())
        return memo[id(expr)][1]

    def _type(self, node: Any) -> bytes:
        kind = type(node)
        if kind not in self._types:
            from sympy.core.function import UndefinedFunction

            if isinstance(kind, UndefinedFunction):
                kwargs = sorted((str(k), repr(v)) for k, v in kind._kwargs.items())
                text = f"undefined function {kind.__name__!r} {kwargs!r}"
            else:
                text = f"{kind.__module__}.{kind.__qualname__}"
            self._types[kind] = hashlib.sha256(text.encode()).digest()
        return self._types[kind]


def _content(node: Any, any_dummy: bool) -> tuple[Any, ...]:
    """What SymPy's ``==`` compares of ``node`` besides its type; a Dummy only if canonical."""
    from sympy import Dummy

    if isinstance(node, Dummy) and node.dummy_index < CANONICAL_DUMMIES:
        if not any_dummy:
            raise Unsupported("a Dummy symbol, whose identity is not stable between runs")
        return (node.name, *sorted(node.assumptions0.items()))
    content = node._hashable_content()
    return content if isinstance(content, tuple) else (content,)


def _basics(content: Any) -> Iterator[Any]:
    from sympy import Basic

    for item in content:
        if isinstance(item, Basic):
            yield item
        elif isinstance(item, tuple):
            yield from _basics(item)


def _feed(hasher: Any, content: Any, memo: dict[int, tuple[Any, bytes]]) -> None:
    """Feed ``content`` to ``hasher`` unambiguously: a tag and a length before every item."""
    from sympy import Basic

    hasher.update(b"(%d" % len(content))
    for item in content:
        if isinstance(item, Basic):
            hasher.update(b"B" + memo[id(item)][1])
        elif isinstance(item, bool) or item is None:
            hasher.update(b"c" + repr(item).encode())
        elif isinstance(item, str):
            data = item.encode("utf-8", "surrogatepass")
            hasher.update(b"s%d:" % len(data) + data)
        elif isinstance(item, int) or (hasattr(item, "__index__") and not isinstance(item, float)):
            hasher.update(b"i" + str(int(item)).encode() + b";")
        elif isinstance(item, tuple):
            _feed(hasher, item, memo)
        else:
            raise Unsupported(f"a {type(item).__name__} in the content of an expression")
    hasher.update(b")")


_ENVIRONMENT: bytes | None = None


def environment() -> bytes:
    """What every verdict also depends on: symbn's source, SymPy's, mpmath's and Python's versions."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        import mpmath
        import sympy

        hasher = hashlib.sha256(b"symbn verdict cache %d\n" % FORMAT)
        hasher.update(f"{sys.implementation.name} {sys.version}\n".encode())
        hasher.update(f"sympy {sympy.__version__}\nmpmath {mpmath.__version__}\n".encode())
        hasher.update(f"mpmath backend {mpmath.libmp.BACKEND}\n".encode())
        package = Path(__file__).resolve().parent
        for path in sorted(package.rglob("*")):
            if path.suffix in (".py", ".lark") and path.is_file():
                data = path.read_bytes()
                name = path.relative_to(package).as_posix().encode()
                hasher.update(b"%s %d\n" % (name, len(data)) + data)
        _ENVIRONMENT = hasher.digest()
    return _ENVIRONMENT


# Keys of claims ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimKey:
    """A claim's key, and the digest of each definition it may use with that definition's label."""

    key: str
    labels: dict[str, str]  # definition digest (hex) -> its label in this derivation


class Keys:
    """The keys of the claims of one run, each expression and definition digested once."""

    def __init__(self) -> None:
        self.digests = Digests()
        self._definitions: dict[int, tuple[Any, bytes, tuple[Any, ...]]] = {}

    def claim(self, job: tuple[Any, ...]) -> ClaimKey | None:
        """The key of one :func:`~symbn.check.decide` job ``(line, definitions, assumptions, seed)``.

        None when the claim holds something without a stable digest: it is then checked as usual.
        """
        line, definitions, assumptions, seed = job
        try:
            return self._claim(line, definitions, assumptions, seed)
        except Exception:  # whatever keeps a key from being computed, the claim is checked
            return None

    def _claim(
        self, line: Any, definitions: Any, assumptions: tuple[Any, ...], seed: int
    ) -> ClaimKey:
        digest = self.digests.of
        hasher = hashlib.sha256(environment())
        hasher.update(b"claim %s %d;" % (line.relation.value.encode(), seed))
        hasher.update(digest(line.lhs) + digest(line.rhs))
        roots: list[Any] = [line.lhs, line.rhs]
        hasher.update(b"assumptions %d;" % len(assumptions))
        for assumption in assumptions:
            kind = type(assumption)
            hasher.update(f"{kind.__module__}.{kind.__qualname__};".encode())
            hasher.update(digest(assumption.lhs) + digest(assumption.rhs))
            roots += [assumption.lhs, assumption.rhs]
        used = self._closure(roots, definitions)
        labels = {d.hex(): label for d, label in used}
        hasher.update(b"definitions %d;" % len(labels))
        for d in sorted(labels):
            hasher.update(bytes.fromhex(d))
        return ClaimKey(hasher.hexdigest(), labels)

    def _closure(self, roots: list[Any], definitions: Any) -> list[tuple[bytes, str]]:
        """Every definition a claim may reach: names in it, then names in their definitions.

        ``definitions`` is the claim's :class:`~symbn.check.Definitions`; a name may have a plain
        definition and a recursion (``Q[n + 1] := …``), and both are reached.
        """
        found: dict[int, Any] = {}
        pending = [c for root in roots for c in self._candidates(root)]
        while pending:
            name = pending.pop()
            for definition in definitions.defining(name):
                if id(definition) in found:
                    continue
                found[id(definition)] = definition
                _, _, names = self._definition(definition)
                pending.extend(names)
        return [(self._definition(d)[1], d.label) for d in found.values()]

    def _definition(self, definition: Any) -> tuple[Any, bytes, tuple[Any, ...]]:
        """A definition's digest (its two sides as written) and the names its sides hold."""
        entry = self._definitions.get(id(definition))
        if entry is None:
            line = definition.line
            digest = hashlib.sha256(
                b"definition" + self.digests.of(line.lhs) + self.digests.of(line.rhs)
            ).digest()
            names = (*self._candidates(line.lhs), *self._candidates(line.rhs))
            entry = (definition, digest, names)
            self._definitions[id(definition)] = entry
        return entry

    def _candidates(self, expr: Any) -> tuple[Any, ...]:
        """Every object of ``expr`` a definition could name: symbols, families, functions."""
        from sympy import IndexedBase, Symbol
        from sympy.core.function import AppliedUndef

        names = []
        seen: set[int] = set()
        stack = [expr]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, (Symbol, IndexedBase)):
                names.append(node)
            elif isinstance(node, AppliedUndef):
                names.append(node.func)
            stack.extend(getattr(node, "args", ()))
        return tuple(names)


# Records ----------------------------------------------------------------------------------------


def budget_allows(stored: float | None, wanted: float | None, holds: bool, timed_out: bool) -> bool:
    """Whether a verdict decided under budget ``stored`` is the verdict under budget ``wanted``.

    The same budget always; a bigger one (None: no budget) for a verdict that holds, which a finished
    computation reaches under any budget at least as large; never otherwise.
    """
    if stored == wanted:
        return True
    if not holds or timed_out:
        return False
    return wanted is None or (stored is not None and wanted > stored)


def encode_decision(decision: Any, timeout: float | None, key: ClaimKey) -> dict[str, Any]:
    """The JSON record of ``decision``; :class:`Unsupported` if its remainder cannot be kept exactly."""
    from symbn.budget import TIMED_OUT

    digest_of = {label: d for d, label in key.labels.items()}
    return {
        "format": FORMAT,
        "key": key.key,
        "timeout": None if timeout is None else float(timeout),
        "timed_out": decision.reason.startswith(TIMED_OUT),
        "verdict": decision.verdict.value,
        "reason": decision.reason,
        "remainder": None if decision.remainder is None else _checked_table(decision.remainder),
        "counterexample": _encode_counterexample(decision.counterexample),
        "numeric": _encode_numeric(decision.numeric),
        "uses": sorted(digest_of[label] for label in decision.uses),
    }


def decode_decision(record: Any, key: ClaimKey) -> Any:
    """The decision a record holds, its ``uses`` as this derivation's labels; ValueError if malformed."""
    from symbn.policy import Decision, Verdict

    _expect(record, dict)
    verdict = Verdict(_expect(record["verdict"], str))
    if verdict is Verdict.DEFINITION:
        raise ValueError("a definition has no stored verdict")
    uses = frozenset(key.labels[_expect(d, str)] for d in _expect(record["uses"], list))
    remainder = record["remainder"]
    return Decision(
        verdict,
        _expect(record["reason"], str),
        None if remainder is None else restore(remainder),
        _decode_counterexample(record["counterexample"]),
        _decode_numeric(record["numeric"]),
        uses,
    )


def _expect(value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value


def _encode_counterexample(found: Any) -> dict[str, Any] | None:
    if found is None:
        return None
    return {
        "assignment": [list(pair) for pair in found.assignment],
        "lhs": found.lhs,
        "rhs": found.rhs,
        "difference": found.difference,
        "exact": found.exact,
        "note": found.note,
    }


def _decode_counterexample(data: Any) -> Any:
    from symbn.numeric import Counterexample

    if data is None:
        return None
    _expect(data, dict)
    pairs = []
    for pair in _expect(data["assignment"], list):
        name, value = _expect(pair, list)
        pairs.append((_expect(name, str), _expect(value, str)))
    return Counterexample(
        tuple(pairs),
        _expect(data["lhs"], str),
        _expect(data["rhs"], str),
        _expect(data["difference"], str),
        _expect(data["exact"], bool),
        _expect(data["note"], str),
    )


_COUNTS = (
    "agreed",
    "skipped",
    "unresolved",
    "generic",
    "special",
    "generic_unresolved",
    "open_kinks",
)


def _encode_numeric(numeric: Any) -> dict[str, Any] | None:
    if numeric is None:
        return None
    return {
        **{name: getattr(numeric, name) for name in _COUNTS},
        "sizes": [[list(pair) for pair in sizes] for sizes in numeric.sizes],
        "counterexample": _encode_counterexample(numeric.counterexample),
        "reason": numeric.reason,
        "degree": numeric.degree,
        "unreached": list(numeric.unreached),
    }


def _decode_numeric(data: Any) -> Any:
    from symbn.numeric import NumericOutcome

    if data is None:
        return None
    _expect(data, dict)
    sizes = []
    for assignment in _expect(data["sizes"], list):
        pairs = []
        for pair in _expect(assignment, list):
            name, value = _expect(pair, list)
            pairs.append((_expect(name, str), _expect(value, int)))
        sizes.append(tuple(pairs))
    degree = data["degree"]
    counts = {name: _expect(data[name], int) for name in _COUNTS}
    return NumericOutcome(
        sizes=tuple(sizes),
        counterexample=_decode_counterexample(data["counterexample"]),
        reason=_expect(data["reason"], str),
        degree=None if degree is None else _expect(degree, int),
        unreached=tuple(_expect(u, str) for u in _expect(data["unreached"], list)),
        **counts,
    )


# Expressions as tables of nodes -------------------------------------------------------------------


def _classes() -> dict[str, type]:
    """The classes a stored expression may be rebuilt from: SymPy's public ones and symbn's marks."""
    import sympy
    from sympy import Basic
    from sympy.core.symbol import Str
    from sympy.functions.elementary.piecewise import ExprCondPair

    from symbn import notation

    found = {
        name: value
        for name, value in vars(sympy).items()
        if isinstance(value, type) and issubclass(value, Basic)
    }
    found.update(ExprCondPair=ExprCondPair, Str=Str)
    for name in ("HiddenIdx", "ExampleFamily", "UnitFamily", "Written", "Paren", "Cancel", "Mean"):
        found[f"symbn.{name}"] = getattr(notation, name)
    return found


_CLASSES: dict[str, type] | None = None


def _class_table() -> dict[str, type]:
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = _classes()
    return _CLASSES


def _class_name(kind: type) -> str:
    table = _class_table()
    name = kind.__name__
    if table.get(name) is kind:
        return name
    if table.get(f"symbn.{name}") is kind:
        return f"symbn.{name}"
    raise Unsupported(f"the class {kind.__module__}.{kind.__qualname__}")


def _assumptions(values: dict[str, Any]) -> dict[str, bool]:
    return {str(k): bool(v) for k, v in sorted(values.items()) if v is not None}


def table(expr: Any) -> list[Any]:
    """``expr`` as a JSON list of nodes, children before parents, the last one the root."""
    from sympy import Dummy, Float, IndexedBase, Integer, Rational, Symbol
    from sympy.core.function import AppliedUndef
    from sympy.core.singleton import S
    from sympy.core.symbol import Str

    nodes: list[Any] = []
    index: dict[int, int] = {}
    dummies: dict[tuple[str, int], int] = {}
    stack: list[tuple[Any, bool]] = [(expr, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in index:
            continue
        kind = type(node)
        if isinstance(node, Dummy):
            tag = (node.name, node.dummy_index)
            if tag not in dummies:
                canonical = node.dummy_index >= CANONICAL_DUMMIES
                entry: list[Any] = [
                    "Dummy",
                    node.name,
                    node.dummy_index if canonical else None,
                    _assumptions(node.assumptions0),
                ]
                dummies[tag] = len(nodes)
                nodes.append(entry)
            index[id(node)] = dummies[tag]
            continue
        if kind is Symbol:
            entry = ["Symbol", node.name, _assumptions(node.assumptions0)]
        elif isinstance(node, Rational) and kind in (Integer, Rational):
            entry = (
                ["Integer", str(node.p)]
                if kind is Integer
                else ["Rational", str(node.p), str(node.q)]
            )
        elif kind is Float:
            sign, mantissa, exponent, bits = node._mpf_
            entry = ["Float", [int(sign), str(int(mantissa)), int(exponent), int(bits)], node._prec]
        elif kind is Str:
            entry = ["Str", node.name]
        elif not node.args and getattr(S, kind.__name__, None) is node:
            entry = ["S", kind.__name__]
        else:
            children = [a for a in node.args if id(a) not in index]
            if not ready and children:
                stack.append((node, True))
                stack.extend((c, False) for c in children)
                continue
            refs = [index[id(a)] for a in node.args]
            if isinstance(node, AppliedUndef):
                entry = ["Function", kind.__name__, _assumptions(kind._kwargs), refs]
            elif isinstance(node, IndexedBase):
                entry = ["Family", _class_name(kind), refs, _assumptions(node.assumptions0)]
            elif not node.args:
                raise Unsupported(f"the atom {kind.__name__}")
            else:
                entry = ["Node", _class_name(kind), refs]
        index[id(node)] = len(nodes)
        nodes.append(entry)
    return nodes


def restore(nodes: Any) -> Any:
    """The expression a :func:`table` holds, built from whitelisted classes; ValueError if malformed."""
    from sympy import (
        Add,
        Basic,
        Dummy,
        Float,
        Function,
        IndexedBase,
        Integer,
        Mul,
        Pow,
        Rational,
        Symbol,
    )
    from sympy.core.singleton import S
    from sympy.core.symbol import Str

    classes = _class_table()
    built: list[Any] = []

    def ref(n: Any) -> Any:
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n < len(built):
            raise ValueError("a node refers to one not built yet")
        return built[n]

    def flags(values: Any) -> dict[str, bool]:
        _expect(values, dict)
        return {_expect(k, str): _expect(v, bool) for k, v in values.items()}

    for entry in _expect(nodes, list):
        _expect(entry, list)
        tag = entry[0]
        if tag == "Symbol":
            node = Symbol(_expect(entry[1], str), **flags(entry[2]))
        elif tag == "Dummy":
            name, number = _expect(entry[1], str), entry[2]
            if number is None:
                node = Dummy(name, **flags(entry[3]))
            elif _expect(number, int) >= CANONICAL_DUMMIES:
                node = Dummy(name, dummy_index=number, **flags(entry[3]))
            else:
                raise ValueError("a dummy index outside the canonical range")
        elif tag == "Integer":
            node = Integer(int(_expect(entry[1], str)))
        elif tag == "Rational":
            node = Rational(int(_expect(entry[1], str)), int(_expect(entry[2], str)))
        elif tag == "Float":
            sign, mantissa, exponent, bits = _expect(entry[1], list)
            mpf = (
                _expect(sign, int),
                int(_expect(mantissa, str)),
                _expect(exponent, int),
                _expect(bits, int),
            )
            node = Float._new(mpf, _expect(entry[2], int))
        elif tag == "Str":
            node = Str(_expect(entry[1], str))
        elif tag == "S":
            name = _expect(entry[1], str)
            node = (
                getattr(S, name, None) if name.isidentifier() and not name.startswith("_") else None
            )
            if not isinstance(node, Basic) or type(node).__name__ != name:
                raise ValueError(f"no singleton {name!r}")
        elif tag == "Function":
            function = Function(_expect(entry[1], str), **flags(entry[2]))
            node = function(*[ref(n) for n in _expect(entry[3], list)])
        elif tag in ("Family", "Node"):
            kind = classes.get(_expect(entry[1], str))
            if kind is None or (tag == "Family") != issubclass(kind, IndexedBase):
                raise ValueError(f"no class {entry[1]!r} may be rebuilt here")
            args = [ref(n) for n in _expect(entry[2], list)]
            if tag == "Family":
                node = kind(*args, **flags(entry[3]))
            elif kind in (Add, Mul, Pow):
                node = kind(*args, evaluate=False)
            else:
                node = kind(*args)
        else:
            raise ValueError(f"an unknown node {tag!r}")
        built.append(node)
    if not built:
        raise ValueError("an empty expression")
    return built[-1]


def _checked_table(expr: Any) -> list[Any]:
    """:func:`table` of ``expr``, :class:`Unsupported` unless it rebuilds to an equal expression.

    Equal up to the dummies: :func:`restore` gives each distinct dummy of the table its own."""
    nodes = table(expr)
    try:
        back = restore(json.loads(json.dumps(nodes)))
        same = Digests(any_dummy=True).of(back) == Digests(any_dummy=True).of(expr)
    except Exception as exc:
        raise Unsupported(f"the remainder does not rebuild: {exc}") from None
    if not same:
        raise Unsupported("the remainder does not rebuild to itself")
    return nodes


# The store --------------------------------------------------------------------------------------


@dataclass
class Stats:
    """What one run did with the cache: claims found, claims checked, entries written."""

    hits: int = 0
    misses: int = 0
    stored: int = 0


@dataclass
class Store:
    """Checksummed entries on disk under ``root``, one file each, at most ``max_bytes`` of them.

    Shared by the verdict cache and the run cache (:mod:`symbn.runs`), each in a folder of its own
    (``layout``): written atomically, read only when whole and this user's, evicted oldest first.
    """

    root: Path
    max_bytes: int = MAX_BYTES
    layout: str = LAYOUT

    @property
    def entries(self) -> Path:
        """The folder of this format's entries (other formats' folders are left alone)."""
        return self.root / self.layout

    def _path(self, key: str) -> Path:
        return self.entries / key[:2] / f"{key}.json"

    def read(self, key: str) -> Any:
        """The record stored under ``key`` if its entry is whole, this user's and names ``key``."""
        path = self._path(key)
        try:
            with open(path, "rb") as file:
                if hasattr(os, "getuid") and os.fstat(file.fileno()).st_uid != os.getuid():
                    return None
                data = file.read(MAX_ENTRY + 1)
        except OSError:
            return None
        record = _unwrap(data)
        if not isinstance(record, dict) or record.get("key") != key:
            return None
        return record

    def touch(self, key: str) -> None:
        """Mark the entry of ``key`` recently used: the last to be evicted."""
        try:
            os.utime(self._path(key))
        except OSError:
            pass

    def write(self, key: str, record: dict[str, Any]) -> bool:
        """Store ``record`` (JSON-ready, naming ``key``) atomically; whether it was stored."""
        try:
            body = json.dumps(record, ensure_ascii=False, sort_keys=True).encode()
        except (TypeError, ValueError):
            return False
        if len(body) > MAX_ENTRY - 100:
            return False
        data = MAGIC + b" " + hashlib.sha256(body).hexdigest().encode() + b"\n" + body
        path = self._path(key)
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            for folder in (self.entries, path.parent):
                folder.mkdir(exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        except OSError:
            return False
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except OSError:
            _unlink(temporary)
            return False
        except BaseException:
            _unlink(temporary)
            raise
        return True

    def files(self) -> Iterator[os.DirEntry[str]]:
        """Every entry and temporary file of this cache's format."""
        try:
            shards = list(os.scandir(self.entries))
        except OSError:
            return
        for shard in shards:
            if not (len(shard.name) == 2 and shard.is_dir(follow_symlinks=False)):
                continue
            try:
                inside = list(os.scandir(shard.path))
            except OSError:
                continue
            for entry in inside:
                if entry.name.endswith(".json") and entry.is_file(follow_symlinks=False):
                    yield entry

    def evict(self) -> int:
        """Remove the least recently used entries until the cache is within ``max_bytes``; how many."""
        now = time.time()
        entries = []
        total = 0
        removed = 0
        for entry in self.files():
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if entry.name.startswith(".tmp-"):
                if now - info.st_mtime > STALE_TEMPORARY:
                    removed += _unlink(entry.path)
                continue
            entries.append((info.st_mtime, info.st_size, entry.path))
            total += info.st_size
        if total <= self.max_bytes:
            return removed
        entries.sort()
        goal = self.max_bytes * 9 // 10
        for _, size, path in entries:
            if total <= goal:
                break
            if _unlink(path):
                total -= size
                removed += 1
        return removed

    def clear(self) -> int:
        """Remove every entry (only files this cache wrote); how many were removed."""
        removed = 0
        for entry in self.files():
            if _unlink(entry.path) and not entry.name.startswith(".tmp-"):
                removed += 1
        for shard in _subfolders(self.entries):
            try:
                os.rmdir(shard)
            except OSError:
                pass
        try:
            os.rmdir(self.entries)
        except OSError:
            pass
        return removed

    def clear_parser_tables(self) -> int:
        """Remove the grammar tables :mod:`symbn.parse.parser_cache` keeps in this folder (its
        ``parser-*.lark`` files, when they are this user's); how many were removed."""
        removed = 0
        for path in self.root.glob("parser-*.lark"):
            try:
                info = os.lstat(path)
                if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid():
                    path.unlink()
                    removed += 1
            except (OSError, AttributeError):  # AttributeError: no getuid (Windows)
                pass
        return removed

    def info(self) -> tuple[int, int]:
        """The number of entries and their total size in bytes."""
        count = size = 0
        for entry in self.files():
            if entry.name.startswith(".tmp-"):
                continue
            try:
                size += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            count += 1
        return count, size


@dataclass
class Cache(Store):
    """Verdicts on disk under ``root``, at most ``max_bytes`` of them."""

    stats: Stats = field(default_factory=Stats)

    def lookup(self, jobs: Sequence[tuple[Any, ...]], timeout: float | None) -> Lookup:
        """The stored decision of each job that has one valid under ``timeout`` (None for the rest)."""
        keys = Keys()
        claim_keys = [keys.claim(job) for job in jobs]
        found = [None if key is None else self.get(key, timeout) for key in claim_keys]
        hits = sum(d is not None for d in found)
        self.stats.hits += hits
        self.stats.misses += len(jobs) - hits
        return Lookup(self, claim_keys, found, timeout)

    def get(self, key: ClaimKey, timeout: float | None) -> Any:
        """The decision stored under ``key`` if it is whole, ours and valid under ``timeout``."""
        from symbn.policy import Verdict

        record = self.read(key.key)
        if record is None:
            return None
        try:
            if record.get("format") != FORMAT:
                return None
            stored = record["timeout"]
            if stored is not None and (isinstance(stored, bool) or not isinstance(stored, float)):
                return None
            holds = Verdict(record["verdict"]).holds
            if not budget_allows(stored, timeout, holds, _expect(record["timed_out"], bool)):
                return None
            decision = decode_decision(record, key)
        except Exception:  # a record that does not decode is a miss, whatever SymPy raised
            return None
        self.touch(key.key)
        return decision

    def put(self, key: ClaimKey, timeout: float | None, outcome: Any) -> bool:
        """Store the decision ``outcome`` under ``key``; whether it was stored."""
        from symbn.budget import TIMED_OUT, Failure
        from symbn.policy import Decision, Verdict

        if isinstance(outcome, Failure):
            if not (outcome.reason.startswith(TIMED_OUT) and outcome.reason.endswith(CPU_TIMEOUTS)):
                return False
            outcome = Decision(Verdict.UNDECIDED, outcome.reason)
        if not isinstance(outcome, Decision):
            return False
        try:
            record = encode_decision(outcome, timeout, key)
        except Exception:  # not faithfully storable (an unusual remainder): checked next time too
            return False
        stored = self.write(key.key, record)
        self.stats.stored += stored
        return stored


@dataclass
class Lookup:
    """The cache's answers for one run's claims, and where the others' decisions go once checked."""

    cache: Cache
    keys: list[ClaimKey | None]
    found: list[Any]
    timeout: float | None

    def store(self, decided: dict[int, Any]) -> None:
        """Store the decision of each job ``n`` in ``decided`` (a Decision or a Failure)."""
        stored = 0
        for n, outcome in decided.items():
            key = self.keys[n]
            if key is not None:
                stored += self.cache.put(key, self.timeout, outcome)
        if stored:
            self.cache.evict()


def _unwrap(data: bytes) -> Any:
    """The record of an entry's bytes if its checksum holds, else None."""
    if len(data) > MAX_ENTRY:
        return None
    head, newline, body = data.partition(b"\n")
    parts = head.split(b" ")
    if not newline or len(parts) != 2 or parts[0] != MAGIC:
        return None
    if hashlib.sha256(body).hexdigest().encode() != parts[1]:
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return None


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
    except OSError:
        return False
    return True


def _subfolders(folder: Path) -> list[str]:
    try:
        return [
            e.path
            for e in os.scandir(folder)
            if len(e.name) == 2 and e.is_dir(follow_symlinks=False)
        ]
    except OSError:
        return []


def default_root() -> Path:
    """``$SYMBN_CACHE_DIR`` if set, else the user's cache folder for symbn (platformdirs)."""
    chosen = os.environ.get("SYMBN_CACHE_DIR", "")
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("symbn", appauthor=False))


def default_cache() -> Cache | None:
    """The user's verdict cache, or None when ``SYMBN_NO_CACHE=1`` is in the environment."""
    if os.environ.get("SYMBN_NO_CACHE", "") not in ("", "0"):
        return None
    return Cache(default_root())


__all__ = ["Cache", "ClaimKey", "Keys", "Lookup", "Stats", "default_cache", "default_root"]
