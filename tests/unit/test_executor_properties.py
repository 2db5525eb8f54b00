"""Properties of the bracket lifecycle under any order of quotes and management alerts.

Whatever the market does and whatever the analyst posts (trims, exits, stop moves, cancels, in any
order, and with the broker refusing any closing order), the bot never sells more than it holds,
every contract held is covered by exactly one stop (a refused close's protective stop included), the
broker and the book agree on the position, and the P&L equals the cash that changed hands.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from tests.fakes.paper import a_close
from tests.trading import SPY, Desk

from executor import Action, OrderStatus, Role
from risk import Approved, Limits

MANAGEMENT = ["trim half", "trim 1 contract", "out", "stop to BE", "trim half, stop to BE", "cancel"]
step = st.one_of(
    st.integers(min_value=60, max_value=260).map(lambda cents: ("quote", cents)),
    st.sampled_from(MANAGEMENT).map(lambda text: ("alert", text)),
    st.just(("refuse_next_close", None)),
)


async def run(steps: list[tuple[str, object]]) -> Desk:
    desk = await Desk(limits=Limits(max_contracts=3)).start()
    desk.quote("1.28", "1.30")
    await desk.alert("BTO 3 SPY 3/20 580C @ 1.25 SL .90 PT 1.60/2.00", "m1")
    for number, (kind, value) in enumerate(steps, start=2):
        if kind == "quote":
            bid = Decimal(int(value)) / 100  # type: ignore[call-overload]
            desk.quote(str(bid), str(bid + Decimal("0.02")))
        elif kind == "refuse_next_close":
            desk.broker.reject_next(201, "Order rejected - reason: closing order refused", when=a_close)
        else:
            decision = desk.decide(str(value), f"m{number}", on="m1")
            if isinstance(decision, Approved):
                await desk.executor.execute(decision.plan)
        check_invariants(desk)
    return desk


def check_invariants(desk: Desk) -> None:
    holding = desk.holding()
    assert holding.quantity >= 0
    assert desk.broker.snapshot().positions.get(SPY, 0) == holding.quantity  # never short, book = broker
    stops = [
        s
        for s in desk.book.working("m1", [Role.STOP])
        if s.order.parent is None or desk.book.orders[s.order.parent].status is OrderStatus.FILLED
    ]
    assert sum(s.order.quantity for s in stops) == holding.quantity  # every contract, exactly one stop
    targets = desk.book.working("m1", [Role.TARGET])
    assert sum(t.order.quantity for t in targets if t.status is OrderStatus.WORKING) <= holding.quantity


def cash(desk: Desk) -> Decimal:
    signed = (f.price * f.quantity * (1 if f.action is Action.SELL else -1) for f in desk.book.fills)
    return sum(signed, Decimal(0)) * 100


@given(st.lists(step, max_size=12))
def test_lifecycle_never_oversells_and_pnl_is_the_cash(steps: list[tuple[str, object]]) -> None:
    desk = asyncio.run(run(steps))
    if desk.holding().quantity == 0:
        assert desk.book.realized_pnl() == cash(desk)
    assert desk.book.anomalies == []
