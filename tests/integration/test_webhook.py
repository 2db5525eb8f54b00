"""TradingView alerts through the webhook, over loopback with a real HTTP client (aiohttp's), into a
bot on the paper simulator: a text alert and a JSON alert traded, a retry decided once, and every
refusal (wrong secret, oversize, bad JSON, unknown key, wrong content type, flood) answered with its
status and journaled without being parsed; a console kill stops webhook entries too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
from tests.audit import rows
from tests.builders import expiry_ahead

SECRET = "correct-horse-battery-staple"


@asynccontextmanager
async def webhook(tmp_path: Path, **settings: Any) -> AsyncIterator[tuple[Any, str]]:
    """A started paper bot with its webhook on a free loopback port; the bot and the URL."""
    from orchestrator.app import Orchestrator
    from orchestrator.settings import Settings
    from orchestrator.sources import allowlists
    from orchestrator.sources.webhook.server import WebhookSource

    values = {"WEBHOOK_PORT": 0, "WEBHOOK_SECRET": SECRET, "TRADING_HOURS": "any", **settings}
    config = Settings(_env_file=None, **values)  # type: ignore[arg-type]
    bot = Orchestrator.open(config, command="run", journal_path=tmp_path / "j.db", allow=allowlists(config))
    await bot.start()
    source = WebhookSource(bot, config, SECRET, lambda line: None)
    await source.start()
    try:
        yield bot, f"http://127.0.0.1:{source.port}/webhook"
    finally:
        await source.stop()
        await bot.shutdown()


def refusals(bot: Any) -> list[str]:
    return [
        r["detail"] for r in rows(bot.journal, "SELECT detail FROM notices WHERE kind = 'webhook_refused'")
    ]


def option_alert(**more: Any) -> dict[str, Any]:
    month, day, year = expiry_ahead().split("/")
    expiry = f"20{year}-{int(month):02d}-{int(day):02d}"
    return {"ticker": "SPY", "action": "buy", "price": 1.25, "stop": 0.90, "target": 1.80,
            "expiry": expiry, "strike": 580, "right": "call", **more}  # fmt: skip


async def test_a_text_alert_and_a_json_alert_are_traded_and_a_retry_is_decided_once(tmp_path: Path) -> None:
    async with webhook(tmp_path) as (bot, url), aiohttp.ClientSession() as http:
        text = f"BTO SPY {expiry_ahead()} 585C @ 1.10 SL .80"
        async with http.post(f"{url}/{SECRET}", data=text, headers={"Content-Type": "text/plain"}) as answer:
            assert answer.status == 200
            decided = await answer.json()
        assert (decided["verdict"], decided["execution"]) == ("approved", "sent")

        alert = option_alert(message_id="tv-1", secret=SECRET)
        async with http.post(url, json=alert) as answer:
            assert answer.status == 200
            first = await answer.json()
        async with http.post(url, json=alert) as retry:  # TradingView retries on a slow answer
            assert retry.status == 200
            again = await retry.json()
        assert (first["message_id"], first["verdict"], first["execution"]) == (
            "webhook:tv-1",
            "approved",
            "sent",
        )
        assert again["reasons"] == ["duplicate_delivery"]
        orders = rows(bot.journal, "SELECT client_id FROM orders WHERE message_id = 'webhook:tv-1'")
        assert len(orders) == 3  # one bracket: entry, target, stop
        sources = {r["source"] for r in rows(bot.journal, "SELECT source FROM messages")}
        assert sources == {"webhook"}
        from orchestrator.control import status_report
        from orchestrator.views.status import lines

        assert any("(webhook) approved" in line for line in lines(status_report(bot.journal, bot.settings)))


async def test_every_refusal_has_its_status_and_is_journaled_unparsed(tmp_path: Path) -> None:
    async with webhook(tmp_path, WEBHOOK_MAX_BODY_BYTES=1024) as (bot, url), aiohttp.ClientSession() as http:
        cases = [
            (
                f"{url}/not-the-secret",
                {"data": "BTO SPY 580C", "headers": {"Content-Type": "text/plain"}},
                401,
            ),
            (f"{url}/{SECRET}", {"data": "x" * 5000, "headers": {"Content-Type": "text/plain"}}, 413),
            (f"{url}/{SECRET}", {"data": "{not json", "headers": {"Content-Type": "application/json"}}, 400),
            (f"{url}/{SECRET}", {"json": option_alert(colour="red")}, 400),
            (f"{url}/{SECRET}", {"data": "<alert/>", "headers": {"Content-Type": "application/xml"}}, 415),
        ]
        for target, body, status in cases:
            async with http.post(target, **body) as answer:
                assert answer.status == status, (status, await answer.text())
        said = refusals(bot)
        assert [line.split(" ", 1)[0] for line in said] == ["401", "413", "400", "400", "415"]
        assert all(" from 127.0.0.1: " in line for line in said)
        assert "colour: unknown key" in said[3]
        assert rows(bot.journal, "SELECT * FROM messages") == []  # nothing refused was ever a message


async def test_a_flood_is_refused_after_the_rate(tmp_path: Path) -> None:
    async with webhook(tmp_path, WEBHOOK_RATE_PER_MINUTE=3) as (bot, url), aiohttp.ClientSession() as http:
        statuses = []
        for number in range(5):
            async with http.post(f"{url}/{SECRET}", data=f"hello {number}") as answer:
                statuses.append(answer.status)
        assert statuses == [200, 200, 200, 429, 429]
        assert [line.split(" ", 1)[0] for line in refusals(bot)] == ["429", "429"]


async def test_a_console_kill_stops_webhook_entries(tmp_path: Path) -> None:
    from orchestrator.control import latch

    async with webhook(tmp_path) as (bot, url), aiohttp.ClientSession() as http:
        latch(bot.journal, "kill", reason="console kill")  # as `autoscalper kill` writes it
        async with http.post(url, json=option_alert(secret=SECRET, message_id="tv-2")) as answer:
            decided = await answer.json()
        assert decided["verdict"] == "denied" and "trading_halted" in decided["reasons"]
        assert rows(bot.journal, "SELECT * FROM orders") == []


def test_run_with_the_webhook_needs_its_secret_first(tmp_path: Path) -> None:
    from tests.cli import cli

    done = cli("run", "--source", "webhook", "--db", str(tmp_path / "j.db"), env={"WEBHOOK_SECRET": "short"})
    assert done.returncode == 2
    assert (
        done.stderr.strip() == "error: setting WEBHOOK_SECRET: too short: use at least 16 random characters"
    )
    assert not (tmp_path / "j.db").exists()


async def test_discord_and_the_webhook_run_in_one_bot_with_one_kill_switch(tmp_path: Path) -> None:
    import asyncio

    from tests.discordkit import listener_settings
    from tests.fakes.discord_payloads import ALERTS, LOUNGE, TRADER, message, snowflake
    from tests.fakes.discord_server import TOKEN, fake_discord

    from orchestrator.app import Orchestrator
    from orchestrator.sources import allowlists, listen
    from orchestrator.sources.discord.serve import DiscordSource
    from orchestrator.sources.webhook.server import WebhookSource

    settings = listener_settings(
        DISCORD_TOKEN=TOKEN, WEBHOOK_PORT=0, WEBHOOK_SECRET=SECRET, TRADING_HOURS="any"
    )
    bot = Orchestrator.open(
        settings, command="run", journal_path=tmp_path / "j.db", allow=allowlists(settings)
    )
    with fake_discord() as discord_side:
        await bot.start()
        hook = WebhookSource(bot, settings, SECRET, lambda line: None)
        running = asyncio.create_task(
            listen(bot, [DiscordSource(bot, TOKEN, lambda line: None, 0.05), hook], lambda line: None)
        )
        try:
            await _until(lambda: bot.journal.watermark(f"discord:{ALERTS}") and hook.port)
            from datetime import UTC, datetime

            now = datetime.now(UTC)
            posted = discord_side.post(
                message(snowflake(now), f"BTO SPY {expiry_ahead()} 590C @ 1.05 SL .75")
            )
            await _until(
                lambda: rows(bot.journal, "SELECT 1 FROM decisions WHERE message_id = ?", posted["id"])
            )
            discord_side.post(
                message(snowflake(now) + 1, "!kill flat for lunch", channel=LOUNGE, author=TRADER)
            )
            await _until(lambda: bot.executor.status.state.value == "halted")
            url = f"http://127.0.0.1:{hook.port}/webhook"
            async with (
                aiohttp.ClientSession() as http,
                http.post(url, json=option_alert(secret=SECRET)) as answer,
            ):
                decided = await answer.json()
            assert decided["verdict"] == "denied" and "trading_halted" in decided["reasons"]
            sources = [r["source"] for r in rows(bot.journal, "SELECT source FROM messages ORDER BY rowid")]
            assert sources == ["discord", "webhook"]  # one journal for both
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
            await bot.shutdown()


async def _until(condition: Any, seconds: float = 10.0) -> None:
    import asyncio

    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - the bot's own state, not an event
            await asyncio.sleep(0.02)


async def test_a_sender_outside_the_allowed_addresses_is_refused(tmp_path: Path) -> None:
    tradingview = "52.89.214.238,34.212.75.30,54.218.53.128,52.32.178.7"  # the four it publishes
    async with (
        webhook(tmp_path, WEBHOOK_ALLOWED_IPS=tradingview) as (bot, url),
        aiohttp.ClientSession() as http,
    ):
        async with http.post(
            f"{url}/{SECRET}", data=f"BTO SPY {expiry_ahead()} 580C @ 1.25 SL .90"
        ) as answer:
            assert answer.status == 403
        assert refusals(bot) == ["403 from 127.0.0.1: 127.0.0.1 is not in WEBHOOK_ALLOWED_IPS"]
