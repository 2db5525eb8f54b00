"""Drill: ``autoscalper kill`` from a second process while the bot is sending orders.

The bot runs here on its own event loop with a durable journal on disk and the paper simulator,
taking an alert round trip (quote, entry with stop and target, exit) as fast as it can. Its clock is
the wall clock moved to a Monday morning, so entries are within market hours whatever day the drill
runs. Part way, a second process runs the real CLI. ``kill`` latches the halt under SQLite's write
lock and stamps it with the time it took the lock: every order the bot committed before has an
earlier time, every one after a later time. No order but the kill switch's own flattening may come
after the halt, and the bot keeps reading alerts (denied) until the drill stops it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from tests.cli import BOT
from tests.sessions import CHANNEL_SESSION_SETTINGS, journal_rows

from executor import PaperBroker
from orchestrator.app import CONTROL_POLL_SECONDS, Orchestrator
from orchestrator.messages import Message
from orchestrator.settings import Settings
from orchestrator.sources import allowlists
from risk import Quote

MONDAY_OPEN = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 New York
BEFORE_KILL = 30  # round trips before the second process is started


def _wall_clock_on_a_monday() -> tuple[Callable[[], datetime], Callable[[datetime], datetime]]:
    """The bot's clock, and the conversion of a wall-clock time (the kill's) to it."""
    started = datetime.now(UTC)

    def moved(wall: datetime) -> datetime:
        return MONDAY_OPEN + (wall - started)

    return (lambda: moved(datetime.now(UTC))), moved


async def _round_trip(bot: Orchestrator, broker: PaperBroker, clock: Callable[[], datetime], n: int) -> None:
    strike, mid = 560 + n % 40, Decimal("1.50")
    key = f"SPY 2026-03-02 {strike}C"
    quote = Quote(bid=mid - Decimal("0.05"), ask=mid, at=clock())
    bot.pipeline.on_quote(key, quote)
    broker.on_quote(key, quote)
    for suffix, text, reply_to in (
        ("o", f"BTO SPY 3/2 {strike}C @ {mid} SL 1.20 PT 2.30", None),
        ("x", "out", f"o{n}"),
    ):
        now = clock()
        message = Message(
            id=f"{suffix}{n}", channel_id="c1", author_id="a1", text=text, sent_at=now, received_at=now,
            reply_to=reply_to, source="session",
        )  # fmt: skip
        await bot.on_message(message)
        await asyncio.sleep(0)  # let the control poller and the second process's pipes run


async def test_no_order_is_sent_after_a_kill_from_another_process_is_journaled(tmp_path: Path) -> None:
    db = tmp_path / "journal.db"
    clock, to_bot_time = _wall_clock_on_a_monday()
    settings = Settings(_env_file=None, **CHANNEL_SESSION_SETTINGS)  # type: ignore[call-arg]
    broker = PaperBroker(clock)
    bot = Orchestrator.open(
        settings,
        command="run",
        clock=clock,
        journal_path=db,
        broker=broker,
        durable=True,
        allow=allowlists(settings),
    )
    await bot.start()

    async def poll_control() -> None:
        while True:
            await asyncio.sleep(CONTROL_POLL_SECONDS)
            await bot.controls.pending()

    poller = asyncio.create_task(poll_control())
    kill = None
    try:
        for n in range(10_000):
            if n == BEFORE_KILL:
                kill = await asyncio.create_subprocess_exec(
                    *BOT, "kill", "drill: second process", "--db", str(db),
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                )  # fmt: skip
            if kill is not None and kill.returncode is not None and n > BEFORE_KILL + 20:
                break  # the kill is done and twenty more round trips met it
            await _round_trip(bot, broker, clock, n)
        assert kill is not None
        out, err = await kill.communicate()
    finally:
        poller.cancel()
        await bot.shutdown()

    assert kill.returncode == 0, err.decode()
    assert "Trading halted" in out.decode() and "The running bot: done." in out.decode()
    halt = journal_rows(db, "SELECT at FROM trading_states WHERE state = 'halted' ORDER BY id LIMIT 1")[0]
    halted_at = to_bot_time(datetime.fromisoformat(halt["at"]))
    orders = journal_rows(db, "SELECT client_id, role, submitted_at FROM orders ORDER BY submitted_at")
    flatten = [o for o in orders if ":flatten:" in o["client_id"]]
    alerts = [o for o in orders if ":flatten:" not in o["client_id"]]
    assert sum(o["role"] == "entry" for o in alerts) >= BEFORE_KILL  # orders were flowing
    late = [o for o in alerts if datetime.fromisoformat(o["submitted_at"]) >= halted_at]
    assert late == [], f"{len(late)} orders sent after the halt was journaled at {halted_at}: {late[:3]}"
    assert all(datetime.fromisoformat(o["submitted_at"]) >= halted_at for o in flatten)
    after = journal_rows(db, "SELECT verdict, reasons FROM decisions WHERE at > ?", halted_at.isoformat())
    assert len(after) >= 20 and all(d["verdict"] != "approved" for d in after)  # read, and refused
    assert any("trading_halted" in d["reasons"] for d in after)
    assert bot.journal is not None and broker.snapshot().working == ()
