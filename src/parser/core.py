"""``parse(text, now)``: the parser's entry point. Deterministic, pure, never raises.

``lex`` (lexer.py) -> ``parse_items`` (grammar.py over alerts.lark) -> ``assemble`` (assemble.py).
A cheap prefilter refuses chatter first: a message with no trade word, no strike and no
ticker-and-price line cannot produce an intent (a property test checks that against the parser).
"""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import ValidationError

from .assemble import Reading, assemble
from .grammar import ParseError, parse_items
from .lexer import fold, lex
from .models import NotASignal
from .vocabulary import CONTEXT, ENTRIES

MAX_CHARS = 4000
_TRIGGER_CLASSES = frozenset({
    "BUY", "LONG", "SHORT", "ENTRY", "SELL", "COVER", "CLOSE", "EXIT", "OUT", "FLAT", "STOPPED", "TRIM",
    "PROFIT", "ADD", "AVG", "CANCEL", "SL", "PT", "RISKFREE", "MOVE", "QTYWORD",
})  # fmt: skip
_WEAK = CONTEXT["weak_triggers"]  # act only with another trigger, which the prefilter then sees
_MORE_TRIGGERS = {"b/e", "breakeven", "break", "cost", "open", "take", "taking", "took", "got", "grabbed",
                  "half", "fully", "runners", "risk", "risk-free", "out"}  # fmt: skip


def _trigger_words() -> frozenset[str]:
    """The words one of which any instruction needs: each trigger word, and for a phrase with none
    of them its most telling word (the longest: "lock" of "lock in", not "in")."""
    phrases = [text for text, entry in ENTRIES.items() if entry.kind in _TRIGGER_CLASSES]
    single = {text for text in phrases if " " not in text} - _WEAK
    for text in phrases:
        words = text.split(" ")
        if len(words) > 1 and single.isdisjoint(words):
            single.add(max(words, key=lambda w: (w not in _WEAK, len(w))))
    return frozenset(single | _MORE_TRIGGERS)


_TRIGGERS = _trigger_words()
_WORDS = re.compile(r"[a-z](?:[a-z'/.-]*[a-z])?")  # "b/e", "i'm", "risk-free"; never "out." or "sold!"
_SHAPES = re.compile(  # the first character of each shape, then which shape it starts (a fast scan)
    r"[\dcpi@\U0001f6d1\u26d4\U0001f3af]"
    r"(?:(?<=\d)\s*(?:[cp]|calls?|puts?)\b"  # 580c, 580 calls
    r"|(?<=\d)\d{5}[cp]\d{8}"  # an OCC symbol's date, right and strike
    r"|(?<=[cp])(?<![a-z][cp])\s*-\s*\d"  # C-580
    r"|(?<=i)(?<![a-z]i)n\s*(?::|at\b|@|\$?\.?\d)"  # in: 4000, in at 1.20, in 1.25
    r"|(?<=@)\s*\$?\.?\d"  # @ 1.25
    r"|(?<=[\U0001f6d1\u26d4\U0001f3af]))"  # stop and target emoji
)
_DIGIT = re.compile(r"\d")
_SHAPES_WITHOUT_DIGITS = re.compile(r"\bin\s*(?::|at\b|@)|[\U0001f6d1\u26d4\U0001f3af]")
# A ticker (in capitals, or after "$") and a number next to it, anywhere: "new alert NVDA 140.50".
_TICKER_LINE = re.compile(r"(?:\$[A-Za-z]|(?<![\w$])[A-Z])[A-Za-z]{0,5}\b[^\w\n]*\$?\.?\d")
_EMPTY = NotASignal(reason="empty", detail="the message has no text")
_CHATTER = NotASignal(reason="commentary", detail="no trade vocabulary in the message")


def could_be_signal(text: str) -> bool:
    """False only when ``text`` holds nothing the parser could turn into an intent."""
    folded = fold(text)
    low = folded.lower()
    if not _TRIGGERS.isdisjoint(_WORDS.findall(low)):  # first: it is what most alerts have
        return True
    if _DIGIT.search(low) is None:  # most chatter: every other shape needs a digit but these
        return _SHAPES_WITHOUT_DIGITS.search(low) is not None
    return _SHAPES.search(low) is not None or _TICKER_LINE.search(folded) is not None


def parse_all(text: str, now: datetime) -> tuple[Reading, ...]:
    """Every instruction in one channel message, in text order (one ``NotASignal`` when none).

    ``now`` is the message time (timezone-aware; a naive one is taken as UTC). It resolves "0DTE",
    "3/21" and "weeklies"; the parser never reads the clock.
    """
    if not text or not text.strip():
        return (_EMPTY,)
    if len(text) > MAX_CHARS:
        return (NotASignal(reason="too_long", detail=f"longer than {MAX_CHARS} characters"),)
    if not could_be_signal(text):
        return (_CHATTER,)
    try:
        lexed = lex(text)
        return tuple(assemble(lexed, parse_items(lexed.tokens), now))
    except (ParseError, ValidationError, ArithmeticError, ValueError, LookupError) as exc:
        # Never raises on any message: a reading that fails is not a trade (property tests keep
        # this path unused on real and fuzzed input).
        return (NotASignal(reason="unparsed", detail=f"{type(exc).__name__}: {str(exc)[:200]}"),)


def parse(text: str, now: datetime) -> Reading:
    """The message's first instruction (see ``parse_all`` for every one)."""
    return parse_all(text, now)[0]
