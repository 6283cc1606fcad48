"""The cached parser tables: the same trees as a freshly built parser, and nothing untrusted loaded."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from lark import Lark

from symbn.parse import parser_cache
from symbn.parse.parser_cache import cached_lark

GRAMMAR = (Path(parser_cache.__file__).parent / "grammar.lark").read_text(encoding="utf-8")
OPTIONS = {"parser": "lalr", "propagate_positions": True, "maybe_placeholders": False}
DATA = Path(__file__).parent / "data"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache directory for the test; returns where the tables go."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(parser_cache.DISABLE, raising=False)
    return tmp_path / "symbn"


def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the parsers built from the grammar (rather than loaded) from now on."""
    built: list[int] = []
    real = Lark.__init__

    def counting(self: Lark, *args: object, **kwargs: object) -> None:
        built.append(1)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Lark, "__init__", counting)
    return built


def displays() -> list[str]:
    """Every display equation of the documents under tests/data (a few hundred)."""
    found = []
    for path in sorted(DATA.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        found += [m.strip() for m in re.findall(r"\$\$(.+?)\$\$", text, flags=re.S)]
    return found


def test_loaded_tables_parse_exactly_as_built_ones(cache: Path) -> None:
    built = Lark(GRAMMAR, **OPTIONS)
    cached_lark(GRAMMAR, **OPTIONS)  # writes the tables
    loaded = cached_lark(GRAMMAR, **OPTIONS)
    equations = displays()
    assert len(equations) > 50
    for text in equations:
        try:
            expected = built.parse(text)
        except Exception as exc:
            with pytest.raises(type(exc)):
                loaded.parse(text)
            continue
        tree = loaded.parse(text)
        assert tree == expected
        assert (tree.meta.line, tree.meta.column) == (expected.meta.line, expected.meta.column)


def test_the_tables_are_built_once_then_loaded(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = builds(monkeypatch)
    cached_lark(GRAMMAR, **OPTIONS)
    cached_lark(GRAMMAR, **OPTIONS)
    assert len(built) == 1
    (stored,) = cache.iterdir()
    assert stored.stat().st_mode & 0o777 == 0o600 and cache.stat().st_mode & 0o777 == 0o700


def test_another_grammar_never_reads_old_tables(cache: Path) -> None:
    cached_lark(GRAMMAR, **OPTIONS)
    changed = GRAMMAR + "\n// one more comment: another grammar text, other tables\n"
    cached_lark(changed, **OPTIONS)
    assert len(list(cache.iterdir())) == 2


@pytest.mark.parametrize("damage", ["truncated", "other key", "garbage"])
def test_a_damaged_file_is_rebuilt(
    cache: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    cached_lark(GRAMMAR, **OPTIONS)
    (stored,) = cache.iterdir()
    data = stored.read_bytes()
    header, _, body = data.partition(b"\n")
    stored.write_bytes(
        {
            "truncated": data[: len(data) // 2],
            "other key": header[:-4] + b"0000\n" + body,
            "garbage": header + b"\n" + b"\x80\x05not a pickle",
        }[damage]
    )
    built = builds(monkeypatch)
    parser = cached_lark(GRAMMAR, **OPTIONS)
    assert len(built) == 1 and parser.parse("x = 1")
    assert cached_lark(GRAMMAR, **OPTIONS).parse("x = 1")  # the file was written again
    assert len(built) == 1


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0, reason="root can write anywhere")
def test_a_read_only_cache_still_parses(cache: Path) -> None:
    cache.parent.chmod(0o500)
    try:
        assert cached_lark(GRAMMAR, **OPTIONS).parse("x = 1")
    finally:
        cache.parent.chmod(0o700)


@pytest.mark.parametrize("where", ["file", "directory"])
def test_tables_others_can_write_are_never_loaded(
    cache: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    cached_lark(GRAMMAR, **OPTIONS)
    (stored,) = cache.iterdir()
    (stored if where == "file" else cache).chmod(0o666 if where == "file" else 0o777)
    built = builds(monkeypatch)
    cached_lark(GRAMMAR, **OPTIONS)
    assert len(built) == 1


def test_a_symlink_is_never_followed(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cached_lark(GRAMMAR, **OPTIONS)
    (stored,) = cache.iterdir()
    elsewhere = cache.parent / "elsewhere"
    stored.rename(elsewhere)
    stored.symlink_to(elsewhere)
    built = builds(monkeypatch)
    cached_lark(GRAMMAR, **OPTIONS)
    assert len(built) == 1


def test_the_cache_can_be_turned_off(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(parser_cache.DISABLE, "1")
    assert cached_lark(GRAMMAR, **OPTIONS).parse("x = 1")
    assert not cache.exists()
