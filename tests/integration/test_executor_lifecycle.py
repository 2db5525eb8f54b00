"""Bracket lifecycles end to end: alert text -> parser -> risk -> executor -> paper broker -> book.

Each scenario reads like a channel: alerts and quotes in time order. P&L is asserted to the cent:
options are worth 100 per point, and IBKR's fixed commissions apply ($0.65 a contract, $1.00 an order
at least).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.builders import option
from tests.trading import SPY, Desk, money

from executor import Ack, OrderRejected, OrderStatus, ProtectionNotice, Role, client_id
from parser import Side
from risk import Limits, StopPlan

OPEN_2 = "BTO 2 SPY 3/20 580C @ 1.25 SL .90 PT 1.80"


@pytest.fixture
async def desk() -> Desk:
    desk = await Desk().start()
    desk.quote("1.28", "1.30")  # the market before the alert: the 1.25 limit waits
    return desk


def status(desk: Desk, message_id: str, leg: int, role: Role) -> OrderStatus:
    return desk.book.orders[client_id(message_id, leg, role)].status


def working(desk: Desk) -> set[str]:
    return {s.order.client_id for s in desk.book.working()}


async def test_entry_fill_then_target_cancels_the_stop(desk: Desk) -> None:
    assert (await desk.alert(OPEN_2, "m1")).outcome == "sent"
    desk.quote("1.20", "1.25")
    assert (desk.holding().quantity, desk.holding().avg_price) == (2, Decimal("1.25"))
    desk.quote("1.80", "1.82")
    assert status(desk, "m1", 1, Role.TARGET) is OrderStatus.FILLED
    assert status(desk, "m1", 1, Role.STOP) is OrderStatus.CANCELLED
    assert desk.holding().quantity == 0 and working(desk) == set()
    assert money(desk.book.realized_pnl()) == "110.00"
    assert money(desk.book.commissions()) == "2.60"


async def test_entry_fill_then_stop_cancels_the_target(desk: Desk) -> None:
    await desk.alert(OPEN_2, "m1")
    desk.quote("1.20", "1.25")
    desk.quote("0.88", "0.92")
    assert status(desk, "m1", 1, Role.STOP) is OrderStatus.FILLED
    assert status(desk, "m1", 1, Role.TARGET) is OrderStatus.CANCELLED
    assert money(desk.book.realized_pnl()) == "-70.00"
    assert money(sum(r.pnl for r in desk.book.realized_events())) == "-72.60"


async def test_several_targets_close_leg_by_leg(desk: Desk) -> None:
    await desk.alert("BTO 2 SPY 3/20 580C @ 1.25 SL .90 PT 1.60/2.00", "m1")
    desk.quote("1.20", "1.25")
    desk.quote("1.60", "1.62")
    assert desk.holding().quantity == 1
    assert desk.book.risk_positions()[0].stop == Decimal("0.90")  # leg 2 keeps its stop
    desk.quote("2.00", "2.05")
    assert desk.holding().quantity == 0 and working(desk) == set()
    assert money(desk.book.realized_pnl()) == "110.00"  # 35 + 75
    assert money(desk.book.commissions()) == "4.00"  # four one-contract orders at the $1.00 minimum


async def test_trim_shrinks_the_children_then_exit_closes_the_rest(desk: Desk) -> None:
    await desk.alert(OPEN_2, "m1")
    desk.quote("1.20", "1.25")
    desk.quote("1.50", "1.52")
    trim = await desk.alert("trim half", "m2")
    assert trim.outcome == "sent", trim.detail
    assert desk.holding().quantity == 1
    children = {s.order.role: s.order.quantity for s in desk.book.working("m1")}
    assert children == {Role.TARGET: 1, Role.STOP: 1}
    desk.quote("1.40", "1.42")
    out = await desk.alert("out", "m3")
    assert out.outcome == "sent" and out.cancelled == (
        client_id("m1", 1, "target"),
        client_id("m1", 1, "stop"),
    )
    assert desk.holding().quantity == 0 and working(desk) == set()
    assert money(desk.book.realized_pnl()) == "40.00"  # 25 on the trim + 15 on the exit
    assert money(desk.book.commissions()) == "3.30"


async def test_stop_to_breakeven_then_stopped_out_flat(desk: Desk) -> None:
    await desk.alert(OPEN_2, "m1")
    desk.quote("1.20", "1.25")
    desk.quote("1.45", "1.47")
    move = await desk.alert("stop to BE", "m2")
    assert move.modified == (client_id("m1", 1, "stop"),)
    desk.quote("1.24", "1.26")
    assert status(desk, "m1", 1, Role.STOP) is OrderStatus.FILLED
    assert money(desk.book.realized_pnl()) == "0.00"
    assert money(desk.book.commissions()) == "2.60"


async def test_exit_before_the_entry_filled_cancels_the_entry(desk: Desk) -> None:
    await desk.alert(OPEN_2, "m1")
    out = await desk.alert("out", "m2")
    assert out.outcome == "sent" and out.cancelled == (client_id("m1", 1, "entry"),)
    assert {s.status for s in desk.book.orders.values()} == {OrderStatus.CANCELLED}
    desk.quote("1.10", "1.15")  # the market comes down through the old limit: nothing fills
    assert desk.holding().quantity == 0 and desk.book.fills == []
    assert desk.book.open_holdings() == []


async def test_add_averages_the_price_and_brings_its_own_stop() -> None:
    desk = await Desk(limits=Limits(allow_adds=True, max_contracts=2)).start()
    desk.quote("1.28", "1.30")
    await desk.alert("BTO SPY 3/20 580C @ 1.25 SL .90 PT 1.80", "m1")
    desk.quote("1.20", "1.25")
    desk.quote("1.05", "1.08")
    add = await desk.alert("BTO SPY 3/20 580C @ 1.05 added", "m2")
    assert add.outcome == "sent", add.detail
    desk.quote("1.00", "1.05")
    assert (desk.holding().quantity, desk.holding().avg_price) == (2, Decimal("1.15"))
    assert sorted(s.order.message_id for s in desk.book.working("m1", [Role.STOP])) == ["m1", "m2"]
    out = await desk.alert("all out", "m3", after=2)
    assert out.outcome == "sent", out.detail
    desk.quote("1.30", "1.32")
    assert money(desk.book.realized_pnl()) == "-30.00"  # two contracts sold at 1.00 against 1.15
    assert desk.book.fills[-1].message_id == "m3" and desk.book.fills[-1].position == "m1"


async def test_rejection_is_a_failed_execution_with_the_broker_reason(desk: Desk) -> None:
    desk.broker.reject_next(201, "Order rejected - reason: insufficient margin")
    result = await desk.alert(OPEN_2, "m1")
    assert result.outcome == "failed"
    assert "201" in result.detail and "insufficient margin" in result.detail
    assert [n.code for n in desk.notices if isinstance(n, OrderRejected)] == [201, 201, 201]
    assert desk.book.open_holdings() == [] and desk.broker.snapshot().working == ()


async def test_same_plan_twice_places_one_set_of_orders(desk: Desk) -> None:
    from tests.trading import plan

    first = await desk.executor.execute(plan("m1"))
    second = await desk.executor.execute(plan("m1"))
    assert (first.outcome, second.outcome) == ("sent", "duplicate")
    assert len(desk.broker.snapshot().working) == 3


async def test_no_quote_fills_at_the_alert_price_on_receipt() -> None:
    desk = await Desk().start()  # no quote at all for this contract
    await desk.alert(OPEN_2, "m1")
    assert desk.holding().quantity == 2
    await desk.alert("out @ 1.60", "m2")
    assert money(desk.book.realized_pnl()) == "70.00"
    assert desk.broker.snapshot().positions.get(SPY, 0) == 0


async def test_trim_shrinks_the_nearest_target_leg_first() -> None:
    desk = await Desk(limits=Limits(max_contracts=3)).start()
    desk.quote("1.28", "1.30")
    await desk.alert("BTO 3 SPY 3/20 580C @ 1.25 SL .90 PT 1.60/2.00", "m1")
    desk.quote("1.20", "1.25")
    desk.quote("1.45", "1.47")
    trim = await desk.alert("trim 1 contract", "m2")
    assert trim.modified == (client_id("m1", 1, "target"), client_id("m1", 1, "stop"))
    sizes = {s.order.client_id: s.order.quantity for s in desk.book.working("m1")}
    assert sizes == {
        client_id("m1", 1, "target"): 1,
        client_id("m1", 1, "stop"): 1,
        client_id("m1", 2, "target"): 1,
        client_id("m1", 2, "stop"): 1,
    }
    desk.quote("1.60", "1.62")
    assert desk.holding().quantity == 1
    assert money(desk.book.realized_pnl()) == "55.00"  # 20 on the trim at 1.45 + 35 at the 1.60 target


async def test_trim_with_breakeven_moves_the_stop_of_what_is_left(desk: Desk) -> None:
    await desk.alert(OPEN_2, "m1")
    desk.quote("1.20", "1.25")
    desk.quote("1.50", "1.52")
    result = await desk.alert("trim half, stop to BE", "m2")
    assert result.outcome == "sent", result.detail
    [stop] = desk.book.working("m1", [Role.STOP])
    assert (stop.order.quantity, stop.order.price) == (1, Decimal("1.25"))


async def test_exit_is_not_sent_while_a_child_is_not_confirmed_cancelled(desk: Desk) -> None:
    await desk.alert(OPEN_2, "m1")
    desk.quote("1.20", "1.25")

    async def unconfirmed(client_id: str) -> Ack:
        return Ack(client_id=client_id, accepted=False, text="no confirmation")

    desk.broker.cancel = unconfirmed  # type: ignore[method-assign]
    out = await desk.alert("out", "m2")
    assert out.outcome == "failed" and "no confirmation" in out.detail
    assert desk.holding().quantity == 2  # still held, and still protected by its stop
    assert desk.book.orders[client_id("m1", 1, "stop")].status is OrderStatus.WORKING
    assert client_id("m2", "close") not in desk.book.orders


async def test_new_targets_replace_the_legs_targets(desk: Desk) -> None:
    await desk.alert("BTO 2 SPY 3/20 580C @ 1.25 SL .90 PT 1.60/2.00", "m1")
    desk.quote("1.20", "1.25")
    move = StopPlan(
        message_id="m2", instrument=option(), side=Side.LONG, position="m1", new_targets=(Decimal("1.70"),)
    )
    result = await desk.executor.execute(move)
    assert len(result.modified) == 2
    assert {s.order.price for s in desk.book.working("m1", [Role.TARGET])} == {Decimal("1.70")}


async def test_entries_are_refused_while_the_broker_is_disconnected(desk: Desk) -> None:
    desk.broker.drop_connection()
    refused = await desk.alert(OPEN_2, "m1")
    assert refused.outcome == "refused" and "not connected" in refused.detail
    desk.broker.restore_connection()
    assert (await desk.alert(OPEN_2, "m2")).outcome == "sent"


async def test_a_scratch_that_cost_only_commissions_starts_no_cooldown(desk: Desk) -> None:
    await desk.alert(OPEN_2, "m1")
    desk.quote("1.20", "1.25")  # the entry fills at 1.25
    desk.quote("1.25", "1.27")
    await desk.alert("out", "m2")
    assert money(desk.book.realized_pnl()) == "0.00" and desk.book.realized_events()[0].pnl < 0
    later = desk.decide("BTO SPY 3/20 585C @ 1.10 SL .80", "m3")
    assert "loss_cooldown" not in getattr(later, "codes", ())


@pytest.mark.parametrize(("closed_by", "cooling"), [("the analyst", True), ("the kill switch", False)])
async def test_a_loss_starts_the_cooldown_unless_the_kill_switch_took_it(
    desk: Desk, closed_by: str, cooling: bool
) -> None:
    await desk.alert(OPEN_2, "m1")
    desk.quote("1.20", "1.25")
    desk.quote("1.00", "1.05")
    if closed_by == "the kill switch":
        await desk.executor.activate_kill_switch("manual stop")
        desk.executor.resume(by="tester")
    else:
        await desk.alert("out", "m2")
    assert desk.book.realized_pnl() < 0
    later = desk.decide("BTO SPY 3/20 585C @ 1.10 SL .80", "m3")
    assert ("loss_cooldown" in getattr(later, "codes", ())) is cooling


async def test_a_restart_that_finds_a_position_without_its_stop_protects_it_first(desk: Desk) -> None:
    events: list[object] = []
    desk.executor.subscribe(events.append)
    await desk.alert(OPEN_2, "m1")
    desk.quote("1.20", "1.25")
    for child in ("target", "stop"):  # an exit cancelled the children, then the process died
        await desk.broker.cancel(client_id("m1", 1, child))
    restarted = Desk(clock=desk.clock)
    await restarted.start()
    await restarted.executor.recover(e for e in events if not isinstance(e, ProtectionNotice | Ack))
    [notice] = [n for n in restarted.notices if isinstance(n, ProtectionNotice)]
    assert (notice.held, notice.stop_price, notice.protected) == (2, Decimal("0.90"), True)
    assert "when the bot started" in notice.failed
    restarted.quote("0.85", "0.95")
    assert restarted.holding().quantity == 0  # the restored stop works
