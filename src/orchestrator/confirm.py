"""``Confirmations``: a ``mode = "confirm"`` profile's entries wait for the trader's approval.

The entry is decided as any other (journaled ``approved`` with its plan), then held instead of sent:
its execution is journaled ``awaiting_confirmation``, and the trader is told the plan, the id to
approve and until when (the terminal, the journal's notices, the Discord notify channel with a jump
link). ``!approve <id>`` on Discord (from DISCORD_CONTROL_USER_IDS) or ``autoscalper approve <id>``
within ``confirm_seconds`` (default 60) sends it; after that it is ``expired``, journaled and said,
and an approval that comes later is refused: a stale approval never places. Exits, trims and stop
moves never wait. A held entry does not outlive the process: a restart finds it expired.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from risk import BracketPlan, OrderPlan, Position
from risk.plan_line import describe_plan

from .pipeline import Handled, Pipeline

AWAITING = "awaiting_confirmation"
WITHDRAWN = "withdrawn"
EXPIRED = "expired"
CONFIRMATION = "confirmation"  # the notices' kind


@dataclass(frozen=True)
class Held:
    plan: OrderPlan
    outcome: Handled
    until: datetime


class Confirmations:
    def __init__(self, pipeline: Pipeline, clock: Callable[[], datetime]) -> None:
        self.pipeline, self.clock = pipeline, clock
        self.listeners: list[Callable[[str, str], None]] = []  # (signal id, words): the trader's screens
        self._held: dict[str, Held] = {}

    def holds(self, signal_id: str) -> bool:
        return signal_id in self._held

    def awaiting(self) -> tuple[Position, ...]:
        """The held entries as working ones: while they wait, other alerts count them against the
        limits (open positions, contracts, risk) and an exit or cancel finds them."""
        return tuple(
            Position(
                opened_by=signal_id,
                instrument=held.plan.instrument,
                side=held.plan.side,
                quantity=0,
                pending=held.plan.quantity,
                avg_price=held.plan.reference_price,
                stop=held.plan.stop_price,
            )
            for signal_id, held in self._held.items()
            if isinstance(held.plan, BracketPlan)
        )

    def withdraw(self, signal_id: str, by: str) -> bool:
        """An exit or cancel of a held entry: it is dropped, never sent. False: not held."""
        if self._held.pop(signal_id, None) is None:
            return False
        detail = f"withdrawn by {by} before it was approved: nothing sent"
        self.pipeline.journal.record_execution(signal_id, self.clock(), WITHDRAWN, detail)
        self._tell(signal_id, f"{signal_id} {detail}")
        return True

    def hold(self, plan: OrderPlan, outcome: Handled, seconds: int, profile: str) -> Handled:
        """Keep ``plan`` until approved or expired; the outcome says it waits."""
        now, signal_id = self.clock(), outcome.message_id
        until = now + timedelta(seconds=seconds)
        self._held[signal_id] = Held(plan, outcome, until)
        detail = (
            f"awaiting confirmation until {until:%H:%M:%S} UTC (profile {profile}): {describe_plan(plan)}; "
            f"approve with !approve {signal_id} or autoscalper approve {signal_id}"
        )
        self.pipeline.journal.record_execution(signal_id, now, AWAITING, detail)
        self._tell(signal_id, detail)
        return Handled(outcome.message_id, outcome.kind, outcome.verdict, outcome.reasons, detail, AWAITING)

    async def approve(self, signal_id: str, by: str) -> tuple[str, list[str]]:
        """Send the held plan (``done``), or say why not (``refused``)."""
        held = self._held.pop(signal_id, None)
        if held is None:
            return "refused", [
                f"Nothing awaits confirmation under {signal_id!r} (expired, sent or never held)."
            ]
        if self.clock() >= held.until:
            self._expire(signal_id, held)
            return "refused", [f"{signal_id} expired at {held.until:%H:%M:%S} UTC: not sent."]
        handled = await self.pipeline.execute_approved(held.plan, held.outcome)
        line = f"{signal_id} approved by {by}: {handled.execution}"
        self.pipeline.journal.record_notice(CONFIRMATION, self.clock(), line)
        return "done", [line]

    def expire_due(self) -> None:
        now = self.clock()
        for signal_id, held in list(self._held.items()):
            if now >= held.until:
                del self._held[signal_id]
                self._expire(signal_id, held)

    def _expire(self, signal_id: str, held: Held) -> None:
        detail = f"not approved by {held.until:%H:%M:%S} UTC: expired, nothing sent"
        self.pipeline.journal.record_execution(signal_id, self.clock(), EXPIRED, detail)
        self._tell(signal_id, f"{signal_id} {detail}")

    def _tell(self, signal_id: str, words: str) -> None:
        self.pipeline.journal.record_notice(CONFIRMATION, self.clock(), words)
        for listener in self.listeners:
            listener(signal_id, words)
