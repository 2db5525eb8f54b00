"""Replay: a session file through parser, risk and the paper simulator, on a simulated clock.

The clock is the events' ``at`` (it never runs backwards). Every event is handled through the same
``Orchestrator`` as a live run, then written to the journal's ``inputs`` table: that is both the
replay's watermark and what ``--compare`` re-runs. A replay killed half way and started again on the
same journal skips what it already handled, rebuilds the simulator from the journal, feeds it the
last quote of each contract, and carries on: no message is decided twice, no order sent twice.

On the simulator, events are committed in groups of ``GROUP_EVENTS`` (one fsync-free commit instead
of three per message: the replay runs about 1.3x faster). That is safe only because nothing leaves
the process: a replay killed mid-group loses the group's rows *and* the simulator's memory of them,
and the restart replays the group from the last committed input. On IB every event commits on its
own, as a live run does, and a management message first waits for the working entries to be
acknowledged and filled at IB (``await_entries``). Between groups the replay carries out
``autoscalper kill``/``resume`` requests from other processes (the halt itself is read before every
decision).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import Any, TextIO

from executor import Notice, Role
from parser import parse_all
from risk import Quote

from ...app import Orchestrator
from ...journal import Journal
from ...management import Management
from ...pipeline import Handled
from ...settings import Settings
from .. import allowlists
from ..base import listen
from .format import (
    BadLine,
    CommandEvent,
    DeleteEvent,
    EditEvent,
    MessageEvent,
    Numbered,
    QuoteEvent,
    read_session,
)

Progress = Callable[[int, int], None]
_KEPT = frozenset({"edit", "delete", "command"})  # the outcomes the summary lists
GROUP_EVENTS = 256  # about 50 ms of replay: a console kill waits at most that for the write lock
ENTRY_WAIT_SECONDS = 10.0  # on IB, how long a management message waits for working entries to fill
_MANAGES = frozenset({"exit", "trim", "move_stop", "cancel"})


@dataclass
class SimClock:
    """The replay's clock: the time of the event being handled."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance_to(self, moment: datetime) -> None:
        self.now = max(self.now, moment)


@dataclass
class ReplayResult:
    source: str
    messages: int = 0
    outcomes: list[Handled] = field(default_factory=list)  # of edits, deletes and commands
    bad_lines: list[BadLine] = field(default_factory=list)
    skipped: int = 0
    open_positions: list[dict[str, Any]] = field(default_factory=list)  # when the replay ended
    trading_state: str = ""
    summary: dict[str, Any] = field(default_factory=dict)  # the ``replay --json`` object (``summarise``)


def replay_settings(settings: Settings, broker: str = "paper") -> Settings:
    """A replay always trades in paper mode, whatever the environment says: on the built-in
    simulator, or (``broker="ib"``) on the IB paper account at IBKR_HOST:IBKR_PORT. The session's own
    quotes are its market: QUOTE_SOURCE is not used."""
    return settings.model_copy(
        update={"PAPER_MODE": True, "BROKER": broker, "LIVE_CONFIRM": None, "QUOTE_SOURCE": "none"}
    )


async def replay(
    lines: Iterable[str],
    settings: Settings,
    journal_path: Path,
    *,
    source: str,
    progress: Progress | None = None,
    broker: str = "paper",
    total: int | None = None,
    entry_wait: float = ENTRY_WAIT_SECONDS,
    summary: bool = True,
) -> ReplayResult:
    """Events are read as they are handled, so memory does not grow with the session's length.
    ``progress`` gets (lines read, ``total``), the lines in all (``len(lines)`` when it has one).
    ``summary=False`` leaves ``result.summary`` empty: a long replay's caller streams it from the
    journal (``summary_items``) instead of holding it."""
    result = ReplayResult(source=source)
    total = total or (len(lines) if isinstance(lines, Sized) else 0)
    stream = _events(read_session(lines), result)
    first = next(stream, None)
    clock = SimClock(first.at if first else datetime.now(UTC))
    orchestrator = Orchestrator.open(
        replay_settings(settings, broker),
        command=f"replay {source}",
        allow=allowlists(settings),
        clock=clock,
        journal_path=journal_path,
        durable=False,
    )
    try:
        await orchestrator.start()
        session = SessionSource(
            orchestrator, pending_events(first, stream), result, clock, broker, entry_wait
        )
        session.progress, session.total = progress, total
        await listen(orchestrator, [session], lambda line: None)
        _ended(orchestrator, result)
        if summary:
            result.summary = summarise(orchestrator.journal, result)
    finally:
        await orchestrator.shutdown()
    return result


def pending_events(first: Numbered | None, stream: Iterator[Numbered]) -> Iterator[Numbered]:
    return chain([first] if first else [], stream)


class SessionSource:
    """A session file's events, handled in order on the simulated clock. On the simulator they
    commit in groups; between groups, console commands are carried out (deterministically, where a
    live run's poller would)."""

    name = "session"

    def __init__(
        self,
        orchestrator: Orchestrator,
        events: Iterator[Numbered],
        result: ReplayResult,
        clock: SimClock,
        broker: str,
        entry_wait: float,
    ) -> None:
        self.orchestrator, self.events, self.result, self.clock = orchestrator, events, result, clock
        self.wait = entry_wait if broker == "ib" else 0.0
        self.group = GROUP_EVENTS if broker == "paper" else 1
        self.progress: Progress | None = None
        self.total = 0

    async def start(self) -> None:
        """Nothing to connect: the file is read as it is replayed."""

    async def deliver(self) -> None:
        orchestrator, result, source = self.orchestrator, self.result, self.result.source
        resume = _Resume(orchestrator.journal.last_input_line(source))
        while chunk := list(islice(self.events, self.group)):
            with orchestrator.journal.transaction() if self.group > 1 else nullcontext():
                for item in chunk:
                    if resume.skip(orchestrator, item):
                        result.skipped += 1
                        continue
                    await self._time_exits_until(item.at)
                    self.clock.advance_to(item.at)
                    outcome = await _handle(orchestrator, item, wait=self.wait)
                    if outcome is not None and outcome.kind in _KEPT:
                        result.outcomes.append(outcome)
                    _record_input(orchestrator, source, item)
            await orchestrator.poll()
            if self.progress is not None:
                self.progress(chunk[-1].line, max(self.total, chunk[-1].line))

    async def _time_exits_until(self, until: datetime) -> None:
        """The clock stops at each time exit due before the next event, as a live run's would."""
        if not self.orchestrator.pipeline.profiles:
            return  # only profiles have time exits
        managements = self.orchestrator.managements
        while (due := _next_timer(managements)) is not None and due <= until:
            self.clock.advance_to(due)
            for management in managements:
                await management.fire_timers()

    def notice(self, notice: Notice) -> None:
        """Nobody watches a replay's notices: they are in its journal."""

    async def stop(self, because: BaseException | None = None) -> None:
        """Nothing to disconnect."""


def _next_timer(managements: list[Management]) -> datetime | None:
    return min(filter(None, (m.next_timer() for m in managements)), default=None)


def _events(items: Iterable[Numbered | BadLine], result: ReplayResult) -> Iterator[Numbered]:
    """The session's events; bad lines and the messages counted (for the summary) on the way."""
    for item in items:
        if isinstance(item, BadLine):
            result.bad_lines.append(item)
            continue
        if isinstance(item.event, MessageEvent):
            result.messages += 1
        yield item


class _Resume:
    """After a restart: events up to ``done`` were handled; the last quote of each contract among
    them is fed again just before the first new event, so restored orders see the same market."""

    def __init__(self, done: int) -> None:
        self.done = done
        self.quotes: dict[str, QuoteEvent] | None = {} if done else None

    def skip(self, orchestrator: Orchestrator, item: Numbered) -> bool:
        if item.line <= self.done:
            if isinstance(item.event, QuoteEvent) and self.quotes is not None:
                self.quotes[item.event.instrument] = item.event
            return True
        if self.quotes is not None:
            for event in self.quotes.values():
                _feed_quote(orchestrator, event)
            self.quotes = None
        return False


async def _handle(orchestrator: Orchestrator, item: Numbered, *, wait: float = 0.0) -> Handled | None:
    event = item.event
    if isinstance(event, MessageEvent):
        if wait:
            await await_entries(orchestrator, event, wait)
        return await orchestrator.on_message(event.message())
    if isinstance(event, EditEvent):
        return await orchestrator.on_edit(event.edit())
    if isinstance(event, DeleteEvent):
        return orchestrator.on_delete(event.delete())
    if isinstance(event, QuoteEvent):
        _feed_quote(orchestrator, event)
        await orchestrator.settle()
        return None
    return await _command(orchestrator, event)


async def _command(orchestrator: Orchestrator, event: CommandEvent) -> Handled:
    result = await orchestrator.controls.run(
        event.command, by="session", argument=event.reason, flatten=event.flatten
    )
    return Handled(f"command:{event.command}", "command", result.outcome, (), result.lines[0])


async def await_entries(orchestrator: Orchestrator, event: MessageEvent, wait: float) -> None:
    """On IB, acknowledgements and fills come on IB's time, not the session's: before a management
    message is decided, the entries still working get up to ``wait`` seconds to be acknowledged and
    filled, so that the message means what it meant on the simulator. What it waited for is journaled."""
    if not any(outcome.kind in _MANAGES for outcome in parse_all(event.text, event.sent_at or event.at)):
        return
    book = orchestrator.executor.book

    def working() -> list[str]:
        return [state.order.client_id for state in book.working(roles=(Role.ENTRY,))]

    waited_for = working()
    if not waited_for:
        return
    loop = asyncio.get_running_loop()
    started = loop.time()
    while (left := working()) and loop.time() - started < wait:  # noqa: ASYNC110 - the book is polled
        await asyncio.sleep(0.02)
    seconds = loop.time() - started
    result = f"filled in {seconds:.1f} s"
    if left:
        result = f"still working after {seconds:.1f} s: {', '.join(left)}"
    detail = f"message {event.id} waited for {', '.join(waited_for)}: {result}"
    orchestrator.journal.record_notice("replay_wait", orchestrator.clock(), detail)


def _feed_quote(orchestrator: Orchestrator, event: QuoteEvent) -> None:
    orchestrator.on_quote(event.instrument, Quote(bid=event.bid, ask=event.ask, last=event.last, at=event.at))


def _record_input(orchestrator: Orchestrator, source: str, item: Numbered) -> None:
    payload = item.text or item.event.model_dump_json(exclude_none=True)
    orchestrator.journal.record_input(source, item.line, item.at, item.event.type, payload)


def _ended(orchestrator: Orchestrator, result: ReplayResult) -> None:
    """What only the running bot knows, kept for the summary: open positions and the state."""
    result.open_positions = [
        {"instrument": h.key, "quantity": h.quantity, "avg_price": str(_cents(h.avg_price, 4))}
        for h in orchestrator.executor.book.open_holdings()
        if h.quantity
    ]
    result.trading_state = orchestrator.executor.status.state.value


def summarise(journal: Journal, result: ReplayResult) -> dict[str, Any]:
    """The ``replay --json`` object of docs/architecture.md, held in memory (the API's)."""
    return {
        key: list(value) if isinstance(value, Iterator) else value
        for key, value in summary_items(journal, result)
    }


def summary_items(journal: Journal, result: ReplayResult) -> Iterator[tuple[str, Any]]:
    """The ``replay --json`` object's keys and values in order, read from the journal (so a
    replay that was restarted reports the whole session, exactly as an uninterrupted one).
    ``decisions`` and ``fills`` are iterators, streamed from the journal."""
    yield "messages", result.messages
    yield "decisions", _session_decisions(journal, result.source)
    yield (
        "fills",
        (
            {k: row[k] for k in ("message_id", "instrument", "side", "quantity", "price")}
            for row in journal.all_fills()
        ),
    )
    yield "open_positions", result.open_positions
    realized, fees = _totals(journal)
    yield "realized_pnl", str(_cents(realized))
    yield "commissions", str(_cents(fees))
    yield "trading_state", result.trading_state
    yield "edits_and_commands", [o.to_json() for o in result.outcomes]
    yield "bad_lines", [str(b) for b in result.bad_lines]


def write_summary(items: Iterable[tuple[str, Any]], out: TextIO) -> None:
    """``json.dumps`` of the summary, byte for byte, written as it is read: one line, however long."""
    out.write("{")
    for number, (key, value) in enumerate(items):
        out.write(f"{', ' if number else ''}{json.dumps(key)}: ")
        if not isinstance(value, Iterator):
            out.write(json.dumps(value))
            continue
        out.write("[")
        for index, item in enumerate(value):
            out.write(f"{', ' if index else ''}{json.dumps(item)}")
        out.write("]")
    out.write("}\n")


def _session_decisions(journal: Journal, source: str) -> Iterator[dict[str, Any]]:
    """Each message's first decision, then one for each further instruction (``m1#2``, ...); a
    redelivery as a duplicate; a message journaled but never decided (a crash between the two) as
    such, reported, not guessed."""
    for row in journal.session_decisions(source):
        if row["nth"] > 1:
            yield {
                "message_id": row["mid"],
                "kind": "none",
                "verdict": "ignored",
                "reasons": ["duplicate_delivery"],
            }
        elif row["message_id"] is None:
            yield {"message_id": row["mid"], "kind": "none", "verdict": "ignored", "reasons": ["not_decided"]}
        else:
            yield {"message_id": row["message_id"], **_verdict(row["kind"], row["verdict"], row["reasons"])}


def _totals(journal: Journal) -> tuple[Decimal, Decimal]:
    realized = fees = Decimal(0)
    for row in journal.all_fills():
        realized += Decimal(row["realized"])
        fees += Decimal(row["commission"])
    return realized, fees


@lru_cache(maxsize=1024)
def _verdict(kind: str, verdict: str, reasons: str) -> dict[str, Any]:
    """Shared by every decision alike (most of a long session is a few kinds of chatter): the
    summary of a 50,000-message replay then holds one small dict per message, not four objects.
    Read only: the summary is printed, never changed."""
    return {"kind": kind, "verdict": verdict, "reasons": json.loads(reasons)}


def _cents(amount: Decimal, places: int = 2) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-places))
