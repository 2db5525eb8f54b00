"""Start-up that does not grow with the journal's age: a fresh process opens the bot on a journal
(as ``autoscalper run`` does: journal, simulator, book rebuilt, grammar and calendars warmed up), the
morning after the journal's last day, and shuts it down. On a journal of one trading day and on one
of 250 days at the same channel density, timed side by side in one run; and on the 250-day journal
with its checkpoints removed, which is what every start cost before them. (The morning after, on the
simulated clock: the generated channel's days run into the future of the machine's clock.)
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.sessions import CHANNEL_SESSION_SETTINGS, channel_session

from orchestrator.settings import Settings
from orchestrator.sources.session.replay import replay

ROOT = Path(__file__).resolve().parent.parent
PER_DAY = 200  # messages a trading day in both journals
# The child's wall time and peak RSS, read by a small parent (see replay_bench.py).
_PEAK = (
    "import resource, subprocess, sys, time; t0 = time.perf_counter();"
    " code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode;"
    " print(code, time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _journal(path: Path, days: int) -> None:
    settings = Settings(_env_file=None, **CHANNEL_SESSION_SETTINGS)  # type: ignore[arg-type]
    lines = channel_session(PER_DAY * days, days=days)
    asyncio.run(replay(lines, settings, path, source=f"{days} days", summary=False))


def _start(db: Path) -> tuple[float, float]:
    env = {
        **os.environ,
        **CHANNEL_SESSION_SETTINGS,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
    }
    command = [sys.executable, "-c", _PEAK, sys.executable, __file__, "--once", str(db)]
    code, elapsed, peak_kb = subprocess.run(
        command, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    if code != "0":
        raise RuntimeError(f"autoscalper run exited {code}")
    return float(elapsed), int(peak_kb) / 1024


def startup(runs: int = 5) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        one, year, bare = Path(scratch) / "1.db", Path(scratch) / "250.db", Path(scratch) / "250-bare.db"
        _journal(one, 1)
        _journal(year, 250)
        shutil.copy(year, bare)
        events = _count(year, "order_events")
        samples: dict[str, list[tuple[float, float]]] = {
            "1_day": [],
            "250_days": [],
            "250_days_no_checkpoint": [],
        }
        for _ in range(runs):  # interleaved, so a noisy minute hits all three alike
            samples["1_day"].append(_start(one))
            samples["250_days"].append(_start(year))
            _drop_checkpoints(bare)
            samples["250_days_no_checkpoint"].append(_start(bare))
    out: dict[str, Any] = {"messages_per_day": PER_DAY, "events_in_250_days": events, "runs": runs}
    for name, pairs in samples.items():
        out[name] = {
            "wall_s": round(statistics.median(p[0] for p in pairs), 3),
            "peak_rss_mb": round(statistics.median(p[1] for p in pairs), 1),
        }
    out["ratio_250_to_1"] = round(out["250_days"]["wall_s"] / out["1_day"]["wall_s"], 2)
    out["rss_ratio_250_to_1"] = round(out["250_days"]["peak_rss_mb"] / out["1_day"]["peak_rss_mb"], 2)
    return out


async def _open_and_stop(db: Path) -> None:
    """What ``autoscalper run`` does before its first message, the morning after the journal's last day."""
    from datetime import datetime, timedelta

    from tests.trading import SimClock, paper_bot

    with sqlite3.connect(db) as conn:
        last = datetime.fromisoformat(conn.execute("SELECT MAX(at) FROM inputs").fetchone()[0])
    bot = paper_bot(db, SimClock(last + timedelta(hours=16)), Settings())
    try:
        await bot.start()
    finally:
        await bot.shutdown()


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def _drop_checkpoints(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM checkpoints")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--once"]:
        asyncio.run(_open_and_stop(Path(sys.argv[2])))
    else:
        import json

        print(json.dumps(startup(), indent=2))
