"""The LALR tables cached on disk parse as lark's own, and a damaged cache is rebuilt, not trusted."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import golden_cases

from parser import grammar
from parser.lexer import lex

TOKENS = [lex(case.text).tokens for case in golden_cases()]


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(grammar, "_TABLES", None)
    return tmp_path


def readings(tables: grammar.Tables, monkeypatch: pytest.MonkeyPatch) -> list[list[grammar.Item]]:
    """Every golden message's items under these tables (lark numbers its states anew each time it
    compiles, so tables are compared by what they parse)."""
    monkeypatch.setattr(grammar, "_TABLES", tables)
    return [grammar.parse_items(tokens) for tokens in TOKENS]


def test_tables_read_back_from_the_cache_parse_as_the_compiled_ones(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = grammar._build_tables()  # no cache yet: lark compiles, and the tables are stored
    assert grammar._cache_path().is_file() and grammar._cache_path().is_relative_to(cache_home)
    cached = grammar._build_tables()
    assert cached == compiled  # the same numbering: read back, not compiled again
    assert readings(cached, monkeypatch) == readings(compiled, monkeypatch)


@pytest.mark.parametrize("damage", [b"", b"{", b'{"actions": {}}', b"[1, 2]", b"null", b"\xff\xfe\x00"])
def test_a_damaged_cache_is_compiled_again(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    expected = readings(grammar._build_tables(), monkeypatch)
    grammar._cache_path().write_bytes(damage)
    assert readings(grammar._build_tables(), monkeypatch) == expected
    assert grammar._cache_path().stat().st_size > 10_000  # and stored whole again


def test_an_unwritable_cache_only_costs_the_compilation(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (cache_home / "autoscalper").write_text("a file where the folder should be")
    tables = grammar._build_tables()
    assert len(readings(tables, monkeypatch)) == len(TOKENS)
