"""Start-up cost that does not grow with the journal: a restart rebuilds the book from the last
checkpoint (the positions open or working then), the recent days' fills and what came after, and
ends with the same book as a rebuild from every event ever journaled."""

from __future__ import annotations

import asyncio
import json
from datetime import date, datetime, timedelta
from pathlib import Path

from tests import audit
from tests.sessions import CHANNEL_SESSION_SETTINGS, channel_session
from tests.trading import SimClock, paper_bot

from executor import PositionBook
from orchestrator.journal import Journal
from orchestrator.settings import Settings
from orchestrator.sources.session.replay import replay
from risk import trading_day

DAYS = 6


def _replayed(tmp_path: Path) -> tuple[Path, Settings, SimClock]:
    """Six trading days of a generated channel, replayed into a journal; the clock at its end."""
    settings = Settings(_env_file=None, **CHANNEL_SESSION_SETTINGS)  # type: ignore[arg-type]
    swing = [  # a futures position opened on the first morning and held to the end, stop and target working
        '{"type":"quote","at":"2026-03-02T14:31:00Z","instrument":"MES","bid":"5001.00","ask":"5001.25"}',
        '{"type":"message","at":"2026-03-02T14:31:02Z","id":"swing","channel":"c1","author":"a2",'
        '"text":"Long MES @ 5001.25 stop 4991 target 5121"}',
    ]
    lines = sorted([*swing, *channel_session(1_800, days=DAYS)], key=_time)
    db = tmp_path / "j.db"
    asyncio.run(replay(lines, settings, db, source="channel"))
    journal = Journal(db, create=False)
    last = audit.value(journal, "SELECT MAX(at) FROM inputs")
    journal.close()
    return db, settings, SimClock(datetime.fromisoformat(last))


def _time(line: str) -> datetime:
    return datetime.fromisoformat(json.loads(line)["at"])


def _book_state(book: PositionBook, since: date) -> tuple[object, ...]:
    holdings = sorted((h.position, h.quantity, h.avg_price) for h in book.open_holdings())
    working = sorted((s.order.client_id, s.status.value, s.order.price) for s in book.working())
    realized = sorted((r.position, r.at, r.pnl) for r in book.realized_events(since=since))
    held = {key: quantity for key, quantity in book.net_positions().items() if quantity}
    return holdings, working, realized, held


def test_a_restart_replays_a_fraction_of_a_long_journal_into_the_same_book(tmp_path: Path) -> None:
    db, settings, clock = _replayed(tmp_path)
    everything = PositionBook()
    journal = Journal(db, create=False)
    total = 0
    for event in journal.broker_events():
        everything.apply(event)
        total += 1
    checkpoints = audit.value(journal, "SELECT COUNT(*) FROM checkpoints")
    journal.close()
    assert checkpoints >= DAYS  # one at each new trading day, at start and at the clean shutdown

    bot = paper_bot(db, clock, settings)
    try:
        asyncio.run(bot.start())
        since = bot.pipeline.history_from(clock())
        restored = int(
            audit.value(
                bot.journal, "SELECT detail FROM notices WHERE kind = 'started' ORDER BY id DESC LIMIT 1"
            )
            .split("; ")[1]
            .split()[0]
        )
        assert restored < total / 2, f"{restored} of {total} events replayed at start-up"
        rebuilt = _book_state(bot.executor.book, since)
        assert rebuilt == _book_state(everything, since)
        assert rebuilt[0] and rebuilt[1], "the swing position and its stop and target are rebuilt"
    finally:
        asyncio.run(bot.shutdown())


def test_a_restart_the_next_day_rebuilds_what_the_journal_says_is_open(tmp_path: Path) -> None:
    """A day later, from the checkpoint of the clean shutdown: what is held and working is exactly
    what the journal's views say (the swing position, its stop and its target)."""
    db, settings, clock = _replayed(tmp_path)
    later = SimClock(clock() + timedelta(days=1))
    bot = paper_bot(db, later, settings)
    try:
        asyncio.run(bot.start())
        journal = bot.journal
        open_in_journal = {r["position"] for r in journal.open_positions()}
        assert {h.position for h in bot.executor.book.open_holdings() if h.quantity} == open_in_journal
        working = {r["client_id"] for r in journal.working_orders()}
        assert {s.order.client_id for s in bot.executor.book.working()} == working
        assert trading_day(later()) > trading_day(clock())
    finally:
        asyncio.run(bot.shutdown())
