"""Replaying the bundled sessions in-process, and reading the journal a replay wrote."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from orchestrator.journal import Journal
from orchestrator.settings import Settings
from orchestrator.sources.session.replay import ReplayResult, replay
from tests import audit

SESSIONS = Path(__file__).resolve().parent / "fixtures" / "sessions"


def replay_session(name: str, db: Path, source: str | None = None, **settings: Any) -> ReplayResult:
    lines = (SESSIONS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return asyncio.run(replay(lines, Settings(_env_file=None, **settings), db, source=source or name))  # type: ignore[call-arg]


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
        return audit.rows(journal, sql, *params)
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


LONG_SESSION_SETTINGS = {
    "MAX_TRADES_PER_DAY": "100000",
    "DAILY_LOSS_LIMIT": "1000000",
    "DUPLICATE_WINDOW_SECONDS": "0",
    "LOSS_COOLDOWN_MINUTES": "0",
    "MAX_OPEN_POSITIONS": "10",
}


# Two contracts a trade, so "trim half" has something to trim; risk sized to allow it.
CHANNEL_SESSION_SETTINGS = {**LONG_SESSION_SETTINGS, "DEFAULT_CONTRACTS": "2", "MAX_RISK_PER_TRADE": "100"}
CHATTER = Path(__file__).resolve().parent / "fixtures" / "chatter.txt"
NEW_YORK = "America/New_York"


def channel_session(messages: int = 10_000, *, days: int = 10, seed: int = 7) -> list[str]:
    """A generated alert channel, ``messages`` long over ``days`` weekdays from 2026-03-02: 70 %
    chatter, and round trips of four alerts (0DTE entry with stop and target, trim, stop to break-even,
    out, each management alert a reply to its entry) with quotes that move the market between them.
    Every fourth trade loses: the market falls through its stop before the trim, so the later
    management alerts meet a closed position, as they do in a real channel."""
    import random
    from datetime import date, datetime, timedelta
    from zoneinfo import ZoneInfo

    rng = random.Random(seed)
    chatter = [line for line in CHATTER.read_text(encoding="utf-8").splitlines() if line]
    per_day = -(-messages // days)
    lines: list[str] = []
    day = date(2026, 3, 2)
    written = 0
    while written < messages:
        if day.weekday() < 5:
            opening = datetime(day.year, day.month, day.day, 9, 35, tzinfo=ZoneInfo(NEW_YORK))
            count = min(per_day, messages - written)
            lines += _channel_day(rng, chatter, day, opening, count, step=timedelta(seconds=22_500 / count))
            written += count
        day += timedelta(days=1)
    return lines


def _channel_day(rng: Any, chatter: list[str], day: Any, opening: Any, count: int, *, step: Any) -> list[str]:
    lines: list[str] = []
    at, n, trade = opening, 0, 0

    def emit(body: dict[str, Any]) -> None:
        lines.append(json.dumps({"at": at.isoformat(), **body}))

    def say(text: str, reply_to: str | None = None) -> None:
        nonlocal at, n
        body = {"type": "message", "id": f"{day:%m%d}-{n}", "channel": "c1", "author": "a1", "text": text}
        emit({**body, "reply_to": reply_to} if reply_to else body)
        at, n = at + step, n + 1

    while n < count:
        if count - n < 20:  # no trade left open overnight: a 0DTE position would expire
            say(rng.choice(chatter))
            continue
        strike = 570 + rng.randrange(10)
        right = rng.choice("CP")
        key = f"SPY {day.isoformat()} {strike}{right}"
        mid = Decimal("1.00") + Decimal(rng.randrange(40)) / 20
        move = Decimal("-0.45") if trade % 4 == 3 else Decimal("0.35")
        entry = f"{day.month}/{day.day} {strike}{right}"
        emit({"type": "quote", "instrument": key, "bid": str(mid - Decimal("0.05")), "ask": str(mid)})
        opened = ""
        plan = (
            f"BTO SPY {entry} @ {mid} SL {mid - Decimal('0.30')} PT {mid + Decimal('0.80')}",
            "",
            "trim half",
            "stop to BE",
            "out",
        )
        for text in plan:
            for _ in range(rng.choice((1, 2, 3))):
                say(rng.choice(chatter))
            if not text:
                price = mid + move
                emit(
                    {
                        "type": "quote",
                        "instrument": key,
                        "bid": str(price),
                        "ask": str(price + Decimal("0.05")),
                    }
                )
            elif not opened:
                opened = f"{day:%m%d}-{n}"
                say(text)
            else:
                say(text, opened)
        trade += 1
    return lines
