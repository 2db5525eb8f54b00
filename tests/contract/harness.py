"""What the broker contract suite needs from each broker under test, and how to build each one.

The ``ib`` entry drives the IB adapter through ib_async and a socket to the fake gateway in
``tests/fakes``; the suite itself is the same for both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from executor import Broker, BrokerEvent
from risk import Quote
from tests.fakes.paper import FaultyPaperBroker, a_close, a_lone_stop
from tests.fakes.wire import WireOrder
from tests.trading import SimClock


@dataclass
class Harness:
    broker: Broker
    clock: SimClock
    push_quote: Callable[[str, Quote], Awaitable[None]]
    inject_rejection: Callable[[int, str], None]
    reject_next_of: Callable[[str, int, str], None]  # "close" or "lone_stop", then code and text
    settle: Callable[[], Awaitable[None]]
    drop_connection: Callable[[], Awaitable[None]]
    restore_connection: Callable[[], Awaitable[None]]
    events: list[BrokerEvent] = field(default_factory=list)
    venue_working: Callable[[], int] = lambda: 0  # live orders as the venue itself holds them

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
    broker = FaultyPaperBroker(clock)

    async def push(key: str, quote: Quote) -> None:
        broker.on_quote(key, quote)

    async def settle() -> None:
        return None

    async def drop() -> None:
        broker.drop_connection()

    async def restore() -> None:
        broker.restore_connection()

    def reject_kind(kind: str, code: int, text: str) -> None:
        broker.reject_next(code, text, when=PAPER_KINDS[kind])

    harness = Harness(broker, clock, push, broker.reject_next, reject_kind, settle, drop, restore)
    harness.venue_working = lambda: len(broker.snapshot().working)
    broker.subscribe(harness.events.append)
    yield harness


@asynccontextmanager
async def ib_harness() -> AsyncIterator[Harness]:
    """The IB adapter, through ib_async and a real socket, against the fake gateway."""
    from executor.ib import IBBroker
    from tests.ibkit import con_id, config, gateway, round_trip, until

    async with gateway(orphans_stay=True) as tws:
        clock = SimClock()
        broker = IBBroker(config(tws), clock)

        async def push(key: str, quote: Quote) -> None:
            assert quote.bid is not None and quote.ask is not None
            tws.quote(con_id(tws, key), quote.bid, quote.ask)

        def inject(code: int, text: str) -> None:
            tws.reject_next = (code, text)

        def reject_kind(kind: str, code: int, text: str) -> None:
            tws.reject(WIRE_KINDS[kind], code, text)

        async def settle() -> None:
            await round_trip(broker)

        async def drop() -> None:
            tws.refusing = True
            tws.drop_connections()
            await until(lambda: bool(harness.of("connection_lost")))

        async def restore() -> None:
            tws.refusing = False
            await until(lambda: bool(harness.of("connection_restored")))

        harness = Harness(broker, clock, push, inject, reject_kind, settle, drop, restore)
        harness.venue_working = lambda: len(tws.working())
        broker.subscribe(harness.events.append)
        try:
            yield harness
        finally:
            await broker.shutdown()


HARNESSES = {"paper": paper_harness, "ib": ib_harness}
PAPER_KINDS = {"close": a_close, "lone_stop": a_lone_stop}
# The same kinds as the gateway sees them on the wire: a lone order (no parent, transmitted alone).
WIRE_KINDS: dict[str, Callable[[WireOrder], bool]] = {
    "close": lambda o: o.order_type == "MKT" and o.parent_id == 0 and o.transmit,
    "lone_stop": lambda o: o.order_type == "STP" and o.parent_id == 0 and o.transmit,
}
