"""Checks that decide whether an intent may be considered at all, before any price is computed.

Each check returns the reasons it found (empty when it passes), so a denial lists every rule the
alert broke, not just the first.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal

from parser import SPOT_PAIRS, Asset, Instrument, Intent

from . import fx
from .account import AccountSnapshot, Alert, Position, Quote, TradingState, TradingStatus
from .hours import (
    SESSION_WORDS,
    in_window,
    is_open,
    new_york_day,
    parse_hours,
    practising,
    trading_day,
    venue_for,
)
from .limits import TRADABLE_ASSETS, Limits
from .plan import Reason
from .sanity import expiry_reasons
from .specs import FUTURES, instrument_key

# What each state lets through (docs/architecture.md); stop moves in reducing are checked for
# tightening later.
_PASSES: dict[TradingState, frozenset[str]] = {
    TradingState.ACTIVE: frozenset({"open", "add", "exit", "trim", "move_stop", "cancel"}),
    TradingState.REDUCING: frozenset({"exit", "trim", "move_stop", "cancel"}),
    TradingState.HALTED: frozenset(),  # the kill switch does the cancelling and flattening, not alerts
}


def state_allows(kind: str, status: TradingStatus) -> list[Reason]:
    if kind in _PASSES[status.state]:
        return []
    why = f" ({status.detail})" if status.detail else ""
    return [Reason(code=f"trading_{status.state.value}", detail=f"trading is {status.state.value}{why}")]


def not_stale(alert: Alert, limits: Limits) -> list[Reason]:
    age, limit = alert.age_seconds, limits.max_signal_age.total_seconds()
    if age <= limit:
        return []
    return [
        Reason(
            code="stale_alert", detail=f"the alert is {age:.1f} s old (MAX_SIGNAL_AGE_SECONDS {limit:.0f})"
        )
    ]


def not_replanned(alert: Alert, account: AccountSnapshot) -> list[Reason]:
    if alert.message_id not in account.planned_message_ids:
        return []
    return [
        Reason(code="duplicate_message", detail=f"message {alert.message_id} already produced an order plan")
    ]


def tradable(instrument: Instrument, limits: Limits, now: datetime) -> list[Reason]:
    """The contract is one risk can price, the trader allows, is not expired, and is in its hours."""
    reasons = _allowed_symbol(instrument, limits)
    if instrument.asset is None:
        detail = f"the message names {instrument.symbol} but not whether it is an option, future or stock"
        return [*reasons, Reason(code="missing_contract", detail=detail)]
    refused = _asset_refusal(instrument, limits)
    if refused is not None:
        return [*reasons, refused]
    if instrument.asset is Asset.OPTION and instrument.expiry is None:
        reasons.append(Reason(code="missing_expiry", detail="the option has no expiry date"))
    elif instrument.asset is Asset.OPTION and instrument.expiry and instrument.expiry < new_york_day(now):
        reasons.append(Reason(code="expired_contract", detail=f"the option expired on {instrument.expiry}"))
    else:
        reasons += expiry_reasons(instrument, limits, now)
    if instrument.asset is Asset.FUTURE and instrument.symbol not in FUTURES:
        detail = f"no contract specs for futures root {instrument.symbol}"
        return [*reasons, Reason(code="unsupported_contract", detail=detail)]
    venue = venue_for(instrument)
    if venue is not None and not is_open(instrument, now, limits.hours):
        detail = f"{instrument_key(instrument)} is outside trading hours ({limits.trading_hours})"
        if venue in SESSION_WORDS:
            detail += f": {SESSION_WORDS[venue]}"
        reasons.append(Reason(code="outside_trading_hours", detail=detail))
    return reasons


def _asset_refusal(instrument: Instrument, limits: Limits) -> Reason | None:
    """Crypto, CFDs and index levels are refused by name rather than traded as a stock of the same
    letters; forex, gold and every other asset only when ALLOWED_ASSETS names it."""
    assert instrument.asset is not None
    what = f"{instrument_key(instrument)} is a {instrument.asset.value} signal"
    if instrument.asset not in TRADABLE_ASSETS:
        detail = f"{what}: crypto, CFDs and index levels are not traded"
        return Reason(code="unsupported_asset", detail=detail)
    if instrument.asset not in limits.allowed_assets:
        allowed = ",".join(a.value for a in Asset if a in limits.allowed_assets)
        detail = f"{what} and ALLOWED_ASSETS is {allowed}"
        return Reason(code="asset_not_allowed", detail=detail)
    unlisted = fx.unlisted_reason(instrument) if fx.is_spot(instrument) else None
    return Reason(code="unsupported_contract", detail=unlisted) if unlisted else None


def practice_notes(instrument: Instrument, limits: Limits, now: datetime) -> list[Reason]:
    """The note an entry decided outside the market's hours carries (``TRADING_HOURS=any``, paper)."""
    if venue_for(instrument) is None or not practising(instrument, now, limits.hours):
        return []
    detail = (
        f"{instrument_key(instrument)}'s market is closed: decided as practice (TRADING_HOURS=any, paper)"
    )
    return [Reason(code="practice_hours", detail=detail)]


def _allowed_symbol(instrument: Instrument, limits: Limits) -> list[Reason]:
    if not limits.allowed_symbols or instrument.symbol in limits.allowed_symbols:
        return []
    return [Reason(code="symbol_not_allowed", detail=f"{instrument.symbol} is not in ALLOWED_SYMBOLS")]


def pace(account: AccountSnapshot, limits: Limits, now: datetime, *, count_open: bool) -> list[Reason]:
    """MAX_TRADES_PER_DAY (counting opens, not adds) and the cooldown after a losing fill."""
    reasons: list[Reason] = []
    today = trading_day(now)
    opens = sum(1 for e in account.entries if not e.add and trading_day(e.at) == today)
    if count_open and opens >= limits.max_trades_per_day:
        detail = f"{opens} trades today reached MAX_TRADES_PER_DAY {limits.max_trades_per_day}"
        reasons.append(Reason(code="max_trades_per_day", detail=detail))
    losses = [r.at for r in account.realized if r.losing_trade and r.at <= now]
    if losses and now - max(losses) < limits.loss_cooldown:
        wait = limits.loss_cooldown - (now - max(losses))
        detail = f"cooling down after a losing trade for {_minutes_left(wait)} more min"
        reasons.append(Reason(code="loss_cooldown", detail=detail))
    return reasons


PDT_DAY_TRADES = 3  # FINRA's pattern day trader rule: a fourth in five business days needs $25,000
PDT_EQUITY = Decimal(25_000)


def broker_awake(limits: Limits, now: datetime) -> list[Reason]:
    """IB's nightly maintenance (IB_MAINTENANCE_WINDOW): its servers restart, so no new entry."""
    if limits.maintenance is None or not in_window(now, parse_hours(limits.maintenance)):
        return []
    detail = f"IB's nightly maintenance ({limits.maintenance} New York): no new entries until it ends"
    return [Reason(code="broker_maintenance", detail=detail)]


def day_trade_room(account: AccountSnapshot, limits: Limits) -> list[Reason]:
    """PDT_GUARD: with three day trades in the last five business days and an account under
    $25,000 (or of unknown size), no new entry, since closing it today would be the fourth."""
    if not limits.pdt_guard or account.day_trades < PDT_DAY_TRADES:
        return []
    equity = account.net_liquidation
    if equity is not None and equity >= PDT_EQUITY:
        return []
    size = f"${equity:,.0f}" if equity is not None else "of unknown size"
    detail = (
        f"{account.day_trades} day trades in the last five business days and the account is {size} "
        "(under $25,000): a fourth would flag it as a pattern day trader (PDT_GUARD); exits still go"
    )
    return [Reason(code="pdt_limit", detail=detail)]


def _minutes_left(wait: timedelta) -> int:
    """Whole minutes, rounded up: 20 seconds left is "1 more min", never "0 more min"."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def new_position(intent: Intent, account: AccountSnapshot, limits: Limits, now: datetime) -> list[Reason]:
    """An open: a free position slot, no position already in the contract, not a repeat alert."""
    assert intent.instrument is not None and intent.side is not None
    reasons: list[Reason] = []
    held = [p for p in account.positions if p.exposure > 0]
    if len(held) >= limits.max_open_positions:
        detail = f"{len(held)} open positions reached MAX_OPEN_POSITIONS {limits.max_open_positions}"
        reasons.append(Reason(code="max_open_positions", detail=detail))
    if any(p.instrument == intent.instrument for p in held):
        detail = (
            f"a position in {instrument_key(intent.instrument)} is already open (only an explicit add adds)"
        )
        reasons.append(Reason(code="already_open", detail=detail))
    window_start = now - limits.duplicate_window
    for entry in account.entries:
        if entry.at > window_start and entry.side == intent.side and entry.instrument == intent.instrument:
            ago = (now - entry.at).total_seconds()
            key = instrument_key(intent.instrument)
            detail = f"the same {intent.side.value} {key} was entered {ago:.0f} s ago"
            reasons.append(Reason(code="duplicate_alert", detail=detail))
            break
    return reasons


def addable(intent: Intent, target: Position | None, limits: Limits) -> list[Reason]:
    if target is None or target.exposure == 0:
        return [Reason(code="no_position", detail="there is no open position to add to")]
    reasons = matches(intent, target)
    if not limits.allow_adds:
        reasons.append(Reason(code="adds_disabled", detail="adding to a position is off (ALLOW_ADDS)"))
    return reasons


def matches(intent: Intent, target: Position) -> list[Reason]:
    """The contract and side the message names (if any) are the target position's."""
    reasons: list[Reason] = []
    named = intent.instrument
    if named is not None and not same_contract(named, target.instrument):
        detail = f"the message names {named.symbol}, the position is {instrument_key(target.instrument)}"
        reasons.append(Reason(code="contract_mismatch", detail=detail))
    if intent.side is not None and intent.side != target.side:
        detail = f"the message is for a {intent.side.value} position, the position is {target.side.value}"
        reasons.append(Reason(code="side_mismatch", detail=detail))
    return reasons


def same_contract(named: Instrument, held: Instrument) -> bool:
    """Every field the message gives agrees with the held contract. An index named in a management
    alert ("$SPX closed") is the underlying of whatever is held in it (SPX options)."""
    asset = None if named.asset is Asset.INDEX else named.asset
    pairs = (
        (asset, held.asset),
        (named.right, held.right),
        (named.strike, held.strike),
        (named.expiry, held.expiry),
    )
    spot_name = held.asset is Asset.FOREX and SPOT_PAIRS.get(named.symbol) == held.symbol
    same_name = named.symbol == held.symbol or spot_name  # "close GOLD" names the XAUUSD held
    return same_name and all(mine is None or mine == theirs for mine, theirs in pairs)


def fresh_quote(
    account: AccountSnapshot, instrument: Instrument, limits: Limits, now: datetime
) -> Quote | None:
    """The instrument's quote if it is live data no older than MAX_SIGNAL_AGE_SECONDS; None otherwise
    (a delayed quote is minutes behind the market whatever its age here)."""
    quote = account.quotes.get(instrument_key(instrument))
    if quote is None or quote.delayed or now - quote.at > limits.max_signal_age:
        return None
    return quote
