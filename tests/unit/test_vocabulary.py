"""The vocabulary table (src/parser/data/vocabulary.toml) is the language's one list of words.

Adding a word is one line there: these tests check that every entry lexes to its class, that no
spelling sits in two classes, and that the grammar knows every class.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from importlib import resources

import pytest

from parser.grammar import tables
from parser.lexer import lex
from parser.vocabulary import ENTRIES

TABLE = tomllib.loads((resources.files("parser") / "data" / "vocabulary.toml").read_text(encoding="utf-8"))
# Classes the lexer drops (GLUE) or that only ever mean something next to a number (QTYWORD is a
# phrase's head, MKT may stand alone): every other class is a terminal of the grammar.
_NOT_TERMINALS = {"GLUE"}
# Entries whose reading depends on their neighbours, by design (see lexer.py).
_CONTEXTUAL = {"pt", "tp", "tgt", "target", "pts", "tps", "tgts", "btc"}


def test_no_spelling_is_in_two_classes() -> None:
    spellings = [text for texts in TABLE["classes"].values() for text in texts] + list(TABLE["fractions"])
    twice = [text for text, count in Counter(spellings).items() if count > 1]
    assert twice == []


def test_the_grammar_has_a_terminal_for_every_class() -> None:
    terminals = tables().terminals
    assert set(TABLE["classes"]) - _NOT_TERMINALS - terminals == set()


@pytest.mark.parametrize(
    ("text", "kind"), sorted((t, e.kind) for t, e in ENTRIES.items() if e.kind != "GLUE")
)
def test_every_entry_lexes_to_its_class(text: str, kind: str) -> None:
    tokens = lex(f"x {text} x").tokens
    assert [t.kind for t in tokens[1:-1]] == [kind], text


@pytest.mark.parametrize("text", sorted(t for t, e in ENTRIES.items() if e.kind == "GLUE"))
def test_glue_words_are_dropped(text: str) -> None:
    assert [t.kind for t in lex(f"x {text} x").tokens] == ["WORD", "WORD"]


@pytest.mark.parametrize(
    ("word", "kind"),
    [("scaling", "TRIM"), ("stope", "SL"), ("trimed", "TRIM"), ("cancled", "CANCEL"), ("b/e", "BE"),
     ("runners", "REST"), ("nvm", "RETRACT"), ("could've", "INTENT"), ("flt", "FLAT")],
)  # fmt: skip
def test_inflections_and_typos_are_in_the_table(word: str, kind: str) -> None:
    assert lex(word).tokens[0].kind == kind


def test_context_lists_hold_plain_lower_case_words() -> None:
    """The [context] lists are matched against the lexer's lower-case token texts."""
    for name, words in TABLE["context"].items():
        assert words, name
        assert all(word == word.lower().strip() and word for word in words), name
        assert len(set(words)) == len(words), name
