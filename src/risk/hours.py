"""Trading hours and the trading day, from a maintained exchange calendar.

pandas_market_calendars (built on exchange_calendars) knows each venue's holidays, half days and DST;
this module is the only one that imports it. Its schedules are turned once per venue and year into a
dict of plain UTC datetimes, so a check on the decision path is a dict lookup, not a pandas call,
and importing ``risk`` does not import pandas.

Venues: stocks trade on the NYSE calendar (pre-market 04:00 and post-market 20:00 ET with
``extended``); equity options on CBOE's until 16:00 ET; index options and the ETF classes that trade
later (SPY, QQQ, IWM, DIA, SPX, ...) until 16:15 ET; futures by their CME Globex session, which opens
at 18:00 ET the evening before the day it belongs to. Spot gold and silver keep CME Globex metals
hours (18:00 to 17:00 ET, Sunday evening to Friday). Forex pairs trade from Sunday 17:00 to Friday
17:00 New York time: one session per weekday, from 17:00 the evening before. The calendar library's
forex calendar knows no holidays (and opens Saturday evenings), so those sessions are built here,
closed on the two days IB's IDEALPRO does not trade: Christmas Day and New Year's Day.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

from parser import Asset, Instrument

from .fx import is_metal

NEW_YORK = ZoneInfo("America/New_York")
# The account's trading day rolls over when CME Globex opens the next day's session.
DAY_ROLLOVER = time(18, 0)
_ROLLOVER_SHIFT = timedelta(hours=24 - DAY_ROLLOVER.hour)
_WINDOW = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class Venue(StrEnum):
    """A pandas_market_calendars calendar name."""

    STOCKS = "NYSE"
    EQUITY_OPTIONS = "CBOE_Equity_Options"
    LATE_OPTIONS = "CBOE_Index_Options"
    CME_EQUITY = "CME_Equity"
    CBOT_EQUITY = "CBOT_Equity"
    CRUDE = "CMEGlobex_CL"
    GOLD = "CMEGlobex_GC"
    FOREX = "FOREX"  # built here (module docstring), not by the calendar library


FOREX_ROLL = time(17, 0)  # New York: the forex day starts and ends here
FOREX_CLOSED = ((12, 25), (1, 1))  # (month, day): no IDEALPRO session labelled on these days
SESSION_WORDS = {
    Venue.FOREX: "the forex market trades Sunday 17:00 to Friday 17:00 New York time",
    Venue.GOLD: "gold trades Sunday to Friday 18:00 to 17:00 New York time",
}


# Option classes that trade until 16:15 ET: cash-settled index options and the big ETF classes.
LATE_OPTION_CLASSES = frozenset(
    {"SPY", "QQQ", "IWM", "DIA", "SPX", "SPXW", "XSP", "NDX", "NDXP", "RUT", "RUTW", "VIX", "VIXW", "DJX"}
)
FUTURE_VENUES: dict[str, Venue] = {
    "ES": Venue.CME_EQUITY,
    "MES": Venue.CME_EQUITY,
    "NQ": Venue.CME_EQUITY,
    "MNQ": Venue.CME_EQUITY,
    "RTY": Venue.CME_EQUITY,
    "M2K": Venue.CME_EQUITY,
    "YM": Venue.CBOT_EQUITY,
    "CL": Venue.CRUDE,
    "GC": Venue.GOLD,
}


class Session(NamedTuple):
    """One labelled trading session in UTC. ``pre``/``post`` exist for stocks only."""

    open: datetime
    close: datetime
    pause: tuple[datetime, datetime] | None
    pre: datetime | None
    post: datetime | None


class HoursKind(StrEnum):
    REGULAR = "regular"
    EXTENDED = "extended"
    WINDOW = "window"
    ANY = "any"  # paper practice: decide at any time (the settings refuse it in live mode)


class HoursRule(NamedTuple):
    """``TRADING_HOURS`` parsed: a named session, or a New York window within the widest session."""

    kind: HoursKind
    start: time | None = None
    end: time | None = None


def parse_hours(text: str) -> HoursRule:
    """``regular``, ``extended``, ``HH:MM-HH:MM`` (New York time; may wrap past midnight) or
    ``any`` (paper practice)."""
    if text in (HoursKind.REGULAR, HoursKind.EXTENDED, HoursKind.ANY):
        return HoursRule(HoursKind(text))
    match = _WINDOW.match(text)
    if match is None:
        raise ValueError("use regular, extended, HH:MM-HH:MM (New York time) or any (paper only)")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) == (h2, m2):
        raise ValueError("HH:MM-HH:MM needs two different valid times")
    return HoursRule(HoursKind.WINDOW, time(h1, m1), time(h2, m2))


@lru_cache(maxsize=4096)  # asked of every fill of the day on every decision; the zone maths dominates
def trading_day(at: datetime) -> date:
    """The account's trading day: the New York date, rolled forward at 18:00 ET (CME convention)."""
    return (at.astimezone(NEW_YORK) + _ROLLOVER_SHIFT).date()


def new_york_day(at: datetime) -> date:
    return at.astimezone(NEW_YORK).date()


def venue_for(instrument: Instrument) -> Venue | None:
    """The calendar an instrument trades by; None for a futures root we have no calendar for."""
    if instrument.asset is Asset.OPTION:
        late = instrument.symbol in LATE_OPTION_CLASSES
        return Venue.LATE_OPTIONS if late else Venue.EQUITY_OPTIONS
    if instrument.asset is Asset.FUTURE:
        return FUTURE_VENUES.get(instrument.symbol)
    if instrument.asset is Asset.FOREX:
        return Venue.GOLD if is_metal(instrument) else Venue.FOREX
    return Venue.STOCKS


def is_open(instrument: Instrument, at: datetime, rule: HoursRule) -> bool:
    """May an entry be placed on ``instrument`` at ``at`` under ``rule``."""
    venue = venue_for(instrument)
    if venue is None:
        return False
    if rule.kind is HoursKind.ANY:
        return True
    session = session_at(venue, at, widest=rule.kind is not HoursKind.REGULAR)
    if session is None:
        return False
    if rule.kind is HoursKind.WINDOW:
        return _in_window(at.astimezone(NEW_YORK).time(), rule)
    return True


def practising(instrument: Instrument, at: datetime, rule: HoursRule) -> bool:
    """Decided only because ``TRADING_HOURS=any``: the market itself is closed (outside even the
    widest session), so the decision is practice, and says so."""
    return rule.kind is HoursKind.ANY and not is_open(instrument, at, HoursRule(HoursKind.EXTENDED))


def session_at(venue: Venue, at: datetime, *, widest: bool) -> Session | None:
    """The session trading at ``at``, or None when the venue is closed (night, weekend, holiday, pause)."""
    day = new_york_day(at)
    for label in (day, day + timedelta(days=1)):
        session = sessions(venue, label.year).get(label)
        if session is not None and _trading(session, at, widest=widest):
            return session
    return None


def business_days_from(today: date, count: int) -> date:
    """The first of the ``count`` NYSE business days that end with ``today`` (counted when it is one):
    the start of the pattern-day-trader rule's window."""
    day, seen = today, 0
    while True:
        seen += sessions(Venue.STOCKS, day.year).get(day) is not None
        if seen >= count:
            return day
        day -= timedelta(days=1)


def in_window(at: datetime, rule: HoursRule) -> bool:
    """``at`` (New York time) falls in an ``HH:MM-HH:MM`` window, which may wrap past midnight."""
    return rule.kind is HoursKind.WINDOW and _in_window(at.astimezone(NEW_YORK).time(), rule)


def regular_close(instrument: Instrument, at: datetime) -> datetime | None:
    """When the regular session that ``at`` falls in (or that New York day's) closes for
    ``instrument``'s class: 16:00 or 16:15 ET for options by class, earlier on half days; None when
    no session is known."""
    venue = venue_for(instrument)
    if venue is None:
        return None
    session = session_at(venue, at, widest=True) or sessions(venue, at.year).get(new_york_day(at))
    return session.close if session is not None else None


def _trading(session: Session, at: datetime, *, widest: bool) -> bool:
    start = session.pre if widest and session.pre else session.open
    end = session.post if widest and session.post else session.close
    if not start <= at < end:
        return False
    return session.pause is None or not session.pause[0] <= at < session.pause[1]


def _in_window(moment: time, rule: HoursRule) -> bool:
    assert rule.start is not None and rule.end is not None
    if rule.start < rule.end:
        return rule.start <= moment < rule.end
    return moment >= rule.start or moment < rule.end


def warm_up(years: Iterable[int]) -> None:
    """Build every venue's tables for ``years`` now, so the first decision of a run is not the slow one."""
    for year in years:
        for venue in Venue:
            sessions(venue, year)


Row = list[str | None]  # a session as stored: open, close, pause start and end, pre, post (ISO)


class SessionStore(Protocol):
    """Where built session tables are kept between runs; risk itself never reads or writes a file."""

    def load(self, venue: str, year: int) -> dict[date, Row] | None: ...

    def store(self, venue: str, year: int, rows: dict[date, Row]) -> None: ...


class _NoStore:
    def load(self, venue: str, year: int) -> dict[date, Row] | None:
        return None

    def store(self, venue: str, year: int, rows: dict[date, Row]) -> None:
        return None


_store: list[SessionStore] = [_NoStore()]


def use_store(store: SessionStore) -> None:
    """Keep session tables in ``store`` (the orchestrator's disk cache) from now on."""
    if _store[0] is not store:
        _store[0] = store
        sessions.cache_clear()


@lru_cache(maxsize=64)
def sessions(venue: Venue, year: int) -> dict[date, Session]:
    """Every session of ``venue`` labelled in ``year``: from the store, else from the calendar
    library (then stored). Built once per process either way."""
    store = _store[0]
    rows = store.load(venue.value, year)
    if rows is not None:
        return {day: _from_row(row) for day, row in rows.items()}
    table = _build_sessions(venue, year)
    store.store(venue.value, year, {day: _to_row(s) for day, s in table.items()})
    return table


def _to_row(session: Session) -> Row:
    pause = session.pause or (None, None)
    times = (session.open, session.close, *pause, session.pre, session.post)
    return [None if t is None else t.isoformat() for t in times]


def _from_row(row: Row) -> Session:
    opens, closes, pause_start, pause_end, pre, post = (_moment(text) for text in row)
    assert opens is not None and closes is not None
    pause = (pause_start, pause_end) if pause_start and pause_end else None
    return Session(opens, closes, pause, pre, post)


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _forex_sessions(year: int) -> dict[date, Session]:
    """Monday to Friday, each from 17:00 New York the day before to 17:00 that day."""
    table: dict[date, Session] = {}
    day = date(year, 1, 1)
    while day.year == year:
        if day.weekday() < 5 and (day.month, day.day) not in FOREX_CLOSED:
            opens = datetime.combine(day - timedelta(days=1), FOREX_ROLL, NEW_YORK).astimezone(UTC)
            closes = datetime.combine(day, FOREX_ROLL, NEW_YORK).astimezone(UTC)
            table[day] = Session(opens, closes, None, None, None)
        day += timedelta(days=1)
    return table


def _build_sessions(venue: Venue, year: int) -> dict[date, Session]:
    if venue is Venue.FOREX:
        return _forex_sessions(year)
    import pandas as pd
    import pandas_market_calendars as mcal

    with warnings.catch_warnings():  # the library's pandas deprecation notices are not the trader's business
        warnings.simplefilter("ignore")
        calendar = mcal.get_calendar(venue.value)
        frame = calendar.schedule(f"{year}-01-01", f"{year}-12-31", market_times="all")

    def moment(row: pd.Series, column: str) -> datetime | None:
        value = row.get(column)
        if value is None or pd.isna(value):
            return None
        result: datetime = value.to_pydatetime()
        return result

    table: dict[date, Session] = {}
    for label, row in frame.iterrows():
        opens, closes = moment(row, "market_open"), moment(row, "market_close")
        assert opens is not None and closes is not None
        pause_start, pause_end = moment(row, "break_start"), moment(row, "break_end")
        pause = (pause_start, pause_end) if pause_start and pause_end and pause_start < pause_end else None
        table[label.date()] = Session(opens, closes, pause, moment(row, "pre"), moment(row, "post"))
    return table
