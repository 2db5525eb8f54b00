"""The lines of ``autoscalper status`` and Discord's ``!status`` / ``!positions``, from the report
``control.status_report`` reads from the journal (whether a bot runs or not)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

STALLED_SECONDS = 180  # three missed heartbeats


def _pulse(bot: dict[str, Any]) -> str:
    """How long ago a running `run` journaled its heartbeat; a stalled process says so."""
    beat = bot.get("heartbeat")
    if beat is None or bot.get("command") != "run":
        return ""
    age = (datetime.now(UTC) - datetime.fromisoformat(beat)).total_seconds()
    if age > STALLED_SECONDS:
        return f"; NOT RESPONDING: last heartbeat {age / 60:.0f} min ago though the process exists"
    return f"; heartbeat {age:.0f} s ago"


def lines(status: dict[str, Any]) -> list[str]:
    bot = status["bot"]
    if bot and bot["alive"]:
        running = f"running, pid {bot['pid']} ({bot['command']}) since {bot['started_at']}" + _pulse(bot)
    else:
        running = "not running" + (f" (last: pid {bot['pid']}, started {bot['started_at']})" if bot else "")
    why = "never halted" if status["cause"] == "start" else f"{status['cause']}: {status['detail'] or '-'}"
    skipped = status.get("readiness_skipped")
    out = [
        f"mode      : {status['mode']} (journal {status['journal']})"
        + (f" [LIVE WITHOUT READINESS: {skipped}]" if skipped else ""),
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
            f"message   : {row['id']} ({row['source']}) {row['verdict'] or 'undecided'}"
            f"{f' [{reasons}]' if reasons else ''}: "
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
