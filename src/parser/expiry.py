"""Expiry resolution from the message time (never from the clock).

Rules, all in the message's New York calendar day:

* ``3/21`` (also ``Mar 21``, ``21st March``, ``0321`` against a strike) is the next March 21 on or
  after the message day (a message on 3/22 means next year).
* ``3/21/26``, ``3/21/2026`` and ``2026-03-21`` are that date, even when it is in the past (risk
  refuses expired contracts; the parser reports what was written).
* ``0dte`` is the message day; a message sent on a Saturday or Sunday means the next Monday.
* ``weekly`` ("weeklies", "this week") is that week's Friday; on a weekend, the next week's Friday.
* SPX, SPXW, XSP and NDX have daily expiries, so any weekday date is valid for them; for every symbol
  the parser keeps the date as written. Exchange holidays are not known here: the risk manager owns
  the exchange calendar and refuses a contract that does not trade.

An impossible date (2/30) raises ``ValueError``; the assembler turns it into a refusal.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .lexer import Tok

NEW_YORK = ZoneInfo("America/New_York")


def message_day(now: datetime) -> date:
    """The New York calendar day of an aware timestamp (a naive one is taken as UTC)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo("UTC"))
    return now.astimezone(NEW_YORK).date()


def _next_weekday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _this_friday(day: date) -> date:
    if day.weekday() >= 5:
        day += timedelta(days=7 - day.weekday())
    return day + timedelta(days=4 - day.weekday())


def _month_day(month: int, day: int, year: int | None, today: date) -> date:
    if year is not None:
        return date(year, month, day)
    candidate = date(today.year, month, day) if (month, day) != (2, 29) else _leap_day(today.year)
    if candidate < today:
        candidate = date(today.year + 1, month, day) if (month, day) != (2, 29) else _leap_day(today.year + 1)
    return candidate


def _leap_day(year: int) -> date:
    while True:
        try:
            return date(year, 2, 29)
        except ValueError:
            year += 1


def resolve_expiry(tok: Tok, now: datetime) -> date:
    """The expiry date that a DATE, ODTE or WEEKLY token means at ``now``."""
    today = message_day(now)
    if tok.kind == "ODTE":
        return _next_weekday(today)
    if tok.kind == "WEEKLY":
        return _this_friday(today)
    month, day, year = tok.value
    return _month_day(month, day, year, today)
