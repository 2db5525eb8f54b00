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


async def _measure(messages: int, durable: bool = True) -> dict[str, list[int]]:
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
            durable=durable,
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
    out: dict[str, Any] = {"messages": messages, "runs": runs, "journal": "file, WAL, synchronous=FULL"}
    out |= _medians([_one_run(messages) for _ in range(runs)])
    # The same messages with no fsync at all (synchronous=NORMAL): the bot's own time. The
    # difference is the disk's, reported with a bare fsync of this directory's file system.
    out["without_fsync"] = _medians([_one_run(messages, durable=False) for _ in range(runs)])
    out["bare_fsync_us"] = _bare_fsync_us()
    return out


def _medians(each: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    return {
        name: {key: statistics.median(run[name][key] for run in each) for key in each[0][name]}
        for name in sorted(each[0])
    }


def _bare_fsync_us(times: int = 50) -> float:
    """The median time of writing 4 KiB to a file and fsync'ing it, in the temporary directory."""
    samples = []
    with tempfile.NamedTemporaryFile() as probe:
        for _ in range(times):
            probe.write(b"x" * 4096)
            probe.flush()
            t0 = time.perf_counter_ns()
            os.fsync(probe.fileno())
            samples.append(time.perf_counter_ns() - t0)
    return round(statistics.median(samples) / 1000, 1)


def _one_run(messages: int, durable: bool = True) -> dict[str, dict[str, float]]:
    command = [sys.executable, __file__, "--once", str(messages), "durable" if durable else "fast"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    result: dict[str, dict[str, float]] = json.loads(done.stdout)
    return result


def _summaries(messages: int, durable: bool) -> dict[str, dict[str, float]]:
    timings = asyncio.run(_measure(messages, durable))
    return {name: {"count": len(v), **summary_us(sorted(v))} for name, v in timings.items()}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--once"]:
        print(json.dumps(_summaries(int(sys.argv[2]), sys.argv[3] == "durable")))
    else:
        print(json.dumps(end_to_end_decision(), indent=2))
