"""Drill: a replay SIGKILLed at 20 random moments, each time restarted on the same journal.

The kills land anywhere: while the journal is being created, between groups of events, in the
middle of a group's transaction. After the last restart runs to the end, the journal must hold each
message decided exactly once and each order submitted exactly once, and the summary must equal an
uninterrupted replay's, to the cent.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.cli import BOT
from tests.sessions import (
    CHANNEL_SESSION_SETTINGS,
    channel_session,
    decisions_per_message,
    submissions_per_order,
)

KILLS = 20
MESSAGES = 5_000  # about 22 groups of events: room for 20 kills spread over the session


def _replay(session: Path, db: Path, *, output: int = subprocess.PIPE) -> subprocess.Popen[str]:
    command = [*BOT, "replay", str(session), "--db", str(db), "--json"]
    env = {**os.environ, **CHANNEL_SESSION_SETTINGS}
    return subprocess.Popen(command, env=env, stdout=output, stderr=output, text=True)


def _handled(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM inputs").fetchone()[0])
    except sqlite3.Error:  # not created yet, or its schema is being written
        return 0


def _summary(process: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def _kill_at_random(session: Path, db: Path, total: int, runs_left: int, rng: random.Random) -> int | None:
    """Start a replay and SIGKILL it at a random moment: one time in five anywhere in its first
    0.6 s (opening the journal, restoring, the first group), otherwise once it has committed a
    random share of what is left, plus 0-60 ms (so mid-group as often as not). Returns the inputs
    committed when it died; None when it finished first."""
    process = _replay(session, db, output=subprocess.DEVNULL)  # a full pipe must not hold it up
    start = _handled(db)
    if rng.random() < 0.2:
        time.sleep(rng.uniform(0, 0.6))
    else:
        target = min(total, start + rng.randint(1, max(1, 2 * (total - start) // runs_left)))
        deadline = time.monotonic() + 60
        while _handled(db) < target and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.06))
    if process.poll() is not None:
        return None
    process.send_signal(signal.SIGKILL)
    process.wait()
    return _handled(db)


def test_twenty_sigkills_then_a_restart_equal_one_uninterrupted_replay(tmp_path: Path) -> None:
    lines = channel_session(MESSAGES, days=1)
    session = tmp_path / "channel.jsonl"
    session.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "journal.db"
    rng = random.Random(20)

    died_at = [_kill_at_random(session, db, len(lines), KILLS - n, rng) for n in range(KILLS)]
    part_way = [n for n in died_at if n is not None and n < len(lines)]
    assert len(part_way) >= KILLS * 3 // 4, f"inputs committed at each kill: {died_at}"
    print("inputs committed at each kill:", died_at)

    resumed = _summary(_replay(session, db))
    uninterrupted = _summary(_replay(session, tmp_path / "clean.db"))

    decided = decisions_per_message(db)
    assert len(decided) == MESSAGES, "a message was lost"
    assert set(decided.values()) == {1}, "a message was decided twice"
    submitted = submissions_per_order(db)
    assert submitted and set(submitted.values()) == {1}, "an order was submitted twice"
    assert submitted == submissions_per_order(tmp_path / "clean.db")
    assert resumed == uninterrupted
    assert any(d["verdict"] == "approved" for d in resumed["decisions"]) and resumed["fills"]
