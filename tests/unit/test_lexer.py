"""The fast lexer tokenises exactly like lark's own lexer over the same terminals."""

from __future__ import annotations

from functools import cache

from hypothesis import given
from hypothesis import strategies as st
from lark import Lark
from tests.conftest import golden_cases
from tests.unit.test_parse_properties import VOCABULARY

import parser.core
from parser.core import grammar
from parser.lexer import AlertLexer
from parser.normalize import normalize


@cache
def reference() -> Lark:
    return Lark.open("alerts.lark", rel_to=parser.core.__file__, parser="lalr", lexer="basic")


def tokens_both_ways(text: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    fast = [(t.type, str(t)) for t in AlertLexer(grammar().lexer_conf).lex(text)]
    slow = [(t.type, str(t)) for t in reference().lex(text)]
    return fast, slow


def test_lexers_agree_on_the_golden_corpus() -> None:
    for case in golden_cases():
        fast, slow = tokens_both_ways(normalize(case.text))
        assert fast == slow, case.name


@given(
    st.lists(st.sampled_from([*VOCABULARY, "word", "$x", "580p", "3/20/2026", "12pts", "7of8"]), max_size=20)
)
def test_lexers_agree_on_any_sequence_of_the_vocabulary(words: list[str]) -> None:
    fast, slow = tokens_both_ways(" ".join(words))
    assert fast == slow
