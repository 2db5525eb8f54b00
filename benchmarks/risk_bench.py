"""Risk decision latency: ``risk.evaluate`` per intent, after warm-up, on a realistic account.

The intents are the golden corpus's actionable cases, parsed beforehand (parse is measured on its
own). The account holds two positions, today's fills and entries and fresh quotes; management
intents get a position to act on. Calendar tables are built before timing; their one-off cost, in a
fresh process with pandas imported, is measured separately.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from benchmarks.timing import per_call_ns, summary_us
from tests.conftest import golden_cases

from parser import Asset, Instrument, NotASignal, Right, Side, parse
from risk import AccountSnapshot, Alert, EntryRecord, Limits, Position, Quote, Realized, evaluate
from risk.hours import warm_up

NOW = datetime(2026, 3, 2, 15, tzinfo=UTC)
PASSES = 7


def _account() -> tuple[AccountSnapshot, Position]:
    held = Position(
        opened_by="p1",
        instrument=Instrument(
            asset=Asset.OPTION, symbol="QQQ", right=Right.PUT, strike=Decimal(500), expiry=date(2026, 3, 20)
        ),
        side=Side.LONG,
        quantity=2,
        avg_price=Decimal("1.40"),
        stop=Decimal("1.00"),
    )
    futures = Position(
        opened_by="p2",
        instrument=Instrument(asset=Asset.FUTURE, symbol="MES"),
        side=Side.SHORT,
        quantity=1,
        avg_price=Decimal("5000"),
        stop=Decimal("5010"),
    )
    earlier = NOW - timedelta(hours=2)
    account = AccountSnapshot(
        positions=(held, futures),
        realized=tuple(Realized(at=earlier, pnl=Decimal(p)) for p in ("-40", "65", "-12")),
        entries=tuple(
            EntryRecord(message_id=f"e{i}", instrument=held.instrument, side="long", at=earlier)
            for i in range(3)
        ),
        quotes={"QQQ 2026-03-20 500P": Quote(bid=Decimal("1.35"), ask=Decimal("1.38"), at=NOW)},
    )
    return account, held


def decision_latency() -> dict[str, Any]:
    intents = [parse(c.text, c.at) for c in golden_cases()]
    intents = [i for i in intents if not isinstance(i, NotASignal)]
    account, held = _account()
    limits = Limits(max_contracts=3, allow_adds=True)
    alert = Alert(message_id="bench", sent_at=NOW, received_at=NOW)
    warm_up([2026, 2027])

    def run(intent: Any) -> None:
        target = None if intent.kind == "open" else held
        evaluate(intent, account, limits, NOW, alert=alert, target=target)

    samples, _ = per_call_ns(intents, run, PASSES)
    return {
        "intents": len(intents),
        **summary_us(samples),
        "calendar_warm_up_s": _calendar_warm_up(),
    }


def _calendar_warm_up(runs: int = 3) -> float:
    """A fresh process importing pandas and building this year's tables for every venue."""
    code = (
        "import time; t = time.perf_counter(); from risk.hours import warm_up; warm_up([2026]); "
        "print(time.perf_counter() - t)"
    )
    times = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(runs)
    ]
    return round(statistics.median(times), 3)
