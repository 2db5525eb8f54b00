"""Replaying the bundled sessions in-process, and reading the journal a replay wrote."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from orchestrator.journal import Journal
from orchestrator.replay import ReplayResult, replay
from orchestrator.settings import Settings

SESSIONS = Path(__file__).resolve().parent / "fixtures" / "sessions"


def replay_session(name: str, db: Path, **settings: Any) -> ReplayResult:
    lines = (SESSIONS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return asyncio.run(replay(lines, Settings(_env_file=None, **settings), db, source=name))  # type: ignore[call-arg]


def verdicts(result: ReplayResult) -> dict[str, tuple[str, list[str]]]:
    """message id -> (verdict, reasons) of its first delivery."""
    out: dict[str, tuple[str, list[str]]] = {}
    for decision in result.summary["decisions"]:
        out.setdefault(decision["message_id"], (decision["verdict"], decision["reasons"]))
    return out


def fills(result: ReplayResult) -> list[tuple[str, str, int, str]]:
    return [(f["message_id"], f["side"], f["quantity"], f["price"]) for f in result.summary["fills"]]


def journal_rows(db: Path, sql: str, *params: Any) -> list[dict[str, Any]]:
    journal = Journal(db, durable=False)
    try:
        return journal.rows(sql, *params)
    finally:
        journal.close()


def decisions_per_message(db: Path) -> dict[str, int]:
    rows = journal_rows(db, "SELECT message_id, COUNT(*) AS n FROM decisions GROUP BY message_id")
    return {r["message_id"]: r["n"] for r in rows}


def submissions_per_order(db: Path) -> dict[str, int]:
    rows = journal_rows(
        db, "SELECT client_id, COUNT(*) AS n FROM order_events WHERE kind = 'submitted' GROUP BY client_id"
    )
    return {r["client_id"]: r["n"] for r in rows}


def reasons_of(db: Path, message_id: str) -> list[str]:
    rows = journal_rows(db, "SELECT reasons FROM decisions WHERE message_id = ?", message_id)
    return json.loads(rows[0]["reasons"])
