"""An entry turned into a complete bracket: entry, stop, target legs and a size within every limit.

Sizing (docs/risk.md): the smallest of the alert's quantity (or DEFAULT_CONTRACTS), MAX_CONTRACTS
(for an add: what the position still has room for), the room left under MAX_TOTAL_CONTRACTS, and
what MAX_RISK_PER_TRADE allows at the distance to the stop. Stocks are sized in shares: MAX_SHARES
takes the place of both contract caps. Zero is a denial. Target legs: the
quantity is split as evenly as possible, nearest target first, the remainder going to the nearest
legs; with more targets than contracts the nearest targets are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from parser import Add, Asset, Instrument, Open, PercentStop, PercentTarget, PriceTarget, Side, Target

from . import fx
from .account import AccountSnapshot, Position, Quote
from .gates import fresh_quote
from .limits import Limits, SizingRule
from .loss import loss_per_contract, money, open_risk, point_value, realized_today, worst_case
from .plan import BracketPlan, PlanDraft, Reason, TargetLeg, Trail
from .prices import (
    entry_limit,
    pips_reasons,
    stop_price,
    stop_side_reasons,
    target_price,
    target_side_reasons,
)
from .specs import Toward, instrument_key, round_price

_CONTRACT_ASSETS = frozenset({Asset.OPTION, Asset.FUTURE})


@dataclass(frozen=True)
class EntryContext:
    intent: Open | Add
    instrument: Instrument
    side: Side
    account: AccountSnapshot
    limits: Limits
    now: datetime
    message_id: str
    target: Position | None = None


def build_bracket(ctx: EntryContext) -> PlanDraft:
    draft = PlanDraft()
    quote = fresh_quote(ctx.account, ctx.instrument, ctx.limits, ctx.now)
    _spread(ctx, quote, draft)
    reference = _reference(ctx, quote, draft)
    if reference is None:
        return draft
    stop = _stop(ctx, reference, draft)
    if stop is None:
        return draft
    targets = _targets(ctx, reference, stop, draft)
    if draft.reasons:
        return draft
    _premium_range(ctx, reference, draft)
    if draft.reasons:
        return draft
    value = _point_value(ctx, stop, draft)
    if value is None:
        return draft
    per_contract = loss_per_contract(ctx.side, reference, stop, value)
    quantity = _size(ctx, per_contract, _requested(ctx, reference, value, draft), draft)
    if quantity > 0:
        _within_loss_cap(ctx, quantity * per_contract, draft)
    if draft.reasons:
        return draft
    draft.plan = BracketPlan(
        message_id=ctx.message_id,
        instrument=ctx.instrument,
        side=ctx.side,
        quantity=quantity,
        entry_price=reference if ctx.intent.price is not None else None,
        reference_price=reference,
        stop_price=stop,
        targets=_legs(quantity, targets, draft),
        add_to=ctx.target.opened_by if ctx.target is not None else None,
        max_loss=quantity * per_contract,
        trail=_trail(ctx, reference, draft),
    )
    return draft


def _point_value(ctx: EntryContext, stop: Decimal, draft: PlanDraft) -> Decimal | None:
    """Dollars per point per contract (per forex unit, converted: risk/fx.py); None, with the
    reason, for a cross whose dollar pair has no quote to convert at."""
    value = point_value(ctx.instrument, stop, fx.cross_rate(ctx.instrument, ctx.account.quotes))
    if value is None:
        detail = (
            f"{instrument_key(ctx.instrument)}'s P&L is in {fx.quote_currency(ctx.instrument)}: "
            f"converting it to dollars needs a quote for {fx.conversion_pair(ctx.instrument)}"
        )
        draft.reasons.append(Reason(code="no_conversion_rate", detail=detail))
    return value


def _trail(ctx: EntryContext, reference: Decimal, draft: PlanDraft) -> Trail | None:
    """A profile's trail_amount / trail_percent, starting once the market is trail_after_percent
    beyond the entry (on the instrument's tick)."""
    limits = ctx.limits
    if limits.trail_amount is None and limits.trail_percent is None:
        return None
    start = None
    if limits.trail_after_percent is not None:
        move = reference * limits.trail_after_percent / 100
        raw = reference + move if ctx.side is Side.LONG else reference - move
        start = round_price(ctx.instrument, raw, Toward.UP if ctx.side is Side.LONG else Toward.DOWN)
    trail = Trail(amount=limits.trail_amount, percent=limits.trail_percent, start=start)
    how = f"{trail.amount}" if trail.amount is not None else f"{trail.percent}%"
    since = f" once the market reaches {start}" if start is not None else " from the fill"
    draft.notes.append(Reason(code="trailing_stop", detail=f"the stop trails the market by {how}{since}"))
    return trail


def _reference(ctx: EntryContext, quote: Quote | None, draft: PlanDraft) -> Decimal | None:
    """The entry limit (drift-checked against a fresh quote), or for a market entry the quote's side."""
    if ctx.intent.price is not None:
        limit = entry_limit(ctx.instrument, ctx.side, ctx.intent.price)
        if limit <= 0:
            draft.reasons.append(
                Reason(code="invalid_price", detail=f"the entry {limit} is not a positive price")
            )
            return None
        _drift(ctx, limit, quote, draft)
        return limit
    if not ctx.limits.allow_market_entry:
        detail = "the alert gives no entry price and market entries are off (ALLOW_MARKET_ENTRY)"
        draft.reasons.append(Reason(code="market_entry_disabled", detail=detail))
        return None
    market = _market_side(ctx.side, quote)
    if market is None:
        detail = f"a market entry needs a fresh quote for {instrument_key(ctx.instrument)} to size it"
        draft.reasons.append(Reason(code="no_reference_price", detail=detail))
        return None
    draft.notes.append(Reason(code="market_entry", detail=f"market entry, sized at the quote {market}"))
    return market


def _market_side(side: Side, quote: Quote | None) -> Decimal | None:
    """What an entry would pay: the ask for a buy, the bid for a sell; the last trade otherwise."""
    if quote is None:
        return None
    price = quote.ask if side is Side.LONG else quote.bid
    price = price if price is not None else quote.last
    return price if price is not None and price > 0 else None


def _drift(ctx: EntryContext, limit: Decimal, quote: Quote | None, draft: PlanDraft) -> None:
    market = _market_side(ctx.side, quote)
    if market is None:
        detail = f"price drift not checked: no fresh quote for {instrument_key(ctx.instrument)}"
        draft.notes.append(Reason(code="drift_unchecked", detail=detail))
        return
    if fx.is_spot(ctx.instrument):
        _pip_drift(ctx, limit, market, draft)
        return
    drift = abs(limit - market) / market * 100
    if drift > ctx.limits.max_price_drift_pct:
        detail = (
            f"the entry {limit} is {drift:.1f}% from the market {market} "
            f"(MAX_PRICE_DRIFT_PCT {ctx.limits.max_price_drift_pct})"
        )
        draft.reasons.append(Reason(code="price_drift", detail=detail))


def _pip_drift(ctx: EntryContext, limit: Decimal, market: Decimal, draft: PlanDraft) -> None:
    """A forex or gold entry, in pips against what it would pay (the ask for a buy, the bid for a
    sell, so the spread counts): only a limit worse than the market by more than
    FOREX_MAX_DRIFT_PIPS is refused; a market that came toward the alert fills at once, better."""
    pip, allowed = fx.pip(ctx.instrument), ctx.limits.forex_max_drift_pips
    worse = (market - limit) if ctx.side is Side.LONG else (limit - market)
    pips = worse / pip
    if pips > allowed:
        detail = (
            f"the market {market} is {pips:.1f} pips past the entry {limit} (FOREX_MAX_DRIFT_PIPS {allowed})"
        )
        draft.reasons.append(Reason(code="price_drift", detail=detail))


def _spread(ctx: EntryContext, quote: Quote | None, draft: PlanDraft) -> None:
    """A forex or gold quote whose spread alone is wider than FOREX_MAX_DRIFT_PIPS (news, the
    daily roll): no entry pays it."""
    if not fx.is_spot(ctx.instrument) or quote is None or quote.bid is None or quote.ask is None:
        return
    pips = (quote.ask - quote.bid) / fx.pip(ctx.instrument)
    if pips > ctx.limits.forex_max_drift_pips:
        detail = (
            f"the spread {quote.bid}/{quote.ask} is {pips:.1f} pips wide "
            f"(FOREX_MAX_DRIFT_PIPS {ctx.limits.forex_max_drift_pips})"
        )
        draft.reasons.append(Reason(code="wide_spread", detail=detail))


def _stop(ctx: EntryContext, reference: Decimal, draft: PlanDraft) -> Decimal | None:
    unpriced = pips_reasons(ctx.instrument, ctx.intent.stop, ctx.intent.targets)
    if unpriced:
        draft.reasons.extend(unpriced)
        return None
    if ctx.intent.stop is not None:
        stop = stop_price(ctx.instrument, ctx.side, ctx.intent.stop, reference)
    elif ctx.target is not None and ctx.target.stop is not None:
        stop = ctx.target.stop
        draft.notes.append(Reason(code="position_stop", detail=f"the add uses the position's stop {stop}"))
    elif ctx.instrument.asset is not Asset.OPTION:
        key = instrument_key(ctx.instrument)
        detail = f"{key} needs the alert's stop (the default stop is a percent of an option premium)"
        draft.reasons.append(Reason(code="missing_stop", detail=detail))
        return None
    else:
        default = PercentStop(percent=ctx.limits.default_stop_pct)
        stop = stop_price(ctx.instrument, ctx.side, default, reference)
        detail = f"no stop in the alert: DEFAULT_STOP_PCT {ctx.limits.default_stop_pct}% gives {stop}"
        draft.notes.append(Reason(code="default_stop", detail=detail))
    problems = stop_side_reasons(ctx.instrument, ctx.side, stop, reference)
    draft.reasons.extend(problems)
    return None if problems else stop


def _targets(ctx: EntryContext, reference: Decimal, stop: Decimal, draft: PlanDraft) -> list[Decimal]:
    levels = ctx.intent.targets or (_default_target(ctx, reference, stop, draft),)
    prices = sorted(
        {target_price(ctx.instrument, ctx.side, level, reference) for level in levels},
        reverse=ctx.side is Side.SHORT,
    )
    for price in prices:
        draft.reasons.extend(target_side_reasons(ctx.side, price, reference))
    return prices


def _default_target(ctx: EntryContext, reference: Decimal, stop: Decimal, draft: PlanDraft) -> Target:
    """DEFAULT_TARGET_PCT of an option premium; for futures and stocks, the same reward-to-risk ratio
    as the two defaults give an option (50 % / 30 %: 1.67 times the distance to the stop)."""
    limits = ctx.limits
    if ctx.instrument.asset is Asset.OPTION:
        detail = f"no target in the alert: DEFAULT_TARGET_PCT {limits.default_target_pct}%"
        draft.notes.append(Reason(code="default_target", detail=detail))
        return PercentTarget(percent=limits.default_target_pct)
    ratio = limits.default_target_pct / limits.default_stop_pct
    distance = abs(reference - stop) * ratio
    detail = f"no target in the alert: {ratio:.2f} times the distance to the stop"
    draft.notes.append(Reason(code="default_target", detail=detail))
    return PriceTarget(price=reference + distance if ctx.side is Side.LONG else reference - distance)


def _premium_range(ctx: EntryContext, reference: Decimal, draft: PlanDraft) -> None:
    """A profile's min_premium / max_premium: an option entry priced outside them is not taken."""
    low, high = ctx.limits.min_premium, ctx.limits.max_premium
    if ctx.instrument.asset is not Asset.OPTION or (low is None and high is None):
        return
    if (low is not None and reference < low) or (high is not None and reference > high):
        span = f"{low if low is not None else 0} to {high if high is not None else 'any'}"
        detail = f"the premium {reference} is outside the profile's range ({span})"
        draft.reasons.append(Reason(code="premium_out_of_range", detail=detail))


def _requested(ctx: EntryContext, reference: Decimal, point_value: Decimal, draft: PlanDraft) -> int:
    """What the sizing rule asks for, before the caps; 0 (with the reason) when it buys nothing.
    A forex or gold entry starts from FOREX_UNITS or GOLD_UNITS: an alert's "lots" are the
    analyst's account, not the trader's."""
    sizing, alerted = ctx.limits.sizing, ctx.intent.quantity or ctx.limits.default_contracts
    if fx.is_spot(ctx.instrument):
        alerted = _spot_units(ctx)[1]
    value = sizing.value or Decimal(1)
    if sizing.rule is SizingRule.ALERT:
        return alerted
    if sizing.rule is SizingRule.FIXED:
        return int(value)
    if sizing.rule is SizingRule.MULTIPLIER:
        wanted = int(alerted * value)
        draft.notes.append(Reason(code="sized_by_rule", detail=f"{alerted} x {value} = {wanted}"))
        return _at_least_one(wanted, f"{alerted} x {value} rounds down to 0", draft)
    budget = value
    if sizing.rule is SizingRule.ACCOUNT_PERCENT:
        net = ctx.account.net_liquidation
        if net is None:
            detail = "account_percent sizing needs the account's size (PAPER_ACCOUNT_SIZE on the simulator)"
            draft.reasons.append(Reason(code="account_size_unknown", detail=detail))
            return 0
        budget = net * value / 100
    cost = reference * point_value
    wanted = int(budget // cost)
    detail = f"a budget of {money(budget)} buys {wanted} at {reference} ({money(cost)} each)"
    draft.notes.append(Reason(code="sized_by_rule", detail=detail))
    return _at_least_one(wanted, detail, draft)


def _at_least_one(wanted: int, detail: str, draft: PlanDraft) -> int:
    if wanted < 1:
        draft.reasons.append(Reason(code="size_zero", detail=f"the sizing rule buys nothing: {detail}"))
    return wanted


def _size(ctx: EntryContext, per_contract: Decimal, requested: int, draft: PlanDraft) -> int:
    """The smallest of every bound; the notes name the bound that cut the requested quantity."""
    if requested < 1:
        return 0
    limits = ctx.limits
    held, budget = 0, limits.max_risk_per_trade
    if ctx.target is not None:  # an add: the position and its add are one trade
        worst = worst_case(ctx.target)
        held, budget = ctx.target.exposure, budget - worst if worst is not None else Decimal(0)
    bounds = _bounds(ctx, held) | {"MAX_RISK_PER_TRADE": int(budget // per_contract)}
    quantity = max(0, min(requested, *bounds.values()))
    binding = [name for name, bound in bounds.items() if bound <= quantity and bound < requested]
    unit = _unit(ctx.instrument)
    if quantity == 0:
        detail = f"no {unit[:-1]} fits: {_bound_text(binding, per_contract, limits, unit)}"
        draft.reasons.append(Reason(code="size_zero", detail=detail))
    elif quantity < requested:
        detail = f"{quantity} of {requested} {unit}, limited by {', '.join(binding)}"
        draft.notes.append(Reason(code="size_reduced", detail=detail))
    if 0 < quantity < fx.IDEALPRO_MINIMUM and fx.is_spot(ctx.instrument) and not fx.is_metal(ctx.instrument):
        detail = f"{quantity} units is under IDEALPRO's 20,000: IB routes it as an odd lot, at a wider price"
        draft.notes.append(Reason(code="odd_lot", detail=detail))
    return quantity


def _unit(instrument: Instrument) -> str:
    if fx.is_spot(instrument):
        return "ounces" if fx.is_metal(instrument) else "units"
    return "shares" if instrument.asset is Asset.STOCK else "contracts"


def _spot_units(ctx: EntryContext) -> tuple[str, int]:
    """The setting that sizes a forex or gold entry, and its value."""
    if fx.is_metal(ctx.instrument):
        return "GOLD_UNITS", ctx.limits.gold_units
    return "FOREX_UNITS", ctx.limits.forex_units


def _bounds(ctx: EntryContext, held: int) -> dict[str, int]:
    """Stocks are sized in shares (MAX_SHARES), forex and gold in units (FOREX_UNITS, GOLD_UNITS);
    only contracts count toward MAX_TOTAL_CONTRACTS."""
    limits = ctx.limits
    if ctx.instrument.asset is Asset.STOCK:
        return {"MAX_SHARES": limits.max_shares - held}
    if fx.is_spot(ctx.instrument):
        name, units = _spot_units(ctx)
        return {name: units - held}
    contracts = sum(p.exposure for p in ctx.account.positions if p.instrument.asset in _CONTRACT_ASSETS)
    return {
        "MAX_CONTRACTS": limits.max_contracts - held,
        "MAX_TOTAL_CONTRACTS": limits.max_total_contracts - contracts,
    }


def _bound_text(binding: list[str], per_contract: Decimal, limits: Limits, unit: str) -> str:
    if "MAX_RISK_PER_TRADE" in binding:
        cap = money(limits.max_risk_per_trade)
        return f"one {unit[:-1]} risks {money(per_contract)}, above MAX_RISK_PER_TRADE {cap}"
    return f"{', '.join(binding)} is used up"


def _within_loss_cap(ctx: EntryContext, new_risk: Decimal, draft: PlanDraft) -> None:
    risk = open_risk(ctx.account.positions)
    if risk is None:
        detail = "an open position has no stop, so the daily loss cap cannot be checked"
        draft.reasons.append(Reason(code="unbounded_risk", detail=detail))
        return
    loss = max(Decimal(0), -realized_today(ctx.account, ctx.now))
    worst = loss + risk + new_risk
    if worst > ctx.limits.daily_loss_limit:
        detail = (
            f"at its stop this entry could lose {money(new_risk)}: with today's loss {money(loss)} and "
            f"{money(risk)} at the open stops that is {money(worst)}, over DAILY_LOSS_LIMIT "
            f"{money(ctx.limits.daily_loss_limit)}"
        )
        draft.reasons.append(Reason(code="daily_loss_limit", detail=detail))


def _legs(quantity: int, targets: list[Decimal], draft: PlanDraft) -> tuple[TargetLeg, ...]:
    kept = targets[:quantity]
    if len(kept) < len(targets):
        dropped = ", ".join(str(price) for price in targets[quantity:])
        draft.notes.append(
            Reason(code="targets_dropped", detail=f"{quantity} contract(s): targets {dropped} dropped")
        )
    base, extra = divmod(quantity, len(kept))
    return tuple(
        TargetLeg(price=price, quantity=base + (1 if i < extra else 0)) for i, price in enumerate(kept)
    )
