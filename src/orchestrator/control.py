"""The command layer: ``kill``, ``resume``, ``status`` and ``positions``, one implementation that
every surface calls (the console's commands, the Python API, Discord's chat commands and a
session's command lines), each journaled as a request with its result.

Two ways in. ``latch`` is for a process that is not the bot (``autoscalper kill`` / ``resume``): it
writes the state and the request in one commit, so the halt holds at once (the bot reads it before
every decision) and the bot, or its next start, carries out the rest. ``Controls`` is the running
bot's: it carries out a command at once, and the requests others latched (``pending``, polled).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from executor import Executor, halted, resumed
from risk import trading_day

from .journal import Journal
from .registry import bot_on
from .settings import Settings
from .views.status import lines, position_lines

COMMANDS = ("kill", "resume", "status", "positions", "approve")
Approver = Callable[[str, str], Awaitable[tuple[str, list[str]]]]  # (signal id, by) -> outcome, lines


@dataclass
class ControlResult:
    request_id: int
    command: str
    outcome: str  # done | superseded | refused | unknown
    lines: list[str] = field(default_factory=list)


def latch(
    journal: Journal, command: str, *, reason: str = "", flatten: bool = True, by: str = "console"
) -> int:
    """Write a ``kill`` or ``resume`` for the bot on ``journal`` (or its next start); the request id.
    Immediate: the latch's time comes after every order the bot committed before it."""
    with journal.transaction(immediate=True):
        now = datetime.now(UTC)  # taken holding the write lock: after the bot's last commit
        journal.record_status(halted(reason, now) if command == "kill" else resumed(by, now))
        return journal.request(command, reason=reason, flatten=flatten, by=by)


def status_report(journal: Journal, settings: Settings, now: datetime | None = None) -> dict[str, Any]:
    """What ``status`` shows, read from the journal (and the registry for the running bot)."""
    now = now or datetime.now(UTC)
    run = _bot(journal)
    state = journal.trading_status()
    today = trading_day(now).isoformat()
    pnl = journal.day_pnl(today)
    net = Decimal(pnl["realized_net"]) if pnl else Decimal(0)
    connection = _connection(journal)
    return {
        "mode": settings.mode,
        "journal": str(journal.path),
        "bot": run,
        "broker": connection if run and run["alive"] else f"- (no bot is running; last: {connection})",
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
        "readiness_skipped": _skipped(journal, settings),
    }


class Controls:
    def __init__(
        self, journal: Journal, executor: Executor, settings: Settings, clock: Callable[[], datetime]
    ) -> None:
        self.journal, self.executor, self.settings, self.clock = journal, executor, settings, clock
        self._last_request = 0
        self.approver: Approver | None = None  # a confirm profile's held entries (``confirm.py``)
        # One command at a time: the poller and a chat command never carry out one twice.
        self._busy = asyncio.Lock()

    async def run(self, command: str, *, by: str, argument: str = "", flatten: bool = True) -> ControlResult:
        """Any command by name, from inside the process: journaled as a request, carried out now."""
        if command in ("status", "positions"):
            return self.answer(command, by=by, argument=argument)
        async with self._busy:
            request_id = self.journal.request(command, reason=argument, flatten=flatten, by=by)
            request = {"id": request_id, "command": command, "reason": argument, "flatten": flatten}
            return await self._carry_out(request | {"requested_by": by}, superseded=False)

    async def kill(self, reason: str = "", *, by: str = "console", flatten: bool = True) -> ControlResult:
        return await self.run("kill", by=by, argument=reason, flatten=flatten)

    async def resume(self, *, by: str = "console") -> ControlResult:
        return await self.run("resume", by=by)

    def answer(self, command: str, *, by: str, argument: str = "") -> ControlResult:
        """``status`` or ``positions``: the lines, journaled with the request in one commit (so the
        poller never sees the request pending)."""
        report = status_report(self.journal, self.settings, self.clock())
        text = lines(report) if command == "status" else position_lines(report)
        return self._answered(command, by, argument, "done", text)

    def refuse(self, command: str, *, by: str, why: str, argument: str = "") -> ControlResult:
        """A command from someone not allowed to control the bot: journaled, never carried out."""
        return self._answered(command, by, argument, "refused", [why])

    async def pending(self) -> list[ControlResult]:
        """Carry out the requests other processes latched (``autoscalper kill``/``resume``), oldest
        first; a kill followed by a resume is superseded. Also notices a journal deleted or replaced
        while no message came."""
        self.journal.check_identity()
        async with self._busy:
            requests = self.journal.pending_requests(after=self._last_request)
            results = []
            for index, request in enumerate(requests):
                self._last_request = request["id"]
                later = [r["command"] for r in requests[index + 1 :]]
                results.append(await self._carry_out(request, superseded="resume" in later))
            return results

    def _answered(self, command: str, by: str, argument: str, outcome: str, text: list[str]) -> ControlResult:
        with self.journal.transaction():
            request = self.journal.request(command, reason=argument, flatten=False, by=by)
            self.journal.record_result(request, outcome, "\n".join(text))
        return ControlResult(request, command, outcome, text)

    async def _carry_out(self, request: dict[str, Any], *, superseded: bool) -> ControlResult:
        request_id, command = int(request["id"]), str(request["command"])
        if command == "kill" and superseded:
            result = ControlResult(
                request_id, command, "superseded", ["A later resume superseded this kill."]
            )
        elif command == "kill":
            reason = str(request["reason"] or f"{request['requested_by']} kill")
            report = await self.executor.activate_kill_switch(reason, bool(request["flatten"]))
            result = ControlResult(request_id, command, "done", report.lines())
        elif command == "resume":
            by = str(request["requested_by"])
            status = self.executor.resume(by)
            result = ControlResult(
                request_id, command, "done", [f"Trading resumed by {by}: state {status.state}."]
            )
        elif command == "approve":
            outcome, text = (
                await self.approver(str(request["reason"]).strip(), str(request["requested_by"]))
                if self.approver is not None
                else ("refused", ["No profile asks for confirmation: nothing to approve."])
            )
            result = ControlResult(request_id, command, outcome, text)
        else:
            result = ControlResult(request_id, command, "unknown", [f"Unknown command {command!r}."])
        self.journal.record_result(request_id, result.outcome, "\n".join(result.lines))
        return result


def _bot(journal: Journal) -> dict[str, Any] | None:
    """The bot trading on this journal now (the registry, checked against the journal's lock), else
    the journal's last trading run, marked not alive."""
    running = bot_on(journal.path)
    if running is not None:
        beat = journal.last_notice("heartbeat")
        return {
            "pid": running.pid,
            "command": running.command,
            "started_at": running.started_at,
            "alive": True,
            "heartbeat": beat["at"] if beat else None,
        }
    last = journal.last_trading_run()
    return last | {"alive": False} if last else None


def _skipped(journal: Journal, settings: Settings) -> str | None:
    """Live: the reason the last start gave for skipping the readiness checklist, if it did."""
    if settings.PAPER_MODE:
        return None
    skipped, run = journal.last_notice("readiness_skipped"), journal.last_trading_run()
    if skipped is None or run is None or skipped["at"] < run["started_at"]:
        return None  # the last start did not skip it
    return f"{skipped['detail']} (at {skipped['at']})"


def _connection(journal: Journal) -> str:
    event, started = journal.last_connection_event(), journal.last_notice("started")
    if event and (not started or event["at"] >= started["at"]):
        return f"{event['kind'].replace('_', ' ')} at {event['at']} ({event['detail']})"
    if started:
        return f"connected at {started['at']} ({started['detail']})"
    return "never connected"
