"""``parse(text, now)``: the parser's one entry point. Deterministic, pure, never raises."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import cast

from lark import Lark
from lark.exceptions import LarkError, VisitError
from pydantic import ValidationError

from .assemble import assemble
from .lexer import AlertLexer
from .models import Add, Cancel, Exit, MoveStop, NotASignal, Open, Trim
from .normalize import fold_unicode, normalize_folded
from .transform import Fact, FactBuilder

ParseOutcome = Open | Add | Exit | Trim | MoveStop | Cancel | NotASignal

# Cheap gate in front of the grammar. Most channel messages are chatter; a message containing none of
# these (a verb, a stop or target word, a strike with its right) cannot produce an intent, so it is
# refused without normalising or parsing it. A property test (test_parse_properties.py) checks that
# against the full parser.
_TRIGGER = re.compile(
    r"\d\s*[cp]|[cp]\s*-\s*\d"
    r"|(?<![a-z])(?:bto|sto|stc|btc|buy|bought|long|short|sell|sold|entry|enter|open|in\s*:|out|exit|clos|cover"
    r"|trim|partial|scal|add|avg|averag|accumulat|dca|cancel|stop|sl|s/l|risk|set|move|moving"
    r"|raise|adj|bump|lower|tighten|tp|pt|target|take|taking|took|fill)"
)
_CHATTER = NotASignal(reason="commentary", detail="no trade vocabulary in the message")
_EMPTY = NotASignal(reason="empty", detail="the message has no text")
_MAX_CHARS = 4000


@cache
def grammar() -> Lark:
    """The LALR parser for alerts.lark, built once (and cached on disk by lark between runs)."""
    return Lark.open(
        "alerts.lark",
        rel_to=__file__,
        parser="lalr",
        lexer=AlertLexer,
        transformer=FactBuilder(),
        cache=True,
    )


def could_be_signal(text: str) -> bool:
    """False only when ``text`` holds nothing the grammar could turn into an intent."""
    return _TRIGGER.search(fold_unicode(text)) is not None


def parse(text: str, now: datetime) -> ParseOutcome:
    """Turn one channel message into an intent, or a ``NotASignal`` with a reason. Never raises.

    ``now`` is the message time (timezone-aware; a naive one is taken as UTC). It resolves "0DTE",
    "3/21" and "weeklies"; the parser never reads the clock.
    """
    if not text or not text.strip():
        return _EMPTY
    if len(text) > _MAX_CHARS:
        return NotASignal(reason="too_long", detail=f"longer than {_MAX_CHARS} characters")
    folded = fold_unicode(text)  # once: the prefilter and the normaliser both read the folded text
    if _TRIGGER.search(folded) is None:
        return _CHATTER
    try:
        facts = cast(list[Fact], grammar().parse(normalize_folded(folded)))  # the inline transformer's output
        return assemble(facts, now)
    except VisitError as exc:  # a Transformer method failed: unwrap what really happened
        return NotASignal(reason="unparsed", detail=f"{type(exc.orig_exc).__name__}: {exc.orig_exc}")
    except (LarkError, ValidationError, ArithmeticError, ValueError) as exc:
        return NotASignal(reason="unparsed", detail=f"{type(exc).__name__}: {str(exc)[:200]}")
