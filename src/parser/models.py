"""Typed intents: what one alert message asks for.

Frozen pydantic models, a discriminated union on ``kind``. Prices are Decimal, expiries are dates.
Unknown values are None, never guessed. ``to_contract()`` gives the `autoscalper parse` JSON object
described in docs/architecture.md.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Asset(StrEnum):
    """What a contract is. The parser reads every kind; risk decides which may trade."""

    OPTION = "option"
    FUTURE = "future"
    STOCK = "stock"
    FOREX = "forex"  # currency pairs and spot metals (XAUUSD, GOLD)
    CRYPTO = "crypto"
    CFD = "cfd"  # index CFDs (US30, NAS100, GER40)
    INDEX = "index"  # a cash index level (Northman's $SPX / $NDX trades)


class Side(StrEnum):
    LONG = "long"
    SHORT = "short"


class Right(StrEnum):
    CALL = "C"
    PUT = "P"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Instrument(_Frozen):
    """A contract. ``asset`` is None when a management message names only an underlying."""

    asset: Asset | None
    symbol: str
    right: Right | None = None
    strike: Decimal | None = None
    expiry: date | None = None


class PriceStop(_Frozen):
    price: Decimal


class PercentStop(_Frozen):
    """A loss percentage below (long) or above (short) the entry price."""

    percent: Decimal


class BreakevenStop(_Frozen):
    breakeven: Literal[True] = True


class PipStop(_Frozen):
    """A distance in pips from the fill, for a forex or metal entry written with no price ("BUY NOW,
    SL 30 pips"); with a price the parser turns it into a ``PriceStop``."""

    pips: Decimal


Stop = PriceStop | PercentStop | BreakevenStop | PipStop


class PriceTarget(_Frozen):
    price: Decimal


class PercentTarget(_Frozen):
    """A gain percentage above (long) or below (short) the entry price."""

    percent: Decimal


class PipTarget(_Frozen):
    """A gain in pips from the fill (a forex or metal entry with no price)."""

    pips: Decimal


Target = PriceTarget | PercentTarget | PipTarget


class IntentBase(_Frozen):
    side: Side | None = None
    instrument: Instrument | None = None
    price: Decimal | None = None
    stop: Stop | None = None
    targets: tuple[Target, ...] = ()
    quantity: int | None = Field(default=None, ge=1)

    def to_contract(self) -> dict[str, Any]:
        return _contract_dict(self)


class Open(IntentBase):
    """Open a new position. ``price`` None means a market entry."""

    kind: Literal["open"] = "open"


class Add(IntentBase):
    """Add to (average) an existing position."""

    kind: Literal["add"] = "add"


class Exit(IntentBase):
    """Close the whole position (or ``quantity`` of it when the alert names a size)."""

    kind: Literal["exit"] = "exit"


class Trim(IntentBase):
    """Close part of a position. ``fraction`` None means unquantified; ``stop`` applies to the rest."""

    kind: Literal["trim"] = "trim"
    fraction: Decimal | None = Field(default=None, gt=0, le=1)


class MoveStop(IntentBase):
    """Move the stop (and, when given, the targets) of an open position."""

    kind: Literal["move_stop"] = "move_stop"


class Cancel(IntentBase):
    """Cancel a working entry that has not filled."""

    kind: Literal["cancel"] = "cancel"


class NotASignal(_Frozen):
    """Anything that must not trade. ``reason`` is a stable label, ``detail`` a sentence for humans."""

    kind: Literal["none"] = "none"
    reason: str
    detail: str = ""

    def to_contract(self) -> dict[str, Any]:
        return {**_EMPTY_CONTRACT, "reason": self.reason}


Intent = Annotated[Open | Add | Exit | Trim | MoveStop | Cancel, Field(discriminator="kind")]
ParseResult = Annotated[
    Open | Add | Exit | Trim | MoveStop | Cancel | NotASignal, Field(discriminator="kind")
]

_EMPTY_CONTRACT: dict[str, Any] = {
    "kind": "none",
    "side": None,
    "instrument": None,
    "price": None,
    "stop": None,
    "targets": [],
    "quantity": None,
    "fraction": None,
    "reason": None,
}


def _decimal_text(value: Decimal | None) -> str | None:
    """Canonical decimal text: "2.5" not "2.50", "4500" not "4.5E+3"."""
    if value is None:
        return None
    return format(value.normalize(), "f")


def _instrument_dict(inst: Instrument | None) -> dict[str, Any] | None:
    if inst is None:
        return None
    return {
        "asset": inst.asset.value if inst.asset else None,
        "symbol": inst.symbol,
        "right": inst.right.value if inst.right else None,
        "strike": _decimal_text(inst.strike),
        "expiry": inst.expiry.isoformat() if inst.expiry else None,
    }


def _level_dict(level: Stop | Target | None) -> dict[str, Any] | None:
    if level is None:
        return None
    if isinstance(level, BreakevenStop):
        return {"breakeven": True}
    if isinstance(level, PriceStop | PriceTarget):
        return {"price": _decimal_text(level.price)}
    if isinstance(level, PipStop | PipTarget):
        return {"pips": _decimal_text(level.pips)}
    return {"percent": _decimal_text(level.percent)}


def _contract_dict(intent: IntentBase) -> dict[str, Any]:
    fraction = getattr(intent, "fraction", None)
    return {
        "kind": getattr(intent, "kind", "none"),
        "side": intent.side.value if intent.side else None,
        "instrument": _instrument_dict(intent.instrument),
        "price": _decimal_text(intent.price),
        "stop": _level_dict(intent.stop),
        "targets": [_level_dict(t) for t in intent.targets],
        "quantity": intent.quantity,
        "fraction": _decimal_text(fraction),
        "reason": None,
    }


def contract_json(
    outcomes: tuple[IntentBase | NotASignal, ...] | list[IntentBase | NotASignal],
) -> dict[str, Any]:
    """The ``autoscalper parse`` object for a message: its first intent, plus ``all`` when it has several."""
    first = outcomes[0].to_contract()
    if len(outcomes) > 1:
        first["all"] = [outcome.to_contract() for outcome in outcomes]
    return first
