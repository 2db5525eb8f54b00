"""Helpers for tests of the IB adapter against the fake gateway in ``tests/fakes``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from executor.ib import IBBroker, IBConfig
from tests.fakes.listings import Request
from tests.fakes.tws import FakeTWS
from tests.trading import Desk, SimClock


def config(tws: FakeTWS, **overrides: Any) -> IBConfig:
    """Short timeouts and backoff: the fake answers at once, and a test should not wait on a retry."""
    values: dict[str, Any] = {
        "port": tws.port, "client_id": 7, "connect_timeout": 5.0, "ack_timeout": 5.0,
        "backoff": 0.02, "backoff_max": 0.1,
    }  # fmt: skip
    return IBConfig(**{**values, **overrides})


@asynccontextmanager
async def gateway(**fields: Any) -> AsyncIterator[FakeTWS]:
    tws = FakeTWS(**fields)
    await tws.start()
    try:
        yield tws
    finally:
        await tws.stop()


@asynccontextmanager
async def connected(tws: FakeTWS, clock: SimClock | None = None, **overrides: Any) -> AsyncIterator[IBBroker]:
    broker = IBBroker(config(tws, **overrides), clock or SimClock())
    await broker.connect()
    try:
        yield broker
    finally:
        await broker.shutdown()


@asynccontextmanager
async def desk_on(tws: FakeTWS, **fields: Any) -> AsyncIterator[Desk]:
    """A trader's desk (parser, risk, executor) whose broker is the IB adapter on ``tws``."""
    clock = SimClock()
    broker = IBBroker(config(tws), clock)
    desk = await Desk(clock=clock, broker=broker, **fields).start()
    try:
        yield desk
    finally:
        await broker.shutdown()


def con_id(tws: FakeTWS, key: str) -> int:
    """The fake's contract id for one of our instrument keys (``SPY 2026-03-20 580C``, ``AAPL``)."""
    symbol, *rest = key.split(" ")
    if not rest:
        request = Request(0, symbol, "STK", "", Decimal(0), "", "SMART", "")
    elif len(rest) == 1:
        request = Request(0, symbol, "FUT", rest[0].replace("-", ""), Decimal(0), "", _exchange(symbol), "")
    else:
        expiry = date.fromisoformat(rest[0]).strftime("%Y%m%d")
        strike, right = Decimal(rest[1][:-1]), rest[1][-1]
        request = Request(0, symbol, "OPT", expiry, strike, right, "SMART", "")
    contract, _ = tws.listings.resolve(request)[0]
    return contract.con_id


def _exchange(symbol: str) -> str:
    from tests.fakes.listings import FUTURES

    return FUTURES[symbol][0]


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait for something the gateway and the library do on their own time (a reconnect)."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - the condition is the adapter's state, not an event
            await asyncio.sleep(0.01)


async def round_trip(broker: IBBroker) -> None:
    """Everything the gateway sent before this returns has been handled by the adapter."""
    await broker.ib.reqCurrentTimeAsync()
