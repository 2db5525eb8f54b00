"""The daily loss cap: the entry check, the latch, its release at the next trading day, and resume."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from tests.builders import MONDAY, decide, denied, ny, option, position

from risk import (
    LOSS_CAP,
    AccountSnapshot,
    Limits,
    Realized,
    TradingState,
    TradingStatus,
    review,
)

ENTRY = "BTO SPY 3/20 580C @ 1.25 SL 0.90"  # risks $35 at its stop


def realized(*amounts: str, at: datetime = MONDAY - timedelta(hours=1)) -> tuple[Realized, ...]:
    return tuple(Realized(at=at, pnl=Decimal(amount)) for amount in amounts)


@pytest.mark.parametrize(("loss", "verdict"), [("-265", "approved"), ("-265.01", "denied")])
def test_entry_whose_stop_could_breach_the_cap_is_denied(loss: str, verdict: str) -> None:
    # 265 lost + 35 at the new stop = 300 = DAILY_LOSS_LIMIT: still within the cap.
    decision = decide(ENTRY, AccountSnapshot(realized=realized(loss)), loss_cooldown=timedelta(0))
    assert decision.verdict == verdict
    if verdict == "denied":
        assert denied(decision).codes == ("daily_loss_limit",)


def test_open_positions_count_at_their_stops() -> None:
    # Two QQQ contracts bought at 2.50 with a stop at 1.25: 250 at risk; + 35 + 20 realized = 305.
    held = position(option("QQQ"), quantity=2, avg="2.50", stop="1.25")
    account = AccountSnapshot(positions=(held,), realized=realized("-20"))
    assert "daily_loss_limit" in denied(decide(ENTRY, account, loss_cooldown=timedelta(0))).codes


def test_a_stop_in_profit_does_not_make_room_for_more_risk() -> None:
    held = position(option("QQQ"), quantity=2, avg="1.00", stop="3.00")  # locks in a gain at its stop
    account = AccountSnapshot(positions=(held,), realized=realized("-270"))
    assert "daily_loss_limit" in denied(decide(ENTRY, account, loss_cooldown=timedelta(0))).codes


def test_realized_gains_today_offset_losses() -> None:
    account = AccountSnapshot(realized=realized("-300", "100"))
    assert decide(ENTRY, account, loss_cooldown=timedelta(0)).verdict == "approved"


def test_a_position_without_a_stop_blocks_every_entry() -> None:
    account = AccountSnapshot(positions=(position(option("QQQ"), stop=None),))
    assert "unbounded_risk" in denied(decide(ENTRY, account)).codes


def test_nan_pnl_cannot_enter_a_snapshot() -> None:
    with pytest.raises(ValueError, match="finite"):
        Realized(at=MONDAY, pnl=Decimal("NaN"))


@pytest.mark.parametrize(
    ("loss", "action", "state"),
    [
        ("-299.99", TradingState.HALTED, TradingState.ACTIVE),
        ("-300", TradingState.REDUCING, TradingState.REDUCING),
        ("-450", TradingState.HALTED, TradingState.HALTED),
    ],
)
def test_realized_breach_latches_the_configured_state(
    loss: str, action: TradingState, state: TradingState
) -> None:
    status = review(AccountSnapshot(realized=realized(loss)), Limits(loss_limit_action=action), MONDAY)
    assert status.state is state
    if state is not TradingState.ACTIVE:
        assert status.cause == LOSS_CAP and "$300.00" in status.detail


def test_evaluate_applies_the_latch_before_the_orchestrator_has_persisted_it() -> None:
    decision = denied(decide(ENTRY, AccountSnapshot(realized=realized("-300"))))
    assert "trading_reducing" in decision.codes


def _latched(
    since: datetime, state: TradingState = TradingState.REDUCING, cause: str = LOSS_CAP
) -> TradingStatus:
    return TradingStatus(state=state, cause=cause, detail="", since=since)


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (ny(2026, 3, 2, 17, 59), TradingState.REDUCING),  # same trading day
        (ny(2026, 3, 2, 18, 0), TradingState.ACTIVE),  # next trading day has begun
        (ny(2026, 3, 3, 9, 30), TradingState.ACTIVE),
    ],
)
def test_loss_latch_holds_until_the_next_trading_day(now: datetime, state: TradingState) -> None:
    loss_at = ny(2026, 3, 2, 11, 0)
    account = AccountSnapshot(status=_latched(loss_at), realized=realized("-400", at=loss_at))
    assert review(account, Limits(), now).state is state


def test_kill_switch_halt_is_not_released_by_a_new_day() -> None:
    account = AccountSnapshot(status=_latched(ny(2026, 3, 2, 11, 0), TradingState.HALTED, "kill_switch"))
    assert review(account, Limits(), ny(2026, 3, 4, 10, 0)).state is TradingState.HALTED


def test_resume_is_not_undone_by_the_losses_before_it_but_a_new_loss_latches_again() -> None:
    loss_at, resumed_at = ny(2026, 3, 2, 11, 0), ny(2026, 3, 2, 11, 30)
    status = TradingStatus(cause="resume", since=resumed_at)
    account = AccountSnapshot(status=status, realized=realized("-400", at=loss_at))
    assert review(account, Limits(), ny(2026, 3, 2, 12, 0)).state is TradingState.ACTIVE
    later = account.model_copy(
        update={"realized": (*account.realized, *realized("-5", at=ny(2026, 3, 2, 12, 0)))}
    )
    assert review(later, Limits(), ny(2026, 3, 2, 12, 1)).state is TradingState.REDUCING


def test_losses_from_the_previous_trading_day_do_not_count() -> None:
    account = AccountSnapshot(realized=realized("-400", at=ny(2026, 3, 1, 17, 0)))
    assert decide(ENTRY, account).verdict == "approved"
