"""Executor latency: a plan handed to the executor until the paper broker acknowledged it.

Each round is one alert's life on the simulator: the bracket placed (its limit waits under the
ask), a quote that fills the entry, a quote that fills the target (the stop is cancelled). Rounds
accumulate in one book and one broker, as a trading day does, so a cost that grows with the day's
order count shows up as a rising p99 between the first and the last rounds.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from benchmarks.timing import summary_us

from executor import Executor, MemoryStateStore, PaperBroker
from parser import Asset, Instrument, Right, Side
from risk import BracketPlan, Quote, TargetLeg, instrument_key

START = datetime(2026, 3, 2, 15, tzinfo=UTC)
SPY = Instrument(
    asset=Asset.OPTION, symbol="SPY", right=Right.CALL, strike=Decimal(580), expiry=date(2026, 3, 20)
)
KEY = instrument_key(SPY)


def _plan(number: int) -> BracketPlan:
    return BracketPlan(
        message_id=f"m{number}",
        instrument=SPY,
        side=Side.LONG,
        quantity=2,
        entry_price=Decimal("1.25"),
        reference_price=Decimal("1.25"),
        stop_price=Decimal("0.90"),
        targets=(TargetLeg(price=Decimal("1.80"), quantity=2),),
        max_loss=Decimal(70),
    )


async def _rounds(count: int) -> dict[str, list[int]]:
    clock_now = [START]
    broker = PaperBroker(lambda: clock_now[0])
    executor = Executor(broker, MemoryStateStore(), clock=lambda: clock_now[0])
    await executor.start()
    timings: dict[str, list[int]] = {"place": [], "round": []}
    for number in range(count):
        clock_now[0] += timedelta(seconds=1)
        broker.on_quote(KEY, Quote(bid=Decimal("1.28"), ask=Decimal("1.30"), at=clock_now[0]))
        t0 = time.perf_counter_ns()
        result = await executor.execute(_plan(number))
        t1 = time.perf_counter_ns()
        broker.on_quote(KEY, Quote(bid=Decimal("1.20"), ask=Decimal("1.25"), at=clock_now[0]))
        broker.on_quote(KEY, Quote(bid=Decimal("1.80"), ask=Decimal("1.82"), at=clock_now[0]))
        t2 = time.perf_counter_ns()
        assert result.outcome == "sent"
        timings["place"].append(t1 - t0)
        timings["round"].append(t2 - t0)
    assert executor.book.realized_pnl() == Decimal(110) * count
    return timings


def executor_latency(count: int = 2000) -> dict[str, Any]:
    timings = asyncio.run(_rounds(count))
    tenth = count // 10
    out: dict[str, Any] = {"rounds": count}
    for name, samples in timings.items():
        out[name] = summary_us(sorted(samples))
        out[f"{name}_first_tenth"] = summary_us(sorted(samples[:tenth]))
        out[f"{name}_last_tenth"] = summary_us(sorted(samples[-tenth:]))
    return out


if __name__ == "__main__":
    import json

    print(json.dumps(executor_latency(), indent=2))
