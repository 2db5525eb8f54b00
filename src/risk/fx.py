"""Forex pairs and spot metals: their names, units, ticks and the rate that turns their P&L into dollars.

A pair's position is counted in units of its base currency (20,000 EUR of EURUSD) and its prices in
the quote currency, so a pair's P&L is in the quote currency: dollars for EURUSD or XAUUSD, yen for
USDJPY or GBPJPY. The account currency is the US dollar (every figure the bot reports is). A
quote-currency amount is converted at the rate of the moment it is realized:

- quote currency USD (EURUSD, XAUUSD): 1;
- base currency USD (USDJPY, USDCAD): 1 / the pair's own price, which is exact at the fill;
- a cross (GBPJPY, EURGBP): the live quote of the quote currency's dollar pair (USDJPY, GBPUSD);
  without one the rate is unknown and risk refuses the entry rather than guess.

Spot gold and silver trade at IB as the commodities XAUUSD and XAGUSD; "GOLD" and "SILVER" in an
alert are those. Other metals (XPT, XPD) are not listed there and stay refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from parser import SPOT_PAIRS, Asset, Instrument, pip_size

from .account import Quote

ACCOUNT_CURRENCY = "USD"
IDEALPRO_MINIMUM = 20_000  # IB's smallest IDEALPRO order; smaller ones are routed as odd lots
TRADED_METALS = frozenset({"XAUUSD", "XAGUSD"})
_METAL_CODES = frozenset({"XAU", "XAG", "XPT", "XPD"})
# IB's price increments: IDEALPRO quotes half pips (0.00005; 0.005 for yen quotes), XAUUSD cents,
# XAGUSD tenths of a cent.
_HALF_PIP = Decimal("0.00005")
_YEN_HALF_PIP = Decimal("0.005")
_METAL_TICKS = {"XAUUSD": Decimal("0.01"), "XAGUSD": Decimal("0.001")}
_ONE = Decimal(1)
CENT = Decimal("0.01")


def is_spot(instrument: Instrument) -> bool:
    return instrument.asset is Asset.FOREX


def pair_symbol(instrument: Instrument) -> str:
    """A forex instrument's pair as IB lists it: an alert's ``GOLD`` is ``XAUUSD``."""
    return SPOT_PAIRS.get(instrument.symbol, instrument.symbol) if is_spot(instrument) else instrument.symbol


def canonical(instrument: Instrument) -> Instrument:
    """The instrument under the pair's name (``GOLD`` -> ``XAUUSD``); every other one as it is."""
    pair = pair_symbol(instrument)
    return instrument if pair == instrument.symbol else instrument.model_copy(update={"symbol": pair})


def is_metal(instrument: Instrument) -> bool:
    return is_spot(instrument) and pair_symbol(instrument)[:3] in _METAL_CODES


def base_currency(instrument: Instrument) -> str:
    return pair_symbol(instrument)[:3]


def quote_currency(instrument: Instrument) -> str:
    return pair_symbol(instrument)[3:]


def unlisted_reason(instrument: Instrument) -> str | None:
    """Why IB has no contract for this spot instrument, or None when it does."""
    symbol = pair_symbol(instrument)
    if is_metal(instrument) and symbol not in TRADED_METALS:
        return f"{symbol}: IB lists spot gold and silver only (XAUUSD, XAGUSD)"
    return None


def pip(instrument: Instrument) -> Decimal:
    size = pip_size(pair_symbol(instrument))
    assert size is not None, instrument
    return size


def tick(instrument: Instrument) -> Decimal:
    symbol = pair_symbol(instrument)
    if symbol in _METAL_TICKS:
        return _METAL_TICKS[symbol]
    return _YEN_HALF_PIP if symbol.endswith("JPY") else _HALF_PIP


def conversion_pair(instrument: Instrument) -> str | None:
    """The dollar pair whose quote converts a cross's P&L (``USDJPY`` for GBPJPY); None when the
    pair has the dollar on one side."""
    quote = quote_currency(instrument)
    if ACCOUNT_CURRENCY in (quote, base_currency(instrument)):
        return None
    return f"{quote}{ACCOUNT_CURRENCY}" if quote in ("EUR", "GBP", "AUD", "NZD") else f"USD{quote}"


def conversion_instrument(instrument: Instrument) -> Instrument | None:
    """The dollar pair a cross's P&L converts at, as an instrument to quote; None for the rest."""
    pair = conversion_pair(instrument) if is_spot(instrument) else None
    return Instrument(asset=Asset.FOREX, symbol=pair) if pair is not None else None


def dollar_rate(instrument: Instrument, price: Decimal, cross: Decimal | None = None) -> Decimal | None:
    """Dollars per unit of the currency ``instrument`` is priced in, at ``price`` (module docstring):
    1 for dollar prices, 1 / ``price`` for a dollar-based pair, ``cross`` (``cross_rate``) for a
    cross, None when a cross has none."""
    if not is_spot(instrument) or quote_currency(instrument) == ACCOUNT_CURRENCY:
        return _ONE
    if base_currency(instrument) == ACCOUNT_CURRENCY:
        return _ONE / price
    return cross


def cross_rate(instrument: Instrument, quotes: Mapping[str, Quote]) -> Decimal | None:
    """A cross's dollars per unit of its quote currency, from its dollar pair's quote (USDJPY's for
    GBPJPY); None for any other instrument, or when that pair has no usable quote."""
    pair = conversion_pair(instrument) if is_spot(instrument) else None
    mid = _mid(quotes.get(pair)) if pair is not None else None
    if pair is None or mid is None:
        return None
    return mid if pair.endswith(ACCOUNT_CURRENCY) else _ONE / mid


def _mid(quote: Quote | None) -> Decimal | None:
    if quote is None:
        return None
    if quote.bid is not None and quote.ask is not None and quote.bid > 0 and quote.ask > 0:
        return (quote.bid + quote.ask) / 2
    return quote.last if quote.last is not None and quote.last > 0 else None
