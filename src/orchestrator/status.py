"""``autoscalper status``: the bot's state read from the journal alone, so it answers in a blink and
works whether the bot runs or not (and from another terminal while it does)."""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from risk import trading_day

from .journal import Journal
from .settings import Settings


def collect(journal: Journal, settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    run = _last_run(journal)
    state = journal.trading_status()
    today = trading_day(now).isoformat()
    pnl = journal.rows("SELECT * FROM daily_pnl WHERE trading_day = ?", today)
    net = Decimal(pnl[0]["realized_net"]) if pnl else Decimal(0)
    return {
        "mode": settings.mode,
        "journal": str(journal.path),
        "bot": run,
        "broker": _connection(journal),
        "trading_state": state.state.value,
        "cause": state.cause,
        "detail": state.detail,
        "since": state.since.isoformat() if state.since else None,
        "open_positions": journal.rows("SELECT * FROM open_positions"),
        "working_orders": journal.rows("SELECT * FROM working_orders"),
        "today": {
            "trading_day": today,
            "realized_net": f"{net:.2f}",
            "daily_loss_limit": f"{settings.DAILY_LOSS_LIMIT:.2f}",
            "loss_room": f"{settings.DAILY_LOSS_LIMIT + min(net, Decimal(0)):.2f}",
        },
        "recent": journal.rows(
            "SELECT m.id, m.received_at, m.author_id, m.text, d.verdict, d.reasons, d.sentence"
            " FROM messages m LEFT JOIN decisions d ON d.message_id = m.id"
            " ORDER BY m.received_at DESC LIMIT 8"
        ),
    }


def lines(status: dict[str, Any]) -> list[str]:
    bot = status["bot"]
    running = "running" if bot and bot["alive"] else "not running"
    out = [
        f"mode      : {status['mode']} (journal {status['journal']})",
        f"bot       : {running}" + (f", pid {bot['pid']} since {bot['started_at']}" if bot else ""),
        f"broker    : {status['broker']}",
        f"trading   : {status['trading_state'].upper()} ({status['cause']}: {status['detail'] or '-'})",
        f"today     : realized net {status['today']['realized_net']} of a "
        f"{status['today']['daily_loss_limit']} loss cap ({status['today']['loss_room']} left)",
    ]
    out += position_lines(status)
    for row in status["recent"]:
        reasons = ", ".join(json.loads(row["reasons"] or "[]"))
        out.append(
            f"message   : {row['id']} {row['verdict'] or 'undecided'}{f' [{reasons}]' if reasons else ''}: "
            f"{row['text'][:60]}"
        )
    return out


def position_lines(status: dict[str, Any]) -> list[str]:
    """Open positions, then working orders: what ``status`` and Discord's ``!positions`` show."""
    out = [
        f"position  : {p['quantity']} {p['instrument']} avg {p['avg_price']} ({p['position']})"
        for p in status["open_positions"]
    ] or ["position  : none"]
    out += [
        f"working   : {o['role']} {o['action']} {o['quantity']} {o['instrument']} "
        f"{o['order_type']} {o['price'] or ''} [{o['status']}]"
        for o in status["working_orders"]
    ]
    return out


def bot_alive(journal: Journal) -> bool:
    run = _last_run(journal)
    return bool(run and run["alive"])


def _last_run(journal: Journal) -> dict[str, Any] | None:
    rows = journal.rows(
        "SELECT id, started_at, pid, host FROM runs WHERE command = 'run' ORDER BY id DESC LIMIT 1"
    )
    if not rows:
        return None
    run = rows[0]
    run["alive"] = run["host"] == socket.gethostname() and _pid_alive(run["pid"])
    return run


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _connection(journal: Journal) -> str:
    row = journal.rows(
        "SELECT kind, at, detail FROM order_events WHERE kind IN ('connection_lost', 'connection_restored')"
        " ORDER BY id DESC LIMIT 1"
    )
    started = journal.rows("SELECT at, detail FROM notices WHERE kind = 'started' ORDER BY id DESC LIMIT 1")
    if row and (not started or row[0]["at"] >= started[0]["at"]):
        return f"{row[0]['kind'].replace('_', ' ')} at {row[0]['at']} ({row[0]['detail']})"
    if started:
        return f"connected at {started[0]['at']} ({started[0]['detail']})"
    return "never connected"
