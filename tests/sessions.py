"""Replaying the bundled sessions in-process, and reading the journal a replay wrote."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
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


def long_session(trades: int) -> list[str]:
    """A deterministic day of ``trades`` round trips on three contracts: quote, entry, a quote that
    moves the market, and an exit that replies to its entry (so every exit has exactly one target)."""
    from datetime import datetime, timedelta

    start = datetime.fromisoformat("2026-03-02T14:31:00+00:00")
    lines: list[str] = []
    for n in range(trades):
        at = start + timedelta(seconds=9 * n)
        key = f"SPY 2026-03-02 {575 + n % 3}C"
        mid = Decimal("1.20") + Decimal(n % 7) / 20
        move = Decimal("0.20") if n % 4 else Decimal("-0.20")
        stop, target = mid - Decimal("0.30"), mid + Decimal("0.40")
        later = {"bid": str(mid + move), "ask": str(mid + move + Decimal("0.05"))}
        out = {"text": "out", "reply_to": f"o{n}"}
        events = [
            (0, {"type": "quote", "instrument": key, "bid": str(mid - Decimal("0.05")), "ask": str(mid)}),
            (
                1,
                {
                    "type": "message",
                    "id": f"o{n}",
                    "channel": "c1",
                    "author": "a1",
                    "text": f"BTO SPY 3/2 {575 + n % 3}C @ {mid} SL {stop} PT {target}",
                },
            ),
            (3, {"type": "quote", "instrument": key, **later}),
            (5, {"type": "message", "id": f"x{n}", "channel": "c1", "author": "a1", **out}),
        ]
        lines += [json.dumps({"at": (at + timedelta(seconds=s)).isoformat(), **body}) for s, body in events]
    return lines


LONG_SESSION_SETTINGS = {
    "MAX_TRADES_PER_DAY": "100000",
    "DAILY_LOSS_LIMIT": "1000000",
    "DUPLICATE_WINDOW_SECONDS": "0",
    "LOSS_COOLDOWN_MINUTES": "0",
    "MAX_OPEN_POSITIONS": "10",
}
