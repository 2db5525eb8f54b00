"""Drill: a journal that cannot be written stops trading with a clear error; nothing trades unjournaled.

* A read-only journal file: every trading command refuses to start (exit 1, one line naming the
  file), and so does ``kill``, loudly, since it could not latch anything.
* A full disk in the middle of a replay (the process's file-size limit, so SQLite's own write
  fails): the replay stops at once with exit 1; what was committed is consistent, and the replay
  started again with room finishes exactly as an uninterrupted one.
* A journal failing on the decision of a live alert on IB: the alert raises ``JournalError`` and no
  order reaches the (fake) gateway, because on IB a plan is sent only once its decision is committed.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from tests.builders import MONDAY
from tests.cli import cli
from tests.ibkit import config, gateway
from tests.sessions import CHANNEL_SESSION_SETTINGS, channel_session, journal_rows
from tests.trading import SimClock

from executor.ib import IBBroker
from orchestrator.app import Orchestrator
from orchestrator.journal import JournalError
from orchestrator.messages import Message
from orchestrator.settings import Settings
from orchestrator.sources import allowlists

ALERT = "BTO SPY 3/2 580C @ 1.25 SL .90 PT 1.80"


def _autoscalper(*args: str, cwd: Path, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    def file_size_limit() -> None:  # applies to every file the process writes: the journal, its WAL
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**CHANNEL_SESSION_SETTINGS, "JOURNAL_PATH": str(cwd / "j.db")}
    return cli(*args, cwd=cwd, env=env, before=file_size_limit if limit is not None else None)


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The file cannot be written, for root too (immutable attribute) or by mode for anyone else."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        yield
        return
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"running as root where chattr +i is refused: {made.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def _one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.strip()]
    return line


def test_a_read_only_journal_stops_every_command_before_it_trades(tmp_path: Path) -> None:
    session = tmp_path / "day.jsonl"
    session.write_text("\n".join(channel_session(60, days=1)) + "\n", encoding="utf-8")
    assert _autoscalper("replay", str(session), "--db", "j.db", cwd=tmp_path).returncode == 0
    (tmp_path / "typed.txt").write_text(f"{ALERT}\n", encoding="utf-8")
    with sqlite3.connect(tmp_path / "j.db") as conn:  # fold the WAL in: the file is the whole journal
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = (tmp_path / "j.db").read_bytes()

    with read_only(tmp_path / "j.db"):
        for command in (
            ["run", "--input", "typed.txt"],
            ["replay", str(session), "--db", "j.db"],
            ["kill", "drill"],
            ["resume"],
        ):
            line = _one_line_error(_autoscalper(*command, cwd=tmp_path))
            assert "j.db" in line and "readonly" in line, (command, line)

    assert (tmp_path / "j.db").read_bytes() == before


def test_a_disk_full_mid_replay_stops_it_and_a_restart_with_room_finishes_it(tmp_path: Path) -> None:
    session = tmp_path / "day.jsonl"
    lines = channel_session(3_000, days=1)
    session.write_text("\n".join(lines) + "\n", encoding="utf-8")

    full = _autoscalper("replay", str(session), "--db", "j.db", "--json", cwd=tmp_path, limit=1_500_000)

    line = _one_line_error(full)
    assert line.startswith("error: journal") and "j.db" in line and ("full" in line or "I/O" in line), line
    with sqlite3.connect(tmp_path / "j.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    handled = journal_rows(tmp_path / "j.db", "SELECT COUNT(*) AS n FROM inputs")[0]["n"]
    assert 0 < handled < len(lines)  # it stopped part way, at the failed write
    unplanned = journal_rows(
        tmp_path / "j.db",
        "SELECT o.client_id FROM orders o LEFT JOIN decisions d ON d.message_id = o.message_id"
        " AND d.verdict = 'approved' WHERE d.id IS NULL AND o.client_id NOT LIKE '%:flatten:%'",
    )
    assert unplanned == []  # every journaled order has its approved decision

    resumed = _autoscalper("replay", str(session), "--db", "j.db", "--json", cwd=tmp_path)
    clean = _autoscalper("replay", str(session), "--db", "clean.db", "--json", cwd=tmp_path)
    assert resumed.returncode == 0 and clean.returncode == 0, resumed.stderr + clean.stderr
    assert json.loads(resumed.stdout.splitlines()[-1]) == json.loads(clean.stdout.splitlines()[-1])


async def test_a_decision_that_cannot_be_journaled_sends_nothing_to_ib(tmp_path: Path) -> None:
    clock = SimClock(MONDAY)
    async with gateway() as tws:
        settings = Settings(_env_file=None, BROKER="ib", IBKR_PORT=tws.port)  # type: ignore[call-arg]
        bot = Orchestrator.open(
            settings,
            command="run",
            clock=clock,
            journal_path=tmp_path / "j.db",
            allow=allowlists(settings),
            broker=IBBroker(config(tws), clock),
        )
        await bot.start()

        def decisions_fail(action: int, table: str | None, *_: object) -> int:
            return (
                sqlite3.SQLITE_DENY
                if action == sqlite3.SQLITE_INSERT and table == "decisions"
                else sqlite3.SQLITE_OK
            )

        bot.journal.conn.set_authorizer(decisions_fail)  # the write of the decision fails, as on a full disk
        alert = Message(
            id="m1", channel_id="c1", author_id="a1", text=ALERT,
            sent_at=clock.now, received_at=clock.now + timedelta(seconds=1),
        )  # fmt: skip
        with pytest.raises(JournalError, match="cannot write decisions"):
            await bot.on_message(alert)
        assert tws.orders == {}  # nothing reached the gateway
        bot.journal.conn.set_authorizer(None)
        assert journal_rows(tmp_path / "j.db", "SELECT id FROM messages") == [
            {"id": "m1"}
        ]  # seen, not acted on
        await bot.shutdown()
