"""What each grammar phrase says: one small builder per rule of alerts.lark.

A builder gets the phrase's tokens in order and returns a ``Phrase``; levels are plain tuples:
("price", d) | ("percent", d) | ("be",) | ("range", low, high) | ("points", d) | ("signed", d) | ("pips", d)
| ("mkt",)
| ("open",) for a target left open ("PT 🚀"). No clock, no I/O.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NamedTuple

from .lexer import Tok

Level = tuple[Any, ...]


class Phrase(NamedTuple):
    kind: str  # option | dated | price | stop | move | targets | qty
    value: Any
    toks: tuple[Tok, ...]

    @property
    def pos(self) -> int:
        return self.toks[0].pos


class OptionValue(NamedTuple):
    before: Tok | None  # the word or $ticker written before the strike (or its expiry)
    after: Tok | None  # the one written after it: "580c 3/21 AMD"
    strike: Decimal
    right: str  # "C" | "P"
    expiry: Tok | None  # DATE, ODTE or WEEKLY


class DatedValue(NamedTuple):
    symbol: Tok | None
    expiry: Tok


_SYMBOLS = ("WORD", "TICKER")
_EXPIRIES = ("DATE", "ODTE", "WEEKLY")


def option(toks: list[Tok]) -> Phrase:
    at = next(i for i, t in enumerate(toks) if t.kind == "STRIKE")
    strike, right = toks[at].value
    expiry = next((t for t in toks if t.kind in _EXPIRIES), None)
    before = next((t for t in toks[:at] if t.kind in _SYMBOLS), None)
    after = next((t for t in toks[at + 1 :] if t.kind in _SYMBOLS), None)
    return Phrase("option", OptionValue(before, after, strike, right, expiry), tuple(toks))


def dated(toks: list[Tok]) -> Phrase:
    symbol = next((t for t in toks if t.kind in _SYMBOLS), None)
    expiry = next(t for t in toks if t.kind in _EXPIRIES)
    return Phrase("dated", DatedValue(symbol, expiry), tuple(toks))


def price(toks: list[Tok]) -> Phrase:
    level = None
    if len(toks) > 1:
        tok = toks[1]
        level = ("mkt",) if tok.kind == "MKT" else _single(tok)
    return Phrase("price", level, tuple(toks))


def stop(toks: list[Any]) -> Phrase:
    head = toks[0]
    if isinstance(head, Phrase):  # "10 pts sl", "- 25 pt stop"
        return Phrase("stop", head.value, (*head.toks, *toks[1:]))
    if head.kind == "PCT":  # "30% stop"
        return Phrase("stop", ("percent", head.value), tuple(toks))
    rest = [t for t in toks[1:] if t.kind not in ("COLON", "AT")]
    return Phrase("stop", level_of(rest), tuple(toks))


def move(toks: list[Tok]) -> Phrase:
    kinds = [t.kind for t in toks]
    if kinds == ["RISKFREE"] or kinds == ["BE", "SL"]:
        return Phrase("move", ("be",), tuple(toks))
    after = next((i for i, k in enumerate(kinds) if k in ("TO", "AT")), None)
    if after is None:  # "new stop 1.20", "raise stop 121"
        after = max(i for i, k in enumerate(kinds) if k in ("SL", "MOVE", "UP"))
    return Phrase("move", level_of(toks[after + 1 :]), tuple(toks))


def targets(toks: list[Tok]) -> Phrase:
    levels: list[Level] = []
    i = 1
    while i < len(toks):
        tok = toks[i]
        if tok.kind == "TRAIL":  # the trail after a target: the schema cannot hold it
            break
        if tok.kind == "SIGN":
            signed = _signed(tok, toks[i + 1]) if i + 1 < len(toks) else None
            if signed is not None:
                levels.append(signed)
            i += 2
            continue
        if tok.kind == "ROCKET":
            levels.append(("open",))
        elif tok.kind in ("SLASHES", "DATE"):
            unit = "pips" if i + 1 < len(toks) and toks[i + 1].kind == "PIPS" else "price"
            levels.extend((unit, v) for v in _list_values(tok))  # "TP 30/60 pips": both in pips
            i += unit == "pips"
        elif tok.kind not in ("COLON", "DASH"):
            level = _single(tok)
            if level is not None and level[0] == "pips" and levels and levels[-1][0] == "price":
                level = None  # "TP 1.0900 50 pips": the size of the move to that price, said twice
            if level is not None:
                levels.append(level)
        i += 1
    return Phrase("targets", (levels, toks[0].value), tuple(toks))


def points(toks: list[Tok]) -> Phrase:
    return Phrase("points", ("points", toks[-1].value), tuple(toks))


def qty(toks: list[Tok]) -> Phrase:
    number: Decimal | None = toks[-1].value if toks[-1].kind == "NUM" else None
    whole = number is not None and number == int(number)
    return Phrase("qty", int(number) if number is not None and whole else None, tuple(toks))


def level_of(toks: list[Tok] | tuple[Tok, ...]) -> Level | None:
    """The level the tokens after sl / to / at name, or None for a bare stop ("stop: lod")."""
    toks = [t for t in toks if t.kind != "COLON"]
    if not toks:
        return None
    head = toks[0]
    kind = head.kind
    if kind == "SIGN":
        return _signed(head, toks[1]) if len(toks) > 1 else None
    if kind in ("BELOW", "BREAK", "TRAIL"):
        return level_of(toks[1:]) if len(toks) > 1 else None
    return _single(head)


def _single(tok: Tok) -> Level | None:
    kind = tok.kind
    if kind == "NUM":
        return ("price", tok.value)
    if kind == "PCT":
        return ("percent", tok.value)
    if kind in ("BE", "ENTRY", "FLAT"):
        return ("be",)
    if kind == "RANGE":
        low, high = sorted(tok.value)
        return ("range", low, high)
    if kind == "PTS":
        return ("points", tok.value)
    if kind == "PIPS":
        return ("pips", tok.value)
    return None


def _signed(sign: Tok, tok: Tok) -> Level | None:
    """``+20`` is 20 points from the entry; ``-30%`` a 30 % loss; ``+50%`` a 50 % gain."""
    if tok.kind == "PCT":
        return ("percent", tok.value)
    if tok.kind == "PIPS":
        return ("pips", tok.value)
    value = tok.value if sign.text == "+" else -tok.value
    return ("signed", value)


def _list_values(tok: Tok) -> list[Decimal]:
    if tok.kind == "SLASHES":
        return list(tok.value[0])
    month, day, year = tok.value  # "PT 10/12/14": a list of levels the lexer read as a date
    return [Decimal(month), Decimal(day)] + ([Decimal(year % 100)] if year else [])


BUILDERS = {"option": option, "dated": dated, "price": price, "stop": stop, "move": move,
            "targets": targets, "qty": qty, "points": points}  # fmt: skip
