"""Builders for executor tests: a simulated clock, order plans, and a trading desk that runs alerts
through the real parser, risk manager, executor and paper broker."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from executor import (
    Bracket,
    Execution,
    Executor,
    Holding,
    MemoryStateStore,
    Notice,
    PaperBroker,
    PositionBook,
    bracket_from_plan,
)
from orchestrator.app import Orchestrator
from orchestrator.pipeline import Allowlist
from orchestrator.settings import Settings
from orchestrator.sources import allowlists
from orchestrator.sources.session.replay import SimClock as ReplayClock
from parser import Instrument, Open, Side
from risk import (
    AccountSnapshot,
    Alert,
    Approved,
    BracketPlan,
    Decision,
    Limits,
    Quote,
    TargetLeg,
    evaluate,
    instrument_key,
)
from tests.builders import MONDAY, intent, option
from tests.fakes.paper import FaultyPaperBroker


@dataclass
class SimClock(ReplayClock):
    """The replay's clock, starting on ``MONDAY``, that a test moves on by hand."""

    now: datetime = MONDAY

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def plan(
    message_id: str = "m1",
    *,
    instrument: Instrument | None = None,
    side: Side = Side.LONG,
    entry: str | None = "1.25",
    stop: str = "0.90",
    targets: tuple[tuple[str, int], ...] = (("1.80", 2),),
    reference: str = "1.25",
    add_to: str | None = None,
) -> BracketPlan:
    legs = tuple(TargetLeg(price=Decimal(price), quantity=qty) for price, qty in targets)
    return BracketPlan(
        message_id=message_id,
        instrument=instrument or option(),
        side=side,
        quantity=sum(qty for _, qty in targets) or 1,
        entry_price=Decimal(entry) if entry else None,
        reference_price=Decimal(reference),
        stop_price=Decimal(stop),
        targets=legs,
        add_to=add_to,
        max_loss=Decimal("70"),
    )


def bracket(message_id: str = "m1", **kwargs: Any) -> Bracket:
    return bracket_from_plan(plan(message_id, **kwargs))


SPY = instrument_key(option())


@dataclass
class Desk:
    """One trader's bot on the paper simulator: alerts in, orders out, everything recorded."""

    limits: Limits = field(default_factory=Limits)
    clock: SimClock = field(default_factory=SimClock)
    notices: list[Notice] = field(default_factory=list)
    quotes: dict[str, Quote] = field(default_factory=dict)
    broker: Any = None  # the paper simulator unless a test brings another broker (the IB adapter)

    def __post_init__(self) -> None:
        self.broker = self.broker or FaultyPaperBroker(self.clock)
        self.state = MemoryStateStore()
        self.executor = Executor(self.broker, self.state, clock=self.clock, kill_timeout=0.2)
        self.executor.subscribe(self.notices.append)

    @property
    def book(self) -> PositionBook:
        return self.executor.book

    async def start(self) -> Desk:
        await self.executor.start()
        return self

    async def alert(
        self, text: str, message_id: str, *, on: str | None = None, after: float = 1
    ) -> Execution:
        """Post ``text``; management alerts act on the position opened by ``on`` (else the only one)."""
        decision = self.decide(text, message_id, on=on, after=after)
        assert isinstance(decision, Approved), f"{text!r} denied: {getattr(decision, 'sentence', '')}"
        return await self.executor.execute(decision.plan)

    def decide(self, text: str, message_id: str, *, on: str | None = None, after: float = 1) -> Decision:
        """What risk decides about ``text`` on this desk's account now."""
        now = self.clock.advance(after)
        parsed = intent(text, now)
        target = None if isinstance(parsed, Open) else self._target(on)
        alert = Alert(message_id=message_id, author_id="a1", sent_at=now, received_at=now)
        return evaluate(parsed, self.account(), self.limits, now, alert=alert, target=target)

    def quote(self, bid: str, ask: str, key: str = SPY, after: float = 1) -> None:
        quote = Quote(bid=Decimal(bid), ask=Decimal(ask), at=self.clock.advance(after))
        self.quotes[key] = quote
        self.broker.on_quote(key, quote)

    def account(self) -> AccountSnapshot:
        positions = tuple(p.model_copy(update={"author_id": "a1"}) for p in self.book.risk_positions())
        return AccountSnapshot(
            status=self.executor.status,
            positions=positions,
            realized=self.book.realized_events(),
            quotes=dict(self.quotes),
        )

    def holding(self, position: str = "m1") -> Holding:
        return self.book.holdings[position]

    def _target(self, position: str | None) -> Any:
        positions = self.book.risk_positions()
        if position is not None:
            return next((p for p in positions if p.opened_by == position), None)
        return positions[0] if len(positions) == 1 else None


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def paper_bot(
    db: Path,
    clock: ReplayClock,
    settings: Settings | None = None,
    *,
    allow: Mapping[str, Allowlist] | None = None,
    durable: bool = True,
) -> Orchestrator:
    """A bot on the simulator, journaling into ``db`` on ``clock``, the registered sources'
    allow-lists (plus ``allow``): what ``autoscalper run`` opens, with the clock in the test's hands."""
    settings = settings or Settings(_env_file=None)  # type: ignore[call-arg]
    lists = {**allowlists(settings), **(allow or {})}
    return Orchestrator.open(
        settings,
        command="run",
        journal_path=db,
        allow=lists,
        clock=clock,
        broker=PaperBroker(clock),
        durable=durable,
    )
