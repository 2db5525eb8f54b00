"""Replay throughput and memory on a generated channel (tests/sessions.py ``channel_session``).

* In-process: ``replay()`` on a 10,000-message session (plus its quotes), timed whole (journal
  created, simulator started, every event, the summary) and over the event loop alone.
* Whole process: ``autoscalper replay FILE --db J --json`` on the same file, wall time and peak RSS
  (``wait4``'s ``ru_maxrss``), and on a long replay (50,000 messages over 50 days) for peak RSS; the
  command's time over the in-process time, and the long replay's memory over the short one's.
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

from orchestrator.settings import Settings
from orchestrator.sources.session.replay import replay

RUNS = 3


def _in_process(lines: list[str]) -> dict[str, float]:
    settings = Settings(_env_file=None, **CHANNEL_SESSION_SETTINGS)  # type: ignore[call-arg]
    marks: dict[str, float] = {}

    def progress(done: int, total: int) -> None:
        marks.setdefault("first", time.perf_counter())
        marks["last"] = time.perf_counter()

    with tempfile.TemporaryDirectory() as scratch:
        t0 = time.perf_counter()
        result = asyncio.run(
            replay(lines, settings, Path(scratch) / "j.db", source="bench", progress=progress)
        )
        total = time.perf_counter() - t0
    return {"messages": result.messages, "total_s": total, "loop_s": marks["last"] - marks["first"]}


# The child's peak RSS, read by a small parent: ``ru_maxrss`` counts the forked copy of the parent
# before ``exec``, so measured from this (large) benchmark process it would report our own size.
_PEAK = (
    "import resource, subprocess, sys, time; t0 = time.perf_counter();"
    " code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode;"
    " print(code, time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _process(session: Path, db: Path) -> dict[str, float]:
    exe = str(Path(sys.executable).with_name("autoscalper"))
    env = {**os.environ, **CHANNEL_SESSION_SETTINGS}
    command = [sys.executable, "-c", _PEAK, exe, "replay", str(session), "--db", str(db), "--json"]
    code, elapsed, peak_kb = subprocess.run(
        command, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    if code != "0":
        raise RuntimeError(f"autoscalper replay exited {code}")
    return {"wall_s": round(float(elapsed), 2), "peak_rss_mb": round(int(peak_kb) / 1024, 1)}


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
        out["long_replay"] = long | {
            "messages": long_messages,
            "msg_per_s": round(long_messages / long["wall_s"]),
        }
    # Side by side, same run: the whole command against the same replay in process, and the long
    # replay's peak memory against the 10,000-message one's.
    out["process_ratio"] = round(process["wall_s"] / statistics.median(r["total_s"] for r in runs), 2)
    out["rss_ratio_50k_to_10k"] = round(long["peak_rss_mb"] / process["peak_rss_mb"], 2)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(replay_throughput(), indent=2))
