"""``autoscalper status``: the bot's state read from the journal, so it answers in a blink and works
whether the bot runs or not (and from another terminal while it does). Whether a bot runs comes from
the registry and the journal's lock, never from a pid alone; the broker line only from a live bot."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from risk import trading_day

from ..journal import Journal
from ..registry import bot_on
from ..settings import Settings


def collect(journal: Journal, settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    run = _bot(journal)
    state = journal.trading_status()
    today = trading_day(now).isoformat()
    pnl = journal.day_pnl(today)
    net = Decimal(pnl["realized_net"]) if pnl else Decimal(0)
    return {
        "mode": settings.mode,
        "journal": str(journal.path),
        "bot": run,
        "broker": _connection(journal)
        if run and run["alive"]
        else f"- (no bot is running; last: {_connection(journal)})",
        "trading_state": state.state.value,
        "cause": state.cause,
        "detail": state.detail,
        "since": state.since.isoformat() if state.since else None,
        "open_positions": journal.open_positions(),
        "working_orders": journal.working_orders(),
        "today": {
            "trading_day": today,
            "realized_net": f"{net:.2f}",
            "daily_loss_limit": f"{settings.DAILY_LOSS_LIMIT:.2f}",
            "loss_room": f"{settings.DAILY_LOSS_LIMIT + min(net, Decimal(0)):.2f}",
        },
        "recent": journal.recent_messages(),
    }


def lines(status: dict[str, Any]) -> list[str]:
    bot = status["bot"]
    if bot and bot["alive"]:
        running = f"running, pid {bot['pid']} ({bot['command']}) since {bot['started_at']}"
    else:
        running = "not running" + (f" (last: pid {bot['pid']}, started {bot['started_at']})" if bot else "")
    why = "never halted" if status["cause"] == "start" else f"{status['cause']}: {status['detail'] or '-'}"
    out = [
        f"mode      : {status['mode']} (journal {status['journal']})",
        f"bot       : {running}",
        f"broker    : {status['broker']}",
        f"trading   : {status['trading_state'].upper()} ({why})",
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


def _bot(journal: Journal) -> dict[str, Any] | None:
    """The bot trading on this journal now (the registry, checked against the journal's lock), else
    the journal's last trading run, marked not alive."""
    running = bot_on(journal.path)
    if running is not None:
        return {
            "pid": running.pid,
            "command": running.command,
            "started_at": running.started_at,
            "alive": True,
        }
    last = journal.last_trading_run()
    return last | {"alive": False} if last else None


def _connection(journal: Journal) -> str:
    event, started = journal.last_connection_event(), journal.last_notice("started")
    if event and (not started or event["at"] >= started["at"]):
        return f"{event['kind'].replace('_', ' ')} at {event['at']} ({event['detail']})"
    if started:
        return f"connected at {started['at']} ({started['detail']})"
    return "never connected"
