"""Alert levels turned into order prices on the instrument's tick.

A price that falls between ticks always moves to the cautious side: a buy limit down and a sell limit
up (never pay more than the alert), a stop toward the entry (never risk more than the alert), a
target toward the entry (reached no later than the alert's). A level on the wrong side of the entry
is reported, never flipped.
"""

from __future__ import annotations

from decimal import Decimal

from parser import (
    BreakevenStop,
    Instrument,
    PercentStop,
    PercentTarget,
    PipStop,
    PipTarget,
    PriceStop,
    Side,
    Stop,
    Target,
)

from . import fx
from .plan import Reason
from .specs import Toward, instrument_key, round_price

_HUNDRED = Decimal(100)


def entry_limit(instrument: Instrument, side: Side, price: Decimal) -> Decimal:
    return round_price(instrument, price, Toward.DOWN if side is Side.LONG else Toward.UP)


def stop_price(instrument: Instrument, side: Side, stop: Stop, base: Decimal) -> Decimal:
    """The stop's price; a percent or pips are a loss from ``base``, breakeven is ``base`` itself."""
    if isinstance(stop, PriceStop):
        raw = stop.price
    elif isinstance(stop, PercentStop):
        raw = shifted(base, side, -stop.percent)
    elif isinstance(stop, PipStop):
        raw = pips_from(instrument, base, side, -stop.pips)
    else:
        assert isinstance(stop, BreakevenStop)
        raw = base
    return round_price(instrument, raw, Toward.UP if side is Side.LONG else Toward.DOWN)


def target_price(instrument: Instrument, side: Side, target: Target, base: Decimal) -> Decimal:
    if isinstance(target, PercentTarget):
        raw = shifted(base, side, target.percent)
    elif isinstance(target, PipTarget):
        raw = pips_from(instrument, base, side, target.pips)
    else:
        raw = target.price
    return round_price(instrument, raw, Toward.DOWN if side is Side.LONG else Toward.UP)


def shifted(base: Decimal, side: Side, gain_pct: Decimal) -> Decimal:
    """``base`` moved by ``gain_pct`` percent in the position's favour (negative: against it)."""
    signed = gain_pct if side is Side.LONG else -gain_pct
    return base * (1 + signed / _HUNDRED)


def pips_from(instrument: Instrument, base: Decimal, side: Side, gain_pips: Decimal) -> Decimal:
    """``base`` moved ``gain_pips`` pips in the position's favour (negative: against it). Pips on a
    contract that has none (an option, say) are refused earlier, by ``pips_reasons``."""
    move = gain_pips * fx.pip(instrument)
    return base + move if side is Side.LONG else base - move


def pips_reasons(instrument: Instrument, stop: Stop | None, targets: tuple[Target, ...]) -> list[Reason]:
    """Pips are a forex and metals unit: on anything else the level cannot be priced."""
    in_pips = isinstance(stop, PipStop) or any(isinstance(t, PipTarget) for t in targets)
    if not in_pips or fx.is_spot(instrument):
        return []
    detail = f"{instrument_key(instrument)} has no pips: give the stop and targets as prices"
    return [Reason(code="invalid_price", detail=detail)]


def protective(side: Side, stop: Decimal, entry: Decimal) -> bool:
    """A long's stop is below its entry, a short's above."""
    return stop < entry if side is Side.LONG else stop > entry


def stop_side_reasons(instrument: Instrument, side: Side, stop: Decimal, entry: Decimal) -> list[Reason]:
    if stop <= 0:
        return [Reason(code="invalid_price", detail=f"the stop {stop} is not a positive price")]
    if protective(side, stop, entry):
        return []
    where = "below" if side is Side.LONG else "above"
    detail = (
        f"the stop {stop} is not {where} the entry {entry} of the {side.value} {instrument_key(instrument)}"
    )
    return [Reason(code="stop_wrong_side", detail=detail)]


def target_side_reasons(
    side: Side, target: Decimal, entry: Decimal, *, against: str = "entry"
) -> list[Reason]:
    if target <= 0:
        return [Reason(code="invalid_price", detail=f"the target {target} is not a positive price")]
    if protective(side, entry, target):
        return []
    where = "above" if side is Side.LONG else "below"
    return [
        Reason(code="target_wrong_side", detail=f"the target {target} is not {where} the {against} {entry}")
    ]
