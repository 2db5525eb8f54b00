"""What a contract is worth and how its prices step: multipliers, tick ladders, the instrument key.

The executor's position book and the IB adapter use the same tables, so a P&L figure and a risk
figure never disagree about a multiplier. The IB adapter refines ticks with the contract's market
rule; these ladders are the published defaults (Penny Interval Program, CME contract specs).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import NamedTuple

from parser import Asset, Instrument

from . import fx

OPTION_MULTIPLIER = 100


class FutureSpec(NamedTuple):
    multiplier: int
    tick: Decimal


FUTURES: dict[str, FutureSpec] = {
    "ES": FutureSpec(50, Decimal("0.25")),
    "MES": FutureSpec(5, Decimal("0.25")),
    "NQ": FutureSpec(20, Decimal("0.25")),
    "MNQ": FutureSpec(2, Decimal("0.25")),
    "RTY": FutureSpec(50, Decimal("0.1")),
    "M2K": FutureSpec(5, Decimal("0.1")),
    "YM": FutureSpec(5, Decimal("1")),
    "CL": FutureSpec(1000, Decimal("0.01")),
    "GC": FutureSpec(100, Decimal("0.1")),
}

# Options quoted in pennies at every price (Penny Interval Program, "penny everywhere" classes).
PENNY_EVERYWHERE = frozenset({"SPY", "QQQ", "IWM"})
# Index option classes outside the penny program: 0.05 below 3.00, 0.10 above.
NICKEL_CLASSES = frozenset({"SPX", "SPXW", "NDX", "NDXP", "RUT", "RUTW", "VIX", "VIXW", "DJX"})
_LADDER_BREAK = Decimal("3")
_PENNY = Decimal("0.01")
_NICKEL = Decimal("0.05")
_DIME = Decimal("0.10")
_SUB_PENNY = Decimal("0.0001")


class Toward(StrEnum):
    """Which way a price that falls between ticks is moved."""

    UP = "up"
    DOWN = "down"


class UnknownContract(ValueError):
    """The instrument has no multiplier or tick we know (an unsupported futures root)."""


def multiplier(instrument: Instrument) -> int:
    """Quote-currency value of a one-point move per contract (per share, per forex unit: 1)."""
    if instrument.asset is Asset.OPTION:
        return OPTION_MULTIPLIER
    if instrument.asset is Asset.FUTURE:
        return _future(instrument).multiplier
    return 1


def tick(instrument: Instrument, price: Decimal) -> Decimal:
    """The price increment that applies at ``price`` for this instrument."""
    if instrument.asset is Asset.OPTION:
        return _option_tick(instrument.symbol, price)
    if instrument.asset is Asset.FUTURE:
        return _future(instrument).tick
    if instrument.asset is Asset.FOREX:
        return fx.tick(instrument)
    return _PENNY if price >= 1 else _SUB_PENNY


def round_price(instrument: Instrument, price: Decimal, toward: Toward) -> Decimal:
    """``price`` on the instrument's tick ladder, moved ``toward`` when it falls between ticks."""
    return round_to_step(price, tick(instrument, price), toward)


def round_to_step(price: Decimal, step: Decimal, toward: Toward) -> Decimal:
    """``price`` on a ladder of ``step``, moved ``toward`` when it falls between steps."""
    rounding = ROUND_CEILING if toward is Toward.UP else ROUND_FLOOR
    return ((price / step).to_integral_value(rounding=rounding) * step).quantize(step)


def instrument_key(instrument: Instrument) -> str:
    """The session-fixture key: ``SPY 2026-03-02 580C``, ``ES``, ``ES 2026-12``, ``AAPL``, ``EURUSD``,
    ``XAUUSD`` (also for an alert's ``GOLD``)."""
    if instrument.asset is Asset.OPTION:
        expiry = instrument.expiry.isoformat() if instrument.expiry else "?"
        strike = format(instrument.strike.normalize(), "f") if instrument.strike is not None else "?"
        right = instrument.right.value if instrument.right else "?"
        return f"{instrument.symbol} {expiry} {strike}{right}"
    if instrument.asset is Asset.FUTURE and instrument.expiry is not None:
        return f"{instrument.symbol} {instrument.expiry:%Y-%m}"
    if instrument.asset is Asset.FOREX:
        return fx.pair_symbol(instrument)
    return instrument.symbol


def _future(instrument: Instrument) -> FutureSpec:
    spec = FUTURES.get(instrument.symbol)
    if spec is None:
        raise UnknownContract(f"no contract specs for futures root {instrument.symbol}")
    return spec


def _option_tick(symbol: str, price: Decimal) -> Decimal:
    if symbol in PENNY_EVERYWHERE:
        return _PENNY
    if symbol in NICKEL_CLASSES:
        return _NICKEL if price < _LADDER_BREAK else _DIME
    return _PENNY if price < _LADDER_BREAK else _NICKEL
