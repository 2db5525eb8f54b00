"""The domain's orders in IB's words, and IB's codes in the domain's.

Every order carries ``orderRef`` = our client order id (it survives reconnects and restarts and
comes back on open orders and executions) and ``tif=DAY``: scalps do not sleep at IB overnight. A
forex or gold position's stop and target are ``GTC``: those markets trade through the 17:00 roll, when
a DAY order would expire and leave the position without its stop.
Prices move onto the contract's ladder in the direction that never adds risk: a buy limit down, a
sell limit up, a protective stop toward the market.
"""

from __future__ import annotations

from decimal import Decimal

from risk import Trail, fx
from risk.specs import Toward

from ..orders import Action, Order, OrderType, Role
from .compat import UNSET_DOUBLE, IBOrder
from .contracts import Listed

TIF = "DAY"
PROTECTIVE_SPOT_TIF = "GTC"
IB_ORDER_TYPES = {OrderType.LIMIT: "LMT", OrderType.MARKET: "MKT", OrderType.STOP: "STP"}
WORKING_STATES = frozenset({"PreSubmitted", "Submitted"})
CANCELLED_STATES = frozenset({"Cancelled", "ApiCancelled"})
INACTIVE = "Inactive"
FILLED = "Filled"
# Warnings: the order stays live until IB itself says otherwise (an orderStatus, or a terminal code).
# 399 held until the open, 10349 time in force set by a preset, 10311 direct routing, 2100-2199
# informational (2109: outside-RTH ignored), and ib_async's own list. Not 110: an off-tick price is
# refused, whatever ib_async's list says.
WARNING_CODES = frozenset({105, 165, 321, 329, 399, 404, 434, 492, 10167, 10311, 10349, 2102})
# Refusals: the order is dead, with the reason journaled (no security, rejected, ambiguous, price cap, tick).
TERMINAL_CODES = frozenset({110, 200, 201, 203, 460})
GONE_CODES = frozenset({10147, 10148, 161})  # the order to cancel is already gone or finished
FARM_OK_CODES = frozenset({2104, 2106, 2107, 2108, 2119, 2158})
CONNECTIVITY_LOST = 1100
CONNECTIVITY_RESTORED = frozenset({1101, 1102})
CANCELLED_CODE = 202


def is_warning(code: int) -> bool:
    return code not in TERMINAL_CODES and (code in WARNING_CODES or 2100 <= code < 2200)


def rounding(order: Order) -> Toward:
    """Which way a price between ticks moves: never toward more risk."""
    return Toward.DOWN if order.action is Action.BUY else Toward.UP


def on_ladder(order: Order, listed: Listed) -> Order:
    if order.price is None:
        return order
    price = listed.round(order.price, rounding(order))
    return order if price == order.price else order.model_copy(update={"price": price})


def ib_order(order: Order, *, account: str, transmit: bool, parent_id: int = 0) -> IBOrder:
    placed = IBOrder(
        action="BUY" if order.action is Action.BUY else "SELL",
        totalQuantity=order.quantity,
        orderType=IB_ORDER_TYPES[order.order_type],
        tif=_time_in_force(order),
        account=account,
        orderRef=order.client_id,
        transmit=transmit,
        parentId=parent_id,
    )
    set_price(placed, order.order_type, order.price)
    if order.trail is not None and order.price is not None:
        _trailing(placed, order.trail, order.price)
    return placed


def _time_in_force(order: Order) -> str:
    """DAY, except a forex or gold position's stop and target (module docstring)."""
    return PROTECTIVE_SPOT_TIF if fx.is_spot(order.instrument) and order.role is not Role.ENTRY else TIF


def _trailing(placed: IBOrder, trail: Trail, stop: Decimal) -> None:
    """A native trailing stop: ``TRAIL`` from the fill, or a stop that IB itself turns into one
    when the market reaches ``trail.start`` (an adjusted order), so the trail runs at IB even while
    the bot is away. The OCA link to the target is the bracket's, as for a plain stop."""
    by_amount = trail.amount is not None
    value = float(trail.amount if trail.amount is not None else trail.percent or 0)
    if trail.start is None:
        placed.orderType = "TRAIL"
        placed.trailStopPrice = float(stop)
        if by_amount:
            placed.auxPrice = value
        else:
            placed.auxPrice = UNSET_DOUBLE
            placed.trailingPercent = value
        return
    placed.triggerPrice = float(trail.start)
    placed.adjustedOrderType = "TRAIL"
    placed.adjustedStopPrice = float(stop)
    placed.adjustedTrailingAmount = value
    placed.adjustableTrailingUnit = 0 if by_amount else 1


def set_price(placed: IBOrder, order_type: OrderType, price: Decimal | None) -> None:
    if price is None:
        return
    if placed.orderType == "TRAIL":  # auxPrice is its trailing amount; the stop is trailStopPrice
        placed.trailStopPrice = float(price)
    elif order_type is OrderType.STOP:
        placed.auxPrice = float(price)
    else:
        placed.lmtPrice = float(price)


def decimal(value: float | Decimal | None) -> Decimal:
    """A price or commission from the wire (a float that came from text) as the text it was."""
    return Decimal(str(value)).normalize() if value else Decimal(0)
