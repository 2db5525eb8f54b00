"""The journal as an audit trail: the canned queries ``autoscalper audit`` offers run on a real
replayed day, under whatever name the journal has."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli import cli
from tests.sessions import replay_session


def test_every_canned_query_runs_and_tells_the_story(tmp_path: Path) -> None:
    db = tmp_path / "tuesday-spy.db"
    replay_session("winning_day", db)
    done = cli("audit", "--db", str(db), "--dry-run")
    assert done.returncode == 0, done.stderr
    queries = json.loads(done.stdout)["databases"]["tuesday-spy"]["queries"]
    with sqlite3.connect(db) as conn:
        results = {
            name: conn.execute(spec["sql"], {"message_id": "w1", "trading_day": "2026-03-02"}).fetchall()
            for name, spec in queries.items()
        }
    steps = [row[0] for row in results["message_story"]]
    assert steps[:4] == ["message", "intent", "decision", "execution"]
    assert steps.count("order") == 3 and steps.count("fill") == 2
    assert len(results["days_decisions"]) == 6
    assert results["kill_switch_history"] == []


def test_audit_without_datasette_says_how_to_get_it(tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    replay_session("winning_day", db)
    done = cli("audit", "--db", str(db), env={"PATH": str(tmp_path)})  # no datasette on this PATH
    assert done.returncode == 2 and "pip install 'autoscalper[audit]'" in done.stderr
    missing = cli("audit", "--db", str(tmp_path / "nothing.db"), "--dry-run")
    assert missing.returncode != 0 and not (tmp_path / "nothing.db").exists()
