"""Trading hours and the trading day, through a frozen wall clock as the orchestrator will feed ``now``.

The calendar comes from pandas_market_calendars; these cases pin the facts a trader relies on:
regular sessions, the 16:15 close of index/ETF options, futures sessions from 18:00 ET the evening
before, both DST changes, a holiday and a half day.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory
from tests.builders import approved, decide, ny, option, position

from parser import Asset, Instrument
from risk import trading_day
from risk.hours import HoursKind, is_open, parse_hours, sessions

STOCK = Instrument(asset=Asset.STOCK, symbol="AAPL")
ES = Instrument(asset=Asset.FUTURE, symbol="ES")
CL = Instrument(asset=Asset.FUTURE, symbol="CL")
SPY_OPTION = option("SPY", expiry=date(2026, 12, 18))
TSLA_OPTION = option("TSLA", "250", expiry=date(2026, 12, 18))
REGULAR = parse_hours("regular")


@pytest.fixture
def clock() -> Iterator[FrozenDateTimeFactory]:
    with freeze_time("2026-03-02 15:00:00", tick=False) as frozen:
        yield frozen


def now_at(clock: FrozenDateTimeFactory, moment: datetime) -> datetime:
    """Move the frozen wall clock and read it, as the orchestrator does before each decision."""
    clock.move_to(moment)
    return datetime.now(UTC)


@pytest.mark.parametrize(
    ("instrument", "moment", "expected"),
    [
        (TSLA_OPTION, ny(2026, 3, 2, 9, 29), False),
        (TSLA_OPTION, ny(2026, 3, 2, 9, 30), True),
        (TSLA_OPTION, ny(2026, 3, 2, 15, 59), True),
        (TSLA_OPTION, ny(2026, 3, 2, 16, 0), False),
        (SPY_OPTION, ny(2026, 3, 2, 16, 14), True),  # ETF options trade until 16:15
        (SPY_OPTION, ny(2026, 3, 2, 16, 15), False),
        (option("SPXW", "5800", expiry=date(2026, 12, 18)), ny(2026, 3, 2, 16, 10), True),
        (STOCK, ny(2026, 3, 2, 16, 0), False),
        (STOCK, ny(2026, 3, 7, 11, 0), False),  # Saturday
    ],
)
def test_regular_sessions(
    clock: FrozenDateTimeFactory, instrument: Instrument, moment: datetime, expected: bool
) -> None:
    assert is_open(instrument, now_at(clock, moment), REGULAR) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (ny(2026, 3, 1, 17, 59), False),  # Sunday before Globex opens
        (ny(2026, 3, 1, 18, 0), True),  # Sunday evening: Monday's session
        (ny(2026, 3, 3, 3, 0), True),  # overnight
        (ny(2026, 3, 2, 17, 30), False),  # daily maintenance break
        (ny(2026, 3, 6, 17, 0), False),  # Friday close
        (ny(2026, 3, 7, 12, 0), False),  # Saturday
    ],
)
def test_futures_follow_the_globex_session(
    clock: FrozenDateTimeFactory, moment: datetime, expected: bool
) -> None:
    assert is_open(ES, now_at(clock, moment), REGULAR) is expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 2026-03-08 clocks go forward: 09:30 New York is 14:30 UTC on Friday, 13:30 UTC on Monday.
        (datetime(2026, 3, 6, 14, 29, tzinfo=UTC), False),
        (datetime(2026, 3, 6, 14, 30, tzinfo=UTC), True),
        (datetime(2026, 3, 9, 13, 29, tzinfo=UTC), False),
        (datetime(2026, 3, 9, 13, 30, tzinfo=UTC), True),
        # 2026-11-01 clocks go back: 16:00 New York is 20:00 UTC on Friday, 21:00 UTC on Monday.
        (datetime(2026, 10, 30, 19, 59, tzinfo=UTC), True),
        (datetime(2026, 10, 30, 20, 0, tzinfo=UTC), False),
        (datetime(2026, 11, 2, 20, 30, tzinfo=UTC), True),
        (datetime(2026, 11, 2, 21, 0, tzinfo=UTC), False),
    ],
)
def test_both_dst_changes_move_the_session_in_utc(
    clock: FrozenDateTimeFactory, moment: datetime, expected: bool
) -> None:
    assert is_open(TSLA_OPTION, now_at(clock, moment), REGULAR) is expected


def test_market_holiday_is_closed(clock: FrozenDateTimeFactory) -> None:
    # Independence Day is observed on Friday 2026-07-03; Thanksgiving is 2026-11-26.
    for moment in (ny(2026, 7, 3, 11, 0), ny(2026, 11, 26, 11, 0)):
        assert not is_open(STOCK, now_at(clock, moment), REGULAR)
        assert not is_open(SPY_OPTION, now_at(clock, moment), REGULAR)


@pytest.mark.parametrize(
    ("instrument", "minute_before_close", "close"),
    [(TSLA_OPTION, (12, 59), (13, 0)), (SPY_OPTION, (13, 14), (13, 15)), (STOCK, (12, 59), (13, 0))],
)
def test_half_day_after_thanksgiving_closes_early(
    clock: FrozenDateTimeFactory,
    instrument: Instrument,
    minute_before_close: tuple[int, int],
    close: tuple[int, int],
) -> None:
    assert is_open(instrument, now_at(clock, ny(2026, 11, 27, *minute_before_close)), REGULAR)
    assert not is_open(instrument, now_at(clock, ny(2026, 11, 27, *close)), REGULAR)


def test_crude_uses_its_own_calendar_on_the_half_day(clock: FrozenDateTimeFactory) -> None:
    # NYMEX crude trades until 14:30 ET on the Friday after Thanksgiving; equity futures stop at 13:00.
    moment = now_at(clock, ny(2026, 11, 27, 14, 0))
    assert is_open(CL, moment, REGULAR) and not is_open(ES, moment, REGULAR)


@pytest.mark.parametrize(
    ("hours", "instrument", "moment", "expected"),
    [
        ("extended", STOCK, ny(2026, 3, 2, 7, 0), True),
        ("extended", STOCK, ny(2026, 3, 2, 19, 59), True),
        ("extended", STOCK, ny(2026, 3, 2, 20, 0), False),
        ("extended", TSLA_OPTION, ny(2026, 3, 2, 7, 0), False),  # options have no extended session
        ("09:45-15:30", TSLA_OPTION, ny(2026, 3, 2, 9, 40), False),  # narrowed
        ("09:45-15:30", TSLA_OPTION, ny(2026, 3, 2, 9, 45), True),
        ("09:45-15:30", TSLA_OPTION, ny(2026, 3, 2, 15, 30), False),
        ("07:00-09:30", STOCK, ny(2026, 3, 2, 8, 0), True),  # widened into pre-market
        ("07:00-09:30", TSLA_OPTION, ny(2026, 3, 2, 8, 0), False),  # but never opens a closed market
        ("20:00-04:00", ES, ny(2026, 3, 2, 23, 0), True),  # a window across midnight
        ("20:00-04:00", ES, ny(2026, 3, 2, 10, 0), False),
        ("09:45-15:30", TSLA_OPTION, ny(2026, 11, 27, 14, 0), False),  # the half day still closes at 13:00
    ],
)
def test_trading_hours_setting_widens_or_narrows(
    clock: FrozenDateTimeFactory, hours: str, instrument: Instrument, moment: datetime, expected: bool
) -> None:
    assert is_open(instrument, now_at(clock, moment), parse_hours(hours)) is expected


def test_entry_outside_hours_is_denied_but_exit_passes(clock: FrozenDateTimeFactory) -> None:
    evening = now_at(clock, ny(2026, 3, 2, 16, 30))
    entry = decide("BTO SPY 3/20 580C @ 1.25 SL 0.90", now=evening)
    assert entry.verdict == "denied" and "outside_trading_hours" in entry.codes
    assert decide("STC SPY 3/20 580C", now=evening, target=position()).verdict == "approved"
    assert decide("stop to 1.00", now=evening, target=position()).verdict == "approved"


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (ny(2026, 3, 2, 0, 1), date(2026, 3, 2)),
        (ny(2026, 3, 2, 17, 59), date(2026, 3, 2)),
        (ny(2026, 3, 2, 18, 0), date(2026, 3, 3)),  # the futures session for Tuesday has opened
        (ny(2026, 3, 1, 18, 0), date(2026, 3, 2)),  # Sunday evening belongs to Monday
        (ny(2026, 3, 8, 18, 30), date(2026, 3, 9)),  # the DST Sunday
        (ny(2026, 11, 1, 17, 59), date(2026, 11, 1)),
    ],
)
def test_trading_day_rolls_over_at_18_00_new_york(
    clock: FrozenDateTimeFactory, moment: datetime, day: date
) -> None:
    assert trading_day(now_at(clock, moment)) == day


def test_decisions_do_not_read_the_wall_clock() -> None:
    """The same arguments give the same decision whatever the machine's clock says (and whatever year)."""
    moment = ny(2026, 3, 2, 10, 30)
    expected = decide("BTO SPY 3/20 580C @ 1.25 SL 0.90", now=moment)
    sessions.cache_clear()
    with freeze_time("1999-12-31 23:59:59"):
        assert decide("BTO SPY 3/20 580C @ 1.25 SL 0.90", now=moment) == expected
        assert is_open(TSLA_OPTION, moment, REGULAR)


def test_hours_setting_is_validated() -> None:
    assert parse_hours("extended").kind is HoursKind.EXTENDED
    for bad in ("overnight", "9:30-16:00", "25:00-26:00", "10:00-10:00"):
        with pytest.raises(ValueError, match="HH:MM"):
            parse_hours(bad)


def test_any_hours_is_practice_that_says_so(clock: FrozenDateTimeFactory) -> None:
    """``TRADING_HOURS=any`` (paper only) decides on a Saturday too, and the decision carries the
    practice note; inside the market's hours it is an ordinary decision."""
    saturday, monday = now_at(clock, ny(2026, 3, 7, 11, 0)), ny(2026, 3, 2, 10, 30)
    alert = "BTO SPY 3/20 580C @ 1.25 SL 0.90"
    assert decide(alert, now=saturday).verdict == "denied"
    practice = approved(decide(alert, now=saturday, trading_hours="any"))
    assert [n.code for n in practice.notes if n.code == "practice_hours"] == ["practice_hours"]
    ordinary = approved(decide(alert, now=monday, trading_hours="any"))
    assert "practice_hours" not in [n.code for n in ordinary.notes]
    assert parse_hours("any").kind is HoursKind.ANY
