"""Drill: the Discord token and the live IB account never appear in logs, the journal, Discord
notices or ``status``.

A live session end to end: the bot in live mode (PAPER_MODE=false, BROKER=ib, LIVE_CONFIRM and
IBKR_ACCOUNT set to the live account) on the fake gateway, which reports that account, listening to
the fake Discord with the secret token; every logger at DEBUG (discord.py's and ib_async's
included). An alert is traded and notified, ``!status`` is answered, then ``autoscalper status``
and ``status --json`` read the journal with the same environment. The token and the account id
must be in none of it; the account shows only masked.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from tests.builders import MONDAY
from tests.cli import cli
from tests.discordkit import listener_settings
from tests.fakes.discord_payloads import ALERTS, NOTIFY, TRADER, message, snowflake
from tests.fakes.discord_server import fake_discord
from tests.ibkit import config, gateway, until
from tests.trading import SimClock

from executor.ib import IBBroker
from orchestrator.app import Orchestrator
from orchestrator.sources import allowlists
from orchestrator.sources.discord.serve import serve

TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0Mw.GdRiLl.s3cr3t-drill-token-never-printed"
ACCOUNT = "U7654321"
MASKED = "U7****21"
ALERT = "BTO SPY 3/20 580C @ 1.25 SL .90 PT 1.80"


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def every_log_line() -> object:
    handler, root = _Everything(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def _live_env(port: int, db: Path) -> dict[str, str]:
    return {
        "PAPER_MODE": "false", "BROKER": "ib", "LIVE_CONFIRM": ACCOUNT, "IBKR_ACCOUNT": ACCOUNT,
        "IBKR_PORT": str(port), "DISCORD_TOKEN": TOKEN, "JOURNAL_PATH": str(db),
    }  # fmt: skip


async def test_no_secret_in_logs_journal_notices_or_status(
    tmp_path: Path, every_log_line: _Everything
) -> None:
    db, clock, said = tmp_path / "live.db", SimClock(MONDAY), []
    async with gateway() as tws:
        tws.accounts = (ACCOUNT,)
        env = _live_env(tws.port, db)
        settings = listener_settings(**env)
        assert settings.mode == "live"
        bot = Orchestrator.open(
            settings,
            command="run",
            clock=clock,
            journal_path=db,
            broker=IBBroker(config(tws), clock),
            allow=allowlists(settings),
        )
        with fake_discord(token=TOKEN) as discord_side:
            await bot.start()
            listening = asyncio.create_task(serve(bot, TOKEN, said.append, guild_ready_timeout=0.05))
            await until(lambda: bot.journal.watermark(f"discord:{ALERTS}"))
            discord_side.post(message(snowflake(clock.now), ALERT))
            await until(lambda: len(tws.orders) == 3)
            discord_side.post(message(snowflake(clock.now), "!status", author=TRADER))
            await until(lambda: any("live" in text for text in discord_side.channels.texts(ALERTS)))
            await until(lambda: discord_side.channels.texts(NOTIFY))
            listening.cancel()
            with pytest.raises(asyncio.CancelledError):
                await listening
            posted = [text for _, payload in discord_side.channels.posted for text in [str(payload)]]
        await bot.shutdown()

        shown = [await asyncio.to_thread(cli, "status", *extra, env=env) for extra in ([], ["--json"])]

    assert all(done.returncode == 0 for done in shown), [done.stderr for done in shown]
    text = "\n".join([*every_log_line.lines, *said, *posted, *(done.stdout + done.stderr for done in shown)])
    journal = b"".join([path.read_bytes() for path in tmp_path.glob("live.db*")])  # noqa: ASYNC240
    assert len(every_log_line.lines) > 50 and any(line.startswith("discord") for line in every_log_line.lines)
    assert any(line.startswith("ib_async") for line in every_log_line.lines)
    assert MASKED in shown[0].stdout  # the account went everywhere, and only masked
    for secret in (TOKEN, ACCOUNT):
        assert secret not in text
        assert secret.encode() not in journal
