"""``Orchestrator``: the running bot. Journal, executor and pipeline wired from the settings.

``orchestrator.executor.activate_kill_switch("manual stop")`` is the Python kill switch. ``start``
connects the broker through the paper/live guard, rebuilds the position book from the journal (and
the simulator's working orders with it), reloads what the pipeline remembers, and then honours any
console command written while nothing ran: the latched state is already in the journal, and a kill
still pending is carried out (cancel and flatten) before the first message is read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from executor import Broker, Executor, mask
from parser import parse
from risk import TradingState
from risk.hours import warm_up

from . import edits
from .build import build_executor
from .journal import Journal
from .messages import Delete, Edit, Message
from .pipeline import Allowlist, Outcome, Pipeline
from .redact import redact_logs
from .registry import Ownership
from .settings import Settings

CONTROL_POLL_SECONDS = 0.25
WARM_UP_ALERT = "BTO SPY 3/20 580C @ 1.25 SL .90"


def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class ControlResult:
    request_id: int
    command: str
    outcome: str
    lines: list[str] = field(default_factory=list)


class Orchestrator:
    def __init__(
        self,
        settings: Settings,
        journal: Journal,
        executor: Executor,
        *,
        clock: Callable[[], datetime] = wall_clock,
    ) -> None:
        self.settings, self.journal, self.executor, self.clock = settings, journal, executor, clock
        allow = Allowlist(
            channels=frozenset(map(str, settings.DISCORD_CHANNEL_IDS)),
            authors=frozenset(map(str, settings.DISCORD_AUTHOR_IDS)),
        )
        self.pipeline = Pipeline(journal, executor, settings.limits(), clock=clock, allow=allow)
        self._last_request = 0
        # One control command at a time: the poller and a chat command never carry out one twice.
        self._control = asyncio.Lock()
        self.ownership: Ownership | None = None

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        command: str,
        clock: Callable[[], datetime] = wall_clock,
        journal_path: Path | None = None,
        broker: Broker | None = None,
        durable: bool = True,
    ) -> Orchestrator:
        """The orchestrator the settings describe, journaling into ``journal_path`` (default: the
        settings' journal for the mode). Raises ``JournalError``, ``BrokerUnavailable``, ``ModeMismatch``."""
        redact_logs(settings.secret_values())
        path = journal_path or settings.journal_path()
        ownership = Ownership(path, command=command, mode=settings.mode)  # one trader per journal
        try:
            journal = Journal(path, durable=durable)
            journal.start_run(
                command,
                version=version("autoscalper"),
                mode=settings.mode,
                broker=settings.BROKER,
                settings=settings.redacted(),
            )
            executor = build_executor(settings, journal, clock, broker=broker)
        except BaseException:
            ownership.release()
            raise
        orchestrator = cls(settings, journal, executor, clock=clock)
        orchestrator.ownership = ownership
        return orchestrator

    async def start(self) -> list[ControlResult]:
        """Connect, recover from the journal, and carry out console commands left pending."""
        account = await self.executor.start()
        restored = await self.executor.recover(self.journal.broker_events())
        self.pipeline.restore()
        self.journal.record_notice(
            "started", self.clock(), f"account {mask(account)}; {restored} journaled broker events restored"
        )
        warm_up((self.clock().year,))
        parse(WARM_UP_ALERT, self.clock())  # loads the grammar now, not on the first alert (~65 ms)
        return await self.poll_control()

    # ------------------------------------------------------------------ inputs

    async def on_message(self, message: Message) -> Outcome:
        self.journal.check_identity()  # nothing is decided into a journal nobody reads
        outcome = await self.pipeline.on_message(message)
        await self.settle()
        return outcome

    async def on_edit(self, edit: Edit) -> Outcome:
        self.journal.check_identity()
        outcome = await edits.on_edit(self.pipeline, edit, amend=self.settings.AMEND_ON_EDIT)
        await self.settle()
        return outcome

    def on_delete(self, delete: Delete) -> Outcome:
        self.journal.check_identity()
        return edits.on_delete(self.pipeline, delete)

    async def settle(self) -> None:
        """Wait for a kill switch that a fill (loss cap) or an error count set off."""
        run = self.executor.last_kill
        if run is not None and not run.done:
            await run

    # ------------------------------------------------------------------ console control

    async def kill(self, reason: str, *, flatten: bool = True) -> list[str]:
        report = await self.executor.activate_kill_switch(reason, flatten)
        return report.lines()

    def resume(self, by: str = "console") -> str:
        status = self.executor.resume(by)
        return f"Trading resumed by {by}: state {status.state}."

    async def poll_control(self) -> list[ControlResult]:
        """Carry out commands other processes wrote to the journal (``autoscalper kill``/``resume``).
        Polled every 0.25 s, it also notices a journal deleted or replaced while no message came."""
        self.journal.check_identity()
        async with self._control:
            requests = self.journal.pending_requests(after=self._last_request)
            results = []
            for index, request in enumerate(requests):
                self._last_request = request["id"]
                later = [r["command"] for r in requests[index + 1 :]]
                results.append(await self._carry_out(request, superseded="resume" in later))
            return results

    async def control(
        self, command: str, *, by: str, reason: str = "", flatten: bool = True
    ) -> ControlResult:
        """A ``kill`` or ``resume`` from inside the process (a Discord command, a session's command
        line): journaled as a request with its result, like the console's, and carried out at once."""
        async with self._control:
            request_id = self.journal.request(command, reason=reason, flatten=flatten, by=by)
            request = {"id": request_id, "command": command, "reason": reason, "flatten": flatten}
            return await self._carry_out(request | {"requested_by": by}, superseded=False)

    async def _carry_out(self, request: dict[str, object], *, superseded: bool) -> ControlResult:
        request_id, command = int(str(request["id"])), str(request["command"])
        if command == "kill" and superseded:
            result = ControlResult(
                request_id, command, "superseded", ["A later resume superseded this kill."]
            )
        elif command == "kill":
            reason = str(request["reason"] or f"{request['requested_by']} kill")
            lines = await self.kill(reason, flatten=bool(request["flatten"]))
            result = ControlResult(request_id, command, "done", lines)
        elif command == "resume":
            result = ControlResult(request_id, command, "done", [self.resume(str(request["requested_by"]))])
        else:
            result = ControlResult(request_id, command, "unknown", [f"Unknown command {command!r}."])
        self.journal.record_result(request_id, result.outcome, "\n".join(result.lines))
        return result

    @property
    def trading_state(self) -> TradingState:
        return self.executor.status.state

    async def shutdown(self) -> None:
        """Disconnect the broker (working orders stay there, stops included), then close the journal."""
        try:
            await self.executor.broker.shutdown()
        finally:
            self.close()

    def close(self) -> None:
        try:
            self.journal.close()
        finally:
            if self.ownership is not None:
                self.ownership.release()
                self.ownership = None
