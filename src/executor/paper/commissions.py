"""Commissions the simulator charges: IBKR's published retail "Fixed" schedule (US, 2026).

- Options: $0.65 per contract for a premium of $0.10 or more, $0.50 from $0.05 to $0.10, $0.25
  below $0.05; at least $1.00 per order.
- Futures: $0.85 per contract; micro contracts (MES, MNQ, M2K, MYM, MCL, MGC) $0.25 per contract.
- Stocks: $0.005 per share, at least $1.00 and at most 1 % of the trade's value per order.
- Forex (IDEALPRO): 0.20 basis point of the trade's value in dollars, at least $2.00 per order.
- Spot gold and silver: 0.15 basis point of the trade's value, at least $2.00 per order.

Exchange, clearing and regulatory fees are not included: IB passes them through at cost and they
vary by venue. A live account's real figure comes from IB's commission report, never from here.
"""

from __future__ import annotations

from decimal import Decimal

from parser import Asset, Instrument
from risk import multiplier
from risk.fx import dollar_rate, is_metal

_CENT = Decimal("0.01")
OPTION_MINIMUM = Decimal("1.00")
OPTION_TIERS = (
    (Decimal("0.10"), Decimal("0.65")),
    (Decimal("0.05"), Decimal("0.50")),
    (Decimal(0), Decimal("0.25")),
)
FUTURE_PER_CONTRACT = Decimal("0.85")
MICRO_PER_CONTRACT = Decimal("0.25")
MICRO_FUTURES = frozenset({"MES", "MNQ", "M2K", "MYM", "MCL", "MGC"})
STOCK_PER_SHARE = Decimal("0.005")
STOCK_MINIMUM = Decimal("1.00")
STOCK_MAXIMUM_SHARE_OF_VALUE = Decimal("0.01")
FOREX_RATE = Decimal("0.00002")  # 0.20 basis point
METAL_RATE = Decimal("0.000015")  # 0.15 basis point
SPOT_MINIMUM = Decimal("2.00")


def commission(
    instrument: Instrument, quantity: int, price: Decimal, cross: Decimal | None = None
) -> Decimal:
    """What one order of ``quantity`` at ``price`` costs, to the cent. ``cross``: a forex cross's
    dollars per unit of its quote currency (``fx.cross_rate``); without it the trade is valued as if
    in dollars, which only decides whether the $2.00 minimum applies."""
    if instrument.asset is Asset.FOREX:
        value = price * quantity * (dollar_rate(instrument, price, cross) or Decimal(1))
        amount = max(SPOT_MINIMUM, value * (METAL_RATE if is_metal(instrument) else FOREX_RATE))
    elif instrument.asset is Asset.OPTION:
        amount = max(OPTION_MINIMUM, _option_rate(price) * quantity)
    elif instrument.asset is Asset.FUTURE:
        rate = MICRO_PER_CONTRACT if instrument.symbol in MICRO_FUTURES else FUTURE_PER_CONTRACT
        amount = rate * quantity
    else:
        value = price * quantity * multiplier(instrument)
        amount = min(max(STOCK_MINIMUM, STOCK_PER_SHARE * quantity), value * STOCK_MAXIMUM_SHARE_OF_VALUE)
    return amount.quantize(_CENT)


def _option_rate(premium: Decimal) -> Decimal:
    return next(rate for floor, rate in OPTION_TIERS if premium >= floor)
