"""A profile's ``missing_expiry`` policy: an options alert that names no expiry, filled in or not.

``refuse`` (the default) leaves it to be denied (``missing_expiry``). ``0dte`` takes today's
expiry, when today is a session of the class's calendar and its close is still ahead; ``next_expiry``
the first session whose close is ahead (today's, or the next trading day's after the close, a
weekend or a holiday). Only for the classes in ``missing_expiry_symbols``, which list an expiry every
trading day. The strike is never inferred. What was filled in is a note, ``expiry_inferred``, so the
decision and its notice say the expiry was the bot's, not the analyst's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from parser import Asset, Instrument

from .hours import new_york_day, sessions, venue_for
from .limits import Limits, MissingExpiry
from .plan import Reason

LOOK_AHEAD_DAYS = 10  # the longest run of days without a session (a long weekend and then some)


def fill_expiry(instrument: Instrument, limits: Limits, now: datetime) -> tuple[Instrument, Reason | None]:
    """``instrument`` with the expiry the policy gives it, and the note saying so; unchanged with
    None when the policy does not apply or finds no expiry (then ``missing_expiry`` denies it)."""
    policy = limits.missing_expiry
    if (
        instrument.asset is not Asset.OPTION
        or instrument.expiry is not None
        or policy is MissingExpiry.REFUSE
        or instrument.symbol not in limits.missing_expiry_symbols
    ):
        return instrument, None
    expiry = _expiry(instrument, now, today_only=policy is MissingExpiry.ZERO_DTE)
    if expiry is None:
        return instrument, None
    detail = f"no expiry in the alert: {expiry} ({policy.value} for {instrument.symbol})"
    return instrument.model_copy(update={"expiry": expiry}), Reason(code="expiry_inferred", detail=detail)


def _expiry(instrument: Instrument, now: datetime, *, today_only: bool) -> date | None:
    venue = venue_for(instrument)
    if venue is None:
        return None
    today = new_york_day(now)
    for offset in range(1 if today_only else LOOK_AHEAD_DAYS):
        day = today + timedelta(days=offset)
        session = sessions(venue, day.year).get(day)
        if session is not None and now < session.close:
            return day
    return None
