"""What the broker contract suite needs from each broker under test, and how to build each one.

The IB adapter adds an ``ib`` entry here that drives the fake gateway in ``tests/fakes``: the suite
itself does not change.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from executor import Broker, BrokerEvent, PaperBroker
from risk import Quote
from tests.trading import SimClock


@dataclass
class Harness:
    broker: Broker
    clock: SimClock
    push_quote: Callable[[str, Quote], Awaitable[None]]
    inject_rejection: Callable[[int, str], None]
    settle: Callable[[], Awaitable[None]]
    drop_connection: Callable[[], Awaitable[None]]
    restore_connection: Callable[[], Awaitable[None]]
    events: list[BrokerEvent] = field(default_factory=list)

    async def market(self, key: str, bid: str, ask: str) -> None:
        """The market for ``key`` is now ``bid``/``ask``; returns once the broker has reacted."""
        quote = Quote(bid=Decimal(bid), ask=Decimal(ask), at=self.clock.advance(1))
        await self.push_quote(key, quote)
        await self.settle()

    def of(self, kind: str, client_id: str | None = None) -> list[Any]:
        return [
            e
            for e in self.events
            if e.kind == kind and (client_id is None or getattr(e, "client_id", None) == client_id)
        ]


@asynccontextmanager
async def paper_harness() -> AsyncIterator[Harness]:
    clock = SimClock()
    broker = PaperBroker(clock)

    async def push(key: str, quote: Quote) -> None:
        broker.on_quote(key, quote)

    async def settle() -> None:
        return None

    async def drop() -> None:
        broker.drop_connection()

    async def restore() -> None:
        broker.restore_connection()

    harness = Harness(broker, clock, push, broker.reject_next, settle, drop, restore)
    broker.subscribe(harness.events.append)
    yield harness


HARNESSES = {"paper": paper_harness}
