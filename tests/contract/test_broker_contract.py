"""The broker contract: what every ``Broker`` (the paper simulator, the IB adapter) must do.

Written once, run against each broker in ``harness.HARNESSES``. A quote first establishes the market
so that no broker fills on receipt: every fill here is one the market caused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from executor import BrokerUnavailable, OrderStatus, Role, client_id, market_close
from parser import Side
from tests.builders import option
from tests.trading import SPY, bracket

from .harness import HARNESSES, Harness

ENTRY, TARGET, STOP = (client_id("m1", 1, role) for role in (Role.ENTRY, Role.TARGET, Role.STOP))


@pytest.fixture(params=sorted(HARNESSES))
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    async with HARNESSES[request.param]() as built:
        await built.broker.connect()
        await built.market(SPY, "1.28", "1.30")  # above the entry limit: nothing fills yet
        yield built


async def filled_bracket(harness: Harness, **kwargs: object) -> None:
    ack = await harness.broker.place_bracket(bracket(**kwargs))  # type: ignore[arg-type]
    assert ack.accepted
    await harness.market(SPY, "1.20", "1.25")


def statuses(harness: Harness) -> dict[str, OrderStatus]:
    return {w.order.client_id: w.status for w in harness.broker.snapshot().working}


async def test_connect_reports_the_account(harness: Harness) -> None:
    assert await harness.broker.connect() == harness.broker.snapshot().account


async def test_bracket_when_placed_entry_works_and_children_wait(harness: Harness) -> None:
    ack = await harness.broker.place_bracket(bracket())
    await harness.settle()
    assert ack.accepted and not ack.duplicate
    assert statuses(harness) == {ENTRY: OrderStatus.WORKING, TARGET: OrderStatus.HELD, STOP: OrderStatus.HELD}
    assert [e.client_id for e in harness.of("submitted")] == [ENTRY, TARGET, STOP]


async def test_bracket_when_placed_twice_is_sent_once(harness: Harness) -> None:
    await harness.broker.place_bracket(bracket())
    again = await harness.broker.place_bracket(bracket())
    await harness.settle()
    assert again.accepted and again.duplicate
    assert len(harness.of("submitted")) == 3
    assert len(harness.broker.snapshot().working) == 3


async def test_entry_when_ask_reaches_limit_fills_at_limit_and_arms_children(harness: Harness) -> None:
    await filled_bracket(harness)
    [fill] = harness.of("filled", ENTRY)
    assert (fill.quantity, fill.price, fill.remaining) == (2, Decimal("1.25"), 0)
    assert fill.commission > 0
    assert harness.broker.snapshot().positions == {SPY: 2}
    assert statuses(harness) == {TARGET: OrderStatus.WORKING, STOP: OrderStatus.WORKING}


async def test_target_when_bid_reaches_it_fills_and_cancels_the_stop(harness: Harness) -> None:
    await filled_bracket(harness)
    await harness.market(SPY, "1.80", "1.85")
    assert [f.price for f in harness.of("filled", TARGET)] == [Decimal("1.80")]
    assert harness.of("cancelled", STOP)
    assert harness.broker.snapshot().positions.get(SPY, 0) == 0
    assert harness.broker.snapshot().working == ()


async def test_stop_when_bid_falls_to_it_fills_and_cancels_the_target(harness: Harness) -> None:
    await filled_bracket(harness)
    await harness.market(SPY, "0.85", "0.95")
    assert [f.price for f in harness.of("filled", STOP)] == [Decimal("0.90")]
    assert harness.of("cancelled", TARGET)
    assert harness.broker.snapshot().positions.get(SPY, 0) == 0


async def test_short_bracket_mirrors_the_rules(harness: Harness) -> None:
    await harness.broker.place_bracket(
        bracket(side=Side.SHORT, entry="1.30", stop="1.60", targets=(("1.00", 1),))
    )
    await harness.market(SPY, "1.30", "1.32")
    assert harness.broker.snapshot().positions == {SPY: -1}
    await harness.market(SPY, "1.58", "1.60")
    assert [f.price for f in harness.of("filled", STOP)] == [Decimal("1.60")]
    assert harness.broker.snapshot().positions.get(SPY, 0) == 0


async def test_several_targets_are_separate_legs_each_with_its_own_stop(harness: Harness) -> None:
    await filled_bracket(harness, targets=(("1.60", 1), ("2.00", 1)))
    await harness.market(SPY, "1.60", "1.65")
    leg2_stop = client_id("m1", 2, Role.STOP)
    assert harness.broker.snapshot().positions == {SPY: 1}
    assert set(statuses(harness)) == {client_id("m1", 2, Role.TARGET), leg2_stop}
    assert harness.of("cancelled", STOP)  # leg 1's stop went with leg 1's target


async def test_modify_moves_the_stop(harness: Harness) -> None:
    await filled_bracket(harness)
    ack = await harness.broker.modify(STOP, price=Decimal("1.25"))
    assert ack.accepted
    await harness.market(SPY, "1.24", "1.27")
    assert [f.price for f in harness.of("filled", STOP)] == [Decimal("1.25")]


async def test_modify_shrinks_a_child(harness: Harness) -> None:
    await filled_bracket(harness)
    assert (await harness.broker.modify(STOP, quantity=1)).accepted
    await harness.settle()
    [working_stop] = [w for w in harness.broker.snapshot().working if w.order.client_id == STOP]
    assert working_stop.order.quantity == 1


async def test_modify_of_a_finished_order_is_refused(harness: Harness) -> None:
    await filled_bracket(harness)
    ack = await harness.broker.modify(ENTRY, price=Decimal("1.20"))
    assert not ack.accepted and ack.code is not None


async def test_cancel_of_an_unfilled_entry_cancels_its_children(harness: Harness) -> None:
    await harness.broker.place_bracket(bracket())
    ack = await harness.broker.cancel(ENTRY)
    await harness.settle()
    assert ack.accepted
    assert {e.client_id for e in harness.of("cancelled")} == {ENTRY, TARGET, STOP}
    assert harness.broker.snapshot().working == ()


async def test_cancel_of_an_unknown_order_is_refused_with_a_code(harness: Harness) -> None:
    ack = await harness.broker.cancel("asc:nope:1:entry")
    assert not ack.accepted and ack.code is not None


async def test_close_sells_at_the_bid(harness: Harness) -> None:
    await filled_bracket(harness)
    assert (await harness.broker.modify(STOP, quantity=1)).accepted
    assert (await harness.broker.modify(TARGET, quantity=1)).accepted
    order = market_close(
        client_order_id=client_id("m2", "close"), message_id="m2", position="m1",
        instrument=option(), side=Side.LONG, quantity=1,
    )  # fmt: skip
    ack = await harness.broker.place_close(order)
    await harness.settle()
    assert ack.accepted
    assert [f.price for f in harness.of("filled", order.client_id)] == [Decimal("1.20")]
    assert harness.broker.snapshot().positions == {SPY: 1}


async def test_rejection_reports_code_and_text_and_places_nothing(harness: Harness) -> None:
    harness.inject_rejection(201, "Order rejected - reason: margin")
    ack = await harness.broker.place_bracket(bracket())
    await harness.settle()
    assert (ack.accepted, ack.code) == (False, 201)
    assert [(e.code, e.text) for e in harness.of("rejected", ENTRY)] == [
        (201, "Order rejected - reason: margin")
    ]
    assert harness.broker.snapshot().working == ()


async def test_cancel_all_cancels_every_working_order(harness: Harness) -> None:
    await filled_bracket(harness)
    await harness.broker.place_bracket(bracket("m2", entry="1.10"))
    await harness.broker.cancel_all()
    await harness.settle()
    assert harness.broker.snapshot().working == ()
    assert harness.broker.snapshot().positions == {SPY: 2}  # a cancel never closes a position


async def test_fills_have_unique_ids(harness: Harness) -> None:
    await filled_bracket(harness)
    await harness.market(SPY, "1.80", "1.85")
    ids = [f.fill_id for f in harness.of("filled")]
    assert len(ids) == len(set(ids)) == 2


async def test_a_dropped_connection_is_reported_and_refuses_requests_until_restored(harness: Harness) -> None:
    await harness.broker.place_bracket(bracket())
    await harness.drop_connection()
    assert harness.of("connection_lost") and not harness.broker.snapshot().connected
    with pytest.raises(BrokerUnavailable):
        await harness.broker.place_bracket(bracket("m2"))
    await harness.restore_connection()
    assert harness.of("connection_restored") and harness.broker.snapshot().connected
    assert {w.order.client_id for w in harness.broker.snapshot().working} == {ENTRY, TARGET, STOP}
