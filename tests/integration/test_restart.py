"""A replay killed with SIGKILL half way, restarted on the same journal: nothing twice, nothing lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.sessions import LONG_SESSION_SETTINGS, decisions_per_message, long_session, submissions_per_order

TRADES = 300


def _replay(session: Path, db: Path) -> subprocess.Popen[str]:
    env = {**os.environ, **LONG_SESSION_SETTINGS}
    command = [sys.executable, "-m", "orchestrator", "replay", str(session), "--db", str(db), "--json"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _handled(db: Path) -> int:
    import sqlite3

    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM inputs").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is still being created
        return 0


def _summary(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_a_replay_killed_half_way_resumes_without_acting_twice(tmp_path: Path) -> None:
    session = tmp_path / "day.jsonl"
    lines = long_session(TRADES)
    session.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "journal.db"

    first = _replay(session, db)
    deadline = time.monotonic() + 60
    while _handled(db) < len(lines) // 2 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert first.poll() is None, "the replay finished before it could be killed half way"
    first.send_signal(signal.SIGKILL)
    first.wait()
    done_before_restart = _handled(db)
    assert 0 < done_before_restart < len(lines)

    resumed = _summary(_replay(session, db))
    uninterrupted = _summary(_replay(session, tmp_path / "clean.db"))

    assert all(n == 1 for n in decisions_per_message(db).values())
    assert all(n == 1 for n in submissions_per_order(db).values())
    assert len(decisions_per_message(db)) == 2 * TRADES  # no message lost
    for key in ("decisions", "fills", "open_positions", "realized_pnl", "commissions", "trading_state"):
        assert resumed[key] == uninterrupted[key], key
