"""Management intents against the position handed in: exits, trims, stop moves, cancels, and states."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from tests.builders import MONDAY, approved, decide, denied, position

from parser import MoveStop, PriceStop, PriceTarget
from risk import (
    AccountSnapshot,
    CancelPlan,
    ExitPlan,
    OrderPlan,
    Position,
    Quote,
    StopPlan,
    TradingState,
    TradingStatus,
    TrimPlan,
)
from risk.plan_line import describe_plan

HALTED = AccountSnapshot(status=TradingStatus(state=TradingState.HALTED, cause="kill_switch"))
REDUCING = AccountSnapshot(status=TradingStatus(state=TradingState.REDUCING, cause="daily_loss_limit"))


def plan(text: str, account: AccountSnapshot | None = None, **kwargs: object) -> OrderPlan:
    kwargs.setdefault("target", position())
    return approved(decide(text, account, **kwargs)).plan  # type: ignore[arg-type]


def test_exit_closes_everything_held_at_market_with_the_alert_price_kept() -> None:
    exit_plan = plan("STC SPY 3/20 580C @ 1.80")
    assert isinstance(exit_plan, ExitPlan)
    assert (exit_plan.quantity, exit_plan.alert_price, exit_plan.position) == (2, Decimal("1.8"), "m0")


def test_exit_before_the_entry_filled_cancels_the_entry() -> None:
    exit_plan = plan("out", target=position(quantity=0, pending=2))
    assert isinstance(exit_plan, ExitPlan) and exit_plan.quantity == 0 and exit_plan.cancel_entry


def test_exit_never_sells_more_than_held() -> None:
    exit_plan = plan("sold 5 SPY 3/20 580C", target=position(quantity=2))
    assert isinstance(exit_plan, ExitPlan) and exit_plan.quantity == 2


@pytest.mark.parametrize(
    ("text", "held", "quantity"),
    [
        ("trim half", 2, 1),
        ("trim half", 3, 2),  # 1.5 rounds half up
        ("trim half", 4, 2),
        ("trim", 4, 2),  # bare trim: DEFAULT_TRIM_PCT 50
        ("trim 75%", 2, 1),  # would round to 2: a trim keeps a runner
        ("trim 25%", 4, 1),
        ("trim 1 contract", 3, 1),
    ],
)
def test_trim_quantity_rounding(text: str, held: int, quantity: int) -> None:
    trim = plan(text, target=position(quantity=held), max_contracts=5)
    assert isinstance(trim, TrimPlan) and trim.quantity == quantity


def test_trim_of_one_contract_is_denied_but_its_stop_move_still_applies() -> None:
    assert denied(decide("trim half", target=position(quantity=1))).codes == ("trim_too_small",)
    decision = approved(decide("trim half, stop to BE", target=position(quantity=1)))
    assert isinstance(decision.plan, StopPlan) and decision.plan.new_stop == Decimal("1.25")
    assert "trim_too_small" in decision.codes


def test_trim_carrying_breakeven_moves_the_rest_to_the_entry() -> None:
    trim = plan("trim half, stop to BE", target=position(quantity=2, avg="1.25"))
    assert isinstance(trim, TrimPlan) and trim.quantity == 1 and trim.new_stop == Decimal("1.25")


def test_trim_of_an_unfilled_entry_is_denied() -> None:
    assert denied(decide("trim half", target=position(quantity=0, pending=2))).codes == ("nothing_filled",)


@pytest.mark.parametrize(
    ("text", "stop"),
    [("stop to BE", "1.25"), ("moving stop to 1.10", "1.10"), ("stop 1.5", "1.50")],
)
def test_stop_moves_that_tighten(text: str, stop: str) -> None:
    move = plan(text)
    assert isinstance(move, StopPlan) and move.new_stop == Decimal(stop)


def test_stop_move_through_the_market_is_denied() -> None:
    quote = Quote(bid=Decimal("1.05"), ask=Decimal("1.10"), at=MONDAY)
    account = AccountSnapshot(quotes={"SPY 2026-03-20 580C": quote})
    assert denied(decide("stop to BE", account, target=position())).codes == ("stop_through_market",)


@pytest.mark.parametrize(
    ("stop", "verdict"),
    [
        ("0.50", "approved"),
        ("0.49", "denied"),
    ],  # 2 contracts x (1.25 - 0.50) x 100 = 150 = MAX_RISK_PER_TRADE
)
def test_widening_a_stop_is_bounded_by_max_risk_per_trade(stop: str, verdict: str) -> None:
    decision = decide(f"stop {stop}", target=position(quantity=2, avg="1.25", stop="0.90"))
    assert decision.verdict == verdict
    if verdict == "denied":
        assert "stop_widens" in decision.codes


def test_widening_a_stop_must_fit_the_daily_loss_cap() -> None:
    other = position(
        instrument=position().instrument.model_copy(update={"symbol": "QQQ"}),
        opened_by="q",
        quantity=2,
        avg="2.50",
        stop="1.25",
    )
    account = AccountSnapshot(positions=(other, position()))
    assert "daily_loss_limit" in denied(decide("stop 0.60", account, target=position())).codes


def test_stale_widening_is_denied_but_a_stale_exit_goes_flagged() -> None:
    assert "stale_alert" in denied(decide("stop 0.80", target=position(), age=120)).codes
    decision = approved(decide("out", target=position(), age=120))
    assert isinstance(decision.plan, ExitPlan) and "stale_alert" in decision.codes


def test_cancel_of_a_working_entry() -> None:
    cancel = plan("cancel SPY", target=position(quantity=0, pending=1))
    assert isinstance(cancel, CancelPlan)
    assert denied(decide("cancel SPY", target=position())).codes == ("entry_filled",)


def test_management_without_a_position_is_denied() -> None:
    for text in ("out", "trim half", "stop to BE", "cancel SPY"):
        assert denied(decide(text)).codes == ("no_position",)


def test_management_naming_another_contract_is_denied() -> None:
    decision = denied(decide("STC QQQ 3/20 500C", target=position()))
    assert decision.codes == ("contract_mismatch",)
    assert denied(decide("BTC SPY 3/20 580C", target=position())).codes == ("side_mismatch",)


def test_reducing_lets_risk_reducing_intents_through() -> None:
    assert denied(decide("BTO QQQ 3/20 500C @ 1 SL 0.8", REDUCING)).codes == ("trading_reducing",)
    for text in ("out", "trim half", "stop to BE"):
        assert decide(text, REDUCING, target=position()).verdict == "approved", text
    assert decide("cancel SPY", REDUCING, target=position(quantity=0, pending=1)).verdict == "approved"
    assert "trading_reducing" in denied(decide("stop 0.80", REDUCING, target=position())).codes


def test_halted_passes_nothing_the_kill_switch_cancels_and_flattens() -> None:
    for text in ("BTO QQQ 3/20 500C @ 1 SL 0.8", "trim half", "stop to BE", "out", "sold 1 SPY 3/20 580C"):
        assert "trading_halted" in denied(decide(text, HALTED, target=position())).codes, text
    cancel = decide("cancel SPY", HALTED, target=position(quantity=0, pending=1))
    assert "trading_halted" in denied(cancel).codes


def test_short_position_stop_moves_mirror() -> None:
    short = position(side="short", avg="2.00", stop="2.50")
    move = plan("stop to BE", target=short)
    assert isinstance(move, StopPlan) and move.new_stop == Decimal("2.00")
    assert "stop_widens" in denied(decide("stop 4", target=short)).codes


def test_new_targets_must_be_beyond_the_stop() -> None:
    move = plan("stop to 1.00 and PT 2", target=position())
    assert isinstance(move, StopPlan) and move.new_targets == (Decimal("2.00"),)
    below = MoveStop(stop=PriceStop(price=Decimal("1.00")), targets=(PriceTarget(price=Decimal("0.95")),))
    assert denied(decide(below, target=position())).codes == ("target_wrong_side",)


def test_quiet_window_for_widening_uses_fresh_alerts_only() -> None:
    assert (
        decide("stop 0.80", target=position(), age=timedelta(seconds=5).total_seconds()).verdict == "approved"
    )


@pytest.mark.parametrize(
    ("text", "target", "line"),
    [
        ("out", position(), "close 2 SPY 2026-03-20 580C at market"),
        (
            "out",
            position(quantity=0, pending=1),
            "cancel the working entry for SPY 2026-03-20 580C (nothing filled)",
        ),
        ("trim half, stop to BE", position(), "close 1 SPY 2026-03-20 580C at market; stop the rest at 1.25"),
        ("stop to 1.00 and PT 2", position(), "SPY 2026-03-20 580C: stop to 1.00; targets 2.00"),
        ("cancel SPY", position(quantity=0, pending=1), "cancel the working entry for SPY 2026-03-20 580C"),
    ],
)
def test_each_plan_reads_as_one_line(text: str, target: Position, line: str) -> None:
    assert describe_plan(plan(text, target=target)) == line
