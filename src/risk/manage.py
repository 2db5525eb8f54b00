"""Management intents checked against the position the orchestrator resolved for them.

Trim rounding: the fraction of the filled contracts, halves rounded up, but a trim of less than the
whole keeps at least one contract (a trim is not an exit); a bare "trim" uses DEFAULT_TRIM_PCT. A
trim that rounds to nothing still applies its stop change. Exits and trims are market orders: a
missed exit costs more than slippage. Stop moves that tighten always pass while trading is not
halted; one that widens needs trading active, a fresh alert, and the position's loss at the new stop
within MAX_RISK_PER_TRADE and the daily loss cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TypedDict

from parser import Cancel, Exit, Instrument, MoveStop, Side, Stop, Trim

from .account import AccountSnapshot, Alert, Position, TradingState, TradingStatus
from .gates import fresh_quote, not_stale
from .limits import Limits
from .loss import loss_per_contract, money, open_risk, point_value, realized_today
from .plan import CancelPlan, ExitPlan, PlanDraft, Reason, StopPlan, TrimPlan
from .prices import pips_reasons, protective, stop_price, target_price, target_side_reasons


@dataclass(frozen=True)
class ManageContext:
    position: Position
    account: AccountSnapshot
    limits: Limits
    now: datetime
    alert: Alert
    status: TradingStatus

    def base(self) -> _PlanFields:
        p = self.position
        return _PlanFields(
            message_id=self.alert.message_id, instrument=p.instrument, side=p.side, position=p.opened_by
        )


class _PlanFields(TypedDict):
    message_id: str
    instrument: Instrument
    side: Side
    position: str


def plan_exit(intent: Exit, ctx: ManageContext) -> PlanDraft:
    held, outcome = ctx.position.quantity, PlanDraft()
    quantity = min(intent.quantity, held) if intent.quantity else held
    cancel_entry = ctx.position.pending > 0
    outcome.plan = ExitPlan(
        **ctx.base(), quantity=quantity, cancel_entry=cancel_entry, alert_price=intent.price
    )
    return outcome


def plan_trim(intent: Trim, ctx: ManageContext) -> PlanDraft:
    outcome, held = PlanDraft(), ctx.position.quantity
    if held == 0:
        outcome.reasons.append(
            Reason(code="nothing_filled", detail="the entry has not filled: nothing to trim")
        )
        return outcome
    quantity = _trim_quantity(intent, held, ctx.limits)
    new_stop, stop_problems = _checked_stop(intent.stop, ctx) if intent.stop is not None else (None, [])
    # A trim reduces risk, so it goes even when its stop change cannot: the notes say why.
    outcome.notes.extend(Reason(code=f"stop_skipped_{r.code}", detail=r.detail) for r in stop_problems)
    new_stop = None if stop_problems else new_stop
    too_small = Reason(
        code="trim_too_small", detail=f"{held} contract(s) cannot be trimmed and keep a runner"
    )
    if quantity >= held:
        outcome.plan = ExitPlan(**ctx.base(), quantity=held, alert_price=intent.price)
        outcome.notes.append(Reason(code="trim_is_exit", detail=f"the trim closes all {held} contract(s)"))
    elif quantity > 0:
        outcome.plan = TrimPlan(**ctx.base(), quantity=quantity, new_stop=new_stop, alert_price=intent.price)
    elif new_stop is not None:
        outcome.plan = StopPlan(**ctx.base(), new_stop=new_stop)
        outcome.notes.append(too_small)
    else:
        outcome.reasons.extend([too_small, *stop_problems])
    return outcome


def _trim_quantity(intent: Trim, held: int, limits: Limits) -> int:
    if intent.quantity is not None:
        return min(intent.quantity, held)
    fraction = intent.fraction if intent.fraction is not None else limits.default_trim_pct / 100
    if fraction >= 1:
        return held
    rounded = int((fraction * held).to_integral_value(rounding=ROUND_HALF_UP))
    return min(rounded, held - 1)


def plan_move_stop(intent: MoveStop, ctx: ManageContext) -> PlanDraft:
    outcome, p = PlanDraft(), ctx.position
    if intent.stop is None and not intent.targets:
        outcome.reasons.append(
            Reason(code="nothing_to_change", detail="the message moves neither stop nor target")
        )
        return outcome
    unpriced = pips_reasons(p.instrument, intent.stop, intent.targets)
    if unpriced:  # pips on a position that has none (an option): no level to move to
        outcome.reasons.extend(unpriced)
        return outcome
    if intent.stop is not None and p.quantity == 0:
        detail = (
            "the entry has not filled: a stop moved now would be the working entry's, and a stop at "
            "breakeven at the fill would trigger at once"
        )
        outcome.reasons.append(Reason(code="entry_not_filled", detail=detail))
        return outcome
    new_stop = None
    if intent.stop is not None:
        new_stop, problems = _checked_stop(intent.stop, ctx)
        outcome.reasons.extend(problems)
    floor = new_stop if new_stop is not None else p.stop
    targets = tuple(target_price(p.instrument, p.side, level, p.avg_price) for level in intent.targets)
    for target in targets:  # a target must lie beyond the stop, on the position's profit side
        outcome.reasons.extend(
            target_side_reasons(p.side, target, floor, against="stop") if floor is not None else []
        )
    if not outcome.reasons:
        outcome.plan = StopPlan(**ctx.base(), new_stop=new_stop, new_targets=targets)
    return outcome


def _checked_stop(stop: Stop, ctx: ManageContext) -> tuple[Decimal, list[Reason]]:
    p = ctx.position
    if p.trailing:
        detail = "the stop trails the market (the profile's trail rule): a message does not move it"
        return p.stop or Decimal(0), [Reason(code="stop_trails", detail=detail)]
    new_stop = stop_price(p.instrument, p.side, stop, p.avg_price)
    if new_stop <= 0:
        return new_stop, [Reason(code="invalid_price", detail=f"the stop {new_stop} is not a positive price")]
    problems = _through_market(new_stop, ctx)
    if p.stop is not None and not protective(p.side, p.stop, new_stop) and new_stop != p.stop:
        problems.extend(_widening(new_stop, ctx))
    return new_stop, problems


def _through_market(new_stop: Decimal, ctx: ManageContext) -> list[Reason]:
    """With a fresh quote, a stop at or through the market would fire at once: refuse, keep the old stop."""
    p = ctx.position
    quote = fresh_quote(ctx.account, p.instrument, ctx.limits, ctx.now)
    market = None if quote is None else (quote.bid if p.side is Side.LONG else quote.ask)
    if market is None or protective(p.side, new_stop, market):
        return []
    detail = f"the new stop {new_stop} is through the market {market}: it would trigger at once"
    return [Reason(code="stop_through_market", detail=detail)]


def _widening(new_stop: Decimal, ctx: ManageContext) -> list[Reason]:
    p, limits = ctx.position, ctx.limits
    if ctx.status.state is not TradingState.ACTIVE:
        detail = f"trading is {ctx.status.state.value}: a stop may only tighten"
        return [Reason(code=f"trading_{ctx.status.state.value}", detail=detail)]
    reasons = not_stale(ctx.alert, limits)
    value = point_value(p.instrument, new_stop, p.rate)
    if value is None:
        detail = f"no dollar rate for {p.instrument.symbol}'s quote currency: a wider stop cannot be sized"
        return [*reasons, Reason(code="no_conversion_rate", detail=detail)]
    loss = max(Decimal(0), loss_per_contract(p.side, p.avg_price, new_stop, value) * p.exposure)
    if loss > limits.max_risk_per_trade:
        detail = f"at the stop {new_stop} the position could lose {money(loss)}, above MAX_RISK_PER_TRADE"
        reasons.append(Reason(code="stop_widens", detail=detail))
    others = open_risk(q for q in ctx.account.positions if q.opened_by != p.opened_by)
    spent = max(Decimal(0), -realized_today(ctx.account, ctx.now))
    if others is None or spent + others + loss > limits.daily_loss_limit:
        detail = f"at the stop {new_stop} the day could lose more than DAILY_LOSS_LIMIT"
        reasons.append(Reason(code="daily_loss_limit", detail=detail))
    return reasons


def plan_cancel(intent: Cancel, ctx: ManageContext) -> PlanDraft:
    outcome, p = PlanDraft(), ctx.position
    if p.pending == 0:
        detail = (
            "the entry has filled: cancel does not close a position" if p.quantity else "no working entry"
        )
        code = "entry_filled" if p.quantity else "nothing_to_cancel"
        outcome.reasons.append(Reason(code=code, detail=detail))
        return outcome
    outcome.plan = CancelPlan(**ctx.base())
    return outcome
