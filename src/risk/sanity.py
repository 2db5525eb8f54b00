"""Orders a careful trader would not place, whatever the alert says.

Each check returns the reasons it found. The numbers are checked again here even though the parser
already refuses what it cannot read: an intent can come from elsewhere (a JSON alert, a test, a
future source), and a zero, negative or absurd number must be a denial, never a default.

- Shorts follow ALLOW_SHORT: ``none``, ``futures`` (the default: a future's short is bounded by its
  stop like its long) or ``all``. Sell-to-open options and short stock are refused by default: a
  naked short call's risk has no bound.
- An option's expiry must be a day its class trades (not a weekend, not an exchange holiday), and no
  further than MAX_EXPIRY_DAYS: "11/27" written on 11/30 read as next year's 11/27 is refused.
- With the underlying's price at hand, a strike more than 50 % away from it is a misread.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from parser import Asset, Instrument, Intent, PercentStop, PriceStop, PriceTarget, Right, Side, Trim

from .account import AccountSnapshot
from .hours import new_york_day, sessions, venue_for
from .limits import Limits, ShortPolicy
from .plan import Reason
from .specs import instrument_key

STRIKE_BAND = Decimal("0.5")  # a strike further than this fraction from the underlying is a misread
MAX_SHARE_UNITS = 1_000_000  # no alert means more shares than this, nor more contracts than the next
MAX_CONTRACT_UNITS = 5_000
MAX_PRICE = Decimal(1_000_000)
_SHORTED_BY_POLICY = {  # the traded assets whose shorts each ALLOW_SHORT refuses (a forex or gold
    # short is bounded by its stop like a future's, so ``futures`` allows it too)
    ShortPolicy.NONE: frozenset({Asset.OPTION, Asset.STOCK, Asset.FUTURE, Asset.FOREX}),
    ShortPolicy.FUTURES: frozenset({Asset.OPTION, Asset.STOCK}),
    ShortPolicy.ALL: frozenset[Asset](),
}


def short_reasons(instrument: Instrument, side: Side, limits: Limits) -> list[Reason]:
    if side is Side.LONG or instrument.asset not in _SHORTED_BY_POLICY[limits.allow_short]:
        return []  # (an asset no broker path trades is refused by its own reason)
    what = "sell-to-open an option" if instrument.asset is Asset.OPTION else f"short {instrument.symbol}"
    allowed = "no shorts" if limits.allow_short is ShortPolicy.NONE else "shorts on futures only"
    policy = f"ALLOW_SHORT={limits.allow_short.value} allows {allowed}"
    detail = f"the alert would {what} ({instrument_key(instrument)}): {policy}"
    return [Reason(code="short_not_allowed", detail=detail)]


def expiry_reasons(instrument: Instrument, limits: Limits, now: datetime) -> list[Reason]:
    """An option's expiry that is not yet past: within MAX_EXPIRY_DAYS, and a trading day."""
    expiry, venue = instrument.expiry, venue_for(instrument)
    if instrument.asset is not Asset.OPTION or expiry is None or venue is None:
        return []
    reasons = []
    days = (expiry - new_york_day(now)).days
    if days > limits.max_expiry_days:
        detail = (
            f"the option expires on {expiry}, {days} days away: more than MAX_EXPIRY_DAYS "
            f"{limits.max_expiry_days} (a date written without its year may have rolled into the next)"
        )
        reasons.append(Reason(code="expiry_too_far", detail=detail))
    if expiry not in sessions(venue, expiry.year):
        detail = f"{expiry:%a %Y-%m-%d} is not a trading day for {instrument.symbol} options: no such expiry"
        reasons.append(Reason(code="no_such_expiry", detail=detail))
    return reasons


def strike_reasons(instrument: Instrument, account: AccountSnapshot) -> list[Reason]:
    """With the underlying's price known, a strike more than 50 % from it is refused."""
    if instrument.asset is not Asset.OPTION or instrument.strike is None:
        return []
    underlying = _price_of(account, instrument.symbol)
    if underlying is None:
        return []
    distance = abs(instrument.strike - underlying) / underlying
    if distance <= STRIKE_BAND:
        return []
    detail = (
        f"the strike {instrument.strike} is {distance:.0%} from {instrument.symbol} at {underlying}: "
        f"more than {STRIKE_BAND:.0%}, likely a misread"
    )
    return [Reason(code="strike_implausible", detail=detail)]


def _price_of(account: AccountSnapshot, key: str) -> Decimal | None:
    quote = account.quotes.get(key)
    if quote is None:
        return None
    if quote.bid is not None and quote.ask is not None and quote.bid > 0 and quote.ask > 0:
        return (quote.bid + quote.ask) / 2
    return quote.last if quote.last is not None and quote.last > 0 else None


def number_reasons(intent: Intent) -> list[Reason]:
    """Every number the intent carries: positive, finite, and not absurd for what it prices."""
    reasons = [r for price, what in _prices(intent) for r in _price_reasons(price, what, intent.instrument)]
    if intent.quantity is not None:
        reasons += _quantity_reasons(intent.quantity, intent.instrument)
    if isinstance(intent, Trim) and intent.fraction is not None and not 0 < intent.fraction <= 1:
        detail = f"a trim of {intent.fraction} is not a fraction of the position"
        reasons.append(Reason(code="invalid_quantity", detail=detail))
    return reasons


def _prices(intent: Intent) -> list[tuple[Decimal, str]]:
    found = [(intent.price, "price")] if intent.price is not None else []
    if isinstance(intent.stop, PriceStop):
        found.append((intent.stop.price, "stop"))
    if isinstance(intent.stop, PercentStop) and not 0 < intent.stop.percent < 100:
        found.append((Decimal(-intent.stop.percent), f"stop of {intent.stop.percent}% gives"))
    found += [(t.price, "target") for t in intent.targets if isinstance(t, PriceTarget)]
    return found


def _price_reasons(price: Decimal, what: str, instrument: Instrument | None) -> list[Reason]:
    if not price.is_finite() or price <= 0:
        return [Reason(code="invalid_price", detail=f"the {what} {price} is not a positive price")]
    if price > MAX_PRICE:
        detail = f"the {what} {price} is not a price anything trades at"
        return [Reason(code="price_implausible", detail=detail)]
    strike = instrument.strike if instrument is not None and instrument.right is Right.PUT else None
    if what == "price" and strike is not None and price >= strike:
        detail = f"a {strike} put cannot cost {price}: a put's premium is below its strike"
        return [Reason(code="price_implausible", detail=detail)]
    return []


def _quantity_reasons(quantity: int, instrument: Instrument | None) -> list[Reason]:
    if quantity < 1:
        return [Reason(code="invalid_quantity", detail=f"a quantity of {quantity} is not an order size")]
    stock = instrument is not None and instrument.asset is Asset.STOCK
    ceiling = MAX_SHARE_UNITS if stock else MAX_CONTRACT_UNITS
    if quantity > ceiling:
        detail = f"a quantity of {quantity} is beyond any alert's size ({ceiling}): likely a misread"
        return [Reason(code="quantity_implausible", detail=detail)]
    return []
