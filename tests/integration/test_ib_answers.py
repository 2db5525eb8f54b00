"""IB answers that are not what they seem, through ib_async and a socket to the fake gateway.

Warnings that leave an order live, terminal codes that end it, answers that never come, a market
order IB fills only in part, fills re-sent after a reconnect, and a drop in the middle of a bracket:
in each the bot must believe what IB actually did.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from tests.fakes.tws import FakeTWS
from tests.fakes.wire import WireOrder
from tests.ibkit import con_id, config, round_trip, until
from tests.trading import SPY, Desk, SimClock

from executor import OrderStatus, ProtectionNotice, Role, client_id
from executor.ib import IBBroker

OPEN_2 = "BTO 2 SPY 3/20 580C @ 1.25 SL .90 PT 1.80"
ENTRY = client_id("m1", 1, Role.ENTRY)
D = Decimal


async def open_desk(tws: FakeTWS, **overrides: float) -> Desk:
    clock = SimClock()
    desk = await Desk(clock=clock, broker=IBBroker(config(tws, **overrides), clock)).start()
    await market(desk, tws, "1.28", "1.30")
    return desk


@pytest.fixture
async def desk(tws: FakeTWS) -> AsyncIterator[Desk]:
    desk = await open_desk(tws)
    try:
        yield desk
    finally:
        await desk.broker.shutdown()


def working_stop(tws: FakeTWS) -> WireOrder:
    """The one stop order the gateway works (the bracket's children were cancelled or filled)."""
    [stop] = [o for o in tws.working() if o.order_type == "STP"]
    return stop


async def market(desk: Desk, tws: FakeTWS, bid: str, ask: str) -> None:
    tws.quote(con_id(tws, SPY), D(bid), D(ask))
    await round_trip(desk.broker)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (399, "Order Message: Warning: your order will not be placed at the exchange until 09:30 US/Eastern"),
        (10349, "Order TIF was set to DAY based on order preset."),
        (2109, "Order Event Warning: Attribute 'Outside Regular Trading Hours' is ignored"),
    ],
)
async def test_a_warning_leaves_the_order_live_and_it_fills_later(
    desk: Desk, tws: FakeTWS, code: int, text: str
) -> None:
    tws.warn_next = (code, text)
    execution = await desk.alert(OPEN_2, "m1")
    assert execution.outcome == "sent", execution.detail
    assert desk.book.orders[ENTRY].status is OrderStatus.WORKING
    await market(desk, tws, "1.20", "1.25")
    assert desk.holding().quantity == 2  # the worst case would be a fill on an order marked done
    assert [n.code for n in desk.notices if getattr(n, "kind", "") == "error"] == [code]  # type: ignore[attr-defined]


@pytest.mark.parametrize("code", [110, 200, 201, 203, 460])
async def test_a_terminal_code_ends_the_order_with_its_reason(desk: Desk, tws: FakeTWS, code: int) -> None:
    tws.reject_next = (code, f"refused for reason {code}")
    execution = await desk.alert(OPEN_2, "m1")
    assert execution.outcome == "failed" and f"{code} refused for reason {code}" in execution.detail
    assert desk.book.orders[ENTRY].status is OrderStatus.REJECTED
    assert desk.book.working() == [] and tws.working() == []


async def test_a_placement_ib_answers_late_is_found_working_not_called_refused(tws: FakeTWS) -> None:
    desk = await open_desk(tws, ack_timeout=0.3)
    try:
        tws.mute_next = True  # TWS takes the bracket but its answer is lost
        execution = await desk.alert(OPEN_2, "m1")
        assert execution.outcome == "sent", execution.detail
        assert desk.book.orders[ENTRY].status is OrderStatus.WORKING
        await market(desk, tws, "1.20", "1.25")
        assert desk.holding().quantity == 2
        assert len([r for r in tws.messages(3)]) == 3  # looked up, never sent again
    finally:
        await desk.broker.shutdown()


async def test_a_close_ib_never_received_is_refused_after_the_look_up_and_the_position_protected(
    tws: FakeTWS,
) -> None:
    desk = await open_desk(tws, ack_timeout=0.3)
    try:
        await desk.alert(OPEN_2, "m1")
        await market(desk, tws, "1.20", "1.25")
        tws.swallow_next = True
        out = await desk.alert("out", "m2", on="m1")
        await round_trip(desk.broker)
        assert out.outcome == "failed" and "does not know the order" in out.detail
        assert tws.messages(5) or tws.messages(16)  # the open orders were asked for
        assert desk.book.orders[client_id("m2", "close")].status is OrderStatus.REJECTED
        stop = working_stop(tws)
        assert (stop.quantity, stop.aux) == (2, D("0.90"))
    finally:
        await desk.broker.shutdown()


async def test_a_close_ib_fills_only_in_part_then_cancels_leaves_the_rest_under_a_stop(
    desk: Desk, tws: FakeTWS
) -> None:
    await desk.alert(OPEN_2, "m1")
    await market(desk, tws, "1.20", "1.25")
    tws.cut_short_next = D(1)
    out = await desk.alert("out", "m2", on="m1")
    assert out.outcome == "sent"
    await until(lambda: any(isinstance(n, ProtectionNotice) for n in desk.notices))
    await round_trip(desk.broker)
    assert desk.holding().quantity == 1
    stop = working_stop(tws)
    assert (stop.quantity, stop.aux) == (1, D("0.90"))
    [notice] = [n for n in desk.notices if isinstance(n, ProtectionNotice)]
    assert "1 of 2 filled" in notice.failed and notice.protected


async def test_after_a_reconnect_this_clients_fills_are_asked_for_and_counted_once(
    desk: Desk, tws: FakeTWS
) -> None:
    await desk.alert(OPEN_2, "m1")
    await market(desk, tws, "1.20", "1.25")
    before = len(tws.messages(7))
    tws.drop_connections()
    await until(lambda: sum(getattr(n, "kind", "") == "connection_restored" for n in desk.notices) == 1)
    asked = tws.messages(7)[before:]
    assert asked and all(int(r.fields[3]) == 7 for r in asked[-1:])  # filtered to IBKR_CLIENT_ID 7
    assert len([n for n in desk.notices if getattr(n, "kind", "") == "filled"]) == 1
    assert desk.holding().quantity == 2


async def test_a_drop_mid_bracket_leaves_no_unread_answer(
    desk: Desk, tws: FakeTWS, caplog: pytest.LogCaptureFixture
) -> None:
    tws.drop_after_orders = 2
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        execution = await desk.alert(OPEN_2, "m1")
        await until(lambda: any(getattr(n, "kind", "") == "connection_restored" for n in desk.notices))
        gc.collect()
    assert execution.outcome == "failed"
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]


async def test_a_stop_gone_while_disconnected_is_replaced_on_reconnecting(desk: Desk, tws: FakeTWS) -> None:
    await desk.alert(OPEN_2, "m1")
    await market(desk, tws, "1.20", "1.25")
    tws.refusing = True
    tws.drop_connections()
    await until(lambda: any(getattr(n, "kind", "") == "connection_lost" for n in desk.notices))
    for order in tws.working():  # someone cancelled the bracket's children in TWS meanwhile
        order.status = "Cancelled"
    tws.refusing = False
    await until(lambda: any(isinstance(n, ProtectionNotice) for n in desk.notices))
    await round_trip(desk.broker)
    stop = working_stop(tws)
    assert (stop.quantity, stop.aux, stop.parent_id) == (2, D("0.90"), 0)
    [notice] = [n for n in desk.notices if isinstance(n, ProtectionNotice)]
    assert "on reconnecting" in notice.failed and notice.protected
