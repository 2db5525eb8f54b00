"""The kill switch: halt persisted first, every order cancelled and confirmed, the bot's positions
closed at market on their own contracts, flat verified, a report of all of it. Safe twice; resume is
the only way back; broker errors trip it too."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from tests.builders import option
from tests.fakes.paper import FaultyPaperBroker
from tests.trading import SPY, Desk, SimClock, money, plan

from executor import (
    BROKER_ERRORS,
    Ack,
    Broker,
    ErrorBudget,
    Executor,
    KillSwitchFinished,
    MemoryStateStore,
    OrderStatus,
    PaperBroker,
    Role,
    client_id,
)
from risk import ExitPlan, TradingState, instrument_key

PUT = option(strike="570", right="P")


async def busy_desk() -> Desk:
    """A filled 2-lot SPY call (target and stop working) and a put entry still waiting."""
    desk = await Desk().start()
    desk.quote("1.28", "1.30")
    await desk.alert("BTO 2 SPY 3/20 580C @ 1.25 SL .90 PT 1.80", "m1")
    desk.quote("1.20", "1.25")
    desk.quote("0.85", "0.90", key=instrument_key(PUT))  # above the put's 0.80 limit: it waits
    await desk.executor.execute(plan("m2", instrument=PUT, entry="0.80", stop="0.50", targets=(("1.20", 1),)))
    return desk


async def test_kill_cancels_working_orders_and_flattens_open_positions() -> None:
    desk = await busy_desk()
    desk.quote("1.40", "1.42")
    report = await desk.executor.activate_kill_switch("manual stop")
    assert desk.state.trading_status().state is TradingState.HALTED
    assert set(report.cancelled) == {
        client_id("m1", 1, Role.TARGET), client_id("m1", 1, Role.STOP),
        client_id("m2", 1, Role.ENTRY), client_id("m2", 1, Role.TARGET), client_id("m2", 1, Role.STOP),
    }  # fmt: skip
    assert report.cancels_confirmed and report.flatten_orders == (client_id("m1", "flatten", 1),)
    assert report.flat and report.remaining == {} and report.problems == ()
    assert desk.broker.snapshot().working == () and desk.broker.snapshot().positions == {}
    assert money(desk.book.realized_pnl()) == "30.00"  # 2 contracts closed at the 1.40 bid against 1.25
    assert desk.book.fills[-1].client_id == client_id("m1", "flatten", 1)


async def test_kill_persists_halted_before_the_first_cancel() -> None:
    desk = await busy_desk()
    seen: list[TradingState] = []
    cancel_all = desk.broker.cancel_all

    async def watching_cancel_all() -> None:
        seen.append(desk.state.trading_status().state)
        await cancel_all()

    desk.broker.cancel_all = watching_cancel_all  # type: ignore[method-assign]
    await desk.executor.activate_kill_switch("manual stop")
    assert seen == [TradingState.HALTED]


async def test_kill_twice_is_safe_and_sends_nothing_more() -> None:
    desk = await busy_desk()
    await desk.executor.activate_kill_switch("first")
    orders_after_first = set(desk.book.orders)
    second = await desk.executor.activate_kill_switch("second")
    assert second.already_halted and second.flat
    assert (second.cancelled, second.flatten_orders) == ((), ())
    assert set(desk.book.orders) == orders_after_first
    assert [s.detail for s in desk.state.history[1:]] == ["first", "second"]


async def test_kill_without_flatten_leaves_the_position_and_says_so() -> None:
    desk = await busy_desk()
    report = await desk.executor.activate_kill_switch("pause", flatten=False)
    assert report.flatten_orders == () and not report.flat
    assert report.remaining == {SPY: 2}
    assert any("Flat: NO" in line for line in report.lines())


async def test_after_kill_no_alert_sends_anything_until_resume() -> None:
    """The kill switch owns cancelling and flattening: an alert's exit racing it could sell twice."""
    desk = await busy_desk()
    await desk.executor.activate_kill_switch("stop", flatten=False)
    refused = await desk.executor.execute(plan("m3", entry="1.10"))
    assert refused.outcome == "refused" and "halted" in refused.detail
    assert "trading_halted" in [r.code for r in desk.decide("out", "m4", on="m1").reasons]  # risk says no
    out = await desk.executor.execute(ExitPlan(**_exit_of(desk, "m1"), message_id="m4", quantity=2))
    assert out.outcome == "refused" and desk.holding("m1").quantity == 2  # and so does the executor
    desk.executor.resume(by="tester")
    assert desk.executor.status.state is TradingState.ACTIVE
    assert (await desk.executor.execute(plan("m5", entry="1.10"))).outcome == "sent"


class UnconfirmedCancels(PaperBroker):
    """A broker whose cancels are never confirmed (a dropped link): the kill switch must say so."""

    async def cancel(self, client_id: str) -> Ack:
        return Ack(client_id=client_id, accepted=False, code=None, text="no confirmation")

    async def cancel_all(self) -> None:
        return None


async def test_kill_reports_unconfirmed_cancels_and_does_not_flatten_over_them() -> None:
    clock = SimClock()
    broker: Broker = UnconfirmedCancels(clock)
    executor = Executor(broker, MemoryStateStore(), clock=clock, kill_timeout=0.1)
    await executor.start()
    await executor.execute(plan("m1"))  # no quote: fills on receipt, children working
    report = await executor.activate_kill_switch("manual stop")
    assert not report.cancels_confirmed
    assert set(report.still_working) == {client_id("m1", 1, Role.TARGET), client_id("m1", 1, Role.STOP)}
    assert report.flatten_orders == () and not report.flat
    assert report.not_flattened and "not confirmed cancelled" in report.not_flattened[0]
    assert executor.status.state is TradingState.HALTED


async def test_repeated_rejections_trip_the_kill_switch() -> None:
    clock = SimClock()
    broker = FaultyPaperBroker(clock)
    executor = Executor(
        broker, MemoryStateStore(), clock=clock, errors=ErrorBudget(limit=2, window=timedelta(minutes=5))
    )
    await executor.start()
    broker.reject_next(201, "rejected")
    await executor.execute(plan("m1"))  # a rejected bracket counts once, not once per order
    assert executor.last_kill is None
    broker.reject_next(201, "rejected")
    await executor.execute(plan("m2"))
    assert executor.last_kill is not None
    report = await executor.last_kill
    assert report.cause == BROKER_ERRORS
    assert executor.status.state is TradingState.HALTED and executor.status.cause == BROKER_ERRORS


async def test_errors_outside_the_window_do_not_trip_it() -> None:
    budget = ErrorBudget(limit=2, window=timedelta(minutes=5))
    start = SimClock().now
    assert not budget.record(start)
    assert not budget.record(start + timedelta(minutes=5))
    assert budget.record(start + timedelta(minutes=6))


def test_kill_from_code_with_no_event_loop_runs_to_completion() -> None:
    desk = asyncio.run(busy_desk())
    run = desk.executor.activate_kill_switch("console")
    assert run.done and run.report is not None and run.report.flat
    assert desk.broker.snapshot().working == ()


def test_kill_from_another_thread_runs_on_the_bots_loop() -> None:
    ready = threading.Event()
    built: list[tuple[Desk, asyncio.AbstractEventLoop]] = []

    def bot() -> None:
        loop = asyncio.new_event_loop()
        built.append((loop.run_until_complete(busy_desk()), loop))  # start() records this loop
        ready.set()
        loop.run_forever()
        loop.close()

    thread = threading.Thread(target=bot)
    thread.start()
    assert ready.wait(10)
    [(desk, loop)] = built
    ran_on: list[threading.Thread] = []
    desk.executor.subscribe(
        lambda notice: (
            ran_on.append(threading.current_thread()) if isinstance(notice, KillSwitchFinished) else None
        )
    )
    try:
        run = desk.executor.activate_kill_switch("from the console")
        assert run.done and run.report is not None and run.report.flat
        assert ran_on == [thread]
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


async def test_kill_notifies_subscribers_with_the_report() -> None:
    desk = await busy_desk()
    await desk.executor.activate_kill_switch("manual stop")
    [finished] = [n for n in desk.notices if isinstance(n, KillSwitchFinished)]
    assert finished.report.reason == "manual stop"
    assert finished.report.lines()[0].startswith("Kill switch: trading halted (manual stop)")


@pytest.mark.parametrize("flatten", [True, False])
async def test_kill_cancels_an_unfilled_entry_without_any_position(flatten: bool) -> None:
    desk = await Desk().start()
    desk.quote("1.28", "1.30")
    await desk.alert("BTO 2 SPY 3/20 580C @ 1.25 SL .90 PT 1.80", "m1")
    report = await desk.executor.activate_kill_switch("stop", flatten=flatten)
    assert report.flat and report.flatten_orders == ()
    assert desk.book.orders[client_id("m1", 1, Role.ENTRY)].status is OrderStatus.CANCELLED
    assert desk.holding().quantity == 0 and desk.holding().avg_price == Decimal(0)


async def test_kill_while_the_broker_is_down_stays_halted_and_reports_what_it_could_not_do() -> None:
    desk = await busy_desk()
    desk.broker.drop_connection()
    report = await desk.executor.activate_kill_switch("link lost")
    assert desk.executor.status.state is TradingState.HALTED
    assert not report.flat and report.remaining == {SPY: 2}
    assert any("disconnected" in problem for problem in report.problems)


def _exit_of(desk: Desk, position: str) -> dict[str, object]:
    holding = desk.holding(position)
    return {"instrument": holding.instrument, "side": holding.side, "position": position}
