"""An instruction's numbers: price, stop, targets, size and fraction, following the labelling conventions.

* Price: the first ``@`` price from the verb's sentence on, else the first bare number after the verb
  (or, for "LNKS 1.39 entry", before it). A range gives the bound that fills across the zone: the
  upper for a buy, the lower for a sell. ``@ mkt`` and no price mean a market order (None).
* Stops: points become a price from the entry (none without one); pips too, with the pair's pip size
  (kept as pips on a forex or metal entry at market); a range gives its outer level;
  "sl to 0, i mean be" takes the correction.
* Targets: every target level in order; points and ``+20`` count from the entry.
* Size: ``qty 2``, ``2x``, ``10 contracts``, or a whole number between the verb and the contract.
* Fraction (trims): half, 1/3, 2/3, 25%; "some", "a bit", "partial" leave it unknown (None).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .actions import fraction_date, level_after_bare_stop
from .indexed import IndexedMessage
from .instructions import Instruction, ordered
from .models import (
    BreakevenStop,
    PercentStop,
    PercentTarget,
    PipStop,
    PipTarget,
    PriceStop,
    PriceTarget,
    Side,
    Stop,
    Target,
)
from .phrases import Level, Phrase

_NAMES = frozenset({"WORD", "TICKER", "FUT", "option", "dated"})
_PRICE = frozenset({"price"})
_STOPS = frozenset({"stop", "move"})
_TARGETS = frozenset({"targets"})
_SIZES = frozenset({"qty", "QTY", "REST"})
_SIDES = frozenset({"LONG", "SHORT"})
_BEFORE_NOT_PRICE = frozenset({"ABOVE", "BELOW", "BREAK", "SIGN", "ARROW", "AVG", "UP", "IF"})


def _phrases(msg: IndexedMessage, ins: Instruction, kinds: frozenset[str]) -> list[tuple[int, Phrase]]:
    return [(j, msg.items[j]) for j in ordered(msg, ins, kinds)]  # type: ignore[misc]


# ---------------------------------------------------------------- price


def price(msg: IndexedMessage, ins: Instruction, buying: bool, skip: int | None) -> Decimal | None:
    for _, phrase in _phrases(msg, ins, _PRICE):
        level = phrase.value
        if level is None:
            continue
        return None if level[0] == "mkt" else _bound(level, buying)
    found = _bare_number(msg, ins, skip)
    return None if found is None else _bound(found, buying)


def _bound(level: Level, buying: bool) -> Decimal:
    if level[0] == "range":
        return Decimal(level[2] if buying else level[1])
    return Decimal(level[1])


def _bare_number(msg: IndexedMessage, ins: Instruction, skip: int | None) -> Level | None:
    result = _result_line_price(msg, ins)
    if result is not None:
        return result
    for j in range(ins.head + 1, ins.end):
        level = _number_at(msg, j, skip)
        if level is not None:
            return level
        if msg.kinds[j] in ("stop", "targets", "move", "MKT") or (
            msg.kinds[j] == "HERE" and msg.kinds[j + 1 : j + 2] != ["NUM"]
        ):
            break  # "long here stop 4990" is at market; "sold half here .64" is at .64
    start, _ = msg.sentence_span(ins.head)
    for j in range(max(start, ins.start), ins.head):  # "LNKS 1.39 entry", "$TSLA 150 entry long"
        level = _number_at(msg, j, skip)
        if level is not None and any(msg.kinds[k] in _NAMES for k in range(start, j)):
            return level
    return None


def _number_at(msg: IndexedMessage, j: int, skip: int | None) -> Level | None:
    kind = msg.kinds[j]
    if j == skip or kind not in ("NUM", "RANGE") or (j and msg.kinds[j - 1] in _BEFORE_NOT_PRICE):
        return None
    tok = msg.tok(j)
    assert tok is not None
    if "$" in tok.text and msg.text(j + 1) in ("of", "worth"):
        return None  # "Buy $100 of AMZN": an amount of money, not a price
    if kind == "RANGE":
        low, high = sorted(tok.value)
        return ("range", low, high)
    return ("price", tok.value)


def _result_line_price(msg: IndexedMessage, ins: Instruction) -> Level | None:
    """``IN 11090 OUT 11503 +413``: an exit's result line; the exit price is the OUT number."""
    if ins.kind not in ("exit", "trim"):
        return None
    for j in range(ins.start, ins.end - 1):
        if msg.kinds[j] == "OUT" and j > 1 and msg.kinds[j - 2] == "IN":
            after = j + 2 if msg.kinds[j + 1] == "COLON" else j + 1
            return _number_at(msg, after, None) if after < ins.end else None
    return None


# ---------------------------------------------------------------- stops


def stop_level(msg: IndexedMessage, ins: Instruction) -> tuple[bool, Level | None]:
    """(a stop was written, its level). A bare "stop" takes a number later in its clause."""
    for j, phrase in _phrases(msg, ins, _STOPS):
        level = phrase.value
        if level is None and phrase.kind in ("stop", "move"):
            level = level_after_bare_stop(msg, j)
        corrected = _correction(msg, j)
        if corrected is not None:
            level = corrected
        if level is not None or phrase.kind == "stop":
            return True, level
    return False, None


def _correction(msg: IndexedMessage, j: int) -> Level | None:
    """ "sl to 0, i mean be": the level after the correction replaces the one before it."""
    _, end = msg.sentence_span(j)
    for k in range(j + 1, min(end, j + 4)):
        if msg.kinds[k] == "CORRECTION" and k + 1 < end:
            tok = msg.tok(k + 1)
            if tok is not None and tok.kind in ("BE", "ENTRY", "FLAT"):
                return ("be",)
            if tok is not None and tok.kind == "NUM":
                return ("price", tok.value)
    return None


def to_stop(
    level: Level | None, side: Side | None, entry: Decimal | None, pip: Decimal | None
) -> Stop | None:
    """``pip``: the instrument's pip size (None when it is not a forex pair or metal)."""
    if level is None:
        return None
    kind = level[0]
    if kind == "pips":
        if pip is None:
            return None  # pips on a stock or option: no such unit
        if entry is None:
            return PipStop(pips=level[1])
        level, kind = ("points", level[1] * pip), "points"
    if kind == "be":
        return BreakevenStop()
    if kind == "percent":
        return PercentStop(percent=level[1])
    if kind in ("points", "signed"):
        distance = abs(Decimal(level[1]))
        if entry is None:
            return None
        return PriceStop(price=entry + distance if side == Side.SHORT else entry - distance)
    if kind == "range":
        return PriceStop(price=level[2] if side == Side.SHORT else level[1])
    return PriceStop(price=level[1])


# ---------------------------------------------------------------- targets


def targets(
    msg: IndexedMessage, ins: Instruction, side: Side | None, entry: Decimal | None, pip: Decimal | None
) -> list[Target]:
    out: list[Target] = []
    sign = -1 if side == Side.SHORT else 1
    for _, phrase in _phrases(msg, ins, _TARGETS):
        for level in phrase.value[0]:
            target = _target(level, sign, entry, pip)
            if target is not None:
                out.append(target)
    return out


def _target(level: Level, sign: int, entry: Decimal | None, pip: Decimal | None) -> Target | None:
    kind = level[0]
    if kind == "pips":
        if pip is None:
            return None
        if entry is None:
            return PipTarget(pips=level[1])
        return PriceTarget(price=entry + sign * level[1] * pip)
    if kind == "percent":
        return PercentTarget(percent=level[1])
    if kind == "price":
        return PriceTarget(price=level[1])
    if kind == "range":
        return PriceTarget(price=level[1] if sign > 0 else level[2])
    if kind in ("points", "signed") and entry is not None:
        return PriceTarget(price=entry + sign * abs(Decimal(level[1])))
    return None


# ---------------------------------------------------------------- size


def quantity_index(msg: IndexedMessage, ins: Instruction) -> int | None:
    """``BTO 5 QQQ ...``: a whole number right after the verb and before the contract is a size."""
    j = ins.head + 1
    tok = msg.tok(j)
    if tok is None or tok.kind != "NUM" or "." in tok.text or "$" in tok.text:
        return None
    after = j + 1
    while after < len(msg.items) and msg.kinds[after] in ("SOME", "REST"):
        after += 1  # "adding 2 more TSLA 200C"
    if after >= len(msg.items):
        return None
    named = msg.tok(after)
    capitals = named is not None and named.upper and named.text.isalpha()  # "BTO 1 COST 3/20 1000C"
    return j if msg.kinds[after] in _NAMES or capitals else None


def quantity(msg: IndexedMessage, ins: Instruction) -> int | None:
    """The size written, or None. Zero is returned as 0: the caller refuses it."""
    for j in ordered(msg, ins, _SIZES):
        item = msg.items[j]
        if isinstance(item, Phrase) and item.kind == "qty" and item.value is not None:
            return int(item.value)
        if msg.kinds[j] == "QTY":
            return _whole(msg.tok(j).value)  # type: ignore[union-attr]
        if msg.kinds[j] == "REST" and msg.kinds[j + 1 : j + 4] == ["COMMA", "NUM", "COMMA"]:
            return _whole(msg.tok(j + 2).value)  # type: ignore[union-attr]  # "ALL/REMAINING (2)"
    at = quantity_index(msg, ins)
    return _whole(msg.tok(at).value) if at is not None else None  # type: ignore[union-attr]


def _whole(value: Any) -> int | None:
    return int(value) if value == int(value) else None


def fraction(msg: IndexedMessage, ins: Instruction) -> Decimal | None:
    for verb in ins.verbs:
        start, end = msg.sentence_span(verb)
        pct = next((k for k in range(verb + 1, min(end, verb + 4)) if msg.kinds[k] != "WORD"), None)
        if pct is not None and msg.kinds[pct] == "PCT":  # "trim 75%", "trimmed another 25%"
            return min(Decimal(msg.tok(pct).value) / 100, Decimal(1))  # type: ignore[union-attr]
        for j in range(start, end):
            if msg.kinds[j] == "FRAC":
                return msg.tok(j).value  # type: ignore[union-attr,no-any-return]
            if msg.kinds[j] == "PCT" and msg.kinds[j + 1 : j + 2] == ["OFF"]:
                return min(Decimal(msg.tok(j).value) / 100, Decimal(1))  # type: ignore[union-attr]
            if msg.kinds[j] == "dated" and j > verb and fraction_date(msg, j):
                month, day, _ = msg.items[j].value.expiry.value
                return (Decimal(month) / Decimal(day)).quantize(Decimal("0.01"))
    return None


# ---------------------------------------------------------------- side


def side_word(msg: IndexedMessage, ins: Instruction, near: bool) -> Side | None:
    """The first "long"/"short" in the instruction (or, ``near``, right around its verbs)."""
    for j in ordered(msg, ins, _SIDES):
        if near and not any(abs(j - verb) <= 4 for verb in ins.verbs):
            continue
        if msg.kinds[j] == "LONG":
            return Side.LONG
        if msg.kinds[j] == "SHORT":
            return Side.SHORT
    return None
