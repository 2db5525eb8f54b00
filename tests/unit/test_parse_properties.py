"""Properties that hold for every input: parse never raises, the grammar accepts everything the
normaliser emits, the cheap prefilter never hides a trade, and option entries are complete."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import golden_cases

from parser import NotASignal, Open, parse
from parser.assemble import assemble
from parser.core import could_be_signal, grammar
from parser.normalize import normalize

NOW = datetime(2026, 3, 2, 14, 31, tzinfo=UTC)
TEXTS = [c.text for c in golden_cases()]
VOCABULARY = (
    "bto sto stc btc long short entry exit trim add avg cancel move sl pt be to up trail mkt qty off half "
    "third quarter weekly if break above below over under intent watch recap info discretionary spread "
    "unsupported neg @ - . , ? 580c 3/20 0dte 25% 10pts 1.20-1.30 1of3 1.25 5 spy $qqq es"
).split()


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
def test_parse_never_raises_on_mutated_corpus_messages(text: str) -> None:
    result = parse(text, NOW)
    assert not (isinstance(result, NotASignal) and result.reason == "unparsed"), result.detail


@given(st.lists(st.sampled_from(VOCABULARY), max_size=25))
def test_grammar_accepts_every_sequence_of_its_vocabulary(words: list[str]) -> None:
    grammar().parse(" ".join(words))


@given(st.one_of(st.text(max_size=200), mutated_corpus_message()))
def test_normalised_text_always_lexes(text: str) -> None:
    grammar().parse(normalize(text))


@given(st.one_of(st.text(alphabet=st.characters(codec="ascii"), max_size=120), mutated_corpus_message()))
def test_prefilter_never_rejects_a_message_the_grammar_would_act_on(text: str) -> None:
    if could_be_signal(text):
        return
    assert isinstance(assemble(grammar().parse(normalize(text)), NOW), NotASignal)


_DATE_TOKEN = re.compile(r"\b\d{1,2}/\d{1,2}\b|\b0dte\b|\bweekly\b")


@given(mutated_corpus_message())
def test_every_option_entry_has_right_and_strike_and_any_written_expiry(text: str) -> None:
    result = parse(text, NOW)
    if not isinstance(result, Open) or result.instrument is None or result.instrument.asset != "option":
        return
    assert result.instrument.right is not None
    assert result.instrument.strike is not None
    if result.instrument.expiry is None:
        assert not _DATE_TOKEN.search(normalize(text)), "an expiry was written but dropped"


@given(mutated_corpus_message())
def test_parse_is_deterministic(text: str) -> None:
    assert parse(text, NOW) == parse(text, NOW)
