"""The IB adapter through ib_async and a real socket, against the fake gateway in ``tests/fakes``.

Alerts go through the real parser, risk manager and executor, as on the paper desk; what reaches
the gateway is read back from what it received (message by message), and what the bot believes is
read from its position book. Scenarios: contracts, brackets, management, partial fills, a
rejection, a drop in the middle of a bracket, 1100/1102, a restart with orders still open, and the
kill switch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import pytest
from tests.fakes.tws import FakeTWS
from tests.ibkit import con_id, config, connected, desk_on, gateway, round_trip, until
from tests.trading import SPY, Desk, SimClock, bracket, money

from executor import (
    BrokerUnavailable,
    Executor,
    MemoryStateStore,
    ModeMismatch,
    OrderStatus,
    Role,
    client_id,
)
from executor.guard import AccountGuard
from executor.ib import IBBroker
from parser import Asset, Instrument
from risk import TradingState

OPEN_2 = "BTO 2 SPY 3/20 580C @ 1.25 SL .90 PT 1.80"
D = Decimal


@pytest.fixture
async def desk(tws: FakeTWS) -> AsyncIterator[Desk]:
    async with desk_on(tws) as desk:
        await market(desk, tws, "1.28", "1.30")
        yield desk


async def market(desk: Desk, tws: FakeTWS, bid: str, ask: str, key: str = SPY) -> None:
    tws.quote(con_id(tws, key), D(bid), D(ask))
    await round_trip(desk.broker)


def placed(tws: FakeTWS) -> list[list[str]]:
    """placeOrder messages the gateway received (new orders and modifications)."""
    return [r.fields for r in tws.messages(3)]


def status(desk: Desk, message_id: str, leg: int, role: Role) -> OrderStatus:
    return desk.book.orders[client_id(message_id, leg, role)].status


# -- contracts --------------------------------------------------------------------------------------


async def test_option_bracket_is_one_group_entry_target_then_transmitting_stop(
    desk: Desk, tws: FakeTWS
) -> None:
    assert (await desk.alert(OPEN_2, "m1")).outcome == "sent"
    entry, target, stop = placed(tws)
    assert [f[18] for f in (entry, target, stop)] == ["LMT", "LMT", "STP"]
    assert [f[27] for f in (entry, target, stop)] == ["0", "0", "1"]  # transmit: F, F, T
    assert [f[28] for f in (target, stop)] == [entry[1], entry[1]]  # children name the entry
    assert [f[26] for f in (entry, target, stop)] == [
        client_id("m1", 1, r) for r in ("entry", "target", "stop")
    ]
    assert {f[21] for f in (entry, target, stop)} == {"DAY"}
    assert (entry[3], entry[4], entry[9]) == ("SPY", "OPT", "SMART")  # symbol, secType, exchange
    assert status(desk, "m1", 1, Role.ENTRY) is OrderStatus.WORKING
    assert status(desk, "m1", 1, Role.STOP) is OrderStatus.HELD


async def test_market_entry_is_a_market_parent_that_fills_at_the_ask(tws: FakeTWS) -> None:
    async with connected(tws) as broker:
        tws.quote(con_id(tws, SPY), D("1.20"), D("1.25"))
        assert (await broker.place_bracket(bracket(entry=None))).accepted
        await round_trip(broker)
        assert broker.snapshot().positions == {SPY: 2}
    entry, *_ = placed(tws)
    assert (entry[18], entry[19], entry[27]) == ("MKT", "", "0")
    assert tws.by_ref(client_id("m1", 1, "entry")).avg_price == D("1.25")


async def test_qualification_is_cached_per_contract(desk: Desk, tws: FakeTWS) -> None:
    await desk.alert("BTO 1 SPY 3/20 580C @ 1.20 SL .90 PT 1.80", "m1")
    asked = len(tws.messages(9))
    assert (await desk.broker.place_bracket(bracket("m2", entry="1.10"))).accepted
    await desk.alert("out", "m3", on="m1")
    assert len(tws.messages(9)) == asked == 1


async def test_spx_option_trades_the_weekly_class(desk: Desk, tws: FakeTWS) -> None:
    await desk.alert("BTO 1 SPX 3/20 5800C @ 4.20 SL 3.10 PT 6.00", "m1")
    [entry, *_] = placed(tws)
    assert tws.listings.contracts[int(entry[2])].trading_class == "SPXW"


async def test_prices_are_rounded_to_the_contracts_market_rule(tws: FakeTWS) -> None:
    from tests.builders import option

    spx = option("SPX", "5800")
    async with connected(tws) as broker:  # 0.05 below 3.00, 0.10 above (the adapter asks IB)
        ack = await broker.place_bracket(
            bracket(instrument=spx, entry="3.27", stop="2.03", targets=(("4.96", 1),))
        )
    assert ack.accepted
    entry, target, stop = placed(tws)
    assert (entry[19], target[19], stop[20]) == ("3.2", "5.0", "2.05")  # buy down, sell up, stop tighter


async def test_undated_future_trades_the_front_month_not_the_continuous_contract(
    desk: Desk, tws: FakeTWS
) -> None:
    await desk.alert("Long MES @ 5001.25 stop 4991 target 5021", "m1")
    asked = [(r.fields[5], r.fields[10]) for r in tws.messages(9)]
    assert asked[0] == ("CONTFUT", "CME") and "GLOBEX" not in {ex for _, ex in asked}
    [entry, *_] = placed(tws)
    assert (entry[4], entry[9], entry[5]) == ("FUT", "CME", "20261218")  # dated, on CME


async def test_dated_future_and_stock_qualify(tws: FakeTWS) -> None:
    es = Instrument(asset=Asset.FUTURE, symbol="ES", expiry=date(2026, 12, 1))
    aapl = Instrument(asset=Asset.STOCK, symbol="AAPL")
    async with connected(tws) as broker:
        assert (
            await broker.place_bracket(bracket(instrument=es, entry="5000", stop="4990", targets=()))
        ).accepted
        assert (
            await broker.place_bracket(
                bracket("m2", instrument=aapl, entry="190", stop="185", targets=(("200", 2),))
            )
        ).accepted
    kinds = {(f[3], f[4]) for f in placed(tws)}
    assert kinds == {("ES", "FUT"), ("AAPL", "STK")}


async def test_unknown_contract_is_a_journaled_rejection_and_nothing_is_sent(tws: FakeTWS) -> None:
    from tests.builders import option

    events: list[object] = []
    async with connected(tws) as broker:
        broker.subscribe(events.append)
        ack = await broker.place_bracket(bracket(instrument=option("ZZZZ")))
    assert (ack.accepted, ack.code) == (False, 200)
    rejected = [e for e in events if getattr(e, "kind", "") == "rejected"]
    assert len(rejected) == 3 and all(e.code == 200 and "ZZZZ" in e.text for e in rejected)  # type: ignore[attr-defined]
    assert placed(tws) == []


# -- management -------------------------------------------------------------------------------------


async def test_stop_to_breakeven_after_the_fill_resends_the_stop_without_its_parent(
    desk: Desk, tws: FakeTWS
) -> None:
    await desk.alert(OPEN_2, "m1")
    await market(desk, tws, "1.20", "1.25")
    assert (await desk.alert("stop to BE", "m2", on="m1")).outcome == "sent"
    modification = placed(tws)[-1]
    assert (modification[26], modification[20], modification[28]) == (client_id("m1", 1, "stop"), "1.25", "0")
    assert tws.by_ref(client_id("m1", 1, "stop")).aux == D("1.25")
    await market(desk, tws, "1.24", "1.26")
    assert status(desk, "m1", 1, Role.STOP) is OrderStatus.FILLED
    assert desk.holding().quantity == 0 and tws.positions[con_id(tws, SPY)] == 0


async def test_trim_shrinks_the_children_then_sells_at_market(desk: Desk, tws: FakeTWS) -> None:
    await desk.alert(OPEN_2, "m1")
    await market(desk, tws, "1.50", "1.52")  # entry fills at its limit? no: the ask is above it
    await market(desk, tws, "1.20", "1.25")
    assert (await desk.alert("trim half", "m2", on="m1")).outcome == "sent"
    assert tws.by_ref(client_id("m1", 1, "stop")).quantity == 1
    assert tws.by_ref(client_id("m1", 1, "target")).quantity == 1
    close = tws.by_ref(client_id("m2", "close"))
    assert (close.order_type, close.quantity, close.status) == ("MKT", 1, "Filled")
    assert desk.holding().quantity == 1 and tws.positions[con_id(tws, SPY)] == 1


async def test_exit_cancels_the_children_first_then_closes(desk: Desk, tws: FakeTWS) -> None:
    await desk.alert(OPEN_2, "m1")
    await market(desk, tws, "1.20", "1.25")
    assert (await desk.alert("out", "m2", on="m1")).outcome == "sent"
    cancels = [r for r in tws.received if r.msg_id == 4]
    close_at = next(i for i, r in enumerate(tws.received) if r.msg_id == 3 and r.fields[18] == "MKT")
    assert len(cancels) == 2 and all(tws.received.index(c) < close_at for c in cancels)
    assert desk.holding().quantity == 0 and tws.working() == []
    assert money(desk.book.realized_pnl()) == "-10.00"  # sold 2 at the 1.20 bid


async def test_cancel_of_an_unfilled_entry_cancels_its_children_at_ib(desk: Desk, tws: FakeTWS) -> None:
    await desk.alert(OPEN_2, "m1")
    assert (await desk.alert("cancel", "m2", on="m1")).outcome == "sent"
    assert tws.working() == [] and desk.book.working() == []


async def test_partial_fill_is_recorded_and_a_reconnect_does_not_count_it_twice(
    desk: Desk, tws: FakeTWS
) -> None:
    await desk.alert(OPEN_2, "m1")
    tws.partial_next = D(1)
    await market(desk, tws, "1.20", "1.25")
    fills = [n for n in desk.notices if getattr(n, "kind", "") == "filled"]
    assert [(f.quantity, f.filled, f.remaining) for f in fills] == [(1, 1, 1), (1, 2, 0)]  # type: ignore[attr-defined]
    tws.drop_connections()
    await until(lambda: any(getattr(n, "kind", "") == "connection_restored" for n in desk.notices))
    assert len([n for n in desk.notices if getattr(n, "kind", "") == "filled"]) == 2
    assert desk.holding().quantity == 2


# -- failures ---------------------------------------------------------------------------------------


async def test_rejection_201_reaches_the_decision_with_ibs_code_and_text(desk: Desk, tws: FakeTWS) -> None:
    tws.reject_next = (201, "Order rejected - reason:YOUR ORDER IS NOT ACCEPTED. INSUFFICIENT MARGIN")
    execution = await desk.alert(OPEN_2, "m1")
    assert execution.outcome == "failed" and "201" in execution.detail and "MARGIN" in execution.detail
    assert status(desk, "m1", 1, Role.ENTRY) is OrderStatus.REJECTED
    assert desk.book.working() == [] and tws.working() == []


async def test_drop_mid_bracket_then_reconnect_cancels_the_unprotected_entry(
    desk: Desk, tws: FakeTWS
) -> None:
    tws.drop_after_orders = 2  # the entry and the target arrive, the socket dies before the stop
    execution = await desk.alert(OPEN_2, "m1")
    assert execution.outcome == "failed"
    await until(lambda: any(getattr(n, "kind", "") == "connection_restored" for n in desk.notices))
    await round_trip(desk.broker)
    assert [o.order_ref for o in tws.orders.values()] == [
        client_id("m1", 1, "entry"),
        client_id("m1", 1, "target"),
    ]
    assert tws.working() == []  # cancelled at IB: it could never have had its stop
    assert all(state.status.done for state in desk.book.orders.values())
    assert len(placed(tws)) == 2  # nothing re-sent
    again = await desk.alert(OPEN_2, "m1")
    assert again.outcome == "duplicate"


async def test_entries_are_refused_while_tws_has_lost_ib_and_resume_after_1102(
    desk: Desk, tws: FakeTWS
) -> None:
    tws.system(1100, "Connectivity between IB and Trader Workstation has been lost.")
    await round_trip(desk.broker)
    refused = await desk.alert(OPEN_2, "m1")
    assert refused.outcome == "refused" and "not connected" in refused.detail
    tws.system(1102, "Connectivity between IB and Trader Workstation has been restored - data maintained.")
    await until(lambda: desk.executor.connected)
    assert (await desk.alert(OPEN_2, "m2")).outcome == "sent"
    assert not any(getattr(n, "kind", "") == "kill_switch_engaged" for n in desk.notices)


async def test_restart_with_orders_still_open_rebinds_them_and_records_fills_made_while_down(
    tws: FakeTWS,
) -> None:
    first = Desk(clock=SimClock(), broker=IBBroker(config(tws), SimClock()))
    events: list[object] = []
    first.broker.subscribe(events.append)
    await first.start()
    await market(first, tws, "1.28", "1.30")
    await first.alert("BTO 2 SPY 3/20 580C @ 1.25 SL .90 PT 1.80/2.20", "m1")
    await market(first, tws, "1.20", "1.25")
    await first.broker.shutdown()  # the bot dies; IB keeps working its orders
    tws.quote(con_id(tws, SPY), D("1.80"), D("1.85"))  # leg 1's target fills while nobody listens
    sent_before = len(placed(tws))

    second = Desk(clock=SimClock(), broker=IBBroker(config(tws), SimClock()))
    await second.executor.start()
    await second.executor.recover(events)  # type: ignore[arg-type]
    try:
        assert status(second, "m1", 1, Role.TARGET) is OrderStatus.FILLED
        assert status(second, "m1", 1, Role.STOP) is OrderStatus.CANCELLED
        assert second.holding().quantity == 1 and money(second.book.realized_pnl()) == "55.00"
        assert (await second.alert("stop to BE", "m2", on="m1")).outcome == "sent"  # on the rebound order
        assert tws.by_ref(client_id("m1", 2, "stop")).aux == D("1.25")
        assert len(placed(tws)) == sent_before + 1  # the modification only: nothing placed again
    finally:
        await second.broker.shutdown()


# -- kill switch ------------------------------------------------------------------------------------


async def test_kill_switch_cancels_everything_at_ib_then_flattens_the_exact_contract(
    desk: Desk, tws: FakeTWS
) -> None:
    await desk.alert(OPEN_2, "m1")
    await market(desk, tws, "1.20", "1.25")
    await desk.alert("BTO 1 SPY 3/20 575C @ 1.05 SL .80 PT 1.60", "m2")  # still working
    report = await desk.executor.activate_kill_switch("manual stop")
    assert desk.executor.status.state is TradingState.HALTED
    kinds = ["cancel all" if r.msg_id == 58 else r.fields[18] for r in tws.received if r.msg_id in (3, 58)]
    assert kinds[-2:] == ["cancel all", "MKT"]  # every cancel before the one closing order
    flatten = placed(tws)[-1]
    assert (int(flatten[2]), flatten[16], flatten[17]) == (
        con_id(tws, SPY),
        "SELL",
        "2",
    )  # the exact contract
    assert report.flat and report.cancels_confirmed and not report.problems
    assert tws.working() == [] and tws.positions[con_id(tws, SPY)] == 0


# -- connection -------------------------------------------------------------------------------------


async def test_paper_mode_refuses_a_live_account(tws: FakeTWS) -> None:
    tws.accounts = ("U7654321",)
    executor = Executor(IBBroker(config(tws), SimClock()), MemoryStateStore(), clock=SimClock())
    with pytest.raises(ModeMismatch, match="not a paper account"):
        await executor.start()
    await executor.broker.shutdown()


async def test_live_mode_trades_only_the_confirmed_account(tws: FakeTWS) -> None:
    tws.accounts = ("U7654321",)
    guard = AccountGuard(paper=False, live_confirm="U7654321")
    executor = Executor(IBBroker(config(tws), SimClock()), MemoryStateStore(), clock=SimClock(), guard=guard)
    assert await executor.start() == "U7654321"
    await executor.broker.shutdown()


async def test_a_client_id_in_use_fails_fast_with_the_setting_to_change(tws: FakeTWS) -> None:
    async with connected(tws):
        with pytest.raises(BrokerUnavailable, match="IBKR_CLIENT_ID=7 is already in use"):
            await IBBroker(config(tws, connect_timeout=30.0), SimClock()).connect()


async def test_nothing_listening_is_one_line_naming_the_port() -> None:
    async with gateway() as tws:
        port = tws.port
    with pytest.raises(BrokerUnavailable, match=f"127.0.0.1:{port}: nothing listens there"):
        await IBBroker(config(tws, port=port), SimClock()).connect()


async def test_several_accounts_need_ibkr_account(tws: FakeTWS) -> None:
    tws.accounts = ("DU1111111", "DU2222222")
    with pytest.raises(BrokerUnavailable, match="set IBKR_ACCOUNT"):
        await IBBroker(config(tws), SimClock()).connect()
    async with connected(tws, account="DU2222222") as broker:
        assert broker.account == "DU2222222"


async def test_requests_are_paced_under_45_messages_a_second(tws: FakeTWS) -> None:
    async with connected(tws) as broker:
        for number in range(40):  # 120 orders
            await broker.place_bracket(bracket(f"m{number}", entry="1.10"))
    arrivals = [r.at for r in tws.messages(3)]
    assert len(arrivals) == 120
    assert arrivals[-1] - arrivals[0] >= 1.5  # 120 messages at 45 a second take more than two seconds


async def test_net_liquidation_comes_from_the_account_updates(tws: FakeTWS) -> None:
    async with connected(tws) as broker:
        assert broker.net_liquidation() == Decimal("100000")
    tws.net_liquidation = None  # a login that sends no account values: sizing by percent is refused
    async with connected(tws) as broker:
        assert broker.net_liquidation() is None


async def test_a_trailing_stop_is_a_native_trail_at_ib_and_trails_on_its_quotes(tws: FakeTWS) -> None:
    from tests.trading import plan

    from executor import bracket_from_plan
    from risk import Trail

    trailing = plan(targets=(("3.00", 1),)).model_copy(update={"trail": Trail(percent=Decimal(20))})
    async with connected(tws) as broker:
        tws.quote(con_id(tws, SPY), D("1.20"), D("1.25"))
        assert (await broker.place_bracket(bracket_from_plan(trailing))).accepted
        await round_trip(broker)
        stop = placed(tws)[-1]
        assert (stop[18], stop[69], stop[70]) == ("TRAIL", "0.9", "20.0")  # trailStopPrice, trailingPercent
        assert stop[20] == ""  # auxPrice: no amount when it trails by percent
        for bid in ("1.50", "2.00", "1.70", "1.59"):  # 20 % below the best bid: 1.60, which 1.59 takes
            tws.quote(con_id(tws, SPY), D(bid), D(bid) + D("0.05"))
        await round_trip(broker)
        assert broker.snapshot().positions == {}
    exit_fill = tws.executions[-1]
    assert exit_fill.order.order_ref == client_id("m1", 1, "stop") and exit_fill.price == D("1.60")


async def test_a_trail_that_starts_later_is_an_adjusted_stop_at_ib(tws: FakeTWS) -> None:
    from tests.trading import plan

    from executor import bracket_from_plan
    from risk import Trail

    later = Trail(amount=Decimal("0.25"), start=Decimal("1.50"))
    async with connected(tws) as broker:
        tws.quote(con_id(tws, SPY), D("1.20"), D("1.25"))
        assert (
            await broker.place_bracket(bracket_from_plan(plan().model_copy(update={"trail": later})))
        ).accepted
        await round_trip(broker)
    stop = placed(tws)[-1]
    assert (stop[18], stop[20]) == ("STP", "0.9")  # a plain stop at first...
    assert (stop[91], stop[92], stop[94], stop[96], stop[97]) == (
        "TRAIL",
        "1.5",
        "0.9",
        "0.25",
        "0",
    )  # ...then a trail


async def test_a_drop_in_the_nightly_maintenance_is_expected_and_entries_wait_for_its_end(
    tws: FakeTWS,
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.builders import alert, intent

    from executor import ConnectionLost, ConnectionRestored, PositionBook
    from orchestrator.views.notify import notice_line
    from risk import AccountSnapshot, Denied, Limits, evaluate

    night = SimClock(datetime(2026, 3, 3, 0, 30, tzinfo=ZoneInfo("America/New_York")))
    async with connected(tws, night, maintenance="00:15-01:45") as broker:
        events: list[object] = []
        broker.subscribe(events.append)
        tws.drop_connections()  # IB's servers restart
        await until(lambda: any(isinstance(e, ConnectionRestored) for e in events))
        [lost] = [e for e in events if isinstance(e, ConnectionLost)]
        assert lost.expected
        line = notice_line(lost, PositionBook())
        assert line is not None and line.startswith("broker offline for IB's nightly maintenance (expected)")

    limits = Limits(maintenance="00:15-01:45", trading_hours="any")
    at_night = evaluate(
        intent("BTO SPY 3/20 580C @ 1.25 SL .90", night.now),
        AccountSnapshot(),
        limits,
        night.now,
        alert=alert(night.now),
    )
    assert isinstance(at_night, Denied) and [r.code for r in at_night.reasons] == ["broker_maintenance"]
    morning = night.now.replace(hour=2, minute=0)  # 02:00 New York: the window is over
    later = evaluate(
        intent("BTO SPY 3/20 580C @ 1.25 SL .90", morning),
        AccountSnapshot(),
        limits,
        morning,
        alert=alert(morning),
    )
    assert "broker_maintenance" not in [r.code for r in getattr(later, "reasons", ())]
