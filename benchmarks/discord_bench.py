"""Discord listener latency: a gateway payload in, until its decision is committed to a durable journal.

The payload goes through discord.py's parser table (what the gateway dispatches through), the
listener's queue and worker, and the orchestrator (parser, risk, paper broker, journal with
``synchronous=FULL``). The same messages handed to ``Orchestrator.on_message`` directly give the
pipeline's own cost, so the difference is what the listener adds. Chatter and alerts alternate as in
a channel; alerts past the limits are denied, which is still the whole pipeline.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from benchmarks.timing import summary_us
from tests.discordkit import listener_settings, listening
from tests.fakes.discord_payloads import message, snowflake

from orchestrator.sources.discord.convert import to_message

ROOT = Path(__file__).resolve().parent.parent
ALERTS = (
    "BTO SPY 3/20 580C @ 1.25 SL .90 PT 1.80",
    "STC SPY 3/20 580C @ 1.60",
    "BTO QQQ 3/20 500P @ 2.10 SL 1.50",
)


def _texts(count: int) -> list[str]:
    chatter = [
        line for line in (ROOT / "tests" / "fixtures" / "chatter.txt").read_text().splitlines() if line
    ]
    mix = itertools.cycle([*chatter[:7], *ALERTS])
    return [next(mix) for _ in range(count)]


async def _measure(count: int) -> dict[str, list[int]]:
    timings: dict[str, list[int]] = {"listener": [], "pipeline": []}
    settings = listener_settings(MAX_TRADES_PER_DAY="1000", DUPLICATE_WINDOW_SECONDS="0")
    with tempfile.TemporaryDirectory() as scratch:
        async with listening(Path(scratch) / "a", settings=settings) as desk:
            for text in _texts(count):
                desk.clock.now += timedelta(seconds=2)
                data = message(snowflake(desk.clock.now), text)
                t0 = time.perf_counter_ns()
                desk.dispatch("MESSAGE_CREATE", data)
                await desk.settle()
                timings["listener"].append(time.perf_counter_ns() - t0)
        async with listening(Path(scratch) / "b", settings=settings) as desk:
            channel = desk.client.get_channel(int(message(1, "")["channel_id"]))
            assert channel is not None
            for text in _texts(count):
                desk.clock.now += timedelta(seconds=2)
                payload = message(snowflake(desk.clock.now), text)
                built = to_message(
                    desk.client._connection.create_message(channel=channel, data=payload), desk.clock.now
                )  # type: ignore[arg-type]
                t0 = time.perf_counter_ns()
                await desk.orchestrator.on_message(built)
                timings["pipeline"].append(time.perf_counter_ns() - t0)
    return timings


def listener_latency(count: int = 400) -> dict[str, Any]:
    timings = asyncio.run(_measure(count))
    listener, pipeline = sorted(timings["listener"]), sorted(timings["pipeline"])
    out = {"messages": count, "listener": summary_us(listener), "pipeline": summary_us(pipeline)}
    out["listener_over_pipeline_median"] = round(
        out["listener"]["median_us"] / out["pipeline"]["median_us"], 2
    )
    return out


if __name__ == "__main__":
    print(listener_latency())
