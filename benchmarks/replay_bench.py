"""Replay throughput and memory on a generated channel (tests/sessions.py ``channel_session``).

* In-process: ``replay()`` on a 10,000-message session (plus its quotes), timed whole (journal
  created, simulator started, every event, the summary) and over the event loop alone.
* Whole process: ``autoscalper replay FILE --db J --json`` on the same file, wall time and peak RSS
  (``wait4``'s ``ru_maxrss``), and on a long replay (50,000 messages over 50 days) for peak RSS.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.sessions import CHANNEL_SESSION_SETTINGS, channel_session

from orchestrator.replay import replay
from orchestrator.settings import Settings

RUNS = 3


def _in_process(lines: list[str]) -> dict[str, float]:
    settings = Settings(_env_file=None, **CHANNEL_SESSION_SETTINGS)  # type: ignore[call-arg]
    marks: dict[str, float] = {}

    def progress(done: int, total: int) -> None:
        marks.setdefault("first", time.perf_counter())
        marks["last"] = time.perf_counter()

    with tempfile.TemporaryDirectory() as scratch:
        t0 = time.perf_counter()
        result = asyncio.run(replay(lines, settings, Path(scratch) / "j.db", source="bench", progress=progress))
        total = time.perf_counter() - t0
    return {"messages": result.messages, "total_s": total, "loop_s": marks["last"] - marks["first"]}


def _process(session: Path, db: Path) -> dict[str, float]:
    exe = str(Path(sys.executable).with_name("autoscalper"))
    env = {**os.environ, **CHANNEL_SESSION_SETTINGS}
    t0 = time.perf_counter()
    child = subprocess.Popen(
        [exe, "replay", str(session), "--db", str(db), "--json"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - t0
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"autoscalper replay exited {child.returncode}")
    return {"wall_s": round(elapsed, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def replay_throughput(messages: int = 10_000, long_messages: int = 50_000) -> dict[str, Any]:
    lines = channel_session(messages)
    runs = [_in_process(lines) for _ in range(RUNS)]
    whole = statistics.median(r["messages"] / r["total_s"] for r in runs)
    loop = statistics.median(r["messages"] / r["loop_s"] for r in runs)
    out: dict[str, Any] = {
        "messages": messages,
        "events": len(lines),
        "in_process_msg_per_s": round(whole),
        "event_loop_msg_per_s": round(loop),
    }
    with tempfile.TemporaryDirectory() as scratch:
        session = Path(scratch) / "channel.jsonl"
        session.write_text("\n".join(lines) + "\n", encoding="utf-8")
        process = _process(session, Path(scratch) / "a.db")
        out["process"] = process | {"msg_per_s": round(messages / process["wall_s"])}
        session.write_text("\n".join(channel_session(long_messages, days=50)) + "\n", encoding="utf-8")
        long = _process(session, Path(scratch) / "b.db")
        out["long_replay"] = long | {"messages": long_messages, "msg_per_s": round(long_messages / long["wall_s"])}
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(replay_throughput(), indent=2))
