"""The daily loss cap: today's realized P&L, the worst case at the stops, and the latched state.

The trading day is ``hours.trading_day`` (New York, rolling over at 18:00 ET). Open positions count
with what they lose if every stop fills at its price; a stop already in profit counts as zero, never
as a gain that would make room for more risk. A position without a stop cannot be bounded, and then
no entry passes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from parser import Instrument, Side

from .account import AccountSnapshot, Position, Realized, TradingState, TradingStatus
from .fx import dollar_rate
from .hours import trading_day
from .limits import Limits
from .specs import multiplier

LOSS_CAP = "daily_loss_limit"
NEW_DAY = "new_trading_day"


def money(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def realized_today(account: AccountSnapshot, now: datetime) -> Decimal:
    """Today's net realized P&L. A decision asks it of the same snapshot several times (the loss
    cap, the room for a new entry, the review): the last answer is kept for the same fills and day."""
    today = trading_day(now)
    fills, day, total = _LAST_TODAY[0]
    if fills is account.realized and day == today:
        return total
    total = sum((r.pnl for r in account.realized if trading_day(r.at) == today), Decimal(0))
    _LAST_TODAY[0] = (account.realized, today, total)
    return total


# (the closing fills asked about, the day, their sum): holding the tuple keeps its identity unique
_LAST_TODAY: list[tuple[tuple[Realized, ...] | None, date | None, Decimal]] = [(None, None, Decimal(0))]


def loss_per_contract(side: Side, entry: Decimal, stop: Decimal, dollars_per_point: Decimal) -> Decimal:
    """What one contract loses if the stop fills at its price (negative when the stop is in profit)."""
    distance = entry - stop if side is Side.LONG else stop - entry
    return distance * dollars_per_point


def point_value(instrument: Instrument, price: Decimal, cross: Decimal | None = None) -> Decimal | None:
    """Dollars a one-point move is worth per contract (share, forex unit) at ``price``: the
    multiplier, converted from a forex pair's quote currency (``fx.dollar_rate``; ``cross`` for a
    cross, None when a cross has no rate)."""
    rate = dollar_rate(instrument, price, cross)
    return None if rate is None else multiplier(instrument) * rate


def worst_case(position: Position) -> Decimal | None:
    """The position's loss at its stop, at least zero; None when it has no stop (or a cross's
    loss has no rate to be counted in dollars)."""
    if position.stop is None:
        return None
    value = point_value(position.instrument, position.stop, position.rate)
    if value is None:
        return None
    per = loss_per_contract(position.side, position.avg_price, position.stop, value)
    return max(Decimal(0), per * position.exposure)


def open_risk(positions: Iterable[Position]) -> Decimal | None:
    """Summed worst case of ``positions``; None when any of them cannot be bounded."""
    total = Decimal(0)
    for position in positions:
        loss = worst_case(position)
        if loss is None:
            return None
        total += loss
    return total


def review(account: AccountSnapshot, limits: Limits, now: datetime) -> TradingStatus:
    """The trading state that holds at ``now``: a loss latch expires with its day; a new breach latches."""
    status = account.status
    if _latch_expired(status, now):
        status = TradingStatus(cause=NEW_DAY, detail="a new trading day released the loss cap", since=now)
    if status.state is TradingState.ACTIVE and _breached_since(account, limits, now, status.since):
        loss = -realized_today(account, now)
        detail = (
            f"today's realized loss {money(loss)} reached DAILY_LOSS_LIMIT {money(limits.daily_loss_limit)}"
        )
        status = TradingStatus(state=limits.loss_limit_action, cause=LOSS_CAP, detail=detail, since=now)
    return status


def _latch_expired(status: TradingStatus, now: datetime) -> bool:
    if status.cause != LOSS_CAP or status.state is TradingState.ACTIVE or status.since is None:
        return False
    return trading_day(status.since) < trading_day(now)


def _breached_since(account: AccountSnapshot, limits: Limits, now: datetime, since: datetime | None) -> bool:
    """A realized loss at the cap, with a losing fill after ``since`` (old fills never undo a resume)."""
    if -realized_today(account, now) < limits.daily_loss_limit:
        return False
    today = trading_day(now)
    return any(
        r.pnl < 0 and trading_day(r.at) == today and (since is None or r.at > since) for r in account.realized
    )
