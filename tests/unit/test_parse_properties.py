"""Properties that hold for every input: parse never raises, the grammar accepts every sequence of
tokens the lexer can make, the cheap prefilter never hides a trade, option entries are complete,
and a message's several instructions keep the ``all`` convention."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import golden_cases

from parser import NotASignal, Open, contract_json, parse, parse_all
from parser.assemble import assemble
from parser.core import could_be_signal
from parser.grammar import parse_items, tables
from parser.lexer import Tok, lex
from parser.vocabulary import ENTRIES

NOW = datetime(2026, 3, 2, 14, 31, tzinfo=UTC)
TEXTS = [c.text for c in golden_cases()]
TERMINALS = sorted(tables().terminals - {"$END"})
# A plausible value per terminal, so that phrase builders can run on any sequence.
_VALUES = {"NUM": Decimal(1), "PCT": Decimal(5), "PTS": Decimal(10), "PIPS": Decimal(3),
           "RANGE": (Decimal(1), Decimal(2)), "STRIKE": (Decimal(580), "C"), "DATE": (3, 20, None),
           "SLASHES": ((Decimal(1), Decimal(2)), False), "FUT": ("ES", None, None), "QTY": Decimal(2),
           "ORD": Decimal(1), "FRAC": Decimal("0.5")}  # fmt: skip


@st.composite
def mutated_corpus_message(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "swap_words"]))
        if action == "insert":
            text = text[:at] + draw(st.text(max_size=4)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 5)) :]
        else:
            words = text.split()
            if len(words) > 1:
                i = draw(st.integers(0, len(words) - 2))
                words[i], words[i + 1] = words[i + 1], words[i]
                text = " ".join(words)
    return text


@given(st.text(max_size=300))
def test_parse_never_raises_on_arbitrary_text(text: str) -> None:
    result = parse(text, NOW)
    assert result.kind in {"open", "add", "exit", "trim", "move_stop", "cancel", "none"}


@given(mutated_corpus_message())
def test_parse_never_fails_to_read_mutated_corpus_messages(text: str) -> None:
    for result in parse_all(text, NOW):
        assert not (isinstance(result, NotASignal) and result.reason == "unparsed"), result.detail


@given(st.lists(st.sampled_from(TERMINALS), max_size=14))
def test_grammar_accepts_every_sequence_of_its_terminals(kinds: list[str]) -> None:
    parse_items([Tok(kind, "x", _VALUES.get(kind), False, i) for i, kind in enumerate(kinds)])


@given(st.one_of(st.text(max_size=200), mutated_corpus_message()))
def test_lexer_output_always_parses(text: str) -> None:
    parse_items(lex(text).tokens)


@given(st.one_of(st.text(alphabet=st.characters(codec="ascii"), max_size=120), mutated_corpus_message()))
def test_prefilter_never_rejects_a_message_the_parser_would_act_on(text: str) -> None:
    if could_be_signal(text):
        return
    lexed = lex(text)
    assert all(isinstance(r, NotASignal) for r in assemble(lexed, parse_items(lexed.tokens), NOW))


@pytest.mark.parametrize("mark", [".", "!", "...", ",", ")", "-", "?!", "'"])
def test_prefilter_keeps_every_golden_message_with_punctuation_after_each_word(mark: str) -> None:
    """ "I'm out." and "Sold!" are exits: punctuation glued to a word never hides it."""
    for text in TEXTS:
        variant = " ".join(word + mark for word in text.split())
        if could_be_signal(variant):
            continue
        lexed = lex(variant)
        acting = [r for r in assemble(lexed, parse_items(lexed.tokens), NOW) if not isinstance(r, NotASignal)]
        assert acting == [], variant


@pytest.mark.parametrize(
    "template", ["{} NVDA 140.50", "{}: NVDA 140.50 stop 135", "{} here", "{} half", "{} NVDA", "NVDA {}"]
)
def test_prefilter_keeps_every_vocabulary_word_that_can_make_an_instruction(template: str) -> None:
    """Each word and phrase of data/vocabulary.toml, in a few short alert shapes."""
    for entry in ENTRIES:
        text = template.format(entry)
        if could_be_signal(text):
            continue
        lexed = lex(text)
        acting = [r for r in assemble(lexed, parse_items(lexed.tokens), NOW) if not isinstance(r, NotASignal)]
        assert acting == [], text


@given(mutated_corpus_message())
def test_every_option_entry_has_right_and_strike(text: str) -> None:
    for result in parse_all(text, NOW):
        if isinstance(result, Open) and result.instrument is not None and result.instrument.asset == "option":
            assert result.instrument.right is not None
            assert result.instrument.strike is not None and result.instrument.strike > 0


@given(mutated_corpus_message())
def test_several_instructions_follow_the_all_convention(text: str) -> None:
    results = parse_all(text, NOW)
    contract = contract_json(results)
    assert parse(text, NOW) == results[0]
    if len(results) == 1:
        assert "all" not in contract
    else:
        assert contract["all"][0] == {k: v for k, v in contract.items() if k != "all"}
        assert all(not isinstance(r, NotASignal) for r in results)


@given(mutated_corpus_message())
def test_parse_is_deterministic(text: str) -> None:
    assert parse_all(text, NOW) == parse_all(text, NOW)


def test_no_line_of_the_bundled_chatter_is_a_trade() -> None:
    """tests/fixtures/chatter.txt is the chatter of the benchmark channel and the generated sessions."""
    chatter = Path(__file__).resolve().parents[1] / "fixtures" / "chatter.txt"
    lines = [line for line in chatter.read_text(encoding="utf-8").splitlines() if line]
    traded = [line for line in lines if any(o.kind != "none" for o in parse_all(line, NOW))]
    assert traded == []
