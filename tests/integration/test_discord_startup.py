"""`autoscalper run` against a fake Discord over real sockets: start-up errors, a live session, a gap.

discord.py runs unmodified; only Discord's two addresses point at ``tests/fakes/discord_server.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests import audit
from tests.builders import MONDAY
from tests.discordkit import SETTINGS, listener_settings
from tests.fakes.discord_payloads import ALERTS, NOTIFY, message, snowflake
from tests.fakes.discord_server import TOKEN, fake_discord, point_discord_at
from tests.trading import SimClock

from orchestrator.app import Orchestrator
from orchestrator.cli.main import main
from orchestrator.sources import allowlists
from orchestrator.sources.discord.serve import serve

ALERT = "BTO SPY 3/20 580C @ 1.25 SL .90 PT 1.80"


def run_cli(tmp_path: Path, **env: str) -> Any:
    settings = SETTINGS | {"DISCORD_TOKEN": TOKEN, "DISCORD_LOGIN_TIMEOUT_SECONDS": "5"} | env
    empty = tmp_path / "empty.env"
    empty.touch()
    return CliRunner().invoke(
        main, ["run", "--db", str(tmp_path / "j.db"), "--env-file", str(empty)], env=settings
    )


def one_error_line(result: Any) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_missing_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli(tmp_path, DISCORD_TOKEN="")
    assert result.exit_code == 2
    assert one_error_line(result).startswith("error: setting DISCORD_TOKEN: missing")


def test_empty_allow_lists_are_refused_before_anything_starts(tmp_path: Path) -> None:
    result = run_cli(tmp_path, DISCORD_AUTHOR_IDS="")
    assert result.exit_code == 2
    assert one_error_line(result).startswith("error: setting DISCORD_AUTHOR_IDS: empty")
    assert not (tmp_path / "j.db").exists()


def test_a_wrong_token_is_one_line_and_exit_2_without_retrying(tmp_path: Path) -> None:
    with fake_discord(token="the-real-token") as discord_side:
        result = run_cli(tmp_path)
    assert result.exit_code == 2
    assert "Discord rejected the token (401)" in one_error_line(result)
    assert "trying again" not in result.stderr
    assert discord_side.identified == 0
    assert TOKEN not in result.stderr + result.stdout
    assert "autoscalper connecting to Discord (paper, paper)" in result.stderr
    assert "autoscalper running" not in result.stderr  # never said before the gateway is READY


def test_the_content_intent_not_enabled_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with fake_discord(content_intent=False):
        result = run_cli(tmp_path)
    assert result.exit_code == 2
    assert "the Message Content intent is not enabled" in one_error_line(result)


def test_an_unreachable_discord_is_retried_with_backoff_then_one_line_and_exit_2(tmp_path: Path) -> None:
    with point_discord_at(_closed_port()):
        started = time.monotonic()
        result = run_cli(tmp_path, DISCORD_LOGIN_TIMEOUT_SECONDS="4")
        took = time.monotonic() - started
    assert result.exit_code == 2
    assert one_error_line(result).startswith("error: Discord cannot be reached:")
    retries = [line for line in result.stderr.splitlines() if "trying again in" in line]
    assert 1 <= len(retries) <= 3  # backed off (1 s, 2 s ...), not a tight loop
    # The limit is a deadline: after 1 + 2 s of backoff the next wait is cut to the 1 s left, not 4.
    assert 3.0 <= took < 4.0 + 1.5


def test_restarting_in_a_loop_meets_a_growing_delay(tmp_path: Path) -> None:
    with fake_discord(token="the-real-token"):
        outputs = [run_cli(tmp_path).stderr for _ in range(3)]
    assert "waiting" not in outputs[0] + outputs[1]
    assert "2 Discord logins in the last 10 minutes; waiting 2 s" in outputs[2]


# ---------------------------------------------------------------- a live session over the fake gateway


async def wait_for(condition: Callable[[], Any], what: str, seconds: float = 10.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_session_trades_an_alert_notifies_and_backfills_a_gap_after_a_failed_resume(
    tmp_path: Path,
) -> None:
    clock = SimClock(MONDAY)
    settings = listener_settings(DISCORD_TOKEN=TOKEN)
    orchestrator = Orchestrator.open(
        settings, command="run", clock=clock, journal_path=tmp_path / "j.db", allow=allowlists(settings)
    )
    said: list[str] = []
    with fake_discord(can_resume=False) as discord_side:
        await orchestrator.start()
        bot = asyncio.create_task(serve(orchestrator, TOKEN, said.append, guild_ready_timeout=0.05))
        journal = orchestrator.journal
        await wait_for(lambda: journal.watermark(f"discord:{ALERTS}"), "the first watermark")

        alert = discord_side.post(message(snowflake(clock.now), ALERT))
        await wait_for(
            lambda: audit.value(journal, "SELECT verdict FROM decisions WHERE message_id = ?", alert["id"]),
            "a decision",
        )
        assert (
            audit.value(journal, "SELECT verdict FROM decisions WHERE message_id = ?", alert["id"])
            == "approved"
        )
        await wait_for(lambda: discord_side.channels.texts(NOTIFY), "a notice posted over REST")
        assert "approved (sent): buy 1 SPY 2026-03-20 580C" in discord_side.channels.texts(NOTIFY)[0]

        # The session drops and cannot resume; meanwhile the analyst posts, and nothing is delivered.
        clock.now = MONDAY.replace(minute=MONDAY.minute + 1)
        away = discord_side.post(
            message(snowflake(clock.now), "trim half", reply_to=int(alert["id"])), deliver=False
        )
        discord_side.ask_reconnect()
        await wait_for(lambda: discord_side.identified == 2, "a second IDENTIFY")
        await wait_for(
            lambda: audit.value(journal, "SELECT verdict FROM decisions WHERE message_id = ?", away["id"]),
            "the backfilled trim",
        )
        row = audit.rows(journal, "SELECT source FROM messages WHERE id = ?", away["id"])[0]
        assert row["source"] == "backfill"
        assert audit.value(journal, "SELECT kind FROM decisions WHERE message_id = ?", away["id"]) == "trim"
        kinds = [
            r["kind"]
            for r in audit.rows(journal, "SELECT kind FROM notices WHERE kind LIKE 'discord_%' ORDER BY id")
        ]
        assert kinds.count("discord_ready") == 2 and "discord_disconnected" in kinds

        bot.cancel()
        with pytest.raises(asyncio.CancelledError):
            await bot
    await orchestrator.shutdown()
    assert any(line.startswith("autoscalper running: listening to 1 channel(s)") for line in said)


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_discord_and_ib_share_one_event_loop_from_alert_to_orders_at_ib(tmp_path: Path) -> None:
    from tests.ibkit import config, gateway

    from executor.ib import IBBroker

    clock = SimClock(MONDAY)
    async with gateway() as tws:  # the fake TWS runs in this loop, as the bot's broker does
        broker = IBBroker(config(tws), clock)
        settings = listener_settings(DISCORD_TOKEN=TOKEN)
        orchestrator = Orchestrator.open(
            settings,
            command="run",
            clock=clock,
            journal_path=tmp_path / "j.db",
            broker=broker,
            allow=allowlists(settings),
        )
        with fake_discord() as discord_side:
            await orchestrator.start()
            bot = asyncio.create_task(serve(orchestrator, TOKEN, lambda _: None, guild_ready_timeout=0.05))
            journal = orchestrator.journal
            await wait_for(lambda: journal.watermark(f"discord:{ALERTS}"), "the first watermark")
            alert = discord_side.post(message(snowflake(clock.now), ALERT))
            await wait_for(lambda: len(tws.orders) == 3, "the bracket at IB")
            sent = {row["client_id"] for row in audit.rows(journal, "SELECT client_id FROM orders")}
            assert {order.order_ref for order in tws.orders.values()} == sent
            assert (
                audit.value(journal, "SELECT verdict FROM decisions WHERE message_id = ?", alert["id"])
                == "approved"
            )
            bot.cancel()
            with pytest.raises(asyncio.CancelledError):
                await bot
        await orchestrator.shutdown()


async def test_ib_market_data_problems_reach_the_notify_channel(tmp_path: Path) -> None:
    from tests.ibkit import gateway

    clock = SimClock(MONDAY)
    async with gateway(market_data="none") as tws:
        settings = listener_settings(
            DISCORD_TOKEN=TOKEN, QUOTE_SOURCE="ib", IBKR_PORT=tws.port, IBKR_CLIENT_ID=9
        )
        orchestrator = Orchestrator.open(
            settings, command="run", clock=clock, journal_path=tmp_path / "j.db", allow=allowlists(settings)
        )
        with fake_discord() as discord_side:
            await orchestrator.start()
            bot = asyncio.create_task(serve(orchestrator, TOKEN, lambda _: None, guild_ready_timeout=0.05))
            await wait_for(lambda: orchestrator.journal.watermark(f"discord:{ALERTS}"), "the first watermark")
            discord_side.post(message(snowflake(clock.now), ALERT))

            def told() -> list[str]:
                return [t for t in discord_side.channels.texts(NOTIFY) if "market data: " in t]

            [line] = await wait_for(told, "the market data problem in the notify channel")
            assert "IB has no market data subscription for SPY 2026-03-20 580C (354)" in line
            bot.cancel()
            with pytest.raises(asyncio.CancelledError):
                await bot
        await orchestrator.shutdown()
