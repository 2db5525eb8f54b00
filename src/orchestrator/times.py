"""The times a message, an event or ``--at`` may carry: 2000 to 2099, with a zone.

Outside that window no alert is real, and the calendars, the trading day and the expiry maths would
overflow (year 9999 plus a day is no date): such a time is refused where it comes in, as a bad line
or a bad option, before anything is decided or journaled.
"""

from __future__ import annotations

from datetime import UTC, datetime

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2099, 12, 31, 23, 59, 59, tzinfo=UTC)


def within_range(moment: datetime) -> datetime:
    """``moment`` itself, or ``ValueError`` naming the window."""
    if not EARLIEST <= moment <= LATEST:
        raise ValueError(f"{moment.isoformat()} is outside {EARLIEST.year}-{LATEST.year}")
    return moment
