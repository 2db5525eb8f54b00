"""The lexer's token: what a piece of text is (its class), its value, and whether it was in capitals."""

from __future__ import annotations

from typing import Any, NamedTuple


class Tok(NamedTuple):
    kind: str  # a terminal of alerts.lark
    text: str  # as written, lower case
    value: Any  # Decimal, (low, high), (month, day, year), (strike, right) ... by kind
    upper: bool  # written in capitals: evidence for a ticker
    pos: int  # offset in the folded message


class Lexed(NamedTuple):
    tokens: list[Tok]
    has_lower: bool  # the message has lower-case letters, so a word in capitals stands out
    struck: bool  # the message had ~~struck-through~~ text, dropped


def tok(kind: str, text: str, value: Any, upper: bool, pos: int) -> Tok:
    """``Tok(...)`` without the Python frame of NamedTuple's ``__new__``: the lexer makes many."""
    return tuple.__new__(Tok, (kind, text, value, upper, pos))
