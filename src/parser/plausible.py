"""Plausibility checks after assembly: an implausible reading is refused (``ambiguous``), never traded.

Each check names what it found: a number that is negative, zero, garbled or absurd; a premium that is
really the underlying's price; a size that is really a price; a stop or a target on the wrong side of
the entry (which is also how a list of ordinals read as targets shows up: "PT 1 - 31.40" as [1, 2]).
"""

from __future__ import annotations

from decimal import Decimal

from .indexed import IndexedMessage, refuse
from .models import Asset, Instrument, NotASignal, PercentStop, PriceStop, PriceTarget, Side, Stop, Target

MAX_PRICE = Decimal(1_000_000)
MAX_STRIKE = Decimal(100_000)
MAX_SHARES = 100_000
MAX_CONTRACTS = 1_000  # options and futures: a larger "size" is a price read in the wrong slot


def numbers(
    msg: IndexedMessage,
    head: int,
    price: Decimal | None,
    quantity: int | None,
    inst: Instrument | None,
    entry: bool,
) -> NotASignal | None:
    """Sizes, prices and strikes that are numbers of a trade; on an entry, no minus sign before them
    (after an exit a signed number is its result: "closed -2")."""
    start, end = msg.sentence_span(head)
    if msg.first(frozenset({"GARBLED"}), start, end) is not None:
        return refuse("ambiguous", "a garbled number (1e9, 1.2.5) where a price or size goes")
    if entry and _negative_after(msg, head, end):
        return refuse("ambiguous", "a negative price or size")
    if price is not None and not Decimal(0) < price <= MAX_PRICE:
        return refuse("ambiguous", f"price {price} is not a price")
    if quantity is not None:
        most = MAX_SHARES if inst is None or inst.asset in (Asset.STOCK, None) else MAX_CONTRACTS
        if not 0 < quantity <= most:
            return refuse("ambiguous", f"size {quantity} is not a size (a price in the size's place?)")
    if inst is not None and inst.strike is not None and inst.strike > MAX_STRIKE:
        return refuse("ambiguous", f"strike {inst.strike} is absurd")
    return None


def _negative_after(msg: IndexedMessage, head: int, end: int) -> bool:
    """ "BTO -5 SPY", "@ -1.20": a minus right before the entry's size, price or strike."""
    for j in range(head + 1, end):
        if msg.kinds[j] in ("stop", "targets", "move"):
            return False
        if (
            msg.kinds[j] == "SIGN"
            and msg.text(j) == "-"
            and msg.kinds[j + 1 : j + 2] in (["NUM"], ["option"])
        ):
            return True
        if msg.kinds[j] == "price" and msg.kinds[j + 1 : j + 3] == ["SIGN", "NUM"] and msg.text(j + 1) == "-":
            return True
    return False


def underlying_level(value: Decimal, inst: Instrument | None) -> bool:
    """On an option, a level at half the strike or more is the underlying's price, not a premium."""
    return (
        inst is not None
        and inst.asset == Asset.OPTION
        and inst.strike is not None
        and value * 2 >= inst.strike
    )


def sides(
    side: Side | None, price: Decimal | None, stop: Stop | None, targets: tuple[Target, ...]
) -> NotASignal | None:
    """An entry's stop below it and targets above it (a long; the mirror for a short)."""
    short = side == Side.SHORT
    if isinstance(stop, PercentStop) and not Decimal(0) < stop.percent < 100:
        return refuse("ambiguous", f"a {stop.percent}% stop loses more than the position")
    if price is None:
        return None
    if isinstance(stop, PriceStop) and (stop.price <= price if short else stop.price >= price):
        return refuse("ambiguous", f"stop {stop.price} is on the wrong side of the entry {price}")
    for target in targets:
        if isinstance(target, PriceTarget) and (target.price >= price if short else target.price <= price):
            return refuse("ambiguous", f"target {target.price} is on the wrong side of the entry {price}")
    return None
