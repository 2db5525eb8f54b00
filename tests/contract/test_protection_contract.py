"""No held contract without a broker-side stop: refused exits, trims and brackets, on every broker.

The executor runs over each broker of the contract suite (the simulator, and the IB adapter through
ib_async and a socket to the fake gateway). The broker refuses the closing order the way IB does
(error 201 on a lone market order); what is still held must then sit under a working stop at the
position's old stop price, at the broker as well as in the book, and the stop must actually work.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal

import pytest

from executor import (
    Executor,
    MemoryStateStore,
    Notice,
    OrderStatus,
    ProtectionNotice,
    Role,
    client_id,
)
from parser import Side
from risk import ExitPlan, TradingState, TrimPlan
from tests.builders import option
from tests.trading import SPY, plan

from .harness import HARNESSES, Harness

MARGIN = (201, "Order rejected - reason: closing order would violate a rule")


@dataclass
class Bot:
    harness: Harness
    executor: Executor
    state: MemoryStateStore
    notices: list[Notice]

    def stop_cover(self, position: str = "m1") -> dict[Decimal | None, int]:
        """Contracts covered by working stops in the book, by stop price."""
        cover: dict[Decimal | None, int] = {}
        for stop in self.executor.book.working(position, (Role.STOP,)):
            cover[stop.order.price] = cover.get(stop.order.price, 0) + stop.remaining
        return cover

    def broker_stops(self) -> int:
        """Contracts covered by stops the broker itself reports working (not waiting on an entry)."""
        snapshot = self.harness.broker.snapshot()
        return sum(
            w.order.quantity - w.filled
            for w in snapshot.working
            if w.order.role is Role.STOP and w.status is OrderStatus.WORKING
        )

    def protections(self) -> list[ProtectionNotice]:
        return [n for n in self.notices if isinstance(n, ProtectionNotice)]


@pytest.fixture(params=sorted(HARNESSES))
async def bot(request: pytest.FixtureRequest) -> AsyncIterator[Bot]:
    async with HARNESSES[request.param]() as harness:
        state = MemoryStateStore()
        executor = Executor(harness.broker, state, clock=harness.clock, kill_timeout=2.0)
        notices: list[Notice] = []
        executor.subscribe(notices.append)
        await executor.start()
        await harness.market(SPY, "1.28", "1.30")
        yield Bot(harness, executor, state, notices)


async def long_two(bot: Bot, targets: tuple[tuple[str, int], ...] = (("1.80", 2),)) -> None:
    """Long 2 SPY calls at 1.25 with their bracket (stop 0.90), the entry filled."""
    assert (await bot.executor.execute(plan("m1", targets=targets))).outcome == "sent"
    await bot.harness.market(SPY, "1.20", "1.25")
    assert bot.executor.book.holdings["m1"].quantity == 2


def exit_plan(message_id: str, quantity: int = 0) -> ExitPlan:
    return ExitPlan(
        message_id=message_id, instrument=option(), side=Side.LONG, position="m1", quantity=quantity,
        alert_price=Decimal("1.20"),
    )  # fmt: skip


async def test_a_refused_exit_leaves_the_position_under_a_new_stop_at_the_old_price(bot: Bot) -> None:
    await long_two(bot)
    bot.harness.reject_next_of("close", *MARGIN)
    result = await bot.executor.execute(exit_plan("m2", 2))
    await bot.harness.settle()
    assert result.outcome == "failed" and "201" in result.detail and "PROTECTED" in result.detail
    assert bot.executor.book.holdings["m1"].quantity == 2
    assert bot.stop_cover() == {Decimal("0.90"): 2}
    assert bot.broker_stops() == 2
    [notice] = bot.protections()
    assert (notice.held, notice.stop_price, notice.protected) == (2, Decimal("0.90"), True)
    assert "201" in notice.failed
    assert bot.state.trading_status().state is TradingState.ACTIVE
    await bot.harness.market(SPY, "0.85", "0.95")  # and the new stop does its job
    assert bot.executor.book.holdings["m1"].quantity == 0
    assert bot.harness.broker.snapshot().positions.get(SPY, 0) == 0


async def test_a_refused_trim_restores_the_stop_the_trim_had_shrunk(bot: Bot) -> None:
    await long_two(bot)
    bot.harness.reject_next_of("close", *MARGIN)
    trim = TrimPlan(
        message_id="m2", instrument=option(), side=Side.LONG, position="m1", quantity=1,
        alert_price=Decimal("1.40"),
    )  # fmt: skip
    result = await bot.executor.execute(trim)
    await bot.harness.settle()
    assert result.outcome == "failed"
    assert bot.executor.book.holdings["m1"].quantity == 2
    assert sum(bot.stop_cover().values()) == 2 and set(bot.stop_cover()) == {Decimal("0.90")}
    assert bot.broker_stops() == 2
    assert [n.held for n in bot.protections()] == [2]


async def test_a_stop_that_cannot_be_placed_either_moves_trading_to_reducing(bot: Bot) -> None:
    await long_two(bot)
    bot.harness.reject_next_of("close", *MARGIN)
    bot.harness.reject_next_of("lone_stop", 201, "Order rejected - reason: no trading permissions")
    result = await bot.executor.execute(exit_plan("m2", 2))
    await bot.harness.settle()
    assert result.outcome == "failed" and "UNPROTECTED" in result.detail
    [notice] = bot.protections()
    assert not notice.protected and "no trading permissions" in notice.problem
    status = bot.state.trading_status()
    assert (status.state, status.cause) == (TradingState.REDUCING, "unprotected_position")


async def test_a_refused_flatten_in_the_kill_switch_leaves_a_stop_and_says_so(bot: Bot) -> None:
    await long_two(bot)
    bot.harness.reject_next_of("close", *MARGIN)
    report = await bot.executor.activate_kill_switch("manual stop")
    await bot.harness.settle()
    assert bot.state.trading_status().state is TradingState.HALTED  # halted stays halted
    assert not report.flat and report.remaining == {SPY: 2}
    assert any("PROTECTED" in problem for problem in report.problems)
    assert bot.stop_cover() == {Decimal("0.90"): 2} and bot.broker_stops() == 2


async def test_a_rejected_bracket_parent_leaves_no_child_working(bot: Bot) -> None:
    bot.harness.inject_rejection(201, "Order rejected - reason: insufficient margin")
    result = await bot.executor.execute(plan("m1"))
    await bot.harness.settle()
    assert result.outcome == "failed"
    orders = bot.executor.book.orders
    for role in (Role.ENTRY, Role.TARGET, Role.STOP):
        assert orders[client_id("m1", 1, role)].status.done
    assert bot.executor.book.working() == [] and bot.harness.broker.snapshot().working == ()
    assert bot.harness.venue_working() == 0  # cancelled at the venue too, not left to it
    assert bot.executor.book.open_holdings() == []


async def test_an_exit_that_goes_through_needs_no_protection(bot: Bot) -> None:
    await long_two(bot)
    result = await bot.executor.execute(exit_plan("m2", 2))
    await bot.harness.settle()
    assert result.outcome == "sent" and bot.executor.book.holdings["m1"].quantity == 0
    assert bot.protections() == []
