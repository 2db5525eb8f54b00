"""Webhook latency: a TradingView alert posted over loopback with aiohttp's client, until its answer
(the decision, journaled) comes back. The same messages handed to ``Orchestrator.on_message``
directly give the pipeline's own cost, so the difference is what HTTP and the webhook's checks add.
Chatter and alerts alternate as in a channel, on the paper simulator, with a durable journal.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from benchmarks.discord_bench import _texts
from benchmarks.timing import summary_us

from orchestrator.app import Orchestrator
from orchestrator.messages import Message
from orchestrator.settings import Settings
from orchestrator.sources import allowlists
from orchestrator.sources.webhook.server import WebhookSource

SECRET = "benchmark-secret-0123456789"
VALUES = {
    "WEBHOOK_PORT": 0, "WEBHOOK_SECRET": SECRET, "WEBHOOK_RATE_PER_MINUTE": 100_000,
    "TRADING_HOURS": "any", "MAX_TRADES_PER_DAY": 100_000, "DUPLICATE_WINDOW_SECONDS": 0,
}  # fmt: skip


async def _measure(count: int) -> dict[str, list[int]]:
    timings: dict[str, list[int]] = {"webhook": [], "pipeline": []}
    settings = Settings(_env_file=None, **VALUES)  # type: ignore[arg-type]
    texts = [text.replace("3/20", "12/18/26") for text in _texts(count)]
    with tempfile.TemporaryDirectory() as scratch:
        bot = Orchestrator.open(
            settings, command="run", journal_path=Path(scratch) / "a.db", allow=allowlists(settings)
        )
        await bot.start()
        hook = WebhookSource(bot, settings, SECRET, lambda line: None)
        await hook.start()
        url = f"http://127.0.0.1:{hook.port}/webhook/{SECRET}"
        async with aiohttp.ClientSession() as http:
            for number, text in enumerate(texts):
                t0 = time.perf_counter_ns()
                async with http.post(url, data=f"{text} #{number}") as answer:
                    await answer.read()
                timings["webhook"].append(time.perf_counter_ns() - t0)
        await hook.stop()
        await bot.shutdown()
        bot = Orchestrator.open(
            settings, command="run", journal_path=Path(scratch) / "b.db", allow=allowlists(settings)
        )
        await bot.start()
        for number, text in enumerate(texts):
            now = datetime.now(UTC)
            message = Message(
                id=f"webhook:{number}", channel_id="webhook", author_id="127.0.0.1",
                text=f"{text} #{number}", sent_at=now, received_at=now, source="webhook",
            )  # fmt: skip
            t0 = time.perf_counter_ns()
            await bot.on_message(message)
            timings["pipeline"].append(time.perf_counter_ns() - t0)
        await bot.shutdown()
    return timings


def webhook_latency(count: int = 400) -> dict[str, Any]:
    timings = asyncio.run(_measure(count))
    webhook, pipeline = sorted(timings["webhook"]), sorted(timings["pipeline"])
    out = {"messages": count, "webhook": summary_us(webhook), "pipeline": summary_us(pipeline)}
    out["webhook_over_pipeline_median"] = round(out["webhook"]["median_us"] / out["pipeline"]["median_us"], 2)
    return out


if __name__ == "__main__":
    print(webhook_latency())
