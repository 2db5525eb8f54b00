"""Builders for risk tests: real parsed intents, account snapshots and positions in one line each."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from parser import Asset, Instrument, Intent, NotASignal, Open, PriceStop, PriceTarget, Right, Side, parse
from risk import (
    AccountSnapshot,
    Alert,
    Approved,
    Decision,
    Denied,
    Limits,
    Position,
    evaluate,
)

NY = ZoneInfo("America/New_York")
UTC = ZoneInfo("UTC")
# A plain Monday in regular hours (2026-03-02 10:30 New York, before the DST change).
MONDAY = datetime(2026, 3, 2, 10, 30, tzinfo=NY).astimezone(UTC)


def ny(year: int, month: int, day: int, hour: int = 10, minute: int = 30) -> datetime:
    """A New York wall-clock time as an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=NY).astimezone(UTC)


def intent(text: str, now: datetime = MONDAY) -> Intent:
    result = parse(text, now)
    assert not isinstance(result, NotASignal), f"{text!r} did not parse: {result.reason}"
    return result


def open_option(price: str, stop: str, *, side: Side = Side.LONG, target: str | None = None) -> Open:
    """An open built directly, for levels the parser itself refuses as ambiguous."""
    targets = (PriceTarget(price=Decimal(target)),) if target else ()
    return Open(
        side=side,
        instrument=option(),
        price=Decimal(price),
        stop=PriceStop(price=Decimal(stop)),
        targets=targets,
    )


def alert(now: datetime = MONDAY, message_id: str = "m1", age: float = 0.0) -> Alert:
    return Alert(message_id=message_id, sent_at=now - timedelta(seconds=age), received_at=now, author_id="a1")


def option(
    symbol: str = "SPY", strike: str = "580", right: str = "C", expiry: date = date(2026, 3, 20)
) -> Instrument:
    return Instrument(
        asset=Asset.OPTION, symbol=symbol, right=Right(right), strike=Decimal(strike), expiry=expiry
    )


def position(
    instrument: Instrument | None = None,
    *,
    quantity: int = 2,
    avg: str = "1.25",
    stop: str | None = "0.90",
    side: Side = Side.LONG,
    opened_by: str = "m0",
    pending: int = 0,
) -> Position:
    return Position(
        opened_by=opened_by,
        instrument=instrument or option(),
        side=side,
        quantity=quantity,
        pending=pending,
        avg_price=Decimal(avg),
        stop=Decimal(stop) if stop is not None else None,
    )


def decide(
    text: str | Intent,
    account: AccountSnapshot | None = None,
    limits: Limits | None = None,
    now: datetime = MONDAY,
    *,
    target: Position | None = None,
    age: float = 0.0,
    message_id: str = "m1",
    **limit_overrides: Any,
) -> Decision:
    limits = limits or Limits(**limit_overrides)
    return evaluate(
        intent(text, now) if isinstance(text, str) else text,
        account or AccountSnapshot(),
        limits,
        now,
        alert=alert(now, message_id, age),
        target=target,
    )


def approved(decision: Decision) -> Approved:
    assert isinstance(decision, Approved), f"denied: {getattr(decision, 'sentence', '')}"
    return decision


def denied(decision: Decision) -> Denied:
    assert isinstance(decision, Denied), f"approved: {decision}"
    return decision


def expiry_ahead(days: int = 7) -> str:
    """A SPY expiry ``days`` or more ahead of today (SPY lists one every trading day), as M/D/YY:
    for alerts decided on the wall clock."""
    from datetime import timedelta

    from risk.hours import Venue, new_york_day, sessions

    day = new_york_day(datetime.now(UTC)) + timedelta(days=days)
    while sessions(Venue.LATE_OPTIONS, day.year).get(day) is None:
        day += timedelta(days=1)
    return f"{day.month}/{day.day}/{day:%y}"
