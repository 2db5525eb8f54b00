"""IB adapter latency over loopback: a bracket placed until IB (the fake gateway) acknowledged every
order, through ib_async and a real socket, in one event loop with the fake.

Rounds are spaced so the library's pacing (45 messages a second) never holds a request back: the
figure is the adapter's and the wire's, not the throttle's. The fake runs in the same process and
loop, so its own work is inside the figure; a real TWS adds its processing and IB's round trip.
"""

from __future__ import annotations

import asyncio
import time
from decimal import Decimal
from typing import Any

from benchmarks.executor_bench import KEY, START, _plan
from benchmarks.timing import summary_us
from tests.fakes.tws import FakeTWS
from tests.ibkit import con_id, config

from executor import Executor, MemoryStateStore
from executor.ib import IBBroker

SPACING_S = 0.15  # five messages a round: about 33 a second, under the 45 a second pacing


async def _rounds(count: int) -> dict[str, list[int]]:
    tws = FakeTWS()
    await tws.start()
    broker = IBBroker(config(tws), lambda: START)
    executor = Executor(broker, MemoryStateStore(), clock=lambda: START)
    await executor.start()
    timings: dict[str, list[int]] = {"place": [], "round": []}
    try:
        contract = con_id(tws, KEY)
        for number in range(count):
            tws.quote(contract, Decimal("1.28"), Decimal("1.30"))
            t0 = time.perf_counter_ns()
            result = await executor.execute(_plan(number))
            t1 = time.perf_counter_ns()
            tws.quote(contract, Decimal("1.20"), Decimal("1.25"))
            tws.quote(contract, Decimal("1.80"), Decimal("1.82"))
            await broker.ib.reqCurrentTimeAsync()
            t2 = time.perf_counter_ns()
            assert result.outcome == "sent", result.detail
            timings["place"].append(t1 - t0)
            timings["round"].append(t2 - t0)
            await asyncio.sleep(SPACING_S)
        assert executor.book.realized_pnl() == Decimal(110) * count
    finally:
        await broker.shutdown()
        await tws.stop()
    return timings


def ib_latency(count: int = 100) -> dict[str, Any]:
    """The first round qualifies the contract (contract details and market rule round trips): apart."""
    timings = asyncio.run(_rounds(count + 1))
    out: dict[str, Any] = {"rounds": count, "first_place_us": round(timings["place"][0] / 1000, 1)}
    return out | {name: summary_us(sorted(samples[1:])) for name, samples in timings.items()}


if __name__ == "__main__":
    import json

    print(json.dumps(ib_latency(), indent=2))
