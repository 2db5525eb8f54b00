"""End-to-end decision latency with a durable journal: a message received, until its decision is
committed and, for an approved alert, its orders are handed to the paper broker and journaled.

The messages are the generated channel's (tests/sessions.py ``channel_session``: 70 % chatter, round
trips of entry, trim, stop to break-even and out), with its quotes fed to the simulator in between.
The journal is a file with ``synchronous=FULL``, as ``autoscalper run`` opens it: every commit is
fsync'd, so these figures include the disk. Timed per message around ``Orchestrator.on_message``.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.timing import summary_us
from tests.sessions import CHANNEL_SESSION_SETTINGS, channel_session

from executor import PaperBroker
from orchestrator.app import Orchestrator
from orchestrator.settings import Settings
from orchestrator.sources import allowlists
from orchestrator.sources.session.format import MessageEvent, QuoteEvent, read_session
from orchestrator.sources.session.replay import SimClock, feed_quote, replay_settings

ROOT = Path(__file__).resolve().parent.parent


async def _measure(messages: int) -> dict[str, list[int]]:
    events = list(read_session(channel_session(messages, days=1)))
    clock = SimClock(events[0].at)  # type: ignore[union-attr]
    settings = replay_settings(Settings(_env_file=None, **CHANNEL_SESSION_SETTINGS))  # type: ignore[call-arg]
    timings: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        broker = PaperBroker(clock)
        orchestrator = Orchestrator.open(
            settings,
            command="bench",
            allow=allowlists(settings),
            clock=clock,
            journal_path=Path(scratch) / "j.db",
            broker=broker,
            durable=True,
        )
        await orchestrator.start()
        for item in events:
            event = item.event  # type: ignore[union-attr]
            clock.advance_to(item.at)  # type: ignore[union-attr]
            if isinstance(event, QuoteEvent):
                feed_quote(orchestrator, event)
            elif isinstance(event, MessageEvent):
                message = event.message()
                t0 = time.perf_counter_ns()
                outcome = await orchestrator.on_message(message)
                elapsed = time.perf_counter_ns() - t0
                key = "order_handed" if outcome.execution == "sent" else outcome.verdict
                timings.setdefault(key, []).append(elapsed)
                timings.setdefault("all", []).append(elapsed)
        await orchestrator.shutdown()
    return timings


def end_to_end_decision(messages: int = 2_000, runs: int = 3) -> dict[str, Any]:
    """Each figure is the median over ``runs`` runs, each in a fresh process: fsync times on a shared
    disk vary run to run, and a second run in the same process measured 30 % slower (the first
    bot's garbage), which is not what a bot's day looks like."""
    each = [_one_run(messages) for _ in range(runs)]
    out: dict[str, Any] = {"messages": messages, "runs": runs, "journal": "file, WAL, synchronous=FULL"}
    for name in sorted(each[0]):
        figures = [run[name] for run in each]
        out[name] = {key: statistics.median(f[key] for f in figures) for key in figures[0]}
    return out


def _one_run(messages: int) -> dict[str, dict[str, float]]:
    command = [sys.executable, __file__, "--once", str(messages)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    result: dict[str, dict[str, float]] = json.loads(done.stdout)
    return result


def _summaries(messages: int) -> dict[str, dict[str, float]]:
    timings = asyncio.run(_measure(messages))
    return {name: {"count": len(v), **summary_us(sorted(v))} for name, v in timings.items()}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--once"]:
        print(json.dumps(_summaries(int(sys.argv[2]))))
    else:
        print(json.dumps(end_to_end_decision(), indent=2))
