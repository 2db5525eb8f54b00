"""Transformer: grammar phrases -> a flat list of positioned facts.

One short method per rule. It runs inline with the LALR parser (no tree is built) and produces plain
tuples; what the facts mean together is assemble.py's job. No clock, no I/O.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from lark import Token, Transformer

# A level as written: ("price", d) | ("percent", d) | ("be",) | ("range", lo, hi) | ("points", d)
Level = tuple[Any, ...]

_FRACTIONS = {"half": Decimal("0.5"), "third": Decimal("0.33"), "quarter": Decimal("0.25")}


class Fact(NamedTuple):
    tag: str
    value: Any = None


class OptionFact(NamedTuple):
    symbol: str | None
    strike: Decimal
    right: str
    expiry: str | None


class DatedFact(NamedTuple):
    symbol: str | None
    expiry: str


def _number(text: str) -> Decimal:
    return Decimal(text)


def _level(tokens: list[Token]) -> Level | None:
    """The level a stop or stop move names, from the tokens after ``sl`` / ``to``."""
    for tok in tokens:
        kind = tok.type
        if kind == "NUMBER":
            return ("price", _number(tok))
        if kind == "PERCENT":
            return ("percent", _number(tok[:-1]))
        if kind == "BE":
            return ("be",)
        if kind == "RANGE":
            low, high = sorted(_number(x) for x in tok.split("-"))
            return ("range", low, high)
        if kind == "POINTS":
            return ("points", _number(tok[:-3]))
    return None


def _symbol(tok: Token) -> str:
    return tok.lstrip("$")


class FactBuilder(Transformer[Token, list[Fact]]):
    """Inline transformer for alerts.lark."""

    def start(self, items: list[Any]) -> list[Fact]:
        return [item if isinstance(item, Fact) else Fact("loose", item.type) for item in items]

    def verb(self, tokens: list[Token]) -> Fact:
        percent = _number(tokens[1][:-1]) if len(tokens) > 1 else None
        return Fact("verb", (tokens[0].type.lower(), percent))

    def avg(self, tokens: list[Token]) -> Fact:
        return Fact("avg", _number(tokens[1]) if len(tokens) > 1 else None)

    def option(self, tokens: list[Token]) -> Fact:
        symbol = next((_symbol(t) for t in tokens if t.type in ("WORD", "TICKER")), None)
        strike = next(t for t in tokens if t.type == "STRIKE")
        expiry = next((str(t) for t in tokens if t.type in ("DATE", "ODTE", "WEEKLY")), None)
        return Fact("option", OptionFact(symbol, _number(strike[:-1]), strike[-1].upper(), expiry))

    def dated(self, tokens: list[Token]) -> Fact:
        symbol = next((_symbol(t) for t in tokens if t.type in ("WORD", "TICKER")), None)
        expiry = next(str(t) for t in tokens if t.type in ("DATE", "ODTE", "WEEKLY"))
        return Fact("dated", DatedFact(symbol, expiry))

    def price(self, tokens: list[Token]) -> Fact:
        if len(tokens) == 1:
            return Fact("price", None)
        tok = tokens[1]
        if tok.type == "MKT":
            return Fact("price", ("mkt",))
        return Fact("price", _level([tok]))

    def stop(self, tokens: list[Any]) -> Fact:
        first = tokens[0]
        if isinstance(first, Fact):  # ``10pts sl``
            return Fact("stop", ("points", first.value))
        return Fact("stop", _level(tokens[1:]))

    def points(self, tokens: list[Token]) -> Fact:
        return Fact("points", _number(tokens[-1][:-3]))

    def stop_move(self, tokens: list[Token]) -> Fact:
        types = [t.type for t in tokens]
        after_to = tokens[types.index("TO") + 1 :] if "TO" in types else []
        return Fact("move", _level(after_to))

    def targets(self, tokens: list[Token]) -> Fact:
        levels: list[Level] = []
        for tok in tokens[1:]:
            if tok.type == "TRAIL":  # the trail after a target is dropped (the schema cannot hold it)
                break
            level = _level([tok])
            if level is not None:
                levels.append(level)
        return Fact("targets", levels)

    def fraction(self, tokens: list[Token]) -> Fact:
        tok = tokens[0]
        if tok.type == "FRACTION":
            top, bottom = (int(x) for x in tok.split("of"))
            value = (Decimal(top) / Decimal(bottom)).quantize(Decimal("0.01")) if bottom else None
            return Fact("fraction", value)
        return Fact("fraction", _FRACTIONS[tok.type.lower()])

    def quantity(self, tokens: list[Token]) -> Fact:
        return Fact("qty", int(tokens[1]) if len(tokens) > 1 and "." not in tokens[1] else None)

    def marker(self, tokens: list[Token]) -> Fact:
        return Fact("marker", tokens[0].type.lower())

    def number(self, tokens: list[Token]) -> Fact:
        return Fact("number", str(tokens[0]))

    def word(self, tokens: list[Token]) -> Fact:
        return Fact("word", str(tokens[0]))

    def ticker(self, tokens: list[Token]) -> Fact:
        return Fact("ticker", _symbol(tokens[0]))

    def bare_range(self, tokens: list[Token]) -> Fact:
        return Fact("range", _level(tokens))

    def sentence_end(self, tokens: list[Token]) -> Fact:
        return Fact("sep")

    def clause_end(self, tokens: list[Token]) -> Fact:
        return Fact("comma")
