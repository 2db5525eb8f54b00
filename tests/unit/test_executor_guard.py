"""The paper/live guard: the mode decides the broker and the account; a mismatch is one clear line."""

from __future__ import annotations

import pytest
from tests.trading import SimClock, plan

from executor import (
    SIMULATOR_ACCOUNT,
    AccountGuard,
    BrokerUnavailable,
    Executor,
    MemoryStateStore,
    ModeMismatch,
    PaperBroker,
    build_broker,
    check_port,
)


@pytest.mark.parametrize("account", [SIMULATOR_ACCOUNT, "DU1234567", "DF7654321"])
def test_paper_mode_trades_paper_accounts(account: str) -> None:
    AccountGuard(paper=True).check(account)


def test_paper_mode_refuses_a_live_account_without_printing_it() -> None:
    with pytest.raises(ModeMismatch) as refused:
        AccountGuard(paper=True).check("U1234567")
    message = str(refused.value)
    assert "U1234567" not in message and "U1****67" in message and "\n" not in message


@pytest.mark.parametrize("account", [SIMULATOR_ACCOUNT, "DU1234567"])
def test_live_mode_refuses_paper_accounts(account: str) -> None:
    with pytest.raises(ModeMismatch, match="paper account or the simulator"):
        AccountGuard(paper=False, live_confirm=account).check(account)


def test_live_mode_needs_live_confirm_equal_to_the_account() -> None:
    AccountGuard(paper=False, live_confirm="U1234567").check("U1234567")
    with pytest.raises(ModeMismatch, match="LIVE_CONFIRM does not equal"):
        AccountGuard(paper=False, live_confirm="U7654321").check("U1234567")


@pytest.mark.parametrize(("paper", "port"), [(True, 7496), (True, 4001), (False, 7497), (False, 4002)])
def test_ports_of_the_other_mode_are_refused(paper: bool, port: int) -> None:
    with pytest.raises(ModeMismatch, match=f"IBKR_PORT={port}"):
        check_port(paper, port)


def test_the_simulator_is_never_built_for_live_trading() -> None:
    assert isinstance(build_broker("paper", paper=True, clock=SimClock()), PaperBroker)
    with pytest.raises(ModeMismatch, match="BROKER=ib"):
        build_broker("paper", paper=False, clock=SimClock())


def test_the_ib_broker_is_refused_clearly_until_its_adapter_exists() -> None:
    with pytest.raises(BrokerUnavailable, match="BROKER=ib"):
        build_broker("ib", paper=True, clock=SimClock())


async def test_an_executor_refused_by_the_guard_sends_nothing() -> None:
    clock = SimClock()
    broker = PaperBroker(clock, account="U1234567")
    executor = Executor(broker, MemoryStateStore(), clock=clock, guard=AccountGuard(paper=True))
    with pytest.raises(ModeMismatch):
        await executor.start()
    result = await executor.execute(plan())
    assert result.outcome == "refused" and broker.snapshot().working == ()
