"""The account ``autoscalper check`` decides against: flat, or holding what the options describe.

``--quote SPY=580`` (or ``KEY=BID/ASK``) puts a market in it: drift, market entries and the strike's
distance from the underlying are then judged. ``--holding "BTO ..."`` opens the position that alert
would open (sized and bracketed by the same limits), filled, or with ``--unfilled`` its entry still
working, so a management alert can be checked against it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from parser import NotASignal, parse
from risk import AccountSnapshot, Alert, BracketPlan, Limits, Position, Quote, evaluate

HOLDING_ID = "holding"


class CheckInputError(ValueError):
    """An option of ``check`` that cannot be read. ``str()`` is the one line shown."""


def market(quotes: tuple[str, ...], now: datetime) -> dict[str, Quote]:
    return dict(_quote(text, now) for text in quotes)


def _quote(text: str, now: datetime) -> tuple[str, Quote]:
    key, _, prices = text.partition("=")
    try:
        numbers = [Decimal(part) for part in prices.split("/")]
    except InvalidOperation:
        numbers = []
    if not key.strip() or len(numbers) not in (1, 2) or any(n <= 0 for n in numbers):
        raise CheckInputError(f"--quote {text!r}: write KEY=PRICE or KEY=BID/ASK, e.g. SPY=580")
    if len(numbers) == 1:
        return key.strip(), Quote(last=numbers[0], at=now)
    return key.strip(), Quote(bid=numbers[0], ask=numbers[1], at=now)


def holding(text: str, limits: Limits, now: datetime, *, filled: bool) -> Position:
    """The position the alert ``text`` opens on a flat account with ``limits``."""
    intent = parse(text, now)
    if isinstance(intent, NotASignal) or intent.kind != "open":
        raise CheckInputError(f"--holding {text!r} is not an alert that opens a position")
    alert = Alert(message_id=HOLDING_ID, sent_at=now, received_at=now)
    decision = evaluate(intent, AccountSnapshot(), limits, now, alert=alert)
    plan = getattr(decision, "plan", None)
    if not isinstance(plan, BracketPlan):
        why = getattr(decision, "sentence", "")
        raise CheckInputError(f"--holding {text!r} would not open a position: {why}")
    return Position(
        opened_by=HOLDING_ID,
        instrument=plan.instrument,
        side=plan.side,
        quantity=plan.quantity if filled else 0,
        pending=0 if filled else plan.quantity,
        avg_price=plan.reference_price,
        stop=plan.stop_price,
    )
