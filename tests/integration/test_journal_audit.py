"""The journal as an audit trail: datasette.json's canned queries run on a real replayed day."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.sessions import replay_session

ROOT = Path(__file__).resolve().parents[2]


def test_every_canned_query_runs_and_tells_the_story(tmp_path: Path) -> None:
    db = tmp_path / "autoscalper-paper.db"
    replay_session("winning_day", db)
    metadata = json.loads((ROOT / "datasette.json").read_text())
    queries = metadata["databases"]["autoscalper-paper"]["queries"]
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
