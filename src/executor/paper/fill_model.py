"""The paper simulator's fill model (docs/orders.md), as pure functions of an order and the market.

Quotes drive fills: a buy limit fills when ask <= limit, a sell limit when bid >= limit, a sell stop
triggers when bid <= stop and a buy stop when ask >= stop, each at the order's own price. A market
order takes the ask (buying) or the bid (selling). With no quote ever seen for the instrument, an
entry or a closing order fills on receipt at the alert's price, the analyst's own; a closing order
with no alert price fills at the last price the simulator traded. Bracket children wait for a quote.
A fill made without a quote is made up, and says how (``price_basis``): ``at_alert_price``, or
``no_quote`` when even the alert had no price.
"""

from __future__ import annotations

from decimal import Decimal

from risk import Quote
from risk.specs import Toward, round_price

from ..events import AT_ALERT_PRICE, NO_QUOTE, PriceBasis
from ..orders import Action, Order, OrderType


def fill_price(order: Order, quote: Quote | None, last_price: Decimal | None) -> Decimal | None:
    """The price ``order`` fills at now, or None when it keeps working."""
    if quote is None:
        return _without_quote(order, last_price)
    bid, ask = quote.bid or quote.last, quote.ask or quote.last
    buying = order.action is Action.BUY
    if order.order_type is OrderType.MARKET:
        return ask if buying else bid
    limit = order.price
    touched = ask if buying else bid
    if limit is None or touched is None:
        return None
    if order.order_type is OrderType.LIMIT:
        crossed = touched <= limit if buying else touched >= limit
    else:
        crossed = touched >= limit if buying else touched <= limit
    return limit if crossed else None


def _without_quote(order: Order, last_price: Decimal | None) -> Decimal | None:
    if order.role.is_child:
        return None
    if order.order_type is OrderType.LIMIT:
        return order.price
    return order.alert_price or last_price


def trailed(order: Order, quote: Quote) -> Decimal | None:
    """A trailing stop's new price on ``quote`` (it only tightens), or None when it stays: a sell
    stop follows the bid up, a buy stop the ask down, by the trail's distance, once the market
    reached the trail's start; on the instrument's tick, rounded away from the market."""
    trail, current = order.trail, order.price
    if trail is None or current is None:
        return None
    selling = order.action is Action.SELL
    market = (quote.bid if selling else quote.ask) or quote.last
    if market is None or (
        trail.start is not None and (market < trail.start if selling else market > trail.start)
    ):
        return None
    raw = market - trail.distance(market) if selling else market + trail.distance(market)
    if raw <= 0:
        return None
    stop = round_price(order.instrument, raw, Toward.DOWN if selling else Toward.UP)
    return stop if (stop > current if selling else stop < current) else None


def price_basis(order: Order, quote: Quote | None) -> PriceBasis | None:
    """How a fill of ``order`` was priced when no market priced it; None when a quote did."""
    if quote is not None:
        return None
    if order.order_type is OrderType.LIMIT or order.alert_price is not None:
        return AT_ALERT_PRICE
    return NO_QUOTE
